"""Re-anchoring manual spans when a corpus text changes: the seed's own text, edited the ways texts change."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ceasefire_news.cli import main
from ceasefire_news.annotations.reanchor import reanchor, reconstruct_old_text
from ceasefire_news.repo import sha256_text
from ceasefire_news.annotations.validate import validate_repo

from .conftest import SEED_ID

HAMAS_PARAGRAPH = ("It also advances the decommissioning of Hamas’s weapons and the demilitarization of Gaza, "
                   "though Hamas has vocally refused to lay down its arms.")
ATTENDING = ("Attending the meeting Friday were US special envoy Steve Witkoff, Qatari Prime Minister Mohammed "
             "Abdulrahman Al Thani, Egyptian intel chief Hassan Rashad and Turkish Foreign Minister Hakan Fidan.")


# ------------------------------------------------------------------------------------------------ helpers
def paths(root: Path) -> tuple[Path, Path, Path, Path]:
    return (root / "seeds" / f"{SEED_ID}.txt", root / "seeds" / f"{SEED_ID}.meta.json",
            root / "corpus" / f"{SEED_ID}.txt", root / "annotations" / f"{SEED_ID}.json")


def annotate(root: Path) -> dict:
    """Add manual layers to the committed annotation file: every "Hamas", the people of the meeting, a quote
    with its cue, an unnamed source. Offsets are found in the corpus text, never typed in."""
    _, _, corpus, ann = paths(root)
    text = corpus.read_text(encoding="utf-8")
    doc = json.loads(ann.read_text(encoding="utf-8"))
    ents = []

    def ent(s: int, t: str, label: str) -> dict:
        ents.append({"id": f"e{len(ents) + 1}", "start": s, "end": s + len(t), "text": t, "label": label,
                     "origin": "manual"})
        return ents[-1]

    i = text.find("Hamas")
    while i >= 0:
        if not text[i + 5].isalpha() and text[i + 5] != "-":
            ent(i, "Hamas", "ORG")
        i = text.find("Hamas", i + 1)
    for name in ("Steve Witkoff", "Hakan Fidan", "Hassan Rashad"):
        ent(text.index(name), name, "PERSON")
    ent(text.index("Miami"), "Miami", "GPE")
    q = "“to review the implementation of the first phase of the Gaza ceasefire and to advance preparations " \
        "for the second phase.”"
    qs = text.index(q)
    cue = text.rindex("said", 0, qs)
    doc["layers"]["quotes"] = [{"id": "q1", "start": qs, "end": qs + len(q), "text": q, "kind": "direct",
                                "speaker": "the joint statement", "origin": "manual",
                                "cue": {"start": cue, "end": cue + 4, "text": "said"}}]
    src = "a source briefed on the meeting"
    doc["layers"]["sources"] = [{"id": "s1", "start": text.index(src), "end": text.index(src) + len(src),
                                 "text": src, "anonymity": "unnamed", "origin": "manual"}]
    doc["layers"]["entities"] = ents
    ann.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return doc


def new_seed(root: Path, edit) -> None:
    """Replace the seed by a successor (its text edited by `edit`) and re-pin the sidecar to it."""
    seed, meta, _, _ = paths(root)
    data = edit(seed.read_text(encoding="utf-8")).encode("utf-8")
    seed.write_bytes(data)
    m = json.loads(meta.read_text(encoding="utf-8"))
    m["seed_sha256"] = hashlib.sha256(data).hexdigest()
    meta.write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")


def n_spans(root: Path) -> int:
    """Manual spans, cues included."""
    return sum(1 + ("cue" in x) for x in manual(root))


def manual(root: Path) -> list[dict]:
    doc = json.loads(paths(root)[3].read_text(encoding="utf-8"))
    return [x for name in ("entities", "quotes", "sources") for x in doc["layers"][name]]


def spans_hold(root: Path) -> None:
    """Every manual span covers its text in the corpus file, and the file is pinned to it."""
    _, _, corpus, ann = paths(root)
    text = corpus.read_text(encoding="utf-8")
    doc = json.loads(ann.read_text(encoding="utf-8"))
    assert doc["text_sha256"] == sha256_text(text)
    for x in manual(root):
        assert text[x["start"]:x["end"]] == x["text"], x
        if "cue" in x:
            assert text[x["cue"]["start"]:x["cue"]["end"]] == x["cue"]["text"]


def assert_valid(root: Path) -> None:
    problems, _, _ = validate_repo(root)
    assert [p.render() for p in problems] == []


@pytest.fixture
def annotated(repo_copy: Path) -> Path:
    annotate(repo_copy)
    assert_valid(repo_copy)
    return repo_copy


def run(root: Path, *args: str) -> int:
    return main(["reanchor", "--root", str(root), "--no-git", *args])


# ------------------------------------------------------------------------------------------------ the workflow
def test_ingest_refuses_a_changed_text_under_manual_spans(annotated: Path, capsys):
    new_seed(annotated, lambda t: t.replace("Strip’s postwar", "Strip’s post-war"))
    assert main(["ingest", "--root", str(annotated), "-q"]) == 1
    err = capsys.readouterr().err
    assert "error [text-changed]" in err and "ceasefire-news reanchor" in err


def test_typo_fix_moves_every_span_after_it(annotated: Path, capsys):
    before = {x["id"]: x for x in manual(annotated)}
    new_seed(annotated, lambda t: t.replace("Strip’s postwar", "Strip’s post-war"))
    assert run(annotated, "-v") == 0
    out = capsys.readouterr().out
    assert f"moved {n_spans(annotated)} span(s)" in out and "0 not placed" in out
    text = paths(annotated)[2].read_text(encoding="utf-8")
    fix = text.index("post-war")
    for x in manual(annotated):
        shift = 1 if before[x["id"]]["start"] > fix else 0
        assert x["start"] == before[x["id"]]["start"] + shift
    spans_hold(annotated)
    assert_valid(annotated)


def test_inserted_paragraph(annotated: Path):
    para = "Editor’s note: Hamas and Israel were asked for comment on the statement.\n\n"
    new_seed(annotated, lambda t: t.replace("A joint statement issued", para + "A joint statement issued"))
    before = {x["id"]: x["start"] for x in manual(annotated)}
    assert run(annotated) == 0
    text = paths(annotated)[2].read_text(encoding="utf-8")
    at = text.index("Editor’s note")
    after = {x["id"]: x["start"] for x in manual(annotated)}
    assert all(after[i] == before[i] + (len(para) if before[i] >= at else 0) for i in before)
    spans_hold(annotated)
    assert_valid(annotated)


def test_deleted_paragraph_reports_its_spans_and_writes_nothing(annotated: Path, capsys):
    new_seed(annotated, lambda t: t.replace(HAMAS_PARAGRAPH + "\n\n", ""))
    ann = paths(annotated)[3]
    kept = ann.read_bytes()
    corpus_before = paths(annotated)[2].read_bytes()
    assert run(annotated) == 1
    err = capsys.readouterr().err
    lost = [line for line in err.splitlines() if "error [reanchor-failed] entity" in line]
    assert len(lost) == 2  # the two "Hamas" of the deleted paragraph
    assert all('"Hamas"' in line and "never with its old context" in line for line in lost)
    assert f"nothing written: 2 span(s) could not be placed, {n_spans(annotated) - 2} could" in err
    assert ann.read_bytes() == kept and paths(annotated)[2].read_bytes() == corpus_before


def test_deleted_paragraph_with_partial_writes_the_rest(annotated: Path, capsys):
    old_text = paths(annotated)[2].read_text(encoding="utf-8")
    para_at = old_text.index(HAMAS_PARAGRAPH)
    lost_ids = {x["id"] for x in manual(annotated) if para_at <= x["start"] < para_at + len(HAMAS_PARAGRAPH)}
    new_seed(annotated, lambda t: t.replace(HAMAS_PARAGRAPH + "\n\n", ""))
    assert run(annotated, "--partial") == 1
    capsys.readouterr()
    text = paths(annotated)[2].read_text(encoding="utf-8")
    for x in manual(annotated):
        assert (text[x["start"]:x["end"]] == x["text"]) == (x["id"] not in lost_ids)
    problems, _, _ = validate_repo(annotated)
    assert sorted(p.code for p in problems) == ["span-text", "span-text"]  # exactly the two left for a human


def test_duplicated_paragraph_is_ambiguous_not_guessed(annotated: Path, capsys):
    new_seed(annotated, lambda t: t.replace(ATTENDING, ATTENDING + "\n\n" + ATTENDING))
    assert run(annotated) == 1
    err = capsys.readouterr().err
    assert "Hassan Rashad" in err and "which one it is cannot be told" in err
    failed = [line for line in err.splitlines() if "[reanchor-failed] entity" in line]
    assert {'"Hassan Rashad"'} == {w for line in failed for w in ['"Hassan Rashad"'] if w in line}


def test_normaliser_change_moves_spans_and_repins_the_version(annotated: Path, capsys):
    """Simulate annotations made under an older normaliser that kept blank-line runs and trailing spaces:
    the old corpus text is longer; re-anchoring onto today's normaliser output moves every span."""
    seed, meta, corpus, ann = paths(annotated)
    new_text = corpus.read_text(encoding="utf-8")
    old_text = new_text.replace("\n\n", "  \n\n\n")
    doc = json.loads(ann.read_text(encoding="utf-8"))
    for name, items in doc["layers"].items():
        for x in items:
            k = new_text[:x["start"]].count("\n\n")
            x["start"] += 3 * k
            x["end"] += 3 * k
            if "cue" in x:
                x["cue"]["start"] += 3 * k
                x["cue"]["end"] += 3 * k
            assert old_text[x["start"]:x["end"]] == x["text"]
    doc.update(text_sha256=sha256_text(old_text), normaliser_version="0")
    corpus.write_text(old_text, encoding="utf-8")
    ann.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert {p.code for p in validate_repo(annotated)[0]} >= {"normaliser-version", "corpus-drift"}
    assert run(annotated) == 0
    assert "old text: corpus/" in capsys.readouterr().out
    spans_hold(annotated)
    assert json.loads(ann.read_text(encoding="utf-8"))["normaliser_version"] == "1"
    assert corpus.read_text(encoding="utf-8") == new_text
    assert_valid(annotated)


def test_typo_inside_a_span_is_reported_then_accepted_with_allow_edits(repo_copy: Path, capsys):
    # annotations made on a seed with a typo in a name; the successor seed fixes it
    doc = json.loads(paths(repo_copy)[3].read_text(encoding="utf-8"))
    for name in ("entities", "quotes", "sources"):
        doc["layers"][name] = []  # start from no manual layers: the committed gold ones point into today's text
    paths(repo_copy)[3].write_text(json.dumps(doc), encoding="utf-8")
    new_seed(repo_copy, lambda t: t.replace("Hassan Rashad", "Hasan Rashad"))
    assert main(["ingest", "--root", str(repo_copy), "-q"]) == 0
    text = paths(repo_copy)[2].read_text(encoding="utf-8")
    doc = json.loads(paths(repo_copy)[3].read_text(encoding="utf-8"))
    s = text.index("Hasan Rashad")
    doc["layers"]["entities"] = [{"id": "e1", "start": s, "end": s + 12, "text": "Hasan Rashad", "label": "PERSON",
                                  "origin": "manual"}]
    paths(repo_copy)[3].write_text(json.dumps(doc), encoding="utf-8")
    new_seed(repo_copy, lambda t: t.replace("Hasan Rashad", "Hassan Rashad"))
    assert run(repo_copy) == 1
    err = capsys.readouterr().err
    assert 'the text inside the span changed: it now reads "Hassan Rashad"' in err
    assert "--allow-edits" in err
    assert run(repo_copy, "--allow-edits", "-v") == 0
    assert "now 'Hassan Rashad'" in capsys.readouterr().out
    assert manual(repo_copy)[0]["text"] == "Hassan Rashad"
    spans_hold(repo_copy)
    assert_valid(repo_copy)


def test_dry_run_writes_nothing(annotated: Path, capsys):
    new_seed(annotated, lambda t: t.replace("Strip’s postwar", "Strip’s post-war"))
    before = [p.read_bytes() for p in paths(annotated)[2:]]
    assert run(annotated, "--dry-run") == 0
    assert f"would move {n_spans(annotated)} span(s)" in capsys.readouterr().out
    assert [p.read_bytes() for p in paths(annotated)[2:]] == before


def test_up_to_date_documents_are_left_alone(annotated: Path, capsys):
    before = paths(annotated)[3].read_bytes()
    assert run(annotated) == 0
    assert f"{SEED_ID}: up to date" in capsys.readouterr().out
    assert json.loads(paths(annotated)[3].read_bytes()) == json.loads(before)


# ------------------------------------------------------------------------------------------------ old text sources
def test_old_text_from_a_file_must_match_the_pinned_hash(annotated: Path, tmp_path: Path, capsys):
    old = tmp_path / "old.txt"
    shutil.copy(paths(annotated)[2], old)
    new_seed(annotated, lambda t: t.replace("Strip’s postwar", "Strip’s post-war"))
    paths(annotated)[2].write_text("something else entirely", encoding="utf-8")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the old text", encoding="utf-8")
    assert run(annotated, SEED_ID, "--old", str(wrong)) == 1
    assert "error [old-text-mismatch]" in capsys.readouterr().err
    assert run(annotated, SEED_ID, "--old", str(old)) == 0
    assert f"old text: {old}" in capsys.readouterr().out
    spans_hold(annotated)
    assert_valid(annotated)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_old_text_from_git_history(annotated: Path, capsys):
    def git(*a: str) -> None:
        subprocess.run(["git", "-C", str(annotated), "-c", "user.name=t", "-c", "user.email=t@localhost", *a],
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "annotated")
    para = "Editor’s note: Hamas and Israel were asked for comment.\n\n"
    new_seed(annotated, lambda t: t.replace("A joint statement issued", para + "A joint statement issued"))
    # someone already wrote the new corpus text (say, an older tool) without moving the spans
    from ceasefire_news.text.normalize import normalize_bytes
    paths(annotated)[2].write_text(normalize_bytes(paths(annotated)[0].read_bytes()).text, encoding="utf-8")
    assert main(["reanchor", "--root", str(annotated)]) == 0
    assert f"old text: git history of corpus/{SEED_ID}.txt" in capsys.readouterr().out
    spans_hold(annotated)
    assert_valid(annotated)


def test_hand_edited_corpus_with_the_old_text_rebuilt_from_the_annotation_file(annotated: Path, capsys):
    corpus = paths(annotated)[2]
    text = corpus.read_text(encoding="utf-8")
    corpus.write_text(text.replace("A joint statement issued", "Hamas said nothing.\n\nA joint statement issued"),
                      encoding="utf-8")
    assert run(annotated, "--from-corpus") == 0
    assert "old text: rebuilt from the annotation file" in capsys.readouterr().out
    spans_hold(annotated)
    # the corpus now differs from the normalised seed (a hand edit); everything else about the file holds
    assert [p.code for p in validate_repo(annotated)[0]] == ["corpus-drift"]


# ------------------------------------------------------------------------------------------------ the pure core
OLD = ("Hamas said the talks in Doha went well.\n\nA source briefed on the talks said Hamas wants more time.\n\n"
       "Israel said it would wait.")


def spans(*texts: tuple[str, int]) -> dict:
    items = []
    for t, n in texts:
        s = -1
        for _ in range(n + 1):
            s = OLD.index(t, s + 1)
        items.append({"id": f"e{len(items) + 1}", "start": s, "end": s + len(t), "text": t, "label": "ORG",
                      "origin": "manual"})
    return {"layers": {"entities": items}}


def test_rebuilt_old_text_keeps_recorded_characters_only():
    doc = spans(("Hamas", 0), ("Doha", 0))
    rebuilt = reconstruct_old_text(doc)
    assert rebuilt.startswith("Hamas\uffff") and rebuilt.endswith("Doha") and len(rebuilt) == OLD.index("Doha") + 4


def test_without_context_a_repeated_text_is_never_guessed():
    doc = spans(("Hamas", 0), ("Hamas", 1), ("Doha", 0))
    new = "Update.\n\n" + OLD.replace("Hamas wants", "Hamas, Hamas wants")
    r = reanchor(doc, new)  # no old text: only the spans themselves are known
    assert {f.id: f.reason for f in r.failures} == {"e1": "ambiguous", "e2": "ambiguous"}
    assert [(m.id, m.method) for m in r.moves] == [("e3", "unique")]
    assert new[r.doc["layers"]["entities"][2]["start"]:][:4] == "Doha"
    assert r.doc["layers"]["entities"][0] == doc["layers"]["entities"][0]  # left untouched


def test_with_the_exact_old_text_context_tells_repeats_apart():
    doc = spans(("Hamas", 0), ("Hamas", 1), ("Doha", 0))
    new = "Update.\n\n" + OLD
    r = reanchor(doc, new, OLD)
    assert r.ok and [m.new[0] - m.old[0] for m in r.moves] == [9, 9, 9]


def test_a_word_made_longer_is_not_matched_inside():
    doc = spans(("Doha", 0))
    r = reanchor(doc, OLD.replace("Doha", "Dohaa"), OLD)
    assert [f.reason for f in r.failures] == ["edited"]
    r = reanchor(doc, OLD.replace("Doha", "Dohaa"))  # no context known: still no cut through a word
    assert [f.reason for f in r.failures] == ["lost"]
