"""Segmentation: blocks (paragraphs, or lines in one-block-per-line text) and the units that are classified
(a block, or each line of a block whose lines are separate items rather than one hard-wrapped paragraph)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .signals import FULL_STOP_RE, FUNCTION_WORDS, is_dateline, is_fragment, is_running_time, word_count

@dataclass(frozen=True)
class Block:
    """A paragraph (or a line, in one-block-per-line text) of the normalised text: [start, end)."""

    start: int
    end: int
    text: str


# --------------------------------------------------------------------------------------------- segmentation
_PARA_RE = re.compile(r"[^\n](?:.|\n(?!\n))*")  # runs of text without a blank line
_LINE_RE = re.compile(r"[^\n]+")


def segment(text: str) -> list[Block]:
    """Paragraph blocks when the text has blank lines, else one block per line. Whitespace-only lines are not blocks."""
    pattern = _PARA_RE if "\n\n" in text else _LINE_RE
    blocks = []
    for m in pattern.finditer(text):
        s, e = m.span()
        chunk = m.group(0)
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            blocks.append(Block(s + lead, e - trail, text[s + lead:e - trail]))
    return blocks


# --------------------------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Unit:
    """What is classified: a block, or one line of a block whose lines are separate items (a menu, a byline
    stack, 'Image source, X' over 'Image caption, Y') rather than one hard-wrapped paragraph."""

    start: int
    end: int
    text: str
    block: int


def _is_wrapped(lines: list[str]) -> bool:
    """True when a multi-line block reads as one hard-wrapped paragraph: every line is as long as the wrap
    width allows (the next line's first word would not have fitted on it)."""
    width = max(len(line) for line in lines)
    if width < 30:
        return False
    if all(line[:1].isupper() and is_fragment(line) and word_count(line) >= 5 for line in lines):
        return False  # a stack of titles (related headlines), each capitalised and none ending a sentence
    for a, b in zip(lines, lines[1:]):
        last_word = (re.findall(r"[\w’']+", a) or [""])[-1].lower()
        if (is_dateline(b) or is_running_time(b)) and not FULL_STOP_RE.search(b) and not a.endswith(",") \
                and last_word not in FUNCTION_WORDS | {"since", "until", "by", "of"}:
            return False  # a stamp on a line of its own ('January 22, 2026' under a title), not a wrapped '... on\nMay 5.'
    for a, b in zip(lines, lines[1:]):
        first = b.split(maxsplit=1)[0] if b.strip() else ""
        if len(a) + 1 + len(first) < 0.85 * width:
            return False
    return True


def units_of(text: str, blocks: list[Block]) -> list[Unit]:
    """The classification units of `text`: each block, split into its lines unless it is wrapped prose."""
    units = []
    for i, b in enumerate(blocks):
        lines = [(m.start(), m.end()) for m in _LINE_RE.finditer(b.text)]
        if len(lines) < 2 or _is_wrapped([b.text[s:e].strip() for s, e in lines]):
            units.append(Unit(b.start, b.end, b.text, i))
            continue
        for s, e in lines:
            chunk = b.text[s:e]
            lead, trail = len(chunk) - len(chunk.lstrip()), len(chunk) - len(chunk.rstrip())
            if e - trail > s + lead:
                units.append(Unit(b.start + s + lead, b.start + e - trail, chunk.strip(), i))
    return units
