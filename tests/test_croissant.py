"""croissant.json: valid Croissant (mlcroissant, offline), files with their SHA-256, one record set per config."""
from __future__ import annotations

import hashlib
import itertools
import json
import socket
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ceasefire_news.columns import CONFIGS, SPLITS, data_file
from ceasefire_news.release.ner import TAGS



@pytest.fixture
def release(corpus_release: Path) -> Path:
    return corpus_release


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_mlcroissant_validates_it_without_the_network(release: Path, no_network):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=release / "croissant.json")
    issues = ds.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert {w for w in issues.warnings if "datePublished" not in w} == set(), issues.report()
    assert [rs.name for rs in ds.metadata.record_sets] == ["ner_tag_names", *CONFIGS]


def test_every_data_file_is_described_with_its_sha256(release: Path):
    doc = json.loads((release / "croissant.json").read_text())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0" and isinstance(doc["@context"], dict)
    objects = {d["contentUrl"]: d for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    on_disk = {str(p.relative_to(release)) for p in (release / "data").rglob("*.parquet")}
    assert set(objects) == on_disk
    for name, d in objects.items():
        data = (release / name).read_bytes()
        assert d["sha256"] == hashlib.sha256(data).hexdigest() and d["contentSize"] == f"{len(data)} B"
    for key in ("rai:dataCollection", "rai:dataBiases", "rai:personalSensitiveInformation", "rai:dataLimitations",
                "rai:dataAnnotationProtocol", "rai:dataUseCases"):
        assert doc[key], key


def test_record_sets_mirror_the_arrow_schemas(release: Path):
    doc = json.loads((release / "croissant.json").read_text())
    sets = {rs["@id"]: rs for rs in doc["recordSet"]}
    for config, schema in CONFIGS.items():
        names = [f["name"] for f in sets[config]["field"]]
        assert names == schema.names + ["split"]
    entities = next(f for f in sets["default"]["field"] if f["name"] == "entities")
    assert entities["repeated"] and [s["name"] for s in entities["subField"]] == ["id", "start", "end", "label", "text"]
    quotes = next(f for f in sets["default"]["field"] if f["name"] == "quotes")
    cue = next(s for s in quotes["subField"] if s["name"] == "cue")
    assert [s["name"] for s in cue["subField"]] == ["start", "end", "text"]
    assert [r["ner_tag_names/name"] for r in sets["ner_tag_names"]["data"]] == list(TAGS)


def test_mlcroissant_reads_the_ner_records_back(release: Path, no_network):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=release / "croissant.json")
    records = list(itertools.islice(ds.records("ner"), 5))
    f = release / data_file("ner", next(s for s in SPLITS if (release / data_file("ner", s)).exists()))
    first = pq.read_table(f).to_pylist()[0]
    got = next(r for r in records if r["ner/id"].decode() == first["id"])
    assert [t.decode() for t in got["ner/tokens"]] == first["tokens"]
    assert list(got["ner/ner_tags"]) == first["ner_tags"]
    assert got["ner/split"].decode() in SPLITS
