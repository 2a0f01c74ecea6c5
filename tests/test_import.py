"""Importing brat, doccano and Label Studio exports onto a text with astral characters before every span."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.cli import main
from ceasefire_news.annotations.importers import utf16_to_codepoint
from ceasefire_news.annotations.validate import validate_repo

DATA = Path(__file__).resolve().parent / "data" / "import"
DOC = "emoji_live_blog"
MAP = str(DATA / "label-map.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    assert main(["ingest", "--root", str(root), str(DATA / "seed" / f"{DOC}.txt"), "--source", "Example Wire",
                 "-q"]) == 0
    return root


def corpus(root: Path) -> str:
    return (root / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")


def layers(root: Path) -> dict:
    return json.loads((root / "annotations" / f"{DOC}.json").read_text(encoding="utf-8"))["layers"]


def imp(root: Path, fmt: str, path: str, *args: str) -> int:
    return main(["import", fmt, str(DATA / path), "--doc", DOC, "--root", str(root), *args])


def spans(root: Path, layer: str = "entities") -> list[tuple[int, int, str, str]]:
    return sorted((x["start"], x["end"], x["text"], x.get("label") or x.get("kind")) for x in layers(root)[layer])


def at(text: str, needle: str, after: str | None = None) -> tuple[int, int]:
    s = text.index(needle, text.index(after) if after else 0)
    return s, s + len(needle)


def test_utf16_table_counts_astral_characters_twice():
    table = utf16_to_codepoint("🇮🇱a𝔸b")  # two regional indicators, then a, a mathematical A, b
    assert len(table) == len("🇮🇱a𝔸b".encode("utf-16-le")) // 2 + 1
    assert table[4] == 2 and table[5] == 3 and table[7] == 4 and table[1] == -1 and table[6] == -1


def test_every_fixture_has_astral_characters_before_its_first_span():
    text = (DATA / "brat" / f"{DOC}.txt").read_text(encoding="utf-8")
    first = min(int(line.split("\t")[1].split()[1]) for line in
                (DATA / "brat" / f"{DOC}.ann").read_text(encoding="utf-8").splitlines() if line.startswith("T"))
    assert sum(ord(c) > 0xFFFF for c in text[:first]) >= 4


# ------------------------------------------------------------------------------------------------ brat
def test_brat_reports_unknown_labels_and_discontinuous_spans_and_writes_nothing(repo: Path, capsys):
    before = (repo / "annotations" / f"{DOC}.json").read_bytes()
    assert imp(repo, "brat", f"brat/{DOC}.ann") == 1
    err = capsys.readouterr().err
    assert f"brat/{DOC}.ann:17: error [import-unknown-label] T17 'MISC': no mapping for label 'MISC'" in err
    assert f"brat/{DOC}.ann:19: error [import-discontinuous] T19 'GPE'" in err and "(', ')" in err
    assert "warning [import-unsupported] relation R4 'LocatedIn'" in err
    assert "error [import-failed] nothing written: 2 problem(s)" in err
    assert (repo / "annotations" / f"{DOC}.json").read_bytes() == before


def test_brat_import_places_spans_links_speakers_and_cues(repo: Path, capsys):
    assert imp(repo, "brat", f"brat/{DOC}.ann", "--label-map", MAP, "--partial") == 1  # T19 still reported
    out, err = capsys.readouterr()
    assert "offsets: code points; tool text: identical to the corpus text" in out
    assert "T19" in err and "T17" not in err
    text = corpus(repo)
    ents = {x["text"]: x for x in layers(repo)["entities"]}
    assert (ents["Steve Witkoff"]["start"], ents["Steve Witkoff"]["end"]) == at(text, "Steve Witkoff")
    assert ents["Steve Witkoff"]["label"] == "PERSON" and "Wikidata:Q7613902" in ents["Steve Witkoff"]["note"]
    assert ents["Mohammed bin Abdulrahman\nAl Thani"]["label"] == "PERSON"  # fragments split by a line break: joined
    quotes = {x["text"]: x for x in layers(repo)["quotes"]}
    joint = quotes["“to review the implementation of the first phase of the Gaza ceasefire.”"]
    assert joint["speaker"] == "the joint statement" and joint["kind"] == "direct"
    assert (joint["cue"]["start"], joint["cue"]["end"]) == at(text, "said", "A joint")
    committed = quotes["“committed”"]
    assert committed["kind"] == "partial" and committed["speaker"] == "Hamas"
    assert committed["speaker_id"] == ents["Hamas"]["id"]
    assert {x["text"]: x.get("anonymity") for x in layers(repo)["sources"]} == {
        "a source briefed on the meeting": "unnamed", "Turkish security sources": None}
    for x in layers(repo)["entities"] + layers(repo)["quotes"] + layers(repo)["sources"]:
        assert text[x["start"]:x["end"]] == x["text"] and x["origin"] == "manual"
    assert validate_repo(repo)[0] == []


def test_inception_brat_export_counts_utf16_units_and_lands_on_the_same_spans(repo: Path, tmp_path: Path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    assert main(["ingest", "--root", str(other), str(DATA / "seed" / f"{DOC}.txt"), "--source", "Example Wire",
                 "-q"]) == 0
    assert imp(repo, "brat", f"brat/{DOC}.ann", "--label-map", MAP, "--partial") == 1
    assert imp(other, "brat", f"inception-brat/{DOC}.ann", "--label-map", MAP, "--partial") == 1
    assert "offsets: UTF-16 code units" in capsys.readouterr().out
    for layer in ("entities", "quotes", "sources"):
        assert spans(repo, layer) == spans(other, layer)


def test_utf16_offsets_read_as_code_points_are_caught(repo: Path, capsys):
    assert imp(repo, "brat", f"inception-brat/{DOC}.ann", "--label-map", MAP, "--offsets", "codepoint") == 1
    err = capsys.readouterr().err
    assert "error [import-text-mismatch] T7 'PER': the tool says 'Steve Witkoff' but its offsets cover" in err
    assert layers(repo)["entities"] == []


def test_brat_on_the_raw_seed_goes_through_the_normaliser_offset_map(repo: Path, capsys):
    raw = (DATA / "brat-raw-seed" / f"{DOC}.txt").read_text(encoding="utf-8")
    assert raw != corpus(repo) and "\u00a0" in raw and "\u00ad" in raw
    assert imp(repo, "brat", f"brat-raw-seed/{DOC}.ann", "--label-map", MAP) == 0
    assert "normalised by our normaliser into the corpus text (offset map)" in capsys.readouterr().out
    text = corpus(repo)
    ents = {x["text"]: x for x in layers(repo)["entities"]}
    assert (ents["Steve Witkoff"]["start"], ents["Steve Witkoff"]["end"]) == at(text, "Steve Witkoff")
    quote = next(q for q in layers(repo)["quotes"] if q["kind"] == "direct")
    assert quote["text"].endswith("Gaza ceasefire.”")  # the soft hyphen is gone, as in the corpus text
    assert validate_repo(repo)[0] == []


# ------------------------------------------------------------------------------------------------ doccano
def test_doccano_entities_export_utf16_with_relations(repo: Path, capsys):
    assert imp(repo, "doccano", "doccano/export.jsonl") == 0
    out, err = capsys.readouterr()
    assert "offsets: UTF-16 code units" in out
    assert "[import-offset-unit]" not in err  # read as code points, the last spans would run past the text
    text = corpus(repo)
    ents = {x["text"]: x for x in layers(repo)["entities"]}
    assert set(ents) == {"Steve Witkoff", "Hakan Fidan", "Miami", "Hamas"}
    assert (ents["Miami"]["start"], ents["Miami"]["end"]) == at(text, "Miami", "Mediators")
    [quote] = layers(repo)["quotes"]
    assert quote["kind"] == "partial" and quote["speaker_id"] == ents["Hamas"]["id"]
    assert (quote["cue"]["start"], quote["cue"]["end"]) == at(text, "said", "Hamas")
    assert [s["text"] for s in layers(repo)["sources"]] == ["Turkish security sources"]
    assert validate_repo(repo)[0] == []


def test_doccano_without_a_telling_offset_assumes_utf16_and_says_so(repo: Path, tmp_path: Path, capsys):
    line = json.loads((DATA / "doccano" / "export.jsonl").read_text(encoding="utf-8").splitlines()[1])
    line["entities"] = [e for e in line["entities"] if e["label"] == "PERSON"]
    line["relations"] = []
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["import", "doccano", str(path), "--doc", DOC, "--root", str(repo)]) == 0
    err = capsys.readouterr().err
    assert "warning [import-offset-unit] the export has no covered text to check offsets against; assuming " \
           "UTF-16 code units (doccano's entities/relations export (doccano 1.x))" in err
    assert sorted(x["text"] for x in layers(repo)["entities"]) == ["Hakan Fidan", "Steve Witkoff"]


def test_doccano_legacy_label_triples(repo: Path, capsys):
    assert imp(repo, "doccano", "doccano/legacy.jsonl") == 0
    text = corpus(repo)
    assert spans(repo) == sorted([(*at(text, "Steve Witkoff"), "Steve Witkoff", "PERSON"),
                                  (*at(text, "Gaza", "Mediators"), "Gaza", "LOC"), (*at(text, "Hamas"), "Hamas", "ORG")])


# ------------------------------------------------------------------------------------------------ Label Studio
def test_label_studio_export_picks_the_task_and_the_live_annotation(repo: Path, capsys):
    assert imp(repo, "label-studio", "label-studio/export.json") == 1  # Person, Place... unmapped
    assert "error [import-unknown-label] r5 'Place': no mapping for label 'Place'" in capsys.readouterr().err
    assert imp(repo, "label-studio", "label-studio/export.json", "--label-map", MAP) == 0
    text = corpus(repo)
    got = spans(repo)
    assert (*at(text, "Turkish"), "Turkish", "NORP") in got and (*at(text, "Miami", "Mediators"), "Miami", "GPE") in got
    [quote] = layers(repo)["quotes"]
    assert quote["kind"] == "partial" and quote["speaker"] == "Hamas"  # kind from the region's choice


def test_a_label_studio_export_is_parsed_once(repo: Path, capsys, monkeypatch):
    """The format sniffer and the importer share one reading of the export (the sniffer read it a second time
    with the standard library)."""
    import ceasefire_news.annotations.importers as importers

    raw = (DATA / "label-studio" / "export.json").read_text(encoding="utf-8")
    parses = []
    parse_json, decode = importers.parse_json, json.JSONDecoder.decode
    monkeypatch.setattr(importers, "parse_json", lambda text, *a: parses.append(text) or parse_json(text, *a))
    monkeypatch.setattr(json.JSONDecoder, "decode", lambda self, s, *a: parses.append(s) or decode(self, s, *a))
    assert imp(repo, "label-studio", "label-studio/export.json", "--label-map", MAP) == 0
    assert parses.count(raw) == 1


def test_old_label_studio_utf16_on_another_text_is_aligned_to_the_same_spans(repo: Path, tmp_path: Path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    assert main(["ingest", "--root", str(other), str(DATA / "seed" / f"{DOC}.txt"), "--source", "Example Wire",
                 "-q"]) == 0
    assert imp(repo, "label-studio", "label-studio/export.json", "--label-map", MAP) == 0
    assert imp(other, "label-studio", "label-studio/export-utf16-other-text.json", "--label-map", MAP) == 0
    out = capsys.readouterr().out
    assert "offsets: UTF-16 code units; tool text: a different text: spans placed by text alignment" in out
    assert spans(repo) == spans(other) and spans(repo, "quotes") == spans(other, "quotes")


def test_label_studio_with_two_annotators_asks_which(repo: Path, tmp_path: Path, capsys):
    tasks = json.loads((DATA / "label-studio" / "export.json").read_text(encoding="utf-8"))
    task = tasks[1]
    task["annotations"][1]["was_cancelled"] = False
    path = tmp_path / "two.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    assert main(["import", "label-studio", str(path), "--doc", DOC, "--root", str(repo), "--label-map", MAP]) == 1
    assert "error [import-select] task 41 has 2 matching annotations (1041, 2041)" in capsys.readouterr().err
    assert main(["import", "label-studio", str(path), "--doc", DOC, "--root", str(repo), "--label-map", MAP,
                 "--annotation", "1041"]) == 0


def test_importing_twice_adds_nothing_new(repo: Path, capsys):
    assert imp(repo, "doccano", "doccano/export.jsonl") == 0
    first = layers(repo)
    capsys.readouterr()
    assert imp(repo, "doccano", "doccano/export.jsonl") == 0
    out = capsys.readouterr().out  # says why nothing was added (it used to say "imported 0 entities" alone)
    assert ("imported 0 entities (4 already present), 0 sources (1 already present), 0 quotes (1 already present)"
            in out)
    assert f"nothing new: every annotation of the export is already in annotations/{DOC}.json" in out
    assert layers(repo) == first


def test_importing_an_export_with_one_new_span_counts_the_new_and_the_present(repo: Path, tmp_path: Path, capsys):
    assert imp(repo, "doccano", "doccano/export.jsonl") == 0
    record = json.loads((DATA / "doccano" / "export.jsonl").read_text(encoding="utf-8").splitlines()[1])
    text = record["text"]
    start = text.index("Mediators")
    record["entities"].append({"id": 99, "label": "ORG", "start_offset": len(text[:start].encode("utf-16-le")) // 2,
                               "end_offset": len(text[:start + 9].encode("utf-16-le")) // 2})
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "doccano", str(more), "--doc", DOC, "--root", str(repo), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would import 1 entities (4 already present), 0 sources (1 already present)" in out
    assert "nothing new" not in out


WRONG_TOOL = [("label-studio", "doccano/export.jsonl", "doccano", 'one JSON object per line with "text" and '
               '"entities"'),
              ("label-studio", "doccano/legacy.jsonl", "doccano", '"text" and "label"'),
              ("doccano", "label-studio/export.json", "label-studio", 'Label Studio tasks with "annotations"'),
              ("label-studio", "brat/emoji_live_blog.ann", "brat", "brat standoff lines")]


@pytest.mark.parametrize("fmt,path,tool,found", WRONG_TOOL)
def test_an_export_of_another_tool_is_recognised(fmt, path, tool, found, repo: Path, capsys):
    before = (repo / "annotations" / f"{DOC}.json").read_bytes()
    assert imp(repo, fmt, path) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"{DATA / path}: error [import-format] expected a {fmt} export, found {err.split('found ', 1)[1]}")
    assert found in err and f"(hint: import it with `ceasefire-news import {tool} ...`)" in err
    assert (repo / "annotations" / f"{DOC}.json").read_bytes() == before


def test_a_one_line_doccano_file_given_as_label_studio_is_not_a_task_without_annotations(repo: Path,
                                                                                         tmp_path: Path, capsys):
    one = tmp_path / "one.jsonl"  # a single JSON object: it parses as one Label Studio task, with no annotations
    one.write_text((DATA / "doccano" / "export.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n",
                   encoding="utf-8")
    assert main(["import", "label-studio", str(one), "--doc", DOC, "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "[import-format] expected a label-studio export, found one JSON object per line" in err
    assert "matching annotations" not in err


def test_a_label_studio_task_without_annotations_says_so(repo: Path, tmp_path: Path, capsys):
    task = json.loads((DATA / "label-studio" / "export.json").read_text(encoding="utf-8"))[1]
    task["annotations"] = []
    path = tmp_path / "empty.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    assert main(["import", "label-studio", str(path), "--doc", DOC, "--root", str(repo)]) == 1
    assert (f"error [import-select] task {task['id']} has no annotation (none, or only cancelled ones) to import"
            in capsys.readouterr().err)


@pytest.mark.parametrize("encoding,iconv", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE")])
def test_a_utf16_brat_file_says_utf16_and_how_to_convert(encoding, iconv, repo: Path, tmp_path: Path, capsys):
    ann = tmp_path / f"{DOC}.ann"
    ann.write_bytes((DATA / "brat" / f"{DOC}.ann").read_text(encoding="utf-8").encode(encoding))
    assert main(["import", "brat", str(ann), "--doc", DOC, "--root", str(repo)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{ann}: error [bad-encoding] expected UTF-8, found UTF-16"), err
    assert f"iconv -f {iconv} -t UTF-8 {ann} > {ann}.utf8" in err


def test_bad_label_map_is_a_one_line_error(repo: Path, tmp_path: Path, capsys):
    bad = tmp_path / "map.yaml"
    bad.write_text("labels:\n  PER: PEOPLE\n", encoding="utf-8")
    assert imp(repo, "doccano", "doccano/export.jsonl", "--label-map", str(bad)) == 1
    assert "error [bad-label-map] label 'PER' maps to 'PEOPLE'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ hostile shapes
def test_a_bug_while_importing_surfaces_as_a_bug_not_as_a_problem_of_the_export(repo: Path, monkeypatch):
    """The command used to turn any TypeError, KeyError, ValueError... into an [import-syntax] error blaming the
    export; only the importer's own errors (wrong shapes included) are the input's."""
    from ceasefire_news.annotations import importers

    def broken(*args, **kwargs):
        raise KeyError("a bug of ours")

    monkeypatch.setattr(importers, "build_items", broken)
    with pytest.raises(KeyError, match="a bug of ours"):
        imp(repo, "doccano", "doccano/export.jsonl")


@pytest.mark.parametrize("fmt,export,expected", [
    ("doccano", '{"id": 1, "text": "x", "entities": [[0, 5, "PER"]]}\n',
     "export:1:37: error [import-syntax] not a shape this importer reads: expected an object, found an array "
     '[0, 5, "PER"] at /entities/0'),
    ("doccano", '{"id": 1, "text": "x", "label": []}\n[1, 2]\n',
     "export:2:1: error [import-syntax] not a doccano export (one object per line): expected an object, found an "
     "array [1, 2]"),
    ("label-studio", '[{"id": 3, "annotations": [{"result": [{"type": "labels", "value": {"start": 1, "end": 3, '
     '"labels": "PER"}}]}]}]',
     'export:1:101: error [import-syntax] not a shape this importer reads: expected an array or null, found a string '
     '"PER" at /0/annotations/0/result/0/value/labels'),
    ("label-studio", '{"id": 3, "annotations": {"result": []}}',
     'export:1:26: error [import-syntax] not a shape this importer reads: expected an array or null, found an object '
     '{"result": []} at /annotations'),
])
def test_a_wrong_shape_in_an_export_is_one_line_with_position_expected_and_found(fmt, export, expected, repo: Path,
                                                                                  tmp_path: Path, capsys):
    path = tmp_path / "export"
    path.write_text(export, encoding="utf-8")
    before = (repo / "annotations" / f"{DOC}.json").read_bytes()
    assert main(["import", fmt, str(path), "--doc", DOC, "--root", str(repo)]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path}/{expected}"
    assert (repo / "annotations" / f"{DOC}.json").read_bytes() == before


def test_a_label_map_of_the_wrong_shape_is_a_bad_label_map(repo: Path, tmp_path: Path, capsys):
    bad = tmp_path / "map.yaml"
    bad.write_text("labels: [PER, ORG]\n", encoding="utf-8")
    assert imp(repo, "doccano", "doccano/export.jsonl", "--label-map", str(bad)) == 1
    assert capsys.readouterr().err.strip() == (f"{bad}: error [bad-label-map] labels: expected a mapping of tool "
                                               'labels to targets, found ["PER", "ORG"] at /labels')


def test_import_into_a_broken_annotation_file_is_refused_with_its_schema_errors(repo: Path, capsys):
    ann = repo / "annotations" / f"{DOC}.json"
    doc = json.loads(ann.read_text(encoding="utf-8"))
    doc["layers"]["entities"] = {"not": "a list"}
    ann.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert imp(repo, "doccano", "doccano/export.jsonl") == 1
    err = capsys.readouterr().err
    assert f"{ann}:" in err and "error [schema] expected an array, found an object" in err
    assert "at /layers/entities" in err and "[import-failed] nothing imported" in err and "Traceback" not in err


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=False) |
                           st.text(max_size=6), lambda inner: st.lists(inner, max_size=3) |
                           st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _nodes(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        yield from _nodes(v, (*path, k))


def _mutated(data: st.DataObject, value):
    """`value` with 1-3 of its nodes replaced by any JSON value, or (an object's key) removed."""
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_nodes(value))))
        new = data.draw(JSON_VALUES)
        if not path:
            value = new
            continue
        parent = value
        for k in path[:-1]:
            parent = parent[k]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = new
    return value


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "repo"
    assert main(["ingest", "--root", str(root), str(DATA / "seed" / f"{DOC}.txt"), "--source", "Example Wire",
                 "-q"]) == 0
    return root


@pytest.mark.parametrize("fmt,name", [("label-studio", "label-studio/export.json"),
                                      ("doccano", "doccano/export.jsonl"), ("doccano", "doccano/legacy.jsonl")])
@settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_value_anywhere_in_an_export_is_an_input_error_never_a_crash(fmt, name, data, shared_repo, tmp_path):
    """Import reports a wrong shape in the user's export as a CeasefireError (file, position, expected, found);
    any other exception is a bug of ours, which the command no longer disguises as a problem of the input."""
    from ceasefire_news.annotations.importers import import_annotations
    from ceasefire_news.errors import CeasefireError
    from ceasefire_news.repo import Repo

    raw = (DATA / name).read_text(encoding="utf-8")
    path = tmp_path / Path(name).name
    if fmt == "doccano":
        lines = _mutated(data, [json.loads(line) for line in raw.splitlines()])
        path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) if isinstance(lines, list)
                        else json.dumps(lines), encoding="utf-8")
    else:
        path.write_text(json.dumps(_mutated(data, json.loads(raw)), ensure_ascii=False), encoding="utf-8")
    try:
        import_annotations(Repo.at(shared_repo), fmt, [str(path)], DOC, label_map=MAP, dry_run=True)
    except CeasefireError as exc:
        assert exc.problems and all(p.file for p in exc.problems), exc
