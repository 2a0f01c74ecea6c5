"""Split assignment: deterministic, stable as the corpus grows, and leakage-aware.

A document's split is a pure function of its group key, so adding documents never moves an existing one.
The group key is the metadata `story` id when there is one, else the document id; near-duplicate groups
(MinHash) are merged onto one key by `group_keys`.
"""
from __future__ import annotations

import hashlib
from typing import Mapping

from .columns import SPLITS

DEFAULT_RATIOS = (0.8, 0.1, 0.1)


def split_of(group_key: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> str:
    """The split of a group: the first 8 bytes of SHA-256("ceasefire-news/split/" + key) as a number in [0, 1)."""
    total = sum(ratios)
    h = int.from_bytes(hashlib.sha256(f"ceasefire-news/split/{group_key}".encode()).digest()[:8], "big") / 2**64
    acc = 0.0
    for name, r in zip(SPLITS, ratios):
        acc += r / total
        if h < acc:
            return name
    return SPLITS[-1]


def group_keys(metas: Mapping[str, dict]) -> dict[str, str]:
    """doc_id -> group key: the `story` id when set, else the document's own id."""
    return {doc_id: (m.get("story") or doc_id) for doc_id, m in metas.items()}
