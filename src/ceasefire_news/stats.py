"""Counts: per layer, per entity label, per boilerplate kind; for `ceasefire-news stats` and the dataset card."""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Iterable, Mapping

from .repo import Repo

_TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def count_tokens(text: str) -> int:
    """Word and punctuation tokens (the same tokenisation the `ner` config uses)."""
    return len(_TOKEN_RE.findall(text))


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


def corpus_stats(docs: Iterable[Any], views: Mapping[str, Any], released: Mapping[str, list[str]],
                 rejected: Mapping[str, Any]) -> dict[str, Any]:
    """Statistics of a release, computed at build time for the card."""
    docs = list(docs)
    by_id = {d.doc_id: d for d in docs}
    split_docs = {s: len(ids) for s, ids in released.items()}
    split_tokens = {s: sum(count_tokens(views[d].body) for d in ids) for s, ids in released.items()}
    full_chars = sum(len(d.text) for d in docs)
    body_chars = sum(len(views[d.doc_id].body) for d in docs)
    counts = layer_counts(d.ann for d in docs)
    sources = Counter(by_id[d].meta["source"] for d in by_id)
    return {**counts, "split_documents": split_docs, "split_tokens": split_tokens, "full_chars": full_chars,
            "body_chars": body_chars, "rejected": len(rejected), "sources": dict(sorted(sources.items()))}


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
