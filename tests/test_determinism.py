"""Byte-identical releases: same inputs, different folders, time zones, clocks, hash seeds and worker counts."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .corpus_factory import make_repo, tree_bytes

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("det") / "repo")


def _cli_build(repo: Path, out: Path, env_extra: dict[str, str | None], *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in env_extra}
    env.update({k: v for k, v in env_extra.items() if v is not None})
    env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "build", "--root", str(repo), "--out", str(out),
                           "-q", *args], env=env, capture_output=True, text=True, cwd=out.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_two_builds_in_different_folders_times_and_time_zones_are_byte_identical(repo: Path, tmp_path: Path):
    other_repo = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(repo, other_repo)
    a, b = tmp_path / "one" / "release", tmp_path / "two" / "deeper" / "dist"
    a.parent.mkdir(parents=True)
    b.parent.mkdir(parents=True)
    _cli_build(repo, a, {"TZ": "UTC", "SOURCE_DATE_EPOCH": None, "PYTHONHASHSEED": "1", "LC_ALL": "C"})
    time.sleep(1.1)  # a different wall-clock second
    _cli_build(other_repo, b, {"TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": "315532800", "PYTHONHASHSEED": "977",
                               "LC_ALL": "C.UTF-8"}, "--workers", "2")
    one, two = tree_bytes(a), tree_bytes(b)
    assert sorted(one) == sorted(two)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    assert {"README.md", "croissant.json", "manifest.json", "SHA256SUMS", "images/labels.png", "LICENSE.md",
            "ner_report.json", "data/train-00000-of-00001.parquet"} <= set(one)
    # no trace of the folders the build ran in
    for name, data in one.items():
        assert str(tmp_path).encode() not in data, name

