"""Speed must not drop a check: the fast path agrees with the item-by-item check, and the normaliser cache
can never hide corpus drift."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.text import normcache
from ceasefire_news.annotations.files import ENTITY_LABELS
from ceasefire_news.cli import main
from ceasefire_news.annotations.validate import _fast_ok, _slow_check
from ceasefire_news.schemas import Collector

from .conftest import ROOT, SEED_ID
from .validate_fixtures import build_doc, make_repo

TEXT = (ROOT / "corpus" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
BASE = build_doc(TEXT)
LAYERS = [name for name, items in BASE["layers"].items() if items]


@st.composite
def mutated(draw):
    """The hand-built document with a few schema-valid changes of the kinds contributors make."""
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(LAYERS))
        items = doc["layers"][name]
        it = items[draw(st.integers(0, len(items) - 1))]
        what = draw(st.sampled_from(["retarget", "nudge", "offsets", "id", "label", "speaker", "cue", "move"]))
        if what == "retarget":  # a new span whose text matches: exercises crossing, straddling, paragraphs
            s = draw(st.integers(0, len(TEXT) - 1))
            e = draw(st.integers(s + 1, min(len(TEXT), s + 120)))
            it.update(start=s, end=e, text=TEXT[s:e])
        elif what == "nudge":  # move one boundary a little, keeping the text in step
            d = draw(st.integers(-15, 15))
            s, e = max(0, it["start"] + d), it["end"]
            if s < e:
                it.update(start=s, text=TEXT[s:e])
        elif what == "offsets":  # offsets that may leave the text or disagree with it
            it["start"] = draw(st.integers(0, len(TEXT) + 5))
            it["end"] = draw(st.integers(0, len(TEXT) + 5))
        elif what == "id":
            other = draw(st.sampled_from([x["id"] for layer in doc["layers"].values() for x in layer]))
            it["id"] = other
        elif what == "label" and name == "entities":
            it["label"] = draw(st.sampled_from(sorted(ENTITY_LABELS) + ["CITY", "PERSN"]))
        elif what == "speaker" and name == "quotes":
            it["speaker_id"] = draw(st.sampled_from(["e1", "e3", "s1", "b1", "p2", "x9"]))
        elif what == "cue" and name in ("quotes", "sources"):
            s = draw(st.integers(0, len(TEXT) - 1))
            e = draw(st.integers(s + 1, min(len(TEXT), s + 10)))
            it["cue"] = {"start": s, "end": e, "text": TEXT[s:e] if draw(st.booleans()) else "said"}
        elif what == "move":  # an item appended out of order
            items.remove(it)
            items.append(it)
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_fast_path_and_the_full_check_agree(doc):
    out = Collector("x.json")
    _slow_check(doc["layers"], TEXT, out)
    assert _fast_ok(doc["layers"], TEXT) == (out.problems == [])


def test_the_fast_path_passes_a_clean_document():
    assert _fast_ok(BASE["layers"], TEXT)


@pytest.mark.parametrize("inner,outer", [("Donald", "Donald Trump"), ("Trump", "Donald Trump"),
                                         ("Trump", "President Donald Trump")])
def test_nested_entities_sharing_a_boundary_are_not_crossing(inner, outer):
    doc = copy.deepcopy(BASE)
    for i, words in enumerate((inner, outer)):
        s = TEXT.index(outer) + outer.index(words)
        doc["layers"]["entities"].append({"id": f"n{i}", "start": s, "end": s + len(words), "text": words,
                                          "origin": "manual", "label": "PERSON"})
    out = Collector("x.json")
    _slow_check(doc["layers"], TEXT, out)
    assert out.problems == [] and _fast_ok(doc["layers"], TEXT)


def test_a_filled_cache_still_sees_a_changed_corpus_text(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("CEASEFIRE_NEWS_CACHE", str(tmp_path / "cache"))
    root, doc, text = make_repo(tmp_path / "repo")
    assert main(["validate", "--root", str(root)]) == 0  # fills the cache
    assert list((tmp_path / "cache").glob("normalised-*.sqlite"))
    (root / "corpus" / f"{SEED_ID}.txt").write_text(text.replace("Miami", "Miami "), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--root", str(root)]) == 1
    assert "[corpus-drift]" in capsys.readouterr().out


def test_a_wrong_cache_entry_is_corrected_by_the_normaliser(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("CEASEFIRE_NEWS_CACHE", str(tmp_path / "cache"))
    root, _, _ = make_repo(tmp_path / "repo")
    seed_hash = __import__("hashlib").sha256((root / "seeds" / f"{SEED_ID}.txt").read_bytes()).digest()
    with normcache.NormCache() as cache:
        cache.put(seed_hash, b"\0" * 32)
    assert main(["validate", "--root", str(root)]) == 0
    with normcache.NormCache() as cache:
        cache.prefetch([seed_hash])
        assert cache.get(seed_hash) != b"\0" * 32


@pytest.mark.parametrize("change", ["version", "source"])
def test_the_cache_file_changes_with_the_normaliser(change, monkeypatch, tmp_path: Path):
    before = normcache.fingerprint()
    if change == "version":
        monkeypatch.setattr(normcache.normalize, "NORMALISER_VERSION", "2")
    else:
        src = tmp_path / "normalize.py"
        src.write_bytes(Path(normcache.normalize.__file__).read_bytes() + b"\n# a changed rule\n")
        monkeypatch.setattr(normcache.normalize, "__file__", str(src))
    assert normcache.fingerprint() != before
