"""The long fuzz run: every target of tests/test_fuzz.py with >= 10,000 generated cases (the whole-build target
with --build-examples, default 300: each case is a complete build). Prints hypothesis' statistics per target
(how many cases passed, how many were refused, how long) and exits non-zero when any target fails.

    python bench/fuzz_long.py                 # 10,000 cases per target
    python bench/fuzz_long.py --examples 20000 --build-examples 1000
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=10_000, help="cases per target (default 10000)")
    ap.add_argument("--build-examples", type=int, default=300, help="cases of the whole-build target (default 300)")
    ap.add_argument("-k", default=None, help="only the targets matching this pytest -k expression")
    args = ap.parse_args()
    os.environ["CEASEFIRE_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ["CEASEFIRE_FUZZ_BUILD_EXAMPLES"] = str(args.build_examples)
    import pytest

    t0 = time.perf_counter()
    argv = [str(ROOT / "tests" / "test_fuzz.py"), "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
            *(["-k", args.k] if args.k else [])]
    rc = pytest.main(argv)
    print(f"fuzz_long: {args.examples} cases per target ({args.build_examples} whole builds), "
          f"{time.perf_counter() - t0:.0f} s, pytest exit status {int(rc)}")
    return int(rc)


if __name__ == "__main__":
    sys.exit(main())
