"""Counts: per layer, per entity label, per boilerplate kind; for `ceasefire-news stats` and the dataset card."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable, Mapping

from .ner import count_tokens
from ..repo import Repo

__all__ = ["count_tokens", "layer_counts", "repo_stats", "corpus_stats", "render_stats"]


def layer_counts(anns: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts over annotation files: items per layer, entity labels, quote kinds, boilerplate kinds and characters."""
    layers: Counter = Counter()
    labels: Counter = Counter()
    quote_kinds: Counter = Counter()
    bp_kinds: Counter = Counter()
    bp_chars: Counter = Counter()
    origins: Counter = Counter()
    docs = 0
    for ann in anns:
        docs += 1
        for name, items in ann.get("layers", {}).items():
            layers[name] += len(items)
            for x in items:
                origins[f"{name}:{x.get('origin', '?')}"] += 1
        for e in ann.get("layers", {}).get("entities", []):
            labels[e["label"]] += 1
        for q in ann.get("layers", {}).get("quotes", []):
            quote_kinds[q["kind"]] += 1
        for b in ann.get("layers", {}).get("boilerplate", []):
            bp_kinds[b["kind"]] += 1
            bp_chars[b["kind"]] += b["end"] - b["start"]
        for c in ann.get("layers", {}).get("captions", []):
            bp_kinds["caption"] += 1
            bp_chars["caption"] += c["end"] - c["start"]
    return {"documents": docs, "layers": dict(sorted(layers.items())), "entity_labels": dict(labels.most_common()),
            "quote_kinds": dict(sorted(quote_kinds.items())), "removed_kinds": dict(bp_kinds.most_common()),
            "removed_chars": dict(bp_chars.most_common()), "origins": dict(sorted(origins.items()))}


def repo_stats(root: str = ".") -> dict[str, Any]:
    repo = Repo.at(root)
    anns = []
    for doc_id in repo.annotation_ids():
        try:
            anns.append(json.loads(repo.annotation_path(doc_id).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # `validate` reports unreadable files; stats counts what it can read
    return layer_counts(anns)


def corpus_stats(docs: Iterable[Any], released: Mapping[str, list[str]], rejected: Mapping[str, Any],
                 ner_rows: Mapping[str, int] | None = None,
                 unrepresented: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Statistics of a release, computed at build time for the card. `docs` are the released documents, each
    with `.doc_id`, `.meta`, `.ann`, `.body` (the clean body), `.default` (its default row), `.full_chars` and
    `.tokens` (ner tokens)."""
    docs = list(docs)
    by_id = {d.doc_id: d for d in docs}
    split_docs = {s: len(ids) for s, ids in released.items()}
    split_tokens = {s: sum(by_id[d].tokens for d in ids) for s, ids in released.items()}
    counts = layer_counts(d.ann for d in docs)
    sources = Counter(d.meta["source"] for d in docs)
    reasons = Counter(p["reason"] for p in unrepresented)
    return {**counts, "split_documents": split_docs, "split_tokens": split_tokens,
            "split_sentences": dict(ner_rows or {}), "tokens": sum(split_tokens.values()),
            "full_chars": sum(d.full_chars for d in docs), "body_chars": sum(len(d.body) for d in docs),
            "rejected": len(rejected), "sources": dict(sorted(sources.items())),
            "languages": sorted({d.meta["language"] for d in docs}),
            "body_labels": dict(sorted(Counter(e["label"] for d in docs for e in d.default["entities"]).items())),
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
