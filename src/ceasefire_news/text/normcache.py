"""A cache of the normaliser's output hash per seed, so that `validate` need not re-normalise every seed.

The corpus-drift check asks: is corpus/<id>.txt exactly what the normaliser makes of seeds/<id>.txt? The
answer only depends on the seed's bytes and on the normaliser itself, so the cache maps
    sha256(seed bytes)  ->  sha256(normalised text)
in a file whose name carries a fingerprint of everything the normaliser's output depends on: the
normaliser version, the source code of normalize.py, the Unicode data version and the Python version.
A changed seed is a new key; a changed normaliser (even one whose version was not bumped) is a new file.
So an entry can only be stale if someone forges it; every lookup still compares against the hash of the
corpus file as it is on disk now. Entries are written only after the normaliser has really run.

The cache is a SQLite file outside the repository (`$CEASEFIRE_NEWS_CACHE`, else `$XDG_CACHE_HOME/
ceasefire-news`, else `~/.cache/ceasefire-news`): lookups are one indexed query, memory stays bounded
however large the corpus, and several processes may share it. Any error disables the cache for the run
(the check then simply normalises every seed); it never fails validation.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import unicodedata
from pathlib import Path

from . import normalize

_SCHEMA = "CREATE TABLE IF NOT EXISTS normalised (seed BLOB PRIMARY KEY, corpus BLOB NOT NULL) WITHOUT ROWID"


def fingerprint() -> str | None:
    """A hash of everything the normaliser's output depends on; None if its source cannot be read."""
    try:
        source = Path(normalize.__file__).read_bytes()
    except (OSError, TypeError):
        return None
    h = hashlib.sha256()
    for part in (normalize.NORMALISER_VERSION.encode(), source, unicodedata.unidata_version.encode(),
                 f"{sys.version_info[0]}.{sys.version_info[1]}".encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def cache_dir() -> Path:
    env = os.environ.get("CEASEFIRE_NEWS_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ceasefire-news"


class NormCache:
    """seed sha256 -> normalised-text sha256 (both as 32 raw bytes). Use as a context manager."""

    def __init__(self, path: str | Path | None = None):
        self._db: sqlite3.Connection | None = None
        self._pending = 0
        self._batch: dict[bytes, bytes] = {}
        fp = fingerprint()
        if fp is None:
            return
        try:
            path = Path(path) if path is not None else cache_dir() / f"normalised-{fp[:24]}.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(path), timeout=5, isolation_level="DEFERRED")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def prefetch(self, seed_shas: list[bytes]) -> None:
        """Load the entries of a batch of seeds in one query (get() then answers from memory)."""
        self._batch = {}
        if self._db is None or not seed_shas:
            return
        try:
            for i in range(0, len(seed_shas), 500):
                part = seed_shas[i:i + 500]
                rows = self._db.execute(f"SELECT seed, corpus FROM normalised WHERE seed IN ({','.join('?' * len(part))})",
                                        part).fetchall()
                self._batch.update(rows)
        except sqlite3.Error:
            self._disable()

    def get(self, seed_sha: bytes) -> bytes | None:
        if self._db is None:
            return None
        hit = self._batch.get(seed_sha)
        if hit is not None:
            return hit
        try:
            row = self._db.execute("SELECT corpus FROM normalised WHERE seed = ?", (seed_sha,)).fetchone()
        except sqlite3.Error:
            self._disable()
            return None
        return row[0] if row else None

    def put(self, seed_sha: bytes, corpus_sha: bytes) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO normalised VALUES (?, ?)", (seed_sha, corpus_sha))
            self._pending += 1
            if self._pending >= 2000:
                self._db.commit()
                self._pending = 0
        except sqlite3.Error:
            self._disable()

    def close(self) -> None:
        if self._db is None:
            return
        try:
            self._db.commit()
            self._db.close()
        except sqlite3.Error:
            pass
        self._db = None

    def _disable(self) -> None:
        try:
            self._db.close()  # type: ignore[union-attr]
        except sqlite3.Error:
            pass
        self._db = None

    def __enter__(self) -> "NormCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class NoCache(NormCache):
    """The cache switched off: every seed is normalised (`validate --no-cache`)."""

    def __init__(self) -> None:
        self._db = None
        self._pending = 0
        self._batch = {}
