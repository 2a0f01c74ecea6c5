"""Splits: hash of a group key, stable as the corpus grows; story ids and near-duplicates share a split."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ceasefire_news
from ceasefire_news.release.build import build
from ceasefire_news.cli import main
from ceasefire_news.errors import CeasefireError
from ceasefire_news.columns import CONFIGS, SPLITS, data_file
from ceasefire_news.release.splits import (NEAR_DUP_THRESHOLD, group_documents, jaccard, minhash_values, near_duplicate_pairs,
                                   shingle_sets, shingles, signatures, split_of)

from .corpus_factory import ARTICLES, NEAR_DUPLICATES, build_release, make_repo, texts, tree_bytes


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("splits") / "repo")


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_split_of_follows_the_ratios_roughly_and_is_a_pure_function():
    keys = [f"doc-{i}" for i in range(4000)]
    counts = Counter(split_of(k) for k in keys)
    assert abs(counts["train"] / 4000 - 0.8) < 0.03 and abs(counts["test"] / 4000 - 0.1) < 0.02
    assert [split_of(k) for k in keys[:50]] == [split_of(k) for k in keys[:50]]
    assert {split_of(k, (0, 0, 1)) for k in keys[:200]} == {"test"}
    assert {split_of(k, (1, 1, 0)) for k in keys[:200]} == {"train", "validation"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij_0123456789", min_size=1, max_size=12), min_size=1, max_size=30,
                unique=True),
       st.lists(st.text(alphabet="abcdefghij_0123456789", min_size=1, max_size=12), max_size=30, unique=True))
def test_adding_unrelated_documents_never_moves_an_existing_one(old, new):
    before = group_documents({d: None for d in old}).keys
    after = group_documents({d: None for d in old + [n for n in new if n not in old]}).keys
    assert all(split_of(before[d]) == split_of(after[d]) for d in old)


def test_a_late_near_duplicate_joins_its_group_without_moving_it():
    old = group_documents({"101_a": None, "102_b": None})
    grown = group_documents({"101_a": None, "102_b": None, "301_a_copy": None}, [("101_a", "301_a_copy", 0.9)])
    assert grown.keys["301_a_copy"] == grown.keys["101_a"] == old.keys["101_a"]
    assert grown.keys["102_b"] == old.keys["102_b"]


def test_story_ids_and_near_duplicates_are_united_transitively():
    g = group_documents({"a": "s1", "b": None, "c": "s1", "d": None, "e": None}, [("b", "c", 0.85), ("d", "e", 0.9)])
    assert g.keys["a"] == g.keys["b"] == g.keys["c"] == "s1"
    assert g.keys["d"] == g.keys["e"] == "d"
    assert sorted(g.members()) == ["d", "s1"]


def test_near_duplicates_are_found_at_the_documented_threshold():
    t = texts()
    sh = {d: shingles(x) for d, x in t.items()}
    ids = sorted(sh)
    sigs = np.stack([minhash_values(sh[d]) for d in ids])
    pairs = near_duplicate_pairs(ids, sigs, lambda i: sh[ids[i]])
    found = {(a, b) for a, b, _ in pairs}
    for copy, (orig, _) in NEAR_DUPLICATES.items():
        assert tuple(sorted((orig, copy))) in found
    # every reported pair is at or above the threshold by exact Jaccard, every other pair below it
    for a in sorted(t):
        for b in sorted(t):
            if a < b:
                assert ((a, b) in found) == (jaccard(sh[a], sh[b]) >= NEAR_DUP_THRESHOLD)
    assert (minhash_values(shingles(t["101_talks"])) == sigs[ids.index("101_talks")]).all()  # deterministic


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(["Gaza", "gaza", "talks", "the", "Σ", "ς", "İ", "x1", "_", "—", ",", " ", "\n"]),
                         max_size=40).map(" ".join), max_size=8))
def test_a_shard_of_texts_gives_each_text_its_own_shingles_and_signature(parts):
    """shingle_sets and signatures (a build shard at once) equal shingles and minhash_values text by text."""
    sets, offsets = shingle_sets(parts)
    sigs = signatures(sets, offsets)
    assert len(offsets) == len(parts) + 1 and sigs.shape == (len(parts), 128)
    for k, text in enumerate(parts):
        assert sets[offsets[k]:offsets[k + 1]].tolist() == shingles(text).tolist()
        assert sigs[k].tolist() == minhash_values(shingles(text)).tolist()


def test_every_document_is_in_exactly_one_split_and_groups_never_straddle(repo: Path, tmp_path: Path):
    out = build_release(repo, tmp_path / "rel", ratios=(40, 30, 30))
    m = _manifest(out)
    ids = [r["id"] for s in SPLITS if (out / data_file("default", s)).exists()
           for r in pq.read_table(out / data_file("default", s), columns=["id"]).to_pylist()]
    assert sorted(ids) == sorted(texts()) and len(ids) == len(set(ids))
    for s in SPLITS:
        if (out / data_file("default", s)).exists():
            assert set(pq.read_table(out / data_file("default", s)).column("id").to_pylist()) == \
                {d for d, v in m["documents"].items() if v["split"] == s}
    by_group: dict[str, set] = {}
    for d, v in m["documents"].items():
        by_group.setdefault(v["group"], set()).add(v["split"])
    assert all(len(splits) == 1 for splits in by_group.values())
    assert m["documents"]["104_vote"]["group"] == m["documents"]["204_vote_update"]["group"] == "knesset-budget-vote"
    for copy, (orig, _) in NEAR_DUPLICATES.items():
        assert m["documents"][copy]["split"] == m["documents"][orig]["split"]
    # ner rows follow their document
    for s in SPLITS:
        f = out / data_file("ner", s)
        if f.exists():
            assert {d for d in pq.read_table(f).column("doc_id").to_pylist()} <= \
                {d for d, v in m["documents"].items() if v["split"] == s}


def test_growing_the_corpus_moves_no_existing_document(tmp_path: Path):
    first = [d for d in ARTICLES if d != "108_ceasefire"][:5]
    small = make_repo(tmp_path / "small", only=first)
    before = _manifest(build_release(small, tmp_path / "rel"))["documents"]
    grown = make_repo(tmp_path / "small")  # the same repository with every other document added
    result = build(grown, tmp_path / "rel", progress=False)
    after = _manifest(tmp_path / "rel")["documents"]
    assert set(before) < set(after)
    assert {d: v["split"] for d, v in before.items()} == {d: after[d]["split"] for d in before}
    assert result.moved == {}
    # other ratios do move documents, and the build says so
    result = build(grown, tmp_path / "rel", progress=False, ratios=(1, 1, 1))
    assert result.moved and result.previous_ratios == [0.8, 0.1, 0.1]
    assert all(after[d]["split"] == old for d, (old, _) in result.moved.items())


def test_ratios_flag_and_its_usage_error(repo: Path, tmp_path: Path, capsys):
    assert main(["build", "--root", str(repo), "--out", str(tmp_path / "a"), "-q", "--ratios", "0/0/1"]) == 0
    assert _manifest(tmp_path / "a")["splits"]["ratios"] == [0.0, 0.0, 1.0]
    assert {v["split"] for v in _manifest(tmp_path / "a")["documents"].values()} == {"test"}
    assert main(["build", "--root", str(repo), "--out", str(tmp_path / "b"), "-q", "--ratios", "80/20"]) == 2
    assert main(["build", "--root", str(repo), "--out", str(tmp_path / "b"), "-q", "--ratios", "a/b/c"]) == 2
    assert "--ratios" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_empty_splits_have_no_file_and_load_as_empty_frames_with_every_column(repo: Path, tmp_path: Path):
    out = build_release(repo, tmp_path / "rel", ratios=(1, 0, 0))
    for config, schema in CONFIGS.items():
        assert (out / data_file(config, "train")).exists()
        for s in ("validation", "test"):
            assert not (out / data_file(config, s)).exists()
            df = ceasefire_news.load(s, config=config, source=out)
            assert len(df) == 0 and list(df.columns) == schema.names


def test_ratios_as_percentages_or_shares_make_the_same_release(repo: Path, tmp_path: Path):
    """`--ratios 80/10/10` (the CLI's way) and ratios=(0.8, 0.1, 0.1) (build()'s default) are one split: the same
    bytes, and rebuilding with the other spelling is not reported as a change of ratios."""
    assert main(["build", "--root", str(repo), "--out", str(tmp_path / "cli"), "-q", "--ratios", "80/10/10"]) == 0
    build(repo, tmp_path / "api", progress=False)
    assert tree_bytes(tmp_path / "cli") == tree_bytes(tmp_path / "api")
    assert _manifest(tmp_path / "cli")["splits"]["ratios"] == [0.8, 0.1, 0.1]
    again = build(repo, tmp_path / "cli", progress=False, ratios=(8, 1, 1))
    assert again.moved == {} and again.previous_ratios == [0.8, 0.1, 0.1]
    with pytest.raises(CeasefireError, match=r"\[bad-ratios\]"):
        build(repo, tmp_path / "nan", progress=False, ratios=(float("nan"), 1, 1))
