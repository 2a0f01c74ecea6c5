"""The block model, the public clean() API, named rule ids and `clean --explain`."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ceasefire_news
from ceasefire_news.errors import CeasefireError
from ceasefire_news.text.boilerplate import load_rules
from ceasefire_news.text.model import MODEL_FILE, feature_names, features, load_model
from ceasefire_news.text.reasons import SIGNALS

from .conftest import ROOT

PAGE = "\n".join([
    "Home", "World", "Middle East",
    "Truce talks resume in Cairo after a week-long pause",
    "Israel and Hamas agreed on Friday to extend the truce by two days, mediators said in a statement on Saturday.",
    "Sign up for our daily briefing newsletter",
    "The extension allows more hostages and prisoners to be exchanged, officials in Doha said late on Friday night.",
    "Humanitarian agencies said aid deliveries had increased since the truce began but remained far below need.",
    "Share on WhatsApp",
    "\u00a9 2025 Example News. All rights reserved.",
])


def _walk(model, row: np.ndarray) -> float:
    """A plain per-tree walk, the definition the vectorised inference must equal."""
    raw = model.base_score
    for t in range(model.feature.shape[0]):
        node = 0
        while model.feature[t, node] >= 0:
            f = model.feature[t, node]
            node = model.left[t, node] if row[f] <= model.cut[t, node] else model.right[t, node]
        raw += model.value[t, node]
    return 1.0 / (1.0 + np.exp(-raw))


def test_the_packaged_model_loads_and_its_vectorised_inference_equals_a_tree_walk():
    model = load_model()
    assert model is not None and list(model.feature_names) == feature_names()
    texts = PAGE.split("\n")
    X = features(texts, [None] * len(texts), [""] * len(texts))
    rng = np.random.default_rng(7)
    noisy = np.vstack([X, X + rng.normal(0, 0.5, X.shape).astype(np.float32)])
    fast = model.score(noisy)
    assert fast.shape == (len(noisy),) and np.all((fast > 0) & (fast < 1))
    for row, p in zip(noisy, fast):
        assert abs(_walk(model, row) - p) < 1e-9


def test_the_model_file_holds_numbers_and_feature_names_only():
    """No text from the training pages: every string in the file is a feature name or the file's own metadata."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    allowed = set(feature_names()) | {data["model_version"], data["kind"], data["trained_on"]}

    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for k, v in x.items():
                yield from strings(v)
        elif isinstance(x, list):
            for v in x:
                yield from strings(v)

    assert set(strings(data)) <= allowed
    assert all(isinstance(v, (int, float)) for t in data["trees"] for k in ("cut", "value", "left", "right", "feature")
               for v in t[k])
    assert MODEL_FILE.stat().st_size < 1_000_000


def test_features_are_a_pure_function_of_the_units():
    texts = PAGE.split("\n")
    kinds = [None, "navigation", None, None, None, "newsletter_signup", None, None, "share_prompt", None]
    whys = ["", "head-zone", "", "", "", "newsletter-signup-cta", "", "", "share-bar", ""]
    a = features(texts, kinds, whys)
    b = features(list(texts), list(kinds), list(whys))
    assert a.shape == (len(texts), len(feature_names())) and np.array_equal(a, b)
    shuffled = texts[:]
    random.Random(1).shuffle(shuffled)
    assert not np.array_equal(a, features(shuffled, kinds, whys))  # position and neighbours matter


def test_clean_api_returns_the_body_the_captions_and_every_removed_span_with_its_reason():
    result = ceasefire_news.clean(PAGE)
    assert "Israel and Hamas agreed on Friday" in result.body
    assert "Sign up for our daily briefing" not in result.body and "Share on WhatsApp" not in result.body
    reasons = {r.text: r.reason for r in result.removed}
    assert reasons["Sign up for our daily briefing newsletter"] == "newsletter-signup-cta"
    for r in result.removed:
        assert result.text[r.start:r.end] == r.text
    # the body and the removed spans account for every unit
    assert {d.text for d in result.decisions if d.keep} | {r.text for r in result.removed} >= {
        d.text for d in result.decisions}
    assert all(d.score is not None for d in result.decisions)


def test_every_reason_is_a_signal_or_a_rule_id_of_the_rules_file():
    rules = load_rules()
    ids = {r.name for r in rules.generic} | {r.name for rs in rules.sources.values() for r in rs}
    result = ceasefire_news.clean(PAGE)
    for r in result.removed:
        reason = r.reason.removeprefix("run:")
        assert reason in SIGNALS or reason in ids, r


def test_rule_ids_must_be_unique_and_not_a_signals_name(tmp_path: Path):
    base = ("rules_version: 't'\ncaptions: {agencies: [AFP], credit_words: [courtesy], trailers: ['x']}\n"
            "generic:\n  - {id: %s, kind: advertisement, patterns: ['^A$']}\n  - {id: %s, kind: navigation, "
            "patterns: ['^B$']}\n")
    dup = tmp_path / "dup.yaml"
    dup.write_text(base % ("same-id", "same-id"), encoding="utf-8")
    with pytest.raises(CeasefireError) as exc:
        load_rules(dup)
    assert "same-id" in str(exc.value) and "/generic/1/id" in str(exc.value)
    clash = tmp_path / "clash.yaml"
    clash.write_text(base % ("tail-zone", "other-id"), encoding="utf-8")
    with pytest.raises(CeasefireError, match="built-in signal"):
        load_rules(clash)


def test_clean_explain_shows_each_unit_with_its_decision_reason_and_score(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "clean", "--explain", str(page)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    units = [line for line in lines if not line.startswith("#")]
    assert len(units) == len(PAGE.split("\n"))
    signup = next(line for line in units if "Sign up for our daily" in line)
    assert signup.startswith("DROP") and "newsletter_signup" in signup and "newsletter-signup-cta" in signup
    lead = next(line for line in units if "mediators said in a statement" in line)
    assert lead.startswith("keep") and float(lead.split()[1]) >= 0.5
    assert lines[-1].startswith("# ") and "units kept" in lines[-1]


def test_a_removed_caption_names_the_signal_that_found_it():
    """clean()'s removed spans and its unit decisions give one reason for a caption (it used to guess
    'caption-credit' or 'caption-shape' from the credits, whatever signal had found it)."""
    page = ("Gaza talks resume after a long pause in the fighting and more talks are due.\n\n"
            "Image caption, Children walk past rubble in Khan Younis\n\n"
            "The mediators said on Saturday that both sides had agreed to meet again next week in Cairo.\n")
    result = ceasefire_news.clean(page)
    (cap,) = [r for r in result.removed if r.kind == "caption"]
    (unit,) = [d for d in result.decisions if d.kind == "caption"]
    assert cap.reason == unit.reason == "caption-label" and cap.text == result.captions[0].text
