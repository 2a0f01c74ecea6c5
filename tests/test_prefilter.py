"""The literal prefilter (text/prefilter.py): the strings it says every match needs are in every match, so skipping a
pattern whose strings are absent never changes an answer, for the rules file's patterns and for hand-made ones."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.text.boilerplate import load_rules
from ceasefire_news.text.prefilter import Prefilter, prefiltered, required_strings

RULES = load_rules()
PATTERNS = [p for rule in RULES.generic for p in rule.patterns]
PREFILTER = Prefilter(PATTERNS)
PREFILTERED = [(p, prefiltered(p)) for p in PATTERNS + list(RULES.trailers)]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# pieces of rule wording, in mixed case, with the letters the regex engine folds onto ASCII ones (İ ı ſ K)
PIECES = ["sign up", "SIGN", "Subscribe", "newsletter", "cookie", "Cookies", "we use", "read more", "Share",
          "advertisement", "By ", "Jane Doe", "\u017fign up", "\u212aeep", "\u0130nbox", "\u0131", "2025", "©", " ",
          "\n", ".", ",", "comments", "Posted", "updated 3 hours ago", "month", "$5", "@x", "/", "www.", "the"]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=12).map("".join)


def test_required_strings_of_known_patterns():
    assert required_strings(re.compile(r"\b(sign ?up|subscribe)\b.{0,60}\bnewsletter", re.I)) == ("newsletter",)
    assert required_strings(re.compile(r"(?i)(learn|find out) more\b")) == ("find out more", "learn more")
    assert required_strings(re.compile(r"\w+")) is None            # nothing literal
    assert required_strings(re.compile(r"ab|\d+")) is None         # one branch needs nothing


@SETTINGS
@given(texts)
def test_property_a_pattern_the_prefilter_drops_does_not_match(text):
    may = PREFILTER.candidates(text)
    if may is None:
        return
    for k, pattern in enumerate(PATTERNS):
        if k not in may:
            assert pattern.search(text) is None, pattern.pattern


@SETTINGS
@given(texts)
def test_property_a_prefiltered_pattern_answers_as_the_pattern(text):
    for pattern, fast in PREFILTERED:
        for method in ("search", "match"):
            a, b = getattr(pattern, method)(text), getattr(fast, method)(text)
            assert (a and a.span()) == (b and b.span())
        assert fast.findall(text) == pattern.findall(text)


def test_the_prefilter_keeps_case_folded_matches():
    pattern = re.compile(r"\bsign up\b", re.I)
    assert pattern.search("\u017fign up") and prefiltered(pattern).search("\u017fign up")  # long s folds to s
    assert Prefilter([pattern]).candidates("\u017fign up") is None
