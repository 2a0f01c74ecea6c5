"""Fuzzing with hypothesis: generated raw pages and annotation files through decode, normalise, clean, ingest,
validate, build and the loader. No uncaught exception anywhere (a CeasefireError is the one allowed way to
say no), and the invariants hold: spans inside the text, clean body + removed spans account for the whole
normalised text, offset maps round-trip, release rows match their annotation files.

Sized for CI by default. The long run (`python bench/fuzz_long.py`, >= 10,000 cases per target) sets
$CEASEFIRE_FUZZ_EXAMPLES; $CEASEFIRE_FUZZ_BUILD_EXAMPLES sizes the whole-build target separately.
"""
from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from ceasefire_news.annotations.files import SCHEMA_VERSION
from ceasefire_news.annotations.validate import check_annotation, validate_document
from ceasefire_news.schemas import Collector
from ceasefire_news.errors import CeasefireError
from ceasefire_news.ingest import ingest
from ceasefire_news.repo import Repo
from ceasefire_news.text.boilerplate import clean_view, load_rules
from ceasefire_news.text.normalize import NORMALISER_VERSION, normalize, normalize_bytes

LONG = int(os.environ.get("CEASEFIRE_FUZZ_EXAMPLES", "0"))
BUILD_LONG = int(os.environ.get("CEASEFIRE_FUZZ_BUILD_EXAMPLES", "0"))


def examples(ci: int) -> settings:
    return settings(max_examples=LONG or ci, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------------------------------------ raw pages
SENTENCES = ["Negotiators met in Cairo on Monday, officials said.", "“We are close,” said Ahmed Saleh.",
             "The truce held overnight in Gaza.", "Aid trucks entered through Kerem Shalom.",
             "Hezbollah did not claim the launch.", "Families rallied in Tel Aviv on Saturday night."]
FURNITURE = ["Sign up for our newsletter", "Share this article", "Advertisement", "Read more:",
             "Photo: Odd Andersen/AFP", "A man walks past rubble in Gaza City. (AP Photo/Abdel Kareem Hana)",
             "Support independent journalism", "Follow us on X", "© 2025 Example Wire"]
ODD = ["\u200b", "\u00a0", "\r\n", "\r", "\u2028", "e\u0301", "q\u0307", "â€™", "\ufeff", "\t", "   ", "\u00ad",
       "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\u202e", "\x85", "\u3000", "ﬁ", "Å", "\u0000", "\x07"]
LINE = st.lists(st.sampled_from(SENTENCES + FURNITURE) | st.sampled_from(ODD) | st.text(max_size=12),
                min_size=1, max_size=4).map(" ".join)
PAGE = st.lists(LINE, min_size=1, max_size=14).flatmap(
    lambda lines: st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n"]), min_size=len(lines),
                           max_size=len(lines)).map(lambda seps: "".join(a + b for a, b in zip(lines, seps))))
RAW_BYTES = (PAGE.map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary(max_size=400)
             | PAGE.map(lambda t: t.encode("cp1252", "ignore")) | PAGE.map(lambda t: t.encode("utf-16")))


@examples(300)
@given(RAW_BYTES)
def test_decode_and_normalise_any_bytes(data):
    try:
        norm = normalize_bytes(data, "page.txt")
    except CeasefireError as exc:
        assert exc.problems and all(p.file == "page.txt" and "\n" not in p.render() for p in exc.problems)
        return
    text = norm.text
    assert text.strip() and unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and "\u200b" not in text and "\n\n\n" not in text
    assert norm.offsets.norm_length == len(text) and norm.offsets.raw_length == len(norm.raw)


@examples(300)
@given(PAGE, st.data())
def test_offset_map_round_trips(raw, data):
    text, offsets, _ = normalize(raw)
    assert offsets.to_raw(0, len(text))[1] <= len(raw)
    if not text:
        return
    s = data.draw(st.integers(0, len(text)))
    e = data.draw(st.integers(s, len(text)))
    rs, re_ = offsets.to_raw(s, e)
    assert 0 <= rs <= re_ <= len(raw)
    if offsets.is_boundary(s) and offsets.is_boundary(e):
        event("span on boundaries")
        assert offsets.to_norm(rs, re_) == (s, e)


RULES = load_rules(None)


@examples(150)
@given(PAGE)
def test_clean_body_and_removed_spans_account_for_the_whole_text(raw):
    text = normalize(raw)[0]
    assume(text.strip())
    view, det = clean_view(text, None, RULES)
    removed = det.removed()
    event("something removed" if removed else "nothing removed")
    for (s1, e1, _), (s2, e2, _) in zip(removed, removed[1:]):
        assert e1 <= s2, "removed spans overlap"
    kept = [(seg.start, seg.end) for seg in view.segments]
    assert view.body == "\n\n".join(text[s:e] for s, e in kept)
    owner = [0] * len(text)
    for s, e in kept:
        for i in range(s, e):
            owner[i] += 1
    for s, e, _ in removed:
        assert 0 <= s < e <= len(text)
        for i in range(s, e):
            owner[i] += 2
    for i, ch in enumerate(text):  # every visible character is in the body or removed, never both, never lost
        assert owner[i] in ((1, 2) if not ch.isspace() else (0, 1, 2)), (i, ch, owner[i])
    for r in det.boilerplate:
        assert text[r.start:r.end] == r.text
    for c in det.captions:
        assert text[c.start:c.end] == c.text


KEYS = st.sampled_from(["a", "b", "start", "a\"", "\":", "x:y", "\\"])
JSON_TREE = st.recursive(st.integers() | st.sampled_from(["\":", "\\", "a\":b", ":"]),
                         lambda c: st.lists(c, max_size=3) | st.lists(st.tuples(KEYS, c), max_size=4),
                         max_leaves=12)


def _render(tree, style: int) -> str:
    """JSON text of a tree whose objects are lists of (key, value) pairs, repeats kept as written."""
    if isinstance(tree, list) and tree and all(isinstance(x, tuple) for x in tree):
        sep = (":", " : ", ":\n")[style % 3]
        return "{" + ",".join(json.dumps(k) + sep + _render(v, style) for k, v in tree) + "}"
    if isinstance(tree, list):
        return "[" + ",".join(_render(v, style) for v in tree) + "]"
    if style == 3 and isinstance(tree, str):  # quotes and colons spelt as \u escapes
        return '"' + "".join({'"': "\\u0022", ":": "\\u003a"}.get(ch) or json.dumps(ch)[1:-1] for ch in tree) + '"'
    return json.dumps(tree)


@examples(500)
@given(JSON_TREE, st.integers(0, 3))
def test_duplicate_key_gate_never_hides_a_repeat(tree, style):
    from ceasefire_news.jsonstrict import duplicate_keys, surely_unique
    import orjson

    data = _render(tree, style).encode()
    value = orjson.loads(data)
    repeats = duplicate_keys(data)
    if surely_unique(data, value):
        assert repeats == []
    event("repeats" if repeats else "unique")


# ------------------------------------------------------------------------------------------------ ingest + validate
@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "repo"


@examples(60)
@given(PAGE)
def test_ingest_output_always_validates(fuzz_repo, raw):
    data = raw.encode("utf-8", "surrogatepass")
    doc_id = "fz_" + hashlib.sha256(data).hexdigest()[:16]
    seed = fuzz_repo.parent / "in" / f"{doc_id}.txt"
    seed.parent.mkdir(parents=True, exist_ok=True)
    seed.write_bytes(data)
    repo = Repo.at(fuzz_repo)
    try:
        r = ingest(seed, repo, source="Example Wire")
    except CeasefireError as exc:
        assert exc.problems[0].code in ("empty-input", "binary-input", "undecodable", "empty-body"), exc
        assert not repo.corpus_path(doc_id).exists() and not repo.seed_path(doc_id).exists()  # nothing written
        return
    problems, _ = validate_document(repo, doc_id)
    assert problems == [], [p.render() for p in problems]
    ann = json.loads(r.annotation_path.read_text(encoding="utf-8"))
    text = r.corpus_path.read_text(encoding="utf-8")
    for layer in ann["layers"].values():
        for item in layer:
            assert 0 <= item["start"] < item["end"] <= len(text)


TEXT = ("Negotiators from Egypt and Qatar met Hamas officials in Cairo on Monday.\n\n"
        "“We are close,” said Ahmed Saleh. Caf\u00e9 talks in Gaza \U0001F468\u200d\U0001F469\u200d\U0001F467 resumed.")
TEXT_SHA = hashlib.sha256(TEXT.encode()).hexdigest()
JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-5, 10 ** 20) | st.floats(allow_nan=False)
                       | st.text(max_size=8), lambda c: st.lists(c, max_size=3) | st.dictionaries(
                           st.text(max_size=6), c, max_size=3), max_leaves=8)
VALID_OFFSET = st.integers(0, len(TEXT))
OFFSET = st.one_of(VALID_OFFSET, VALID_OFFSET, VALID_OFFSET, VALID_OFFSET, VALID_OFFSET, VALID_OFFSET,
                   st.integers(-3, 10 ** 12), st.floats(0, 200), st.booleans(), st.text(max_size=3))


@st.composite
def annotation_files(draw):
    tidy = draw(st.booleans())  # half the files have well-formed offsets: the semantic checks get their turn

    def span(prefix, k, extra):
        if tidy:
            s = draw(st.integers(0, len(TEXT) - 1))
            e = draw(st.integers(s + 1, min(len(TEXT), s + 12)))
        else:
            s = draw(OFFSET)
            e = draw(OFFSET | VALID_OFFSET.map(lambda x: x if type(s) is not int else max(s, x)))
        covered = TEXT[s:e] if type(s) is int and type(e) is int and not isinstance(s, bool) else "x"
        item = {"id": f"{prefix}{k}", "start": s, "end": e, "text": draw(st.sampled_from([covered] * 5 + ["x"])),
                "origin": draw(st.sampled_from(["manual", "auto"])), **extra}
        if draw(st.integers(0, 14)) == 0:
            item[draw(st.sampled_from(list(item)))] = draw(JSONISH)
        return item
    layers = {
        "entities": [span("e", k, {"label": draw(st.sampled_from(["PERSON", "GPE", "ORG", "PERSON", "bad"]))})
                     for k in range(draw(st.integers(0, 3)))],
        "quotes": [span("q", k, {"kind": "direct", "speaker": "x"}) for k in range(draw(st.integers(0, 1)))],
        "boilerplate": [span("b", k, {"kind": "newsletter_signup"}) for k in range(draw(st.integers(0, 1)))],
        "paragraphs": draw(st.sampled_from([[], [{"id": "p1", "start": 0, "end": 72, "text": TEXT[:72],
                                                   "origin": "auto"}]])),
    }
    doc = {"doc_id": "fz_doc", "schema_version": SCHEMA_VERSION, "normaliser_version": NORMALISER_VERSION,
           "text_sha256": TEXT_SHA, "offset_unit": "codepoint", "layers": layers}
    if draw(st.integers(0, 11)) == 0:
        doc[draw(st.sampled_from(list(doc)))] = draw(JSONISH)
    return doc


@examples(200)
@given(annotation_files())
def test_validate_any_annotation_file(doc):
    out = Collector("annotations/fz_doc.json", json.dumps(doc, ensure_ascii=False))
    check_annotation(doc, TEXT, out, "fz_doc", TEXT_SHA)
    for p in out.problems:
        assert p.code and p.file == "annotations/fz_doc.json" and "\n" not in p.render()
    event("accepted" if not out.problems else "refused")
    if not out.problems:  # accepted: then every span is inside the text and holds what it says
        for name, layer in doc["layers"].items():
            for item in layer:
                s, e = item["start"], item["end"]
                assert type(s) is int and type(e) is int and 0 <= s < e <= len(TEXT)
                assert TEXT[s:e] == item["text"]


# ------------------------------------------------------------------------------------------------ build + loader
BUILD_TEXT = ("Negotiators from Egypt and Qatar met Hamas officials in Cairo on Monday, two officials said.\n\n"
              "Sign up for our newsletter\n\n"
              "“We are close,” said Ahmed Saleh, a mediator. The talks in Gaza resumed on Tuesday.")
WORDS = [(m_start, m_start + len(w), w) for w, m_start in
         ((w, BUILD_TEXT.find(w)) for w in ["Egypt", "Qatar", "Hamas", "Cairo", "Monday", "Ahmed Saleh", "Gaza",
                                            "Tuesday", "officials", "newsletter", "Negotiators from Egypt"])]


@pytest.fixture(scope="module")
def build_repo(tmp_path_factory) -> Path:
    from .corpus_factory import _write_doc

    repo = tmp_path_factory.mktemp("fuzzbuild") / "repo"
    _write_doc(repo, "fz_build", BUILD_TEXT, "Example Wire", None)
    ingest(repo / "seeds" / "fz_build.txt", Repo.at(repo))
    return repo


def _with_entities(repo: Path, picks: list[tuple[int, int, str]], labels: list[str]) -> dict:
    path = repo / "annotations" / "fz_build.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["layers"]["entities"] = [{"id": f"e{k + 1}", "start": s, "end": e, "label": labels[k % len(labels)],
                                  "text": w, "origin": "manual"} for k, (s, e, w) in enumerate(picks)]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return doc


def _check_rows(doc: dict, default: dict, full: dict) -> None:
    body = default["text"]
    for ent in default["entities"]:
        assert body[ent["start"]:ent["end"]] == ent["text"]
    full_ents = sorted((e["start"], e["end"], e["label"], e["text"]) for e in full["entities"])
    assert full_ents == sorted((e["start"], e["end"], e["label"], e["text"]) for e in doc["layers"]["entities"])
    removed = [(b["start"], b["end"]) for b in doc["layers"]["boilerplate"] + doc["layers"]["captions"]]
    in_body = [e for e in doc["layers"]["entities"]
               if not any(s <= e["start"] and e["end"] <= t for s, t in removed)]
    assert sorted(e["text"] for e in default["entities"]) == sorted(e["text"] for e in in_body)


ENTITY_PICKS = st.lists(st.sampled_from(WORDS), unique=True, max_size=8)
LABEL_PICKS = st.lists(st.sampled_from(["PERSON", "GPE", "ORG", "DATE", "NORP"]), min_size=1, max_size=3)


@examples(100)
@given(ENTITY_PICKS, LABEL_PICKS)
def test_release_rows_match_the_annotation_file(build_repo, tmp_path_factory, picks, labels):
    """The per-document build (validate, rows of every config) and the real loader reading the Parquet it
    writes: the default config's spans hold their text, the full config holds exactly the file's entities."""
    from ceasefire_news.loader import documents, load_table
    import pyarrow as pa

    from ceasefire_news.columns import CONFIGS
    from ceasefire_news.release.build import parquet_bytes, process_document, sha256sums

    doc = _with_entities(build_repo, picks, labels)
    r = process_document(Repo.at(build_repo), "fz_build")
    event("rejected" if r.problems else "released")
    if r.problems:  # nested picks may cross ("Negotiators from Egypt" holds "Egypt": allowed; others not)
        assert {p["code"] for p in r.problems} <= {"crossing-spans", "overlap"}, r.problems
        return
    rel = tmp_path_factory.mktemp("mini")
    files = {f"{prefix}train-00000-of-00001.parquet": parquet_bytes(
        pa.Table.from_pylist([row], schema=CONFIGS[config]), config)
        for prefix, config, row in (("data/", "default", r.default), ("data/full/", "full", r.full))}
    files["SHA256SUMS"] = sha256sums(files).encode()
    for name, data in files.items():
        (rel / name).parent.mkdir(parents=True, exist_ok=True)
        (rel / name).write_bytes(data)
    [loaded] = list(documents("train", source=rel))
    full = load_table("train", config="full", source=rel).to_pylist()[0]
    default = {"text": loaded.text, "entities": [vars(e) for e in loaded.entities]}
    _check_rows(doc, default, full)


@settings(max_examples=BUILD_LONG or 4, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ENTITY_PICKS, LABEL_PICKS)
def test_whole_build_and_loader_match_the_annotation_file(build_repo, tmp_path_factory, picks, labels):
    from ceasefire_news.loader import documents, load_table
    from ceasefire_news.release.build import build

    doc = _with_entities(build_repo, picks, labels)
    out = tmp_path_factory.mktemp("rel") / "rel"
    try:
        result = build(build_repo, out, progress=False, ratios=(100, 0, 0))
    except CeasefireError as exc:  # pragma: no cover - build raises only for a corpus-wide problem
        pytest.fail(str(exc))
    assert result.accounting.balanced and result.accounting.documents_in == 1
    if result.rejected:
        assert {p["code"] for p in result.rejected["fz_build"]} <= {"crossing-spans", "overlap"}
        return
    [loaded] = list(documents("all", source=out))
    full = load_table("all", config="full", source=out).to_pylist()[0]
    _check_rows(doc, {"text": loaded.text, "entities": [vars(e) for e in loaded.entities]}, full)
