"""A release's SHA256SUMS: digest files, parse the list, check files against it.

One place for every stage that writes or reads a release (build, publish, the loader), so they cannot disagree on
what a digest is or on which names may appear in the list.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from .errors import CeasefireError, Problem

SUMS_FILE = "SHA256SUMS"


def file_digest(path: Path) -> tuple[int, str]:
    """(size, sha256 hex) of a file, read in blocks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def parse_sums(text: str, root: Path) -> dict[str, str]:
    """name -> hex digest of the `sha256sum` lines in `text`; a name outside the release is refused."""
    sums: dict[str, str] = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if not name:
            continue
        if name.startswith("/") or ".." in name.replace("\\", "/").split("/"):
            raise CeasefireError(Problem("checksum", f"{SUMS_FILE} names {name[:80]!r}, outside the release",
                                         str(root / SUMS_FILE), hint="the release was tampered with"))
        sums[name] = digest
    return sums


def read_sums(root: Path) -> dict[str, str]:
    return parse_sums((root / SUMS_FILE).read_text(encoding="utf-8"), root)


REBUILD_HINT = "rebuild the release (`ceasefire-news build`) or copy it again"


def verify(root: Path, names: list[str] | None = None, sums: dict[str, str] | None = None,
           hint: str = REBUILD_HINT) -> dict[str, str]:
    """Check `names` (default: every file SHA256SUMS lists) against SHA256SUMS (`sums`: already read); cached
    until a file or its listed digest changes. `hint` says what to do about a file that fails (the loader words
    its own for a copy in the Hub cache)."""
    sums = read_sums(root) if sums is None else sums
    names = sorted(sums) if names is None else sorted(n for n in names if n in sums)
    expected = tuple((n, sums[n], *_stat(root / n)) for n in names)
    _verified(root, expected, hint)
    return {n: sums[n] for n in names}


@functools.lru_cache(maxsize=64)
def _verified(root: Path, expected: tuple[tuple[str, str, int, int], ...], hint: str) -> None:
    """Each (name, digest, mtime, size) checked once per process: the key holds the digest SHA256SUMS lists, so a
    changed list is checked again too."""
    for name, digest, *_ in expected:
        f = root / name
        if not f.is_file():
            raise CeasefireError(Problem("checksum", f"file listed in {SUMS_FILE} is missing", str(f), hint=hint))
        if file_digest(f)[1] != digest:
            raise CeasefireError(Problem("checksum", f"SHA-256 of {name} does not match {SUMS_FILE}: the file is "
                                         "corrupt or was changed after the build", str(f), hint=hint))


def _stat(p: Path) -> tuple[int, int]:
    try:
        st = p.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)
