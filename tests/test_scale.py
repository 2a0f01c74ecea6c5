"""Scale: the same bytes for any shard size, worker count or engine (Dask on a LocalCluster); sharded files
when a split outgrows one; LSH that finds every near-duplicate pair an exhaustive comparison finds."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ceasefire_news
from ceasefire_news.cli import main
from ceasefire_news.columns import CONFIGS, FILE_ROWS, ROW_GROUP_SIZE, split_paths
from ceasefire_news.release.build import SplitWriter, arrow_nbytes, rows_table
from ceasefire_news.release.card import check_card
from ceasefire_news.release.records import SourceDoc, full_row, full_row_items
from ceasefire_news.repo import Repo
from ceasefire_news.release.splits import NEAR_DUP_THRESHOLD, jaccard, minhash_values, near_duplicate_pairs, shingles

from .corpus_factory import build_release, tree_bytes
from .test_card import _load_with_datasets


def test_shard_size_and_workers_do_not_change_a_byte(corpus_repo: Path, corpus_release: Path, tmp_path: Path):
    out = build_release(corpus_repo, tmp_path / "small-shards", ratios=(50, 25, 25), workers=2, shard_docs=2)
    assert tree_bytes(out) == tree_bytes(corpus_release)


def test_dask_engine_on_a_local_cluster_gives_the_local_engines_bytes(corpus_repo: Path, corpus_release: Path,
                                                                      tmp_path: Path):
    pytest.importorskip("dask.distributed")
    out = build_release(corpus_repo, tmp_path / "dask", ratios=(50, 25, 25), engine="dask", workers=2, shard_docs=3)
    assert tree_bytes(out) == tree_bytes(corpus_release)


def test_dask_engine_without_dask_says_which_extra_and_writes_nothing(corpus_repo: Path, tmp_path: Path, monkeypatch):
    """The package's one [missing-extra] error (extras.MissingExtra, also a ModuleNotFoundError)."""
    import sys

    from ceasefire_news.errors import CeasefireError

    pytest.importorskip("dask")  # installed, so the error names the module that failed
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if `distributed` were not installed
    with pytest.raises(ModuleNotFoundError) as caught:
        build_release(corpus_repo, tmp_path / "rel", engine="dask", workers=2)
    assert isinstance(caught.value, CeasefireError)
    assert str(caught.value) == ("error [missing-extra] build --engine dask needs dask.distributed, which the dask "
                                 "extra installs (hint: pip install 'ceasefire-news[dask]')")
    assert list(tmp_path.iterdir()) == []


def test_engine_flags_and_their_usage_errors(corpus_repo: Path, tmp_path: Path, capsys):
    assert main(["build", "--root", str(corpus_repo), "--out", str(tmp_path / "r"), "--scheduler", "tcp://x:1"]) == 2
    assert "--engine dask" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["build", "--root", str(corpus_repo), "--out", str(tmp_path / "r"), "--engine", "spark"])
    assert exc.value.code == 2


def test_a_split_that_outgrows_a_file_is_sharded_and_still_loads(corpus_repo: Path, corpus_release: Path,
                                                                  tmp_path: Path, monkeypatch):
    for config, (group, per_file) in {"default": (2, 4), "full": (2, 4), "ner": (3, 6)}.items():
        monkeypatch.setitem(ROW_GROUP_SIZE, config, group)
        monkeypatch.setitem(FILE_ROWS, config, per_file)
    out = build_release(corpus_repo, tmp_path / "sharded", ratios=(50, 25, 25), shard_docs=3)
    for config in CONFIGS:
        for split in ("train", "validation", "test"):
            files = split_paths(out, config, split)
            whole = split_paths(corpus_release, config, split)
            assert bool(files) == bool(whole)
            if not files:
                continue
            n = len(files)
            assert [f.name for f in files] == [f"{split}-{k:05d}-of-{n:05d}.parquet" for k in range(n)]
            sizes = [pq.ParquetFile(f).metadata.num_rows for f in files]
            assert all(s == FILE_ROWS[config] for s in sizes[:-1]) and 0 < sizes[-1] <= FILE_ROWS[config]
            groups = [pq.ParquetFile(f).metadata.row_group(i).num_rows for f in files
                      for i in range(pq.ParquetFile(f).num_row_groups)]
            assert all(g == ROW_GROUP_SIZE[config] for g in groups[:-1])
            got = pa.concat_tables([pq.read_table(f, schema=CONFIGS[config]) for f in files])
            assert got.equals(pa.concat_tables([pq.read_table(f, schema=CONFIGS[config]) for f in whole]))
    assert any(len(split_paths(out, "ner", s)) > 1 for s in ("train", "validation", "test"))
    assert check_card(out) == []
    whole_ner = ceasefire_news.load("all", config="ner", source=corpus_release)
    assert ceasefire_news.load("all", config="ner", source=out).equals(whole_ner)
    loaded, _ = _load_with_datasets(out, tmp_path)
    assert loaded["ner"]["train"]["rows"] == sum(pq.ParquetFile(f).metadata.num_rows
                                                  for f in split_paths(out, "ner", "train"))


def test_rows_as_arrow_and_the_arrow_bytes_counted_while_writing_them(tmp_path: Path, monkeypatch):
    # the card's num_bytes comes from SplitWriter.nbytes: rows with every nullable column null, empty lists,
    # tables fed in slices that straddle row groups and files
    monkeypatch.setitem(ROW_GROUP_SIZE, "full", 3)
    monkeypatch.setitem(FILE_ROWS, "full", 6)
    rng = random.Random(5)
    span = {"start": 0, "end": 1}

    def row(i: int) -> dict:
        some = i % 3 == 0
        return {"id": f"{i:03d}", "text": "x" * rng.randrange(0, 40), "title": "t" if some else None, "source": "s",
                "url": None, "published": "2024-01-01" if some else None, "published_basis": "b", "language": "en",
                "entities": [{"id": "e", **span, "label": "PER", "text": "x"}] * (i % 2),
                "quotes": [{"id": "q", **span, "text": "x", "speaker": "s", "kind": "direct", "speaker_id": None,
                            "cue": None if some else {**span, "text": "c"}}] * (i % 4 == 1),
                "sources": [], "captions": [], "boilerplate": [{**span, "kind": "k", "text": "b", "rule": None}] * some,
                "paragraphs": [span] * (i % 5), "text_sha256": "0" * 64}

    table = rows_table([row(i) for i in range(17)], CONFIGS["full"])
    w = SplitWriter(tmp_path, "full", "train", table.num_rows)
    for lo, hi in ((0, 2), (2, 9), (9, 9), (9, 17)):
        w.write(table.slice(lo, hi - lo))
    w.close()
    assert len(w.names) == 3
    assert w.nbytes == [arrow_nbytes(tmp_path / n) for n in w.names]
    # rows_table is from_pylist's table, however many rows (none included)
    for n in (0, 1, 17):
        rows = [row(i) for i in range(n)]
        got, want = rows_table(rows, CONFIGS["full"]), pa.Table.from_pylist(rows, schema=CONFIGS["full"])
        assert got.schema == want.schema and got.equals(want)


def test_the_full_rows_arrow_reads_from_the_annotation_items_are_full_rows(corpus_repo: Path):
    r = Repo.at(corpus_repo)
    docs = [SourceDoc(d, json.loads(r.meta_path(d).read_bytes()), r.corpus_path(d).read_text(encoding="utf-8"),
                      json.loads(r.annotation_path(d).read_bytes())) for d in r.annotation_ids()]
    assert any(d.ann["layers"].get(layer) for d in docs for layer in ("quotes", "sources", "captions", "boilerplate"))
    want = pa.Table.from_pylist([full_row(d) for d in docs], schema=CONFIGS["full"])
    assert rows_table([full_row_items(d) for d in docs], CONFIGS["full"]).equals(want)


def _article(rng: random.Random, vocab: list[str], n: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def test_lsh_finds_exactly_the_pairs_an_exhaustive_comparison_finds():
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(400)]
    texts = [_article(rng, vocab, rng.randint(5, 300)) for _ in range(220)]
    for k in range(40):  # near-duplicates: a copy with a few words changed, some of them right at the threshold
        words = texts[rng.randrange(200)].split()
        for _ in range(rng.randint(0, max(1, len(words) // 40))):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        texts.append(" ".join(words))
    texts += ["", "one two"]  # no shingles at all; fewer words than a shingle
    ids = [f"d{i:04d}" for i in range(len(texts))]
    sh = [shingles(t) for t in texts]
    sigs = np.stack([minhash_values(s) for s in sh])
    got = near_duplicate_pairs(ids, sigs, lambda i: sh[i])
    want = [(ids[i], ids[j], round(jaccard(sh[i], sh[j]), 6)) for i in range(len(ids)) for j in range(i + 1, len(ids))
            if len(sh[i]) and len(sh[j]) and jaccard(sh[i], sh[j]) >= NEAR_DUP_THRESHOLD]
    assert len(want) >= 30 and got == want
