"""Normalisation: one test per rule on realistic snippets, the decoder's errors, and property tests of the
offset map (hypothesis) on random texts with emoji, ZWJ sequences, combining marks, CRLF, NBSP, soft hyphens
and mojibake."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.errors import CeasefireError
from ceasefire_news.text import normalize as N
from ceasefire_news.text.normalize import NORMALISER_VERSION, decode, normalize, normalize_bytes

from .conftest import ROOT, SEED_ID


def norm(raw: str) -> str:
    return normalize(raw)[0]


# ------------------------------------------------------------------------------------------- decoding
def test_utf8_bom_is_dropped_and_reported():
    text, report = decode("\ufeffGaza truce holds".encode("utf-8"), "a.txt")
    assert text == "Gaza truce holds" and report.bom_removed and report.encoding == "utf-8"


def test_windows_1252_bytes_are_decoded_and_reported():
    data = "The envoy said \u201cwe are close\u201d \u2013 but not there.".encode("cp1252")
    doc = normalize_bytes(data, "cp.txt")
    assert doc.text == "The envoy said \u201cwe are close\u201d \u2013 but not there."
    assert doc.report.encoding == "cp1252"


def test_latin1_accents_in_cp1252_input_survive():
    doc = normalize_bytes("Fran\u00e7ois Hollande visited S\u00e3o Paulo.".encode("latin-1"))
    assert doc.text == "Fran\u00e7ois Hollande visited S\u00e3o Paulo." and doc.report.encoding == "cp1252"


@pytest.mark.parametrize("data, code, offset", [
    (b"", "empty-input", None),
    (b"Hamas said\x00\x01\x02 more", "binary-input", "byte offset 10"),
    ("Ceasefire \u2013 day one\n".encode("utf-8") + b"\x93quoted\x94", "undecodable", "byte offset 22"),
    (b"\xef\xbb\xbfA BOM, then \x93cp1252\x94", "undecodable", "byte offset 15"),
    (b"caf\xe9 \x81", "undecodable", "byte offset 3"),
    ("Gaza".encode("utf-16"), "undecodable", "byte offset 0"),
    (bytes(range(1, 32)) * 4, "binary-input", "byte offset 0"),
])
def test_bad_bytes_raise_one_problem_naming_file_and_offset(data, code, offset):
    with pytest.raises(CeasefireError) as info:
        normalize_bytes(data, "seeds/bad.txt")
    [problem] = info.value.problems
    assert problem.code == code and problem.file == "seeds/bad.txt"
    if offset:
        assert offset in problem.message
    assert "\n" not in problem.render()


def test_whitespace_only_input_is_an_empty_document():
    with pytest.raises(CeasefireError) as info:
        normalize_bytes(b" \r\n\t\n\xc2\xa0\n", "blank.txt")
    assert info.value.problems[0].code == "empty-input"


# ------------------------------------------------------------------------------------------- the rules
def test_mojibake_is_repaired_reported_and_mapped_back_to_the_raw_bytes():
    raw = "Israel\u00e2\u20ac\u2122s army said the truce \u00e2\u20ac\u201c fragile \u00e2\u20ac\u201d holds."
    text, offsets, report = normalize(raw)
    assert text == "Israel\u2019s army said the truce \u2013 fragile \u2014 holds."
    assert report.mojibake_repaired == 3
    i = text.index("\u2019")
    assert raw[slice(*offsets.to_raw(i, i + 1))] == "\u00e2\u20ac\u2122"
    j = text.index("army")
    assert raw[slice(*offsets.to_raw(j, j + 4))] == "army"


def test_mojibake_no_break_space_becomes_a_plain_space():
    assert norm("10\u00c2\u00a0km from the border") == "10 km from the border"


def test_real_latin_letters_are_not_taken_for_mojibake():
    for s in ("S\u00e3o Paulo", "fa\u00e7ade", "\u00c9mile Zola", "Ang\u00e9lique \u00c0 la carte", "\u00c5land"):
        assert norm(s) == s


def test_line_endings_become_newlines():
    assert norm("One.\r\nTwo.\rThree.\u2028Four.\u2029Five.\u0085Six.") == "One.\nTwo.\nThree.\nFour.\nFive.\nSix."


def test_space_separators_become_plain_spaces():
    raw = "Mr.\u00a0Witkoff met 10\u202f000 people at 9\u2009a.m.\u3000Then\u2007left."
    assert norm(raw) == "Mr. Witkoff met 10 000 people at 9 a.m. Then left."


def test_invisible_characters_and_controls_are_removed_but_tabs_kept():
    raw = "cease\u00adfire\u200b talks\u2060 in Do\ufeffha\x07\x1b\tcontinued\x7f."
    assert norm(raw) == "ceasefire talks in Doha\tcontinued."


def test_rule_3_looks_for_exactly_the_characters_it_can_remove():
    """The junk rule's cheap test, its start scan and the one-scan triggers are made from the rule's character
    class, so none can miss a junk character or look for one the rule never removes (every such character is in
    the Basic Multilingual Plane)."""
    bmp = [chr(c) for c in range(0x10000)]
    removable = {c for c in bmp if N._JUNK_RE.match(" " + c, 1)}  # after a space, where ZWJ/ZWNJ join nothing
    assert "\u200d" in removable and "\t" not in removable and "\x85" not in removable  # U+0085 is rule 2's
    assert {c for c in bmp if N._JUNK_START(c)} == removable
    assert {c for c in bmp if N._JUNK_START(c)} == removable
    assert all(N._TRIGGERS_RE.match(c) for c in removable)


def test_zwj_and_zwnj_kept_where_they_join_and_dropped_where_they_join_nothing():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert norm(f"A family {family} posted.") == f"A family {family} posted."
    assert norm(f"He said {persian} today.") == f"He said {persian} today."
    assert norm("stray \u200d joiner\u200c here") == "stray  joiner here"


def test_unicode_nfc_composes_but_keeps_compatibility_characters():
    assert norm("Rene\u0301e\u0301 Fo\u0308rster") == "Ren\u00e9\u00e9 F\u00f6rster"
    assert norm("\u212b") == "\u00c5"
    assert norm("\u1112\u1161\u11ab") == "\ud55c"
    assert norm("\ufb01rst \u00bd") == "\ufb01rst \u00bd"  # NFC, not NFKC: ligatures and fractions stay


def test_typographic_quotes_dashes_and_ellipses_are_kept_exactly():
    raw = "\u201cWe won\u2019t,\u201d he said \u2014 \u2018never\u2019 \u2013 \u2026 \u00ab\u00a0non\u00a0\u00bb"
    assert norm(raw) == "\u201cWe won\u2019t,\u201d he said \u2014 \u2018never\u2019 \u2013 \u2026 \u00ab non \u00bb"


def test_trailing_spaces_trimmed_and_leading_indentation_kept():
    assert norm("Headline   \n    indented quote \t\nend") == "Headline\n    indented quote\nend"


def test_blank_line_runs_collapse_to_one_paragraph_separator():
    raw = "\n\n  \nFirst paragraph\nstill first.\n\n\n\n \t \nSecond.\n\n\n"
    assert norm(raw) == "First paragraph\nstill first.\n\nSecond."


def test_normaliser_is_pure_and_versioned():
    raw = "A\u00a0b\r\n\r\n\r\nc\u00ad"
    first = normalize(raw)
    assert normalize(raw)[0] == first[0] and raw == "A\u00a0b\r\n\r\n\r\nc\u00ad"
    assert isinstance(NORMALISER_VERSION, str) and NORMALISER_VERSION


def test_seed_normalises_to_the_committed_corpus_text():
    doc = normalize_bytes((ROOT / "seeds" / f"{SEED_ID}.txt").read_bytes())
    assert doc.text == (ROOT / "corpus" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    assert NORMALISER_VERSION == "1", "the seed's annotations were made with normaliser 1"


def test_offset_map_gives_exact_raw_ranges_around_removed_characters():
    raw = "\r\n\r\nThe\u00a0IDF\u00ad said:\r\n\r\n\r\n\u201cno\u200b comment\u201d  \r\n"
    text, offsets, _ = normalize(raw)
    assert text == "The IDF said:\n\n\u201cno comment\u201d"
    s = text.index("IDF said")
    rs, re_ = offsets.to_raw(s, s + len("IDF said"))
    assert raw[rs:re_] == "IDF\u00ad said"
    assert offsets.to_norm(rs, re_) == (s, s + len("IDF said"))
    q = text.index("\u201cno")
    rs, re_ = offsets.to_raw(q, len(text))
    assert raw[rs:re_] == "\u201cno\u200b comment\u201d"
    with pytest.raises(ValueError):
        offsets.to_raw(0, len(text) + 1)


# ------------------------------------------------------------------------------------------- properties
ATOMS = [
    "a", "Z", "7", ".", ",", " ", "  ", "\t", "\n", "\n\n", "\n\n\n", "\r\n", "\r", "\u2028", "\u0085",
    "\u00a0", "\u2009", "\u202f", "\u00ad", "\u200b", "\u2060", "\ufeff", "\u200d", "\u200c", "\x07", "\x0b",
    "e\u0301", "\u0301", "\u0316", "q\u0301\u0316", "A\u030a", "\u212b", "\u1112\u1161\u11ab", "\u0915\u093f",
    "\u05e9\u05c1", "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\U0001F44D\U0001F3FD", "\U0001F1EE\U0001F1F1",
    "\u2019", "\u201c", "\u201d", "\u2014", "\u2013", "\u00e2\u20ac\u2122", "\u00e2\u20ac\u201c", "\u00c3\u00a9",
    "\u00c2\u00a0", "\u00c3", "\u00e2\u20ac", "\u00e9", "\ufb01", "\u0645\u06cc\u200c\u062e",
]
raw_texts = st.lists(st.sampled_from(ATOMS) | st.text(max_size=3), max_size=40).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def text_and_span(draw):
    raw = draw(raw_texts)
    text, offsets, _ = normalize(raw)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return raw, text, offsets, start, end


@SETTINGS
@given(text_and_span())
def test_property_norm_span_goes_to_raw_and_back(case):
    raw, text, offsets, start, end = case
    assert offsets.norm_length == len(text) and offsets.raw_length == len(raw)
    rs, re_ = offsets.to_raw(start, end)
    assert 0 <= rs <= re_ <= len(raw)
    if offsets.is_boundary(start) and offsets.is_boundary(end):
        assert offsets.to_norm(rs, re_) == (start, end)
    else:  # a span cut inside a replaced cluster widens to the whole cluster, never shrinks
        ns, ne = offsets.to_norm(rs, re_)
        assert ns <= start and ne >= end


def _context_free(piece: str) -> bool:
    """A span whose normalisation does not depend on what surrounds it: it neither starts nor ends with
    whitespace (trimming, blank-line collapsing) or a ZWJ/ZWNJ (kept or dropped by its neighbours)."""
    edge = set(" \t\n\u200c\u200d")
    return bool(piece) and piece[0] not in edge and piece[-1] not in edge and not unicodedata.combining(piece[0])


@SETTINGS
@given(text_and_span())
def test_property_normalising_the_raw_range_reproduces_the_span(case):
    raw, text, offsets, start, end = case
    piece = text[start:end]
    if not (offsets.is_boundary(start) and offsets.is_boundary(end) and _context_free(piece)):
        return
    rs, re_ = offsets.to_raw(start, end)
    assert normalize(raw[rs:re_])[0] == piece


@SETTINGS
@given(raw_texts, st.data())
def test_property_raw_span_forward_is_ordered(raw, data):
    text, offsets, _ = normalize(raw)
    a = data.draw(st.integers(0, len(raw)))
    b = data.draw(st.integers(a, len(raw)))
    ns, ne = offsets.to_norm(a, b)
    assert 0 <= ns <= ne <= len(text)
    # monotone: a later raw position never maps before an earlier one
    assert offsets.to_norm(a, a)[0] <= offsets.to_norm(b, b)[0]
    # and the normalised span maps back to a raw range that overlaps the original one (or touches it when empty)
    rs, re_ = offsets.to_raw(ns, ne)
    assert rs <= max(a, re_) and re_ >= min(b, rs)


@SETTINGS
@given(raw_texts)
def test_property_output_obeys_every_rule(raw):
    text = norm(raw)
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")
    assert not any(ch in text for ch in "\u00a0\u2009\u202f\u00ad\u200b\u2060\ufeff\x07\x0b\u2028\u0085")
    assert all(line == line.rstrip(" \t") for line in text.split("\n"))


# The fast rewrites (str methods, first-character scans) stand in for one pattern each: the same text, map and count.
FAST_REWRITES = [
    (N._line_endings, N._NEWLINE_RE, "\n"),
    (N._remove_junk, N._JUNK_RE, ""),
    (N._trim_trailing, N._TRAILING_RE, ""),
    (N._blank_lines_rule, N._BLANKS_RE, N._blank_lines),
]


def _as_tuple(result):
    text, step, n = result
    return text, step and (step.src_starts, step.src_ends, step.dst_starts, step.dst_ends), n


@SETTINGS
@given(st.lists(st.sampled_from(ATOMS + ["\r\r\n", "\n\r", " \u200d", "\u200d ", "\u200c\n", "\n\u200d"])
                | st.text(max_size=3), max_size=40).map("".join))
def test_property_fast_rewrites_equal_their_patterns(raw):
    for fast, pattern, repl in FAST_REWRITES:
        assert _as_tuple(fast(raw)) == _as_tuple(N._rewrite(raw, pattern, repl)), fast.__name__


@SETTINGS
@given(raw_texts)
def test_property_the_trigger_scan_finds_every_character_the_first_rules_look_for(raw):
    found = N._triggers(raw)
    for test in (N._MAYBE_MOJIBAKE, N._MAYBE_NEWLINE, N._JUNK_START, N._SPACE_RE.search):
        assert bool(test(raw)) == bool(test(found))
