"""Hostile input through every entry point: each attack gets one clear error line (file, position, what was
expected), a non-zero exit, never a traceback and never a success status with data missing.

Every attack here is listed in docs/reliability.md with the message a user sees.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from ceasefire_news.cli import main
from ceasefire_news.errors import CeasefireError
from ceasefire_news.fsutil import check_doc_id
from ceasefire_news.release.build import build

from .cli_run import one_line, run, usage_error
from .conftest import ROOT, SEED_ID

MB = 1_000_000


# ------------------------------------------------------------------------------------------------ raw bytes
HOSTILE_BYTES = {
    "empty": (b"", "empty-input", "empty input"),
    "binary": (bytes(range(256)) * 4, "binary-input", "byte offset 0"),
    "nul": (b"Ceasefire talks resume\x00 in Cairo", "binary-input", "NUL byte at byte offset 22"),
    "undecodable": (b"caf\xe9 talks \x81\x8d\x8f\x90 resumed", "undecodable", "byte offset 3"),
    "utf16-bom": ("Ceasefire talks resume".encode("utf-16"), "undecodable", "byte-order mark at byte offset 0"),
    "utf16-le-no-bom": ("Ceasefire talks resume in Cairo".encode("utf-16-le"), "binary-input", "UTF-16"),
    "utf16-be-no-bom": ("Ceasefire talks resume in Cairo".encode("utf-16-be"), "binary-input", "UTF-16"),
    "gzip-named-txt": (gzip.compress(b"Ceasefire talks resume in Cairo. " * 20), "binary-input", "gzip"),
    "pdf-named-txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "binary-input", "PDF"),
}


@pytest.mark.parametrize("name", HOSTILE_BYTES)
def test_clean_refuses_hostile_bytes_with_one_line(name, tmp_path, capsys):
    data, code, where = HOSTILE_BYTES[name]
    f = tmp_path / f"{name}.txt"
    f.write_bytes(data)
    rc, out, err = run(capsys, "clean", f)
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    one_line(rc, err, code, str(f), where)


@pytest.mark.parametrize("name", HOSTILE_BYTES)
def test_ingest_refuses_hostile_bytes_and_writes_nothing(name, tmp_path, capsys):
    data, code, where = HOSTILE_BYTES[name]
    f = tmp_path / f"doc_{name.replace('-', '_')}.txt"
    f.write_bytes(data)
    repo = tmp_path / "repo"
    rc, _, err = run(capsys, "ingest", "--root", repo, "--source", "Example Wire", f)
    one_line(rc, err, code, str(f), where)
    assert not (repo / "corpus").exists() and not (repo / "annotations").exists()


# a --rules (or --label-map) file that is no UTF-8 text: (bytes, what the one line says)
HOSTILE_TEXT_FILES = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "found PNG image (its first bytes, at byte offset 0)"),
    "binary": (b"rules_version: x\n\x00\x01\x02", "found binary data (a NUL byte at byte offset 17)"),
    "utf16-bom": ('rules_version: "x"\n'.encode("utf-16"), "found UTF-16 text (byte-order mark at byte offset 0)"),
    "utf16-le-no-bom": ('rules_version: "x"\n'.encode("utf-16-le"), "found UTF-16 (little-endian) text"),
    "latin-1": ('rules_version: "café"\n'.encode("latin-1"), "found byte 0xe9 at byte offset 19"),
}


@pytest.mark.parametrize("name", HOSTILE_TEXT_FILES)
def test_a_rules_file_that_is_no_utf8_text_is_one_line_in_every_command(name, tmp_path, capsys):
    data, found = HOSTILE_TEXT_FILES[name]
    rules = tmp_path / "labels.png"
    rules.write_bytes(data)
    page = tmp_path / "page.txt"
    page.write_text("Home\nThe truce held overnight, officials in Doha said on Friday.\n", encoding="utf-8")
    for args in (("clean", "--rules", rules, page), ("view", "--raw", page, "--rules", rules, "--out", "-"),
                 ("ingest", "--root", tmp_path / "repo", "--source", "Example Wire", "--rules", rules, page)):
        rc, out, err = run(capsys, *args)
        assert out == "" and err.count(" error [") == 1, err
        line = one_line(rc, err, "bad-encoding", f"{rules}: error", "expected UTF-8", found)
        assert ("iconv -f UTF-16" in line) == name.startswith("utf16"), line
    assert not (tmp_path / "repo" / "corpus").exists()


def test_200_mb_single_line_is_refused_before_it_is_read(tmp_path, capsys):
    f = tmp_path / "page.txt"
    with open(f, "wb") as fh:  # a sparse file: 200 MB on paper, nothing on disk; refused by its size alone
        fh.write(b"Ceasefire ")
        fh.truncate(200 * MB)
    for args in (("clean", f), ("ingest", "--root", tmp_path / "repo", "--source", "Example Wire", f)):
        rc, out, err = run(capsys, *args)
        one_line(rc, err, "too-large", str(f), "200,000,000 bytes", "5,000,000")
        assert out == ""


def test_200_mb_of_short_lines_is_refused(tmp_path, capsys):
    f = tmp_path / "lines.txt"
    line = b"A short line of a page that never ends.\n"
    with open(f, "wb") as fh:
        chunk = line * (MB // len(line))
        while fh.tell() < 200 * MB:
            fh.write(chunk)
    rc, out, err = run(capsys, "clean", f)
    one_line(rc, err, "too-large", str(f), "above the limit")
    assert out == ""


def test_a_200_mb_seed_in_the_repository_is_refused_by_validate_and_build(repo_copy, tmp_path, capsys):
    with open(repo_copy / "seeds" / "huge_page.txt", "wb") as fh:
        fh.truncate(200 * MB)
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1 and "seeds/huge_page.txt: error [too-large] file is 200,000,000 bytes, above the limit" in out
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", tmp_path / "rel", "-q", "--no-strict")
    assert rc == 1 and "huge_page" in err
    report = json.loads((tmp_path / "rel" / "rejections.json").read_text())
    assert "too-large" in {p["code"] for p in report["rejected"]["huge_page"]}
    assert report["accounting"] == {"documents_in": 2, "released": 1, "rejected": 1}


def test_size_limit_is_configurable_and_covers_stdin(tmp_path, capsys, monkeypatch):
    f = tmp_path / "page.txt"
    f.write_bytes(b"Negotiators met in Cairo on Monday to discuss the truce, officials said.\n\n" * 40)
    rc, _, err = run(capsys, "clean", "--max-bytes", "1000", f)
    one_line(rc, err, "too-large", "1,000 bytes")
    monkeypatch.setenv("CEASEFIRE_NEWS_MAX_BYTES", "1000")
    one_line(*run(capsys, "clean", f)[::2], "too-large")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f.read_bytes())))
    rc, _, err = run(capsys, "clean", "-")
    one_line(rc, err, "too-large", "<stdin>", "more than that")
    rc, out, _ = run(capsys, "clean", "--max-bytes", "0", f)  # 0: no limit
    assert rc == 0 and "Cairo" in out
    with pytest.raises(SystemExit) as exc:
        main(["clean", "--max-bytes", "lots", str(f)])
    assert exc.value.code == 2


@pytest.mark.parametrize("value", ["-5", "lots", "1e6"])
def test_a_bad_size_limit_in_the_environment_is_a_usage_error(value, tmp_path, capsys, monkeypatch, repo_copy):
    """Like a bad --max-bytes: exit 2 naming the variable and its value, never the default put in its place, and
    whatever the size of the input (validate consults the limit only for a big file)."""
    f = tmp_path / "page.txt"
    f.write_bytes(b"Negotiators met in Cairo on Monday to discuss the truce, officials said.\n")
    monkeypatch.setenv("CEASEFIRE_NEWS_MAX_BYTES", value)
    for args in (("clean", f), ("validate", "--root", repo_copy)):
        rc, out, err = run(capsys, *args)
        assert rc == 2 and out == "", (args, rc, out, err)
        assert err.strip() == (f"$CEASEFIRE_NEWS_MAX_BYTES: error [bad-limit] expected a whole number of bytes >= 0, "
                               f"found {value!r} (hint: 0 = no limit; unset it for the default of 5,000,000)")
    rc, out, _ = run(capsys, "clean", "--max-bytes", "0", f)  # the option wins over the variable, as documented
    assert rc == 0 and "Cairo" in out


def test_a_page_that_is_all_boilerplate_is_not_a_silent_success(tmp_path, capsys):
    f = tmp_path / "furniture.txt"
    f.write_text("Sign up for our newsletter\n\nShare this article\n", encoding="utf-8")
    rc, out, err = run(capsys, "clean", f)
    one_line(rc, err, "empty-body", str(f), "no article text")
    assert out == ""


# ------------------------------------------------------------------------------------------------ ids and paths
HOSTILE_IDS = ["../etc", "a/b", "a\\b", "a\x00b", ".hidden", "..", "con", "nul", "com1", "lpt9", "aux",
               "abc\u202egpj", "a" * 10_000, "abc\n", "ABC", "", " x"]


@pytest.mark.parametrize("doc_id", HOSTILE_IDS, ids=lambda s: repr(s[:12]))
def test_hostile_ids_are_rejected_before_a_path_is_built(doc_id, tmp_path, capsys, repo_copy):
    with pytest.raises(CeasefireError) as exc:
        check_doc_id(doc_id)
    assert exc.value.problems[0].code == "bad-doc-id" and len(exc.value.problems[0].render()) < 400
    ann = tmp_path / "x.ann"
    ann.write_text("T1\tPERSON 0 5\tHamas\n", encoding="utf-8")
    before = sorted(p for p in tmp_path.parent.rglob("*"))
    if "\x00" not in doc_id:  # a NUL cannot be passed on a real command line
        one_line(*run(capsys, "import", "brat", ann, "--doc", doc_id, "--root", repo_copy)[::2], "bad-doc-id")
        one_line(*run(capsys, "reanchor", doc_id, "--root", repo_copy)[::2], "bad-doc-id")
    assert sorted(p for p in tmp_path.parent.rglob("*")) == before


@pytest.mark.parametrize("name", ["con.txt", ".hidden.txt", "Bad Name.txt", "x\u202etxt.txt"])
def test_ingest_refuses_a_seed_whose_name_is_no_id(name, tmp_path, capsys):
    f = tmp_path / name
    f.write_text("Negotiators met in Cairo on Monday.", encoding="utf-8")
    repo = tmp_path / "repo"
    one_line(*run(capsys, "ingest", "--root", repo, "--source", "Example Wire", f)[::2], "bad-doc-id")
    assert not repo.exists() or not any(repo.rglob("*.txt"))


def test_symlink_in_seeds_pointing_outside_is_refused_everywhere(tmp_path, capsys, repo_copy):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET: not for the corpus.\n", encoding="utf-8")
    link = repo_copy / "seeds" / "evil_link.txt"
    link.symlink_to(secret)
    rc, _, err = run(capsys, "ingest", "--root", repo_copy, "--source", "Example Wire", link)
    one_line(rc, err, "symlink", "outside the repository")
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1 and "[symlink]" in out and "evil_link" in out
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", tmp_path / "rel", "-q", "--no-strict")
    assert rc == 1 and "evil_link" in err
    rejected = json.loads((tmp_path / "rel" / "rejections.json").read_text())["rejected"]
    assert "symlink" in [p["code"] for p in rejected["evil_link"]]
    for f in (tmp_path / "rel").rglob("*"):
        assert not f.is_file() or b"TOP SECRET" not in f.read_bytes()
    assert not (repo_copy / "corpus" / "evil_link.txt").exists()


# ------------------------------------------------------------------------------------------------ sidecars
@pytest.mark.parametrize("change,code,must", [
    ({"url": "javascript:alert(1)"}, "meta-schema", "^https?://"),
    ({"url": "file:///etc/passwd"}, "meta-schema", "^https?://"),
    ({"published": "2025-02-30"}, "meta-date", "not a date that exists"),
    ({"published": "2025-13-01"}, "meta-date", "not a date that exists"),
])
def test_sidecar_with_dangerous_url_or_impossible_date_is_refused(change, code, must, repo_copy, capsys):
    meta_path = repo_copy / "seeds" / f"{SEED_ID}.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(change)
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1 and f"[{code}]" in out and must in out and ".meta.json:" in out
    one_line(*run(capsys, "ingest", "--root", repo_copy, repo_copy / "seeds" / f"{SEED_ID}.txt")[::2], code, must)


# ------------------------------------------------------------------------------------------------ annotation JSON
def _ann(repo: Path) -> Path:
    return repo / "annotations" / f"{SEED_ID}.json"


def _with(repo: Path, fn) -> None:
    doc = json.loads(_ann(repo).read_text(encoding="utf-8"))
    fn(doc)
    _ann(repo).write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def _set_start(value):
    def fn(doc):
        doc["layers"]["entities"][0]["start"] = value
    return fn


JSON_ATTACKS = {
    "malformed": (lambda p: p.write_text('{"doc_id": ', encoding="utf-8"), "json-syntax", ":1:"),
    "nested-100000": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"), "json-syntax",
                      "nested too deeply"),
    "duplicate-key": (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        '"doc_id":', '"doc_id": "other", "doc_id":', 1), encoding="utf-8"), "duplicate-key", "/doc_id"),
    "lone-surrogate": (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        '"schema_version": "1.0"', '"schema_version": "\\ud800"', 1), encoding="utf-8"), "json-syntax", "surrogate"),
    "array-for-object": (lambda p: p.write_text("[" + p.read_text(encoding="utf-8") + "]", encoding="utf-8"),
                         "schema", "expected an object, found an array"),
    "layer-is-object": (lambda p: _with(p.parent.parent, lambda d: d["layers"].update(entities={"e1": 1})),
                        "schema", "expected an array"),
    "label-is-number": (lambda p: _with(p.parent.parent, lambda d: d["layers"]["entities"][0].update(label=5)),
                        "schema", "expected a string"),
    "text-is-null": (lambda p: _with(p.parent.parent, lambda d: d["layers"]["entities"][0].update(text=None)),
                     "schema", "expected a string"),
    "offset-negative": (lambda p: _with(p.parent.parent, _set_start(-1)), "schema", ">= 0"),
    "offset-huge": (lambda p: _with(p.parent.parent, _set_start(10 ** 30)), "offset-range",  # an integer, read exactly
                    f"span [{10 ** 30}, "),
    "offset-float": (lambda p: _with(p.parent.parent, _set_start(1.0)), "schema", "/start"),
    "offset-bool": (lambda p: _with(p.parent.parent, _set_start(True)), "schema", "boolean"),
    "offset-string": (lambda p: _with(p.parent.parent, _set_start("5")), "schema", "a string"),
}


@pytest.mark.parametrize("name", JSON_ATTACKS)
def test_hostile_annotation_json_gets_one_line_in_validate_and_is_rejected_by_build(name, repo_copy, tmp_path,
                                                                                      capsys):
    attack, code, must = JSON_ATTACKS[name]
    attack(_ann(repo_copy))
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1, out
    line = next(ln for ln in out.splitlines() if f"[{code}]" in ln)
    assert line.startswith(f"annotations/{SEED_ID}.json") and must in line, line
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", tmp_path / "rel", "-q", "--no-strict")
    assert rc == 1 and SEED_ID in err
    acc = json.loads((tmp_path / "rel" / "rejections.json").read_text())
    assert acc["accounting"] == {"documents_in": 1, "released": 0, "rejected": 1}
    assert code in {p["code"] for p in acc["rejected"][SEED_ID]}


CLUSTERS = "Leaders met at the Qu\u0307ay. The family \U0001F468\u200d\U0001F469\u200d\U0001F467 waited in Cairo."


@pytest.mark.parametrize("needle,cut", [("Qu\u0307ay", 2), ("\U0001F468\u200d\U0001F469\u200d\U0001F467", 2),
                                        ("\U0001F468\u200d\U0001F469\u200d\U0001F467", 3)])
def test_offsets_that_split_a_combining_sequence_or_zwj_emoji_are_errors(needle, cut, tmp_path, capsys):
    seed = tmp_path / "clusters_doc.txt"
    seed.write_text(CLUSTERS, encoding="utf-8")
    repo = tmp_path / "repo"
    assert run(capsys, "ingest", "--root", repo, "--source", "Example Wire", seed)[0] == 0
    text = (repo / "corpus" / "clusters_doc.txt").read_text(encoding="utf-8")
    start = text.index(needle)
    end = start + cut
    ann_path = repo / "annotations" / "clusters_doc.json"
    doc = json.loads(ann_path.read_text(encoding="utf-8"))
    doc["layers"]["entities"] = [{"id": "e1", "start": start, "end": end, "label": "FAC", "text": text[start:end],
                                  "origin": "manual"}]
    ann_path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rc, out, _ = run(capsys, "validate", "--root", repo)
    assert rc == 1 and "[splits-character]" in out and "/layers/entities/0/end" in out, out
    doc["layers"]["entities"][0].update(end=start + len(needle), text=needle)  # the whole character: fine
    ann_path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "validate", "--root", repo)[0] == 0


# ------------------------------------------------------------------------------------------------ import
IMPORT_ATTACKS = {
    "empty": (b"", "empty-input"),
    "binary": (bytes(range(256)), "bad-encoding"),
    "utf16": ('[{"text": "x"}]'.encode("utf-16"), "bad-encoding"),
    "malformed": (b'{"text": ', "json-syntax"),
    "nested-100000": (b"[" * 100_000 + b"]" * 100_000, "json-syntax"),
    "duplicate-key": (b'{"id": 1, "id": 2, "text": "x", "label": []}', "duplicate-key"),
    "lone-surrogate": (b'{"text": "\\ud800", "label": []}', "json-syntax"),
    "wrong-types": (b'{"text": "x", "entities": [[0, 5, "PER"]]}', "import-syntax"),
}


@pytest.mark.parametrize("name", IMPORT_ATTACKS)
def test_import_of_a_hostile_export_is_one_line_and_writes_nothing(name, repo_copy, tmp_path, capsys):
    data, code = IMPORT_ATTACKS[name]
    f = tmp_path / "export.jsonl"
    f.write_bytes(data)
    before = _ann(repo_copy).read_bytes()
    one_line(*run(capsys, "import", "doccano", f, "--doc", SEED_ID, "--root", repo_copy)[::2], code, str(f))
    assert _ann(repo_copy).read_bytes() == before


@pytest.mark.parametrize("name", HOSTILE_TEXT_FILES)
def test_a_label_map_that_is_no_utf8_text_is_named_not_the_export(name, repo_copy, tmp_path, capsys):
    data, found = HOSTILE_TEXT_FILES[name]
    export = tmp_path / "ls.json"
    export.write_text("[]", encoding="utf-8")
    label_map = tmp_path / "labels.png"
    label_map.write_bytes(data)
    before = _ann(repo_copy).read_bytes()
    rc, _, err = run(capsys, "import", "label-studio", export, "--doc", SEED_ID, "--root", repo_copy,
                     "--label-map", label_map)
    line = one_line(rc, err, "bad-encoding", f"{label_map}: error", found)
    assert "ls.json" not in line
    assert _ann(repo_copy).read_bytes() == before


def test_write_errors_name_the_path_the_user_gave_never_a_temporary_file(corpus_repo, corpus_release, tmp_path,
                                                                         capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    rc, _, err = run(capsys, "view", SEED_ID, "--root", ROOT, "--out", folder)
    assert one_line(rc, err, "os-error", f"{folder}: error", "is a folder").startswith(f"{folder}: ")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    for args in (("view", SEED_ID, "--root", ROOT, "--out", not_a_folder / "page.html"),
                 ("site", "--from", corpus_release, "--out", not_a_folder / "site", "-q"),
                 ("export", "--format", "jsonl", "--source", corpus_release, "--out", not_a_folder / "out")):
        rc, _, err = run(capsys, *args)
        line = one_line(rc, err, "os-error")
        assert line.startswith(f"{not_a_folder / args[-2 if args[-1] == '-q' else -1]}: error"), line
        assert ".tmp" not in line
    with pytest.raises(OSError) as caught:  # the release's staging folder, made beside it (fsutil.staging_beside)
        build(corpus_repo, not_a_folder / "rel", progress=False)
    assert caught.value.filename == str((not_a_folder / "rel").resolve())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"]  # and nothing left behind


JSON_TEXTS = {  # what fsutil.parse_json (validate, sidecars, annotation files read by ingest and import, exports) says
    "malformed": ('{"a": ', "f.json:1:7: error [json-syntax] invalid JSON: Expecting value"),
    "nan": ('{"a": 1,\n "b": NaN}', "f.json:2:7: error [json-syntax] invalid JSON: unexpected character, expected a "
                                    "JSON value"),
    "lone-surrogate": ('[1,\n  "\\ud800"]', "f.json:2:4: error [json-syntax] invalid JSON: no low surrogate in string"),
    "duplicate-key": ('{"a": 1, "a": 2}', 'f.json:1:7: error [duplicate-key] key "a" appears more than once in one '
                                          "object (a JSON reader would silently keep only the last) at /a (hint: say "
                                          "each key once)"),
    "nested-100000": ("[" * 100_000 + "]" * 100_000, "f.json:1:1: error [json-syntax] invalid JSON: nested too deeply"),
    "byte-order-mark": ("\ufeff{}", "f.json:1:1: error [json-syntax] invalid JSON: the file starts with a byte-order "
                                    "mark (hint: save the file as UTF-8 without BOM)"),
    "not-utf8": (b'{"a":\n "\xe9"}', "f.json:2:3: error [bad-encoding] not UTF-8: byte 0xe9 at byte offset 8 (hint: "
                                    "save the file as UTF-8)"),
}


@pytest.mark.parametrize("name", JSON_TEXTS)
def test_parse_json_errors_are_pinned(name):
    from ceasefire_news.fsutil import parse_json

    text, expected = JSON_TEXTS[name]
    with pytest.raises(CeasefireError) as exc:
        parse_json(text, "f.json")
    assert "\n".join(p.render() for p in exc.value.problems) == expected


def test_a_sidecar_annotation_file_or_old_text_that_is_no_utf8_is_said_as_everywhere_else(repo_copy, tmp_path,
                                                                                           capsys):
    """A sidecar read by ingest, an annotation file read by stats and an --old text read by reanchor go through
    fsutil's readers: the byte with its line and column as validate says it, UTF-16 named with how to convert it."""
    seed = tmp_path / "newdoc.txt"
    seed.write_bytes((ROOT / "seeds" / f"{SEED_ID}.txt").read_bytes())
    side = tmp_path / "newdoc.meta.json"
    side.write_bytes(b'{"doc_id":\n "caf\xe9"}')
    rc, _, err = run(capsys, "ingest", seed, "--root", repo_copy)
    one_line(rc, err, "bad-encoding", f"{side}:2:6: error", "not UTF-8: byte 0xe9 at byte offset 16")
    assert not (repo_copy / "seeds" / "newdoc.txt").exists()

    _ann(repo_copy).write_bytes(_ann(repo_copy).read_bytes().replace("Israel".encode(), b"Isr\xe4el", 1))
    rc, _, err = run(capsys, "stats", "--root", repo_copy)
    line = one_line(rc, err, "bad-encoding", f"annotations/{SEED_ID}.json:", "not UTF-8: byte 0xe4 at byte offset")
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1 and line in out.splitlines()  # the very line validate prints for the file

    shutil.copytree(ROOT / "annotations", repo_copy / "annotations", dirs_exist_ok=True)
    corpus = repo_copy / "corpus" / f"{SEED_ID}.txt"
    corpus.write_text(corpus.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_bytes((ROOT / "corpus" / f"{SEED_ID}.txt").read_text(encoding="utf-8").encode("utf-16"))
    before = _ann(repo_copy).read_bytes()
    rc, _, err = run(capsys, "reanchor", SEED_ID, "--root", repo_copy, "--from-corpus", "--old", old)
    one_line(rc, err, "bad-encoding", f"{old}: error", "expected UTF-8, found UTF-16 text", "iconv -f UTF-16")
    assert _ann(repo_copy).read_bytes() == before


def test_a_hand_broken_corpus_text_is_a_line_for_reanchor_and_rewritten_by_ingest(repo_copy, capsys):
    """A corpus text edited into bytes that are not UTF-8: reanchor read it with read_text and showed a
    UnicodeDecodeError traceback, and so did ingest, which now sees a changed text and refuses as for any other."""
    corpus = repo_copy / "corpus" / f"{SEED_ID}.txt"
    corpus.write_bytes(corpus.read_bytes().replace("Israel".encode(), b"Isr\xe4el", 1))
    before = _ann(repo_copy).read_bytes()
    rc, _, err = run(capsys, "reanchor", SEED_ID, "--root", repo_copy, "--from-corpus")
    one_line(rc, err, "bad-encoding", f"{corpus}: error", "byte 0xe4")
    assert _ann(repo_copy).read_bytes() == before
    broken = corpus.read_bytes()
    rc, _, err = run(capsys, "ingest", "--root", repo_copy, repo_copy / "seeds" / f"{SEED_ID}.txt")
    one_line(rc, err, "text-changed")  # the manual layers point into another text: nothing is overwritten
    assert corpus.read_bytes() == broken and _ann(repo_copy).read_bytes() == before


def test_a_missing_page_or_a_folder_is_the_same_line_in_clean_and_view_raw(tmp_path, capsys):
    """Both read a raw page through limits.read_limited, which words a missing file and a folder itself (view --raw
    on a folder said `cannot read: Is a directory`)."""
    for path, message in ((tmp_path / "nope.txt", "text file not found"), (tmp_path, "is a folder, not a text file")):
        lines = []
        for args in (("clean", path), ("view", "--raw", path, "--out", tmp_path / "page.html")):
            rc, _, err = run(capsys, *args)
            lines.append(one_line(rc, err, "missing-file", f"{path}: error", message))
        assert lines[0] == lines[1] and not (tmp_path / "page.html").exists()


@pytest.mark.parametrize("data, found", [('{"a": 1}'.encode("utf-16"), "UTF-16 text (byte-order mark"),
                                         ('{"a": 1}'.encode("utf-16-le"), "UTF-16 (little-endian) text"),
                                         (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image")],
                         ids=["utf16", "utf16-no-bom", "png"])
def test_parse_json_names_utf16_and_binary_bytes(data, found, repo_copy, capsys):
    """A sidecar or annotation file saved as UTF-16, or a binary file in its place, is said as such (as decode_utf8
    says it for rules files and exports), never `not UTF-8: byte 0xff` or a JSON syntax error; validate too."""
    from ceasefire_news.fsutil import parse_json

    with pytest.raises(CeasefireError) as exc:
        parse_json(data, "f.json")
    assert [p.code for p in exc.value.problems] == ["bad-encoding"] and found in exc.value.problems[0].message
    _ann(repo_copy).write_bytes(data)
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1 and f"annotations/{SEED_ID}.json: error [bad-encoding] expected UTF-8" in out and found in out


def test_parse_json_reads_a_valid_text_once(monkeypatch):
    """The standard library's reader only explains a problem; a valid text is parsed by orjson alone (it was parsed
    three times: json, json again for repeated keys, orjson for strictness). Integers beyond 64 bits stay exact."""
    import ceasefire_news.fsutil as fsutil
    from ceasefire_news.fsutil import parse_json

    calls = []
    decode = json.JSONDecoder.decode
    monkeypatch.setattr(json.JSONDecoder, "decode", lambda self, s, *a: calls.append(s) or decode(self, s, *a))
    strict = []
    strict_loads = fsutil.strict_loads
    monkeypatch.setattr(fsutil, "strict_loads", lambda s: strict.append(s) or strict_loads(s))
    text = '{"a": [1, 2.5, "x:y", null, true], "b": {"c": "\\u00e9"}, "d": -0}'
    assert parse_json(text, "f.json") == {"a": [1, 2.5, "x:y", None, True], "b": {"c": "é"}, "d": 0}
    assert calls == []
    assert strict == [text]  # parsed once, by the strict reader
    assert parse_json('{"n": 123456789012345678901234567890}') == {"n": 123456789012345678901234567890}


# ------------------------------------------------------------------------------------------------ loader
# the loader is called the way users call it: load(split, source=FOLDER))
@pytest.fixture(scope="module")
def built_release(tmp_path_factory) -> Path:
    from .corpus_factory import build_release, make_repo

    tmp = tmp_path_factory.mktemp("loader_attacks")
    return build_release(make_repo(tmp / "repo", only=["101_talks", "103_lebanon"]), tmp / "rel")


def test_loader_refuses_a_corrupted_release(built_release, tmp_path):
    from ceasefire_news.loader import load

    rel = tmp_path / "rel"
    shutil.copytree(built_release, rel)
    parquet = next(rel.glob("data/*.parquet"))
    parquet.write_bytes(parquet.read_bytes()[:-10] + b"\x00" * 10)
    with pytest.raises(CeasefireError) as exc:
        load("all", source=rel)
    assert exc.value.problems[0].code == "checksum" and parquet.name in exc.value.problems[0].file


def test_loader_refuses_a_release_with_a_file_missing(built_release, tmp_path):
    from ceasefire_news.loader import load

    rel = tmp_path / "rel"
    shutil.copytree(built_release, rel)
    next(rel.glob("data/*.parquet")).unlink()  # a file the call reads (the loader checks what it reads)
    with pytest.raises(CeasefireError) as exc:
        load("all", source=rel)
    assert exc.value.problems[0].code == "checksum" and "missing" in exc.value.problems[0].message


def test_loader_on_a_folder_that_is_no_release(tmp_path):
    from ceasefire_news.loader import load

    with pytest.raises(CeasefireError) as exc:
        load("all", source=tmp_path)
    assert exc.value.problems[0].code == "no-release"


def test_loader_checksum_list_cannot_point_outside_the_release(built_release, tmp_path):
    """A SHA256SUMS line naming ../something must not make the loader read outside the release."""
    from ceasefire_news.loader import load

    rel = tmp_path / "rel"
    shutil.copytree(built_release, rel)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"outside")
    sums = rel / "SHA256SUMS"
    sums.write_text(sums.read_text() + f"{hashlib.sha256(b'outside').hexdigest()}  ../outside.txt\n")
    with pytest.raises(CeasefireError) as exc:
        load("all", source=rel)
    assert exc.value.problems[0].code == "checksum" and "outside" in exc.value.problems[0].message


# ------------------------------------------------------------------------------------------------ bad values
@pytest.mark.parametrize("tag,why", [("bad tag", "a space at position 4"), ("v1..0", "two dots in a row"),
                                     ("v1:0", "a colon"), ("v1.lock", ".lock"), ("-", None), ("v1/", "slash"),
                                     ("", "empty"), ("v1\t0", "the character '\\t'"), (".v1", "starts with a dot")])
def test_publish_refuses_a_tag_that_is_no_git_ref_before_any_check(tag, why, tmp_path, capsys):
    """`publish --dry-run --tag "bad tag"` passed its checks; the Hub would refuse the tag after the upload."""
    from ceasefire_news.hub import check_tag, tag_problem

    if why is None:  # '-' is a valid ref name
        assert tag_problem(tag) is None
        return
    line = usage_error(capsys, "publish", "--repo-id", "owner/name", "--dry-run", "--from", tmp_path, "--tag", tag)
    assert line.startswith("ceasefire-news publish: error: argument --tag:") and why in line, line
    with pytest.raises(CeasefireError, match=r"\[bad-tag\]"):
        check_tag(tag)
    from ceasefire_news.release.publish import publish

    if tag:  # (the API reads tag="" as no tag: the default)
        with pytest.raises(CeasefireError, match=r"\[bad-tag\]"):  # the API checks it too, before building
            publish("owner/name", tag=tag, dry_run=True, from_dir=tmp_path, say=lambda _: None)


def test_valid_tags_pass():
    from ceasefire_news.hub import tag_problem

    assert [t for t in ("v0.1.0", "v1.0.0-rc.1", "release/2026-01", "v1_2", "V9") if tag_problem(t)] == []


def test_reanchor_refuses_a_negative_window_and_a_missing_old_file(repo_copy, tmp_path, capsys):
    before = _ann(repo_copy).read_bytes()
    for value in ("-5", "near", "1.5"):
        line = usage_error(capsys, "reanchor", "--root", repo_copy, "--window", value)
        assert "argument --window: expected a whole number of characters >= 0" in line and repr(value) in line
    line = usage_error(capsys, "reanchor", SEED_ID, "--root", repo_copy, "--old", tmp_path / "nonexist.txt")
    assert line.endswith(f"argument --old: file not found: {tmp_path / 'nonexist.txt'}")
    line = usage_error(capsys, "reanchor", SEED_ID, "--root", repo_copy, "--old", tmp_path)
    assert f"argument --old: not a file: {tmp_path}" in line
    assert _ann(repo_copy).read_bytes() == before
    rc, out, _ = run(capsys, "reanchor", "--root", repo_copy, "--window", "0")  # 0 is a window: exact places only
    assert rc == 0 and "up to date" in out
