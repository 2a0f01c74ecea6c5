#!/usr/bin/env python3
"""A synthetic, repository-shaped corpus for benchmarks: `make_corpus.py --docs N --seed S OUT/`.

OUT/ gets seeds/<id>.txt (raw articles with the boilerplate of several made-up outlets: newsletter boxes,
reader appeals, membership prompts, share lines, related links, credit lines, photo captions with credits;
some with CRLF line endings, a BOM, no-break spaces, zero-width spaces and stray blank lines), valid
seeds/<id>.meta.json sidecars, and corpus/<id>.txt + annotations/<id>.json made by the real pipeline
(normalize_bytes -> detect -> annotations.refresh_auto_layers) plus hand-made-style layers (entities,
quotes with speaker_id and cue, unnamed sources) placed through the normaliser's own offset map. About 40
annotations per document across the layers. `ceasefire-news validate` run inside OUT passes.

Deterministic: each document depends only on (seed, index), so reruns are byte-identical whatever the
number of worker processes. People, outlets and quotations are invented; places and organisations are
the ones such reporting names.

Reuse it from other benchmarks: `from make_corpus import make_corpus; make_corpus(out, docs=N, seed=S)`
(run with bench/ on sys.path), or `make_document(seed, index)` for one document in memory.
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_SRC = Path(__file__).resolve().parent.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from ceasefire_news.annotations.files import empty_annotation, refresh_auto_layers  # noqa: E402
from ceasefire_news.text.boilerplate import detect, load_rules  # noqa: E402
from ceasefire_news.fsutil import dumps_json  # noqa: E402
from ceasefire_news.text.normalize import normalize_bytes  # noqa: E402
from ceasefire_news.repo import sha256_bytes, sha256_text  # noqa: E402

# ------------------------------------------------------------------------------------------------ vocabulary
FIRST = ["Amira", "Yosef", "Leila", "Daniel", "Karim", "Noa", "Tariq", "Miriam", "Omar", "Hannah", "Samir",
         "Ruth", "Faris", "Tamar", "Nadia", "Eitan", "Rania", "Jonah", "Layla", "Avi", "Hadi", "Shira", "Bilal",
         "Dana", "Yusuf", "Talia", "Khaled", "Maya", "Ziad", "Orly"]
LAST = ["Haddad", "Levinson", "Nassar", "Mizrahi", "Barakat", "Friedman", "Saleh", "Amsalem", "Khoury",
        "Peretz", "Mansour", "Dahan", "Aziz", "Shapiro", "Halabi", "Carmeli", "Qasem", "Rosen", "Darwish",
        "Golan", "Hijazi", "Ben-Ami", "Kanaan", "Weiss", "Jaber", "Avrahami", "Shami", "Tal", "Nasr", "Elkayam"]
ROLES = [("Foreign Minister", "Qatar", "Qatari"), ("intelligence chief", "Egypt", "Egyptian"),
         ("special envoy", "United States", "US"), ("Foreign Minister", "Turkey", "Turkish"),
         ("Defense Minister", "Israel", "Israeli"), ("spokesperson", "Hamas", None),
         ("Prime Minister", "Israel", "Israeli"), ("negotiator", "Egypt", "Egyptian"),
         ("ambassador", "Jordan", "Jordanian"), ("Secretary of State", "United States", "US")]
ORGS = ["Hamas", "the Israel Defense Forces", "the United Nations", "UNRWA", "the Red Cross", "Hezbollah",
        "the Palestinian Authority", "the World Health Organization", "the European Union", "Islamic Jihad"]
GPES = ["Gaza", "Israel", "Egypt", "Qatar", "Turkey", "Doha", "Cairo", "Ankara", "Jerusalem", "Beirut",
        "Khan Younis", "Rafah", "Tel Aviv", "Washington", "Miami", "Lebanon", "Amman", "Gaza City"]
LOCS = ["the Gaza Strip", "the West Bank", "the Mediterranean", "northern Gaza", "the Sinai Peninsula"]
FACS = ["the Rafah Crossing", "the Kerem Shalom crossing", "Al-Shifa Hospital", "Nasser Hospital",
        "the Allenby Bridge"]
NORPS = ["Palestinians", "Israeli", "Egyptian", "Qatari", "Turkish", "American", "Lebanese"]
DATES = ["Friday", "Saturday", "Sunday", "Monday", "on Tuesday", "October 10", "last week", "December 19, 2025",
         "November 30", "Thursday night", "earlier this month"]
EVENTS = ["the October 7 attack", "the Sharm el-Sheikh summit", "the Cairo talks"]
QUOTE_LINES = [
    "We will not accept any arrangement that leaves the crossings closed",
    "the second phase cannot begin until the hostages are home",
    "There is still a long way to go, but the ceasefire is holding",
    "to review the implementation of the first phase of the ceasefire",
    "Every day without fighting is a day that saves lives",
    "a real chance to end this war",
    "We are committed to the agreement and expect the other side to be committed too",
    "the aid that is entering is not enough for two million people",
    "nobody should mistake restraint for weakness",
    "The guarantors have made their position clear",
]
SOURCES = [("a source briefed on the meeting", "unnamed"), ("two officials familiar with the talks", "unnamed"),
           ("Egyptian security sources", "official-unnamed"),
           ("a senior official who spoke on condition of anonymity", "anonymous"),
           ("a diplomat involved in the negotiations", "unnamed"),
           ("a person with knowledge of the discussions", "unnamed")]
FILLER = [
    "The talks come as aid agencies warn that conditions in the territory remain dire.",
    "Both sides have accused each other of violating the terms of the truce since it took effect.",
    "The agreement's first phase included a partial withdrawal and an exchange of hostages and prisoners.",
    "Negotiators have so far failed to agree on the sequence of the next steps.",
    "The mediators said they would meet again in the coming weeks to review progress.",
    "Diplomats described the atmosphere of the meeting as constructive but cautious.",
]
PHOTOGRAPHERS = ["Odd Andersen", "Karim Jaafar", "Abdel Kareem Hana", "Leo Correa", "Ohad Zwigenberg",
                 "Mahmoud Issa", "Chaim Goldberg", "Amir Cohen"]


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    crlf: bool = False
    one_line_blocks: bool = False  # HTML-to-text style: one block per line, no blank lines
    caption_style: str = "paren"  # paren: "... (Name/AFP)"; photograph: "... Photograph: Name/Reuters"


OUTLETS = [Outlet("The Levant Ledger", "levant-ledger.example"),
           Outlet("Gulf Wire Service", "gulfwire.example", crlf=True),
           Outlet("The Harbour Post", "harbourpost.example", caption_style="photograph"),
           Outlet("Crescent News Network", "crescent-news.example", one_line_blocks=True),
           Outlet("Associated Wire", "associated-wire.example", caption_style="photograph")]


def _boxes(outlet: Outlet, rng: random.Random) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """(boilerplate inserted mid-article, boilerplate at the end, boilerplate at the top) as blocks of lines."""
    n, short = outlet.name, outlet.name.replace("The ", "")
    mid = [[f"Get {n}’s Daily Edition", "by email and never miss our top stories"],
           ["By signing up, you agree to the terms"],
           [f"Sign up to the {short} morning briefing, our free newsletter delivered to your inbox"],
           ["Story continues below this advertisement"],
           [f"Follow {short} on WhatsApp for breaking news alerts"],
           ["Read more: Mediators push for second phase of Gaza truce"]]
    end = [[f"{short} staff contributed to this report."],
           ["You appreciate our journalism"],
           [f"That’s why we started {short} ten years ago: to provide discerning readers like you with must-read "
            "coverage of the region. Unlike many other news organizations, we have not put up a paywall. But as "
            "the journalism we do is costly, we invite readers for whom it matters to support our journalism by "
            "joining our community."],
           [f"For as little as $6 a month you can help support our quality journalism while enjoying {short} "
            "ad-free."],
           ["Already a member? Sign in to stop seeing this"],
           ["Share this article", "Facebook · X · WhatsApp · Email"],
           [f"(Reporting by {rng.choice(FIRST)} {rng.choice(LAST)}; Editing by {rng.choice(FIRST)} {rng.choice(LAST)})"],
           ["Related", "Israel says it struck militants who crossed the ceasefire line",
            "Aid convoys resume through southern crossing", "What we know about the second phase"]]
    top = [["Home › Middle East › Gaza"], [f"By {rng.choice(FIRST)} {rng.choice(LAST)}"], ["4 min read"]]
    k = rng.randint(1, 2)
    return (rng.sample(mid, k), rng.sample(end, rng.randint(2, 3)), rng.sample(top, rng.randint(0, 2)))


# ------------------------------------------------------------------------------------------------ one document
class _Text:
    """The raw article under construction: text pieces plus the raw spans of what is annotated in them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.marks: list[tuple[str, int, int, dict]] = []  # (layer, raw start, raw end, fields)

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def mark(self, layer: str, s: str, **fields) -> int:
        self.marks.append((layer, self.length, self.length + len(s), fields))
        self.add(s)
        return len(self.marks) - 1


@dataclass
class Person:
    name: str
    role: str
    country: str
    adj: str | None


def _person(rng: random.Random, used: set[str]) -> Person:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            role, country, adj = rng.choice(ROLES)
            return Person(name, role, country, adj)


ENTITY_SHARE = 0.5  # the share of mentions marked, so that a document has about 40 annotations in all


def _ent(t: _Text, s: str, label: str, rng: random.Random | None = None) -> int | None:
    """Mark the mention `s` as an entity (always when `rng` is None, else with probability ENTITY_SHARE)."""
    if rng is not None and rng.random() >= ENTITY_SHARE:
        t.add(s)
        return None
    return t.mark("entities", s, label=label)


def _paragraph(t: _Text, rng: random.Random, people: list[Person], nl: str) -> None:
    """One body paragraph with entities and perhaps a quotation or an unnamed source."""
    kind = rng.random()
    p = rng.choice(people)
    if kind < 0.25:  # reporting prose without a named entity
        t.add(" ".join(rng.sample(FILLER, 2)))
        return
    if kind < 0.45:  # a direct quotation with its speaker
        line = rng.choice(QUOTE_LINES)
        t.add("“")
        q = t.mark("quotes", line[0].upper() + line[1:] + ",", kind="direct")
        t.add("” ")
        cue = t.mark("cue", "said")
        t.add(" ")
        e = _ent(t, p.name, "PERSON")
        t.add(f", the {p.role} of ")
        _ent(t, p.country if p.country != "Hamas" else "Hamas", "GPE" if p.country != "Hamas" else "ORG", rng)
        t.add(", speaking in ")
        _ent(t, rng.choice(GPES), "GPE", rng)
        t.add(" ")
        _ent(t, rng.choice(DATES), "DATE", rng)
        t.add(".")
        t.marks[q][3].update(speaker=p.name, speaker_mark=e, cue_mark=cue)
    elif kind < 0.55:  # a partial quotation of the joint statement
        t.add("The joint statement issued by ")
        _ent(t, "Qatar", "GPE", rng)
        t.add(", ")
        _ent(t, "Egypt", "GPE", rng)
        t.add(" and ")
        _ent(t, "Turkey", "GPE", rng)
        t.add(" said the mediators wanted “")
        t.mark("quotes", rng.choice(QUOTE_LINES).lower(), kind="partial", speaker="the joint statement")
        t.add(".”")
    elif kind < 0.70:  # an unnamed source
        phrase, anonymity = rng.choice(SOURCES)
        s = t.mark("sources", phrase[0].upper() + phrase[1:], anonymity=anonymity)
        t.add(" ")
        cue = t.mark("cue", rng.choice(["said", "told reporters", "said on condition of anonymity"]))
        t.marks[s][3]["cue_mark"] = cue
        t.add(" that ")
        _ent(t, rng.choice(ORGS), "ORG", rng)
        t.add(" had asked for guarantees before the negotiations in ")
        _ent(t, rng.choice(GPES), "GPE", rng)
        t.add(" resume, and that ")
        _ent(t, rng.choice(NORPS), "NORP", rng)
        t.add(" mediators were pressing for a deal " + rng.choice(["within weeks.", "before the holidays.",
                                                                    "as soon as possible."]))
    else:  # reporting prose
        _ent(t, p.name, "PERSON", rng)
        t.add(f", the {p.role}, met officials from ")
        _ent(t, rng.choice(ORGS), "ORG", rng)
        t.add(" in ")
        _ent(t, rng.choice(GPES), "GPE", rng)
        t.add(" ")
        _ent(t, rng.choice(DATES), "DATE", rng)
        t.add(" to discuss " + rng.choice(["the reopening of ", "security arrangements near ",
                                            "aid deliveries through "]))
        _ent(t, rng.choice(FACS), "FAC", rng)
        t.add(" and the situation in ")
        _ent(t, rng.choice(LOCS), "LOC", rng)
        t.add(". " + rng.choice(FILLER))


def _caption(t: _Text, rng: random.Random, people: list[Person], outlet: Outlet) -> None:
    p = rng.choice(people)
    t.add(f"{p.role[0].upper()}{p.role[1:]} ")
    _ent(t, p.name, "PERSON", rng)
    t.add(" arrives for talks in ")
    _ent(t, rng.choice(GPES), "GPE", rng)
    t.add(", on ")
    _ent(t, rng.choice(["October 13, 2025", "November 30, 2025", "December 15, 2025"]), "DATE", rng)
    photographer = rng.choice(PHOTOGRAPHERS)
    if outlet.caption_style == "paren":
        t.add(f". ({photographer}/{rng.choice(['AFP', 'Reuters', 'Flash90'])})")
    else:
        t.add(f". Photograph: {photographer}/{rng.choice(['Reuters', 'AFP', 'EPA'])}")


def make_document(seed: int, index: int) -> dict:
    """One synthetic document: {doc_id, seed (bytes), meta, text, annotation}. Depends on (seed, index) only."""
    digest = hashlib.sha256(f"ceasefire-news-bench:{seed}:{index}".encode()).hexdigest()
    rng = random.Random(digest)
    doc_id = f"{index:07d}_{digest[:16]}"
    outlet = OUTLETS[rng.randrange(len(OUTLETS))]
    nl = "\r\n" if outlet.crlf else "\n"
    sep = nl if outlet.one_line_blocks else nl + nl
    used: set[str] = set()
    people = [_person(rng, used) for _ in range(rng.randint(2, 4))]
    mid, end, top = _boxes(outlet, rng)
    n_body = rng.randint(7, 10)
    mid_at = {rng.randint(2, n_body - 2) for _ in mid}
    cap_at = sorted({rng.randint(1, n_body - 1) for _ in range(rng.randint(1, 2))})

    t = _Text()
    if rng.random() < 0.1:
        t.add("\ufeff")
    blocks: list = [("box", b) for b in top]
    for i in range(n_body):
        if i in mid_at and mid:
            blocks.append(("box", mid.pop()))
        if i in cap_at:
            blocks.append(("caption", None))
        blocks.append(("para", None))
    blocks += [("box", b) for b in end]
    for k, (kind, lines) in enumerate(blocks):
        if k:
            t.add(sep if rng.random() > 0.05 else sep + nl + "  " + nl)  # stray blank lines and spaces
        if kind == "box":
            t.add(nl.join(lines))
        elif kind == "caption":
            _caption(t, rng, people, outlet)
        else:
            _paragraph(t, rng, people, nl)
            if rng.random() < 0.2:
                t.add(rng.choice(["  ", "\u200b", " \t"]))  # trailing junk the normaliser trims
    raw = "".join(t.parts).replace("two million", "two\u00a0million")  # the normaliser makes it a space
    data = raw.encode("utf-8")

    norm = normalize_bytes(data, doc_id)
    text = norm.text
    detection = detect(text, outlet.name, load_rules())
    ann = empty_annotation(doc_id, sha256_text(text))
    refresh_auto_layers(ann, detection)
    layers = ann["layers"]
    bom = 1 if raw.startswith("\ufeff") else 0  # the decoder drops the BOM before the raw offsets begin

    def span(m: int) -> tuple[int, int]:
        _, rs, re_, _ = t.marks[m]
        return norm.offsets.to_norm(rs - bom, re_ - bom)

    ids: dict[int, str] = {}
    counters = {"entities": 0, "quotes": 0, "sources": 0}
    for m, (layer, _, _, fields) in enumerate(t.marks):
        if layer == "cue":
            continue
        s, e = span(m)
        counters[layer] += 1
        item = {"id": f"{layer[0]}{counters[layer]}", "start": s, "end": e, "text": text[s:e], "origin": "manual"}
        ids[m] = item["id"]
        if layer == "entities":
            item["label"] = fields["label"]
        elif layer == "quotes":
            item.update(kind=fields["kind"], speaker=fields["speaker"])
        elif layer == "sources":
            item["anonymity"] = fields["anonymity"]
        if "cue_mark" in fields:
            cs, ce = span(fields["cue_mark"])
            item["cue"] = {"start": cs, "end": ce, "text": text[cs:ce]}
        layers[layer].append(item)
    for item, (layer, _, _, fields) in zip([x for x in layers["quotes"]], [m for m in t.marks if m[0] == "quotes"]):
        if "speaker_mark" in fields:
            item["speaker_id"] = ids[fields["speaker_mark"]]

    title = rng.choice(["Mediators back peace plan but see little progress on second phase",
                        "Ceasefire holds as talks on next steps stall", "Envoys meet to push Gaza truce forward",
                        "Aid groups warn conditions remain dire despite truce"])
    meta = {"schema_version": "1.0", "doc_id": doc_id, "source": outlet.name, "language": "en",
            "published": f"2025-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}", "published_basis": "stated",
            "url": f"https://{outlet.domain}/{doc_id}", "title": title,
            "rights": "Synthetic text generated for benchmarks; no rights reserved.",
            "story": f"story-{rng.randrange(max(1, index // 3 + 1))}", "seed_sha256": sha256_bytes(data)}
    return {"doc_id": doc_id, "seed": data, "meta": meta, "text": text, "annotation": ann}


# ------------------------------------------------------------------------------------------------ the corpus
def _write_range(args: tuple[str, int, int, int]) -> int:
    staging, seed, lo, hi = args
    root = Path(staging)
    spans = 0
    for i in range(lo, hi):
        d = make_document(seed, i)
        doc_id = d["doc_id"]
        (root / "seeds" / f"{doc_id}.txt").write_bytes(d["seed"])
        (root / "seeds" / f"{doc_id}.meta.json").write_text(dumps_json(d["meta"]), encoding="utf-8")
        (root / "corpus" / f"{doc_id}.txt").write_text(d["text"], encoding="utf-8")
        (root / "annotations" / f"{doc_id}.json").write_text(dumps_json(d["annotation"]), encoding="utf-8")
        spans += sum(len(v) for v in d["annotation"]["layers"].values())
    return spans


def make_corpus(out: str | Path, docs: int, seed: int = 0, jobs: int | None = None, force: bool = False) -> int:
    """Write a corpus of `docs` documents to `out` (a repository: seeds/, corpus/, annotations/). Returns the
    number of annotations. The files are written into a staging folder beside `out` that is renamed into
    place when complete, so `out` is never half-written."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"make_corpus: {out} exists and is not empty (use --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    for name in ("seeds", "corpus", "annotations"):
        (staging / name).mkdir()
    jobs = max(1, min(jobs or os.cpu_count() or 1, docs // 200 or 1))
    chunk = max(1, min(500, -(-docs // jobs)))
    tasks = [(str(staging), seed, lo, min(docs, lo + chunk)) for lo in range(0, docs, chunk)]
    try:
        if jobs == 1:
            spans = sum(map(_write_range, tasks))
        else:
            with multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn").Pool(jobs) as pool:
                spans = sum(pool.imap_unordered(_write_range, tasks))
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return spans


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", metavar="OUT", help="folder to write (a repository: seeds/, corpus/, annotations/)")
    ap.add_argument("--docs", type=int, default=1000, help="number of documents (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same bytes")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    ap.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = ap.parse_args(argv)
    if args.docs < 1:
        ap.error("--docs must be at least 1")
    t0 = time.perf_counter()
    spans = make_corpus(args.out, args.docs, args.seed, args.jobs, args.force)
    dt = time.perf_counter() - t0
    print(f"{args.docs} documents, {spans} annotations ({spans / args.docs:.1f} per document) in {args.out} "
          f"in {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
