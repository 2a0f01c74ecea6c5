"""The annotation file (annotations/<id>.json): its layers, and how automatic layers are refreshed.

Every layer points into the normalised full text corpus/<id>.txt with half-open code-point offsets; the file
is pinned to that text by `text_sha256`. Automatic layers (origin "auto") are rewritten by ingest; manual
ones (origin "manual") are never touched by tools.
"""
from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..errors import CeasefireError, Problem
from ..text.body import has_body
from ..text.normalize import NORMALISER_VERSION

if TYPE_CHECKING:  # only a type here: importing the detector (its rules and model) cost validate and build 0.1 s
    from ..text.boilerplate import Detection

SCHEMA_VERSION = "1.0"
OFFSET_UNIT = "codepoint"
LAYERS = ("entities", "quotes", "sources", "captions", "boilerplate", "paragraphs")
AUTO_LAYERS = ("boilerplate", "captions", "paragraphs")
ID_PREFIX = {"entities": "e", "quotes": "q", "sources": "s", "captions": "c", "boilerplate": "b", "paragraphs": "p"}
ENTITY_LABELS = {
    "PERSON": "People, including fictional.",
    "NORP": "Nationalities, religious or political groups (Palestinians, Israeli, Turkish).",
    "ORG": "Organisations: companies, agencies, armed groups, institutions (Hamas, IDF, MIT).",
    "GPE": "Countries, cities, states: places with a government (Israel, Gaza, Doha).",
    "LOC": "Non-GPE locations: regions, bodies of water (West Bank as a region, Gaza Strip).",
    "FAC": "Facilities: buildings, crossings, airports, bridges (Rafah Crossing, a mosque).",
    "EVENT": "Named events (October 7 as an event, a named summit or operation).",
    "DATE": "Absolute or relative dates and periods (Friday, December 19, 2025).",
    "TIME": "Times of day.",
    "MONEY": "Monetary values.",
    "QUANTITY": "Measurements and counts with units.",
    "PERCENT": "Percentages.",
    "CARDINAL": "Numerals not covered by another label.",
    "ORDINAL": "first, second.",
    "LAW": "Named documents made into laws, plans and agreements (the peace plan when named).",
    "WORK_OF_ART": "Titles of books, songs, publications.",
    "PRODUCT": "Objects, vehicles, weapons by name.",
    "LANGUAGE": "Named languages.",
}
QUOTE_KINDS = ("direct", "partial", "scare")


def empty_annotation(doc_id: str, text_sha256: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "schema_version": SCHEMA_VERSION, "text_sha256": text_sha256,
            "normaliser_version": NORMALISER_VERSION, "offset_unit": OFFSET_UNIT,
            "layers": {name: [] for name in LAYERS}}


def auto_layers(detection: Detection) -> dict[str, list[dict[str, Any]]]:
    """The automatic layers of a detection result, as annotation-file items (origin "auto")."""
    boilerplate = [{"id": f"b{i}", "start": r.start, "end": r.end, "text": r.text, "kind": r.kind,
                    "rule": r.rule, "origin": "auto"} for i, r in enumerate(detection.boilerplate, 1)]
    captions = [{"id": f"c{i}", "start": c.start, "end": c.end, "text": c.text, "credit": c.credit,
                 "agency": c.agency, "photographer": c.photographer,
                 "credits": [{"credit": x.credit, "agency": x.agency, "photographer": x.photographer}
                             for x in c.credits], "origin": "auto"}
                for i, c in enumerate(detection.captions, 1)]
    paragraphs = [{"id": f"p{i}", "start": b.start, "end": b.end, "text": b.text, "origin": "auto"}
                  for i, b in enumerate(detection.blocks, 1)]
    return {"boilerplate": boilerplate, "captions": captions, "paragraphs": paragraphs}


def refresh_auto_layers(doc: dict[str, Any], detection: Detection) -> dict[str, Any]:
    """Replace the automatic items of `doc` with a new detection; manual items stay exactly as they were.
    Automatic ids are renumbered after the highest manual id of the layer so that they never collide."""
    fresh = auto_layers(detection)
    layers = doc.setdefault("layers", {})
    for name in LAYERS:
        layers.setdefault(name, [])
    for name in AUTO_LAYERS:
        manual = [x for x in layers[name] if x.get("origin") != "auto"]
        taken = {x.get("id") for x in manual}
        prefix = ID_PREFIX[name]
        n = 0
        items = []
        for item in fresh[name]:
            n += 1
            while f"{prefix}{n}" in taken:
                n += 1
            items.append({**item, "id": f"{prefix}{n}"})
        layers[name] = sorted(manual + items, key=lambda x: (x["start"], x["end"], x["id"]))
    return doc


def repin(doc: dict[str, Any], text_sha256: str, detection: Detection) -> dict[str, Any]:
    """Pin `doc` to a (new) corpus text of this normaliser and re-make its automatic layers from `detection`."""
    doc.update(text_sha256=text_sha256, normaliser_version=NORMALISER_VERSION)
    return refresh_auto_layers(doc, detection)


def has_clean_body(layers: dict[str, list[dict[str, Any]]], text: str) -> bool:
    """The empty-body rule, one place for ingest, reanchor, validate and build: True when the clean body of `text`
    (the paragraphs minus the boilerplate and caption spans of `layers`) holds some text."""
    return has_body(text, map(_SPAN, layers.get("paragraphs") or ()), _removed(layers))


def empty_body_problem(text: str, file: str, hint: str | None = None) -> Problem:
    """`[empty-body]` for a page whose normalised `text` left no article text, as `clean`, `ingest` and `reanchor`
    word it (`validate` words its own, with where in the annotation file the spans are)."""
    return Problem("empty-body", f"no article text found: all {len(text):,} characters of the normalised text were "
                   "classified as boilerplate or captions", file, hint=hint)


def refuse_empty_body(doc: dict[str, Any], text: str, file: str) -> None:
    """Raise `[empty-body]` when the clean body of `doc` over `text` is empty, as `clean` refuses such a page: the
    writers (ingest, reanchor) call it before writing anything; `file` is the input the text came from."""
    if not has_clean_body(doc["layers"], text):
        raise CeasefireError(empty_body_problem(text, file, "a page with no article text is no document; nothing "
                                                "was written"))


def removed_spans(doc: dict[str, Any]) -> list[tuple[int, int]]:
    """The spans the body view removes: every boilerplate and caption item, in file order (body_view sorts)."""
    return _removed(doc["layers"])


def paragraph_spans(doc: dict[str, Any]) -> list[tuple[int, int]]:
    """The paragraph spans, in file order (body_view sorts)."""
    return list(map(_SPAN, doc["layers"].get("paragraphs") or ()))


def _removed(layers: dict[str, list[dict[str, Any]]]) -> list[tuple[int, int]]:
    get = layers.get
    return [*map(_SPAN, get("boilerplate") or ()), *map(_SPAN, get("captions") or ())]


_SPAN = itemgetter("start", "end")
