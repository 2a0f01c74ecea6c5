#!/usr/bin/env python3
"""`build` against its I/O floor, measured in the same run: documents/s, MB/s, peak RSS and the ratio.

    python bench/build_floor.py --docs 10000 --seed 7 [--corpus DIR] [--workers N] [--engine dask]

The corpus is made with bench/make_corpus.py when DIR does not hold one (default bench/out/corpus-<docs>-<seed>).
Then, in order:
  warm-up   every input file is read once (untimed), and `validate` fills the normaliser cache (untimed), so
            the floor and the build both see a warm page cache and the build's drift check a warm cache;
  build     `build` in a child process (its start-up and imports are not timed; peak RSS is the largest
            resident set of the child or one of its workers, from wait4);
  floor     read every corpus text (and decode it), `orjson.loads` every annotation file, and write the
            build's own output tables once more with `pyarrow.parquet.write_table` (zstd, the build's pinned
            settings), table by table (reading them back is not timed).
The ratio build / floor is what to compare between runs: absolute times on a shared machine are noise. It is
printed for wall time and for CPU time (the build's, workers included, with its process start-up; the
floor's), the latter being steadier when other work shares the cores.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

CHILD = """
import json, sys, time
from ceasefire_news.release.build import build
t = time.perf_counter()
r = build(sys.argv[1], sys.argv[2], progress=False, workers=int(sys.argv[3]), engine=sys.argv[4])
print(json.dumps({"seconds": time.perf_counter() - t, "released": sum(map(len, r.released.values())),
                  "rejected": len(r.rejected), "pairs": len(r.near_duplicates)}))
"""


def _files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).iterdir())


def warm_up(root: Path) -> int:
    """Read every input file once; returns the input bytes."""
    total = 0
    for folder in ("seeds", "corpus", "annotations"):
        for p in _files(root, folder):
            total += len(p.read_bytes())
    from ceasefire_news.annotations.validate import validate_repo

    problems, _, _ = validate_repo(root)
    assert not problems, problems[:3]
    return total


def floor(root: Path, release: Path, scratch: Path) -> dict[str, float]:
    import orjson
    import pyarrow.parquet as pq

    from ceasefire_news.columns import CONFIGS, DICTIONARY_COLUMNS, ROW_GROUP_SIZE
    from ceasefire_news.release.build import PARQUET_OPTIONS

    t, c = time.perf_counter(), time.process_time()
    for p in _files(root, "corpus"):
        p.read_bytes().decode("utf-8")
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    for p in _files(root, "annotations"):
        orjson.loads(p.read_bytes())
    t_json = time.perf_counter() - t
    t_write = cpu_write = 0.0
    cpu_read = time.process_time() - c
    for f in sorted(release.rglob("*.parquet")):
        rel = f.relative_to(release)
        config = rel.parts[1] if len(rel.parts) == 3 else "default"
        table = pq.read_table(f, schema=CONFIGS[config])
        t, c = time.perf_counter(), time.process_time()
        pq.write_table(table, str(scratch / "t.parquet"), use_dictionary=DICTIONARY_COLUMNS[config],
                       row_group_size=ROW_GROUP_SIZE[config], **PARQUET_OPTIONS)
        t_write += time.perf_counter() - t
        cpu_write += time.process_time() - c
        del table
    return {"read": t_read, "json": t_json, "write": t_write, "total": t_read + t_json + t_write,
            "cpu": cpu_read + cpu_write}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", default=None, help="corpus folder (made if missing)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    args = ap.parse_args(argv)
    root = Path(args.corpus or HERE / "out" / f"corpus-{args.docs}-{args.seed}")
    if not (root / "annotations").is_dir():
        from make_corpus import make_corpus

        t = time.perf_counter()
        make_corpus(root, args.docs, args.seed)
        print(f"made {root} in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    in_bytes = warm_up(root)
    print(f"warm-up (read + validate) {time.perf_counter() - t:.1f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="build-floor-") as tmp:
        out = Path(tmp) / "release"
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(out), str(args.workers), args.engine],
                                env=env, stdout=subprocess.PIPE, text=True)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage: its own and its workers' peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            return 1
        rss_mb = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime  # includes the start-up and imports (about 2 s)
        b = json.loads(stdout.splitlines()[-1])
        out_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        f = floor(root, out, Path(tmp))
    docs = b["released"] + b["rejected"]
    print(f"corpus: {root} ({docs} documents, {in_bytes / 1e6:.1f} MB in; release {out_bytes / 1e6:.1f} MB; "
          f"{b['rejected']} rejected; {b['pairs']} near-duplicate pairs)")
    print(f"floor: {f['total']:.2f} s (read texts {f['read']:.2f}, orjson annotations {f['json']:.2f}, "
          f"write_table {f['write']:.2f})")
    print(f"build: {b['seconds']:.2f} s, {args.workers} worker(s), engine {args.engine}: {docs / b['seconds']:,.0f} "
          f"documents/s, {in_bytes / 1e6 / b['seconds']:.1f} MB/s, peak RSS {rss_mb:,.0f} MB")
    print(f"ratio build / floor: {b['seconds'] / f['total']:.2f}x wall (target <= 3x); CPU seconds "
          f"{cpu:.1f} / {f['cpu']:.1f} = {cpu / f['cpu']:.2f}x (CPU time is steadier on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
