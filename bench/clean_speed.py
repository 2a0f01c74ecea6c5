#!/usr/bin/env python3
"""`clean` pages per second of CPU time, in process on one core, with the parts it is made of timed in the same run:
normalising alone (the floor every cleaner pays), the rule cascade, and the block model (features + trees).

    python bench/clean_speed.py [--data ../shared/boilerplate-real/dev/article ...] [--limit N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ceasefire_news.text.boilerplate import detect, load_rules  # noqa: E402
from ceasefire_news.text.clean import clean  # noqa: E402
from ceasefire_news.text.model import features, load_model  # noqa: E402
from ceasefire_news.text.normalize import normalize_bytes  # noqa: E402
from ceasefire_news.text.passes import cascade  # noqa: E402

REAL = ROOT.parent / "shared" / "boilerplate-real"


def timed(fn, pages) -> float:
    """CPU seconds (time.process_time): one core's work, much less disturbed by the other loads of a shared
    machine than wall time."""
    t0 = time.process_time()
    for p in pages:
        fn(p)
    return time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, action="append", help="folders of *.raw.txt (default: both dev shapes)")
    ap.add_argument("--limit", type=int, default=0, help="pages per folder (default: all)")
    args = ap.parse_args()
    folders = args.data or [REAL / "dev" / "article", REAL / "dev" / "page"]
    rules, model = load_rules(), load_model()
    for folder in folders:
        raws = [p.read_bytes() for p in sorted(folder.glob("*.raw.txt"))]
        raws = raws[:args.limit] if args.limit else raws
        texts = [normalize_bytes(r, "x").text for r in raws]
        clean(raws[0], rules=rules)  # warm up: compiled patterns, the model file
        t_norm = timed(lambda r: normalize_bytes(r, "x"), raws)
        t_cascade = timed(lambda t: cascade(t, None, rules), texts)
        cascades = [cascade(t, None, rules) for t in texts]
        t_feat = timed(lambda c: features([u.text for u in c.units], c.kind, c.why), cascades)
        mats = [features([u.text for u in c.units], c.kind, c.why) for c in cascades]
        t_trees = timed(model.score, mats)
        t_detect = timed(lambda t: detect(t, None, rules), texts)
        t_clean = timed(lambda r: clean(r, rules=rules), raws)
        n = len(raws)
        mb = sum(len(r) for r in raws) / 1e6
        print(f"{folder.relative_to(folder.parents[1])}: {n} pages, {mb:.1f} MB")
        print(f"  clean()              {n / t_clean:8.0f} pages/s  {mb / t_clean:6.2f} MB/s  "
              f"({t_clean / t_norm:.1f}x normalising alone)")
        print(f"  normalise            {n / t_norm:8.0f} pages/s  (the floor)")
        print(f"  rule cascade         {n / t_cascade:8.0f} pages/s  ({t_cascade / t_clean:.0%} of clean)")
        print(f"  model features       {n / t_feat:8.0f} pages/s  ({t_feat / t_clean:.0%} of clean)")
        print(f"  model trees          {n / t_trees:8.0f} pages/s  ({t_trees / t_clean:.0%} of clean)")
        print(f"  detect (no decode)   {n / t_detect:8.0f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
