"""The token view of the clean body for the `ner` config: sentences, tokens and IOB2 tags. Pure functions.

Tokeniser (regex, deterministic): a token is a dotted acronym (`U.S.`), a number with inner separators (`1,000`, `2.5`), a possessive
`'s`/`’s` split from its word (`Trump`, `’s`), a word with inner apostrophes (`didn’t`), or any other single
non-space character (punctuation, hyphens, symbols: `Al`, `-`, `Thani`).

Sentence splitter (regex, deterministic): a line break always ends a sentence; inside a line a sentence ends
after `.`, `!` or `?` (plus any closing quotes or brackets) followed by white space and an upper-case letter,
a digit or an opening quote, unless the word before the full stop is a known abbreviation (`Mr.`, `Sgt.`,
`Dec.` ...), a single letter or a dotted acronym (`U.S.`), or the break would fall inside an entity span.

Tags are IOB2 over the entity labels (TAGS; the card declares them as a ClassLabel). A span the token view
cannot represent is left out of the tags and reported: `mid-token` (a boundary inside a token), `nested`
(inside or overlapping a longer kept span: the longest span wins, then the earliest), `crosses-sentence`.
"""
from __future__ import annotations

import re
from itertools import accumulate
from operator import add, sub
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ..annotations.files import ENTITY_LABELS

# A word is scanned once: after its run of \w, either `'s` follows (the possessive is split off: the token is the
# run) or apostrophe parts may follow (`didn’t`). The same tokens as the definition in the module doc written as
# `\w+?(?=['’]s\b)|\w+(?:['’]\w+)*`, which tried a look-ahead after every character of every word.
TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)+|['’]s\b|\w+(?:(?=['’]s\b)|(?:['’]\w+)*)|[^\w\s]")
TAGS: tuple[str, ...] = ("O", *(f"{p}-{label}" for label in ENTITY_LABELS for p in ("B", "I")))
TAG_ID = {t: i for i, t in enumerate(TAGS)}

ABBREVIATIONS = frozenset("""mr mrs ms dr prof sgt lt col gen capt maj cpl pvt adm cmdr rep sen gov pres st jr sr
rev fr no nos vs etc inc ltd co corp dept univ est approx jan feb mar apr jun jul aug sep sept oct nov dec""".split())
_BOUNDARY_RE = re.compile(r"([.!?]+)[\"”’')\]]*(\s+)(?=[\"“‘'(\[]?[A-Z0-9])")
_WORD_BEFORE_RE = re.compile(r"(?:^|(?<=[^\w.]))([\w.]*\w)$")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of text[start:end] with offsets into `text` (code points, half-open)."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, start, end)]


def count_tokens(text: str) -> int:
    return sum(1 for _ in TOKEN_RE.finditer(text))


_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_NEWLINES_RE = re.compile(r"\n+")
_RUN_RE = re.compile(r"[\w.]*\n?")  # a window that is all word may hold the end of a longer word
_LOOKBACK = 64  # characters searched for the word before a full stop (a longer word is searched in full)


def _word_before(text: str, end: int) -> str | None:
    """The word (letters, digits and inner dots) that ends at `end`, as `_WORD_BEFORE_RE` anchored there finds
    it, searched in a window before `end` that doubles while the word may run past it (a search from 0
    would cost the whole text per full stop)."""
    size = _LOOKBACK
    while True:
        lo = max(0, end - size)
        m = _WORD_BEFORE_RE.search(text, lo, end)
        if lo == 0:
            break
        if m is None and not _RUN_RE.fullmatch(text, lo, end):
            break  # something in the window ends any word before `end`: there is none
        if m is not None and m.start() > lo:
            break
        size *= 2
    return m.group(1) if m else None


def _is_abbreviation(text: str, punct_start: int, punct: str) -> bool:
    """Whether the full stop at `punct_start` belongs to an abbreviation rather than ending a sentence."""
    if punct != ".":  # `!`, `?` and `...` always end a sentence
        return False
    word = _word_before(text, punct_start)
    if not word:
        return False
    if _ACRONYM_RE.fullmatch(word):  # U.S., e.g
        return True
    return (len(word) == 1 and word.isalpha()) or word.lower() in ABBREVIATIONS


def _guard(protected: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The protected spans merged into disjoint open intervals (starts, ends), for a bisect per question."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(protected):
        if e - s < 2:
            continue  # no position lies strictly inside
        if starts and s < ends[-1] - 1:  # overlaps the previous open interval (s, e) in some inner position
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def sentences(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans of `text` (trimmed, non-empty), never breaking inside a `protected` span."""
    g_starts, g_ends = _guard(protected)

    def inside(pos: int) -> bool:  # s < pos < e for some protected span
        i = bisect_left(g_starts, pos) - 1
        return i >= 0 and pos < g_ends[i]

    cuts = [0]
    for m in _NEWLINES_RE.finditer(text):
        if not g_starts or not inside(m.start()):
            cuts += [m.start(), m.end()]
    for m in _BOUNDARY_RE.finditer(text):
        stop = m.start(2)
        if "\n" in m.group(2) or (g_starts and (inside(stop) or inside(m.end(2)))):
            continue
        if not _is_abbreviation(text, m.start(1), m.group(1)):
            cuts += [stop, m.end(2)]
    cuts.append(len(text))
    cuts.sort()
    out = []
    for s, e in zip(cuts, cuts[1:]):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e and (not out or s >= out[-1][1]):
            out.append((s, e))
    return out


@dataclass
class NerResult:
    rows: list[dict[str, Any]]
    unrepresented: list[dict[str, Any]]
    tokens: int


_SPACED_TOKEN_RE = re.compile(rf"(\s*)({TOKEN_RE.pattern})")


def _token_spans(text: str) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and texts of every token of `text`: one `findall` of the compiled expression over the whole
    text, each token with the white space before it; offsets are running sums of lengths, so no match object
    is made per token. (Every character is white space or part of a token, so this finds the tokens
    `TOKEN_RE.finditer` finds.) Sentences are cut only at white space and a token holds none, so the tokens
    of a sentence are exactly the run of these that lies inside it (what `tokenize(text, start, end)` gives)."""
    pairs = _SPACED_TOKEN_RE.findall(text)
    if not pairs:
        return [], [], []
    spaces, tokens = zip(*pairs)
    lengths = list(map(len, tokens))
    ends = list(accumulate(map(add, map(len, spaces), lengths)))
    return list(map(sub, ends, lengths)), ends, list(tokens)


def ner_rows(doc_id: str, text: str, entities: Sequence[Mapping[str, Any]]) -> NerResult:
    """The `ner` rows of one document (its clean body and the entities projected onto it)."""
    ents = sorted(entities, key=lambda e: (e["start"], -e["end"], e["label"], e["text"]))
    sents = sentences(text, [(e["start"], e["end"]) for e in ents])
    t_start, t_end, t_text = _token_spans(text)
    # token k belongs to sentence i when bounds[i] <= k < bounds[i + 1]
    bounds = [bisect_left(t_start, s) for s, _ in sents] + [len(t_start)]
    problems: list[dict[str, Any]] = []

    def report(e: Mapping[str, Any], reason: str, detail: str) -> None:
        problems.append({"doc_id": doc_id, "start": e["start"], "end": e["end"], "label": e["label"],
                         "text": e["text"], "reason": reason, "detail": detail})

    aligned = []
    for e in ents:
        a = bisect_left(t_start, e["start"])
        b = bisect_left(t_end, e["end"])
        if a == len(t_start) or t_start[a] != e["start"] or b == len(t_end) or t_end[b] != e["end"]:
            report(e, "mid-token", "a boundary falls inside a token")
        elif bisect_right(bounds, a) != bisect_right(bounds, b):
            report(e, "crosses-sentence", "the span crosses a sentence boundary")
        else:
            aligned.append((e, a, b))
    kept: list[tuple[int, int]] = []
    tags = [TAG_ID["O"]] * len(t_start)
    for e, a, b in sorted(aligned, key=lambda x: (-(x[0]["end"] - x[0]["start"]), x[0]["start"], x[0]["label"])):
        clash = next(((s, t) for s, t in kept if s < e["end"] and e["start"] < t), None)
        if clash:
            report(e, "nested", f"overlaps the longer span [{clash[0]}, {clash[1]})")
            continue
        kept.append((e["start"], e["end"]))
        tags[a] = TAG_ID[f"B-{e['label']}"]
        tags[a + 1:b + 1] = [TAG_ID[f"I-{e['label']}"]] * (b - a)
    rows = [{"id": f"{doc_id}-{i:04d}", "doc_id": doc_id, "sentence_index": i, "tokens": t_text[lo:hi],
             "ner_tags": tags[lo:hi]} for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])) if hi > lo]
    problems.sort(key=lambda p: (p["start"], p["end"], p["label"], p["reason"]))
    return NerResult(rows, problems, len(t_start))
