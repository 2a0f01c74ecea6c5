#!/usr/bin/env python3
"""Time `build` on a synthetic repository of N documents, with 1 and with W workers, and check that both
releases are byte-identical.

    PYTHONPATH=src python bench/release_build.py --docs 500 --workers 2

Documents are sentences drawn with a seeded RNG from a small vocabulary (distinct enough that they are not
near-duplicates), every tenth one a light edit of an earlier one (a near-duplicate), each with a few entities.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ceasefire_news.release.build import build  # noqa: E402
from ceasefire_news.ingest import ingest  # noqa: E402
from ceasefire_news.repo import Repo  # noqa: E402

NAMES = ["Gaza", "Israel", "Egypt", "Qatar", "Cairo", "Doha", "Lebanon", "Hamas", "Hezbollah", "Jenin"]
WORDS = ("talks truce aid trucks crossing hostages ministry army officials mediators statement plan phase "
         "forces border council envoy meeting deal violation strike shelter winter convoy report said "
         "warned urged agreed rejected announced the a of in on and to with after before").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    words.insert(rng.randint(0, len(words)), rng.choice(NAMES))
    return " ".join(words).capitalize() + "."


def make(root: Path, n: int) -> None:
    rng = random.Random(20251219)
    repo = Repo.at(root)
    (root / "seeds").mkdir(parents=True)
    bodies: list[str] = []
    for i in range(n):
        if i % 10 == 9:
            body = bodies[rng.randrange(len(bodies))] + "\n\n" + _sentence(rng)
        else:
            body = "\n\n".join(" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 8)))
        bodies.append(body)
        doc_id = f"{i:05d}_bench"
        data = body.encode()
        (root / "seeds" / f"{doc_id}.txt").write_bytes(data)
        (root / "seeds" / f"{doc_id}.meta.json").write_text(json.dumps({
            "schema_version": "1.0", "doc_id": doc_id, "source": "Bench Wire", "language": "en", "published": None,
            "published_basis": "unknown", "url": None, "title": None, "rights": "synthetic", "story": None,
            "seed_sha256": hashlib.sha256(data).hexdigest()}))
        ingest(repo.seed_path(doc_id), repo)
        text = repo.corpus_path(doc_id).read_text()
        ann = json.loads(repo.annotation_path(doc_id).read_text())
        ents = []
        for name in NAMES:
            s = text.find(name)
            if s >= 0:
                ents.append({"id": f"e{len(ents) + 1}", "start": s, "end": s + len(name), "label": "GPE",
                             "text": name, "origin": "manual"})
        ann["layers"]["entities"] = ents
        repo.annotation_path(doc_id).write_text(json.dumps(ann))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        t0 = time.perf_counter()
        make(root, args.docs)
        print(f"made {args.docs} documents in {time.perf_counter() - t0:.1f} s")
        results = {}
        for w in (1, args.workers):
            out = Path(tmp) / f"rel-{w}"
            t0 = time.perf_counter()
            r = build(root, out, progress=False, workers=w)
            dt = time.perf_counter() - t0
            results[w] = tree(out)
            print(f"build, {w} worker(s): {dt:.2f} s ({args.docs / dt:.0f} docs/s); "
                  f"splits {', '.join(f'{s} {len(v)}' for s, v in r.released.items())}; "
                  f"near-duplicate pairs {len(r.near_duplicates)}; rejected {len(r.rejected)}")
        same = results[1] == results[args.workers]
        print(f"byte-identical across worker counts: {same} ({len(results[1])} files)")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
