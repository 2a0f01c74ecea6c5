#!/usr/bin/env python3
"""Refresh the release the wheel carries: `python scripts/embed_release.py` (run after anything changes the
release bytes; tests/test_embedded.py fails until it is run)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ceasefire_news.release.embed import embed_release  # noqa: E402

if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    e = embed_release(root)
    what = "manifest and checksums only (past the size limit)" if e.lite else f"{len(e.files)} files"
    print(f"embedded {what} of a {e.release_bytes}-byte release into {e.dest.relative_to(root)}")
