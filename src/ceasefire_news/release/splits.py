"""Split assignment: deterministic, stable as the corpus grows, and leakage-aware.

A document's split is a pure function of its group key: SHA-256 of the key, read as a number in [0, 1), cut
at the cumulative ratios. Documents of one group always share a split, so nothing leaks between them.

Groups are the connected components (union-find) of two relations:
- the same explicit `story` id in the metadata (versions and copies of one story, marked by hand);
- near-duplicate clean bodies: Jaccard similarity >= NEAR_DUP_THRESHOLD (0.8) of the sets of
  SHINGLE_WORDS-word shingles (lower-cased word tokens, each shingle a 64-bit hash). Candidate pairs come from
  MinHash LSH; every candidate is then checked with the exact Jaccard of the two shingle sets, so the
  threshold is exact, not estimated.

MinHash here is one-permutation hashing (Li, Owen and Zhang 2012) with rotation densification (Shrivastava and
Li 2014), in numpy: the shingle hashes are already a random permutation of the 64-bit space, their top
7 bits pick one of NUM_PERM bins and the smallest hash in a bin is that bin's value, so a signature is one
sort and one search per document (a k-permutation MinHash costs NUM_PERM hash passes). An empty bin takes the
value of the next non-empty bin to its right, raised by its distance, as the densification scheme says.
LSH bands the signatures (LSH_BANDS bands of LSH_ROWS values) and sorts each band's keys over all the
documents at once: candidates are the runs of equal keys, found in O(N log N) with numpy, memory O(N).

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
from itertools import chain
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..columns import SPLITS

DEFAULT_RATIOS = (0.8, 0.1, 0.1)
NEAR_DUP_THRESHOLD = 0.8
SHINGLE_WORDS = 5
NUM_PERM = 128

# P(candidate) = 1 - (1 - J^6)^21: 0.998 at J = 0.8, 0.99995 at 0.85, 0.016 at 0.3 (a looser banding floods a
# corpus of formulaic reports with candidates). Candidates whose signatures agree in fewer than
# threshold - ESTIMATE_MARGIN of their values (5 standard deviations of the estimate below it) are dropped
# before the exact check.
LSH_BANDS, LSH_ROWS = 21, 6
ESTIMATE_MARGIN = 0.2

_WORD_RE = re.compile(r"\w+")
_BIN_SHIFT = np.uint64(64 - (NUM_PERM.bit_length() - 1))  # the top log2(NUM_PERM) bits pick the bin
_BIN_STARTS = np.arange(NUM_PERM + 1, dtype=np.uint64)[:-1] << _BIN_SHIFT
_VALUE_MASK = np.uint64((1 << int(_BIN_SHIFT)) - 1)
_STEP = np.uint64(1 << int(_BIN_SHIFT))  # densified values sort after every real value of a bin
# odd constants: a shingle's hash is sum(word_hash[j] * _MIX[j]) mod 2**64, then the splitmix64 finaliser
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)
_WORD_HASHES: dict[str, int] = {}  # word -> 64-bit hash, shared by the documents of a process (bounded)
_WORD_CACHE_MAX = 1 << 20


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


def _word_hashes(words: list[str]) -> np.ndarray:
    cache = _WORD_HASHES
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    for w in set(words).difference(cache):
        cache[w] = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def _finalise(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place: every input bit reaches every output bit."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """The set of k-word shingles of `text` (lower-cased word tokens) as sorted unique 64-bit hashes.
    A text shorter than k words is one shingle of all its words."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    w = _word_hashes(words)
    n = max(1, len(words) - k + 1)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(words))):
        h += w[j:j + n] * _MIX[j]
    h = np.sort(_finalise(h))
    return h[np.concatenate(([True], h[1:] != h[:-1]))] if len(h) > 1 else h


def minhash_values(sh: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM values, uint64) of a shingle set from `shingles` (see the module doc)."""
    sh = np.asarray(sh, dtype=np.uint64)
    if not len(sh):
        return np.zeros(NUM_PERM, dtype=np.uint64)
    idx = np.searchsorted(sh, _BIN_STARTS)
    full = np.append(idx[1:], len(sh)) > idx
    values = sh[np.minimum(idx, len(sh) - 1)] & _VALUE_MASK
    # rotation densification: bin i without a shingle takes the next non-empty bin j (circularly) plus (j - i) steps
    nonempty = np.flatnonzero(full)
    pos = np.arange(NUM_PERM)
    nxt = np.searchsorted(nonempty, pos)
    j = np.where(nxt < len(nonempty), nonempty[np.minimum(nxt, len(nonempty) - 1)], nonempty[0] + NUM_PERM)
    dist = (j - pos).astype(np.uint64)
    return values[j % NUM_PERM] + dist * _STEP


def shingle_sets(texts: Sequence[str], k: int = SHINGLE_WORDS) -> tuple[np.ndarray, np.ndarray]:
    """The shingle set of every text (what `shingles` gives it), concatenated, and offsets: text i's set is
    sets[offsets[i]:offsets[i + 1]]. One hash lookup, one sort and one pass of array operations for all the
    texts (a build shard), instead of a round of small array operations per text."""
    per_text = [_WORD_RE.findall(t.lower()) for t in texts]
    counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(texts))
    w = _word_hashes(list(chain.from_iterable(per_text)))
    windows = np.where(counts > 0, np.maximum(1, counts - k + 1), 0)
    text = np.repeat(np.arange(len(texts)), windows)
    # the first word of each window: its text's first word plus its rank among the text's windows
    first = np.repeat(np.cumsum(counts) - counts - (np.cumsum(windows) - windows), windows) + np.arange(len(text))
    h = np.zeros(len(text), dtype=np.uint64)
    for j in range(k):  # a text shorter than k words is one window of all its words
        inside = j < counts[text]
        h[inside] += w[first[inside] + j] * _MIX[j]
    h = _finalise(h)
    ends = np.cumsum(windows).tolist()
    for lo, hi in zip([0] + ends, ends):  # each text's windows are contiguous: sorted in place, text by text
        h[lo:hi].sort()
    new = np.ones(len(h), dtype=bool)
    new[1:] = (h[1:] != h[:-1]) | (text[1:] != text[:-1])
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(text[new], minlength=len(texts)), out=offsets[1:])
    return h[new], offsets


def signatures(sets: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The MinHash signature of every set from `shingle_sets` (what `minhash_values` gives it), one row each."""
    n = len(offsets) - 1
    key = np.repeat(np.arange(n) * NUM_PERM, np.diff(offsets)) + (sets >> _BIN_SHIFT).astype(np.int64)
    first = np.ones(len(key), dtype=bool)  # each set is sorted: the first value of a (set, bin) is its smallest
    first[1:] = key[1:] != key[:-1]
    values = np.zeros(n * NUM_PERM, dtype=np.uint64)
    values[key[first]] = sets[first] & _VALUE_MASK
    full = np.zeros(n * NUM_PERM, dtype=bool)
    full[key[first]] = True
    values, full = values.reshape(n, NUM_PERM), full.reshape(n, NUM_PERM)
    # rotation densification: the next non-empty bin j (circularly: bins NUM_PERM.. are bins 0.. again) of each bin
    pos = np.arange(2 * NUM_PERM)
    nxt = np.where(np.concatenate([full, full], axis=1), pos, 2 * NUM_PERM)
    j = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1][:, :NUM_PERM]
    rows = np.arange(n)[:, None]
    out = values[rows, j % NUM_PERM] + (j - pos[:NUM_PERM]).astype(np.uint64) * _STEP
    out[~full.any(axis=1)] = 0  # an empty set has the all-zero signature
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def candidate_pairs(signatures: np.ndarray, min_estimate: float = 0.0) -> np.ndarray:
    """Index pairs (i < j, sorted, unique) of rows of `signatures` (N x NUM_PERM) that share a whole LSH band
    and whose signatures agree in at least `min_estimate` of their values (the MinHash estimate of Jaccard).
    Each band's keys are sorted over all rows at once; pairs are filtered band by band, so memory stays
    bounded by the candidates of one band."""
    n = len(signatures)
    found = [np.zeros((0, 2), dtype=np.int64)]
    for band in range(LSH_BANDS):
        cols = signatures[:, band * LSH_ROWS:(band + 1) * LSH_ROWS]
        key = np.zeros(n, dtype=np.uint64)
        for c in range(LSH_ROWS):
            key = _finalise(key ^ (cols[:, c] * _MIX[c]))
        order = np.argsort(key, kind="stable")
        k = key[order]
        same = np.flatnonzero(k[1:] == k[:-1])  # order[s] and order[s + 1] share the band
        if not len(same):
            continue
        # runs of equal keys: every pair inside a run is a candidate
        starts = np.flatnonzero(np.diff(np.concatenate(([-2], same))) != 1)
        lo, hi = same[starts], np.append(same[starts[1:] - 1], same[-1]) + 2
        two = hi - lo == 2  # most runs are one pair: taken at once
        pairs = [np.sort(np.stack([order[lo[two]], order[lo[two] + 1]], axis=1), axis=1)]
        for a, b in zip(lo[~two], hi[~two]):
            run = np.sort(order[a:b])
            ii, jj = np.triu_indices(len(run), 1)
            pairs.append(np.stack([run[ii], run[jj]], axis=1))
        band_pairs = np.concatenate(pairs).astype(np.int64)
        if min_estimate > 0:
            band_pairs = band_pairs[_agreement(signatures, band_pairs) >= min_estimate]
        found.append(band_pairs)
    return np.unique(np.concatenate(found), axis=0)


def _agreement(signatures: np.ndarray, pairs: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """The share of equal signature values of each pair (the MinHash estimate of their Jaccard)."""
    out = np.empty(len(pairs))
    for lo in range(0, len(pairs), chunk):
        p = pairs[lo:lo + chunk]
        out[lo:lo + chunk] = (signatures[p[:, 0]] == signatures[p[:, 1]]).mean(axis=1)
    return out


def near_duplicate_pairs(ids: Sequence[str], signatures: np.ndarray, shingles_of: Callable[[int], np.ndarray],
                         threshold: float = NEAR_DUP_THRESHOLD) -> list[tuple[str, str, float]]:
    """Pairs (a, b, jaccard) with a < b whose exact shingle Jaccard is >= threshold. `ids` are sorted and
    name the rows of `signatures`; `shingles_of(i)` gives row i's shingle set (read only for candidates).
    A document without shingles (an empty body) is nobody's near-duplicate."""
    rows = np.flatnonzero(np.asarray(signatures).any(axis=1))  # an empty shingle set has the all-zero signature
    out = []
    cands = candidate_pairs(np.asarray(signatures)[rows], threshold - ESTIMATE_MARGIN) if len(rows) else ()
    for i, j in rows[cands] if len(rows) else ():
        a, b = shingles_of(int(i)), shingles_of(int(j))
        if not len(a) or not len(b):
            continue
        jac = jaccard(a, b)
        if jac >= threshold:
            out.append((ids[i], ids[j], round(jac, 6)))
    out.sort()
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
