"""The loader: one obvious call, lazy, checksum-verified.

    import ceasefire_news
    df = ceasefire_news.load("train")            # pandas DataFrame, default config
    for doc in ceasefire_news.documents("all"):  # Document records
        print(doc.id, doc.entities[0].label)

Where the release is found, first match wins: the `path` argument; $CEASEFIRE_NEWS_RELEASE; a release
embedded in the installed package (`ceasefire_news/release`); `dist/` of the source checkout the package
runs from. Every file is checked against the release's SHA256SUMS once per process.
"""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .columns import CONFIGS, SPLITS, split_paths
from .errors import CeasefireError, Problem

_PKG = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str
    id: str = ""


@dataclass(frozen=True)
class Cue:
    """The reporting verb of a quote or attribution ("said")."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    text: str
    speaker: str
    kind: str
    id: str = ""
    speaker_id: str | None = None  # the id of the speaker's entity or source in the same document
    cue: Cue | None = None


@dataclass(frozen=True)
class Source:
    """An attribution to an unnamed source ("a source briefed on the meeting")."""

    start: int
    end: int
    text: str
    id: str = ""
    anonymity: str | None = None
    cue: Cue | None = None


@dataclass(frozen=True)
class Caption:
    text: str
    credit: str
    agency: str | None
    photographer: str | None
    entities: tuple[Entity, ...]


@dataclass(frozen=True)
class Document:
    """One released document (default config): the clean body and its spans (code points, half-open)."""

    id: str
    text: str
    title: str | None
    source: str
    url: str | None
    published: str | None
    language: str
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]
    sources: tuple[Source, ...]
    captions: tuple[Caption, ...]
    text_sha256: str


def release_dir(path: str | os.PathLike | None = None) -> Path:
    """The release folder the loader reads (see the module docstring for the order)."""
    candidates = [Path(path)] if path is not None else [
        *([Path(os.environ["CEASEFIRE_NEWS_RELEASE"])] if os.environ.get("CEASEFIRE_NEWS_RELEASE") else []),
        _PKG / "release",
        _PKG.parent.parent / "dist",
    ]
    for c in candidates:
        if (c / "SHA256SUMS").is_file():
            return c.resolve()
    where = ", ".join(str(c) for c in candidates)
    raise CeasefireError(Problem("no-release", f"no release found (looked in: {where})",
                                 hint="run `ceasefire-news build --out dist`, or pass path=..."))


@functools.lru_cache(maxsize=16)
def _verified(root: Path, stamp: tuple) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if not name:
            continue
        f = root / name
        if not f.is_file():
            raise CeasefireError(Problem("checksum", "file listed in SHA256SUMS is missing", str(f)))
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != digest:
            raise CeasefireError(Problem("checksum", "SHA-256 does not match SHA256SUMS: the file is corrupt or "
                                         "was changed after the build", str(f), hint="rebuild or re-download"))
        sums[name] = digest
    return sums


def verify(root: Path) -> dict[str, str]:
    """Check every file of the release against SHA256SUMS (cached until a file changes)."""
    stamp = tuple(sorted((str(p.relative_to(root)), p.stat().st_mtime_ns, p.stat().st_size)
                        for p in root.rglob("*") if p.is_file()))
    return _verified(root, stamp)


def _splits(split: str) -> tuple[str, ...]:
    if split == "all":
        return SPLITS
    if split not in SPLITS:
        raise CeasefireError(Problem("bad-split", f"unknown split {split!r}; expected one of train, validation, test, all"))
    return (split,)


def load_table(split: str = "train", config: str = "default", path: str | os.PathLike | None = None) -> pa.Table:
    """The rows of `split` ("all" for every split) of `config` as an Arrow table; an empty split has every column."""
    if config not in CONFIGS:
        raise CeasefireError(Problem("bad-config", f"unknown config {config!r}; expected one of {', '.join(CONFIGS)}"))
    root = release_dir(path)
    verify(root)
    tables = [pq.read_table(f, schema=CONFIGS[config]) for s in _splits(split) for f in split_paths(root, config, s)]
    if not tables:
        return CONFIGS[config].empty_table()
    return pa.concat_tables(tables)


def load(split: str = "train", config: str = "default", path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The rows of `split` (train, validation, test or all) as a pandas DataFrame."""
    table = load_table(split, config, path)
    return table.to_pandas(types_mapper=None) if table.num_rows else pd.DataFrame(
        {f.name: pd.Series([], dtype=object if not pa.types.is_integer(f.type) else "int64") for f in table.schema})


def _cue(c: dict | None) -> Cue | None:
    return Cue(**c) if c else None


def documents(split: str = "train", path: str | os.PathLike | None = None) -> Iterator[Document]:
    """Yield the documents of `split` as Document records, one at a time."""
    table = load_table(split, "default", path)
    for batch in table.to_batches(max_chunksize=256):
        for r in batch.to_pylist():
            yield Document(
                id=r["id"], text=r["text"], title=r["title"], source=r["source"], url=r["url"],
                published=r["published"], language=r["language"],
                entities=tuple(Entity(**e) for e in r["entities"]),
                quotes=tuple(Quote(**{**q, "cue": _cue(q["cue"])}) for q in r["quotes"]),
                sources=tuple(Source(**{**s, "cue": _cue(s["cue"])}) for s in r["sources"]),
                captions=tuple(Caption(c["text"], c["credit"], c["agency"], c["photographer"],
                                       tuple(Entity(**e) for e in c["entities"])) for c in r["captions"]),
                text_sha256=r["text_sha256"])
