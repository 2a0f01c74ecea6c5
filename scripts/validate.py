#!/usr/bin/env python3
"""Validate the repository without installing the CLI: `python scripts/validate.py [PATH...] [--format github]`.

The same as `ceasefire-news validate`; runs the package from src/ when it is not installed."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ceasefire_news.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["validate", *sys.argv[1:]]))
