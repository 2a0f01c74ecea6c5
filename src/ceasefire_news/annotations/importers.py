"""Import annotations made in annotation tools (brat, doccano, Label Studio) as manual layers.

Three steps, each pure: parse the tool's export into `ToolDoc` (spans with the tool's offsets, labels,
attributes, relations); convert its offsets to code points of the text the tool showed (brat counts code
points, browsers and Java count UTF-16 code units: see docs/annotation-tools.md) and check them against the
tool's own covered text; place them on our corpus text (the same text, a text that our normaliser turns into it
via its OffsetMap, or any other version by text alignment with the re-anchoring rules). Labels go through a
label map. Everything that cannot be placed or mapped is a Problem; nothing is guessed.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import yaml

from .files import ENTITY_LABELS, ID_PREFIX, QUOTE_KINDS
from ..errors import CeasefireError, Problem
from ..fsutil import check_doc_id, decode_utf8, parse_json, read_json, read_utf8, write_json
from ..schemas import describe, schema_problems, show
from ..text.normalize import normalize
from .reanchor import Aligner, place

FORMATS = ("brat", "doccano", "label-studio")
UNITS = ("auto", "codepoint", "utf16")
ANONYMITY = ("unnamed", "anonymous", "official-unnamed")


# ---------------------------------------------------------------------------------------------- records
@dataclass
class ToolSpan:
    ref: str  # the tool's id: brat T3, a Label Studio region id, a doccano entity id
    label: str
    fragments: list[tuple[int, int]]  # in the tool's offset unit
    text: str | None = None  # the tool's own covered text, when the export has it
    attrs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    where: str = ""


@dataclass
class ToolRelation:
    ref: str
    type: str
    arg1: str
    arg2: str
    where: str = ""


@dataclass
class ToolDoc:
    """One document as a tool exported it."""

    tool: str
    text: str | None  # the text the annotator saw (None: assume the corpus text)
    spans: list[ToolSpan] = field(default_factory=list)
    relations: list[ToolRelation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    default_unit: str = "codepoint"  # what the tool counts when the export cannot tell
    unit_note: str = ""


@dataclass
class Imported:
    """The items made from one tool document, ready to merge, and what could not be imported."""

    items: dict[str, list[dict[str, Any]]]
    problems: list[Problem]
    unit: str
    placement: str


def _norm_key(label: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_")


def _p(code: str, message: str, where: str, level: str = "error", hint: str | None = None) -> Problem:
    file, _, line = where.partition(":")
    return Problem(code, message, file=file, line=int(line) if line.isdigit() else None, level=level, hint=hint)


def _check_shape(schema: str, value: Any, file: str, source: str, base: str = "", line: int | None = None) -> None:
    """An [import-syntax] error for each place where `value` (parsed from `source`, at JSON pointer `base` of the
    file; one line of it when `line` is given) has not the shape the importer reads: what was expected, what was
    found. A wrong shape is the export's problem; any other exception while importing is a bug of ours."""
    wrong = schema_problems(schema, value, file, source, "import-syntax", "not a shape this importer reads: ", base)
    if wrong:
        raise CeasefireError(wrong if line is None else [replace(p, line=line) for p in wrong])


# ---------------------------------------------------------------------------------------------- label maps
DEFAULT_LABELS: dict[str, str] = {
    **{k: k for k in ENTITY_LABELS},
    "PER": "PERSON", "PERS": "PERSON", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "LOCATION": "LOC",
    "FACILITY": "FAC", "NATIONALITY": "NORP",
    "QUOTE": "quote", "QUOTATION": "quote", "DIRECT_QUOTE": "quote:direct", "QUOTE_DIRECT": "quote:direct",
    "PARTIAL_QUOTE": "quote:partial", "QUOTE_PARTIAL": "quote:partial", "SCARE_QUOTE": "quote:scare",
    "QUOTE_SCARE": "quote:scare", "SOURCE": "source", "UNNAMED_SOURCE": "source", "ANONYMOUS_SOURCE": "source",
    "CUE": "cue", "REPORTING_VERB": "cue",
}
DEFAULT_RELATIONS: dict[str, str] = {
    "SPEAKER": "speaker", "SAID_BY": "speaker", "SPOKEN_BY": "speaker", "ATTRIBUTED_TO": "speaker",
    "QUOTED": "speaker", "CUE": "cue", "HAS_CUE": "cue", "REPORTING_VERB": "cue",
}


@dataclass(frozen=True)
class LabelMap:
    labels: dict[str, str]
    relations: dict[str, str]

    def target(self, label: str) -> str | None:
        return self.labels.get(label, self.labels.get(_norm_key(label)))

    def relation(self, rtype: str) -> str | None:
        return self.relations.get(rtype, self.relations.get(_norm_key(rtype)))


def _valid_target(t: Any) -> bool:
    if not isinstance(t, str):
        return False
    if t in ENTITY_LABELS or t in ("quote", "source", "cue", "ignore"):
        return True
    return t.startswith("quote:") and t[6:] in QUOTE_KINDS


def load_label_map(path: str | Path | None) -> LabelMap:
    """The default map, overridden by a YAML/JSON file: either {tool label: target} or {"labels": {...},
    "relations": {...}}. Targets: an entity label, quote, quote:direct|partial|scare, source, cue, ignore;
    relation targets: speaker, cue, ignore."""
    labels, relations = dict(DEFAULT_LABELS), dict(DEFAULT_RELATIONS)
    if path is None:
        return LabelMap(labels, relations)
    text = read_utf8(path, "label map")  # its own name in every error, never the export's
    try:
        raw = yaml.safe_load(text)
    except RecursionError:
        raise CeasefireError(Problem("bad-label-map", "not YAML or JSON: nested too deeply", file=str(path))) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CeasefireError(Problem("bad-label-map", f"not YAML or JSON: {getattr(exc, 'problem', exc)}",
                                     file=str(path), line=mark.line + 1 if mark else None,
                                     column=mark.column + 1 if mark else None)) from None
    if not isinstance(raw, dict):
        raise CeasefireError(Problem("bad-label-map", "a label map is a mapping of tool labels to targets",
                                     file=str(path)))
    lab = raw.get("labels", {} if "relations" in raw else raw)
    rel = raw.get("relations", {})
    for key, value in (("labels", lab), ("relations", rel)):
        if not isinstance(value or {}, dict):
            raise CeasefireError(Problem("bad-label-map", f"{key}: expected a mapping of tool {key} to targets, found "
                                         f"{show(value)}", file=str(path), pointer=f"/{key}" if key in raw else None))
    problems = []
    for k, v in (lab or {}).items():
        if not _valid_target(v):
            problems.append(Problem("bad-label-map", f"label {k!r} maps to {v!r}, which is not an entity label, "
                                    "quote[:kind], source, cue or ignore", file=str(path), pointer=f"/labels/{k}"))
        else:
            labels[str(k)] = v
    for k, v in (rel or {}).items():
        if v not in ("speaker", "cue", "ignore"):
            problems.append(Problem("bad-label-map", f"relation {k!r} maps to {v!r}; use speaker, cue or ignore",
                                    file=str(path), pointer=f"/relations/{k}"))
        else:
            relations[str(k)] = v
    if problems:
        raise CeasefireError(problems)
    return LabelMap(labels, relations)


# ---------------------------------------------------------------------------------------------- brat
_BRAT_SPAN = re.compile(r"^(\S+)\s+(\d+\s+\d+(?:;\d+\s+\d+)*)$")


def parse_brat(ann: str, text: str | None, file: str) -> ToolDoc:
    """brat standoff: T (text-bound, fragments `0 5;6 10`), A/M (attributes), N (normalisations),
    R (relations), # (AnnotatorNotes). E (events) and * (equivalences) are reported as not imported."""
    doc = ToolDoc("brat", text, default_unit="codepoint")
    spans: dict[str, ToolSpan] = {}
    for n, line in enumerate(ann.splitlines(), 1):
        where = f"{file}:{n}"
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        kind = ident[:1]
        if kind == "T":
            head, _, covered = rest.partition("\t")
            m = _BRAT_SPAN.match(head.strip())
            if not m:
                doc.problems.append(_p("import-syntax", f"cannot read text-bound annotation {ident}: {head!r}", where))
                continue
            frags = [tuple(int(x) for x in f.split()) for f in m.group(2).split(";")]
            spans[ident] = ToolSpan(ident, m.group(1), frags, covered, where=where)  # type: ignore[arg-type]
            doc.spans.append(spans[ident])
        elif kind in "AM":
            parts = rest.split()
            if len(parts) < 2 or parts[1] not in spans:
                doc.problems.append(_p("import-syntax", f"attribute {ident} points to no text-bound annotation", where))
                continue
            spans[parts[1]].attrs[parts[0]] = parts[2] if len(parts) > 2 else True
        elif kind == "N":
            head, _, name = rest.partition("\t")
            parts = head.split()
            if len(parts) >= 3 and parts[1] in spans:
                spans[parts[1]].notes.append(f"{parts[2]}" + (f" ({name})" if name else ""))
        elif kind == "#":
            head, _, note = rest.partition("\t")
            parts = head.split()
            if len(parts) >= 2 and parts[1] in spans:
                spans[parts[1]].notes.append(note)
        elif kind == "R":
            parts = rest.split()
            args = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
            if len(parts) < 3 or len(args) != 2:
                doc.problems.append(_p("import-syntax", f"cannot read relation {ident}: {rest!r}", where))
                continue
            a1, a2 = list(args.values())
            doc.relations.append(ToolRelation(ident, parts[0], a1, a2, where))
        elif kind in "E*":
            doc.problems.append(_p("import-unsupported", f"{'event' if kind == 'E' else 'equivalence'} {ident} "
                                   "has no place in our layers; not imported", where, level="warning"))
        else:
            doc.problems.append(_p("import-syntax", f"unknown annotation line {ident!r}", where))
    return doc


# ---------------------------------------------------------------------------------------------- doccano
def _select(records: list[tuple[dict, str]], task: str | None, doc_id: str, texts: tuple[str, ...],
            id_keys: tuple[str, ...], file: str, what: str) -> tuple[dict, str]:
    """The one record of a multi-document export that is this document: by --task, by an id field equal to
    the document id, or by its text equal to the corpus text or the raw seed."""
    if task is not None:
        hit = [r for r in records if any(str(r[0].get(k)) == task for k in id_keys)]
    elif len(records) == 1:
        hit = records
    else:
        def fields(r: dict) -> Iterable[Any]:
            for k in ("doc_id", "document_id", "meta", "data", "metadata"):
                v = r.get(k)
                if isinstance(v, dict):
                    yield from v.values()
                else:
                    yield v
        hit = [r for r in records if doc_id in [str(v) for v in fields(r[0])]]
        if not hit:
            hit = [r for r in records if _record_text(r[0]) in texts]
    if len(hit) != 1:
        ids = ", ".join(str(r[0].get(id_keys[0])) for r in (hit or records)[:10])
        raise CeasefireError(Problem("import-select", f"{len(hit)} {what}s of this export match document {doc_id} "
                                     f"({ids})", file=file, hint="pass --task ID"))
    return hit[0]


def _record_text(r: dict) -> str | None:
    if isinstance(r.get("text"), str):
        return r["text"]
    data = r.get("data")
    if isinstance(data, dict):
        if isinstance(data.get("text"), str):
            return data["text"]
        strings = [v for v in data.values() if isinstance(v, str)]
        return strings[0] if len(strings) == 1 else None
    return None


def parse_doccano(jsonl: str, file: str, doc_id: str, task: str | None = None, texts: tuple[str, ...] = ()
                  ) -> ToolDoc:
    """doccano JSONL: {"text", "label": [[start, end, "LABEL"], ...]} (older exports) or {"text", "entities":
    [{"id", "label", "start_offset", "end_offset"}], "relations": [{"from_id", "to_id", "type"}]}."""
    records, lines = [], jsonl.splitlines()
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:  # strict: repeated keys, lone surrogates, NaN and deep nesting are errors
                record = parse_json(line, file)
            except CeasefireError as exc:
                raise CeasefireError([replace(p, line=n) for p in exc.problems]) from None
            if not isinstance(record, dict):
                wrong = describe("type", "object", record, {})[0]
                raise CeasefireError(Problem("import-syntax", f"not a doccano export (one object per line): {wrong}",
                                             file=file, line=n, column=1))
            records.append((record, f"{file}:{n}"))
    rec, where = _select(records, task, doc_id, texts, ("id",), file, "line")
    n = int(where.rpartition(":")[2])
    _check_shape("doccano-export", rec, file, lines[n - 1], line=n)
    doc = ToolDoc("doccano", _record_text(rec))
    if "entities" in rec:
        doc.default_unit, doc.unit_note = "utf16", "doccano's entities/relations export (doccano 1.x)"
        for ent in rec.get("entities") or []:
            doc.spans.append(ToolSpan(str(ent.get("id")), str(ent.get("label")),
                                      [(ent.get("start_offset"), ent.get("end_offset"))], where=where))
        for rel in rec.get("relations") or []:
            doc.relations.append(ToolRelation(str(rel.get("id")), str(rel.get("type")), str(rel.get("from_id")),
                                              str(rel.get("to_id")), where))
    else:
        doc.default_unit, doc.unit_note = "codepoint", "doccano's older label-list export"
        for k, triple in enumerate(rec.get("label") or rec.get("labels") or []):
            if not (isinstance(triple, list) and len(triple) == 3):
                doc.problems.append(_p("import-syntax", f"label {k} is not [start, end, label]: {triple!r}", where))
                continue
            doc.spans.append(ToolSpan(f"label[{k}]", str(triple[2]), [(triple[0], triple[1])], where=where))
    return doc


# ---------------------------------------------------------------------------------------------- Label Studio
def parse_label_studio(raw: str, tasks: Any, file: str, doc_id: str, task: str | None = None,
                       annotation: str | None = None, texts: tuple[str, ...] = ()) -> ToolDoc:
    """Label Studio JSON export: a list of tasks {"id", "data": {"text": ...}, "annotations": [{"id", "result":
    [...]}]}. `labels` results are spans (value.start/end/text/labels); `choices` results that share a region id
    are that region's attributes (from_name -> choice); `relation` results link regions. `tasks`: `raw` as
    fsutil.parse_json reads it (strict: repeated keys, lone surrogates, NaN and deep nesting are errors)."""
    one = isinstance(tasks, dict)  # a single task, not in a list
    if one:
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise CeasefireError(Problem("import-syntax", "not a Label Studio JSON export (a list of tasks)", file=file))
    rec, _ = _select([(t, file) for t in tasks], task, doc_id, texts, ("id",), file, "task")
    at = "" if one else f"/{next(i for i, t in enumerate(tasks) if t is rec)}"  # the task's JSON pointer
    _check_shape("label-studio-export", rec, file, raw, at)
    anns = [a for a in rec.get("annotations") or rec.get("completions") or [] if not a.get("was_cancelled")]
    if annotation is not None:
        anns = [a for a in anns if str(a.get("id")) == annotation]
    if not anns:
        which = f" with id {annotation}" if annotation is not None else " (none, or only cancelled ones)"
        raise CeasefireError(Problem("import-select", f"task {rec.get('id')} has no annotation{which} to import",
                                     file=file, hint="annotate the task in Label Studio and export again"
                                     if annotation is None else "leave out --annotation, or pass one of the task's"))
    if len(anns) != 1:
        raise CeasefireError(Problem("import-select", f"task {rec.get('id')} has {len(anns)} matching annotations "
                                     f"({', '.join(str(a.get('id')) for a in anns)})", file=file,
                                     hint="pass --annotation ID to choose one annotator's work"))
    doc = ToolDoc("label-studio", _record_text(rec), default_unit="codepoint",
                  unit_note="Label Studio counts code points since its emoji fix, UTF-16 units before")
    where = f"{file}"
    regions: dict[str, ToolSpan] = {}
    attrs: list[dict] = []
    for item in anns[0].get("result") or []:
        kind = item.get("type")
        v = item.get("value") or {}
        if kind == "labels" or (kind and kind.endswith("labels") and "start" in v):
            labels = v.get("labels") or v.get(kind) or []
            if len(labels) != 1:
                doc.problems.append(_p("import-unsupported", f"region {item.get('id')} has {len(labels)} labels; "
                                       "import takes one per region", where))
                continue
            if not isinstance(v.get("start"), int):
                doc.problems.append(_p("import-unsupported", f"region {item.get('id')} has no character offsets "
                                       "(HyperText regions are not supported)", where))
                continue
            regions[str(item.get("id"))] = ToolSpan(str(item.get("id")), labels[0], [(v["start"], v.get("end"))],
                                                    v.get("text"), where=where)
        elif kind == "relation":
            for lab in item.get("labels") or ["speaker"]:
                doc.relations.append(ToolRelation(f"{item.get('from_id')}->{item.get('to_id')}", lab,
                                                  str(item.get("from_id")), str(item.get("to_id")), where))
        elif kind in ("choices", "textarea"):
            attrs.append(item)
        else:
            doc.problems.append(_p("import-unsupported", f"result type {kind!r} is not imported", where,
                                   level="warning"))
    for item in attrs:
        region = regions.get(str(item.get("id")))
        v = item.get("value") or {}
        val = (v.get("choices") or v.get("text") or [None])[0]
        if region is None:
            doc.problems.append(_p("import-unsupported", f"{item.get('type')} {item.get('from_name')!r} is not "
                                   "attached to a region; not imported", where, level="warning"))
        elif val is not None:
            region.attrs[str(item.get("from_name"))] = val
    doc.spans = list(regions.values())
    return doc


# ---------------------------------------------------------------------------------------------- offset units
def utf16_to_codepoint(text: str) -> list[int]:
    """index = a UTF-16 code-unit offset into `text`, value = the code-point offset; -1 inside a surrogate pair."""
    out = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(-1)
    out.append(len(text))
    return out


def _convert(frags: list[tuple[int, int]], unit: str, table: list[int] | None, n: int) -> list[tuple[int, int]] | None:
    out = []
    for s, e in frags:
        if not (isinstance(s, int) and isinstance(e, int)):
            return None
        if unit == "utf16":
            if table is None or not (0 <= s < e < len(table)) or table[s] < 0 or table[e] < 0:
                return None
            s, e = table[s], table[e]
        if not 0 <= s < e <= n:
            return None
        out.append((s, e))
    return out


def _covered(text: str, frags: list[tuple[int, int]]) -> str:
    return " ".join(text[s:e] for s, e in frags)  # brat joins fragments with a space; others have one fragment


def resolve_units(doc: ToolDoc, text: str, requested: str = "auto") -> tuple[str, list[Problem]]:
    """The offset unit of `doc`: the requested one, or (auto) the one under which every span covers the tool's
    own text; without covered texts, the only plausible one, else the tool's default (with a warning)."""
    problems: list[Problem] = []
    if requested != "auto":
        return requested, problems
    if not any(ord(ch) > 0xFFFF for ch in text):
        return "codepoint", problems  # no astral characters: both units count the same
    table = utf16_to_codepoint(text)
    checked = [s for s in doc.spans if s.text is not None]
    if checked:
        fits = {u: sum(1 for s in checked if (c := _convert(s.fragments, u, table, len(text))) is not None
                       and _covered(text, c) == s.text) for u in ("codepoint", "utf16")}
        best = max(fits, key=lambda u: (fits[u], u == doc.default_unit))
        if fits[best] < len(checked) and fits["codepoint"] and fits["utf16"]:
            problems.append(Problem("import-offset-unit", f"the covered texts fit code points for {fits['codepoint']} "
                                    f"and UTF-16 units for {fits['utf16']} of {len(checked)} spans; using {best}",
                                    level="warning"))
        return best, problems
    plausible = [u for u in ("codepoint", "utf16")
                 if all(_convert(s.fragments, u, table, len(text)) is not None for s in doc.spans)]
    if len(plausible) == 1:
        return plausible[0], problems
    unit = doc.default_unit
    problems.append(Problem("import-offset-unit", f"the export has no covered text to check offsets against; "
                            f"assuming {'UTF-16 code units' if unit == 'utf16' else 'code points'} "
                            f"({doc.unit_note})", level="warning",
                            hint="pass --offsets codepoint or --offsets utf16 if that is wrong"))
    return unit, problems


# ---------------------------------------------------------------------------------------------- placing
def _loose(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


class _Placer:
    """Tool-text code-point spans -> corpus spans: identical texts, our normaliser's OffsetMap, or alignment."""

    def __init__(self, tool_text: str, corpus: str):
        self.tool, self.corpus = tool_text, corpus
        self.offsets = None
        self.aligner = None
        if tool_text == corpus:
            self.how = "identical to the corpus text"
        else:
            norm, offsets, _ = normalize(tool_text)
            if norm == corpus:
                self.how, self.offsets = "normalised by our normaliser into the corpus text (offset map)", offsets
            else:
                self.how = "a different text: spans placed by text alignment"
                self.aligner = Aligner(tool_text, corpus)

    def place(self, s: int, e: int) -> tuple[tuple[int, int] | None, str]:
        cov = self.tool[s:e]
        if self.offsets is None and self.aligner is None:
            return (s, e), ""
        if self.offsets is not None:
            ns, ne = self.offsets.to_norm(s, e)
            if ns < ne and _loose(normalize(self.corpus[ns:ne])[0]) == _loose(normalize(cov)[0]):
                return (ns, ne), ""
            return None, f"maps to {self.corpus[ns:ne]!r} in the corpus text"
        where, how, msg = place(self.tool, self.corpus, s, e, cov, self.aligner)
        return where, ("" if where else msg)


def build_items(doc: ToolDoc, corpus: str, labels: LabelMap, requested_unit: str = "auto",
                source_name: str = "") -> Imported:
    """Turn a parsed tool document into our layer items (origin manual), placed on `corpus`."""
    text = doc.text if doc.text is not None else corpus
    problems = list(doc.problems)
    unit, unit_problems = resolve_units(doc, text, requested_unit)
    problems += [Problem(p.code, p.message, file=source_name, level=p.level, hint=p.hint) for p in unit_problems]
    table = utf16_to_codepoint(text) if unit == "utf16" else None
    placer = _Placer(text, corpus)
    made: dict[str, tuple[str, dict[str, Any]]] = {}  # tool ref -> (layer or "cue", item)
    tool_label = Path(source_name).name if source_name else doc.tool
    for sp in doc.spans:
        target = labels.target(sp.label)
        what = f"{sp.ref} {sp.label!r}"
        if target is None:
            problems.append(_p("import-unknown-label", f"{what}: no mapping for label {sp.label!r}", sp.where,
                               hint="add it to a --label-map file (target: an entity label, quote, source, cue "
                               "or ignore)"))
            continue
        if target == "ignore":
            continue
        frags = _convert(sp.fragments, unit, table, len(text))
        if frags is None:
            problems.append(_p("import-offset", f"{what}: offsets {sp.fragments} are not inside the tool's text "
                               f"(counted in {unit})", sp.where))
            continue
        if sp.text is not None and _covered(text, frags) != sp.text:
            problems.append(_p("import-text-mismatch", f"{what}: the tool says {sp.text!r} but its offsets cover "
                               f"{_covered(text, frags)!r} (counted in {unit})", sp.where,
                               hint="check --offsets; the export and the text may not belong together"))
            continue
        if len(frags) > 1:
            gaps = [text[a[1]:b[0]] for a, b in zip(frags, frags[1:])]
            if all(g.strip() == "" for g in gaps):
                frags = [(frags[0][0], frags[-1][1])]  # fragments split only by line breaks or spaces: one span
            else:
                problems.append(_p("import-discontinuous", f"{what}: fragments {sp.fragments} are separated by "
                                   f"text ({' / '.join(repr(g) for g in gaps)}); our layers hold contiguous spans "
                                   "only", sp.where, hint="split it into separate annotations in the tool"))
                continue
        where, why = placer.place(*frags[0])
        if where is None:
            problems.append(_p("import-unplaced", f"{what} {text[frags[0][0]:frags[0][1]]!r}: cannot be placed on "
                               f"the corpus text: {why}", sp.where))
            continue
        s, e = where
        item: dict[str, Any] = {"start": s, "end": e, "text": corpus[s:e], "origin": "manual",
                                "note": "; ".join([f"imported from {tool_label} {sp.ref}"] + sp.notes)}
        if target in ENTITY_LABELS:
            made[sp.ref] = ("entities", {**item, "label": target})
        elif target.startswith("quote"):
            kind = target[6:] if ":" in target else _attr(sp, "kind", "type", "quote_kind")
            if kind not in QUOTE_KINDS:
                problems.append(_p("import-missing-field", f"{what}: quote kind {kind!r} is not one of "
                                   f"{', '.join(QUOTE_KINDS)}", sp.where, hint="give a Kind attribute, or map the "
                                   "label to quote:direct, quote:partial or quote:scare"))
                continue
            made[sp.ref] = ("quotes", {**item, "kind": kind})
            desc = next((n.split(":", 1)[1].strip() for n in sp.notes if n.lower().startswith("speaker:")), None)
            if desc:
                made[sp.ref][1]["speaker"] = desc
        elif target == "source":
            anon = _attr(sp, "anonymity")
            made[sp.ref] = ("sources", {**item, **({"anonymity": anon} if anon in ANONYMITY else {})})
        else:
            made[sp.ref] = ("cue", item)
    for rel in doc.relations:
        kind = labels.relation(rel.type)
        if kind in (None, "ignore"):
            if kind is None:
                problems.append(_p("import-unsupported", f"relation {rel.ref} {rel.type!r} has no place in our "
                                   "layers; not imported", rel.where, level="warning"))
            continue
        ends = [made.get(rel.arg1), made.get(rel.arg2)]
        if None in ends:
            problems.append(_p("import-unplaced", f"relation {rel.ref} {rel.type!r} links an annotation that was not "
                               "imported", rel.where))
            continue
        (l1, i1), (l2, i2) = ends
        if kind == "speaker":
            pair = (i1, i2, rel.arg2) if l1 == "quotes" else (i2, i1, rel.arg1) if l2 == "quotes" else None
            other = l2 if l1 == "quotes" else l1
            if pair is None or other not in ("entities", "sources"):
                problems.append(_p("import-bad-relation", f"relation {rel.ref} {rel.type!r} must link a quote and "
                                   f"an entity or source, not {l1} and {l2}", rel.where))
                continue
            quote, speaker, ref = pair
            quote["speaker"] = speaker["text"]
            quote["_speaker_ref"] = ref
        else:
            pair = (i1, i2) if l2 == "cue" else (i2, i1) if l1 == "cue" else None
            owner_layer = l1 if l2 == "cue" else l2
            if pair is None or owner_layer not in ("quotes", "sources"):
                problems.append(_p("import-bad-relation", f"relation {rel.ref} {rel.type!r} must link a cue to a quote "
                                   f"or source, not {l1} and {l2}", rel.where))
                continue
            pair[0]["cue"] = {"start": pair[1]["start"], "end": pair[1]["end"], "text": pair[1]["text"]}
            pair[1]["_used"] = True
    items: dict[str, list[dict[str, Any]]] = {"entities": [], "quotes": [], "sources": []}
    wheres = {sp.ref: sp.where for sp in doc.spans}
    for ref, (layer, it) in made.items():
        if layer == "cue":
            if not it.get("_used"):
                problems.append(_p("import-bad-relation", f"cue {ref} {it['text']!r} is linked to no quote or source",
                               wheres.get(ref, source_name)))
            continue
        if layer == "quotes" and "speaker" not in it:
            problems.append(_p("import-missing-field", f"quote {ref} {it['text'][:40]!r} has no speaker",
                               wheres.get(ref, source_name),
                               hint="link it to its speaker with a relation, or note 'speaker: <who>' on it"))
            continue
        items[layer].append(it)
    refs = {id(it): ref for ref, (_, it) in made.items()}
    for layer in items:
        for it in items[layer]:
            it["_ref"] = refs[id(it)]
    return Imported(items, problems, unit, placer.how)


def _attr(sp: ToolSpan, *names: str) -> Any:
    for k, v in sp.attrs.items():
        if k.lower() in names:
            return v
    return None


# ---------------------------------------------------------------------------------------------- which tool
_BRAT_LINE = re.compile(r"^[TRAENM#]\d+\t")


def _looks_like_task(x: Any) -> bool:
    return isinstance(x, dict) and ("annotations" in x or "completions" in x)


def _looks_like_doccano(x: Any) -> bool:
    return (isinstance(x, dict) and isinstance(x.get("text"), str) and not _looks_like_task(x)
            and any(k in x for k in ("label", "labels", "entities")))


def sniff_export(raw: str, whole: Any = None) -> tuple[str, str] | None:
    """(format, why) when `raw` is plainly one tool's export: a Label Studio list of tasks with "annotations", a
    doccano line {"text", "label" | "entities"}, brat standoff lines (T1<TAB>...); None when it is not plain.
    `whole`: `raw` already read as one JSON value, so that it is not read again; None: read here (a JSON null
    read again is null again, so passing it changes nothing)."""
    if whole is None:
        try:
            whole = json.loads(raw)
        except (ValueError, RecursionError):
            whole = None
    tasks = whole if isinstance(whole, list) else [whole]
    if tasks and all(_looks_like_task(t) for t in tasks):
        return "label-studio", 'Label Studio tasks with "annotations"'
    lines = [line for line in raw.splitlines() if line.strip()]
    if not lines:
        return None
    if all(_BRAT_LINE.match(line) for line in lines[:20]):
        return "brat", "brat standoff lines (T1<TAB>LABEL START END<TAB>TEXT)"
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):
        return None
    if _looks_like_doccano(first):
        keys = '"text" and "entities"' if "entities" in first else '"text" and "label"'
        return "doccano", f"one JSON object per line with {keys} (doccano's JSONL)"
    return None


def check_format(raw: str, fmt: str, file: str, whole: Any = None) -> None:
    """Refuse an export of another tool than `fmt` with one line naming the tool it is, instead of letting the
    wrong parser report a puzzling detail (a doccano file read as Label Studio had "0 matching annotations").
    `whole`: `raw` already read as one JSON value (see sniff_export)."""
    seen = sniff_export(raw, whole)
    if seen is not None and seen[0] != fmt:
        raise CeasefireError(Problem("import-format", f"expected a {fmt} export, found {seen[1]}", file=file,
                                     hint=f"import it with `ceasefire-news import {seen[0]} ...`"))


# ---------------------------------------------------------------------------------------------- merging
def merge(doc: dict[str, Any], imported: Imported, replace: bool = False) -> tuple[dict[str, Any], dict[str, int]]:
    """Add the imported items to an annotation file's layers with fresh ids; an item already present (same
    layer, offsets and label or kind) is not added twice. `replace` drops the existing manual items of the
    entities, quotes and sources layers first. Returns the new document and counts of added items per layer."""
    layers = doc.setdefault("layers", {})
    if replace:
        for name in ("entities", "quotes", "sources"):
            layers[name] = [x for x in layers.get(name, []) if x.get("origin") == "auto"]
    taken = {x.get("id") for items in layers.values() for x in items}
    new_ids: dict[str, str] = {}
    added = {}

    def fresh(prefix: str) -> str:
        n = 1 + max((int(i[len(prefix):]) for i in taken if isinstance(i, str) and i.startswith(prefix)
                     and i[len(prefix):].isdigit()), default=0)
        taken.add(f"{prefix}{n}")
        return f"{prefix}{n}"

    for name in ("entities", "sources", "quotes"):
        existing = layers.setdefault(name, [])
        seen = {(x["start"], x["end"], x.get("label"), x.get("kind")): x.get("id") for x in existing}
        count = 0
        for it in imported.items.get(name, []):
            key = (it["start"], it["end"], it.get("label"), it.get("kind"))
            ref = it.pop("_ref")
            it.pop("_used", None)
            if key in seen:
                new_ids[ref] = seen[key]
                it.pop("_speaker_ref", None)
                continue
            it["id"] = new_ids[ref] = fresh(ID_PREFIX[name])
            sref = it.pop("_speaker_ref", None)
            if sref is not None and sref in new_ids:
                it["speaker_id"] = new_ids[sref]
            existing.append(it)
            count += 1
        existing.sort(key=lambda x: (x["start"], x["end"], str(x.get("id"))))
        added[name] = count
    return doc, added


# ---------------------------------------------------------------------------------------------- the edge
@dataclass
class ImportResult:
    doc_id: str
    added: dict[str, int]
    imported: Imported
    written: bool
    sources: list[str]
    present: dict[str, int] = field(default_factory=dict)  # per layer: items of the export already in the file


def _read(path: Path) -> str:
    """The text of an export: UTF-8 (a BOM dropped); UTF-16 (INCEpTION and Windows tools may write it) and binary
    files are one-line errors saying what they are and how to convert them."""
    from ..limits import read_limited

    data = read_limited(path)  # a missing file or a folder: [missing-file]
    if not data.strip():
        raise CeasefireError(Problem("empty-input", "empty file: no annotations to import", file=str(path)))
    return decode_utf8(data, str(path))


def _check_annotation_file(doc: Any, path: Path) -> None:
    """The [schema] errors of the annotation file the items are merged into, as validate reports them: merging
    reads its layers and items, so a hand-broken file is refused before, not half-read."""
    wrong = schema_problems("annotations", doc, str(path), path)
    if wrong:
        raise CeasefireError(wrong + [Problem("import-failed", "nothing imported: the annotation file is not "
                                                     "valid", file=str(path), hint="fix it first (`ceasefire-news "
                                                     "validate` lists every problem)")])


def import_annotations(repo, fmt: str, paths: list[str], doc_id: str, label_map: str | None = None,
                       offsets: str = "auto", task: str | None = None, annotation: str | None = None,
                       replace: bool = False, partial: bool = False, dry_run: bool = False) -> ImportResult:
    """Read a tool's export, place its annotations on corpus/<doc_id>.txt and merge them into
    annotations/<doc_id>.json. Nothing is written when an annotation cannot be imported, unless `partial`."""
    from ..text.normalize import decode
    from ..repo import sha256_text

    check_doc_id(doc_id)
    if fmt not in FORMATS:
        raise CeasefireError(Problem("usage", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"))
    corpus_path, ann_path = repo.corpus_path(doc_id), repo.annotation_path(doc_id)
    if not corpus_path.exists() or not ann_path.exists():
        raise CeasefireError(Problem("missing-file", f"document {doc_id} has no corpus text or annotation file",
                                     file=str(corpus_path if not corpus_path.exists() else ann_path),
                                     hint=f"run `ceasefire-news ingest seeds/{doc_id}.txt` first"))
    corpus = read_utf8(corpus_path, "corpus text")
    doc = read_json(ann_path)
    _check_annotation_file(doc, ann_path)
    if doc.get("text_sha256") != sha256_text(corpus):
        raise CeasefireError(Problem("hash-mismatch", "the annotation file is not pinned to the corpus text",
                                     file=str(ann_path), hint="run `ceasefire-news reanchor` first"))
    texts = (corpus,)
    if repo.seed_path(doc_id).exists():
        texts += (decode(repo.seed_path(doc_id).read_bytes(), str(repo.seed_path(doc_id)))[0],)
    files = [Path(p) for p in paths]
    labels = load_label_map(label_map)
    if fmt == "brat":
        anns = [p for p in files if p.suffix == ".ann"]
        txts = [p for p in files if p.suffix == ".txt"]
        if len(anns) != 1 or len(txts) > 1 or len(files) != len(anns) + len(txts):
            raise CeasefireError(Problem("usage", "brat takes one .ann file, and optionally its .txt (by default "
                                         "the .txt beside the .ann)"))
        txt = txts[0] if txts else anns[0].with_suffix(".txt")
        ann_text = _read(anns[0])
        check_format(ann_text, fmt, str(anns[0]))
        tool = parse_brat(ann_text, _read(txt) if txt.exists() else None, str(anns[0]))
        used = [str(anns[0])] + ([str(txt)] if txt.exists() else [])
    else:
        if len(files) != 1:
            raise CeasefireError(Problem("usage", f"{fmt} takes one export file"))
        raw, name = _read(files[0]), str(files[0])
        if fmt == "doccano":
            check_format(raw, fmt, name)
            tool = parse_doccano(raw, name, doc_id, task, texts)
        else:
            try:  # read once, strictly: the format check below shares this reading
                tasks = parse_json(raw, name)
            except CeasefireError:  # another tool's export is named first (the check reads it leniently)
                check_format(raw, fmt, name)
                raise
            check_format(raw, fmt, name, tasks)
            tool = parse_label_studio(raw, tasks, name, doc_id, task, annotation, texts)
        used = [name]
    imported = build_items(tool, corpus, labels, offsets, used[0])
    errors = [p for p in imported.problems if p.level == "error"]
    if errors and not partial and not dry_run:
        n = sum(len(v) for v in imported.items.values())
        raise CeasefireError(imported.problems + [Problem(
            "import-failed", f"nothing written: {len(errors)} problem(s); {n} annotation(s) could be imported",
            file=used[0], hint="fix the export or the label map, or re-run with --partial to import the rest")])
    offered = {name: len(imported.items.get(name, [])) for name in ("entities", "sources", "quotes")}
    doc, added = merge(doc, imported, replace=replace)
    present = {name: offered[name] - n for name, n in added.items()}  # same offsets and label: not added twice
    if not dry_run:
        write_json(ann_path, doc)
    return ImportResult(doc_id, added, imported, not dry_run, used, present)
