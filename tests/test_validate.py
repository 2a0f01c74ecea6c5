"""Every validator code, each with a realistic bad file and the exact line it prints.

The files are the seed's own: its raw text and sidecar, its corpus text, and a hand-built annotation file
(tests/validate_fixtures.py) so that line numbers do not move when the repository's annotations grow.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from ceasefire_news.cli import main

from .conftest import SEED_ID
from .validate_fixtures import find, make_repo, write_doc

A = f"annotations/{SEED_ID}.json"
C = f"corpus/{SEED_ID}.txt"
S = f"seeds/{SEED_ID}.txt"
M = f"seeds/{SEED_ID}.meta.json"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_NEWS_CACHE", str(tmp_path_factory.mktemp("cache")))


def run(root: Path, capsys, *args: str) -> tuple[int, list[str], str]:
    rc = main(["validate", "--root", str(root), *args])
    out = capsys.readouterr().out.rstrip("\n").split("\n")
    return rc, out[:-1], out[-1]


# ------------------------------------------------------------------------------------------------ mutations
def edit(f: Callable) -> Callable:
    def mutate(root: Path, doc: dict, text: str) -> None:
        f(doc, text)
        write_doc(root, doc)
    return mutate


def replace(path: str, old: str, new: str) -> Callable:
    def mutate(root: Path, doc: dict, text: str) -> None:
        p = root / path
        t = p.read_text(encoding="utf-8")
        assert old in t, old
        p.write_text(t.replace(old, new, 1), encoding="utf-8")
    return mutate


def replace_bytes(path: str, old: bytes, new: bytes) -> Callable:
    def mutate(root: Path, doc: dict, text: str) -> None:
        p = root / path
        data = p.read_bytes()
        assert old in data
        p.write_bytes(data.replace(old, new, 1))
    return mutate


def remove(path: str) -> Callable:
    return lambda root, doc, text: (root / path).unlink()


def add_entity(words: str, label: str = "PERSON") -> Callable:
    def f(doc: dict, text: str) -> None:
        s, e = find(text, words)
        doc["layers"]["entities"].append({"id": "e6", "start": s, "end": e, "text": text[s:e], "origin": "manual",
                                          "label": label})
    return edit(f)


def set_field(layer: str, k: int, **fields) -> Callable:
    return edit(lambda doc, text: doc["layers"][layer][k].update(**fields))


def shift(layer: str, k: int, by: int) -> Callable:
    return edit(lambda doc, text: doc["layers"][layer][k].update(start=doc["layers"][layer][k]["start"] + by))


def as_float(doc: dict, text: str) -> None:
    doc["layers"]["entities"][1]["start"] = float(doc["layers"]["entities"][1]["start"])


def overlapping_quote(doc: dict, text: str) -> None:
    s, e = find(text, "the implementation of the first phase of the Gaza ceasefire and to advance")
    doc["layers"]["quotes"].append({"id": "q2", "start": s, "end": e, "text": text[s:e], "origin": "manual",
                                    "kind": "partial", "speaker": "the joint statement"})


def wrong_cue(doc: dict, text: str) -> None:
    doc["layers"]["sources"][0]["cue"] = {"start": 5, "end": 9, "text": "said"}


def cue_inside_its_span(doc: dict, text: str) -> None:
    src = doc["layers"]["sources"][0]
    src["cue"] = {"start": src["start"], "end": src["start"] + 1, "text": text[src["start"]]}


def cue_in_another_paragraph(doc: dict, text: str) -> None:
    s = text.index("said", text.index("The Turkish sources"))  # a "said" paragraphs away from the source
    doc["layers"]["sources"][0]["cue"] = {"start": s, "end": s + 4, "text": "said"}


def folder_instead_of_corpus(root: Path, doc: dict, text: str) -> None:
    (root / C).unlink()
    (root / C).mkdir()


def nul_in_seed(root: Path, doc: dict, text: str) -> None:
    data = (root / S).read_bytes()
    (root / S).write_bytes(data[:100] + b"\x00" + data[100:])


def seed_gone(root: Path, doc: dict, text: str) -> None:
    (root / S).unlink()


HINT_REANCHOR = "(hint: run `ceasefire-news reanchor` to move the spans onto the new text)"
HINT_INGEST = "(hint: run `ceasefire-news ingest seeds/000_e39bfd33e101e3f6.txt`)"
HINT_ORPHAN = "(hint: every sidecar, corpus text and annotation file belongs to a seed)"
DRIFT = (f"{C}:1:105: error [corpus-drift] corpus text differs from the normalised seed at character 104: "
         "\"{}p’s peace plan for \" where the seed gives \"{}p’s peace plan for \" (hint: corpus texts are made by "
         "`ceasefire-news ingest`; re-run it, never edit them)")

CASES = [
    ("json-syntax", replace(A, '"label": "PERSON"', '"label": "PERSON",'),
     [f"{A}:38:27: error [json-syntax] invalid JSON: Expecting property name enclosed in double quotes"]),
    ("json-syntax-nested-too-deeply", lambda root, doc, text: (root / A).write_bytes(b"[" * 100000 + b"]" * 100000),
     [f"{A}:1:1: error [json-syntax] invalid JSON: nested too deeply"]),
    ("json-syntax-nan", lambda root, doc, text: (root / A).write_bytes(b'{"doc_id": NaN}'),
     [f"{A}:1:12: error [json-syntax] invalid JSON: unexpected character, expected a JSON value"]),
    ("schema-not-an-object", lambda root, doc, text: (root / A).write_bytes(b"[]"),
     [f"{A}:1:1: error [schema] expected an object, found an array []"]),
    ("json-syntax-in-sidecar", replace(M, '"language": "en",', '"language": "en",,'),
     [f"{M}:3:20: error [json-syntax] invalid JSON: Expecting property name enclosed in double quotes"]),
    ("schema-minimum", set_field("entities", 1, start=-4),
     [f"{A}:48:18: error [schema] expected a number >= 0, found -4 at /layers/entities/1/start"]),
    ("schema-type", set_field("entities", 1, start="120"),
     [f"{A}:48:18: error [schema] expected an integer, found a string \"120\" at /layers/entities/1/start"]),
    ("schema-float-offset", edit(as_float),
     [f"{A}:48:18: error [schema] expected an integer offset, found 169.0 at /layers/entities/1/start"]),
    ("schema-enum", set_field("quotes", 0, kind="indirect"),
     [f"{A}:369:17: error [schema] expected one of \"direct\", \"partial\", \"scare\"; found \"indirect\" at "
      "/layers/quotes/0/kind"]),
    ("schema-additional", set_field("entities", 0, lable="PERSON"),
     [f"{A}:39:18: error [schema] unexpected property \"lable\"; did you mean \"label\"? at /layers/entities/0/lable"]),
    ("schema-required", edit(lambda doc, text: doc["layers"]["entities"][0].pop("text")),
     [f"{A}:35:7: error [schema] expected property \"text\", found only \"end\", \"id\", \"label\", \"origin\", "
      "\"start\" at /layers/entities/0"]),
    ("schema-pattern", set_field("entities", 0, label="person"),
     [f"{A}:38:18: error [schema] expected a string matching ^[A-Z][A-Z_]*$, found \"person\" at "
      "/layers/entities/0/label"]),
    ("schema-const", edit(lambda doc, text: doc.update(schema_version="2.0")),
     [f"{A}:389:21: error [schema] expected \"1.0\", found \"2.0\" at /schema_version"]),
    ("hash-mismatch", edit(lambda doc, text: doc.update(text_sha256="0" * 64)),
     [f"{A}:390:18: error [hash-mismatch] text_sha256 does not match the corpus text: the text changed under the "
      f"annotations at /text_sha256 {HINT_REANCHOR}"]),
    ("offset-range", set_field("entities", 2, end=8019),
     [f"{A}:52:16: error [offset-range] span [878, 8019) is not inside the text (0 <= start < end <= 8014) at "
      "/layers/entities/2/end"]),
    ("offset-range-beyond-64-bits", set_field("entities", 2, end=2 ** 64 + 1),  # read exactly, not as 1.8e+19
     [f"{A}:52:16: error [offset-range] span [878, 18446744073709551617) is not inside the text (0 <= start < end <= "
      "8014) at /layers/entities/2/end"]),
    ("span-text", shift("entities", 0, 1),
     [f"{A}:41:17: error [span-text] text[95:106] is \"onald Trump\" but the annotation says \"Donald Trump\" at "
      "/layers/entities/0/text (hint: fix the offsets, or run `ceasefire-news reanchor`)"]),
    ("span-text-of-a-cue", edit(wrong_cue),
     [f"{A}:382:19: error [span-text] cue text[5:9] is \"edia\" but the annotation says \"said\" at "
      "/layers/sources/0/cue/text"]),
    ("cue-placement-inside-its-span", edit(cue_inside_its_span),
     [f"{A}:379:16: error [cue-placement] cue [180, 181) \"a\" overlaps the span [180, 211) it marks at "
      "/layers/sources/0/cue (hint: the cue is the reporting verb outside the quote or attribution)"]),
    ("cue-placement-in-another-paragraph", edit(cue_in_another_paragraph),
     [f"{A}:379:16: error [cue-placement] cue [6219, 6223) \"said\" is not in the paragraph of the span [180, 211) "
      "it marks at /layers/sources/0/cue (hint: the cue is the reporting verb of the same sentence)"]),
    ("duplicate-id", set_field("entities", 3, id="e1"),
     [f"{A}:61:15: error [duplicate-id] id 'e1' is used twice (first at /layers/entities/0) at /layers/entities/3/id "
      "(hint: ids must be unique in a document)"]),
    ("unknown-label", set_field("entities", 0, label="PERSN"),
     [f"{A}:38:18: error [unknown-label] unknown entity label 'PERSN'; did you mean 'PERSON'? at "
      "/layers/entities/0/label (hint: the labels are listed in docs/guidelines.md)"]),
    ("bad-reference", set_field("quotes", 0, speaker_id="e9"),
     [f"{A}:372:23: error [bad-reference] speaker_id 'e9' is not an id in this document; it must name an entity or "
      "an unnamed source at /layers/quotes/0/speaker_id"]),
    ("bad-reference-to-boilerplate", set_field("quotes", 0, speaker_id="b1"),
     [f"{A}:372:23: error [bad-reference] speaker_id 'b1' is an item of boilerplate; it must name an entity or an "
      "unnamed source at /layers/quotes/0/speaker_id"]),
    ("crossing-spans", add_entity("President Donald"),
     [f"{A}:35:7: error [crossing-spans] span [94, 106) crosses [84, 100) (/layers/entities/5) in entities at "
      "/layers/entities/0 (hint: entities may nest but never cross)"]),
    ("crossing-spans-of-quotes", edit(overlapping_quote),
     [f"{A}:375:7: error [crossing-spans] span [1964, 2038) overlaps [1954, 2023) in quotes at /layers/quotes/1 "
      "(hint: spans of quotes must not overlap)"]),
    ("straddles-boilerplate", add_entity("Hakan Fidan.\n\nGet The Times"),
     [f"{A}:75:7: error [straddles-boilerplate] entity [1010, 1037) \"Hakan Fidan.\\n\\nGet The Times\" crosses the "
      "boundary of a removed span [1024, 1103) at /layers/entities/5 (hint: a span lies wholly inside the body or "
      "wholly inside one boilerplate item or caption)"]),
    ("crosses-paragraph", add_entity("current truce.\n\nA joint", "EVENT"),
     [f"{A}:75:7: error [crosses-paragraph] entity [278, 301) \"current truce.\\n\\nA joint\" is not inside one "
      "paragraph at /layers/entities/5 (hint: a span lies inside one paragraph)"]),
    ("normaliser-version", edit(lambda doc, text: doc.update(normaliser_version="0")),
     [f"{A}:387:25: error [normaliser-version] annotations made with normaliser '0', this package has '1' at "
      "/normaliser_version (hint: run `ceasefire-news ingest` then `reanchor`)"]),
    ("doc-id-mismatch", edit(lambda doc, text: doc.update(doc_id="001_other")),
     [f"{A}:2:13: error [doc-id-mismatch] doc_id is '001_other' but the file is named for '000_e39bfd33e101e3f6' at "
      "/doc_id (hint: doc_id must equal the file name without .json)"]),
    ("corpus-drift", replace(C, "Donald Trump", "Donald Trunp"),
     [DRIFT.format("n", "m"),
      f"{A}:390:18: error [hash-mismatch] text_sha256 does not match the corpus text: the text changed under the "
      f"annotations at /text_sha256 {HINT_REANCHOR}"]),
    ("seed-modified", replace(S, "Donald Trump", "Donald Trunp"),
     [f"{S}: error [seed-modified] seed bytes hash to 69b3214c3afe…, the sidecar pins 4e32a11df840… (hint: raw seeds "
      "are never edited: restore the original bytes)", DRIFT.format("m", "n")]),
    ("meta-schema", replace(M, '"published": "2025-12-20"', '"published": "20 December 2025"'),
     [f"{M}:5:16: error [meta-schema] expected a string matching ^\\d{{4}}-\\d{{2}}-\\d{{2}}$, found "
      "\"20 December 2025\" at /published"]),
    ("meta-doc-id", replace(M, f'"doc_id": "{SEED_ID}"', '"doc_id": "000_other"'),
     [f"{M}:2:13: error [meta-doc-id] doc_id is '000_other' but the file is named for '000_e39bfd33e101e3f6' at "
      "/doc_id"]),
    ("missing-corpus", remove(C),
     [f"{S}: error [missing-corpus] seed has no corpus text {HINT_INGEST}"]),
    ("missing-annotations", remove(A),
     [f"{S}: error [missing-annotations] seed has no annotation file {HINT_INGEST}"]),
    ("missing-meta", remove(M),
     [f"{S}: error [missing-meta] seed has no metadata sidecar (hint: add seeds/000_e39bfd33e101e3f6.meta.json (see "
      "README: adding a document))"]),
    ("orphan", seed_gone,
     [f"{M}: error [orphan] no seed {S} for this file {HINT_ORPHAN}",
      f"{C}: error [orphan] no seed {S} for this file {HINT_ORPHAN}",
      f"{A}: error [orphan] no seed {S} for this file {HINT_ORPHAN}"]),
    ("bad-doc-id", lambda root, doc, text: shutil.copy(root / A, root / "annotations" / "Draft Copy.json"),
     ["annotations/Draft Copy.json: error [bad-doc-id] 'Draft Copy' is not a valid document id "
      "(^[a-z0-9][a-z0-9_-]{0,127}$) (hint: use lower-case letters, digits, '_' and '-' only)"]),
    ("stray-file", lambda root, doc, text: (root / "annotations" / "notes.md").write_text("to do"),
     ["annotations/notes.md: error [stray-file] 'notes.md' is not one of annotations/<doc-id>.json (hint: only "
      "annotations/<doc-id>.json files belong here)"]),
    ("bad-encoding", replace_bytes(A, "Israel’s".encode(), b"Israel\x92s"),
     [f"{A}:11:41: error [bad-encoding] not UTF-8: byte 0x92 at byte offset 248 (hint: save the file as UTF-8)"]),
    ("bad-encoding-of-corpus", replace_bytes(C, "Trump’s".encode(), b"Trump\x92s"),
     [f"{C}:1:107: error [bad-encoding] not UTF-8: byte 0x92 at byte offset 106 (hint: corpus texts are written by "
      "ingest)"]),
    ("unreadable", folder_instead_of_corpus,
     [f"{C}: error [unreadable] cannot read: Is a directory"]),
    ("binary-input", nul_in_seed,
     [f"{S}: error [seed-modified] seed bytes hash to 5dd95ed61504…, the sidecar pins 4e32a11df840… (hint: raw seeds "
      "are never edited: restore the original bytes)",
      f"{S}: error [binary-input] binary data, not text (NUL byte at byte offset 100) (hint: seeds must be plain "
      "text)"]),
]


def test_the_hand_built_repository_is_clean(tmp_path: Path, capsys):
    root, doc, _ = make_repo(tmp_path / "repo")
    rc, lines, last = run(root, capsys)
    n = sum(len(items) for items in doc["layers"].values())
    assert n > 40 and (rc, lines, last) == (0, [], f"OK: {n} annotations in 1 document")


@pytest.mark.parametrize("name,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_each_code_prints_its_exact_line(name, mutate, expected, tmp_path: Path, capsys):
    root, doc, text = make_repo(tmp_path / "repo")
    mutate(root, doc, text)
    rc, lines, last = run(root, capsys)
    assert lines == expected
    assert rc == 1
    n = len(expected)
    assert last == f"{n} error{'s' if n > 1 else ''}, 0 warnings in 1 document"


def test_all_problems_are_collected_not_just_the_first(tmp_path: Path, capsys):
    root, doc, text = make_repo(tmp_path / "repo")
    doc["layers"]["entities"][0]["label"] = "PERSN"
    doc["layers"]["entities"][1]["start"] += 1
    doc["layers"]["entities"][3]["id"] = "e1"
    doc["layers"]["quotes"][0]["speaker_id"] = "e9"
    write_doc(root, doc)
    (root / M).write_text((root / M).read_text().replace('"en"', '"English"'))
    rc, lines, _ = run(root, capsys)
    codes = sorted(line.split("[")[1].split("]")[0] for line in lines)
    assert rc == 1
    assert codes == ["bad-reference", "duplicate-id", "meta-schema", "span-text", "unknown-label"]


def test_every_schema_violation_of_a_file_is_listed(tmp_path: Path, capsys):
    root, doc, text = make_repo(tmp_path / "repo")
    doc["layers"]["entities"][0]["start"] = -1
    doc["layers"]["entities"][2]["label"] = "person"
    doc["layers"]["quotes"][0]["kind"] = "indirect"
    write_doc(root, doc)
    rc, lines, _ = run(root, capsys)
    assert rc == 1
    assert [line.rsplit(" at ", 1)[1] for line in lines] == [
        "/layers/entities/0/start", "/layers/entities/2/label", "/layers/quotes/0/kind"]


def test_a_nested_entity_is_allowed(tmp_path: Path, capsys):
    root, doc, text = make_repo(tmp_path / "repo")
    s, e = find(text, "US President Donald Trump")
    doc["layers"]["entities"].insert(0, {"id": "e6", "start": s, "end": e, "text": text[s:e], "origin": "manual",
                                         "label": "PERSON"})
    write_doc(root, doc)
    assert run(root, capsys)[0] == 0


def test_entities_inside_a_caption_are_allowed(tmp_path: Path, capsys):
    root, doc, text = make_repo(tmp_path / "repo")
    s, e = find(text, "Abdel Kareem Hana")
    doc["layers"]["entities"].append({"id": "e6", "start": s, "end": e, "text": text[s:e], "origin": "manual",
                                      "label": "PERSON"})
    write_doc(root, doc)
    assert run(root, capsys)[0] == 0


def test_check_document_hands_over_the_document_it_checked(tmp_path: Path, monkeypatch):
    """check_document gives validate_document's answer and, for a clean document, the parsed files and digests
    (build uses them instead of parsing and hashing again), whichever path of the validator checked it."""
    import hashlib

    import orjson

    import ceasefire_news.annotations.validate as validate
    from ceasefire_news.annotations.validate import check_document, read_document, validate_document
    from ceasefire_news.repo import Repo

    full_checks: list[str] = []
    full_check = validate._full_check

    def counted(prefix, doc_id, *rest):
        full_checks.append(doc_id)
        return full_check(prefix, doc_id, *rest)

    monkeypatch.setattr(validate, "_full_check", counted)
    root, doc, text = make_repo(tmp_path / "repo")
    repo = Repo.at(root)
    fast = check_document(repo, SEED_ID)
    assert full_checks == []  # the clean document took the fast path alone
    meta = root / M  # an escaped colon sends the sidecar down the full path, which finds nothing either
    data = meta.read_bytes()
    assert b"received:" in data
    meta.write_bytes(data.replace(b"received:", b"received\\u003a", 1))
    full = check_document(repo, SEED_ID)
    assert full_checks == [SEED_ID]  # the escaped colon really went down the full path
    files = read_document(repo, SEED_ID)
    for problems, count, checked in (fast, full):
        assert (problems, count) == validate_document(repo, SEED_ID) == ([], sum(map(len, doc["layers"].values())))
        assert checked.meta == orjson.loads(files.meta) and checked.annotations == doc and checked.text == text
        assert checked.seed_sha256 == hashlib.sha256(files.seed).digest()
        assert checked.corpus_sha256 == hashlib.sha256(text.encode()).digest()


def test_check_document_gives_no_document_with_problems(tmp_path: Path):
    from ceasefire_news.annotations.validate import check_document, validate_document
    from ceasefire_news.repo import Repo

    root, doc, text = make_repo(tmp_path / "repo")
    replace(C, "Qatar", "Qatat")(root, doc, text)
    problems, count, checked = check_document(Repo.at(root), SEED_ID)
    assert problems and (problems, count) == validate_document(Repo.at(root), SEED_ID) and checked is None
