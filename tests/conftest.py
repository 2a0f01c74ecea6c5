"""Shared fixtures: the repository's own inputs, copied into a scratch repository per test."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_ID = "000_e39bfd33e101e3f6"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / f"{SEED_ID}.txt"


@pytest.fixture(scope="session")
def corpus_repo(tmp_path_factory) -> Path:
    """The synthetic multi-document repository of corpus_factory, made once per test run: read-only for tests."""
    from .corpus_factory import make_repo

    return make_repo(tmp_path_factory.mktemp("corpus") / "repo")


@pytest.fixture(scope="session")
def corpus_release(corpus_repo: Path, tmp_path_factory) -> Path:
    """Its release with every split populated (ratios 50/25/25), built once per test run: read-only for tests
    (copy it to change it)."""
    from .corpus_factory import build_release

    return build_release(corpus_repo, tmp_path_factory.mktemp("corpus-out") / "rel", ratios=(50, 25, 25))


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
