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


@pytest.fixture(autouse=True)
def _no_source_variable(monkeypatch):
    """Each test starts from the default source (the embedded release), whatever CEASEFIRE_NEWS_SOURCE the
    environment running the tests holds; a test that needs the variable sets it."""
    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE", raising=False)


def test_default_source_is_the_embedded_release_unless_the_variable_points_elsewhere(release, monkeypatch):
    embedded = ceasefire_news.load("all")
    assert len(embedded) >= 1 and list(embedded["id"]) == list(ceasefire_news.load("all", source=EMBEDDED)["id"])
    assert "doc1" not in set(embedded["id"])
    monkeypatch.setenv("CEASEFIRE_NEWS_SOURCE", str(release))
    assert list(ceasefire_news.load("all")["id"]) == ["doc1"]


def _fake_hub(monkeypatch) -> list[tuple[str, str]]:
    """Every Hub fetch the loader asks for, refused as an unknown revision (no network in the tests)."""
    from ceasefire_news.errors import Problem
    from ceasefire_news.hub import download

    calls: list[tuple[str, str]] = []

    def fetch(repo_id, revision, files):
        calls.append((repo_id, revision))
        raise CeasefireError(Problem("hub-unknown-revision", f"dataset {repo_id} has no revision {revision!r}",
                                     f"{repo_id}@{revision}"))

    monkeypatch.setattr(download, "fetch", fetch)
    return calls


def test_a_revision_without_a_source_is_the_embedded_release_only_when_it_is_its_own_tag(monkeypatch):
    """revision= used to be ignored with the embedded release: v9.9.9 silently gave the embedded rows."""
    from ceasefire_news.loader import embedded_hub

    calls = _fake_hub(monkeypatch)
    repo_id, own = embedded_hub()
    assert list(ceasefire_news.load("all", revision=own)["id"]) == list(ceasefire_news.load("all")["id"])
    assert calls == []  # the embedded copy is that revision: no network
    with pytest.raises(CeasefireError, match=r"\[hub-unknown-revision\] dataset .* has no revision 'v9.9.9'"):
        ceasefire_news.load("train", revision="v9.9.9")
    with pytest.raises(CeasefireError, match=r"\[hub-unknown-revision\]"):
        list(ceasefire_news.documents("train", revision="v9.9.9"))
    assert calls == [(repo_id, "v9.9.9")] * 2


def test_export_revision_without_source_asks_the_hub_and_writes_nothing(monkeypatch, tmp_path, capsys):
    from ceasefire_news.cli import main

    calls = _fake_hub(monkeypatch)
    assert main(["export", "--format", "jsonl", "--revision", "v1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "error [hub-unknown-revision] dataset ceasefire-news/ceasefire-news has no revision 'v1'" in err
    assert calls == [("ceasefire-news/ceasefire-news", "v1")] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value,code", [("{tmp}/nothing", "no-release"), ("hub:no-slash", "bad-repo-id")])
def test_a_bad_source_variable_is_named_in_the_error(value, code, monkeypatch, tmp_path, capsys):
    from ceasefire_news.cli import main

    monkeypatch.setenv("CEASEFIRE_NEWS_SOURCE", value.format(tmp=tmp_path))
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load("train")
    (problem,) = exc.value.problems
    assert problem.code == code and "$CEASEFIRE_NEWS_SOURCE" in problem.render()
    assert main(["export", "--format", "jsonl", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"error [{code}]" in err and "$CEASEFIRE_NEWS_SOURCE" in err and "Traceback" not in err
    if code == "no-release":  # a folder: a revision cannot apply, and the error says where the folder came from
        with pytest.raises(CeasefireError, match=r"\[bad-source\].*\$CEASEFIRE_NEWS_SOURCE="):
            ceasefire_news.load("train", revision="v1")


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
    """The one [missing-extra] error of the package (extras.MissingExtra): a CeasefireError that is also a
    ModuleNotFoundError, naming the missing distributions of the `datasets` extra (here, installed as it is,
    the module that failed)."""
    import sys

    monkeypatch.setitem(sys.modules, "datasets", None)  # as if not installed
    with pytest.raises(ModuleNotFoundError) as caught:
        ceasefire_news.load("train", source=release, format="datasets")
    assert isinstance(caught.value, CeasefireError) and caught.value.problems[0].code == "missing-extra"
    assert str(caught.value) == ("error [missing-extra] load(format='datasets') needs datasets, which the datasets "
                                 "extra installs (hint: pip install 'ceasefire-news[datasets]')")


def test_format_datasets_carries_the_cards_features_tag_names_included():
    import datasets

    from ceasefire_news.loader import card_features
    from ceasefire_news.release.ner import TAGS

    ner = ceasefire_news.load("train", config="ner", format="datasets", source=EMBEDDED)
    tags = ner.features["ner_tags"].feature
    assert isinstance(tags, datasets.ClassLabel) and tags.names == list(TAGS)
    first = ner[0]["ner_tags"]
    assert tags.int2str(first) == [TAGS[i] for i in first] and any(i != 0 for i in first)
    default = ceasefire_news.load("all", format="datasets", source=EMBEDDED)
    assert default["train"].features == card_features(EMBEDDED, "default")


def test_a_datasets_without_the_card_reader_keeps_the_arrow_types_and_says_so(monkeypatch):
    """The card's features are read with `datasets`' own (private) reader; a version without it still loads."""
    import datasets

    monkeypatch.delattr(datasets.Features, "_from_yaml_list")
    with pytest.warns(RuntimeWarning, match="cannot read a card's features"):
        ner = ceasefire_news.load("train", config="ner", format="datasets", source=EMBEDDED)
    assert not isinstance(ner.features["ner_tags"].feature, datasets.ClassLabel)
    assert ner.num_rows > 0


def test_format_datasets_without_a_card_keeps_the_arrow_types(release, tmp_path):
    import datasets

    copy = tmp_path / "no-card"
    shutil.copytree(release, copy)
    (copy / "README.md").unlink(missing_ok=True)
    ner = ceasefire_news.load("train", config="ner", format="datasets", source=copy)
    assert not isinstance(ner.features["ner_tags"].feature, datasets.ClassLabel)


def test_full_boilerplate_spans_name_the_rule_that_removed_them():
    import json

    from .conftest import ROOT

    (row,) = ceasefire_news.load("all", config="full", source=EMBEDDED, format="arrow").to_pylist()
    ann = json.loads((ROOT / "annotations" / f"{row['id']}.json").read_text(encoding="utf-8"))
    spans = [(b["start"], b["end"], b["kind"], b["rule"]) for b in row["boilerplate"]]
    assert spans == sorted((b["start"], b["end"], b["kind"], b["rule"]) for b in ann["layers"]["boilerplate"])
    assert len(spans) >= 5 and all(rule for *_, rule in spans)


def test_a_release_of_format_1_0_still_loads_with_rule_null(tmp_path):
    """Release format 1.1 added `rule` to the boilerplate spans; a 1.0 file (no such field) reads as null."""
    import hashlib

    import pyarrow.parquet as pq

    from ceasefire_news.columns import CONFIGS

    copy = tmp_path / "v1.0"
    shutil.copytree(EMBEDDED, copy)
    full = sorted((copy / "data" / "full").glob("train-*.parquet"))[0]
    table = pq.read_table(full)
    bp = pa.list_(pa.struct([f for f in CONFIGS["full"].field("boilerplate").type.value_type if f.name != "rule"]))
    old = table.set_column(table.schema.get_field_index("boilerplate"), "boilerplate",
                           table.column("boilerplate").cast(bp))
    pq.write_table(old, full)
    rel = full.relative_to(copy).as_posix()
    sums = [line if not line.endswith(rel) else f"{hashlib.sha256(full.read_bytes()).hexdigest()}  {rel}"
            for line in (copy / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    (copy / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    loaded = ceasefire_news.load("train", config="full", source=copy, format="arrow")
    spans = loaded.column("boilerplate").to_pylist()[0]
    assert spans and all(s["rule"] is None for s in spans) and [s["kind"] for s in spans] == [
        s["kind"] for s in table.column("boilerplate").to_pylist()[0]]


def test_a_changed_sha256sums_is_checked_again_though_the_files_did_not_change(tmp_path):
    copy = tmp_path / "rel"
    shutil.copytree(EMBEDDED, copy)
    ceasefire_news.load("train", source=copy)  # verified and remembered
    sums = copy / "SHA256SUMS"
    name = "data/train-00000-of-00001.parquet"
    sums.write_text("".join(("0" * 64 + "  " + name + "\n") if line.endswith("  " + name) else line + "\n"
                            for line in sums.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    with pytest.raises(CeasefireError, match=r"\[checksum\] SHA-256 of data/train-00000-of-00001.parquet"):
        ceasefire_news.load("train", source=copy)


def test_load_tables_reads_sha256sums_once_and_still_verifies(monkeypatch, tmp_path):
    """The embedded release's SHA256SUMS was read and parsed twice per call (to resolve, then to verify)."""
    from ceasefire_news import checksums
    from ceasefire_news.loader import load_tables

    parsed = []
    parse = checksums.parse_sums
    monkeypatch.setattr(checksums, "parse_sums", lambda text, root: parsed.append(root) or parse(text, root))
    for source in (None, EMBEDDED):  # the default (embedded) source, and a folder
        parsed.clear()
        tables = load_tables("all", source=source)
        assert set(tables) == {"train", "validation", "test"} and parsed == [EMBEDDED]
    copy = tmp_path / "rel"
    shutil.copytree(EMBEDDED, copy)
    parquet = copy / "data" / "train-00000-of-00001.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-8] + b"\0" * 8)
    monkeypatch.setattr("ceasefire_news.loader.EMBEDDED", copy)  # the default source, corrupted
    with pytest.raises(CeasefireError, match=r"\[checksum\] SHA-256 of data/train-00000-of-00001.parquet"):
        load_tables("train")


def test_a_source_that_looks_like_a_repo_id_suggests_the_hub_prefix(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no folder ux2/news here
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load(source="ux2/news")
    (problem,) = exc.value.problems
    assert problem.code == "no-release" and "source='hub:ux2/news'" in problem.hint, problem.render()
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load(source="ux2/news", revision="v0.1.0")
    assert exc.value.problems[0].code == "bad-source" and "source='hub:ux2/news'" in exc.value.problems[0].hint
    monkeypatch.setenv("CEASEFIRE_NEWS_SOURCE", "ux2/news")
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load()
    assert "$CEASEFIRE_NEWS_SOURCE=hub:ux2/news" in exc.value.problems[0].hint, exc.value.problems[0].render()
    (tmp_path / "ux2" / "news").mkdir(parents=True)  # an existing folder is a folder: no Hub suggestion
    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE")
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load(source="ux2/news")
    assert "hub:" not in exc.value.problems[0].hint.replace("source='hub'", "")


@pytest.mark.parametrize("repo_id", [
    "owner/name", "ceasefire-news/ceasefire-news", "a.b_c-d/E.F_9", "o/" + "x" * 96, "o/" + "x" * 97, "a{b/c",
    "o/n`x", "o/n--x", "o/n..x", "o/.x", "o/x.", "-o/x", "o/x.git", "o/x y", "no-slash", "o/n/x", "/x", "o/",
    "o/[x](y)", "o/x\ny"])
def test_repo_ids_are_refused_exactly_where_the_hub_refuses_them(repo_id):
    """The id goes into URLs, the card's Markdown and a BibTeX entry: ours and huggingface_hub's own validator agree
    on what the Hub takes (ours runs without importing huggingface_hub)."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    from ceasefire_news.hub import repo_id_problem

    try:
        validate_repo_id(repo_id)
        hub_takes = "/" in repo_id  # the library also takes a bare NAME (a user's repository); a dataset id has both
    except HFValidationError:
        hub_takes = False
    assert (repo_id_problem(repo_id) is None) == hub_takes, repo_id_problem(repo_id)


def test_a_repo_id_that_would_break_the_card_is_a_one_line_error(tmp_path):
    from ceasefire_news.release.build import build

    with pytest.raises(CeasefireError, match=r"\[bad-repo-id\] repository id 'o/n`x' is not a Hub dataset id"):
        build(Path(__file__).resolve().parents[1], tmp_path / "out", progress=False, repo_id="o/n`x")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("source,suggested", [("owner/name", True), ("ceasefire-news/ceasefire-news", True),
                                              ("owner/na--me", False), ("o/n`x", False)])
def test_a_missing_folder_that_reads_as_a_hub_id_suggests_the_hub_source_only_when_the_hub_would_take_it(
        source, suggested, monkeypatch):
    monkeypatch.delenv("CEASEFIRE_NEWS_SOURCE", raising=False)
    with pytest.raises(CeasefireError) as exc:
        ceasefire_news.load(source=source)
    assert (f"use source='hub:{source}'" in str(exc.value)) == suggested, str(exc.value)
