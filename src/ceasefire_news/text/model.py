"""The block model: "is this unit article text?", where the rules are silent or unsure.

Shallow, text-only features per unit in the manner of boilerpipe (Kohlschuetter et al., WSDM 2010): word count,
sentence length, stop-word share, capitalised-word share, digits, sentence-final punctuation, reader address,
position in the page, the same features of the neighbouring units, the verdict of the rule cascade on the unit and
its neighbours, and where the unit stands relative to the page's densest run of prose. A small gradient-boosted tree
ensemble, trained by `scripts/train_block_model.py` on aligned gold bodies, scores them; inference is numpy only.

The model file (`block_model.json`) holds numbers and feature names only, never text from any page.
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Sequence

import numpy as np

from .prefilter import prefiltered
from .reasons import RUN_PREFIX, is_signal
from .signals import COMMENTS_HEADER_RE, DATEISH_RE

MODEL_FILE = Path(__file__).with_name("block_model.json")

_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_SENT_SPLIT_RE = re.compile(r"[.!?…]+[\"”’)\]]*(?:\s+|$)")
_END_RE = re.compile(r"[.!?…][\"”’)\]]*$|[\"”]$")
_YOU_RE = re.compile(r"\b(you|your|yours|yourself)\b", re.I)
_WE_RE = re.compile(r"\b(we|our|us)\b")
_QUOTE_RE = re.compile(r"[“”\"]")
_SEPARATOR_RE = re.compile(r"[|»›•·©]")
_URLISH_RE = re.compile(r"https?://|www\.|\.com\b|\.org\b|@\w")
_DIGIT_RE = re.compile(r"\d")
_REPORT_RE = re.compile(r"\b(said|says|told|according to|added|stated|reported|announced|wrote|asked|noted)\b")
_COMMENTISH_RE = prefiltered(
    re.compile(r"\b(reply|comments?|posted by|permalink|said\.\.\.|wrote:|says:)\b", re.I))
# the project's own list of English function words (closed-class words: articles, pronouns, prepositions, ...)
STOP_WORDS = frozenset("""
a an the and or but nor so yet if then than that this these those there here which who whom whose what when where
why how all any both each few more most other some such no not only own same too very can will just should would
could may might must shall do does did doing done have has had having be is am are was were been being i me my we
us our you your he him his she her it its they them their of in on at to for from with by about against between
into through during before after above below up down out off over under again further once as until while also
""".split())

# cascade reasons grouped into families the model sees as features (rule ids map to their kind)
REASON_FAMILIES = (
    "none", "rule", "caption", "dateline", "repeated-line", "head-zone", "head-promo", "tail-zone", "link-list",
    "headline-run", "island", "byline-stack", "run", "link-artefact", "no-words", "call-to-action", "other",
)
_FAMILY_INDEX = {f: i for i, f in enumerate(REASON_FAMILIES)}


def reason_family(kind: str | None, why: str) -> str:
    if kind is None:
        return "none"
    if kind == "caption":
        return "caption"
    if why.startswith(RUN_PREFIX):
        return "run"
    if why in _FAMILY_INDEX:
        return why
    return "other" if is_signal(why) else "rule"


BASE = ("log_words", "log_chars", "mean_sentence_words", "stop_share", "cap_share", "digit_share", "ends_sentence",
        "sentences", "you_share", "we_share", "quote", "separators", "urlish", "reporting_verb", "dateish",
        "commentish", "upper_share", "punct_share", "comma_share", "repeats")
CONTEXT = ("rel_pos", "words_before_share", "words_after_share", "dist_to_peak", "in_extent", "page_units_log",
           "page_words_log", "window3_words", "window10_prose", "run_len_prose", "words_vs_longest",
           "dist_to_longest", "after_comments_header", "before_comments_header")
NEIGHBOURS = (-2, -1, 1, 2)
NEIGHBOUR_BASE = ("log_words", "ends_sentence", "stop_share", "cap_share")
# columns of a unit's BASE row, by name
_AT = {name: i for i, name in enumerate(BASE)}
_LOG_WORDS, _ENDS_SENTENCE, _STOP_SHARE, _REPEATS = (_AT[k] for k in ("log_words", "ends_sentence", "stop_share",
                                                                       "repeats"))
_NEIGHBOUR_AT = tuple(_AT[k] for k in NEIGHBOUR_BASE)
_NEIGHBOUR_OF = itemgetter(*_NEIGHBOUR_AT)  # a neighbour's NEIGHBOUR_BASE columns, as a tuple
_OUTSIDE = (-1.0,) * (len(_NEIGHBOUR_AT) + 1)  # the columns of a neighbour beyond the page's first or last unit


def feature_names() -> list[str]:
    names = list(BASE) + list(CONTEXT) + [f"reason={f}" for f in REASON_FAMILIES]
    for d in NEIGHBOURS:
        names += [f"n{d:+d}_{b}" for b in NEIGHBOUR_BASE] + [f"n{d:+d}_removed"]
    return names


# per-character counts: ASCII characters are counted by deleting a class from the bytes (in C), the few others one
# by one with the same str predicates, so the counts are exactly those of a loop over every character
_ASCII = [chr(c) for c in range(128)]
_UPPER = bytes(ord(c) for c in _ASCII if c.isupper())
_ALPHA = bytes(ord(c) for c in _ASCII if c.isalpha())
_ALNUM_OR_SPACE = bytes(ord(c) for c in _ASCII if c.isalnum() or c.isspace())
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _char_counts(text: str) -> tuple[int, int, int]:
    """(upper-case characters, letters, characters neither alphanumeric nor space) of `text`."""
    data = text.encode("ascii", "ignore")
    upper = len(data) - len(data.translate(None, _UPPER))
    alpha = len(data) - len(data.translate(None, _ALPHA))
    other = len(data.translate(None, _ALNUM_OR_SPACE))
    if len(data) < len(text):
        rest = _NON_ASCII_RE.findall(text)
        upper += sum(map(str.isupper, rest))
        alpha += sum(map(str.isalpha, rest))
        other += sum(not c.isalnum() and not c.isspace() for c in rest)
    return upper, alpha, other


def _base(text: str) -> list[float]:
    words = _WORD_RE.findall(text)
    n = len(words)
    chars = len(text)
    sentences = max(1, len([s for s in _SENT_SPLIT_RE.split(text) if s.strip()]))
    stop = sum(map(STOP_WORDS.__contains__, map(str.lower, words)))
    caps = sum(map(str.isupper, map(itemgetter(0), words)))  # a word's first character (words are never empty)
    upper, letters, other = _char_counts(text)
    letters = letters or 1
    digits = len(_DIGIT_RE.findall(text))
    return [
        math.log1p(n), math.log1p(chars), n / sentences,
        stop / n if n else 0.0, caps / n if n else 0.0,
        digits / chars if chars else 0.0,
        1.0 if _END_RE.search(text.rstrip()) else 0.0,
        float(sentences),
        len(_YOU_RE.findall(text)) / n if n else 0.0,
        len(_WE_RE.findall(text)) / n if n else 0.0,
        1.0 if _QUOTE_RE.search(text) else 0.0,
        float(len(_SEPARATOR_RE.findall(text))),
        1.0 if _URLISH_RE.search(text) else 0.0,
        1.0 if _REPORT_RE.search(text) else 0.0,
        1.0 if digits and DATEISH_RE.search(text) else 0.0,  # (every date shape has a digit)
        1.0 if _COMMENTISH_RE.search(text) else 0.0,
        upper / letters,
        other / chars if chars else 0.0,
        text.count(",") / n if n else 0.0,
        0.0,  # repeats: filled in by `features`
    ]


def _is_prose(row: list[float]) -> bool:
    # >= 12 words ending like a sentence with a normal share of function words
    return row[_LOG_WORDS] >= math.log1p(12) and row[_ENDS_SENTENCE] == 1.0 and row[_STOP_SHARE] >= 0.25


def features(texts: Sequence[str], kinds: Sequence[str | None], whys: Sequence[str]) -> np.ndarray:
    """The feature matrix of a page's units (rows in page order, columns as `feature_names()`)."""
    n = len(texts)
    base = [_base(t) for t in texts]
    counts: dict[str, int] = {}
    for t in texts:
        k = t.strip().lower()
        counts[k] = counts.get(k, 0) + 1
    for row, t in zip(base, texts):
        row[_REPEATS] = float(counts[t.strip().lower()] - 1)
    words = [math.expm1(r[_LOG_WORDS]) for r in base]
    prose = [_is_prose(r) for r in base]
    total = sum(words) or 1.0
    # the peak: the window of units with the most prose words; the extent: first to last long prose unit
    prose_words = [w if p else 0.0 for w, p in zip(words, prose)]
    win = 5
    acc = [0.0] * (n + 1)
    for i, w in enumerate(prose_words):
        acc[i + 1] = acc[i] + w
    peak = max(range(n), key=lambda i: (acc[min(n, i + win)] - acc[max(0, i - win)], -i)) if n else 0
    long_prose = [i for i in range(n) if prose[i] and words[i] >= 25]
    lo, hi = (long_prose[0], long_prose[-1]) if long_prose else (peak, peak)
    # runs of consecutive prose units
    run = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and prose[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = max(j, i + 1)
    removed = [k is not None for k in kinds]
    longest = max(range(n), key=lambda i: (words[i], -i)) if n else 0
    headers = [i for i, t in enumerate(texts) if len(t) < 60 and COMMENTS_HEADER_RE.search(t)]
    first_header = headers[0] if headers else n
    last_header = headers[-1] if headers else -1
    most = max(words) if n else 1.0
    X = np.zeros((n, len(feature_names())), dtype=np.float32)
    before = 0.0
    nb = len(BASE)
    nc = len(CONTEXT)
    for i in range(n):
        w3 = sum(words[max(0, i - 3):i + 4])
        p10 = sum(prose[max(0, i - 10):i + 11]) / len(prose[max(0, i - 10):i + 11])
        ctx = [i / max(1, n - 1), before / total, (total - before - words[i]) / total,
               (i - peak) / max(1, n), 1.0 if lo <= i <= hi else 0.0, math.log1p(n), math.log1p(total),
               math.log1p(w3), p10, float(run[i]), words[i] / (most or 1.0), (i - longest) / max(1, n),
               1.0 if i > first_header else 0.0, 1.0 if i < last_header else 0.0]
        before += words[i]
        row = base[i] + ctx
        fam = [0.0] * len(REASON_FAMILIES)
        fam[_FAMILY_INDEX[reason_family(kinds[i], whys[i])]] = 1.0
        row += fam
        for d in NEIGHBOURS:
            j = i + d
            if 0 <= j < n:
                row += _NEIGHBOUR_OF(base[j])
                row.append(1.0 if removed[j] else 0.0)
            else:
                row += _OUTSIDE
        X[i] = row
    assert X.shape[1] == nb + nc + len(REASON_FAMILIES) + (len(NEIGHBOUR_BASE) + 1) * len(NEIGHBOURS)
    return X


@dataclass(frozen=True)
class BlockModel:
    """A gradient-boosted tree ensemble stored as flat arrays: every tree padded to one node count."""

    version: str
    feature_names: tuple[str, ...]
    threshold: float
    base_score: float
    feature: np.ndarray     # (trees, nodes) int: split feature, -1 at a leaf
    cut: np.ndarray         # (trees, nodes) float64: go left when x <= cut
    left: np.ndarray        # (trees, nodes) int
    right: np.ndarray       # (trees, nodes) int
    value: np.ndarray       # (trees, nodes) float: leaf value (already scaled by the learning rate)
    depth: int

    def score(self, X: np.ndarray) -> np.ndarray:
        """P(article text) for each row of X: every tree walked for every row at once, one level per step."""
        if len(X) == 0:
            return np.zeros(0)
        walk = self._walk
        X = np.ascontiguousarray(X)
        xs = X.reshape(-1)
        row_at = (np.arange(len(X)) * X.shape[1])[:, None]
        node = np.broadcast_to(walk.roots, (len(X), len(walk.roots))).copy()
        for _ in range(self.depth):
            go_left = xs.take(row_at + walk.feature.take(node)) <= walk.cut.take(node)
            node = np.where(go_left, walk.left.take(node), walk.right.take(node))
        raw = self.base_score + walk.value.take(node).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))

    @functools.cached_property
    def _walk(self) -> "_Walk":
        """The flat arrays the walk reads, made once per model (kept in the instance's own __dict__)."""
        return _walk_arrays(self)


@dataclass(frozen=True)
class _Walk:
    """The trees as flat arrays indexed by a node's number over all trees (tree * nodes + node), each leaf its own
    child on both sides: a walk is plain `take`s, and a row that reached its leaf stays there."""

    roots: np.ndarray
    feature: np.ndarray
    cut: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray


def _walk_arrays(model: BlockModel) -> _Walk:
    trees, width = model.feature.shape
    base = (np.arange(trees) * width)[:, None]
    here = base + np.arange(width)[None, :]
    leaf = model.feature < 0
    return _Walk(base.ravel(), np.where(leaf, 0, model.feature).ravel(), model.cut.ravel(),
                 np.where(leaf, here, base + model.left).ravel(), np.where(leaf, here, base + model.right).ravel(),
                 model.value.ravel())


def load_model(path: str | Path | None = None) -> BlockModel | None:
    """The packaged model (or the one at `path`); None when no model file is there."""
    return _load(str(path or MODEL_FILE))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> BlockModel | None:
    p = Path(path)
    if not p.exists():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    if list(data["feature_names"]) != feature_names():
        raise ValueError(f"{path}: the model was trained on other features; retrain it "
                         f"(python scripts/train_block_model.py)")
    trees = data["trees"]
    width = max(len(t["feature"]) for t in trees)

    def pad(key: str, fill: float, dtype) -> np.ndarray:
        return np.array([t[key] + [fill] * (width - len(t[key])) for t in trees], dtype=dtype)

    return BlockModel(str(data["model_version"]), tuple(data["feature_names"]), float(data["threshold"]),
                      float(data["base_score"]), pad("feature", -1, np.int64), pad("cut", 0.0, np.float64),
                      pad("left", 0, np.int64), pad("right", 0, np.int64), pad("value", 0.0, np.float64),
                      int(data["depth"]) + 1)

