"""Release rows of one document: the `default` row (clean body, spans projected) and the `full` row.

Pure: (metadata, corpus text, annotation file) in, plain dicts matching columns.py out.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..annotations.files import paragraph_spans, removed_spans
from ..errors import CeasefireError, Problem
from ..text.body import BodyView, body_view


@dataclass(frozen=True)
class SourceDoc:
    """One validated document as build reads it."""

    doc_id: str
    meta: dict[str, Any]
    text: str
    ann: dict[str, Any]


def view_of(doc: SourceDoc) -> BodyView:
    return body_view(doc.text, paragraph_spans(doc.ann), removed_spans(doc.ann))


def _meta_cols(doc: SourceDoc, text: str) -> dict[str, Any]:
    m = doc.meta
    return {"id": doc.doc_id, "text": text, "title": m.get("title"), "source": m["source"], "url": m.get("url"),
            "published": m.get("published"), "published_basis": m["published_basis"], "language": m["language"]}


def _span(x: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"start": x["start"], "end": x["end"], **extra}


def default_row(doc: SourceDoc, view: BodyView | None = None) -> dict[str, Any]:
    """The clean body, with entities, quotes and sources projected onto it; captions keep their own entities."""
    view = view or view_of(doc)
    layers = doc.ann["layers"]
    ents = layers.get("entities", [])
    entities = [_entity(x, s, e) for x, s, e in _projected(doc, view, ents, "entities")]
    quotes = [_quote(x, s, e, _projected_cue(view, x))
              for x, s, e in _projected(doc, view, layers.get("quotes", []), "quotes")]
    sources = [_source(x, s, e, _projected_cue(view, x))
               for x, s, e in _projected(doc, view, layers.get("sources", []), "sources")]
    caps = []
    for c in sorted(layers.get("captions", []), key=_START):
        cs, ce = c["start"], c["end"]
        inside = [_entity(e, e["start"] - cs, e["end"] - cs) for e in ents if cs <= e["start"] and e["end"] <= ce]
        caps.append({"text": c["text"], "credit": c["credit"], "agency": c.get("agency"),
                     "photographer": c.get("photographer"), "entities": sorted(inside, key=_LABELLED)})
    return {**_meta_cols(doc, view.body), "entities": sorted(entities, key=_LABELLED),
            "quotes": sorted(quotes, key=_TEXTED), "sources": sorted(sources, key=_TEXTED), "captions": caps,
            "text_sha256": doc.ann["text_sha256"]}


def _projected(doc: SourceDoc, view: BodyView, items: list[dict[str, Any]], layer: str
               ) -> list[tuple[dict[str, Any], int, int]]:
    """(item, body start, body end) of each item of `layer` that lies in one kept piece of the body, in order.
    An item in none must lie inside one removed span (it belongs to that boilerplate item or caption), else it
    crosses a body boundary: unprojectable-span, for the first such item."""
    project = view.project
    out = []
    removed = None  # made for the first item outside the kept pieces
    for x in items:
        s, e = x["start"], x["end"]
        p = project(s, e)
        if p is not None:
            out.append((x, *p))
            continue
        removed = removed_spans(doc.ann) if removed is None else removed
        if not any(r[0] <= s and e <= r[1] for r in removed):
            raise CeasefireError(Problem("unprojectable-span", f"{layer} span [{s}, {e}) {x['text']!r} crosses a "
                                         "body boundary", f"annotations/{doc.doc_id}.json"))
    return out


def _projected_cue(view: BodyView, x: dict[str, Any]) -> dict[str, Any] | None:
    c = x.get("cue")
    p = view.project(c["start"], c["end"]) if c else None
    return {"start": p[0], "end": p[1], "text": c["text"]} if p else None


def full_row(doc: SourceDoc) -> dict[str, Any]:
    """The normalised full text with every layer in its own offsets: `full_row_items`, each item copied with only
    the release's fields."""
    row = full_row_items(doc)
    return {
        **row,
        "entities": [_entity(e, e["start"], e["end"]) for e in row["entities"]],
        "quotes": [_quote(q, q["start"], q["end"], _cue(q)) for q in row["quotes"]],
        "sources": [_source(s, s["start"], s["end"], _cue(s)) for s in row["sources"]],
        "captions": [_span(c, text=c["text"], credit=c["credit"], agency=c.get("agency"),
                           photographer=c.get("photographer")) for c in row["captions"]],
        "boilerplate": [_span(b, kind=b["kind"], text=b["text"], rule=b.get("rule")) for b in row["boilerplate"]],
        "paragraphs": [_span(p) for p in row["paragraphs"]],
    }


def full_row_items(doc: SourceDoc) -> dict[str, Any]:
    """`full_row` for Arrow only: every layer's annotation items themselves, in the row's order, not copied into
    new dicts. Arrow's struct conversion reads just the schema's fields by name (a missing optional key, such as a
    quote's `speaker_id` or a boilerplate span's `rule`, is null), so `pa.array` makes the same `full` column of
    these as of `full_row` (tested) for about a fifth of the CPU; the items keep keys the release does not have
    (`origin`, ids of nested items), so anything but Arrow takes `full_row`."""
    L = doc.ann["layers"]
    return {**_meta_cols(doc, doc.text), **{layer: sorted(L.get(layer, []), key=key) for layer, key in _FULL_ORDER},
            "text_sha256": doc.ann["text_sha256"]}


def _entity(e: dict[str, Any], start: int, end: int) -> dict[str, Any]:
    return {"id": e["id"], "start": start, "end": end, "label": e["label"], "text": e["text"]}


def _quote(q: dict[str, Any], start: int, end: int, cue: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": q["id"], "start": start, "end": end, "text": q["text"], "speaker": q["speaker"], "kind": q["kind"],
            "speaker_id": q.get("speaker_id"), "cue": cue}


def _source(s: dict[str, Any], start: int, end: int, cue: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": s["id"], "start": start, "end": end, "text": s["text"], "anonymity": s.get("anonymity"), "cue": cue}


def _cue(x: dict[str, Any]) -> dict[str, Any] | None:
    c = x.get("cue")
    return {"start": c["start"], "end": c["end"], "text": c["text"]} if c else None


# Every list of spans in a row is sorted by (start, end, label, text), a missing label or text counting as "";
# as C-level keys, one per kind of item (entities have both, quotes, sources, captions and boilerplate a text).
_LABELLED = itemgetter("start", "end", "label", "text")
_TEXTED = itemgetter("start", "end", "text")
_SPAN = itemgetter("start", "end")
_START = itemgetter("start")
_FULL_ORDER = (("entities", _LABELLED), ("quotes", _TEXTED), ("sources", _TEXTED), ("captions", _TEXTED),
               ("boilerplate", _TEXTED), ("paragraphs", _SPAN))
