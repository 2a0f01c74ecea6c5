#!/usr/bin/env python3
"""How fast is `ceasefire-news site`? Documents per second beside a floor measured in the same run.

    python bench/viewer_site.py [--docs 500] [--seed 1] [--corpus DIR]

Makes (or reuses) a synthetic corpus with bench/make_corpus.py, builds its release, then times on one core:
  floor   read the release's `full` rows (checksums verified) and write one file per document holding its
          HTML-escaped text: the least any static site of this release must do;
  ours    `build_site`: the same rows, every layer marked and nested, the index with charts and the
          filter data, one page per document, written beside the target and swapped in.
Prints both and their ratio (the price of the marks, the legend, the index).
"""
from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from make_corpus import make_corpus  # noqa: E402

from ceasefire_news.release.build import build  # noqa: E402
from ceasefire_news.viewer.inputs import release_rows  # noqa: E402
from ceasefire_news.viewer.site import build_site  # noqa: E402


def floor(release: Path, out: Path) -> int:
    _, rows = release_rows(release, "full")
    out.mkdir(parents=True)
    for _, r in rows:
        (out / f"{r['id']}.html").write_text(f"<pre>{html.escape(r['text'])}</pre>", encoding="utf-8")
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="reuse (or make) the synthetic corpus here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(args.corpus or Path(tmp) / "corpus")
        if not (corpus / "annotations").is_dir():
            make_corpus(corpus, docs=args.docs, seed=args.seed, jobs=1)
        release = Path(tmp) / "dist"
        build(corpus, release, progress=False)
        from ceasefire_news.loader import load_table

        load_table("train", config="full", source=release)  # checksums verified once, for both timings alike
        t0 = time.perf_counter()
        n = floor(release, Path(tmp) / "floor")
        t_floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = build_site(release, Path(tmp) / "site")
        t_ours = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in result.out.rglob("*") if p.is_file())
    print(f"documents: {n}, site: {len(result.files)} files, {size / 1e6:.1f} MB")
    print(f"  floor (rows -> escaped text files): {t_floor:6.2f} s  {n / t_floor:8.0f} docs/s")
    print(f"  ours  (build_site)                : {t_ours:6.2f} s  {n / t_ours:8.0f} docs/s")
    print(f"  ratio ours / floor: {t_ours / t_floor:.1f}x")


if __name__ == "__main__":
    main()
