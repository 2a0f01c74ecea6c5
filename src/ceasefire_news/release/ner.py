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

How it runs: `ner_batch` takes the documents of a build shard at once, joined by line breaks (a line break
ends every token and sentence, and nothing looks across it), as one array of code points with one class
lookup per character. Tokens are the runs of word characters and the single other characters, found with
array operations; only the white-space-delimited chunks that hold an apostrophe, a digit-separator-digit or a
letter-dot-letter-dot (where the expression's first alternatives can win) are tokenised with TOKEN_RE itself.
Sentence breaks are found the same way from the positions of `.!?`, closers and line breaks. The token texts
go to Arrow as one UTF-8 buffer (the text without its white space: every other character is in exactly one
token) and offsets, so no Python object is made per token. tests/test_ner.py holds the first, match-by-match
definitions and checks that this gives the same tokens, sentences and tags.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa

from ..annotations.files import ENTITY_LABELS
from ..columns import NER

# A word is scanned once: after its run of \w, either `'s` follows (the possessive is split off: the token is the
# run) or apostrophe parts may follow (`didn’t`). The same tokens as the definition in the module doc written as
# `\w+?(?=['’]s\b)|\w+(?:['’]\w+)*`, which tried a look-ahead after every character of every word.
TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)+|['’]s\b|\w+(?:(?=['’]s\b)|(?:['’]\w+)*)|[^\w\s]")
TAGS: tuple[str, ...] = ("O", *(f"{p}-{label}" for label in ENTITY_LABELS for p in ("B", "I")))
TAG_ID = {t: i for i, t in enumerate(TAGS)}
_B_ID = {label: TAG_ID[f"B-{label}"] for label in ENTITY_LABELS}  # the I- tag of a label is its B- tag + 1

ABBREVIATIONS = frozenset("""mr mrs ms dr prof sgt lt col gen capt maj cpl pvt adm cmdr rep sen gov pres st jr sr
rev fr no nos vs etc inc ltd co corp dept univ est approx jan feb mar apr jun jul aug sep sept oct nov dec""".split())
# A sentence ends after a run of `.!?`, closers, white space, then (an opener and) an upper-case letter or digit.
_TERMINALS, _CLOSERS, _OPENERS, _CAPITALS = ".!?", "\"”’')]", "\"“‘'([", "A-Z0-9"
_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")

# Character classes, one bit each, for every code point (the same classes the expressions above use).
_SPACE, _WORD, _DIGIT, _LETTER, _DOT, _SEP, _APOS, _TERM, _CLOSE, _OPEN, _CAP, _NEWLINE, _KNOWN = (
    1 << k for k in range(13))
_CLASS_RES = tuple((bit, re.compile(rx)) for bit, rx in (
    (_SPACE, r"\s"), (_WORD, r"\w"), (_DIGIT, r"\d"), (_LETTER, "[A-Za-z]"), (_DOT, r"\."), (_SEP, "[.,]"),
    (_APOS, "['’]"), (_TERM, f"[{re.escape(_TERMINALS)}]"), (_CLOSE, f"[{re.escape(_CLOSERS)}]"),
    (_OPEN, f"[{re.escape(_OPENERS)}]"), (_CAP, f"[{_CAPITALS}]"), (_NEWLINE, "\n")))
_CLASSES = np.zeros(0x110000, dtype=np.uint16)  # filled as code points are met (_KNOWN marks a filled entry)
_ASCII_SPACE = np.array([c < 128 and chr(c).isspace() for c in range(256)])  # a byte of UTF-8 that is white space


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of text[start:end] with offsets into `text` (code points, half-open)."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, start, end)]


# ------------------------------------------------------------------------------------------------ characters
def _classes(cps: np.ndarray) -> np.ndarray:
    """The class bits of every code point of `cps`."""
    cls = _CLASSES[cps]
    if not (cls & _KNOWN).all():
        for cp in np.unique(cps[(cls & _KNOWN) == 0]).tolist():
            ch = chr(cp)
            _CLASSES[cp] = _KNOWN | sum(bit for bit, rx in _CLASS_RES if rx.fullmatch(ch))
        cls = _CLASSES[cps]
    return cls


@dataclass
class _Text:
    """The documents of a batch joined by line breaks, as code points and their classes."""

    text: str
    cps: np.ndarray
    cls: np.ndarray
    starts: np.ndarray  # where each document starts in `text`
    ends: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> "_Text":
        text = "\n".join(texts)
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        return cls(text, cps, _classes(cps), starts, starts + lengths)

    def has(self, bit: int) -> np.ndarray:
        return (self.cls & bit) != 0

    def at(self, pos: np.ndarray, bit: int) -> np.ndarray:
        """Whether the characters at `pos` have class `bit` (False past the end)."""
        ok = (pos >= 0) & (pos < len(self.cls))
        return ok & ((self.cls[np.where(ok, pos, 0)] & bit) != 0)


# ------------------------------------------------------------------------------------------------ tokens
def _token_bounds(t: _Text) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of every token (what TOKEN_RE.finditer gives over the joined text)."""
    nonspace = (t.cls & _SPACE) == 0
    word = t.has(_WORD)
    inner = word[1:] & word[:-1]  # no token boundary between two word characters ...
    first, last = nonspace.copy(), nonspace.copy()
    first[1:] &= ~inner
    last[:-1] &= ~inner
    special = _special_chunks(t)  # ... except where the expression's first alternatives may win
    if len(special):
        parts, offsets = [], [0]
        for a, b in special.tolist():
            first[a:b] = False
            last[a:b] = False
            parts.append(t.text[a:b])
            offsets.append(offsets[-1] + b - a + 1)
        spans = np.array([m.span() for m in TOKEN_RE.finditer(" ".join(parts))], dtype=np.int64).reshape(-1, 2)
        shift = special[:, 0] - np.asarray(offsets[:-1])
        k = np.searchsorted(offsets, spans[:, 0], side="right") - 1
        first[spans[:, 0] + shift[k]] = True
        last[spans[:, 1] - 1 + shift[k]] = True
    return np.flatnonzero(first), np.flatnonzero(last) + 1


def _special_chunks(t: _Text) -> np.ndarray:
    """(start, end) of the white-space-delimited chunks holding an apostrophe, a digit-separator-digit or a
    letter-dot-letter-dot: elsewhere a token is a run of word characters or one other character."""
    marks = np.flatnonzero(t.has(_APOS | _SEP))
    dots = marks[t.at(marks, _DOT) & t.at(marks - 1, _LETTER) & t.at(marks + 1, _LETTER) & t.at(marks + 2, _DOT)]
    seps = marks[t.at(marks, _SEP) & t.at(marks - 1, _DIGIT) & t.at(marks + 1, _DIGIT)]
    at = np.unique(np.concatenate([marks[t.at(marks, _APOS)], dots, seps]))
    if not len(at):
        return np.zeros((0, 2), dtype=np.int64)
    spaces = np.concatenate([[-1], np.flatnonzero(t.has(_SPACE)), [len(t.cls)]])
    k = np.unique(np.searchsorted(spaces, at))  # chunk k lies between white space k - 1 and k
    return np.stack([spaces[k - 1] + 1, spaces[k]], axis=1)


# ------------------------------------------------------------------------------------------------ sentences
def _guard(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The protected spans merged into disjoint open intervals (starts, ends), for a search per question."""
    order = np.lexsort((ends, starts))
    s, e = starts[order], ends[order]
    keep = e - s >= 2  # no position lies strictly inside a shorter span
    s, e = s[keep], e[keep]
    if not len(s):
        return s, e
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] >= reach[:-1] - 1  # else it overlaps the interval before in some inner position
    last = np.append(np.flatnonzero(new)[1:] - 1, len(s) - 1)
    return s[new], reach[last]


def _inside(g: tuple[np.ndarray, np.ndarray], pos: np.ndarray) -> np.ndarray:
    """Whether each position lies strictly inside a guarded interval."""
    if not len(g[0]):
        return np.zeros(len(pos), dtype=bool)
    i = np.searchsorted(g[0], pos) - 1
    return (i >= 0) & (pos < g[1][np.maximum(i, 0)])


def _runs(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximal runs of consecutive positions (sorted): their starts and ends."""
    if not len(pos):
        return pos, pos
    brk = np.flatnonzero(np.diff(pos) != 1)
    return pos[np.append(0, brk + 1)], pos[np.append(brk, len(pos) - 1)] + 1


def _sentence_bounds(t: _Text, ts: np.ndarray, te: np.ndarray, guard: tuple[np.ndarray, np.ndarray]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (trimmed, non-empty) of the sentences of every document of `t`."""
    ms, me = _runs(np.flatnonzero(t.has(_NEWLINE)))
    keep = ~_inside(guard, ms)
    stop, resume = _boundaries(t, ts, guard)
    cuts = np.sort(np.concatenate([t.starts, t.ends, ms[keep], me[keep], stop, resume]))
    # each piece between two cuts, trimmed: cuts fall at white space or at the start of a chunk, so the first
    # non-space character at or after a cut starts a token and the last one before a cut ends one
    i = np.searchsorted(ts, cuts[:-1])
    j = np.searchsorted(te, cuts[1:], side="right") - 1
    ok = (i < len(ts)) & (j >= 0)
    s = ts[np.minimum(i, len(ts) - 1)] if len(ts) else i
    e = te[np.maximum(j, 0)] if len(te) else j
    ok &= s < e
    return s[ok], e[ok]


def _boundaries(t: _Text, ts: np.ndarray, guard: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Where the sentence breaks inside lines fall: the white space after `.!?` and closers, as (start, end)."""
    a, r = _runs(np.flatnonzero(t.has(_TERM)))
    cl_start, cl_end = _runs(np.flatnonzero(t.has(_CLOSE)))
    k = np.searchsorted(cl_start, r)
    at_closer = (k < len(cl_start)) & (cl_start[np.minimum(k, len(cl_start) - 1)] == r) if len(cl_start) else k < 0
    c = np.where(at_closer, cl_end[np.minimum(k, max(len(cl_end) - 1, 0))] if len(cl_end) else r, r)
    w_k = np.searchsorted(ts, c)  # the first non-space after white space starts a chunk, hence a token
    w = ts[np.minimum(w_k, len(ts) - 1)] if len(ts) else c
    ok = t.at(c, _SPACE) & (w_k < len(ts))
    ok &= t.at(w, _CAP) | (t.at(w, _OPEN) & t.at(w + 1, _CAP))
    newlines = np.flatnonzero(t.has(_NEWLINE))
    ok &= np.searchsorted(newlines, c) == np.searchsorted(newlines, w)  # a line break is cut at anyway
    ok &= ~(_inside(guard, c) | _inside(guard, w))
    a, c, w = a[ok], c[ok], w[ok]
    full_stop = (r[ok] - a == 1) & t.at(a, _DOT)
    abbreviation = np.zeros(len(a), dtype=bool)
    abbreviation[full_stop] = _after_abbreviation(t, a[full_stop])
    return c[~abbreviation], w[~abbreviation]


def _after_abbreviation(t: _Text, stops: np.ndarray) -> list[bool]:
    """Whether each full stop follows an abbreviation: the word before it (letters, digits and inner dots, up to
    the stop or to a line break just before it) is a known abbreviation, a single letter or a dotted acronym."""
    word_end = np.where(t.at(stops - 1, _WORD), stops, stops - 1)
    in_doc = stops - 1 > t.starts[np.searchsorted(t.starts, stops, side="right") - 1]
    has_word = t.at(word_end - 1, _WORD) & ((word_end == stops) | (in_doc & t.at(stops - 1, _NEWLINE)))
    breaks = np.flatnonzero((t.cls & (_WORD | _DOT)) == 0)
    k = np.searchsorted(breaks, word_end) - 1
    word_start = np.where(k >= 0, breaks[np.maximum(k, 0)] + 1, 0) if len(breaks) else np.zeros_like(stops)
    # only a word of at most 6 characters (the longest abbreviation) or a dotted one can be an abbreviation
    has_word &= (word_end - word_start <= 6) | t.at(word_end - 2, _DOT)
    text = t.text
    return [ok and _is_abbreviation(text[s:e]) for ok, s, e in zip(has_word.tolist(), word_start.tolist(),
                                                                   word_end.tolist())]


def _is_abbreviation(word: str) -> bool:
    if _ACRONYM_RE.fullmatch(word):  # U.S., e.g
        return True
    return (len(word) == 1 and word.isalpha()) or word.lower() in ABBREVIATIONS


def sentences(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans of `text` (trimmed, non-empty), never breaking inside a `protected` span."""
    t = _Text.of([text])
    spans = np.array(list(protected), dtype=np.int64).reshape(-1, 2)
    ts, te = _token_bounds(t)
    s, e = _sentence_bounds(t, ts, te, _guard(spans[:, 0], spans[:, 1]))
    return list(zip(s.tolist(), e.tolist()))


# ------------------------------------------------------------------------------------------------ rows
@dataclass
class NerResult:
    rows: list[dict[str, Any]]
    unrepresented: list[dict[str, Any]]
    tokens: int


@dataclass
class NerBatch:
    """The `ner` rows of a batch of documents, column by column: row r is sentence `sentence_index[r]` of
    document `doc_ids[row_doc[r]]` and holds tokens row_tokens[r]:row_tokens[r + 1]; token k is
    bytes byte_offsets[k]:byte_offsets[k + 1] of `token_utf8` (characters char_offsets[k]:char_offsets[k + 1]
    of it decoded), tagged `tags[k]`."""

    doc_ids: list[str]
    row_doc: np.ndarray
    sentence_index: np.ndarray
    row_tokens: np.ndarray
    token_utf8: bytes
    char_offsets: np.ndarray
    byte_offsets: np.ndarray
    tags: np.ndarray
    tokens: list[int]  # per document
    sentences: list[int]  # rows per document
    unrepresented: list[list[dict[str, Any]]] = field(default_factory=list)  # per document

    def table(self) -> pa.Table:
        """The rows as an Arrow table of columns.NER, built from the buffers (no Python object per token)."""
        doc_ids = [self.doc_ids[d] for d in self.row_doc.tolist()]
        ids = [f"{d}-{i:04d}" for d, i in zip(doc_ids, self.sentence_index.tolist())]
        tokens = _array(pa.string(), len(self.tags), _int32(self.byte_offsets), self.token_utf8)
        return pa.Table.from_arrays([
            pa.array(ids, pa.string()), pa.array(doc_ids, pa.string()),
            _array(pa.int32(), len(ids), self.sentence_index),
            pa.ListArray.from_arrays(_array(pa.int32(), len(ids) + 1, _int32(self.row_tokens)), tokens,
                                     type=NER.field("tokens").type),
            pa.ListArray.from_arrays(_array(pa.int32(), len(ids) + 1, _int32(self.row_tokens)),
                                     _array(pa.int64(), len(self.tags), self.tags), type=NER.field("ner_tags").type),
        ], schema=NER)

    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts (columns.NER's fields)."""
        text, co, rt = self.token_utf8.decode(), self.char_offsets.tolist(), self.row_tokens.tolist()
        tags = self.tags.tolist()
        return [{"id": f"{self.doc_ids[d]}-{i:04d}", "doc_id": self.doc_ids[d], "sentence_index": i,
                 "tokens": [text[co[k]:co[k + 1]] for k in range(lo, hi)], "ner_tags": tags[lo:hi]}
                for d, i, lo, hi in zip(self.row_doc.tolist(), self.sentence_index.tolist(), rt, rt[1:])]


def _int32(offsets: np.ndarray) -> np.ndarray:
    if len(offsets) and offsets[-1] > np.iinfo(np.int32).max:
        raise OverflowError("more than 2 GiB of token text in one batch")
    return offsets.astype(np.int32)


def _array(dtype: pa.DataType, length: int, *buffers: np.ndarray | bytes) -> pa.Array:
    """An Arrow array without nulls from its buffers (offsets and data, or values)."""
    return pa.Array.from_buffers(dtype, length, [None, *map(pa.py_buffer, buffers)])


def ner_rows(doc_id: str, text: str, entities: Sequence[Mapping[str, Any]]) -> NerResult:
    """The `ner` rows of one document (its clean body and the entities projected onto it)."""
    b = ner_batch([(doc_id, text, entities)])
    return NerResult(b.rows(), b.unrepresented[0], b.tokens[0])


def ner_batch(docs: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]]) -> NerBatch:
    """The `ner` rows of documents (id, clean body, entities projected onto it), in the order given."""
    t = _Text.of([text for _, text, _ in docs])
    ents = _Entities.of(t, [e for _, _, e in docs])
    ts, te = _token_bounds(t)
    s, _ = _sentence_bounds(t, ts, te, _guard(ents.start, ents.end))
    # token k belongs to sentence i when bounds[i] <= k < bounds[i + 1]
    bounds = np.append(np.searchsorted(ts, s), len(ts))
    tags, problems = _tags(docs, t, ents, ts, te, bounds)
    sent_doc = np.searchsorted(t.starts, s, side="right") - 1
    sent_first = np.searchsorted(sent_doc, np.arange(len(docs)))
    rows = np.flatnonzero(bounds[1:] > bounds[:-1])
    row_doc = sent_doc[rows]
    token_doc = np.searchsorted(t.starts, ts, side="right") - 1
    utf8, char_offsets, byte_offsets = _token_utf8(t, ts, te)
    return NerBatch([d for d, _, _ in docs], row_doc, (rows - sent_first[row_doc]).astype(np.int32),
                    np.append(bounds[rows], len(ts)), utf8, char_offsets, byte_offsets, tags,
                    np.bincount(token_doc, minlength=len(docs)).tolist(),
                    np.bincount(row_doc, minlength=len(docs)).tolist(), problems)


def _token_utf8(t: _Text, ts: np.ndarray, te: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The UTF-8 of every token, concatenated (the text without its white space), and the tokens' offsets in it
    in characters and in bytes."""
    char_offsets = np.zeros(len(ts) + 1, dtype=np.int64)
    np.cumsum(te - ts, out=char_offsets[1:])
    raw = np.frombuffer(t.text.encode("utf-8"), dtype=np.uint8)
    low = raw <= 32  # white space in ASCII is a byte <= 32: one comparison unless a control character is there
    keep = ~low if _ASCII_SPACE[raw[low]].all() else ~_ASCII_SPACE[raw]
    wide = np.flatnonzero(t.cps > 0x7F)
    if not len(wide):
        return raw[keep].tobytes(), char_offsets, char_offsets
    cp = t.cps[wide]
    extra = 1 + (cp > 0x7FF) + (cp > 0xFFFF)  # bytes beyond the first of each wide character
    first_byte = wide + np.cumsum(extra) - extra
    space = (t.cls[wide] & _SPACE) != 0
    if space.any():  # white space beyond ASCII (no-break and thin spaces ...): drop all its bytes
        n = extra[space] + 1
        keep[np.repeat(first_byte[space] - np.cumsum(n) + n, n) + np.arange(n.sum())] = False
    wide, extra = wide[~space], extra[~space]
    before = np.zeros(len(wide) + 1, dtype=np.int64)
    np.cumsum(extra, out=before[1:])
    return raw[keep].tobytes(), char_offsets, char_offsets + before[np.searchsorted(wide, np.append(ts, te[-1:]))]


# ------------------------------------------------------------------------------------------------ tags
@dataclass
class _Entities:
    """The entities of a batch, document after document, with offsets into the joined text."""

    items: list[Mapping[str, Any]]
    doc: np.ndarray
    first: np.ndarray  # document d's entities are items[first[d]:first[d + 1]]
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, t: _Text, per_doc: Sequence[Sequence[Mapping[str, Any]]]) -> "_Entities":
        items = [e for ents in per_doc for e in ents]
        counts = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
        doc = np.repeat(np.arange(len(per_doc)), counts)
        offset = t.starts[doc]
        start = np.fromiter(map(itemgetter("start"), items), dtype=np.int64, count=len(items)) + offset
        end = np.fromiter(map(itemgetter("end"), items), dtype=np.int64, count=len(items)) + offset
        return cls(items, doc, np.append(0, np.cumsum(counts)), start, end)


def _tags(docs: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]], t: _Text, ents: _Entities, ts: np.ndarray,
          te: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """The tag of every token and the spans left out, per document. A document whose spans all align with
    tokens inside one sentence and overlap none of each other is tagged with array operations; any other goes
    through `_doc_tags` (the rules one span at a time)."""
    tags = np.zeros(len(ts), dtype=np.int64)
    n = len(ts)
    a = np.searchsorted(ts, ents.start)
    b = np.searchsorted(te, ents.end)
    labels = list(map(itemgetter("label"), ents.items))
    b_id = {label: _B_ID.get(label, -1) for label in set(labels)}  # -1: unknown, left to `_doc_tags` to refuse
    label = np.fromiter(map(b_id.__getitem__, labels), dtype=np.int64, count=len(labels))
    good = (a < n) & (b < n) & (label >= 0) & (ents.start < ents.end)
    good &= (ents.start >= t.starts[ents.doc]) & (ents.end <= t.ends[ents.doc])
    if n:
        good &= (ts[np.minimum(a, n - 1)] == ents.start) & (te[np.minimum(b, n - 1)] == ents.end)
    good &= np.searchsorted(bounds, a, side="right") == np.searchsorted(bounds, b, side="right")
    order = np.argsort(ents.start, kind="stable")
    s, e = ents.start[order], ents.end[order]
    overlap = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        overlap[1:] = np.maximum.accumulate(e)[:-1] > s[1:]
        overlap[:-1] |= s[1:] < e[:-1]
    good[order[overlap]] = False
    bad_docs = np.unique(ents.doc[~good])
    fast = ~np.isin(ents.doc, bad_docs)
    a, b, label = a[fast], b[fast], label[fast]
    tags[a] = label
    inner = b - a
    tags[np.repeat(a + 1 - (np.cumsum(inner) - inner), inner) + np.arange(inner.sum())] = np.repeat(label + 1, inner)
    problems: list[list[dict[str, Any]]] = [[] for _ in docs]
    for d in bad_docs.tolist():
        lo, hi = np.searchsorted(ts, [t.starts[d], t.ends[d]])
        first = np.searchsorted(bounds, lo)
        last = np.searchsorted(bounds, hi)
        doc_tags, problems[d] = _doc_tags(docs[d][0], docs[d][2], (ts[lo:hi] - t.starts[d]).tolist(),
                                          (te[lo:hi] - t.starts[d]).tolist(), (bounds[first:last] - lo).tolist()
                                          + [int(hi - lo)])
        tags[lo:hi] = doc_tags
    return tags, problems


def _doc_tags(doc_id: str, entities: Sequence[Mapping[str, Any]], t_start: list[int], t_end: list[int],
              bounds: list[int]) -> tuple[list[int], list[dict[str, Any]]]:
    """The tags of one document's tokens, span by span, and the spans left out (with the reason)."""
    problems: list[dict[str, Any]] = []

    def report(e: Mapping[str, Any], reason: str, detail: str) -> None:
        problems.append({"doc_id": doc_id, "start": e["start"], "end": e["end"], "label": e["label"],
                         "text": e["text"], "reason": reason, "detail": detail})

    aligned = []
    for e in sorted(entities, key=lambda e: (e["start"], -e["end"], e["label"], e["text"])):
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
    problems.sort(key=lambda p: (p["start"], p["end"], p["label"], p["reason"]))
    return tags, problems
