"""croissant.json: valid Croissant (mlcroissant, offline), files with their SHA-256, one record set per config."""
from __future__ import annotations

import hashlib
import itertools
import json
import socket
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ceasefire_news.columns import CONFIGS, EMBEDDED, SPLITS, data_file, split_paths
from ceasefire_news.release.card import citation
from ceasefire_news.release.ner import TAGS


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_mlcroissant_validates_it_without_the_network(corpus_release: Path, no_network):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=corpus_release / "croissant.json")
    issues = ds.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert {w for w in issues.warnings if "datePublished" not in w} == set(), issues.report()
    assert [rs.name for rs in ds.metadata.record_sets] == ["ner_tag_names", *CONFIGS]


def test_every_data_file_is_described_with_its_sha256(corpus_release: Path):
    doc = json.loads((corpus_release / "croissant.json").read_text())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0" and isinstance(doc["@context"], dict)
    objects = {d["contentUrl"]: d for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    on_disk = {str(p.relative_to(corpus_release)) for p in (corpus_release / "data").rglob("*.parquet")}
    assert set(objects) == on_disk
    for name, d in objects.items():
        data = (corpus_release / name).read_bytes()
        assert d["sha256"] == hashlib.sha256(data).hexdigest() and d["contentSize"] == f"{len(data)} B"
    for key in ("rai:dataCollection", "rai:dataBiases", "rai:personalSensitiveInformation", "rai:dataLimitations",
                "rai:dataAnnotationProtocol", "rai:dataUseCases"):
        assert doc[key], key


def test_record_sets_mirror_the_arrow_schemas(corpus_release: Path):
    doc = json.loads((corpus_release / "croissant.json").read_text())
    sets = {rs["@id"]: rs for rs in doc["recordSet"]}
    for config, schema in CONFIGS.items():
        names = [f["name"] for f in sets[config]["field"]]
        assert names == schema.names + ["split"]
    entities = next(f for f in sets["default"]["field"] if f["name"] == "entities")
    assert entities["repeated"] and [s["name"] for s in entities["subField"]] == ["id", "start", "end", "label", "text"]
    quotes = next(f for f in sets["default"]["field"] if f["name"] == "quotes")
    assert [s["name"] for s in quotes["subField"]] == ["id", "start", "end", "text", "speaker", "kind", "speaker_id",
                                                       "cue.start", "cue.end", "cue.text"]
    assert [s["source"]["transform"]["jsonPath"] for s in quotes["subField"]][-3:] == ["cue.start", "cue.end",
                                                                                      "cue.text"]
    assert [r["ner_tag_names/name"] for r in sets["ner_tag_names"]["data"]] == list(TAGS)


def test_mlcroissant_reads_the_ner_records_back(corpus_release: Path, no_network):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=corpus_release / "croissant.json")
    records = list(itertools.islice(ds.records("ner"), 5))
    f = corpus_release / data_file("ner", next(s for s in SPLITS if (corpus_release / data_file("ner", s)).exists()))
    first = pq.read_table(f).to_pylist()[0]
    got = next(r for r in records if r["ner/id"].decode() == first["id"])
    assert [t.decode() for t in got["ner/tokens"]] == first["tokens"]
    assert list(got["ner/ner_tags"]) == first["ner_tags"]
    assert got["ner/split"].decode() in SPLITS


def _as_read(config: str, path: str, t: pa.DataType, value, skipped: set[str]):
    """A Parquet value as mlcroissant gives it back: text as bytes; a list of structs as a list of dicts keyed by
    field id, a member struct flattened into dotted members (`cue.start`) and a member list left out (recorded
    in `skipped`, for the test to check that croissant.json says so)."""
    if value is None:
        return None
    if pa.types.is_list(t):
        return [_as_read(config, path, t.value_type, v, skipped) for v in value]
    if pa.types.is_struct(t):
        return dict(_flat_members(config, path, t, value, "", skipped))
    return value.encode() if isinstance(value, str) else value


def _flat_members(config: str, column: str, t: pa.StructType, item, prefix: str, skipped: set[str]):
    for member in t:
        name, v = f"{prefix}{member.name}", (item or {}).get(member.name)
        if pa.types.is_struct(member.type):
            yield from _flat_members(config, column, member.type, v, f"{name}.", skipped)
        elif pa.types.is_list(member.type):
            skipped.add(f"{config}/{column}/{name}")
        else:
            yield f"{config}/{column}/{name}", _as_read(config, column, member.type, v, skipped)


def _edge_release(folder: Path) -> Path:
    """A release of two `default` and `full` rows holding what neither real release has: a quote and a source
    without a cue, null members, empty lists, a caption with and one without entities."""
    from ceasefire_news.release.croissant import croissant

    cue = {"start": 2, "end": 6, "text": "said"}
    ent = {"id": "e1", "start": 0, "end": 1, "label": "GPE", "text": "G"}
    quotes = [{"id": "q1", "start": 0, "end": 1, "text": "G", "speaker": "x", "kind": "direct", "speaker_id": None,
               "cue": None}, {"id": "q2", "start": 0, "end": 1, "text": "G", "speaker": "x", "kind": "partial",
                              "speaker_id": "e1", "cue": cue}]
    sources = [{"id": "s1", "start": 0, "end": 1, "text": "G", "anonymity": None, "cue": None}]
    caption = {"text": "G (AP)", "credit": "AP", "agency": None, "photographer": None}
    meta = {"text": "G said", "title": None, "source": "src", "url": None, "published": None,
            "published_basis": "unknown", "language": "en", "text_sha256": "0" * 64}
    rows = {"default": [{**meta, "id": "a", "entities": [ent], "quotes": quotes, "sources": sources,
                         "captions": [{**caption, "entities": [ent]}, {**caption, "entities": []}]},
                        {**meta, "id": "b", "entities": [], "quotes": [], "sources": [], "captions": []}],
            "full": [{**meta, "id": "a", "entities": [ent], "quotes": quotes, "sources": sources,
                      "captions": [{**caption, "start": 0, "end": 6}], "boilerplate": [
                          {"start": 0, "end": 1, "kind": "nav", "text": "G", "rule": None}], "paragraphs": []},
                     {**meta, "id": "b", "entities": [], "quotes": [], "sources": [], "captions": [],
                      "boilerplate": [], "paragraphs": [{"start": 0, "end": 6}]}]}
    files = {}
    for config, table in rows.items():
        path = folder / data_file(config, "train")
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(table, schema=CONFIGS[config]), path)
        files[data_file(config, "train")] = path.read_bytes()
    doc = croissant(files, {}, {c: {"train": 2} for c in rows}, cite_as=citation(None, None))
    (folder / "croissant.json").write_text(json.dumps(doc))
    return folder


# "embedded": the repository's own articles, with quotes, sources, cues and caption entities that the test
# corpus lacks; "edge": null cues and members, empty lists.
@pytest.mark.parametrize("which", ["corpus", "embedded", "edge"])
def test_mlcroissant_reads_back_every_record_as_the_parquet_holds_it(corpus_release: Path, which: str, tmp_path: Path,
                                                                     no_network):
    """Every record of every config's record set, every field, nested values included, equals the Parquet row
    (read with pyarrow) in the shape Croissant describes it; the only Parquet data a record set leaves out is a
    list inside a list's items, and that field's description says so and where the data is."""
    import mlcroissant as mlc

    release = {"corpus": corpus_release, "embedded": EMBEDDED}.get(which) or _edge_release(tmp_path)
    if not (release / "data").is_dir():
        pytest.skip("the embedded release carries only its manifest")
    doc = json.loads((release / "croissant.json").read_text())
    described = {rs["@id"]: {f["name"]: f for f in rs["field"]} for rs in doc["recordSet"]}
    ds = mlc.Dataset(jsonld=release / "croissant.json")
    for config in described.keys() & CONFIGS.keys():
        schema, skipped = CONFIGS[config], set()
        expected = {}
        for split in SPLITS:
            for f in split_paths(release, config, split):
                for row in pq.read_table(f).to_pylist():
                    rec = {f"{config}/{c.name}": _as_read(config, c.name, c.type, row[c.name], skipped)
                           for c in schema}
                    expected[(split, row["id"])] = {**rec, f"{config}/split": split.encode()}
        got = {}
        for r in ds.records(config):
            key = (r[f"{config}/split"].decode(), r[f"{config}/id"].decode())
            assert key not in got, key
            got[key] = r
        assert got.keys() == expected.keys(), config
        for key, want in expected.items():
            assert _plain(got[key]) == want, (config, key)
        for fid in skipped:
            column, member = fid.split("/")[1:]
            assert f"`{member}`" in described[config][column]["description"], fid
        assert skipped <= {"default/captions/entities"}, skipped


def _plain(value):
    """mlcroissant's record with numpy scalars and arrays as Python values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def test_caption_entities_left_out_of_croissant_are_the_full_entities_inside_the_caption():
    """What the `default` captions description promises for the caption entities it leaves out."""
    if not (EMBEDDED / "data").is_dir():
        pytest.skip("the embedded release carries only its manifest")
    for split in SPLITS:
        for d_path, f_path in zip(split_paths(EMBEDDED, "default", split), split_paths(EMBEDDED, "full", split)):
            full = {r["id"]: r for r in pq.read_table(f_path).to_pylist()}
            for row in pq.read_table(d_path).to_pylist():
                fr = full[row["id"]]
                for cap, fcap in zip(row["captions"], fr["captions"]):
                    assert cap["text"] == fcap["text"]
                    inside = [{**e, "start": e["start"] - fcap["start"], "end": e["end"] - fcap["start"]}
                              for e in fr["entities"] if fcap["start"] <= e["start"] and e["end"] <= fcap["end"]]
                    key = lambda e: e["id"]  # noqa: E731
                    assert sorted(cap["entities"], key=key) == sorted(inside, key=key)


def test_a_list_inside_a_list_without_a_documented_place_is_an_error(monkeypatch):
    """Croissant readers cannot read it: the build must say so rather than describe a silent gap."""
    from ceasefire_news.release import croissant as cr

    nested = pa.schema([pa.field("id", pa.string()),
                        pa.field("spans", pa.list_(pa.struct([pa.field("tags", pa.list_(pa.string()))])))])
    monkeypatch.setitem(cr.CONFIGS, "ner", nested)
    with pytest.raises(ValueError, match=r"ner column 'spans' has a list inside its items \(tags\)"):
        cr.croissant({data_file("ner", "train"): (1, "0" * 64)}, {}, {"ner": {"train": 1}}, cite_as="")


def test_license_is_a_link_a_reader_can_open(corpus_release: Path, no_network):
    """`license` was "LICENSE.md", a path relative to nothing once croissant.json is read from a catalogue: Croissant
    1.0 wants a URL (or a CreativeWork). It names the terms and links LICENSE.md at the release's tag on the Hub."""
    import mlcroissant as mlc

    from ceasefire_news import __version__
    from ceasefire_news.hub import DEFAULT_REPO_ID

    doc = json.loads((corpus_release / "croissant.json").read_text())
    assert doc["license"] == {
        "@type": "sc:CreativeWork", "name": "publishers-copyright-research-only",
        "url": f"https://huggingface.co/datasets/{DEFAULT_REPO_ID}/blob/v{__version__}/LICENSE.md"}
    (read,) = mlc.Dataset(jsonld=corpus_release / "croissant.json").metadata.license
    assert read.url == doc["license"]["url"] and read.name == doc["license"]["name"]
