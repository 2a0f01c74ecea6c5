"""The dataset card cannot be hijacked by metadata: the YAML header is written by PyYAML, and a title or an
outlet's name holding YAML, Markdown or HTML control characters round-trips exactly and injects no key,
section, table row or element."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire_news.ingest import ingest
from ceasefire_news.loader import load
from ceasefire_news.release.build import build
from ceasefire_news.release.card import license_text, md_inline, parse_card
from ceasefire_news.repo import Repo

from .corpus_factory import _write_doc, texts

HOSTILE_SOURCE = ("Evil Wire\n---\nlicense: mit\nconfigs: []\n# Injected section\n| a | b |\n"
                  "<script>alert(1)</script> `code` **bold** [link](javascript:alert(1)) #tag: | x")
HOSTILE_TITLE = "---\ntitle: injected\n```\n</code></pre><img src=x onerror=alert(1)>\n# Heading: `x` | y"
MARKUP = ["---", ": ", "#", "|", "`", "```", "<script>", "</script>", "<", ">", "&", "*", "_", "[", "](", "!", "\n",
          "\r", "\t", "\\", "{", "}", "~", "\u2028", "-", " ", "a", "é", "\U0001F468\u200d\U0001F469"]


def _headings(card: str) -> list[str]:
    return re.findall(r"^#+ .*$", card, re.M)


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))  # the sidecar schema refuses control characters


@given(st.lists(st.sampled_from(MARKUP), max_size=30).map("".join) | st.text(PRINTABLE, max_size=60))
@settings(max_examples=300, deadline=None)
def test_md_inline_is_exact_and_inert(value):
    out = md_inline(value)
    assert html.unescape(out) == value
    assert not set(re.sub(r"&#[0-9]+;", "", out)) & set("\n\r`<>|*_[]#&\\\u2028")
    lic = license_text([(value, value)])
    assert _headings(lic) == _headings(license_text([("x", "y")]))
    assert lic.count("\n") == license_text([("x", "y")]).count("\n")


def _release(tmp_path: Path, source: str, title: str | None) -> Path:
    repo = tmp_path / "repo"
    _write_doc(repo, "101_talks", texts()["101_talks"], source, None)
    meta_path = repo / "seeds" / "101_talks.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["title"] = title
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    ingest(repo / "seeds" / "101_talks.txt", Repo.at(repo))
    out = tmp_path / "rel"
    build(repo, out, progress=False, ratios=(100, 0, 0))
    return out


def test_hostile_title_and_source_round_trip_and_inject_nothing(tmp_path):
    plain = _release(tmp_path / "plain", "Example Wire", "Talks resume")
    evil = _release(tmp_path / "evil", HOSTILE_SOURCE, HOSTILE_TITLE)
    plain_card = (plain / "README.md").read_text(encoding="utf-8")
    card = (evil / "README.md").read_text(encoding="utf-8")
    header, body = parse_card(card)
    plain_header, plain_body = parse_card(plain_card)
    # no key added or changed by the metadata (sizes differ: the texts do)
    assert {k: v for k, v in header.items() if k != "dataset_info"} == \
        {k: v for k, v in plain_header.items() if k != "dataset_info"}
    assert [(i["config_name"], i["features"]) for i in header["dataset_info"]] == \
        [(i["config_name"], i["features"]) for i in plain_header["dataset_info"]]
    assert _headings(card) == _headings(plain_card)  # no section added
    assert card.count("\n---\n") == plain_card.count("\n---\n")  # no second front matter
    assert body.count("\n|") == plain_body.count("\n|")  # no table row added
    for f in (evil / "README.md", evil / "LICENSE.md"):
        text = f.read_text(encoding="utf-8")
        assert "<script" not in text and "<img" not in text
        outside_code = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
        assert "](javascript" not in outside_code and "**bold**" not in outside_code
        assert HOSTILE_SOURCE in html.unescape(text)  # shown, exactly
    example = re.search(r"^```json\n(.*?)^```", card, re.M | re.S).group(1)
    assert json.loads(example)["title"] == HOSTILE_TITLE  # the fenced example cannot be closed early
    row = load("all", source=evil).iloc[0]
    assert row["source"] == HOSTILE_SOURCE and row["title"] == HOSTILE_TITLE
    croissant = json.loads((evil / "croissant.json").read_text(encoding="utf-8"))
    assert isinstance(croissant, dict)
