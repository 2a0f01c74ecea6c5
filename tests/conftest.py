"""Shared fixtures: the repository's own inputs, copied into a scratch repository per test."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_ID = "000_e39bfd33e101e3f6"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / f"{SEED_ID}.txt"


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of seeds/, corpus/ and annotations/ that a test may change freely."""
    dst = tmp_path / "repo"
    for name in ("seeds", "corpus", "annotations"):
        shutil.copytree(ROOT / name, dst / name)
    return dst


@pytest.fixture
def seed_only(tmp_path: Path) -> Path:
    """A repository holding only the seed and its sidecar: everything else must be made by the tools."""
    dst = tmp_path / "fresh"
    (dst / "seeds").mkdir(parents=True)
    for suffix in (".txt", ".meta.json"):
        shutil.copy(ROOT / "seeds" / f"{SEED_ID}{suffix}", dst / "seeds")
    return dst
