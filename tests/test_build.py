"""The build: Parquet layout and encoding, spans that match their text, failure safety, workers, summary."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ceasefire_news.release.build as build_mod
from ceasefire_news.release.build import build
from ceasefire_news.cli import main
from ceasefire_news.columns import CONFIGS, DICTIONARY_COLUMNS, ROW_GROUP_SIZE, SPLITS, data_file
from ceasefire_news.errors import CeasefireError
from ceasefire_news.fsutil import recover_beside

from .corpus_factory import build_release, make_repo, tree_bytes

ROOT = Path(__file__).resolve().parent.parent


def _files(release: Path) -> list[tuple[str, str, Path]]:
    return [(c, s, release / data_file(c, s)) for c in CONFIGS for s in SPLITS if (release / data_file(c, s)).exists()]


def test_parquet_files_have_the_explicit_schema_zstd_dictionary_labels_and_hf_names(corpus_release: Path):
    files = _files(corpus_release)
    assert {c for c, _, _ in files} == set(CONFIGS) and len({s for _, s, _ in files}) >= 2
    on_disk = sorted(str(p.relative_to(corpus_release)) for p in (corpus_release / "data").rglob("*"))
    assert all(n.endswith("-00000-of-00001.parquet") or not n.endswith(".parquet") for n in on_disk)
    for config, split, f in files:
        pf = pq.ParquetFile(f)
        assert pf.schema_arrow.equals(CONFIGS[config]), (config, split)
        assert pf.metadata.num_rows > 0 and pf.metadata.num_row_groups >= 1
        assert all(pf.metadata.row_group(i).num_rows <= ROW_GROUP_SIZE[config] for i in range(pf.num_row_groups))
        rg = pf.metadata.row_group(0)
        cols = {rg.column(i).path_in_schema: rg.column(i) for i in range(rg.num_columns)}
        assert {c.compression for c in cols.values()} == {"ZSTD"}
        for path in DICTIONARY_COLUMNS[config]:
            assert cols[path].has_dictionary_page and "RLE_DICTIONARY" in cols[path].encodings, (config, path)
        assert not cols["id"].has_dictionary_page  # only the label-like columns are dictionary-encoded
        assert b"ARROW:schema" not in (pf.metadata.metadata or {})


def test_rows_are_sorted_and_every_span_matches_its_text(corpus_release: Path):
    for config, _, f in _files(corpus_release):
        rows = pq.read_table(f).to_pylist()
        key = [(r["doc_id"], r["sentence_index"]) if config == "ner" else r["id"] for r in rows]
        assert key == sorted(key)
        if config == "ner":
            continue
        n = 0
        for r in rows:
            for layer in ("entities", "quotes", "sources") + (("boilerplate", "captions") if config == "full" else ()):
                for x in r[layer]:
                    assert r["text"][x["start"]:x["end"]] == x["text"], (config, r["id"], layer, x)
                    n += 1
            for c in r["captions"] if config == "default" else ():
                for e in c["entities"]:
                    assert c["text"][e["start"]:e["end"]] == e["text"]
        assert n > 0


def test_default_columns_keep_the_readme_contract(corpus_release: Path):
    contract = ["id", "text", "title", "source", "url", "published", "published_basis", "language", "entities",
                "quotes", "sources", "captions", "text_sha256"]
    assert CONFIGS["default"].names == contract
    assert pq.read_schema(corpus_release / data_file("default", "train")).names == contract


def test_manifest_records_versions_and_the_hash_of_every_input(corpus_release: Path, corpus_repo: Path):
    m = json.loads((corpus_release / "manifest.json").read_text())
    assert m["package_version"] and m["schema_version"] and m["normaliser_version"]
    for d, v in m["documents"].items():
        assert v["seed_sha256"] == hashlib.sha256((corpus_repo / "seeds" / f"{d}.txt").read_bytes()).hexdigest()
        assert v["corpus_sha256"] == hashlib.sha256((corpus_repo / "corpus" / f"{d}.txt").read_bytes()).hexdigest()
        annotations = corpus_repo / "annotations" / f"{d}.json"
        assert v["annotations_sha256"] == hashlib.sha256(annotations.read_bytes()).hexdigest()
        assert v["meta_sha256"] == hashlib.sha256((corpus_repo / "seeds" / f"{d}.meta.json").read_bytes()).hexdigest()
    sums = dict(line.split("  ")[::-1] for line in (corpus_release / "SHA256SUMS").read_text().splitlines())
    files = {str(p.relative_to(corpus_release)) for p in corpus_release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(sums) == files
    assert all(hashlib.sha256((corpus_release / n).read_bytes()).hexdigest() == h for n, h in sums.items())


def test_workers_give_byte_identical_output(corpus_repo: Path, corpus_release: Path, tmp_path: Path):
    out = build_release(corpus_repo, tmp_path / "w2", ratios=(50, 25, 25), workers=2)
    assert tree_bytes(out) == tree_bytes(corpus_release)


def test_a_bad_document_is_rejected_with_reasons_and_the_rest_released(corpus_repo: Path, tmp_path: Path, capsys):
    bad = tmp_path / "repo"
    import shutil

    shutil.copytree(corpus_repo, bad)
    ann = json.loads((bad / "annotations" / "105_hostage.json").read_text())
    ann["layers"]["entities"][0]["start"] += 1
    (bad / "annotations" / "105_hostage.json").write_text(json.dumps(ann))
    assert main(["build", "--root", str(bad), "--out", str(tmp_path / "rel"), "-q", "--no-strict"]) == 1
    err = capsys.readouterr().err
    assert "105_hostage" in err and "rejections.json" in err
    rejected = json.loads((tmp_path / "rel" / "rejections.json").read_text())["rejected"]
    assert list(rejected) == ["105_hostage"] and rejected["105_hostage"][0]["code"]
    m = json.loads((tmp_path / "rel" / "manifest.json").read_text())
    assert "105_hostage" not in m["documents"] and len(m["documents"]) == 10


def test_a_failed_build_leaves_the_previous_release_byte_identical(corpus_repo: Path, corpus_release: Path,
                                                                   tmp_path: Path, monkeypatch):
    out = tmp_path / "rel"
    import shutil

    shutil.copytree(corpus_release, out)
    before = tree_bytes(out)
    real = build_mod.atomic_write_bytes
    written = []

    def failing(path, data):
        written.append(path)
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(build_mod, "atomic_write_bytes", failing)
    with pytest.raises(OSError):
        build(corpus_repo, out, progress=False)
    assert tree_bytes(out) == before
    assert not list(tmp_path.glob(".rel.*"))  # the half-written folder is gone

    monkeypatch.setattr(build_mod, "label_chart_png", lambda counts: 1 / 0)  # a failure before anything is written
    with pytest.raises(ZeroDivisionError):
        build(corpus_repo, out, progress=False)
    assert tree_bytes(out) == before


KILLER = textwrap.dedent("""
    import os, signal, sys
    import ceasefire_news.fsutil as fs
    import ceasefire_news.release.build as b
    real, n = b.atomic_write_bytes, [0]
    stage = sys.argv[3]
    def write(path, data):
        n[0] += 1
        if stage == "writing" and n[0] == 6:
            os.kill(os.getpid(), signal.SIGKILL)   # killed with the new release half-written
        real(path, data)
    b.atomic_write_bytes = write
    if stage == "swapping":
        real_replace = os.replace
        def replace(src, dst):
            real_replace(src, dst)
            if str(dst).endswith(".old"):
                os.kill(os.getpid(), signal.SIGKILL)   # killed between moving the old release out and the new in
        fs._exchange = lambda a, c: False
        fs.os.replace = replace
    b.build(sys.argv[1], sys.argv[2], progress=False)
""")


@pytest.mark.parametrize("stage", ["writing", "swapping"])
def test_a_killed_build_leaves_the_previous_release_usable(corpus_repo: Path, corpus_release: Path, tmp_path: Path,
                                                            stage: str):
    import shutil

    import ceasefire_news

    out = tmp_path / "rel"
    shutil.copytree(corpus_release, out)
    before = tree_bytes(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(corpus_repo), str(out), stage], env=env,
                          capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    if stage == "writing":
        assert tree_bytes(out) == before
    else:  # the old release was parked beside the target; the next build puts it back before anything else
        assert not out.exists() and tree_bytes(tmp_path / ".rel.old") == before
    assert list(tmp_path.glob(".rel.building-*")), "the killed build left its temporary folder"
    recover_beside(out)
    assert tree_bytes(out) == before and not list(tmp_path.glob(".rel.*"))
    assert len(ceasefire_news.load("all", source=out)) > 0
    build(corpus_repo, out, progress=False)
    assert not list(tmp_path.glob(".rel.*"))


def test_build_summary_fits_one_screen(corpus_repo: Path, tmp_path: Path, capsys):
    assert main(["build", "--root", str(corpus_repo), "--out", str(tmp_path / "rel"), "-q", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= 24 and all(len(x) <= 120 for x in lines)
    assert "train" in out and "near-duplicate pairs: 2" in out and "2 worker(s)" in out
    assert main(["build", "--root", str(corpus_repo), "--out", str(tmp_path / "rel"), "--workers", "0"]) == 2


def test_progress_bar_shows_for_many_documents(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr(build_mod, "PROGRESS_MIN_DOCS", 3)
    repo = make_repo(tmp_path / "repo", only=["101_talks", "102_aid", "103_lebanon"])
    build(repo, tmp_path / "rel", progress=True)
    assert "build:" in capsys.readouterr().err
    build(repo, tmp_path / "rel", progress=False)
    assert "build:" not in capsys.readouterr().err


def test_empty_repository_is_a_one_line_error(tmp_path: Path):
    (tmp_path / "seeds").mkdir()
    with pytest.raises(CeasefireError) as exc:
        build(tmp_path, tmp_path / "rel", progress=False)
    assert exc.value.problems[0].code == "empty-corpus"


def test_counting_a_shard_at_once_gives_the_counts_of_an_item_by_item_pass():
    """Counts.add_many (a build shard at once) equals the plain loop over every item, to the order in which keys
    are first met: labels and removed kinds are sorted by count, ties in that order."""
    from collections import Counter

    from ceasefire_news.release.stats import Counts

    def item(kind: str, start: int, end: int, **extra) -> dict:
        return {"kind": kind, "start": start, "end": end, **extra}

    anns = [{"layers": {"captions": [item("-", 0, 4, origin="auto")], "entities": [{"label": "ORG", "origin": "manual"}],
                        "boilerplate": []}},
            {"layers": {"boilerplate": [item("nav", 5, 9, origin="auto"), item("ad", 1, 2)],
                        "entities": [{"label": "GPE"}, {"label": "ORG"}], "quotes": [item("direct", 0, 1)],
                        "captions": [item("-", 10, 13)]}},
            {"layers": {}}, {}]
    want = {k: Counter() for k in ("layers", "origins", "labels", "quote_kinds", "bp_kinds", "bp_chars")}
    for ann in anns:
        layers = ann.get("layers", {})
        for name, items in layers.items():
            want["layers"][name] += len(items)
            for x in items:
                want["origins"][f"{name}:{x.get('origin', '?')}"] += 1
        for e in layers.get("entities", []):
            want["labels"][e["label"]] += 1
        for q in layers.get("quotes", []):
            want["quote_kinds"][q["kind"]] += 1
        for x in [*layers.get("boilerplate", []), *({**c, "kind": "caption"} for c in layers.get("captions", []))]:
            want["bp_kinds"][x["kind"]] += 1
            want["bp_chars"][x["kind"]] += x["end"] - x["start"]
    batch, one_by_one = Counts(), Counts()
    batch.add_many(anns)
    for ann in anns:
        one_by_one.add(ann)
    for counts in (batch, one_by_one):
        assert counts.docs == len(anns)
        for name in ("layers", "labels", "quote_kinds", "bp_kinds", "bp_chars"):
            assert list(getattr(counts, name).items()) == list(want[name].items()), name
        assert sorted(counts.origins.items()) == sorted(want["origins"].items())


def test_a_document_whose_files_vanished_after_the_listing_is_rejected(corpus_repo: Path):
    """validate finds nothing wrong with a document that has no file at all; the build rejects it with a reason
    instead of failing on the missing bytes."""
    from ceasefire_news.repo import Repo

    r = build_mod.process_document(Repo.at(corpus_repo), "999_vanished")
    assert [p["code"] for p in r.problems] == ["missing-files"] and r.default is None
