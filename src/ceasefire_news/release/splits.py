"""Split assignment: deterministic, stable as the corpus grows, and leakage-aware.

A document's split is a pure function of its group key: SHA-256 of the key, read as a number in [0, 1), cut
at the cumulative ratios. Documents of one group always share a split, so nothing leaks between them.

Groups are the connected components (union-find) of two relations:
- the same explicit `story` id in the metadata (versions and copies of one story, marked by hand);
- near-duplicate clean bodies: Jaccard similarity >= NEAR_DUP_THRESHOLD (0.8) of the sets of
  SHINGLE_WORDS-word shingles (lower-cased word tokens). Candidate pairs come from MinHash LSH (datasketch,
  fixed seed, so deterministic); every candidate is then checked with the exact Jaccard of the two shingle
  sets, so the threshold is exact, not estimated.

The group key is the smallest explicit `story` id in the group, else the smallest document id in it. A document
alone in its group therefore keeps its own id as key, so adding unrelated documents never moves it.
The trade-off: a new document that joins an existing group leaves the group's key (and split) unchanged only
when its id sorts after the group's smallest id (true for the `NNN_...` ids this corpus assigns in order) or
the group has a `story` id; a new document that bridges two old groups merges them, and one of them moves.
Both cases are inherent to transitive grouping; an explicit `story` id pins a group for good. The build reports
every document whose split changed against the previous release in the same folder.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..columns import SPLITS

DEFAULT_RATIOS = (0.8, 0.1, 0.1)
NEAR_DUP_THRESHOLD = 0.8
SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"  # pinned: hash values carry no trace of the scheme that made them

_WORD_RE = re.compile(r"\w+")


def split_of(group_key: str, ratios: Sequence[float] = DEFAULT_RATIOS) -> str:
    """The split of a group: the first 8 bytes of SHA-256("ceasefire-news/split/" + key) as a number in [0, 1)."""
    total = sum(ratios)
    h = int.from_bytes(hashlib.sha256(f"ceasefire-news/split/{group_key}".encode()).digest()[:8], "big") / 2**64
    acc = 0.0
    for name, r in zip(SPLITS, ratios):
        acc += r / total
        if h < acc:
            return name
    return next(name for name, r in reversed(list(zip(SPLITS, ratios))) if r > 0)


def shingles(text: str, k: int = SHINGLE_WORDS) -> frozenset[bytes]:
    """The set of k-word shingles of `text` (lower-cased word tokens), each as an 8-byte BLAKE2b digest.
    A text shorter than k words is one shingle of all its words."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    grams = [words[i:i + k] for i in range(max(1, len(words) - k + 1))] if words else []
    return frozenset(hashlib.blake2b(" ".join(g).encode(), digest_size=8).digest() for g in grams)


def minhash_values(sh: Iterable[bytes]) -> list[int]:
    """The MinHash signature of a shingle set (datasketch, NUM_PERM permutations, fixed seed)."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    m.update_batch(sorted(sh))
    return [int(v) for v in m.hashvalues]


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicate_pairs(shingle_sets: Mapping[str, frozenset[bytes]], signatures: Mapping[str, Sequence[int]],
                         threshold: float = NEAR_DUP_THRESHOLD) -> list[tuple[str, str, float]]:
    """Pairs (a, b, jaccard) with a < b whose exact shingle Jaccard is >= threshold; LSH finds the candidates."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    # The LSH threshold sits a little below ours: candidates are cheap to check exactly, misses are leaks.
    lsh = MinHashLSH(threshold=max(0.05, threshold - 0.1), num_perm=NUM_PERM)
    ids = sorted(shingle_sets)
    hashes = {}
    for d in ids:
        if not shingle_sets[d]:
            continue  # an empty body is nobody's near-duplicate
        hashes[d] = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                            hashvalues=np.asarray(signatures[d], dtype=np.uint64))
        lsh.insert(d, hashes[d])
    pairs = set()
    for d in hashes:
        for other in lsh.query(hashes[d]):
            if other != d:
                a, b = sorted((d, other))
                pairs.add((a, b))
    out = []
    for a, b in sorted(pairs):
        j = jaccard(shingle_sets[a], shingle_sets[b])
        if j >= threshold:
            out.append((a, b, round(j, 6)))
    return out


class _UnionFind:
    def __init__(self, items: Iterable[str]):
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class Grouping:
    """The group key of every document, and the near-duplicate pairs that linked documents."""

    keys: dict[str, str]
    near_duplicates: list[tuple[str, str, float]]

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in sorted(self.keys):
            out.setdefault(self.keys[d], []).append(d)
        return out


def group_documents(stories: Mapping[str, str | None], near_duplicates: Iterable[tuple[str, str, float]] = ()) -> Grouping:
    """Union-find over shared story ids and near-duplicate pairs; each group's key as the module docstring says."""
    near_duplicates = list(near_duplicates)
    uf = _UnionFind(stories)
    first_with_story: dict[str, str] = {}
    for d in sorted(stories):
        s = stories[d]
        if s:
            if s in first_with_story:
                uf.union(first_with_story[s], d)
            else:
                first_with_story[s] = d
    for a, b, _ in near_duplicates:
        uf.union(a, b)
    comps: dict[str, list[str]] = {}
    for d in sorted(stories):
        comps.setdefault(uf.find(d), []).append(d)
    keys = {}
    for members in comps.values():
        story_ids = sorted(stories[m] for m in members if stories[m])
        key = story_ids[0] if story_ids else members[0]
        keys.update({m: key for m in members})
    return Grouping(keys, near_duplicates)


def group_keys(metas: Mapping[str, dict]) -> dict[str, str]:
    """doc_id -> group key from metadata alone (the `story` id, else the document id)."""
    return group_documents({d: m.get("story") for d, m in metas.items()}).keys
