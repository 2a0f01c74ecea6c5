#!/usr/bin/env python3
"""Build the release without installing the CLI: `python scripts/build.py [--out dist]` (= `ceasefire-news build`)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ceasefire_news.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
