"""Where the package finds its data files: the schemas and boilerplate rules.

The repository holds one copy of `schema/` and `rules/` at its root; a wheel carries them inside the package
(see pyproject.toml). An editable or source checkout falls back to the repository copy, so there is never a
second copy to drift.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

_PKG = Path(__file__).resolve().parent


@functools.cache  # the package does not move while it runs: stat the folders once, not on every load_rules()
def _data_dir(name: str) -> Path:
    packaged = _PKG / name
    if packaged.is_dir():
        return packaged
    repo = _PKG.parent.parent / name  # src/ceasefire_news -> repository root
    if repo.is_dir():
        return repo
    raise FileNotFoundError(f"ceasefire_news: data folder {name!r} not found in the package or the repository")


def schema_dir() -> Path:
    return _data_dir("schema")


def rules_dir() -> Path:
    return _data_dir("rules")


@functools.lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """Load `schema/<name>.schema.json` (cached: schemas are read once per process)."""
    return json.loads((schema_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))
