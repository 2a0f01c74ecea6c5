"""A small multi-document repository for release tests: composed articles, near-duplicates, story ids, entities.

`make_repo(path)` writes seeds + sidecars, runs the real ingest, then adds hand-made entities (found by string
search in the corpus text, so the offsets are right by construction) and returns the path.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ceasefire_news.ingest import ingest
from ceasefire_news.repo import Repo

ARTICLES = {
    "101_talks": (
        "Negotiators from Egypt and Qatar met Hamas officials in Cairo on Monday to discuss the next stage of the "
        "truce, two officials said.\n\n"
        "The talks focused on the reopening of the Rafah Crossing and the exchange of remaining hostages. "
        "Mr. Ahmed Saleh, a mediator, said the sides were close.\n\n"
        "Israeli officials did not comment. The meeting in Gaza City was postponed."
    ),
    "102_aid": (
        "Aid trucks entered the Gaza Strip through Kerem Shalom on Tuesday, the United Nations said, as winter "
        "storms flooded tents in the south.\n\n"
        "Get The Times of Israel’s Daily Edition\nby email and never miss our top stories\n\n"
        "The World Food Programme warned that supplies would run out within weeks without more crossings."
    ),
    "103_lebanon": (
        "Sirens sounded in northern Israel on Wednesday after a drone crossed from Lebanon, the military said.\n\n"
        "Hezbollah did not claim the launch. Residents of Kiryat Shmona were told to stay near shelters."
    ),
    "104_vote": (
        "The Knesset approved the budget in a late-night vote on Thursday after weeks of coalition disputes.\n\n"
        "Opposition leader Yair Lapid called the plan reckless, while Finance Minister Bezalel Smotrich said it "
        "protected reservists."
    ),
    "105_hostage": (
        "Families of hostages rallied in Tel Aviv on Saturday night, urging the government to finish the deal.\n\n"
        "Speakers at Hostages Square read the names of those still held in Gaza. Police estimated the crowd at "
        "several thousand people."
    ),
    "106_west_bank": (
        "Troops arrested 12 suspects in overnight raids across the West Bank, the army said on Sunday.\n\n"
        "The Palestinian Authority condemned the raids in Jenin and Tulkarem as a violation of its sovereignty."
    ),
    "107_un": (
        "The UN Security Council met in New York on Friday to review the stabilization force proposal.\n\n"
        "Diplomats said France and Britain backed the draft while Russia asked for more time."
    ),
    "108_ceasefire": (
        "A ceasefire between Israel and Hamas entered its third month on Monday with both sides accusing each "
        "other of violations.\n\n"
        "The health ministry in Gaza reported new casualties near the yellow line, which the army said it "
        "enforced against approaching gunmen."
    ),
}

# A wire copy of 101 in another outlet with a different closing line (near-duplicate, no story id),
# an updated version of 104 marked with an explicit story id shared with the original, and a near-copy of 103.
NEAR_DUPLICATES = {
    "201_talks_wire": ("101_talks", lambda t: t.replace("The meeting in Gaza City was postponed.",
                                                        "The meeting in Gaza City was delayed.")),
    "203_lebanon_copy": ("103_lebanon", lambda t: t + "\n\nSchools in the area stayed open."),
}
STORIES = {"104_vote": "knesset-budget-vote", "204_vote_update": "knesset-budget-vote"}
EXTRA = {
    "204_vote_update": (
        "Updated: The budget passed its final reading on Thursday night by 59 votes to 54.\n\n"
        "The coalition celebrated a rare win, and the opposition vowed to challenge several clauses in court."
    ),
}
ENTITIES = [  # (string, label); every occurrence is annotated
    ("Egypt", "GPE"), ("Qatar", "GPE"), ("Hamas", "ORG"), ("Cairo", "GPE"), ("Rafah Crossing", "FAC"),
    ("Ahmed Saleh", "PERSON"), ("Gaza", "GPE"), ("Israel", "GPE"), ("United Nations", "ORG"),
    ("Lebanon", "GPE"), ("Hezbollah", "ORG"), ("Yair Lapid", "PERSON"), ("Bezalel Smotrich", "PERSON"),
    ("Tel Aviv", "GPE"), ("West Bank", "LOC"), ("Palestinian Authority", "ORG"), ("Knesset", "ORG"),
    ("Monday", "DATE"), ("Friday", "DATE"), ("New York", "GPE"), ("12", "CARDINAL"),
    ("UN Security Council", "ORG"), ("Security Council", "ORG"),  # nested: the ner view keeps the longer one
]  # "Israel" also matches inside "Israeli": a mid-token span the ner view reports


def _write_doc(repo: Path, doc_id: str, text: str, source: str, story: str | None) -> None:
    data = text.encode("utf-8")
    (repo / "seeds").mkdir(parents=True, exist_ok=True)
    (repo / "seeds" / f"{doc_id}.txt").write_bytes(data)
    meta = {"schema_version": "1.0", "doc_id": doc_id, "source": source, "language": "en", "published": None,
            "published_basis": "unknown", "url": None, "title": None,
            "rights": f"Test text written for the ceasefire-news suite ({source}).", "story": story,
            "seed_sha256": hashlib.sha256(data).hexdigest()}
    (repo / "seeds" / f"{doc_id}.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def texts() -> dict[str, str]:
    out = dict(ARTICLES)
    for doc_id, (orig, change) in NEAR_DUPLICATES.items():
        out[doc_id] = change(ARTICLES[orig])
    out.update(EXTRA)
    return out


def add_entities(repo: Path, doc_id: str) -> None:
    r = Repo.at(repo)
    text = r.corpus_path(doc_id).read_text(encoding="utf-8")
    ann = json.loads(r.annotation_path(doc_id).read_text(encoding="utf-8"))
    ents, n = [], 0
    for needle, label in ENTITIES:
        start = text.find(needle)
        while start >= 0:
            n += 1
            ents.append({"id": f"e{n}", "start": start, "end": start + len(needle), "label": label, "text": needle,
                         "origin": "manual"})
            start = text.find(needle, start + 1)
    ann["layers"]["entities"] = sorted(ents, key=lambda e: (e["start"], e["end"]))
    r.annotation_path(doc_id).write_text(json.dumps(ann, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")


def make_repo(path: Path, only: list[str] | None = None) -> Path:
    """Write the composed repository into `path` (all documents, or the ids in `only`) and ingest it."""
    repo = Repo.at(path)
    for doc_id, text in texts().items():
        if only is not None and doc_id not in only:
            continue
        source = "Example Wire" if doc_id.startswith("2") else "The Times of Israel"
        _write_doc(path, doc_id, text, source, STORIES.get(doc_id))
        ingest(repo.seed_path(doc_id), repo)
        add_entities(path, doc_id)
    return path


def build_release(repo: Path, out: Path, **kw) -> Path:
    from ceasefire_news.release.build import build

    build(repo, out, progress=False, **kw)
    return out


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, written with forward slashes as in a release's own names
    (what "byte-identical" compares)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
