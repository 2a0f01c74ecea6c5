"""The README's examples run, as written: every ```python block (the Hub ones against our loopback Hub, which
serves the embedded release as the project's dataset at its version tag) and the export and publish lines."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ceasefire_news import __version__
from ceasefire_news.hub import DEFAULT_REPO_ID

from .conftest import ROOT
from .hub_client import hub_env
from .hub_server import HubServer

README = (ROOT / "README.md").read_text(encoding="utf-8")
PY_BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.M | re.S)
EMBEDDED = ROOT / "src" / "ceasefire_news" / "_release"


@pytest.fixture(scope="module")
def hub():
    server = HubServer().start()
    files = {p.relative_to(EMBEDDED).as_posix(): p.read_bytes() for p in EMBEDDED.rglob("*") if p.is_file()}
    server.commit(DEFAULT_REPO_ID, files, tag=f"v{__version__}")
    yield server
    server.stop()


def _env(hub: HubServer, tmp_path: Path) -> dict[str, str]:
    return hub_env(hub.url, tmp_path / "hf", HF_TOKEN=hub.token)


def test_the_readme_has_the_examples_it_documents():
    assert len(PY_BLOCKS) >= 4
    assert any("source=\"hub\"" in b for b in PY_BLOCKS) and any("load_dataset" in b for b in PY_BLOCKS)


@pytest.mark.parametrize("index", range(len(PY_BLOCKS)))
def test_python_example_runs(index: int, hub, tmp_path):
    proc = subprocess.run([sys.executable, "-c", PY_BLOCKS[index]], env=_env(hub, tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, PY_BLOCKS[index] + "\n" + proc.stderr[-3000:]


def _commands(prefix: str) -> list[str]:
    return [line.strip() for block in re.findall(r"^```sh\n(.*?)^```", README, re.M | re.S)
            for line in block.splitlines() if line.strip().startswith(prefix)]


def test_export_and_dry_run_publish_examples_run(hub, tmp_path):
    cli = str(Path(sys.executable).with_name("ceasefire-news"))
    lines = _commands("ceasefire-news export") + [c for c in _commands("ceasefire-news publish") if "--dry-run" in c]
    assert len(lines) == 2, lines
    for line in lines:
        argv = shlex.split(line.split("#")[0].replace("OWNER/NAME", "owner/name"))
        argv[0] = cli
        if "publish" in argv:
            argv += ["--root", str(ROOT), "-q"]
        proc = subprocess.run(argv, env=_env(hub, tmp_path), cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, line + "\n" + proc.stdout + proc.stderr
    assert (tmp_path / "out" / "conll" / "loss.json").is_file()
    assert not [r for r in hub.requests if r[0] == "POST"], "a dry run must not write to the Hub"
