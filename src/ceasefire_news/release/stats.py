"""Counts: per layer, per entity label, per boilerplate kind; for `ceasefire-news stats` and the dataset card."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter, methodcaller, sub
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import CeasefireError, Problem
from ..fsutil import parse_json
from ..repo import SEED_SUFFIX, Repo
from ..schemas import schema_problems

_ORIGIN = methodcaller("get", "origin", "?")
_LABEL, _KIND, _START, _END, _SOURCE, _LANGUAGE = (itemgetter(k) for k in ("label", "kind", "start", "end", "source",
                                                                         "language"))
_LICENSE = itemgetter("source", "rights")

__all__ = ["Counts", "ReleaseCounts", "count_repo", "repo_stats", "corpus_stats", "render_stats"]


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
        self.add_many([ann])

    def add_many(self, anns: Iterable[Mapping[str, Any]]) -> None:
        """Count annotation files: the counts `add` of each in turn would give, keys first met in the same order
        (so ties sort the same), from lists of the batch's values counted in C once per batch, instead of a
        Python step per item (a build counts a shard at once)."""
        origins: dict[str, list[str]] = {}  # layer -> the origin of each of its items
        labels: list[str] = []
        quote_kinds: list[str] = []
        removed_kinds: list[str] = []  # per document, its boilerplate items' kinds, then "caption" per caption
        removed_chars: list[int] = []
        for ann in anns:
            self.docs += 1
            layers = ann.get("layers", {})
            for name, items in layers.items():
                self.layers[name] += len(items)
                origins.setdefault(name, []).extend(map(_ORIGIN, items))
            labels.extend(map(_LABEL, layers.get("entities", ())))
            quote_kinds.extend(map(_KIND, layers.get("quotes", ())))
            boilerplate, captions = layers.get("boilerplate", ()), layers.get("captions", ())
            removed_kinds.extend(map(_KIND, boilerplate))
            removed_kinds.extend(repeat("caption", len(captions)))
            removed_chars.extend(map(sub, map(_END, boilerplate), map(_START, boilerplate)))
            removed_chars.extend(map(sub, map(_END, captions), map(_START, captions)))
        for name, values in origins.items():  # `as_dict` sorts the origins: their order of insertion is free
            for origin, n in Counter(values).items():
                self.origins[f"{name}:{origin}"] += n
        self.labels.update(labels)
        self.quote_kinds.update(quote_kinds)
        self.bp_kinds.update(removed_kinds)
        chars = self.bp_chars
        for kind, n in zip(removed_kinds, removed_chars):
            chars[kind] += n

    def merge(self, other: "Counts") -> None:
        self.docs += other.docs
        for name in ("layers", "labels", "quote_kinds", "bp_kinds", "bp_chars", "origins"):
            getattr(self, name).update(getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.docs, "layers": dict(sorted(self.layers.items())),
                "entity_labels": dict(self.labels.most_common()),
                "quote_kinds": dict(sorted(self.quote_kinds.items())), "removed_kinds": dict(self.bp_kinds.most_common()),
                "removed_chars": dict(self.bp_chars.most_common()), "origins": dict(sorted(self.origins.items()))}


def _read_annotations(repo: Repo, doc_id: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One annotation file parsed and checked against the schema (what the counts rely on), or its problems."""
    name = f"annotations/{doc_id}.json"
    try:
        data = repo.annotation_path(doc_id).read_bytes()
        ann = parse_json(data, name)  # as validate reads it: the same [bad-encoding] and [json-syntax] lines
    except CeasefireError as exc:
        return None, exc.problems
    except OSError as exc:
        return None, [Problem("unreadable", f"cannot read: {exc.strerror or exc}", name)]
    wrong = schema_problems("annotations", ann, name, data)
    return (None, wrong) if wrong else (ann, [])


def count_repo(root: str | Path = ".") -> tuple[dict[str, Any], list[Problem]]:
    """The counts of every annotation file of the repository at `root`, and one problem for each thing left out
    of them: an annotation file that cannot be read or is no annotation file, a seed that has none. A folder that
    is no repository is a CeasefireError [not-a-repository]."""
    repo = Repo.existing(root)
    counts, problems = Counts(), []
    annotated = repo.annotation_ids()
    for doc_id in annotated:
        ann, ps = _read_annotations(repo, doc_id)
        problems += ps
        if ann is not None:
            counts.add(ann)  # one file at a time: memory stays bounded
    for doc_id in sorted(set(repo.seed_ids()) - set(annotated)):
        problems.append(Problem("missing-annotations", "seed has no annotation file: not counted",
                                f"seeds/{doc_id}{SEED_SUFFIX}", hint=f"run `ceasefire-news ingest seeds/{doc_id}{SEED_SUFFIX}`"))
    return counts.as_dict(), problems


def repo_stats(root: str | Path = ".") -> dict[str, Any]:
    """The counts of the repository at `root`; a CeasefireError when any document could not be counted."""
    st, problems = count_repo(root)
    if problems:
        raise CeasefireError(problems)
    return st


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
    latest_published: str | None = None  # the newest `published` date (ISO, so the greatest string), if any

    def add_many(self, metas: Sequence[Mapping[str, Any]], anns: Sequence[Mapping[str, Any]],
                 default_rows: Sequence[Mapping[str, Any]], full_chars: Sequence[int]) -> None:
        """Count a batch of documents (metadata, annotation file, default row, characters of the full text)."""
        self.layers.add_many(anns)
        self.sources.update(map(_SOURCE, metas))
        self.languages.update(map(_LANGUAGE, metas))
        self.licenses.update(map(_LICENSE, metas))
        self.body_labels.update(chain.from_iterable(map(_LABEL, r["entities"]) for r in default_rows))
        self.full_chars += sum(full_chars)
        self.body_chars += sum(len(r["text"]) for r in default_rows)
        self._published(m.get("published") for m in metas)

    def _published(self, dates: Iterable[str | None]) -> None:
        self.latest_published = max(filter(None, (self.latest_published, *dates)), default=None)

    def merge(self, other: "ReleaseCounts") -> None:
        self.layers.merge(other.layers)
        self.sources.update(other.sources)
        self.languages |= other.languages
        self.licenses |= other.licenses
        self.body_labels.update(other.body_labels)
        self.full_chars += other.full_chars
        self.body_chars += other.body_chars
        self._published([other.latest_published])


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
            "latest_published": counts.latest_published,
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
