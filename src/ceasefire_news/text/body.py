"""The body view (map 2): the clean body derived from the normalised text by removing spans, with offsets projected.

The clean body is never stored as the anchor. It is a view: the paragraphs of the normalised text minus the
removed spans (boilerplate and captions), each kept piece trimmed and the pieces joined by one blank line.
A span inside a kept piece projects onto body offsets; a span inside a removed one belongs to that item;
a span that crosses a boundary cannot be projected and is reported.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator, Sequence

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Segment:
    """A kept piece: normalised [start, end) sits at body offset `body_start`."""

    start: int
    end: int
    body_start: int


@dataclass(frozen=True)
class BodyView:
    body: str
    segments: tuple[Segment, ...]

    @cached_property
    def _piece_starts(self) -> list[int]:
        """The normalised start of every kept piece, in order (what `project` searches)."""
        return [s.start for s in self.segments]

    @cached_property
    def _body_starts(self) -> list[int]:
        return [s.body_start for s in self.segments]

    def project(self, start: int, end: int) -> tuple[int, int] | None:
        """Body offsets of the normalised span [start, end), or None when it is not inside one kept piece."""
        i = bisect_right(self._piece_starts, start) - 1
        if i < 0:
            return None
        seg = self.segments[i]
        if start >= seg.start and end <= seg.end and start < end:
            return seg.body_start + start - seg.start, seg.body_start + end - seg.start
        return None

    def unproject(self, start: int, end: int) -> tuple[int, int]:
        """Normalised offsets of a body span that lies inside one kept piece."""
        i = bisect_right(self._body_starts, start) - 1
        seg = self.segments[i]
        if end > seg.body_start + (seg.end - seg.start):
            raise ValueError(f"body span [{start}, {end}) crosses a paragraph boundary")
        return seg.start + start - seg.body_start, seg.start + end - seg.body_start


def _pieces(text: str, paragraphs: Iterable[tuple[int, int]], removed: Iterable[tuple[int, int]]
            ) -> Iterator[tuple[int, int]]:
    """The pieces of `text` the body keeps, in order and not yet trimmed: `paragraphs` minus `removed` spans."""
    cuts: Sequence[tuple[int, int]] = sorted(removed)
    first = 0  # cuts before this index end before the current paragraph: one sweep, linear in both lists
    for ps, pe in sorted(paragraphs):
        while first < len(cuts) and cuts[first][1] <= ps:
            first += 1
        cur = ps
        k = first
        while k < len(cuts) and cuts[k][0] < pe:
            rs, re_ = cuts[k]
            if re_ > cur:
                if rs > cur:
                    yield cur, rs
                cur = re_
            k += 1
        if cur < pe:
            yield cur, pe


def has_body(text: str, paragraphs: Iterable[tuple[int, int]], removed: Iterable[tuple[int, int]]) -> bool:
    """True when the clean body of `text` is not empty (body_view(...).body != ""); stops at the first piece that
    holds more than blank space."""
    return any(s < e and not text[s:e].isspace() for s, e in _pieces(text, paragraphs, removed))


def body_view(text: str, paragraphs: Iterable[tuple[int, int]], removed: Iterable[tuple[int, int]]) -> BodyView:
    """Build the clean body of `text`: `paragraphs` minus `removed` spans (both normalised offsets)."""
    segments = []
    out = []
    pos = 0
    for s, e in _pieces(text, paragraphs, removed):
        piece = text[s:e]
        kept = piece.strip()  # str.strip removes exactly the characters str.isspace accepts
        if not kept:
            continue
        s += len(piece) - len(piece.lstrip())
        if out:
            out.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        segments.append(Segment(s, s + len(kept), pos))
        out.append(kept)
        pos += len(kept)
    return BodyView("".join(out), tuple(segments))
