#!/usr/bin/env python3
"""Train the block model (`src/ceasefire_news/text/block_model.json`): "is this unit article text?".

Training data: the real pages of `../shared/boilerplate-real/dev/` (both shapes; never `test/`, which stays the blind
estimate) and the project's own synthetic development sets (`tests/data/boilerplate`, `_heldout`, `_blind2`; never
`_blind3`, which stays blind). Labels come from aligning each gold body to the page's units: a unit is article text
when at least half of its 4-token shingles (or, for a unit of under four tokens, its tokens) occur in the gold.
Every page weighs the same; inside a page a unit weighs by its tokens, as the shingle metric does.

Deterministic: the same data gives the same file (no subsampling, no early stopping, fixed seed). The file holds
feature names and numbers only, never page text. Needs scikit-learn (`pip install -e '.[train]'`); inference does not.

    python scripts/train_block_model.py [--real ../shared/boilerplate-real] [--out FILE] [--cv]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ceasefire_news.text.boilerplate import cascade, load_rules  # noqa: E402
from ceasefire_news.text.model import MODEL_FILE, feature_names  # noqa: E402
from ceasefire_news.text.normalize import normalize_bytes  # noqa: E402

TOKEN_RE = re.compile(r"\w+")
SYNTHETIC = ("boilerplate", "boilerplate_heldout", "boilerplate_blind2")
MODEL_VERSION = "1"


def cases(folder: Path) -> list[tuple[str, Path, Path]]:
    return [(p.name[:-len(".raw.txt")], p, p.with_name(p.name.replace(".raw.txt", ".gold.txt")))
            for p in sorted(folder.glob("*.raw.txt"))]


def labels(unit_texts: list[str], gold: str) -> tuple[np.ndarray, np.ndarray]:
    """(is article text, token count) per unit, by shingle overlap with the gold body."""
    gt = TOKEN_RE.findall(gold)
    g4 = {tuple(gt[i:i + 4]) for i in range(len(gt) - 3)}
    gs = set(gt)
    y, w = [], []
    for t in unit_texts:
        toks = TOKEN_RE.findall(t)
        sh = [tuple(toks[i:i + 4]) for i in range(len(toks) - 3)]
        frac = (sum(x in g4 for x in sh) / len(sh)) if sh else (
            sum(x in gs for x in toks) / len(toks) if toks else 0.0)
        y.append(frac >= 0.5)
        w.append(len(toks))
    return np.array(y, dtype=np.int8), np.array(w, dtype=np.float64)


def page_units(raw: bytes, rules) -> tuple[list[str], list[str | None], list[str]]:
    """The page's units with the rule cascade's verdicts: what the model sees at inference."""
    text = normalize_bytes(raw, "<page>").text
    c = cascade(text, None, rules)
    return [u.text for u in c.units], c.kind, c.why


def page_data(units: tuple, gold: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ceasefire_news.text.model import features

    texts, kinds, whys = units
    X = features(texts, kinds, whys)
    y, toks = labels(texts, gold)
    total = toks.sum() or 1.0
    return X, y, (toks + 0.5) / total


def dataset(real: Path, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, weights and site groups of every training page. `cache` keeps the cascade's verdicts
    (the slow part) between runs while features are being worked on; it is keyed by nothing, so delete it after
    a rule change."""
    import pickle

    rules = load_rules()
    memo = pickle.loads(cache.read_bytes()) if cache and cache.exists() else {}
    folders = [real / "dev" / "article", real / "dev" / "page"] + [ROOT / "tests" / "data" / s for s in SYNTHETIC]
    Xs, ys, ws, groups = [], [], [], []
    for folder in folders:
        index = {e["case"]: e.get("outlet", "") for e in json.loads((folder / "index.json").read_text())}
        for case, raw, gold in cases(folder):
            key = str(raw)
            if key not in memo:
                memo[key] = page_units(raw.read_bytes(), rules)
            X, y, w = page_data(memo[key], gold.read_text(encoding="utf-8"))
            Xs.append(X)
            ys.append(y)
            ws.append(w)
            site = index.get(case) or case.rsplit("_", 1)[0]
            groups.append(np.full(len(y), hash_site(site), dtype=np.int64))
    if cache:
        cache.write_bytes(pickle.dumps(memo))
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(groups)


def hash_site(site: str) -> int:
    import hashlib

    return int(hashlib.sha256(site.encode()).hexdigest()[:8], 16)


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=200, max_depth=5, learning_rate=0.1, max_leaf_nodes=24,
                                          l2_regularization=1.0, early_stopping=False, random_state=0).fit(
        X, y, sample_weight=w)


def export(model, threshold: float) -> dict:
    trees = []
    for (pred,) in model._predictors:
        nodes = pred.nodes
        trees.append({
            "feature": [int(f) if not leaf else -1 for f, leaf in zip(nodes["feature_idx"], nodes["is_leaf"])],
            "cut": [float(x) for x in nodes["num_threshold"]],
            "left": [int(x) for x in nodes["left"]],
            "right": [int(x) for x in nodes["right"]],
            "value": [round(float(v), 9) if leaf else 0.0 for v, leaf in zip(nodes["value"], nodes["is_leaf"])],
        })
    depth = max(int(p[0].nodes["depth"].max()) for p in model._predictors)
    return {"model_version": MODEL_VERSION, "kind": "gradient-boosted trees (x <= cut goes left)",
            "trained_on": "boilerplate-real dev/ (Dragnet, AGPL-3.0) + the project's synthetic development sets",
            "feature_names": feature_names(), "threshold": threshold,
            "base_score": float(np.ravel(model._baseline_prediction)[0]), "depth": depth, "trees": trees}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "boilerplate-real")
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--threshold", type=float, default=0.15,
                    help="P(article) under which a unit goes (low: recall first)")
    ap.add_argument("--cv", action="store_true", help="also report a 3-fold by-site cross-validation")
    ap.add_argument("--cache", type=Path, help="keep the rule cascade's verdicts here between runs (tuning only)")
    args = ap.parse_args(argv)
    t0 = time.time()
    X, y, w, groups = dataset(args.real, args.cache)
    print(f"{len(y)} units, {int(y.sum())} article, {X.shape[1]} features ({time.time() - t0:.0f} s)")
    if args.cv:
        from sklearn.model_selection import GroupKFold

        oof = np.zeros(len(y))
        for tr, te in GroupKFold(3).split(X, y, groups):
            oof[te] = fit(X[tr], y[tr], w[tr]).predict_proba(X[te])[:, 1]
        for th in (0.2, 0.3, 0.35, 0.4, 0.5):
            keep = oof >= th
            tp = (w * (keep & (y == 1))).sum()
            print(f"  cv threshold {th:.2f}: weighted recall {tp / (w * (y == 1)).sum():.3f} "
                  f"precision {tp / max((w * keep).sum(), 1e-9):.3f}")
    model = fit(X, y, w)
    data = export(model, args.threshold)
    from ceasefire_news.text.model import load_model

    # checked before it replaces anything: a model whose numpy inference disagrees never reaches --out
    trial = args.out.with_name(f".{args.out.name}.trial")
    trial.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    diff = float(np.abs(load_model(trial).score(X) - model.predict_proba(X)[:, 1]).max())
    if diff >= 1e-6:
        trial.unlink()
        print(f"numpy inference vs scikit-learn: max |diff| {diff:.2e}; {args.out} left as it was", file=sys.stderr)
        return 1
    trial.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, {len(data['trees'])} trees); "
          f"numpy inference vs scikit-learn: max |diff| {diff:.2e} ({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
