"""A small, hand-built annotation file for the seed, so that validator tests see exact, stable line numbers.

The repository's own annotation file grows as gold annotations are added; these tests must not move with
it, so they write their own: the seed's corpus text (made by the normaliser), its paragraphs, two
boilerplate items, a caption, a few entities, a quote with its speaker, and an unnamed source, each found
in the text by searching for its words.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from ceasefire_news.fsutil import dumps_json
from ceasefire_news.repo import sha256_text

from .conftest import ROOT, SEED_ID


def find(text: str, words: str, nth: int = 1) -> tuple[int, int]:
    pos = -1
    for _ in range(nth):
        pos = text.index(words, pos + 1)
    return pos, pos + len(words)


def item(text: str, id_: str, words: str, nth: int = 1, **fields: Any) -> dict[str, Any]:
    s, e = find(text, words, nth)
    return {"id": id_, "start": s, "end": e, "text": text[s:e], "origin": "manual", **fields}


def build_doc(text: str) -> dict[str, Any]:
    paragraphs = [{"id": f"p{i}", "start": m.start(), "end": m.end(), "text": m.group(0), "origin": "auto"}
                  for i, m in enumerate(re.finditer(r"[^\n]+(?:\n[^\n]+)*", text), 1)]
    return {
        "doc_id": SEED_ID, "schema_version": "1.0", "normaliser_version": "1", "offset_unit": "codepoint",
        "text_sha256": sha256_text(text),
        "layers": {
            "entities": [item(text, "e1", "Donald Trump", label="PERSON"),
                         item(text, "e2", "Miami", label="GPE"),
                         item(text, "e3", "Steve Witkoff", label="PERSON"),
                         item(text, "e4", "Qatar", label="GPE"),
                         item(text, "e5", "Steve Witkoff", 2, label="PERSON")],
            "quotes": [item(text, "q1", "to review the implementation of the first phase of the Gaza ceasefire",
                            kind="partial", speaker="the joint statement")],
            "sources": [item(text, "s1", "a source briefed on the meeting", anonymity="unnamed")],
            "boilerplate": [item(text, "b1", "Get The Times of Israel’s Daily Edition\nby email and never miss our "
                                 "top stories", kind="newsletter_signup", origin="auto"),
                            item(text, "b2", "By signing up, you agree to the terms", kind="newsletter_signup",
                                 origin="auto")],
            "captions": [item(text, "c1", "Palestinians attend Friday prayers at the Sayyid Hashim Mosque, in Gaza "
                              "City, on December 19, 2025. (AP Photo/Abdel Kareem Hana)", credit="AP Photo/Abdel "
                              "Kareem Hana", agency="AP", photographer="Abdel Kareem Hana", origin="auto")],
            "paragraphs": paragraphs,
        },
    }


def make_repo(dst: Path) -> tuple[Path, dict[str, Any], str]:
    """A repository at `dst` holding the seed, its sidecar and corpus text, and the hand-built annotation
    file. Returns (root, annotation document, corpus text)."""
    for name in ("seeds", "corpus"):
        (dst / name).mkdir(parents=True)
    for suffix in (".txt", ".meta.json"):
        shutil.copy(ROOT / "seeds" / f"{SEED_ID}{suffix}", dst / "seeds")
    shutil.copy(ROOT / "corpus" / f"{SEED_ID}.txt", dst / "corpus")
    text = (dst / "corpus" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    doc = build_doc(text)
    write_doc(dst, doc)
    return dst, doc, text


def write_doc(root: Path, doc: dict[str, Any]) -> None:
    (root / "annotations").mkdir(exist_ok=True)
    (root / "annotations" / f"{SEED_ID}.json").write_text(dumps_json(doc), encoding="utf-8")
