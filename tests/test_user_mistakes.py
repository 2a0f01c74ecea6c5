"""Mistakes a new user makes, found by a walkthrough: each gets one clear error line (file, what was expected,
what was found), exit 1 for a problem and 2 for a usage error, never a traceback, never exit 0 with data missing,
and nothing of the user's is destroyed or left half-done.

Every case here is listed in docs/reliability.md.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ceasefire_news.errors import CeasefireError

from .cli_run import first_error, one_line, run
from .corpus_factory import tree_bytes


def _no_leftovers(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if ".building-" in p.name or p.name.endswith(".old")]


# ------------------------------------------------------------------------------------------------ build --out
def test_build_refuses_a_folder_that_is_not_a_release_and_keeps_it(repo_copy, tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "thesis.txt").write_text("thesis")
    rc, out, err = run(capsys, "build", "--root", repo_copy, "--out", victim, "-q")
    line = one_line(rc, err, "not-a-release", str(victim), "refusing to replace it")
    assert "no readable manifest.json and SHA256SUMS" in line and out == ""
    assert tree_bytes(victim) == {"thesis.txt": b"thesis"}
    _no_leftovers(tmp_path)


def test_build_refuses_an_existing_file_as_its_output(repo_copy, tmp_path, capsys):
    afile = tmp_path / "afile.txt"
    afile.write_text("keep me")
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", afile, "-q")
    one_line(rc, err, "not-a-release", str(afile), "it is a file, not a folder")
    assert afile.read_text() == "keep me"
    _no_leftovers(tmp_path)


@pytest.mark.parametrize("where", [".", "seeds", "corpus/sub", ".."])
def test_build_never_replaces_the_repository_or_its_inputs(where, repo_copy, capsys, monkeypatch):
    """`cd <clone>; ceasefire-news build --out .` once deleted the whole repository."""
    before = tree_bytes(repo_copy)
    monkeypatch.chdir(repo_copy)
    rc, _, err = run(capsys, "build", "--out", where, "-q")
    line = one_line(rc, err, "output-is-repository", str((repo_copy / where).resolve()))
    assert ("input folder" in line) == (where not in (".", ".."))
    assert tree_bytes(repo_copy) == before
    _no_leftovers(repo_copy)
    _no_leftovers(repo_copy.parent)


def test_build_replaces_an_earlier_release_or_an_empty_folder_and_nothing_else(repo_copy, tmp_path, capsys):
    from ceasefire_news.release.build import build

    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "build", "--root", repo_copy, "--out", empty, "-q")[0] == 0
    first = tree_bytes(empty)
    assert "SHA256SUMS" in first
    assert run(capsys, "build", "--root", repo_copy, "--out", empty, "-q")[0] == 0  # an earlier release
    assert tree_bytes(empty) == first
    (empty / "images" / "notes.md").write_text("mine")  # a file the release does not list, at any depth
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", empty, "-q")
    one_line(rc, err, "not-a-release", "'images/notes.md', which its SHA256SUMS does not list")
    assert (empty / "images" / "notes.md").read_text() == "mine"
    with pytest.raises(CeasefireError) as exc:  # the Python API refuses the same way
        build(repo_copy, empty, progress=False)
    assert exc.value.problems[0].code == "not-a-release"
    with pytest.raises(CeasefireError) as exc:
        build(repo_copy, repo_copy, progress=False)
    assert exc.value.problems[0].code == "output-is-repository"


def test_embed_refuses_a_folder_that_is_not_an_embedded_release(tmp_path):
    from ceasefire_news.release.embed import embed_release

    from .conftest import ROOT

    dest = tmp_path / "_release"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(CeasefireError) as exc:
        embed_release(ROOT, dest)
    assert exc.value.problems[0].code == "not-a-release" and (dest / "notes.txt").read_text() == "mine"


def test_site_refuses_a_site_folder_holding_a_file_of_the_user(corpus_release, tmp_path, capsys):
    site = tmp_path / "site"
    assert run(capsys, "site", "--out", site, "--from", corpus_release, "-q")[0] == 0
    assert run(capsys, "site", "--out", site, "--from", corpus_release, "-q")[0] == 0  # its own site: replaced
    (site / "doc" / "notes.txt").write_text("mine")
    rc, _, err = run(capsys, "site", "--out", site, "--from", corpus_release, "-q")
    one_line(rc, err, "not-a-site", str(site), "'doc/notes.txt', which is no file of a site")
    assert (site / "doc" / "notes.txt").read_text() == "mine"
    shutil.rmtree(site)


def test_export_refuses_to_write_into_a_folder_of_other_files(repo_copy, capsys):
    """`export --format brat --out corpus` would overwrite corpus/<id>.txt with the clean body."""
    before = tree_bytes(repo_copy)
    rc, out, err = run(capsys, "export", "--format", "brat", "--split", "all", "--out", repo_copy / "corpus")
    one_line(rc, err, "not-an-export", str(repo_copy / "corpus"), "no loss.json of an export")
    assert out == "" and tree_bytes(repo_copy) == before
    target = repo_copy.parent / "brat"
    assert run(capsys, "export", "--format", "brat", "--split", "all", "--out", target)[0] == 0
    assert run(capsys, "export", "--format", "jsonl", "--split", "all", "--out", target)[0] == 0  # its own folder


# ------------------------------------------------------------------------------------------------ --root
@pytest.mark.parametrize("command", ["validate", "build", "stats"])
def test_a_root_that_is_no_repository_is_the_same_usage_error_everywhere(command, tmp_path, capsys):
    missing = tmp_path / "nonexist"
    rc, out, err = run(capsys, command, "--root", missing, *(["--out", tmp_path / "rel"] if command == "build" else []))
    text = out + err  # validate prints its report on stdout, the others on stderr
    one_line(rc, text, "not-a-repository", str(missing), "no seeds/, corpus/ or annotations/ folder here", status=2)
    assert not (tmp_path / "rel").exists()


# ------------------------------------------------------------------------------------------------ stats
def test_stats_counts_every_document_or_says_which_it_left_out(corpus_repo, tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(corpus_repo, repo)
    rc, out, err = run(capsys, "stats", "--root", repo, "--json")
    total = len(list((repo / "annotations").glob("*.json")))
    assert rc == 0 and err == "" and f'"documents": {total}' in out
    broken = sorted((repo / "annotations").glob("*.json"))[0]
    broken.write_text("{bad")
    (repo / "annotations" / "zz_array.json").write_text("[]")
    (repo / "seeds" / "zz_new.txt").write_text("Talks resumed in Cairo on Monday.\n")  # not ingested yet
    rc, out, err = run(capsys, "stats", "--root", repo)
    assert rc == 1 and out.startswith(f"documents: {total - 1}\n")  # the counts of what could be read...
    assert [ln for ln in err.splitlines() if " error [" in ln] == [  # ...and one line per document left out
        f"annotations/{broken.name}:1:2: error [json-syntax] invalid JSON: Expecting property name enclosed in "
        "double quotes",
        "annotations/zz_array.json:1:1: error [schema] expected an object, found an array []",
        "seeds/zz_new.txt: error [missing-annotations] seed has no annotation file: not counted (hint: run "
        "`ceasefire-news ingest seeds/zz_new.txt`)"]
    assert err.rstrip().endswith("3 problem(s): the counts above leave out the documents named here")
    from ceasefire_news.release.stats import repo_stats

    with pytest.raises(CeasefireError) as exc:  # the Python API never returns partial counts silently
        repo_stats(repo)
    assert [p.code for p in exc.value.problems] == ["json-syntax", "schema", "missing-annotations"]


# ------------------------------------------------------------------------------------------------ ingest
PAGE = "Negotiators met in Cairo on Monday to discuss the truce, officials said.\n"


def _sidecar_beside(page: Path, **change) -> None:
    import hashlib
    import json

    from ceasefire_news.meta import skeleton

    meta = skeleton(page.stem, "Example Wire", "en", hashlib.sha256(page.read_bytes()).hexdigest())
    page.with_name(f"{page.stem}.meta.json").write_text(json.dumps({**meta, **change}), encoding="utf-8")


INGEST_FAILURES = {  # what is beside the page -> the code and what the line must name
    "no-sidecar-no-source": (lambda page: None, "missing-meta", "seeds/nosrc.meta.json"),
    "sidecar-not-json": (lambda page: page.with_name("nosrc.meta.json").write_text("{bad"), "json-syntax",
                         "nosrc.meta.json:1:2"),
    "sidecar-of-other-bytes": (lambda page: _sidecar_beside(page, seed_sha256="0" * 64), "seed-modified",
                               "nosrc.txt"),
    "sidecar-of-another-id": (lambda page: _sidecar_beside(page, doc_id="other"), "meta-doc-id", "'other'"),
}


@pytest.mark.parametrize("name", INGEST_FAILURES)
def test_a_failed_ingest_writes_nothing(name, repo_copy, tmp_path, capsys):
    """`ingest /tmp/nosrc.txt` without a sidecar used to copy the seed in before refusing: validate then failed
    on the stray seed until it was deleted by hand."""
    prepare, code, must = INGEST_FAILURES[name]
    page = tmp_path / "incoming" / "nosrc.txt"
    page.parent.mkdir()
    page.write_text(PAGE)
    prepare(page)
    before = tree_bytes(repo_copy)
    rc, _, err = run(capsys, "ingest", "--root", repo_copy, page)
    one_line(rc, err, code, must)
    assert tree_bytes(repo_copy) == before
    assert run(capsys, "validate", "--root", repo_copy)[0] == 0


def test_an_ingest_whose_last_write_fails_takes_back_the_others(repo_copy, tmp_path, capsys, monkeypatch):
    import errno

    import ceasefire_news.ingest as ingest_module

    real = ingest_module.atomic_write_bytes

    def full_disk(path, data):
        if Path(path).parent.name == "annotations":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(ingest_module, "atomic_write_bytes", full_disk)
    page = tmp_path / "nosrc.txt"
    page.write_text(PAGE)
    before = tree_bytes(repo_copy)
    rc, _, err = run(capsys, "ingest", "--root", repo_copy, "--source", "Example Wire", page)
    one_line(rc, err, "os-error", "No space left on device")
    assert tree_bytes(repo_copy) == before


# ------------------------------------------------------------------------------------------------ empty body
def test_an_all_boilerplate_page_never_reaches_the_release(repo_copy, tmp_path, capsys):
    """`ingest` took a page of nothing but furniture, `validate` said OK and `build` released it with text ""."""
    page = tmp_path / "onlybp.txt"
    page.write_text("Home\nSign up for our newsletter\n")
    before = tree_bytes(repo_copy)
    rc, _, err = run(capsys, "ingest", "--root", repo_copy, "--source", "X", page)
    one_line(rc, err, "empty-body", str(page), "no article text found: all 31 characters")  # as `clean` says
    assert tree_bytes(repo_copy) == before
    # such a document made by hand (or by an older ingest): validate reports it, build rejects it
    page.write_text(PAGE)
    assert run(capsys, "ingest", "--root", repo_copy, "--source", "X", page)[0] == 0
    import json

    ann = repo_copy / "annotations" / "onlybp.json"
    doc = json.loads(ann.read_text())
    text = (repo_copy / "corpus" / "onlybp.txt").read_text()
    doc["layers"]["captions"] = []
    doc["layers"]["boilerplate"] = [{"id": f"b{i}", "start": p["start"], "end": p["end"], "text": p["text"],
                                     "kind": "navigation", "rule": "by-hand", "origin": "manual"}
                                    for i, p in enumerate(doc["layers"]["paragraphs"], 1)]
    ann.write_text(json.dumps(doc, indent=2))
    rc, out, _ = run(capsys, "validate", "--root", repo_copy)
    assert rc == 1
    line = first_error(out)
    assert line.startswith("annotations/onlybp.json:") and "[empty-body] the clean body is empty: the boilerplate and " \
        f"caption spans cover every paragraph ({len(text)} characters of text, none of them article text)" in line
    rc, _, err = run(capsys, "build", "--root", repo_copy, "--out", tmp_path / "rel", "-q", "--no-strict")
    assert rc == 1 and "onlybp: empty-body" in err
    report = json.loads((tmp_path / "rel" / "rejections.json").read_text())
    assert report["accounting"] == {"documents_in": 2, "released": 1, "rejected": 1}
    assert [p["code"] for p in report["rejected"]["onlybp"]] == ["empty-body"]
    manifest = json.loads((tmp_path / "rel" / "manifest.json").read_text())
    assert "onlybp" not in manifest["documents"] and manifest["rejected"] == ["onlybp"]



def test_reanchor_from_corpus_refuses_a_hand_edit_that_leaves_no_article_text(repo_copy, tmp_path, capsys):
    """`reanchor --from-corpus` re-pinned a corpus text edited down to furniture and said OK: ingest refuses the
    same text with [empty-body], so re-anchoring onto it must too, and write nothing (a dry run included)."""
    page = tmp_path / "edited.txt"
    page.write_text(PAGE)
    assert run(capsys, "ingest", "--root", repo_copy, "--source", "X", page)[0] == 0
    corpus = repo_copy / "corpus" / "edited.txt"
    corpus.write_text("Home\nSign up for our newsletter\n")
    before = tree_bytes(repo_copy)
    for extra in ((), ("--dry-run",)):
        rc, _, err = run(capsys, "reanchor", "--root", repo_copy, "--no-git", "--from-corpus", *extra, "edited")
        line = one_line(rc, err, "empty-body", str(corpus), "no article text found: all 32 characters")
        assert "nothing was written" in line
        assert tree_bytes(repo_copy) == before
