"""Normalisation: raw seed bytes -> the normalised full text (the annotation anchor) + an offset map.

Pure functions. Each rule is one regular-expression pass that records only the edits that change length,
so the offset map is small (identity between edits) and the common clean-text case runs at regex speed.

Rules, in order (NORMALISER_VERSION names this exact list; change it and bump the version):
 1. mojibake repair: UTF-8 text that was once decoded as Windows-1252 ("â€™" -> "’");
 2. line endings \\r\\n, \\r, U+0085, U+2028, U+2029 -> \\n;
 3. invisible junk removed: C0/C1 controls except \\n and \\t, soft hyphen, zero-width space, word joiner,
    BOM, Mongolian vowel separator; ZWJ/ZWNJ only where they join nothing (kept inside emoji and words);
 4. space separators (no-break, thin, ideographic, ...) -> a plain space;
 5. Unicode NFC;
 6. trailing spaces and tabs on each line trimmed;
 7. runs of blank lines -> one blank line; leading and trailing blank lines dropped (no final newline).
Typographic quotes and dashes are kept exactly.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Iterable, Iterator

from ..errors import CeasefireError, Problem
from ..sniff import sniff_binary

NORMALISER_VERSION = "1"


# ---------------------------------------------------------------------------------------------- offset maps
@dataclass(frozen=True)
class StepMap:
    """Offsets through one rewriting pass. `edits` are (src_start, src_end, dst_start, dst_end), sorted and
    non-overlapping; between edits the two texts are identical (copy stretches)."""

    src_starts: tuple[int, ...]
    src_ends: tuple[int, ...]
    dst_starts: tuple[int, ...]
    dst_ends: tuple[int, ...]

    @staticmethod
    def _start(pos: int, a_starts, a_ends, b_starts, b_ends) -> int:
        i = bisect_right(a_starts, pos) - 1
        if i < 0:
            return pos
        if pos < a_ends[i]:
            return b_starts[i]
        return b_ends[i] + (pos - a_ends[i])

    @staticmethod
    def _end(pos: int, a_starts, a_ends, b_starts, b_ends) -> int:
        if pos <= 0:
            return 0
        i = bisect_right(a_starts, pos - 1) - 1
        if i < 0:
            return pos
        if pos - 1 < a_ends[i]:
            return b_ends[i]
        return b_ends[i] + (pos - a_ends[i])

    def back(self, start: int, end: int) -> tuple[int, int]:
        a = (self.dst_starts, self.dst_ends, self.src_starts, self.src_ends)
        return self._start(start, *a), max(self._start(start, *a), self._end(end, *a))

    def forward(self, start: int, end: int) -> tuple[int, int]:
        a = (self.src_starts, self.src_ends, self.dst_starts, self.dst_ends)
        return self._start(start, *a), max(self._start(start, *a), self._end(end, *a))

    def is_boundary(self, pos: int) -> bool:
        """True when `pos` (in the output text) is not strictly inside a multi-character replacement."""
        i = bisect_right(self.dst_starts, pos) - 1
        return i < 0 or pos == self.dst_starts[i] or pos >= self.dst_ends[i]


@dataclass(frozen=True)
class OffsetMap:
    """Normalised <-> raw offsets (code points; raw = the decoded seed text), composed of one StepMap per rule."""

    steps: tuple[StepMap, ...]
    raw_length: int
    norm_length: int

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The exact raw character range that the normalised span [start, end) came from."""
        if not 0 <= start <= end <= self.norm_length:
            raise ValueError(f"span [{start}, {end}) outside the normalised text (length {self.norm_length})")
        for step in reversed(self.steps):
            start, end = step.back(start, end)
        return start, end

    def to_norm(self, start: int, end: int) -> tuple[int, int]:
        """The normalised span that the raw range [start, end) became."""
        if not 0 <= start <= end <= self.raw_length:
            raise ValueError(f"span [{start}, {end}) outside the raw text (length {self.raw_length})")
        for step in self.steps:
            start, end = step.forward(start, end)
        return start, end

    def is_boundary(self, pos: int) -> bool:
        """True when spans starting or ending at `pos` round-trip exactly through to_raw/to_norm."""
        for step in reversed(self.steps):
            if not step.is_boundary(pos):
                return False
            pos = step.back(pos, pos)[0]
        return True


def _rewrite(text: str, pattern: re.Pattern, repl: Callable[[re.Match], str] | str
             ) -> tuple[str, StepMap | None, int]:
    """Apply `pattern` -> `repl`; return the new text, the map of its length-changing edits, and how many
    matches were changed."""
    return _edit(text, ((m.start(), m.end(), repl(m) if callable(repl) else repl) for m in pattern.finditer(text)))


def _edit(text: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, StepMap | None, int]:
    """Replace each [start, end) of `text` (in order, not overlapping) by its string; as `_rewrite`."""
    pieces: list[str] = []
    ss: list[int] = []
    se: list[int] = []
    ds: list[int] = []
    de: list[int] = []
    last = 0
    out_len = 0
    changed = 0
    for s, e, r in edits:
        if r == text[s:e]:
            continue
        changed += 1
        pieces.append(text[last:s])
        out_len += s - last
        if len(r) != e - s:
            ss.append(s)
            se.append(e)
            ds.append(out_len)
            de.append(out_len + len(r))
        pieces.append(r)
        out_len += len(r)
        last = e
    if not changed:
        return text, None, 0
    pieces.append(text[last:])
    step = StepMap(tuple(ss), tuple(se), tuple(ds), tuple(de)) if ss else None
    return "".join(pieces), step, changed


# ---------------------------------------------------------------------------------------------- the rules
def _cp1252_table() -> dict[str, int]:
    table = {}
    for b in range(0x80, 0x100):
        try:
            ch = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            ch = bytes([b]).decode("latin-1")
        table[ch] = b
    return table


_CP1252 = _cp1252_table()
_CONT = "".join(re.escape(ch) for ch, b in _CP1252.items() if 0x80 <= b <= 0xBF)
_MOJIBAKE_RE = re.compile(
    "(?:[\u00c2-\u00df][%s]|[\u00e0-\u00ef][%s]{2}|[\u00f0-\u00f4][%s]{3})+" % (_CONT, _CONT, _CONT))


def _fix_mojibake(m: re.Match) -> str:
    s = m.group(0)
    try:
        fixed = bytes(_CP1252[ch] for ch in s).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return s
    if any(unicodedata.category(ch) == "Cc" for ch in fixed):
        return s
    return fixed


_NEWLINE_RE = re.compile("\r\n?|[\u0085\u2028\u2029]")
# Rule 3's characters (regular-expression class contents), written once: the junk always removed (C0/C1 controls
# but \t, \n, \r and U+0085, which rule 2 turns into \n; soft hyphen, zero-width space, word joiner, BOM,
# Mongolian vowel separator), and ZWNJ/ZWJ, removed only where they join nothing.
_ALWAYS_JUNK = "\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\u180e"
_JOINERS = "\u200c\u200d"
# The leading lookahead only says which character a match can start with: same matches, found much faster.
_JUNK_RE = re.compile(f"(?=[{_ALWAYS_JUNK}{_JOINERS}])"
                      f"(?:[{_ALWAYS_JUNK}]|(?:(?<=\\s)|^)[{_JOINERS}]+|[{_JOINERS}]+(?=\\s|$))", re.M)
_JUNK_START = re.compile(f"[{_ALWAYS_JUNK}{_JOINERS}]").search  # where a match of _JUNK_RE may start
_SPACE_CHARS = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACE_RE = re.compile(f"[{_SPACE_CHARS}]")
_TRAILING_RE = re.compile("[ \t]+$", re.M)
_BLANKS_RE = re.compile(r"(?=\n)(?:\A\n+|\n+\Z|\n{3,})")

# A stretch NFC may change: non-ASCII characters with the one character before them, never a line break
# (clusters start afresh on each line, as they always did). An ASCII letter can take a following combining mark;
# no ASCII character composes with what precedes it, so the stretches are independent of each other.
_NFC_SEGMENT_RE = re.compile("[\x00-\x09\x0b-\x7f]?[^\x00-\x7f]+")


def _clusters(seg: str) -> list[int]:
    """Boundaries of the clusters of `seg` (a starter and what composes with it), from 0 to len(seg)."""
    bounds = [0]
    for j in range(1, len(seg)):
        c = seg[j]
        start = bounds[-1]
        if unicodedata.combining(c) == 0 and (
                unicodedata.normalize("NFC", seg[start:j + 1])
                == unicodedata.normalize("NFC", seg[start:j]) + unicodedata.normalize("NFC", c)):
            bounds.append(j)
    bounds.append(len(seg))
    return bounds


def _nfc(text: str) -> tuple[str, StepMap | None]:
    """NFC, one edit per changed cluster (a starter and what composes with it), so offsets stay tight.
    Linear: only the non-ASCII stretches that are not already NFC are looked at character by character."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    ss, se, ds, de, pieces = [], [], [], [], []
    last = out = 0
    for m in _NFC_SEGMENT_RE.finditer(text):
        seg = m.group(0)
        if unicodedata.is_normalized("NFC", seg):
            continue
        base = m.start()
        bounds = _clusters(seg)
        for a, b in zip(bounds, bounds[1:]):
            cl = seg[a:b]
            r = unicodedata.normalize("NFC", cl)
            if r == cl:
                continue
            s, e = base + a, base + b
            pieces.append(text[last:s])
            out += s - last
            # every changed cluster is an edit, also a same-length reordering of combining marks, so that
            # no span boundary is placed inside a cluster whose characters moved
            ss.append(s); se.append(e); ds.append(out); de.append(out + len(r))
            pieces.append(r)
            out += len(r)
            last = e
    pieces.append(text[last:])
    return "".join(pieces), (StepMap(tuple(ss), tuple(se), tuple(ds), tuple(de)) if ss else None)


@dataclass
class NormalizeReport:
    """What normalisation did, for the ingest log and `clean --json`."""

    encoding: str = "utf-8"
    bom_removed: bool = False
    mojibake_repaired: int = 0
    changes: dict[str, int] = field(default_factory=dict)


# Cheap tests that a rule's pattern may match: plain character-class searches or substring checks, so clean text
# skips the costlier patterns entirely.
_MOJIBAKE_LEADS = "\u00c2-\u00f4"
_NEWLINE_CHARS = "\r\u0085\u2028\u2029"
_MAYBE_MOJIBAKE = re.compile(f"[{_MOJIBAKE_LEADS}]").search
_MAYBE_NEWLINE = re.compile(f"[{_NEWLINE_CHARS}]").search
# every character one of the tests above (and the spaces rule's) looks for: one scan of the text finds those present,
# and the tests then look at these few characters only
_TRIGGERS_RE = re.compile(f"[{_MOJIBAKE_LEADS}{_NEWLINE_CHARS}{_ALWAYS_JUNK}{_JOINERS}{_SPACE_CHARS}]")


def _triggers(text: str) -> str:
    """The distinct characters of `text` that some test of `_RULES` or the mojibake repair looks for."""
    return "".join(set(_TRIGGERS_RE.findall(text)))


def _maybe_trailing(text: str) -> bool:
    return " \n" in text or "\t\n" in text or text.endswith((" ", "\t"))


def _maybe_blanks(text: str) -> bool:
    return text.startswith("\n") or text.endswith("\n") or "\n\n\n" in text


def _blank_lines(m: re.Match) -> str:
    return "\n\n" if m.start() and m.end() < len(m.string) else ""


def _trim_trailing(text: str) -> tuple[str, StepMap | None, int]:
    """`_rewrite(text, _TRAILING_RE, "")`, line by line with str.rstrip instead of trying the pattern at every space:
    the same text, map and count."""
    ss: list[int] = []
    se: list[int] = []
    ds: list[int] = []
    lines = text.split("\n")
    pos = removed = 0
    for i, line in enumerate(lines):
        kept = line.rstrip(" \t")
        if len(kept) != len(line):
            lines[i] = kept
            ss.append(pos + len(kept))
            se.append(pos + len(line))
            ds.append(pos + len(kept) - removed)
            removed += len(line) - len(kept)
        pos += len(line) + 1
    if not ss:
        return text, None, 0
    return "\n".join(lines), StepMap(tuple(ss), tuple(se), tuple(ds), tuple(ds)), len(ss)


def _line_endings(text: str) -> tuple[str, StepMap | None, int]:
    """`_rewrite(text, _NEWLINE_RE, "\\n")` with str methods: every CRLF (the only edit that changes the length)
    found by one split, the lone line separators replaced in place."""
    parts = text.split("\r\n")
    k = len(parts) - 1
    lone = sum(map(text.count, _LONE_BREAKS)) - k  # each CRLF's CR was counted too
    if not k and not lone:
        return text, None, 0
    new = "\n".join(parts)
    for ch in _LONE_BREAKS:
        if ch in new:
            new = new.replace(ch, "\n")
    step = None
    if k:
        before = list(accumulate(map(len, parts[:-1])))  # text before the j-th CRLF, CRLFs aside
        step = StepMap(tuple(map(int.__add__, before, range(0, 2 * k, 2))),
                       tuple(map(int.__add__, before, range(2, 2 * k + 2, 2))),
                       tuple(map(int.__add__, before, range(k))), tuple(map(int.__add__, before, range(1, k + 1))))
    return new, step, k + lone


_LONE_BREAKS = ("\r", "\u0085", "\u2028", "\u2029")


def _remove_junk(text: str) -> tuple[str, StepMap | None, int]:
    """`_rewrite(text, _JUNK_RE, "")`, trying the pattern only where a character it can start with stands (one fast
    character-class scan), not at every position."""
    def matches() -> Iterator[tuple[int, int, str]]:
        pos = 0
        while True:
            c = _JUNK_START(text, pos)
            if c is None:
                return
            m = _JUNK_RE.match(text, c.start())
            if m is None:
                pos = c.start() + 1
            else:
                yield m.start(), m.end(), ""
                pos = m.end()
    return _edit(text, matches())


_BLANK_RUN_RE = re.compile("\n\n\n+")


def _blank_lines_rule(text: str) -> tuple[str, StepMap | None, int]:
    """`_rewrite(text, _BLANKS_RE, _blank_lines)`: leading and trailing newlines dropped, runs of three or more
    inside squeezed to two; the same spans found with str.strip and a pattern that starts with a literal."""
    lead = len(text) - len(text.lstrip("\n"))
    if lead == len(text):
        return _edit(text, [(0, lead, "")] if lead else [])
    trail = len(text) - len(text.rstrip("\n"))
    edits = [(0, lead, "")] if lead else []
    edits += [(m.start(), m.end(), "\n\n") for m in _BLANK_RUN_RE.finditer(text, lead, len(text) - trail)]
    if trail:
        edits.append((len(text) - trail, len(text), ""))
    return _edit(text, edits)


def _replacing(pattern: re.Pattern, repl: Callable[[re.Match], str] | str
               ) -> Callable[[str], tuple[str, StepMap | None, int]]:
    return lambda text: _rewrite(text, pattern, repl)


# Each rule: (report name, the rewrite, a cheap test that it may change anything)
_RULES: list[tuple[str, Callable[[str], tuple[str, StepMap | None, int]], Callable[[str], object]]] = [
    ("line_endings", _line_endings, _MAYBE_NEWLINE),  # _NEWLINE_RE -> "\n"
    ("invisible_removed", _remove_junk, _JUNK_START),  # _JUNK_RE -> ""
    ("spaces", _replacing(_SPACE_RE, " "), _SPACE_RE.search),
]
_LAYOUT_RULES: list[tuple[str, Callable[[str], tuple[str, StepMap | None, int]], Callable[[str], object]]] = [
    ("trailing_space", _trim_trailing, _maybe_trailing),  # _TRAILING_RE -> ""
    ("blank_lines", _blank_lines_rule, _maybe_blanks),  # _BLANKS_RE -> _blank_lines
]


def normalize(raw: str) -> tuple[str, OffsetMap, NormalizeReport]:
    """Normalise decoded raw text. Returns (normalised text, offset map, report). Pure."""
    report = NormalizeReport()
    steps: list[StepMap] = []
    text = raw

    def apply(rules, probe: str | None = None) -> None:
        nonlocal text
        for name, rewrite, maybe in rules:
            if not maybe(text if probe is None else probe):
                continue
            text, step, n = rewrite(text)
            if n:
                report.changes[name] = report.changes.get(name, 0) + n
            if step:
                steps.append(step)

    # the tests of the first rules look at the characters they look for, found in one scan: what a rule's rewrite
    # leaves of them is a subset (it only removes them or puts "\n" or " " in their place), so no test is missed;
    # a test that passes on a character no longer there only runs a rewrite that finds nothing to change
    found = _triggers(text)
    if found:
        if _MAYBE_MOJIBAKE(found):
            text, step, report.mojibake_repaired = _rewrite(text, _MOJIBAKE_RE, _fix_mojibake)
            if step:
                steps.append(step)
            if report.mojibake_repaired:
                found = _triggers(text)  # a repair may bring any character
        apply(_RULES, found)
    new, step = _nfc(text)
    if new != text:
        report.changes["nfc"] = 1
    text = new
    if step:
        steps.append(step)
    apply(_LAYOUT_RULES)
    return text, OffsetMap(tuple(steps), len(raw), len(text)), report


# ---------------------------------------------------------------------------------------------- decoding
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode(data: bytes, file: str = "") -> tuple[str, NormalizeReport]:
    """Bytes -> text. UTF-8 (BOM dropped); Windows-1252 when the bytes are plainly that (reported).
    Raises CeasefireError naming the file and byte offset for binary or undecodable input."""
    report = NormalizeReport()
    if not data:
        raise CeasefireError(Problem("empty-input", "empty input: no bytes to read", file=file))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CeasefireError(Problem("undecodable", "UTF-16 text (byte-order mark at byte offset 0): only UTF-8 "
                                     "and Windows-1252 are read", file=file, hint="re-save the file as UTF-8"))
    nul = data.find(b"\x00")
    sniffed = sniff_binary(data)
    if sniffed:
        where = f"NUL byte at byte offset {nul}" if nul >= 0 else "its first bytes at byte offset 0"
        raise CeasefireError(Problem("binary-input", f"{sniffed}, not text ({where})", file=file,
                                     hint="seeds must be plain text: extract the text and save it as UTF-8"))
    if nul >= 0:
        raise CeasefireError(Problem("binary-input", f"binary data, not text (NUL byte at byte offset {nul})",
                                     file=file, hint="seeds must be plain text"))
    skip = 0  # byte offsets in messages count from the start of the file, BOM included
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        report.bom_removed = True
        skip = len(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
        if skip or _UTF8_MULTIBYTE.search(data):
            raise CeasefireError(Problem(
                "undecodable", f"mixed encodings: invalid UTF-8 byte 0x{data[bad]:02x} at byte offset "
                f"{bad + skip} in a file that also holds valid UTF-8"
                f"{' (it starts with a UTF-8 byte-order mark)' if skip else ''}", file=file,
                hint="re-save the file as UTF-8")) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise CeasefireError(Problem(
                "undecodable", f"neither UTF-8 (byte 0x{data[bad]:02x} at byte offset {bad + skip}) nor "
                f"Windows-1252 (byte 0x{data[exc2.start]:02x} at byte offset {exc2.start + skip})", file=file,
                hint="re-save the file as UTF-8")) from None
        report.encoding = "cp1252"
    controls = _CONTROL_RE.findall(text) if _CONTROL_RE.search(text) else ()
    if len(controls) > max(8, len(text) // 20):
        first = _CONTROL_RE.search(text).start()
        offset = len(text[:first].encode(report.encoding)) + skip
        raise CeasefireError(Problem(
            "binary-input", f"binary data, not text ({len(controls)} control characters, the first "
            f"0x{ord(text[first]):02x} at byte offset {offset})", file=file, hint="seeds must be plain text"))
    return text, report


@dataclass(frozen=True)
class Normalized:
    """A normalised document: its raw (decoded) text, the normalised text and the map between them."""

    raw: str
    text: str
    offsets: OffsetMap
    report: NormalizeReport


def normalize_bytes(data: bytes, file: str = "") -> Normalized:
    """Decode and normalise raw seed bytes; an empty result is an error."""
    raw, dec = decode(data, file)
    text, offsets, report = normalize(raw)
    report.encoding, report.bom_removed = dec.encoding, dec.bom_removed
    if not text.strip():
        raise CeasefireError(Problem("empty-input", "empty document: no text left after normalisation", file=file))
    return Normalized(raw, text, offsets, report)
