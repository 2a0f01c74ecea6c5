"""Counts: per layer, per entity label, per boilerplate kind; for `ceasefire-news stats` and the dataset card."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..repo import Repo

__all__ = ["Counts", "ReleaseCounts", "layer_counts", "repo_stats", "corpus_stats", "render_stats"]


@dataclass
class Counts:
    """Counts over documents that merge: a shard of the build counts its own documents, the shards' counts are
    merged in document order (Counter.update keeps first-seen order, so ties sort as one pass would sort them)."""

    docs: int = 0
    layers: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    quote_kinds: Counter = field(default_factory=Counter)
    bp_kinds: Counter = field(default_factory=Counter)
    bp_chars: Counter = field(default_factory=Counter)
    origins: Counter = field(default_factory=Counter)

    def add(self, ann: Mapping[str, Any]) -> None:
        """Count one annotation file."""
        self.docs += 1
        layers = ann.get("layers", {})
        for name, items in layers.items():
            self.layers[name] += len(items)
            for x in items:
                self.origins[f"{name}:{x.get('origin', '?')}"] += 1
        for e in layers.get("entities", []):
            self.labels[e["label"]] += 1
        for q in layers.get("quotes", []):
            self.quote_kinds[q["kind"]] += 1
        for b in layers.get("boilerplate", []):
            self.bp_kinds[b["kind"]] += 1
            self.bp_chars[b["kind"]] += b["end"] - b["start"]
        for c in layers.get("captions", []):
            self.bp_kinds["caption"] += 1
            self.bp_chars["caption"] += c["end"] - c["start"]

    def merge(self, other: "Counts") -> None:
        self.docs += other.docs
        for name in ("layers", "labels", "quote_kinds", "bp_kinds", "bp_chars", "origins"):
            getattr(self, name).update(getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.docs, "layers": dict(sorted(self.layers.items())),
                "entity_labels": dict(self.labels.most_common()),
                "quote_kinds": dict(sorted(self.quote_kinds.items())), "removed_kinds": dict(self.bp_kinds.most_common()),
                "removed_chars": dict(self.bp_chars.most_common()), "origins": dict(sorted(self.origins.items()))}


def layer_counts(anns: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts over annotation files: items per layer, entity labels, quote kinds, boilerplate kinds and characters."""
    counts = Counts()
    for ann in anns:
        counts.add(ann)
    return counts.as_dict()


def repo_stats(root: str = ".") -> dict[str, Any]:
    repo = Repo.at(root)
    anns = []
    for doc_id in repo.annotation_ids():
        try:
            anns.append(json.loads(repo.annotation_path(doc_id).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # `validate` reports unreadable files; stats counts what it can read
    return layer_counts(anns)


@dataclass
class ReleaseCounts:
    """The statistics of released documents that the card needs, from each document's summary; mergeable."""

    layers: Counts = field(default_factory=Counts)
    sources: Counter = field(default_factory=Counter)
    languages: set = field(default_factory=set)
    licenses: set = field(default_factory=set)  # (source, rights)
    body_labels: Counter = field(default_factory=Counter)
    full_chars: int = 0
    body_chars: int = 0

    def add(self, meta: Mapping[str, Any], ann: Mapping[str, Any], default_row: Mapping[str, Any],
            full_chars: int) -> None:
        self.layers.add(ann)
        self.sources[meta["source"]] += 1
        self.languages.add(meta["language"])
        self.licenses.add((meta["source"], meta["rights"]))
        self.body_labels.update(e["label"] for e in default_row["entities"])
        self.full_chars += full_chars
        self.body_chars += len(default_row["text"])

    def merge(self, other: "ReleaseCounts") -> None:
        self.layers.merge(other.layers)
        self.sources.update(other.sources)
        self.languages |= other.languages
        self.licenses |= other.licenses
        self.body_labels.update(other.body_labels)
        self.full_chars += other.full_chars
        self.body_chars += other.body_chars


def corpus_stats(counts: ReleaseCounts, released: Mapping[str, list[str]], rejected: Mapping[str, Any],
                 split_tokens: Mapping[str, int], ner_rows: Mapping[str, int] | None = None,
                 unrepresented: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Statistics of a release, computed at build time for the card, from the merged counts of the released
    documents and the tokens of each split."""
    reasons = Counter(p["reason"] for p in unrepresented)
    return {**counts.layers.as_dict(), "split_documents": {s: len(ids) for s, ids in released.items()},
            "split_tokens": dict(split_tokens), "split_sentences": dict(ner_rows or {}),
            "tokens": sum(split_tokens.values()), "full_chars": counts.full_chars, "body_chars": counts.body_chars,
            "rejected": len(rejected), "sources": dict(sorted(counts.sources.items())),
            "languages": sorted(counts.languages), "body_labels": dict(sorted(counts.body_labels.items())),
            "ner_unrepresented": dict(sorted(reasons.items()))}


def render_stats(st: Mapping[str, Any]) -> str:
    lines = [f"documents: {st['documents']}", "", "layer         items"]
    lines += [f"  {k:<12}{v:>6}" for k, v in st["layers"].items()]
    if st["entity_labels"]:
        lines += ["", "entity label  count"] + [f"  {k:<12}{v:>6}" for k, v in st["entity_labels"].items()]
    if st["quote_kinds"]:
        lines += ["", "quote kind    count"] + [f"  {k:<12}{v:>6}" for k, v in st["quote_kinds"].items()]
    if st["removed_kinds"]:
        lines += ["", "removed kind            items   chars"]
        lines += [f"  {k:<22}{v:>6}{st['removed_chars'][k]:>8}" for k, v in st["removed_kinds"].items()]
    return "\n".join(lines)
