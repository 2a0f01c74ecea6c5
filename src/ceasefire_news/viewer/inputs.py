"""What the viewer renders, and the three places it comes from.

A `ViewDoc` is one document with every layer in offsets into its `text` (code points, half-open):
- a row of a built release (`from_row`: the `default` config's clean body, or the `full` config's normalised text);
- a document of the repository, made into the same rows by the release's own row code (`from_repository`);
- a raw page that is not in the corpus yet, run through the text stage (`from_raw_page`), so a contributor
  sees what cleaning keeps and drops, and why.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import CeasefireError, Problem
from ..fsutil import DOC_ID_RE

VIEWS = ("full", "default")


@dataclass(frozen=True)
class ViewDoc:
    """One document as the renderer takes it. Layers are plain dicts, offsets into `text`.

    `view` is "full" (the normalised text, removed spans shown in place), "default" (the clean body; captions
    listed apart with offsets into their own text) or "raw" (a page not yet in the corpus)."""

    id: str
    text: str
    view: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    captions: list[dict[str, Any]] = field(default_factory=list)
    boilerplate: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.id

    def entity_count(self) -> int:
        """Every entity the page shows: in the text, and (default view) inside the listed captions."""
        return len(self.entities) + sum(len(c.get("entities") or []) for c in self.captions
                                        if c.get("start") is None)


_META_KEYS = ("title", "source", "url", "published", "published_basis", "language", "text_sha256")


def from_row(row: Mapping[str, Any], view: str, rules: Mapping[tuple[int, int], str] | None = None) -> ViewDoc:
    """A release row (`default` or `full` config, as a dict) as a ViewDoc. `rules` adds to each boilerplate
    span the rule that removed it, keyed by (start, end), when the caller knows it (the repository does)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    rules = rules or {}
    boilerplate = [{**b, "rule": b.get("rule") or rules.get((b["start"], b["end"]))}
                   for b in row.get("boilerplate") or []]
    return ViewDoc(id=row["id"], text=row["text"], view=view, meta={k: row.get(k) for k in _META_KEYS},
                   entities=list(row.get("entities") or []), quotes=list(row.get("quotes") or []),
                   sources=list(row.get("sources") or []), captions=list(row.get("captions") or []),
                   boilerplate=boilerplate)


def from_repository(root: str | Path, doc_id: str, view: str = "full") -> ViewDoc:
    """One document of the repository, through the release's row code (so the page shows what build releases)."""
    from ..release.records import SourceDoc, default_row, full_row
    from ..repo import Repo

    repo = Repo.at(root)
    if not DOC_ID_RE.match(doc_id):
        raise CeasefireError(Problem("bad-id", f"not a document id: {doc_id!r}",
                                     hint="ids are lower-case letters, digits, _ and -"))
    paths = {"meta": repo.meta_path(doc_id), "text": repo.corpus_path(doc_id), "ann": repo.annotation_path(doc_id)}
    missing = [p for p in paths.values() if not p.is_file()]
    if missing:
        raise CeasefireError(Problem("missing-file", f"document {doc_id!r} is not in the repository", str(missing[0]),
                                     hint="ingest it first, or view a raw page with --raw"))
    try:
        meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
        ann = json.loads(paths["ann"].read_text(encoding="utf-8"))
        doc = SourceDoc(doc_id, meta, paths["text"].read_text(encoding="utf-8"), ann)
        row = full_row(doc) if view == "full" else default_row(doc)
    except (ValueError, KeyError, TypeError) as exc:
        raise CeasefireError(Problem("unreadable-document", f"cannot render {doc_id!r}: {exc}",
                                     str(paths["ann"]), hint="run `ceasefire-news validate` to see what is wrong")) from None
    rules = {(b["start"], b["end"]): b.get("rule") for b in ann.get("layers", {}).get("boilerplate", [])}
    return from_row(row, view, rules)


def release_rows(release: str | Path | None, view: str, also: tuple[str, ...] = ()
                 ) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    """The resolved release (a folder, the embedded one or a Hub snapshot, with the files `also` names fetched and
    checked too) and (split, row) of every document, checked against its SHA256SUMS by the loader."""
    from ..loader import read_tables

    resolved, tables = read_tables("all", view, release, None, also=also)  # resolved and verified once
    return resolved, [(split, r) for split, table in tables.items() for r in table.to_pylist()]


def from_release(release: str | Path | None, doc_id: str, view: str = "full") -> ViewDoc:
    """One document of a built release (only its row becomes Python objects)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..loader import load_tables

    tables = load_tables("all", config=view, source=release)
    found = pa.concat_tables(t.filter(pc.equal(t["id"], doc_id)) for t in tables.values()).to_pylist()
    if found:
        return from_row(found[0], view)
    raise CeasefireError(Problem("unknown-document", f"document {doc_id!r} is not in the release",
                                 str(release or "")))


def from_raw_page(data: bytes, name: str, source: str | None = None, rules_path: str | None = None) -> ViewDoc:
    """A raw page through the text stage: what `clean` keeps, drops and why (the rule id or signal, 'model' where
    the block model decided; `clean --explain` prints the scores). The one adapter over the cleaner."""
    from ..text.clean import clean

    result = clean(data, source=source, rules=rules_path, name=name)
    boilerplate = [{"start": r.start, "end": r.end, "kind": r.kind, "text": r.text, "rule": r.reason}
                   for r in result.removed if r.kind != "caption"]
    captions = [{"start": c.start, "end": c.end, "text": c.text, "credit": c.credit, "agency": c.agency,
                 "photographer": c.photographer} for c in result.captions]
    stem = Path(name).name.rsplit(".", 1)[0] or "page"
    return ViewDoc(id=stem, text=result.text, view="raw", meta={"title": Path(name).name, "source": source},
                   captions=captions, boilerplate=boilerplate,
                   note=f"decoded as {result.report.encoding}; {len(boilerplate)} boilerplate span(s) and "
                        f"{len(captions)} caption(s) removed")
