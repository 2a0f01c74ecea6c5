"""The seed's gold layers (entities, quotes, sources) checked against its text and docs/guidelines.md.

Occurrences are computed from the corpus text, never from stored offsets, so a missed mention or a span
that drifts off its guideline fails here even when the offsets themselves are consistent.
"""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from ceasefire_news.annotations.files import ENTITY_LABELS
from ceasefire_news.annotations.validate import validate_repo

from .conftest import ROOT, SEED_ID

TEXT = (ROOT / "corpus" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
DOC = json.loads((ROOT / "annotations" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
LAYERS = DOC["layers"]
ENTITIES = LAYERS["entities"]
QUOTES = LAYERS["quotes"]
SOURCES = LAYERS["sources"]
CAPTIONS = LAYERS["captions"]
BOILERPLATE = [(b["start"], b["end"]) for b in LAYERS["boilerplate"]]
PERSONS = [e for e in ENTITIES if e["label"] == "PERSON"]

# Words of titles and roles that stand before names in the seed; none may be inside an entity span.
TITLE_WORDS = ("President", "Prime Minister", "Foreign Minister", "Minister", "envoy", "special envoy", "chief",
               "head", "Sgt", "official", "intel", "Founding Editor")
# The people the article is about; each must be annotated (the other persons are photographers in credits).
EXPECTED_SURNAMES = ("Trump", "Witkoff", "Thani", "Rashad", "Fidan", "Gvili", "al-Hayya", "Kalin")


def _in_boilerplate(s: int, e: int) -> bool:
    return any(bs < e and s < be for bs, be in BOILERPLATE)


def _word_occurrences(word: str) -> list[tuple[int, int]]:
    rx = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")
    return [m.span() for m in rx.finditer(TEXT)]


def _covered(s: int, e: int, items) -> bool:
    return any(x["start"] <= s and e <= x["end"] for x in items)


def _paragraph_of(s: int, e: int) -> tuple[int, int]:
    ps = TEXT.rfind("\n", 0, s) + 1
    pe = TEXT.find("\n", e)
    return ps, len(TEXT) if pe < 0 else pe


def _quotations() -> list[tuple[int, int]]:
    """Every “…” pair outside boilerplate, as the span between the marks."""
    return [(m.start() + 1, m.end() - 1) for m in re.finditer(r"“[^“”]*”", TEXT)
            if not _in_boilerplate(m.start(), m.end())]


# ------------------------------------------------------------------------------------------------ general shape
def test_the_repository_validates_with_the_gold_layers():
    problems, docs, spans = validate_repo(ROOT)
    assert problems == [] and docs >= 1
    assert spans >= len(ENTITIES) + len(QUOTES) + len(SOURCES)


def test_gold_layers_are_manual_with_their_own_id_prefixes():
    for layer, prefix in (("entities", "e"), ("quotes", "q"), ("sources", "s")):
        items = LAYERS[layer]
        assert items, f"{layer} is empty"
        assert all(x["origin"] == "manual" for x in items)
        assert all(re.fullmatch(prefix + r"[1-9][0-9]*", x["id"]) for x in items)
        assert all(TEXT[x["start"]:x["end"]] == x["text"] for x in items)


def test_entity_labels_are_known_and_spans_are_trimmed():
    for e in ENTITIES:
        assert e["label"] in ENTITY_LABELS
        assert e["text"] == e["text"].strip() and e["text"][-1] not in ",.;:’'", e
        # possessive ’s stays outside; so does a leading determiner
        assert not e["text"].endswith(("’s", "'s")) and not e["text"].startswith(("the ", "The ")), e


def test_entities_are_flat():
    spans = sorted((e["start"], e["end"]) for e in ENTITIES)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2, f"{TEXT[s1:e1]!r} and {TEXT[s2:e2]!r} overlap: the seed's gold entities do not nest"


# ------------------------------------------------------------------------------------------------ persons
def test_the_people_of_the_article_are_annotated():
    names = " ".join(p["text"] for p in PERSONS)
    for surname in EXPECTED_SURNAMES:
        assert re.search(r"(?<!\w)" + re.escape(surname) + r"(?!\w)", names), surname


def _name_forms(name: str) -> set[str]:
    """The full name, its last word, and the last part of a hyphenated last word ("al-Hayya" -> "Hayya")."""
    last = name.split()[-1]
    forms = {name, last}
    if "-" in last and len(last.rsplit("-", 1)[1]) >= 3:
        forms.add(last.rsplit("-", 1)[1])
    return forms


def test_every_mention_of_an_annotated_person_is_a_person_span():
    forms = set().union(*(_name_forms(p["text"]) for p in PERSONS))
    checked = Counter()
    for form in sorted(forms):
        for s, e in _word_occurrences(form):
            if _in_boilerplate(s, e):
                continue
            checked[form] += 1
            assert _covered(s, e, PERSONS), f"{form!r} at {s} ({TEXT[max(0, s - 30):e + 10]!r}) is not in a PERSON span"
    # surname-only and hyphenated mentions are among those checked
    assert checked["Trump"] == 3 and checked["Witkoff"] == 2


def test_person_spans_hold_no_title():
    for e in ENTITIES:
        for title in TITLE_WORDS:
            assert not re.search(r"(?<!\w)" + re.escape(title) + r"(?!\w)", e["text"]), (title, e)


def test_a_name_after_a_title_starts_its_person_span():
    rx = re.compile(r"(?:President|Prime Minister|Foreign Minister|envoy|chief|head|Sgt\.|official) ([A-Z]\w+)")
    hits = [m for m in rx.finditer(TEXT) if not _in_boilerplate(m.start(), m.end())]
    assert len(hits) >= 10
    for m in hits:
        assert any(p["start"] == m.start(1) for p in PERSONS), m.group(0)


# ------------------------------------------------------------------------------------------------ boilerplate, captions
def test_no_gold_span_lies_in_boilerplate():
    for layer in (ENTITIES, QUOTES, SOURCES):
        for x in layer:
            assert not _in_boilerplate(x["start"], x["end"]), x
    # the appeal's signature names a person, and stays unannotated
    assert "Horovitz" in TEXT and not any("Horovitz" in e["text"] for e in ENTITIES)


def test_each_caption_keeps_its_entities():
    assert len(CAPTIONS) == 5
    for c in CAPTIONS:
        inside = [e for e in ENTITIES if c["start"] <= e["start"] and e["end"] <= c["end"]]
        assert any(e["label"] in ("PERSON", "NORP", "GPE", "ORG") for e in inside), c["text"]
        assert any(e["label"] == "DATE" for e in inside), c["text"]
        texts = {(e["label"], e["text"]) for e in inside}
        for credit in c.get("credits") or [{"agency": c.get("agency"), "photographer": c.get("photographer")}]:
            if credit.get("photographer"):
                assert ("PERSON", credit["photographer"]) in texts, (credit, c["text"])
            if credit.get("agency"):
                assert ("ORG", credit["agency"]) in texts, (credit, c["text"])


# ------------------------------------------------------------------------------------------------ quotes
def test_every_quotation_in_the_text_is_annotated_once():
    marks = _quotations()
    assert marks
    for s, e in marks:
        hits = [q for q in QUOTES if s <= q["start"] and q["end"] <= e]
        assert len(hits) == 1, TEXT[s:e]
        q = hits[0]
        # the span is the quoted words: everything between the marks but a trailing comma or period
        assert q["start"] == s and TEXT[q["end"]:e] in ("", ",", "."), (q, TEXT[s:e])
    assert all(any(s <= q["start"] and q["end"] <= e for s, e in marks) for q in QUOTES)


def test_joint_statement_quotations_carry_their_speaker():
    found = 0
    for s, e in _quotations():
        ps, pe = _paragraph_of(s, e)
        frame = TEXT[ps:s - 1] + TEXT[e + 1:pe]
        if "joint statement" in frame:
            q = next(q for q in QUOTES if s <= q["start"] and q["end"] <= e)
            assert q["speaker"] == "the joint statement", q
            found += 1
    assert found == 3


def test_every_quote_names_its_speaker_in_its_paragraph():
    by_id = {x["id"]: x for x in ENTITIES + SOURCES}
    for q in QUOTES:
        assert q["kind"] in ("direct", "partial", "scare")
        ps, pe = _paragraph_of(q["start"], q["end"])
        if "speaker_id" in q:
            ref = by_id.get(q["speaker_id"])
            assert ref is not None, q
            assert ps <= ref["start"] < pe, "the speaker's mention is in the quote's paragraph"
        else:
            frame = (TEXT[ps:q["start"]] + TEXT[q["end"]:pe]).lower()
            assert q["speaker"].lower() in frame, q
        cue = q["cue"]
        assert TEXT[cue["start"]:cue["end"]] == cue["text"] and ps <= cue["start"] < pe
        assert cue["end"] <= q["start"] or cue["start"] >= q["end"], "the cue is outside the quotation"


def test_direct_quotes_open_a_sentence_and_partial_quotes_sit_inside_one():
    for q in QUOTES:
        ps, _ = _paragraph_of(q["start"], q["end"])
        mark = q["start"] - 1
        assert TEXT[mark] == "“"
        if q["kind"] == "direct":
            assert q["text"][0].isupper() and (mark == ps or TEXT[mark - 2] in ".?!")
        elif q["kind"] == "partial":
            assert mark > ps and TEXT[mark - 1] == " " and TEXT[mark - 2] not in ".?!"


# ------------------------------------------------------------------------------------------------ sources
def test_every_mention_of_a_source_is_a_source_span():
    seen = 0
    for word in ("source", "sources"):
        for s, e in _word_occurrences(word):
            if _in_boilerplate(s, e):
                continue
            seen += 1
            assert _covered(s, e, SOURCES), TEXT[max(0, s - 30):e + 10]
    assert seen == len(SOURCES)


@pytest.mark.parametrize("anonymity,phrase", [("anonymous", "condition of anonymity")])
def test_anonymity_follows_the_words_of_the_mention(anonymity, phrase):
    for s in SOURCES:
        assert (phrase in s["text"]) == (s["anonymity"] == anonymity), s
        cue = s["cue"]
        assert TEXT[cue["start"]:cue["end"]] == cue["text"] and cue["start"] >= s["end"]


# ------------------------------------------------------------------------------------------------ the guidelines
GUIDELINES = (ROOT / "docs" / "guidelines.md").read_text(encoding="utf-8")


def test_every_label_used_is_in_the_guidelines_table_with_a_seed_example():
    for label in sorted({e["label"] for e in ENTITIES}):
        row = next((line for line in GUIDELINES.splitlines() if line.startswith(f"| {label} |")), None)
        assert row is not None, label
        examples = {e["text"] for e in ENTITIES if e["label"] == label}
        assert any(x in row for x in examples), (label, row)


def test_the_quote_example_in_the_guidelines_is_the_seed_item():
    block = re.search(r'```json\n(\{"id": "q1".*?\})\n```', GUIDELINES, re.S)
    assert block, "the q1 example is gone from docs/guidelines.md"
    example = json.loads(block.group(1))
    assert example == next(q for q in QUOTES if q["id"] == "q1")
