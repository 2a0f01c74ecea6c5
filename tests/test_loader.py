"""The loader's contract: sources, formats, the deprecated path=, speakers resolved, errors in one line."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import ceasefire_news
from ceasefire_news.errors import CeasefireError
from ceasefire_news.loader import EMBEDDED, Entity, Source

from .test_export import ENTITIES, QUOTE, SOURCE, release  # noqa: F401  (the synthetic release fixture)


def test_default_source_is_the_embedded_release_unless_the_variable_points_elsewhere(release, monkeypatch):
    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE", raising=False)
    embedded = ceasefire_news.load("all")
    assert len(embedded) >= 1 and list(embedded["id"]) == list(ceasefire_news.load("all", source=EMBEDDED)["id"])
    assert "doc1" not in set(embedded["id"])
    monkeypatch.setenv("CEASEFIRE_NEWS_SOURCE", str(release))
    assert list(ceasefire_news.load("all")["id"]) == ["doc1"]


def test_formats_and_arrow_backed_pandas(release):
    df = ceasefire_news.load("train", source=release)
    assert isinstance(df["entities"].dtype, pd.ArrowDtype) and isinstance(df["text"].dtype, pd.ArrowDtype)
    table = ceasefire_news.load("train", source=release, format="arrow")
    assert isinstance(table, pa.Table) and table.equals(ceasefire_news.load_table("train", source=release))
    empty = ceasefire_news.load("test", source=release)
    assert len(empty) == 0 and list(empty.columns) == table.column_names
    with pytest.raises(CeasefireError, match=r"\[bad-format\]"):
        ceasefire_news.load(source=release, format="csv")


def test_quote_speakers_resolve_to_their_entity(release):
    (doc,) = ceasefire_news.documents("train", source=release)
    (q,) = doc.quotes
    assert q.speaker_id == "e1" and isinstance(q.speaker_entity, Entity)
    assert (q.speaker_entity.start, q.speaker_entity.end) == (ENTITIES[0]["start"], ENTITIES[0]["end"])
    assert doc.text[q.start:q.end] == QUOTE["text"] and q.cue.text == "said"
    assert isinstance(doc.sources[0], Source) and doc.sources[0].anonymity == SOURCE["anonymity"]


def test_path_is_a_deprecated_alias_of_source(release):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = ceasefire_news.load("train", path=release)
    assert list(df["id"]) == ["doc1"]
    assert any(issubclass(w.category, DeprecationWarning) and "source=" in str(w.message) for w in caught)


def test_bad_sources_are_one_line_errors(release, tmp_path: Path):
    with pytest.raises(CeasefireError, match=r"\[no-release\].*not a built release"):
        ceasefire_news.load(source=tmp_path)
    with pytest.raises(CeasefireError, match=r"\[bad-source\]"):
        ceasefire_news.load(source=release, revision="v1")
    with pytest.raises(CeasefireError, match=r"\[bad-repo-id\]"):
        ceasefire_news.load(source="hub:no-slash")
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    (copy / "data" / "train-00000-of-00001.parquet").write_bytes(b"changed")
    with pytest.raises(CeasefireError, match=r"\[checksum\] SHA-256 of data/train-00000-of-00001.parquet"):
        ceasefire_news.load(source=copy)


def test_format_datasets_without_the_library_says_which_extra(release, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "datasets", None)  # as if not installed
    with pytest.raises(CeasefireError, match=r"\[missing-extra\].*ceasefire-news\[datasets\]"):
        ceasefire_news.load("train", source=release, format="datasets")


def test_format_datasets_carries_the_cards_features_tag_names_included(monkeypatch):
    import datasets

    from ceasefire_news.loader import card_features
    from ceasefire_news.release.ner import TAGS

    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE", raising=False)
    ner = ceasefire_news.load("train", config="ner", format="datasets", source=EMBEDDED)
    tags = ner.features["ner_tags"].feature
    assert isinstance(tags, datasets.ClassLabel) and tags.names == list(TAGS)
    first = ner[0]["ner_tags"]
    assert tags.int2str(first) == [TAGS[i] for i in first] and any(i != 0 for i in first)
    default = ceasefire_news.load("all", format="datasets", source=EMBEDDED)
    assert default["train"].features == card_features(EMBEDDED, "default")


def test_format_datasets_without_a_card_keeps_the_arrow_types(release, tmp_path):
    import datasets

    copy = tmp_path / "no-card"
    shutil.copytree(release, copy)
    (copy / "README.md").unlink(missing_ok=True)
    ner = ceasefire_news.load("train", config="ner", format="datasets", source=copy)
    assert not isinstance(ner.features["ner_tags"].feature, datasets.ClassLabel)
