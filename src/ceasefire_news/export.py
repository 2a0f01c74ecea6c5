"""Take the annotations out of a built release in the formats people train with, saying what each cannot hold.

    ceasefire-news export --format conll|jsonl|brat|spacy --split S [--config C] --out DIR

Reads only a built release (through the loader: embedded, a folder or the Hub, checksum-verified):

- `jsonl`: one row of the config per line, every column (nothing is lost);
- `conll`: CoNLL-2003 columns (`token POS chunk NER`, POS and chunk `_`), IOB2 entity tags, one blank line
  between sentences, `-DOCSTART- -X- -X- O` before each document; `{split}.ids` lists the documents in order.
  Tokens and sentences are the `ner` config's, so the tags line up with it;
- `brat`: `{doc_id}.txt` (the row's text) and `{doc_id}.ann`: entities (T, their label), quotes (T
  DIRECT_QUOTE / PARTIAL_QUOTE / SCARE_QUOTE with a `speaker: ...` note, an R SPEAKER relation to the speaker's
  entity or source when linked), unnamed sources (T SOURCE, an Anonymity attribute), reporting verbs (T CUE,
  R CUE to their quote or source); the same labels `ceasefire-news import brat` reads back;
- `spacy`: a `DocBin` (`{split}.spacy`) of Docs on the ner config's tokens with entities in `doc.ents` and
  quotes and sources in `doc.spans["quotes"]` / `doc.spans["sources"]` (needs spaCy: the `spacy` extra).

Every export writes `loss.json`: each item the format could not hold (nested or overlapping entities, spans
that start or end inside a token, spans across sentences, quote-speaker links, quotes, sources and cues where
the format has no place for them, captions, boilerplate and paragraphs), with counts, and prints one line.
The files are written into a staging folder and moved into `out` only when every one is complete (`loss.json` last):
a failed export leaves nothing half-written.
"""
from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pyarrow as pa

from .errors import CeasefireError, Problem
from .extras import missing_extra
from .fsutil import atomic_write_bytes, naming, staging_beside
from .loader import load_tables
from .release.target import check_export_target

FORMATS = ("conll", "jsonl", "brat", "spacy")
QUOTE_LABELS = {"direct": "DIRECT_QUOTE", "partial": "PARTIAL_QUOTE", "scare": "SCARE_QUOTE"}


@dataclass(frozen=True)
class Lost:
    """One annotation the format could not hold."""

    kind: str  # nested, overlapping, mid-token, crosses-sentence, speaker-link, quote, source, cue, caption, ...
    doc_id: str
    layer: str
    id: str
    text: str
    start: int | None = None
    end: int | None = None


@dataclass
class ExportReport:
    format: str
    split: str
    config: str
    out: Path
    documents: int = 0
    files: list[str] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(x.kind for x in self.lost).items()))

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "split": self.split, "config": self.config, "documents": self.documents,
                "files": self.files, "lost_total": len(self.lost), "lost_counts": self.counts(),
                "lost": [{k: v for k, v in asdict(x).items() if v is not None} for x in self.lost]}

    def summary(self) -> str:
        lost = (", ".join(f"{n} {k}" for k, n in self.counts().items()) if self.lost else "nothing")
        return (f"exported {self.documents} document(s) of {self.split} ({self.config}) as {self.format} to "
                f"{self.out}: {len(self.files)} file(s); lost: {lost} (details in loss.json)")


# ---------------------------------------------------------------------------------------------- tokens
@dataclass(frozen=True)
class Tok:
    start: int
    end: int
    text: str


def align_tokens(text: str, tokens: Iterable[str], doc_id: str = "") -> list[Tok]:
    """Offsets of `tokens` in `text`, in order, with only white space between them."""
    out: list[Tok] = []
    pos = 0
    for t in tokens:
        i = text.find(t, pos)
        if i < 0 or text[pos:i].strip():
            raise CeasefireError(Problem("export-tokens", f"token {t!r} of the ner config is not at offset {pos} of "
                                         "the document text", doc_id, hint="the release is inconsistent: rebuild it"))
        out.append(Tok(i, i + len(t), t))
        pos = i + len(t)
    return out


def doc_sentences(text: str, sentences: list[list[str]], doc_id: str = "") -> list[list[Tok]]:
    """The ner config's sentences of one document (token lists, in order) with offsets into `text`."""
    flat = align_tokens(text, [w for s in sentences for w in s], doc_id)
    out, k = [], 0
    for s in sentences:
        out.append(flat[k:k + len(s)])
        k += len(s)
    return out


def _ner_by_doc(ner: pa.Table) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in ner.select(["doc_id", "sentence_index", "tokens"]).to_pylist():
        out.setdefault(r["doc_id"], []).append(r)
    for rows in out.values():
        rows.sort(key=lambda r: r["sentence_index"])
    return out


def keep_flat(spans: list[dict[str, Any]], doc_id: str, layer: str, lost: list[Lost]) -> list[dict[str, Any]]:
    """Spans without overlaps: the longest wins, then the earliest (as in the ner config); the rest are lost."""
    kept: list[dict[str, Any]] = []
    for s in sorted(spans, key=lambda s: (-(s["end"] - s["start"]), s["start"], s.get("label", ""))):
        clash = next((k for k in kept if s["start"] < k["end"] and k["start"] < s["end"]), None)
        if clash is None:
            kept.append(s)
        else:
            inside = clash["start"] <= s["start"] and s["end"] <= clash["end"]
            lost.append(Lost("nested" if inside else "overlapping", doc_id, layer, s["id"], s["text"], s["start"],
                             s["end"]))
    return sorted(kept, key=lambda s: s["start"])


def token_tags(sentences: list[list[Tok]], spans: list[dict[str, Any]], doc_id: str, lost: list[Lost]
               ) -> list[list[str]]:
    """IOB2 tags per sentence: spans off token boundaries or across sentences are lost, then overlaps."""
    tags = [["O"] * len(s) for s in sentences]
    where = {t.start: (i, j) for i, s in enumerate(sentences) for j, t in enumerate(s)}
    ends = {t.end: (i, j) for i, s in enumerate(sentences) for j, t in enumerate(s)}
    aligned = []
    for sp in spans:
        a, b = where.get(sp["start"]), ends.get(sp["end"])
        if a is None or b is None:
            lost.append(Lost("mid-token", doc_id, "entities", sp["id"], sp["text"], sp["start"], sp["end"]))
        elif a[0] != b[0]:
            lost.append(Lost("crosses-sentence", doc_id, "entities", sp["id"], sp["text"], sp["start"], sp["end"]))
        else:
            aligned.append(sp)
    for sp in keep_flat(aligned, doc_id, "entities", lost):
        (i, j), (_, k) = where[sp["start"]], ends[sp["end"]]
        tags[i][j] = f"B-{sp['label']}"
        for m in range(j + 1, k + 1):
            tags[i][m] = f"I-{sp['label']}"
    return tags


def _lose_layer(rows: list[dict[str, Any]], layer: str, kind: str, lost: list[Lost]) -> None:
    """Every item of `layer` goes to the loss report; an item without a `text` of its own (a paragraph of `full`
    is only offsets) is listed with the text it covers."""
    for r in rows:
        for i, x in enumerate(r.get(layer) or []):
            text = x["text"] if x.get("text") is not None else r["text"][x["start"]:x["end"]]
            lost.append(Lost(kind, r["id"], layer, x.get("id") or f"{layer[:-1]}{i + 1}", text, x.get("start"),
                             x.get("end")))


Write = Callable[[str, bytes], None]  # a writer's one output: a file of the export, by name


def _writer(report: ExportReport, staging: Path) -> Write:
    """Write a file of the export into `staging`, recorded in `report.files`; an error names the file as the user
    will look for it in `out`, not the staging folder."""
    def write(name: str, data: bytes) -> None:
        try:
            atomic_write_bytes(staging / name, data)
        except OSError as exc:
            raise naming(exc, report.out / name) from exc
        report.files.append(name)
    return write


# ---------------------------------------------------------------------------------------------- formats
def _jsonl(report: ExportReport, rows: list[dict[str, Any]], write: Write, **_: Any) -> None:
    lines = (json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)
    write(f"{report.split}.jsonl", "".join(lines).encode("utf-8"))


def _token_view(report: ExportReport, rows: list[dict[str, Any]], ner: pa.Table
                ) -> list[tuple[dict[str, Any], list[list[Tok]], list[list[str]]]]:
    """Per document: its sentences of tokens and IOB2 tags; what cannot be tagged goes to the loss report."""
    by_doc = _ner_by_doc(ner)
    out = []
    for r in rows:
        sentences = doc_sentences(r["text"], [s["tokens"] for s in by_doc.get(r["id"], [])], r["id"])
        out.append((r, sentences, token_tags(sentences, list(r["entities"]), r["id"], report.lost)))
    return out


def _conll(report: ExportReport, rows: list[dict[str, Any]], write: Write, ner: pa.Table) -> None:
    lines: list[str] = []
    for r, sentences, tags in _token_view(report, rows, ner):
        lines += ["-DOCSTART- -X- -X- O", ""]
        for toks, ts in zip(sentences, tags):
            lines += [f"{t.text} _ _ {tag}" for t, tag in zip(toks, ts)] + [""]
    for layer in ("quotes", "sources"):
        _lose_layer(rows, layer, layer[:-1], report.lost)
    _lose_layer(rows, "captions", "caption", report.lost)
    write(f"{report.split}.conll", "\n".join(lines).encode("utf-8") + (b"\n" if lines else b""))
    write(f"{report.split}.ids", "".join(f"{r['id']}\n" for r in rows).encode())


def read_conll(text: str) -> list[list[list[tuple[str, str]]]]:
    """A CoNLL-2003 file as documents -> sentences -> (token, tag); the NER tag is the last column."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in text.splitlines() + [""]:
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            if sentence:
                docs[-1].append(sentence)
                sentence = []
            if cols:
                docs.append([])
            continue
        sentence.append((cols[0], cols[-1]))
    return docs


def iob2_spans(tokens: list[Tok], tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of the IOB2-tagged runs of one sentence (an I- that continues nothing starts a run)."""
    spans: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for t, tag in zip(tokens, tags):
        if tag.startswith("I-") and cur is not None and cur[2] == tag[2:]:
            cur[1] = t.end
            continue
        if cur is not None:
            spans.append((cur[0], cur[1], cur[2]))
            cur = None
        if tag != "O":
            cur = [t.start, t.end, tag[2:]]
    if cur is not None:
        spans.append((cur[0], cur[1], cur[2]))
    return spans


def _brat_frags(text: str, start: int, end: int) -> str:
    """brat fragments of [start, end): a span across line breaks becomes one fragment per line."""
    frags, pos = [], start
    for line in text[start:end].split("\n"):
        a, b = pos, pos + len(line)
        if b > a:
            frags.append(f"{a} {b}")
        pos = b + 1
    return ";".join(frags)


def _brat_doc(r: dict[str, Any], lost: list[Lost]) -> str:
    text, lines, ref = r["text"], [], {}
    n = {"T": 0, "R": 0, "A": 0, "#": 0}

    def nxt(k: str) -> str:
        n[k] += 1
        return f"{k}{n[k]}"

    def span(label: str, x: dict[str, Any]) -> str:
        t = nxt("T")
        covered = text[x["start"]:x["end"]].replace("\n", " ")
        lines.append(f"{t}\t{label} {_brat_frags(text, x['start'], x['end'])}\t{covered}")
        return t

    for e in r["entities"]:
        ref[e["id"]] = span(e["label"], e)
    for s in r["sources"]:
        ref[s["id"]] = span("SOURCE", s)
        if s.get("anonymity"):
            lines.append(f"{nxt('A')}\tAnonymity {ref[s['id']]} {s['anonymity']}")
    for q in r["quotes"]:
        t = ref[q["id"]] = span(QUOTE_LABELS[q["kind"]], q)
        lines.append(f"{nxt('#')}\tAnnotatorNotes {t}\tspeaker: {q['speaker']}")
        if q.get("speaker_id"):
            if q["speaker_id"] in ref:
                lines.append(f"{nxt('R')}\tSPEAKER Arg1:{t} Arg2:{ref[q['speaker_id']]}")
            else:
                lost.append(Lost("speaker-link", r["id"], "quotes", q["id"], q["text"], q["start"], q["end"]))
    for layer in ("quotes", "sources"):
        for x in r[layer]:
            if x.get("cue"):
                c = span("CUE", x["cue"])
                lines.append(f"{nxt('R')}\tCUE Arg1:{ref[x['id']]} Arg2:{c}")
    return "".join(f"{line}\n" for line in lines)


def _brat(report: ExportReport, rows: list[dict[str, Any]], write: Write, **_: Any) -> None:
    for r in rows:
        write(f"{r['id']}.txt", r["text"].encode("utf-8"))
        write(f"{r['id']}.ann", _brat_doc(r, report.lost).encode("utf-8"))
    for layer, kind in (("captions", "caption"), ("boilerplate", "boilerplate"), ("paragraphs", "paragraph")):
        if rows and layer in rows[0]:
            _lose_layer(rows, layer, kind, report.lost)


def _spacy(report: ExportReport, rows: list[dict[str, Any]], write: Write, ner: pa.Table) -> None:
    try:
        import spacy
        from spacy.tokens import Doc, DocBin
    except ImportError as exc:
        raise missing_extra("export --format spacy", exc, "spacy") from None
    vocab = spacy.blank("xx").vocab
    bin_ = DocBin(store_user_data=True)
    for r, sentences, tags in _token_view(report, rows, ner):
        words, spaces, starts, ents = _spacy_words(r["text"], sentences, tags)
        doc = Doc(vocab, words=words, spaces=spaces, sent_starts=starts, ents=ents)
        offset = sentences[0][0].start if sentences and sentences[0] else 0  # the Doc's text starts there
        for layer in ("quotes", "sources"):
            group = []
            for x in r[layer]:
                sp = doc.char_span(x["start"] - offset, x["end"] - offset, label=x.get("kind", "source"),
                                   alignment_mode="strict")
                if sp is None:
                    report.lost.append(Lost("mid-token", r["id"], layer, x["id"], x["text"], x["start"], x["end"]))
                else:
                    group.append(sp)
            doc.spans[layer] = group
        doc.user_data["id"] = r["id"]
        bin_.add(doc)
        for q in r["quotes"]:
            if q.get("speaker_id"):
                report.lost.append(Lost("speaker-link", r["id"], "quotes", q["id"], q["text"], q["start"], q["end"]))
    _lose_layer(rows, "captions", "caption", report.lost)
    write(f"{report.split}.spacy", bin_.to_bytes())


def _spacy_words(text: str, sentences: list[list[Tok]], tags: list[list[str]]
                 ) -> tuple[list[str], list[bool], list[bool], list[str]]:
    """Words, trailing spaces, sentence starts and IOB tags of a Doc whose text is exactly the row's text from
    its first token to its last: white space other than one space becomes a token of its own (tag O)."""
    flat = [(t, j == 0, tag) for s, ts in zip(sentences, tags) for j, (t, tag) in enumerate(zip(s, ts))]
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool] = []
    ents: list[str] = []
    for k, (t, first, tag) in enumerate(flat):
        gap = text[t.end:flat[k + 1][0].start] if k + 1 < len(flat) else ""
        words.append(t.text)
        starts.append(first)
        ents.append(tag)
        spaces.append(gap.startswith(" "))
        rest = gap[1:] if gap.startswith(" ") else gap
        if rest:
            words.append(rest)
            spaces.append(False)
            starts.append(False)
            ents.append("O")
    return words, spaces, starts, ents


_WRITERS = {"jsonl": _jsonl, "conll": _conll, "brat": _brat, "spacy": _spacy}


def export(fmt: str, split: str, out: str | os.PathLike, *, config: str = "default",
           source: str | os.PathLike | None = None, revision: str | None = None) -> ExportReport:
    """Write `split` of `config` in format `fmt` into `out`, with loss.json; returns the report."""
    if fmt not in FORMATS:
        raise CeasefireError(Problem("bad-format", f"unknown export format {fmt!r}; expected one of "
                                     f"{', '.join(FORMATS)}"))
    if fmt in ("conll", "spacy") and config != "default":
        raise CeasefireError(Problem("bad-config", f"{fmt} export is of the default config (the ner config's "
                                     "tokens of the clean body)", hint="drop --config, or use jsonl or brat"))
    if config not in ("default", "full"):
        raise CeasefireError(Problem("bad-config", f"unknown config {config!r} for export; expected default or full"))
    out = check_export_target(out)
    tables = load_tables(split, config=config, source=source, revision=revision)
    rows = [r for t in tables.values() for r in t.to_pylist()]
    extra: dict[str, Any] = {}
    if fmt in ("conll", "spacy"):
        extra["ner"] = pa.concat_tables(load_tables(split, config="ner", source=source, revision=revision).values())
    report = ExportReport(fmt, split, config, out, documents=len(rows))
    staging = staging_beside(report.out, "export", inside=True)  # the files wait here until every one is complete
    try:
        _WRITERS[fmt](report, rows, _writer(report, staging), **extra)
        report.lost.sort(key=lambda x: (x.doc_id, x.layer, x.start if x.start is not None else -1, x.id, x.kind))
        atomic_write_bytes(staging / "loss.json",
                           (json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        _move_in(staging, report.out, report.files + ["loss.json"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _move_in(staging: Path, out: Path, names: list[str]) -> None:
    """Put the finished export in place: a new `out` is the staging folder renamed whole; into an existing one
    (empty, or an earlier export) each file is renamed, loss.json last, so an export that failed wrote nothing."""
    if not out.exists():
        try:
            os.rename(staging, out)
            return
        except OSError:  # made meanwhile: move the files in one by one
            out.mkdir(parents=True, exist_ok=True)
    for name in names:
        try:
            os.replace(staging / name, out / name)
        except OSError as exc:
            raise naming(exc, out / name) from exc
