"""`ceasefire-news clean` as a real process: the seed's body and JSON, stdin, --source and --rules, and bad input
(binary, empty, undecodable, mixed encodings) answered with one line naming the file and byte offset."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_ID

SEED = ROOT / "seeds" / f"{SEED_ID}.txt"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def clean(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ceasefire_news.cli", "clean", *args], input=stdin,
                          capture_output=True, env=ENV, timeout=60)


def test_seed_body_has_every_paragraph_and_no_boilerplate():
    proc = clean(str(SEED))
    assert proc.returncode == 0, proc.stderr.decode()
    body = proc.stdout.decode("utf-8")
    paragraphs = body.rstrip("\n").split("\n\n")
    assert len(paragraphs) == 25
    assert paragraphs[0].startswith("The mediators of the fragile Gaza ceasefire")
    assert "Turkey\u2019s intelligence chief meets Hamas official" in paragraphs
    assert paragraphs[-1].startswith("Israel has insisted that Turkey")
    for leak in ("Daily Edition", "By signing up", "L-R:", "Odd Andersen", "AP Photo", "You appreciate",
                 "consider joining", "Already a member", "Join Our Community", "staff contributed", "Horovitz"):
        assert leak not in body


def test_seed_json_has_captions_with_credits_and_removed_spans_with_raw_offsets():
    proc = clean(str(SEED), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    raw = SEED.read_bytes().decode("utf-8")
    credits = [c["credit"] for c in out["captions"]]
    assert len(credits) == 5
    assert "Odd Andersen/AFP" in credits[0] and "Atta Kenare/AFP" in credits[0]  # composite: every credit kept
    assert credits[1] == "AP Photo/Abdel Kareem Hana"
    kinds = {r["kind"] for r in out["removed"]}
    assert {"newsletter_signup", "subscription_appeal", "membership_prompt", "caption", "credit_line"} <= kinds
    for r in out["removed"]:
        assert raw[r["raw_start"]:r["raw_end"]].split() == r["text"].split()


def test_stdin_in_body_out_and_one_block_per_line_input():
    page = ("Home\nWorld\nMiddle East\nSign in\n"
            "Israel and Hamas agreed on Friday to extend the truce by two days, mediators said in a statement.\n"
            "Sign up for our daily briefing newsletter\n"
            "The extension allows more hostages and prisoners to be exchanged, officials in Doha said.\n"
            "Share on WhatsApp\n\u00a9 2025 Example News. All rights reserved.\n")
    proc = clean(stdin=page.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (
        "Israel and Hamas agreed on Friday to extend the truce by two days, mediators said in a statement.\n\n"
        "The extension allows more hostages and prisoners to be exchanged, officials in Doha said.\n")


def test_cp1252_input_is_cleaned_and_the_repair_reported_on_stderr(tmp_path: Path):
    f = tmp_path / "old.txt"
    f.write_bytes("The minister said \u201cno deal yet\u201d on Sunday, according to a statement.".encode("cp1252"))
    proc = clean(str(f))
    assert proc.returncode == 0
    assert proc.stdout.decode() == "The minister said \u201cno deal yet\u201d on Sunday, according to a statement.\n"
    assert "cp1252" in proc.stderr.decode()


RULES = """rules_version: "test"
generic: []
sources:
  Example Post:
    - id: example-post-partner
      kind: advertisement
      patterns: ['^EXAMPLE POST PARTNER CONTENT$']
captions:
  agencies: [AFP]
  credit_words: [courtesy]
  trailers: ['\\(([^()]{2,90})\\)\\W{0,2}$']
"""


def test_user_rules_file_and_per_source_rules(tmp_path: Path):
    rules = tmp_path / "my-rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    f = tmp_path / "a.txt"
    f.write_text("The talks resumed in Cairo on Monday after a pause of two weeks, officials said.\n\n"
                 "EXAMPLE POST PARTNER CONTENT\n\n"
                 "Both delegations were expected to stay in the city until at least Wednesday.\n", encoding="utf-8")
    with_source = clean(str(f), "--rules", str(rules), "--source", "Example Post")
    other_source = clean(str(f), "--rules", str(rules), "--source", "Other Daily")
    assert with_source.returncode == other_source.returncode == 0
    assert "PARTNER CONTENT" not in with_source.stdout.decode()
    assert "PARTNER CONTENT" in other_source.stdout.decode()


def test_invalid_rules_file_is_a_one_line_error(tmp_path: Path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("rules_version: 1\ngeneric:\n  - kind: nonsense\n    patterns: []\n", encoding="utf-8")
    proc = clean(str(SEED), "--rules", str(rules))
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert "bad.yaml" in err and "[rules-schema]" in err


BAD = {
    "binary.bin": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary-input", "byte offset 8"),
    "empty.txt": (b"", "empty-input", None),
    "blank.txt": (b"\n \n\t\n", "empty-input", None),
    "undecodable.txt": (b"Gaza \x81\x8d\x8f\x90 truce", "undecodable", "byte offset 5"),
    "mixed.txt": ("Hamas \u2013 Israel ".encode("utf-8") + b"\x93truce\x94", "undecodable", "byte offset 17"),
    "utf16.txt": ("Gaza ceasefire".encode("utf-16"), "undecodable", "byte offset 0"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gets_one_line_naming_file_and_offset(tmp_path: Path, name: str):
    data, code, offset = BAD[name]
    f = tmp_path / name
    f.write_bytes(data)
    proc = clean(str(f))
    err = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(str(f)) and f"[{code}]" in err
    if offset:
        assert offset in err


def test_missing_file_and_folder_are_one_line_errors(tmp_path: Path):
    for path in (tmp_path / "nope.txt", tmp_path):
        proc = clean(str(path))
        err = proc.stderr.decode()
        assert proc.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert str(path) in err
