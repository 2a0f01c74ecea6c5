"""Exports: every format writes its loss report; CoNLL and brat read back through the importers to the same spans."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ceasefire_news.annotations.importers import ToolDoc, ToolSpan, build_items, import_annotations, load_label_map
from ceasefire_news.fsutil import read_json
from ceasefire_news.columns import CONFIGS, data_file
from ceasefire_news.export import doc_sentences, export, iob2_spans, read_conll
from ceasefire_news.release.build import parquet_bytes, sha256sums
from ceasefire_news.release.ner import TAGS, ner_rows

from .cli_run import run
from .conftest import SEED_ID

TEXT = ('Mr. Ali Hassan of the Gaza Health Ministry said "we need aid now". A source said the talks failed.\n\n'
        "Officials in Doha did not comment.")


def _span(text: str, s: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(s, i + 1)
    return i, i + len(s)


def _ent(i: str, label: str, s: str, cut: int = 0) -> dict:
    a, b = _span(TEXT, s)
    return {"id": i, "start": a, "end": b - cut, "label": label, "text": TEXT[a:b - cut]}


ENTITIES = [_ent("e1", "PERSON", "Ali Hassan"), _ent("e2", "ORG", "Gaza Health Ministry"),
            _ent("e3", "GPE", "Gaza"),                      # nested inside e2
            _ent("e4", "PERSON", "Hassan of the Gaza"),     # overlaps e1 and e2
            _ent("e5", "GPE", "Doha", cut=1)]               # ends inside a token


def _cue(s: str, nth: int) -> dict:
    a, b = _span(TEXT, s, nth)
    return {"start": a, "end": b, "text": s}


QUOTE = {"id": "q1", **dict(zip(("start", "end"), _span(TEXT, "we need aid now"))), "text": "we need aid now",
         "speaker": "Ali Hassan", "kind": "direct", "speaker_id": "e1", "cue": _cue("said", 0)}
SOURCE = {"id": "s1", **dict(zip(("start", "end"), _span(TEXT, "A source"))), "text": "A source",
          "anonymity": "unnamed", "cue": _cue("said", 1)}
CAPTION = {"text": "Ali Hassan in Gaza. (AFP)", "credit": "AFP", "agency": "AFP", "photographer": None,
           "entities": [{"id": "e9", "start": 0, "end": 10, "label": "PERSON", "text": "Ali Hassan"}]}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """A release folder holding one document with every case a format may not hold."""
    out = tmp_path_factory.mktemp("synthetic")
    row = {"id": "doc1", "text": TEXT, "title": None, "source": "Test Wire", "url": None, "published": None,
           "published_basis": "unknown", "language": "en", "entities": ENTITIES, "quotes": [QUOTE],
           "sources": [SOURCE], "captions": [CAPTION], "text_sha256": "0" * 64}
    ner = ner_rows("doc1", TEXT, ENTITIES)
    files = {data_file("default", "train"): parquet_bytes(pa.Table.from_pylist([row], schema=CONFIGS["default"]),
                                                          "default"),
             data_file("ner", "train"): parquet_bytes(pa.Table.from_pylist(ner.rows, schema=CONFIGS["ner"]), "ner")}
    files["SHA256SUMS"] = sha256sums(files).encode()
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out


def _loss(folder: Path) -> dict:
    return json.loads((folder / "loss.json").read_text())


def test_every_format_writes_its_loss_report(release, tmp_path):
    expected = {
        "jsonl": {},
        "conll": {"caption": 1, "mid-token": 1, "nested": 1, "overlapping": 1, "quote": 1, "source": 1},
        "brat": {"caption": 1},
    }
    for fmt, counts in expected.items():
        report = export(fmt, "train", tmp_path / fmt, source=release)
        loss = _loss(tmp_path / fmt)
        assert loss["lost_counts"] == counts, fmt
        assert loss["lost_total"] == sum(counts.values()) == len(loss["lost"])
        assert report.summary().startswith(f"exported 1 document(s) of train (default) as {fmt}")
    lost = {(x["kind"], x.get("id")) for x in _loss(tmp_path / "conll")["lost"]}
    assert {("nested", "e3"), ("overlapping", "e4"), ("mid-token", "e5"), ("quote", "q1"), ("source", "s1")} <= lost
    rows = [json.loads(line) for line in (tmp_path / "jsonl" / "train.jsonl").read_text().splitlines()]
    assert rows[0]["entities"] == ENTITIES and rows[0]["quotes"][0]["speaker_id"] == "e1"


def test_conll_tags_are_the_ner_configs_and_read_back_through_the_importer(release, tmp_path):
    export("conll", "train", tmp_path, source=release)
    (doc,) = read_conll((tmp_path / "train.conll").read_text())
    ner = pq.read_table(release / data_file("ner", "train")).to_pylist()
    assert [[t for t, _ in s] for s in doc] == [r["tokens"] for r in ner]
    assert [[tag for _, tag in s] for s in doc] == [[TAGS[i] for i in r["ner_tags"]] for r in ner]
    sentences = doc_sentences(TEXT, [[t for t, _ in s] for s in doc])
    spans = [sp for toks, s in zip(sentences, doc) for sp in iob2_spans(toks, [tag for _, tag in s])]
    tool = ToolDoc("conll", TEXT, [ToolSpan(f"T{i}", label, [(a, b)], TEXT[a:b]) for i, (a, b, label)
                                   in enumerate(spans)])
    items = build_items(tool, TEXT, load_label_map(None)).items["entities"]
    kept = {("e1", "PERSON", "Ali Hassan"), ("e2", "ORG", "Gaza Health Ministry")}
    assert {(e["start"], e["end"], e["label"]) for e in items} == {
        (x["start"], x["end"], x["label"]) for x in ENTITIES if (x["id"], x["label"], x["text"]) in kept}


def test_brat_round_trip_keeps_nested_overlapping_and_speaker_links(release, tmp_path):
    export("brat", "train", tmp_path, source=release)
    from ceasefire_news.annotations.importers import parse_brat

    tool = parse_brat((tmp_path / "doc1.ann").read_text(), (tmp_path / "doc1.txt").read_text(), "doc1.ann")
    imported = build_items(tool, TEXT, load_label_map(None))
    assert [p for p in imported.problems if p.level == "error"] == []
    items = imported.items
    assert {(e["start"], e["end"], e["label"]) for e in items["entities"]} == {
        (e["start"], e["end"], e["label"]) for e in ENTITIES}
    (q,) = items["quotes"]
    assert (q["start"], q["end"], q["kind"], q["speaker"]) == (QUOTE["start"], QUOTE["end"], "direct", "Ali Hassan")
    assert q["cue"] == QUOTE["cue"]
    (s,) = items["sources"]
    assert (s["start"], s["end"], s["anonymity"], s["cue"]) == (SOURCE["start"], SOURCE["end"], "unnamed",
                                                                  SOURCE["cue"])


def test_brat_export_of_the_seed_imports_back_onto_the_corpus_with_the_same_spans(repo_copy, tmp_path):
    export("brat", "all", tmp_path / "brat")  # the embedded release (a fresh build, test_embedded checks)
    result = import_annotations(_Repo(repo_copy), "brat", [str(tmp_path / "brat" / f"{SEED_ID}.ann")], SEED_ID,
                                replace=True, dry_run=True)
    assert [p for p in result.imported.problems if p.level == "error"] == []
    ann = read_json(repo_copy / "annotations" / f"{SEED_ID}.json")["layers"]
    captions = [(c["start"], c["end"]) for c in ann["captions"]]

    def in_body(x: dict) -> bool:
        return not any(a <= x["start"] and x["end"] <= b for a, b in captions)

    got = result.imported.items
    assert {(e["start"], e["end"], e["label"]) for e in got["entities"]} == {
        (e["start"], e["end"], e["label"]) for e in ann["entities"] if in_body(e)}
    assert {(q["start"], q["end"], q["kind"], q["speaker"]) for q in got["quotes"]} == {
        (q["start"], q["end"], q["kind"], q["speaker"]) for q in ann["quotes"]}
    assert {(s["start"], s["end"]) for s in got["sources"]} == {(s["start"], s["end"]) for s in ann["sources"]}
    assert _loss(tmp_path / "brat")["lost_counts"] == {"caption": len(captions)}


def _Repo(path: Path):
    from ceasefire_news.repo import Repo

    return Repo.at(path)


def test_spacy_docbin_holds_entities_quotes_and_sources(release, tmp_path):
    spacy = pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'ceasefire-news[spacy]')")
    from spacy.tokens import DocBin

    export("spacy", "train", tmp_path, source=release)
    (doc,) = DocBin().from_bytes((tmp_path / "train.spacy").read_bytes()).get_docs(spacy.blank("xx").vocab)
    assert doc.text == TEXT
    assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} == {
        (e["start"], e["end"], e["label"]) for e in ENTITIES if e["id"] in ("e1", "e2")}
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["quotes"]] == [(QUOTE["start"], QUOTE["end"],
                                                                                   "direct")]
    assert [(s.start_char, s.end_char) for s in doc.spans["sources"]] == [(SOURCE["start"], SOURCE["end"])]
    assert _loss(tmp_path)["lost_counts"] == {"caption": 1, "mid-token": 1, "nested": 1, "overlapping": 1,
                                              "speaker-link": 1}


def test_spacy_export_without_spacy_says_which_extra_and_writes_nothing(release, tmp_path, monkeypatch, capsys):
    """The package's one [missing-extra] error (extras.MissingExtra, also a ModuleNotFoundError), with the missing
    distributions of the `spacy` extra, else the module that failed."""
    from importlib import metadata

    listed = metadata.requires("ceasefire-news")
    monkeypatch.setattr(metadata, "requires", lambda name: [*listed, 'no-such-dist-3f9a; extra == "spacy"'])
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if not installed
    with pytest.raises(ModuleNotFoundError) as caught:
        export("spacy", "train", tmp_path / "out", source=release)
    line = ("error [missing-extra] export --format spacy needs no-such-dist-3f9a, which the spacy extra installs "
            "(hint: pip install 'ceasefire-news[spacy]')")
    assert str(caught.value) == line
    assert run(capsys, "export", "--format", "spacy", "--source", release, "--out", tmp_path / "out") == (
        1, "", line + "\n")
    assert list(tmp_path.iterdir()) == []


def test_export_cli_prints_one_line_and_refuses_bad_requests(release, tmp_path):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "export", *args], capture_output=True,
                              text=True, cwd=tmp_path)

    ok = cli("--format", "conll", "--split", "train", "--source", str(release), "--out", str(tmp_path / "c"))
    assert ok.returncode == 0 and ok.stdout.count("\n") == 1 and "lost: 1 caption, 1 mid-token" in ok.stdout
    bad = cli("--format", "conll", "--config", "full", "--source", str(release), "--out", str(tmp_path / "f"))
    assert bad.returncode == 1 and "[bad-config]" in bad.stderr and "Traceback" not in bad.stderr
    usage = cli("--format", "xml", "--out", str(tmp_path / "x"))
    assert usage.returncode == 2


# Every format x config the README promises (and the two it refuses), through the command line.
PROMISED = {("jsonl", "default"): set(), ("jsonl", "full"): set(),
            ("conll", "default"): {"nested", "overlapping", "mid-token", "crosses-sentence", "quote", "source",
                                   "caption"},
            ("brat", "default"): {"caption", "speaker-link"},
            ("brat", "full"): {"caption", "boilerplate", "paragraph", "speaker-link"},
            ("spacy", "default"): {"nested", "overlapping", "mid-token", "speaker-link", "caption"}}


@pytest.mark.parametrize("fmt,config", sorted(PROMISED))
def test_every_promised_format_and_config_exports_through_the_cli(fmt, config, corpus_release, tmp_path, capsys):
    if fmt == "spacy":
        pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'ceasefire-news[spacy]')")
    out = tmp_path / f"{fmt}-{config}"
    rc, stdout, err = run(capsys, "export", "--format", fmt, "--config", config, "--split", "all", "--source",
                          corpus_release, "--out", out)
    assert rc == 0, err
    assert stdout.startswith(f"exported ") and f"({config}) as {fmt}" in stdout
    loss = _loss(out)
    assert set(loss["lost_counts"]) <= PROMISED[fmt, config], loss["lost_counts"]
    assert sorted(p.name for p in out.iterdir()) == sorted(loss["files"] + ["loss.json"])
    assert all(x["text"] is not None for x in loss["lost"])
    if (fmt, config) == ("brat", "full"):  # the layers only `full` has are listed, paragraphs with their text
        assert {"boilerplate", "paragraph"} <= set(loss["lost_counts"])
        para = next(x for x in loss["lost"] if x["kind"] == "paragraph")
        text = (out / f"{para['doc_id']}.txt").read_text()
        assert text[para["start"]:para["end"]] == para["text"]
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no staging folder left beside it
    assert out.stat().st_mode & 0o777 == 0o755  # the staging folder renamed into place, readable like build's


@pytest.mark.parametrize("fmt", ["conll", "spacy"])
def test_token_formats_of_the_full_config_are_refused_and_write_nothing(fmt, corpus_release, tmp_path, capsys):
    rc, _, err = run(capsys, "export", "--format", fmt, "--config", "full", "--source", corpus_release, "--out",
                     tmp_path / "out")
    assert rc == 1 and "[bad-config]" in err
    assert list(tmp_path.iterdir()) == []


def _fail_on_second_write(monkeypatch):
    import ceasefire_news.export as ex

    real, calls = ex.atomic_write_bytes, []

    def write(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(ex, "atomic_write_bytes", write)


def test_a_failed_export_leaves_no_half_written_folder(corpus_release, tmp_path, capsys, monkeypatch):
    _fail_on_second_write(monkeypatch)
    rc, out, err = run(capsys, "export", "--format", "brat", "--split", "all", "--source", corpus_release,
                       "--out", tmp_path / "brat")
    assert rc == 1 and "[os-error] No space left on device" in err and out == ""
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_into_an_earlier_export_leaves_it_as_it_was(corpus_release, tmp_path, capsys, monkeypatch):
    dest = tmp_path / "out"
    args = ("--split", "all", "--source", corpus_release, "--out", dest)
    assert run(capsys, "export", "--format", "jsonl", *args)[0] == 0
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    _fail_on_second_write(monkeypatch)
    rc, _, err = run(capsys, "export", "--format", "brat", *args)
    assert rc == 1 and "[os-error]" in err
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before  # no .ann, no new loss.json, no staging
    monkeypatch.undo()
    rc, _, err = run(capsys, "export", "--format", "brat", *args)
    assert rc == 0, err
    assert _loss(dest)["format"] == "brat" and "all.jsonl" in {p.name for p in dest.iterdir()}
