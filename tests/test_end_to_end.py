"""The seed through every stage: ingest -> validate -> build -> read the Parquet back -> load()."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ceasefire_news
from ceasefire_news.cli import main
from ceasefire_news.columns import SPLITS, data_file

from .conftest import ROOT, SEED_ID, SHARED_SEED


def test_seed_is_a_byte_for_byte_copy_of_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (ROOT / "seeds" / f"{SEED_ID}.txt").read_bytes() == SHARED_SEED.read_bytes()


def test_committed_corpus_and_annotations_are_what_ingest_makes(seed_only: Path):
    assert main(["ingest", "--root", str(seed_only), "-q"]) == 0
    assert (seed_only / "corpus" / f"{SEED_ID}.txt").read_bytes() == (ROOT / "corpus" / f"{SEED_ID}.txt").read_bytes()
    made = json.loads((seed_only / "annotations" / f"{SEED_ID}.json").read_text())
    committed = json.loads((ROOT / "annotations" / f"{SEED_ID}.json").read_text())
    for layer in ("boilerplate", "captions", "paragraphs"):
        auto = [x for x in committed["layers"][layer] if x["origin"] == "auto"]
        assert [(x["start"], x["end"]) for x in made["layers"][layer]] == [(x["start"], x["end"]) for x in auto]


def test_seed_goes_through_every_stage(seed_only: Path, tmp_path: Path, capsys):
    root = str(seed_only)
    assert main(["ingest", "--root", root, "-q"]) == 0
    assert main(["validate", "--root", root]) == 0
    out = tmp_path / "release"
    assert main(["build", "--root", root, "--out", str(out), "-q"]) == 0
    files = [data_file("default", s) for s in SPLITS if (out / data_file("default", s)).exists()]
    assert files, "no split was written"
    rows = [r for f in files for r in pq.read_table(out / f).to_pylist()]
    row = next(r for r in rows if r["id"] == SEED_ID)
    assert row["source"] == "The Times of Israel" and row["language"] == "en" and row["url"] is None
    assert row["text"].startswith("The mediators of the fragile Gaza ceasefire")
    assert "Already a member" not in row["text"] and "Daily Edition" not in row["text"]
    assert len(row["captions"]) == 5
    for e in row["entities"]:
        assert row["text"][e["start"]:e["end"]] == e["text"]
    # the loader reads the same row back, checksum-verified
    df = ceasefire_news.load("all", source=out)
    assert df.set_index("id").loc[SEED_ID, "text"] == row["text"]
    doc = next(d for d in ceasefire_news.documents("all", source=out) if d.id == SEED_ID)
    assert doc.text == row["text"] and len(doc.captions) == 5
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)


def test_empty_split_loads_as_an_empty_frame_with_every_column(seed_only: Path, tmp_path: Path):
    main(["ingest", "--root", str(seed_only), "-q"])
    out = tmp_path / "release"
    main(["build", "--root", str(seed_only), "--out", str(out), "-q"])
    empty = [s for s in SPLITS if not (out / data_file("default", s)).exists()]
    assert empty, "with one document two splits are empty"
    df = ceasefire_news.load(empty[0], source=out)
    assert len(df) == 0 and "entities" in df.columns and "text_sha256" in df.columns


def test_console_script_runs_as_a_real_process(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "validate", "--root", str(ROOT)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout


def test_an_unwritable_release_folder_is_one_line_not_a_traceback(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "build", "--root", str(ROOT), "-q",
                           "--out", str(blocker / "dist")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "error [os-error]" in proc.stderr


def test_re_ingest_refreshes_automatic_layers_and_leaves_manual_ones_byte_identical(repo_copy: Path):
    ann = repo_copy / "annotations" / f"{SEED_ID}.json"
    before = json.loads(ann.read_text())
    manual_before = {k: [x for x in v if x["origin"] == "manual"] for k, v in before["layers"].items()}
    assert sum(map(len, manual_before.values())) > 100, "the seed carries gold annotations"
    # a stale automatic item (as left by an older rules file) must go; manual items must stay exactly
    before["layers"]["boilerplate"].append({"id": "b99", "start": 0, "end": 3, "text": "The", "kind": "navigation",
                                            "origin": "auto"})
    ann.write_text(json.dumps(before))
    assert main(["ingest", "--root", str(repo_copy), "-q"]) == 0
    after = json.loads(ann.read_text())
    assert {k: [x for x in v if x["origin"] == "manual"] for k, v in after["layers"].items()} == manual_before
    assert all(x["id"] != "b99" for x in after["layers"]["boilerplate"])
    assert main(["validate", "--root", str(repo_copy), "-q"]) == 0
