"""Seed metadata sidecars (seeds/<id>.meta.json): reading, checking, and a skeleton for new seeds."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from .errors import CeasefireError, Problem
from .fsutil import parse_json
from .schemas import compiled

META_SCHEMA_VERSION = "1.0"


def check_meta(meta: Any, file: str, doc_id: str | None = None) -> list[Problem]:
    """Schema and consistency problems of one sidecar."""
    schema = compiled("metadata")
    problems = []
    if not schema.is_valid(meta):
        problems += [Problem("meta-schema", e.message, file=file, pointer=e.pointer)
                     for e in schema.errors(meta)]
    elif not real_date(meta["published"]):
        problems.append(Problem("meta-date", f"published {meta['published']!r} is not a date that exists",
                                file=file, pointer="/published", hint="YYYY-MM-DD, e.g. 2025-02-28"))
    elif doc_id is not None and meta["doc_id"] != doc_id:
        problems.append(Problem("meta-doc-id", f"doc_id is {meta['doc_id']!r} but the file is named for {doc_id!r}",
                                file=file, pointer="/doc_id"))
    return problems


def real_date(value: str | None) -> bool:
    """True for null or a calendar date that exists (the schema checks only the YYYY-MM-DD shape)."""
    if value is None:
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def load_meta(path: str | Path, doc_id: str | None = None) -> dict[str, Any]:
    """Read and check a sidecar; raise CeasefireError with every problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CeasefireError(Problem("missing-meta", "metadata sidecar not found", file=str(path),
                                     hint="create it (see README: adding a document) or pass --source")) from None
    return parse_meta(data, str(path), doc_id)


def parse_meta(data: bytes, file: str, doc_id: str | None = None) -> dict[str, Any]:
    """Parse and check the bytes of a sidecar (named `file` in problems); raise CeasefireError with every problem."""
    meta = parse_json(data, file)  # bytes that are not UTF-8: [bad-encoding] with the byte, its line and column
    problems = check_meta(meta, file, doc_id)
    if problems:
        raise CeasefireError(problems)
    return meta


def skeleton(doc_id: str, source: str, language: str, seed_sha256: str) -> dict[str, Any]:
    """A sidecar for a seed that came without one: unknown facts are null, never invented."""
    return {"schema_version": META_SCHEMA_VERSION, "doc_id": doc_id, "source": source, "language": language,
            "published": None, "published_basis": "unknown", "url": None, "title": None,
            "rights": "Copyright remains with the publisher; redistributed for non-commercial research.",
            "seed_sha256": seed_sha256}
