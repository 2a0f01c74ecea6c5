#!/usr/bin/env python3
"""The loader against its floor, on the same files, in the same run:

    PYTHONPATH=src python bench/loader_speed.py [--docs 2000] [--repeat 7] [--release DIR]

- load(split, format="arrow") vs pyarrow.parquet.read_table of the split's files (target <= 1.2x);
- load(split) (pandas, Arrow-backed) vs pandas.read_parquet(file, dtype_backend="pyarrow") (target <= 1.2x).

Times are the best of --repeat calls (ours and the floor alternating) after one warm-up (the warm-up also pays the one-off SHA256SUMS check,
reported on its own). Without --release, a synthetic repository (bench/make_corpus.py) of --docs documents
is built first into a temporary folder.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from ceasefire_news import loader  # noqa: E402
from ceasefire_news.checksums import verify  # noqa: E402
from ceasefire_news.columns import SPLITS, split_paths  # noqa: E402

LIMIT = 1.2


def _pair(ours, floor, repeat: int) -> tuple[float, float]:
    """Best time of each over `repeat` rounds, the two calls alternating so that load on a shared machine hits
    both alike (one warm-up call each first)."""
    ours(), floor()
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (floor, b)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return min(a), min(b)


def _release(args: argparse.Namespace, tmp: Path) -> Path:
    if args.release:
        return Path(args.release)
    from make_corpus import make_corpus

    from ceasefire_news.release.build import build

    t0 = time.perf_counter()
    make_corpus(tmp / "repo", args.docs, seed=1)
    out = build(tmp / "repo", tmp / "release", progress=False, workers=2).out
    print(f"built a release of {args.docs} documents in {time.perf_counter() - t0:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--release", help="an already built release folder")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        root = _release(args, Path(tmp))
        t0 = time.perf_counter()
        verify(root)
        print(f"SHA256SUMS check of the whole release (once per process): {time.perf_counter() - t0:.3f} s")
        worst = 0.0
        for config in ("default", "full", "ner"):
            files = [f for s in SPLITS for f in split_paths(root, config, s)]  # every shard of every split
            size = sum(f.stat().st_size for f in files) / 1e6
            ours, floor = _pair(lambda: loader.load("all", config=config, source=root, format="arrow"),
                                lambda: pa.concat_tables([pq.read_table(f) for f in files]), args.repeat)
            train = split_paths(root, config, "train")
            ours_pd, floor_pd = _pair(lambda: loader.load("train", config=config, source=root),
                                      lambda: pd.concat([pd.read_parquet(f, dtype_backend="pyarrow") for f in train],
                                                        ignore_index=True), args.repeat)
            r1, r2 = ours / floor, ours_pd / floor_pd
            worst = max(worst, r1, r2)
            print(f"{config:<8} {size:7.1f} MB  arrow: load {ours * 1e3:8.1f} ms / read_table {floor * 1e3:8.1f} ms "
                  f"= {r1:.2f}x   pandas: load {ours_pd * 1e3:8.1f} ms / read_parquet {floor_pd * 1e3:8.1f} ms "
                  f"= {r2:.2f}x")
        print(f"worst ratio {worst:.2f}x (target <= {LIMIT}x): {'OK' if worst <= LIMIT else 'OVER'}")
        return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
