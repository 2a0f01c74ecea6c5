#!/usr/bin/env python3
"""How far can a unit-level stripper go on the real pages? Oracle ceilings beside `clean()`, with the scorer's metric.

    python bench/boilerplate_ceiling.py [--data ../shared/boilerplate-real/test/article ...] [--limit N]

Each page is normalised and cut into the units `clean()` decides on (the rule cascade's units). Every unit gets
the label the block model is trained on (`scripts/train_block_model.py`: article text when at least half of its
4-token shingles occur in the gold body). Then three oracles, each keeping only units, are scored with the
metric of `../shared/boilerplate-real/score.py` (its own functions, imported from there):

  gold units                 keeps exactly the units labelled article text: what any stripper that keeps or
                             drops whole units could reach at best;
  gold units, our convention the same, less the units the cascade moves out of the body by the project's
                             convention (bylines, datelines and time stamps, credit lines, captions: the Dragnet
                             gold keeps them, the project's body does not);
  perfect model, rules stand the same, less every unit the model may not keep against the cascade (a rule, a
                             precise signal, a caption; a layout guess or a box's run only as `model_pass`
                             allows): a block model that never errs, with the cascade and its policy as they are.

and `clean()` itself. The oracles read the gold (they are ceilings, not strippers), so they may be run on `test/`.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from ceasefire_news.text.boilerplate import cascade, load_rules, restorable  # noqa: E402
from ceasefire_news.text.signals import word_count  # noqa: E402
from ceasefire_news.text.clean import clean  # noqa: E402
from ceasefire_news.text.normalize import normalize_bytes  # noqa: E402
from train_block_model import labels  # noqa: E402

REAL = ROOT.parent / "shared" / "boilerplate-real"
CONVENTION_KINDS = frozenset({"byline", "credit_line", "caption"})  # out of the body by the project's convention
SYSTEMS = ("gold units", "gold units, our convention", "perfect model, rules stand", "clean()")


def load_scorer(path: Path):
    """The shared scorer as a module: its loader and metric functions, so the figures are score.py's own."""
    spec = importlib.util.spec_from_file_location("boilerplate_real_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(raw: str, gold: str, rules) -> dict[str, str]:
    """Each system's body for one page."""
    c = cascade(normalize_bytes(raw.encode("utf-8"), "<page>").text, None, rules)
    texts = [u.text for u in c.units]
    y, _ = labels(texts, gold)
    keeps = {
        "gold units": [bool(v) for v in y],
        "gold units, our convention": [bool(v) and k not in CONVENTION_KINDS for v, k in zip(y, c.kind)],
        "perfect model, rules stand": [bool(v) and (k is None or restorable(k, w, 1.0, word_count(t)))
                                       for v, k, w, t in zip(y, c.kind, c.why, texts)],
    }
    out = {name: "\n".join(t for t, k in zip(texts, keep) if k) for name, keep in keeps.items()}
    out["clean()"] = clean(raw).body
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, action="append",
                    help="folders of <case>.raw.txt and .gold.txt (default: test and dev, both shapes)")
    ap.add_argument("--limit", type=int, default=0, help="pages per folder (default: all)")
    ap.add_argument("--scorer", type=Path, default=REAL / "score.py")
    args = ap.parse_args()
    if not args.scorer.is_file():
        print(f"error: no scorer at {args.scorer} (the shared boilerplate-real folder beside the repository)",
              file=sys.stderr)
        return 2
    score = load_scorer(args.scorer)
    folders = args.data or [REAL / s / shape for s in ("test", "dev") for shape in ("article", "page")]
    rules = load_rules()
    print(f"{'data':14s} {'system':28s} {'pages':>5s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for folder in folders:
        t0 = time.perf_counter()
        pages = score.load_dir(folder)[:args.limit or None]
        per_system: dict[str, list[tuple[str, str | None, float]]] = {s: [] for s in SYSTEMS}
        for page in pages:
            for name, body in outputs(page["raw"], page["gold"], rules).items():
                per_system[name].append((body, None, 0.0))
        for name in SYSTEMS:
            p, r, f = score.aggregate(score.score_pages(pages, per_system[name]))
            print(f"{score.label_of(folder):14s} {name:28s} {len(pages):5d} {p:6.3f} {r:6.3f} {f:6.3f}")
        print(f"  ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
