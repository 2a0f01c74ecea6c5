"""The ner config: regex tokeniser and sentence splitter, IOB2 tags, and the report of spans it cannot hold."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.columns import NER, SPLITS, data_file
from ceasefire_news.release.ner import TAGS, ner_rows, sentences, tokenize



def _texts(text: str, spans) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_tokeniser_splits_possessives_hyphens_and_punctuation_but_keeps_numbers_and_acronyms():
    text = "Trump’s U.S. plan: Al-Thani didn’t pay $1,000.50 (25%) to Hamas's men."
    toks = tokenize(text)
    assert [t.text for t in toks] == ["Trump", "’s", "U.S.", "plan", ":", "Al", "-", "Thani", "didn’t", "pay", "$",
                                      "1,000.50", "(", "25", "%", ")", "to", "Hamas", "'s", "men", "."]
    assert all(text[t.start:t.end] == t.text for t in toks)


def test_sentences_break_at_lines_and_full_stops_but_not_after_abbreviations():
    text = ("He met Mr. Smith and Sgt. Ran Gvili in the U.S. on Dec. 3. Then he left! “Yes,” he said.\n"
            "A new line starts here J. K. Rowling wrote it.")
    assert _texts(text, sentences(text)) == [
        "He met Mr. Smith and Sgt. Ran Gvili in the U.S. on Dec. 3.", "Then he left!", "“Yes,” he said.",
        "A new line starts here J. K. Rowling wrote it."]


def test_the_word_before_a_full_stop_may_end_the_line_before_it():
    # `$` in the first definition matched before a final line break: the word before ". Then" is "J" (a letter)
    for text, expected in (("He saw J\n. Then it ended.", ["He saw J", ". Then it ended."]),
                           ("He saw it\n. Then it ended.", ["He saw it", ".", "Then it ended."])):
        assert _texts(text, sentences(text)) == expected


def test_no_sentence_break_inside_an_entity():
    text = "She wrote for Yahoo! News at the time. Then she left."
    assert _texts(text, sentences(text)) == ["She wrote for Yahoo!", "News at the time.", "Then she left."]
    s = text.index("Yahoo")
    assert _texts(text, sentences(text, [(s, s + len("Yahoo! News"))])) == ["She wrote for Yahoo! News at the time.",
                                                                             "Then she left."]


def test_iob2_tags_nested_and_mid_token_spans():
    text = "The UN Security Council met Israeli envoys in New York. Gaza talks resumed."

    def ent(needle, label):
        s = text.index(needle)
        return {"start": s, "end": s + len(needle), "label": label, "text": needle}

    ents = [ent("UN Security Council", "ORG"), ent("Security Council", "ORG"), ent("Israel", "GPE"),
            ent("New York", "GPE"), ent("Gaza", "GPE")]
    r = ner_rows("d", text, ents)
    assert [row["sentence_index"] for row in r.rows] == [0, 1] and r.rows[0]["id"] == "d-0000"
    tagged = [(tok, TAGS[t]) for row in r.rows for tok, t in zip(row["tokens"], row["ner_tags"])]
    assert tagged[:5] == [("The", "O"), ("UN", "B-ORG"), ("Security", "I-ORG"), ("Council", "I-ORG"), ("met", "O")]
    assert ("Israeli", "O") in tagged and ("New", "B-GPE") in tagged and ("York", "I-GPE") in tagged
    assert ("Gaza", "B-GPE") in tagged
    assert {(p["text"], p["reason"]) for p in r.unrepresented} == {("Security Council", "nested"),
                                                                   ("Israel", "mid-token")}
    assert r.tokens == sum(len(row["tokens"]) for row in r.rows)


words = st.sampled_from(["Gaza", "City", "talks", "the", "U.S.", "Mr.", "Hamas", "’s", ".", ",", "said", "Egypt", "\n"])


@settings(max_examples=80, deadline=None)
@given(st.lists(words, min_size=1, max_size=40), st.data())
def test_tags_are_valid_iob2_and_give_back_every_kept_span(parts, data):
    text = " ".join(parts)
    toks = tokenize(text)
    ents = []
    for _ in range(data.draw(st.integers(0, 4))):
        if not toks:
            break
        i = data.draw(st.integers(0, len(toks) - 1))
        j = data.draw(st.integers(i, min(len(toks) - 1, i + 2)))
        ents.append({"start": toks[i].start, "end": toks[j].end, "label": data.draw(st.sampled_from(["GPE", "ORG"])),
                     "text": text[toks[i].start:toks[j].end]})
    r = ner_rows("d", text, ents)
    # every token of the text is in exactly one sentence, in order
    assert [t for row in r.rows for t in row["tokens"]] == [t.text for t in toks]
    spans = []
    k = -1
    for row in r.rows:
        prev = "O"
        for tag_id in row["ner_tags"]:
            k += 1
            tag = TAGS[tag_id]
            assert not (tag.startswith("I-") and prev[2:] != tag[2:]), (row, tag)
            if tag.startswith("B-"):
                spans.append([toks[k].start, toks[k].end, tag[2:]])
            elif tag.startswith("I-"):
                spans[-1][1] = toks[k].end
            prev = tag
    key = lambda x: (x["start"], x["end"], x["label"])  # noqa: E731
    assert Counter(map(tuple, spans)) == Counter(map(key, ents)) - Counter(map(key, r.unrepresented))


pieces = st.sampled_from(["Gaza", "U.S.", "e.g.", "Mr.", "Dec.", "J.", "Trump’s", "Hamas's", "o'clock's", "didn’t",
                           "1,000.50", "2.5", "Al-Thani", "“Yes,”", "(25%)", ".", "!", "?", "...", "\n", "\n\n", "  ",
                           "\u00a0", "Then", "said", "x" * 70 + ".", "a.b.c.", "2.5km", "x1,2y", "’s", "'", "s", "é",
                           "١٢.٣", "𝔘", "U.S.A", "I.", "approx.", "\u2009", "”", "(B", "_", "\x1f", "\x07", "\u0085"])


# The tokeniser as first written (a lazy word with a look-ahead): the one-scan expression must agree with it.
REFERENCE_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)+|['’]s\b|\w+?(?=['’]s\b)|\w+(?:['’]\w+)*|[^\w\s]")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abS1,.'’ \n-_éU", max_size=60))
def test_token_expression_equals_its_reference_definition(text):
    from ceasefire_news.release.ner import TOKEN_RE

    assert [m.span() for m in TOKEN_RE.finditer(text)] == [m.span() for m in REFERENCE_TOKEN_RE.finditer(text)]


# The sentence splitter and the tagger as first written, match by match and span by span: the array versions
# (ner_batch, sentences) must agree with them.
REFERENCE_BOUNDARY_RE = re.compile(r"([.!?]+)[\"”’')\]]*(\s+)(?=[\"“‘'(\[]?[A-Z0-9])")
REFERENCE_WORD_BEFORE_RE = re.compile(r"(?:^|(?<=[^\w.]))([\w.]*\w)$")


def reference_sentences(text: str, protected=()) -> list[tuple[int, int]]:
    from ceasefire_news.release.ner import ABBREVIATIONS

    def inside(pos):
        return any(s < pos < e for s, e in protected)

    def abbreviation(m):
        w = REFERENCE_WORD_BEFORE_RE.search(text, 0, m.start(1))
        word = w.group(1) if w else ""
        return m.group(1) == "." and bool(word) and bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word) or (
            len(word) == 1 and word.isalpha()) or word.lower() in ABBREVIATIONS)

    cuts = [0, len(text)]
    for m in re.finditer(r"\n+", text):
        if not inside(m.start()):
            cuts += [m.start(), m.end()]
    for m in REFERENCE_BOUNDARY_RE.finditer(text):
        if not ("\n" in m.group(2) or inside(m.start(2)) or inside(m.end(2)) or abbreviation(m)):
            cuts += [m.start(2), m.end(2)]
    cuts.sort()
    out = []
    for s, e in zip(cuts, cuts[1:]):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e and (not out or s >= out[-1][1]):
            out.append((s, e))
    return out


def reference_ner_rows(doc_id: str, text: str, ents) -> tuple[list[dict], list[dict]]:
    from ceasefire_news.release.ner import _doc_tags

    toks = tokenize(text)
    sents = reference_sentences(text, [(e["start"], e["end"]) for e in ents])
    starts = [t.start for t in toks]
    bounds = [next((k for k, s0 in enumerate(starts) if s0 >= s), len(toks)) for s, _ in sents] + [len(toks)]
    tags, problems = _doc_tags(doc_id, ents, starts, [t.end for t in toks], bounds)
    rows = [{"id": f"{doc_id}-{i:04d}", "doc_id": doc_id, "sentence_index": i, "tokens": [t.text for t in toks[lo:hi]],
             "ner_tags": tags[lo:hi]} for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])) if hi > lo]
    return rows, problems


def _document(data, doc_id: str) -> tuple[str, str, list[dict]]:
    """A text of tricky pieces and entities on it: mostly on token boundaries, some anywhere (even empty)."""
    text = data.draw(st.sampled_from([" ", "", "\n"])).join(data.draw(st.lists(pieces, max_size=30)))
    toks = tokenize(text)
    ents = []
    for _ in range(data.draw(st.integers(0, 4))):
        if toks and data.draw(st.booleans()):
            i = data.draw(st.integers(0, len(toks) - 1))
            s, e = toks[i].start, toks[data.draw(st.integers(i, min(len(toks) - 1, i + 3)))].end
        else:
            s = data.draw(st.integers(0, len(text)))
            e = data.draw(st.integers(s, len(text)))
        ents.append({"start": s, "end": e, "label": data.draw(st.sampled_from(["GPE", "ORG"])), "text": text[s:e]})
    return doc_id, text, ents


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sentences_equal_the_match_by_match_definition(data):
    _, text, ents = _document(data, "d")
    protected = [(e["start"], e["end"]) for e in ents]
    assert sentences(text, protected) == reference_sentences(text, protected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_batch_of_documents_gives_the_rows_of_the_span_by_span_definition(data):
    from ceasefire_news.release.ner import ner_batch

    docs = [_document(data, f"d{k}") for k in range(data.draw(st.integers(1, 4)))]
    batch = ner_batch(docs)
    expected = [reference_ner_rows(*d) for d in docs]
    assert batch.rows() == [r for rows, _ in expected for r in rows]
    assert batch.unrepresented == [problems for _, problems in expected]
    assert batch.tokens == [len(tokenize(text)) for _, text, _ in docs]
    assert batch.table().to_pylist() == batch.rows() and batch.table().schema.equals(NER)


def test_ner_config_rows_match_the_default_config(corpus_release: Path):
    for s in SPLITS:
        f = corpus_release / data_file("ner", s)
        if not f.exists():
            assert not (corpus_release / data_file("default", s)).exists()
            continue
        ner = pq.read_table(f)
        assert ner.schema.equals(NER)
        default = {r["id"]: r for r in pq.read_table(corpus_release / data_file("default", s)).to_pylist()}
        rows = ner.to_pylist()
        assert [(r["doc_id"], r["sentence_index"]) for r in rows] == sorted((r["doc_id"], r["sentence_index"])
                                                                          for r in rows)
        for doc_id, doc in default.items():
            doc_rows = [r for r in rows if r["doc_id"] == doc_id]
            assert [t for r in doc_rows for t in r["tokens"]] == [t.text for t in tokenize(doc["text"])]
            report = [p for p in json.loads((corpus_release / "ner_report.json").read_text())["spans"]
                      if p["doc_id"] == doc_id]
            b_tags = sum(TAGS[t].startswith("B-") for r in doc_rows for t in r["ner_tags"])
            assert b_tags == len(doc["entities"]) - len(report)


def test_ner_report_lists_the_spans_left_out(corpus_release: Path):
    report = json.loads((corpus_release / "ner_report.json").read_text())
    reasons = {(p["doc_id"], p["text"], p["reason"]) for p in report["spans"]}
    assert ("107_un", "Security Council", "nested") in reasons
    assert ("101_talks", "Israel", "mid-token") in reasons
    assert report["counts"] == {k: sum(1 for p in report["spans"] if p["reason"] == k)
                                for k in {p["reason"] for p in report["spans"]}}


def test_documents_of_a_batch_do_not_see_each_other():
    from ceasefire_news.release.ner import ner_batch

    docs = [("a", "He saw J", []), ("b", ". Then it ended.", []), ("c", "Mr", []), ("d", "’s U.S.", [])]
    assert ner_batch(docs).rows() == [r for d in docs for r in ner_rows(*d).rows]
    assert [r["tokens"] for r in ner_rows(*docs[1]).rows] == [["."], ["Then", "it", "ended", "."]]
