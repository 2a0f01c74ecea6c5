"""The release the wheel carries (`ceasefire_news/_release/`): refreshed from a fresh build, checked by a test.

`python scripts/embed_release.py` builds the repository's release and replaces the embedded copy with it,
byte for byte. Past `EMBED_SIZE_LIMIT` bytes only manifest.json and SHA256SUMS are embedded: the loader then
fetches exactly that revision (`v<package version>`) from the Hub and checks it against them.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import staging_beside, swap_in_folder
from ..columns import EMBED_SIZE_LIMIT, EMBEDDED
from .build import build
from .target import check_release_target

LITE_FILES = ("manifest.json", "SHA256SUMS")
REFRESH_COMMAND = "python scripts/embed_release.py"


@dataclass
class Embedded:
    dest: Path
    files: list[str]
    release_bytes: int
    lite: bool


def embed_release(root: str | Path = ".", dest: str | Path = EMBEDDED, limit: int = EMBED_SIZE_LIMIT) -> Embedded:
    """Build the release of `root` and make `dest` hold exactly it (or its manifest and checksums past `limit`).
    `dest` must be new, empty or an embedded release (the same rule as `build --out`, release/target.py)."""
    dest = check_release_target(dest, root)
    with tempfile.TemporaryDirectory(prefix="ceasefire-embed-") as tmp:
        out = build(root, Path(tmp) / "release", progress=False).out
        files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        size = sum((out / f).stat().st_size for f in files)
        lite = size > limit
        keep = [f for f in files if f in LITE_FILES] if lite else files
        staging = staging_beside(dest, "embedding")
        try:
            for f in keep:
                (staging / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(out / f, staging / f)
            swap_in_folder(staging, dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Embedded(dest, keep, size, lite)
