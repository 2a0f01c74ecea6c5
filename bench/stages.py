#!/usr/bin/env python3
"""Stage by stage, each against a floor measured in the same run, on the seeds of a benchmark corpus:

    python bench/stages.py --corpus DIR [--docs 2000] [--release DIR]

  normalise   text.normalize.normalize_bytes (MB/s)     vs unicodedata.normalize("NFC") of the decoded text
  clean       normalise + boilerplate.clean_view (pages/s, one core; target >= 1,000)
  ner         the ner view (tokens, sentences, tags, token buffers: ner_batch, shard by shard as the build
              runs it) over the clean bodies (MB/s of CPU time; target >= 20) vs one re.findall(r"\\S+") per body
  loader      ceasefire_news.loader.load_table("all", config) vs pyarrow.parquet.read_table of the same files
              (target <= 1.2x), when --release names a built release
Times are CPU time (time.process_time). Ratios are what to compare; absolute figures on a shared machine are noise.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _timed(fn, items) -> float:
    """CPU seconds (time.process_time): each stage runs on one core; wall time on a shared machine is noise."""
    t = time.process_time()
    for x in items:
        fn(x)
    return time.process_time() - t


def _cpu(fn, items, repeat: int = 3) -> float:
    """The least CPU time of `repeat` runs (the steadier figure on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        for x in items:
            fn(x)
        best = min(best, time.process_time() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="a corpus made by bench/make_corpus.py")
    ap.add_argument("--docs", type=int, default=2000, help="documents to time (the first N seeds)")
    ap.add_argument("--release", default=None, help="a built release, for the loader line")
    args = ap.parse_args(argv)

    from ceasefire_news.release.build import SHARD_DOCS
    from ceasefire_news.release.ner import ner_batch
    from ceasefire_news.text.boilerplate import clean_view, load_rules
    from ceasefire_news.text.normalize import normalize_bytes

    seeds = sorted(p for p in (Path(args.corpus) / "seeds").glob("*.txt"))[: args.docs]
    raw = [p.read_bytes() for p in seeds]
    mb = sum(map(len, raw)) / 1e6
    texts = [b.decode("utf-8", "replace") for b in raw]
    floor = _timed(lambda t: unicodedata.normalize("NFC", t), texts)
    ours = _timed(normalize_bytes, raw)
    print(f"normalise: {mb / ours:.1f} MB/s vs NFC alone {mb / floor:.1f} MB/s ({ours / floor:.1f}x its time); "
          f"{len(raw)} seeds, {mb:.1f} MB")

    rules = load_rules()
    normed = [normalize_bytes(b).text for b in raw]
    t = time.process_time()
    views = [clean_view(x, None, rules)[0] for x in normed]
    dt = time.process_time() - t + ours
    print(f"clean (normalise + boilerplate): {len(raw) / dt:,.0f} pages/s on one core (target >= 1,000)")

    bodies = [v.body for v in views]
    bmb = sum(len(b.encode()) for b in bodies) / 1e6
    space = re.compile(r"\S+")
    docs = [(f"d{k}", b, []) for k, b in enumerate(bodies)]
    floor = _cpu(space.findall, bodies)
    ours = _cpu(ner_batch, [docs[i:i + SHARD_DOCS] for i in range(0, len(docs), SHARD_DOCS)])
    print(f"ner tokens + sentences + tags: {bmb / ours:.1f} MB/s of CPU (target >= 20) vs findall(\\S+) "
          f"{bmb / floor:.1f} MB/s ({ours / floor:.2f}x its time); {len(bodies)} bodies, {bmb:.1f} MB")

    if args.release:
        import pyarrow.parquet as pq

        from ceasefire_news.columns import CONFIGS, SPLITS, split_paths
        from ceasefire_news.loader import load_table

        rel = Path(args.release)
        for config in CONFIGS:
            files = [f for s in SPLITS for f in split_paths(rel, config, s)]
            t = time.perf_counter()
            for f in files:
                pq.read_table(f, schema=CONFIGS[config])
            floor = time.perf_counter() - t
            t = time.perf_counter()
            load_table("all", config=config, source=rel)
            ours = time.perf_counter() - t
            print(f"loader {config}: {ours:.3f} s vs read_table {floor:.3f} s ({ours / floor:.2f}x; target <= 1.2x; "
                  "ours includes the SHA256SUMS check)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
