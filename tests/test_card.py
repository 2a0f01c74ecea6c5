"""The dataset card: `datasets` loads every config through it offline, the Hub's parser reads it, and it never
drifts from the data it describes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ceasefire_news.release.card import LABEL_TABLE_HEAD, SPLIT_TABLE_HEAD, check_card, markdown_table, parse_card
from ceasefire_news.release.chart import label_chart_png
from ceasefire_news.columns import CONFIGS, SPLITS, data_file
from ceasefire_news.release.ner import TAGS

from .corpus_factory import build_release, make_repo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("card")
    return build_release(make_repo(base / "repo"), base / "rel", ratios=(80, 10, 10))


LOADER = textwrap.dedent("""
    import json, socket, sys, warnings
    def no_network(*a, **k):
        raise OSError("network access attempted")
    socket.socket.connect = no_network
    socket.create_connection = no_network
    import datasets
    out = {}
    for config in ("default", "full", "ner"):
        ds = datasets.load_dataset(sys.argv[1], config)
        out[config] = {s: {"rows": d.num_rows, "features": d.features.to_dict(),
                           "ids": list(d["id"]), "first": d[0]} for s, d in ds.items()}
    print(json.dumps(out, default=str))
""")


def _load_with_datasets(release: Path, tmp_path: Path) -> tuple[dict, str]:
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "HF_DATASETS_CACHE": str(tmp_path / "hf" / "datasets"), "NO_PROXY": "*",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", LOADER, str(release)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1]), proc.stderr


@pytest.mark.parametrize("which", ["release", "corpus_release"])
def test_datasets_loads_every_config_and_non_empty_split_offline(which: str, request, tmp_path: Path):
    release = request.getfixturevalue(which)
    loaded, stderr = _load_with_datasets(release, tmp_path)
    assert "malformed" not in stderr and "network access attempted" not in stderr
    for config in CONFIGS:
        present = [s for s in SPLITS if (release / data_file(config, s)).exists()]
        assert sorted(loaded[config]) == sorted(present), config
        for s in present:
            table = pq.read_table(release / data_file(config, s))
            assert loaded[config][s]["rows"] == table.num_rows
            assert loaded[config][s]["ids"] == table.column("id").to_pylist()
    tags = loaded["ner"][next(iter(loaded["ner"]))]["features"]["ner_tags"]
    assert tags["feature"]["names"] == list(TAGS) and tags["feature"]["_type"] == "ClassLabel"
    if which == "corpus_release":
        assert all(len(loaded[c]) == 3 for c in CONFIGS)
    else:
        assert any(len(loaded[c]) < 3 for c in CONFIGS)


def test_huggingface_hub_parses_the_card(release: Path):
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(release / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "other" and data["license_name"] and (release / data["license_link"]).is_file()
    for key in ("pretty_name", "language", "task_categories", "task_ids", "size_categories", "annotations_creators",
                "source_datasets", "configs", "dataset_info"):
        assert data.get(key), key
    assert [c["config_name"] for c in data["configs"]] == list(CONFIGS)
    assert "## Dataset summary" in card.text and "### Personal and sensitive information" in card.text


def test_card_yaml_describes_each_config_as_datasets_would(release: Path):
    import datasets

    meta, _ = parse_card((release / "README.md").read_text())
    infos = {x["config_name"]: x for x in meta["dataset_info"]}
    for config in CONFIGS:
        info = datasets.DatasetInfo._from_yaml_dict(dict(infos[config]))
        f = next(release / data_file(config, s) for s in SPLITS if (release / data_file(config, s)).exists())
        from_arrow = datasets.Features.from_arrow_schema(pq.read_schema(f))
        assert set(info.features) == set(from_arrow)
        for name in from_arrow:
            if config == "ner" and name == "ner_tags":
                assert info.features[name].feature.names == list(TAGS)
            else:
                assert info.features[name] == from_arrow[name], (config, name)
        for split in info.splits.values():
            assert split.num_bytes > 0 and split.num_examples > 0


def test_card_sections_carry_real_content(release: Path):
    text = (release / "README.md").read_text()
    meta, body = parse_card(text)
    for heading in ("## Dataset summary", "## Supported tasks", "## Languages", "### Data instance", "### Data fields",
                    "### Data splits", "### Curation rationale", "### Source data", "### Annotations",
                    "### Personal and sensitive information", "### Bias, risks and limitations", "### Licensing",
                    "### Citation", "### Changelog"):
        assert heading in body, heading
    example = json.loads(body.split("```json\n", 1)[1].split("\n```", 1)[0])
    first_split = next(s for s in SPLITS if (release / data_file("default", s)).exists())
    first = pq.read_table(release / data_file("default", first_split)).to_pylist()[0]
    assert example["id"] == first["id"] and first["text"].startswith(example["text"].rstrip("…"))
    assert "Unicode code points" in body and "half-open" in body
    assert "terror group" in body and "publishers" in body and "one side" in body
    rows = {r[0]: r for r in markdown_table(body, SPLIT_TABLE_HEAD)}
    for s in SPLITS:
        if not (release / data_file("default", s)).exists():
            assert rows[s][1] == "0" and "empty" in rows[s][4]
            assert all(d["split"] != s for c in meta["configs"] for d in c["data_files"])
    assert "newsletter_signup" in body  # the boilerplate removed, by kind


def test_label_chart_is_embedded_and_deterministic(release: Path):
    meta, body = parse_card((release / "README.md").read_text())
    assert "![Entity label distribution](images/labels.png)" in body
    png = (release / "images" / "labels.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and b"tIME" not in png and b"Software" not in png
    counts = {r[0]: int(r[1]) for r in markdown_table(body, LABEL_TABLE_HEAD)}
    assert counts and label_chart_png(counts) == png
    assert label_chart_png({**counts, "LAW": 1}) != png


def test_card_agrees_with_the_data(release: Path, corpus_release: Path):
    assert check_card(release) == []
    assert check_card(corpus_release) == []


def _tamper(release: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "rel"
    shutil.copytree(release, copy)
    return copy


def test_drift_check_fails_when_card_counts_disagree(release: Path, tmp_path: Path):
    rel = _tamper(release, tmp_path)
    text = (rel / "README.md").read_text()
    meta, body = parse_card(text)
    meta["dataset_info"][0]["splits"][0]["num_examples"] += 1
    (rel / "README.md").write_text("---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + body)
    assert any("num_examples" in p for p in check_card(rel))

    row = next(r for r in markdown_table(body, SPLIT_TABLE_HEAD) if r[0] == "train")
    old = "| " + " | ".join(row) + " |"
    new = old.replace(f"| train | {row[1]} |", f"| train | {int(row[1]) + 1} |")
    (rel / "README.md").write_text(text.replace(old, new))
    assert any("split table row train" in p for p in check_card(rel))


def test_drift_check_fails_when_the_data_changes_under_the_card(release: Path, tmp_path: Path):
    rel = _tamper(release, tmp_path)
    f = rel / data_file("default", "train")
    table = pq.read_table(f)
    pq.write_table(table.slice(1), f)
    problems = check_card(rel)
    assert any("num_examples" in p for p in problems) and any("split table row train" in p for p in problems)

    rel2 = _tamper(release, tmp_path / "2")
    f = rel2 / data_file("ner", "train")
    t = pq.read_table(f)
    pq.write_table(t.drop_columns(["sentence_index"]), f)
    assert any("features" in p for p in check_card(rel2))

    rel3 = _tamper(release, tmp_path / "3")
    t = pq.read_table(rel3 / data_file("default", "train"))
    pq.write_table(t, rel3 / data_file("default", "validation"))  # a file the card's configs do not declare
    assert any("configs[default]" in p for p in check_card(rel3))


def test_drift_check_sees_label_counts(release: Path, tmp_path: Path):
    rel = _tamper(release, tmp_path)
    f = rel / data_file("full", "train")
    t = pq.read_table(f)
    rows = t.to_pylist()
    rows[0]["entities"] = rows[0]["entities"][1:]
    pq.write_table(pa.Table.from_pylist(rows, schema=CONFIGS["full"]), f)
    assert any("label table" in p for p in check_card(rel))


def test_license_file_ships_with_each_outlets_rights(release: Path):
    text = (release / "LICENSE.md").read_text()
    assert "The Times of Israel" in text and "Example Wire" in text and "non-commercial research" in text


def _bibtex(release: Path) -> str:
    return parse_card((release / "README.md").read_text())[1].split("```bibtex\n", 1)[1].split("\n```", 1)[0]


def test_citation_names_the_hub_address_and_the_year_of_the_newest_article(repo_copy: Path, tmp_path: Path):
    """The BibTeX entry had neither `year` nor `url`: a reader had to make both up. The url is the dataset's Hub
    page; the year is that of the newest `published` date released (never the clock: builds are byte-identical).
    Croissant's citeAs is the same entry."""
    rel = build_release(repo_copy, tmp_path / "rel", repo_id="owner/name")
    entry = _bibtex(rel)
    assert "  year   = {2025},\n" in entry, entry  # the one article: 2025-12-20
    assert "  url    = {https://huggingface.co/datasets/owner/name},\n" in entry, entry
    assert json.loads((rel / "croissant.json").read_text())["citeAs"] == entry
    meta = next((repo_copy / "seeds").glob("*.meta.json"))
    m = json.loads(meta.read_text())
    meta.write_text(json.dumps({**m, "published": "2026-01-03", "published_basis": "stated"}, indent=2))
    assert "  year   = {2026},\n" in _bibtex(build_release(repo_copy, tmp_path / "rel2", repo_id="owner/name"))


def test_citation_without_any_dated_article_has_no_year(release: Path):
    entry = _bibtex(release)  # the factory's documents are all undated
    assert "year" not in entry and "  url    = {https://huggingface.co/datasets/" in entry, entry
