"""The validator as contributors and CI meet it: a real process, the three output formats, the exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_ID
from .validate_fixtures import make_repo, write_doc

A = f"annotations/{SEED_ID}.json"
C = f"corpus/{SEED_ID}.txt"


def cli(cwd: Path, *args: str, script: bool = False, cache: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CEASEFIRE_NEWS_CACHE": str(cache or cwd / ".cache")}
    cmd = [sys.executable, str(ROOT / "scripts" / "validate.py")] if script else \
        [sys.executable, "-m", "ceasefire_news.cli", "validate"]
    return subprocess.run([*cmd, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def corrupt_offset(root: Path, doc: dict, text: str) -> None:
    doc["layers"]["entities"][0]["end"] += 3
    write_doc(root, doc)


def corrupt_label(root: Path, doc: dict, text: str) -> None:
    doc["layers"]["entities"][1]["label"] = "CITY"
    write_doc(root, doc)


def corrupt_json(root: Path, doc: dict, text: str) -> None:
    p = root / A
    p.write_text(p.read_text(encoding="utf-8").replace('"kind": "partial",', '"kind": "partial"', 1),
                 encoding="utf-8")


def corrupt_corpus(root: Path, doc: dict, text: str) -> None:
    p = root / C
    p.write_text(text.replace("Witkoff", "Witkof", 1) + "", encoding="utf-8")


@pytest.mark.parametrize("corrupt,file,code", [
    (corrupt_offset, A, "span-text"), (corrupt_label, A, "unknown-label"), (corrupt_json, A, "json-syntax"),
    (corrupt_corpus, C, "corpus-drift")], ids=["offset", "label", "json-syntax", "corpus-character"])
def test_a_corruption_fails_naming_the_file_without_a_traceback(corrupt, file, code, tmp_path: Path):
    root, doc, text = make_repo(tmp_path / "repo")
    corrupt(root, doc, text)
    proc = cli(root)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{file}:") and f": error [{code}] " in first
    assert proc.stdout.splitlines()[-1].endswith("in 1 document")


def test_clean_repository_exits_0_and_script_agrees(tmp_path: Path):
    root, doc, _ = make_repo(tmp_path / "repo")
    n = sum(len(v) for v in doc["layers"].values())
    for script in (False, True):
        proc = cli(root, script=script)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout == f"OK: {n} annotations in 1 document\n"


def test_json_format(tmp_path: Path):
    root, doc, text = make_repo(tmp_path / "repo")
    corrupt_label(root, doc, text)
    proc = cli(root, "--format", "json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False and report["errors"] == 1 and report["documents_checked"] == 1
    assert report["problems"] == [{
        "code": "unknown-label", "message": "unknown entity label 'CITY'", "file": A, "line": 46, "column": 18,
        "pointer": "/layers/entities/1/label", "level": "error", "hint": "the labels are listed in docs/guidelines.md"}]


def test_github_format(tmp_path: Path):
    root, doc, text = make_repo(tmp_path / "repo")
    corrupt_label(root, doc, text)
    corrupt_corpus(root, doc, text)
    proc = cli(root, "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == (f"::error file={C},line=9,col=64,title=corpus-drift::[corpus-drift] corpus text differs from "
                        "the normalised seed at character 890: \", Qatari Prime Minis\" where the seed gives \"f, "
                        "Qatari Prime Mini\" (hint: corpus texts are made by `ceasefire-news ingest`; re-run it, never "
                        "edit them)")
    assert lines[1].startswith(f"::error file={A},line=390,col=18,title=hash-mismatch::[hash-mismatch] ")
    # with the text gone wrong, the checks that need no text still run
    assert lines[2] == (f"::error file={A},line=46,col=18,title=unknown-label::[unknown-label] unknown entity label "
                        "'CITY' at /layers/entities/1/label (hint: the labels are listed in docs/guidelines.md)")
    assert lines[3:] == ["3 errors, 0 warnings in 1 document"]


def test_paths_name_one_document(tmp_path: Path):
    root, doc, text = make_repo(tmp_path / "repo")
    corrupt_label(root, doc, text)
    proc = cli(tmp_path, f"repo/{A}")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(f"repo/{A}:46:18: error [unknown-label] ")


@pytest.mark.parametrize("folder", ["annotations", "corpus", "seeds"])
def test_an_input_folder_stands_for_its_documents(folder: str, tmp_path: Path):
    """`validate annotations/` checks every document with a file there, like naming each file."""
    root, doc, text = make_repo(tmp_path / "repo")
    ok = cli(tmp_path, f"repo/{folder}")
    assert ok.returncode == 0 and "in 1 document" in ok.stdout, ok.stdout + ok.stderr
    corrupt_label(root, doc, text)
    proc = cli(tmp_path, f"repo/{folder}")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(f"repo/{A}:46:18: error [unknown-label] ")


@pytest.mark.parametrize("args,code", [
    (("--format", "xml"), "invalid choice"), (("no/such/file.json",), "[no-such-path]"),
    (("--root", "not-a-repo"), "[not-a-repository]")], ids=["bad-option", "no-such-path", "not-a-repository"])
def test_usage_errors_exit_2(args, code, tmp_path: Path):
    (tmp_path / "not-a-repo").mkdir()
    proc = cli(tmp_path, *args)
    assert proc.returncode == 2
    assert code in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
