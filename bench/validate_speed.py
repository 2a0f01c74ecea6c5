#!/usr/bin/env python3
"""How fast is `ceasefire-news validate`? Annotations per second, end to end, beside the naive way.

    python bench/validate_speed.py [--corpus DIR] [--docs 20000] [--seed 1] [--sample 300]

Makes (or reuses) a synthetic corpus with bench/make_corpus.py, then times on ONE core, in this process:
  ours, cold   validate_repo with an empty normaliser cache: read + parse + schema + every semantic check,
               and every seed re-normalised for the corpus-drift check;
  ours, warm   the same with the cache filled by the cold run (the corpus files are still read and hashed;
               only the normaliser's output hash per seed comes from the cache);
  naive        per document: json.load, then `jsonschema.validate(doc, schema)` (which builds a validator and
               checks the schema each call) - run on a sample of documents and extrapolated;
  compiled     per document: json.load, then a compiled `jsonschema.Draft202012Validator` - sample, extrapolated.
  floor        every annotation file read, `orjson.loads` and one jsonschema-rs `is_valid` pass (no semantic
               check, no seed, sidecar or corpus file): what no validator of these files can beat.
The naive and compiled lines do the schema only, none of the semantic checks: they are lower bounds of
what those ways would cost.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from make_corpus import make_corpus  # noqa: E402


def _count(root: Path, ids: list[str]) -> int:
    n = 0
    for i in ids:
        doc = json.loads((root / "annotations" / f"{i}.json").read_bytes())
        n += sum(len(v) for v in doc["layers"].values())
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(HERE / "out" / "corpus-20k"), help="corpus folder (made if missing)")
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=300, help="documents for the naive and compiled ways")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not (root / "annotations").is_dir():
        t = time.perf_counter()
        make_corpus(root, args.docs, args.seed)
        print(f"made {root} in {time.perf_counter() - t:.1f} s")

    cache_dir = tempfile.mkdtemp(prefix="validate-speed-cache-")
    os.environ["CEASEFIRE_NEWS_CACHE"] = cache_dir  # before the package reads it
    import jsonschema

    from ceasefire_news.resources import load_schema
    from ceasefire_news.schemas import compiled
    from ceasefire_news.annotations.validate import validate_repo

    compiled("annotations"), compiled("metadata")  # compile once, outside the timings (as a CLI run does at start)
    schema = load_schema("annotations")

    rows = []
    for label in ("ours, cold (normalises every seed)", "ours, warm (normaliser cache)"):
        t, c = time.perf_counter(), time.process_time()
        problems, docs, spans = validate_repo(root)
        dt = time.perf_counter() - t
        print(f"{label}: {dt:.2f} s wall, {time.process_time() - c:.2f} s CPU", flush=True)
        assert not problems, problems[:3]
        rows.append((label, docs, spans, dt, False))
    docs, spans = rows[0][1], rows[0][2]
    if docs < 20000 or spans < 800000:
        print(f"note: the corpus has {docs} documents and {spans} annotations (the target is >= 20,000 and >= 800,000)")

    ids = sorted(p.name[:-5] for p in (root / "annotations").iterdir() if p.name.endswith(".json"))
    import orjson

    is_valid = compiled("annotations").is_valid
    t = time.perf_counter()
    for i in ids:  # the floor: read + orjson.loads + one jsonschema-rs pass per annotation file, nothing else
        assert is_valid(orjson.loads((root / "annotations" / f"{i}.json").read_bytes()))
    rows.append(("floor: orjson.loads + jsonschema-rs is_valid", docs, spans, time.perf_counter() - t, False))
    step = max(1, len(ids) // args.sample)
    sample = ids[::step][: args.sample]
    n_sample = _count(root, sample)
    t = time.perf_counter()
    for i in sample:
        jsonschema.validate(json.loads((root / "annotations" / f"{i}.json").read_bytes()), schema)
    dt = time.perf_counter() - t
    rows.append(("naive: jsonschema.validate per document", len(sample), n_sample, dt, True))
    v = jsonschema.Draft202012Validator(schema)
    t = time.perf_counter()
    for i in sample:
        v.validate(json.loads((root / "annotations" / f"{i}.json").read_bytes()))
    dt = time.perf_counter() - t
    rows.append(("compiled jsonschema validator", len(sample), n_sample, dt, True))

    print(f"corpus: {root} ({docs} documents, {spans} annotations); one core (no --jobs)")
    print(f"{'way':42s} {'docs':>7s} {'annotations':>12s} {'seconds':>8s} {'ann/s':>11s}")
    for label, d, n, dt, extrapolated in rows:
        print(f"{label:42s} {d:7d} {n:12d} {dt:8.2f} {n / dt:11,.0f}" + ("  (sample; extrapolated: "
              f"{spans / (n / dt):,.0f} s for the corpus)" if extrapolated else ""))
    warm, floor, naive, comp = (rows[k][2] / rows[k][3] for k in (1, 2, 3, 4))
    cold = rows[0][2] / rows[0][3]
    print(f"warm is {warm / naive:,.0f}x the naive way and {warm / comp:,.0f}x the compiled jsonschema validator; "
          f"cold is {cold / naive:,.0f}x the naive way")
    print(f"ratio warm / floor: {floor / warm:.2f}x the floor's time (floor {floor:,.0f} annotations/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
