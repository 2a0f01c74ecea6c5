"""Validation: JSON syntax, JSON Schema and the semantic checks schema cannot express, as Problem records.

Every check is fatal (level "error") and every problem is collected, not just the first. Codes are stable
and documented in the README's table. Schemas are compiled once per process (see schemas.py).
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Iterable

from .annotations import ENTITY_LABELS, LAYERS, SCHEMA_VERSION
from .errors import CeasefireError, Problem
from .fsutil import DOC_ID_RE
from .meta import check_meta
from .normalize import NORMALISER_VERSION, normalize_bytes
from .repo import META_SUFFIX, SEED_SUFFIX, Repo, sha256_bytes, sha256_text
from .schemas import compiled

_DECODER = json.JSONDecoder()
NESTING_ALLOWED = {"entities"}  # entities may nest ("Times of Israel" inside a longer ORG), never cross
EXCLUSIVE = ("boilerplate", "captions", "paragraphs")  # no overlap at all inside these layers


# ------------------------------------------------------------------------------------------------ locations
def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """(line, column), both 1-based, of the value at JSON `pointer` in the JSON `text`; None if absent."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer else []
    pos = _ws(text, 0)
    try:
        for part in parts:
            ch = text[pos]
            if ch == "{":
                pos = _ws(text, pos + 1)
                while text[pos] != "}":
                    key, pos = json.decoder.scanstring(text, pos + 1)
                    pos = _ws(text, _ws(text, pos) + 1)  # past ':'
                    if key == part:
                        break
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _ws(text, pos)
                    if text[pos] == ",":
                        pos = _ws(text, pos + 1)
                else:
                    return None
            elif ch == "[":
                idx = int(part)
                pos = _ws(text, pos + 1)
                for _ in range(idx):
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _ws(text, pos)
                    if text[pos] != ",":
                        return None
                    pos = _ws(text, pos + 1)
            else:
                return None
    except (IndexError, ValueError):
        return None
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\r\n":
        pos += 1
    return pos


class _Collector:
    """Problems of one file; JSON pointers are turned into line:col lazily (only when there is a problem)."""

    def __init__(self, file: str, source: str | None):
        self.file, self.source, self.problems = file, source, []

    def add(self, code: str, message: str, pointer: str | None = None, hint: str | None = None) -> None:
        line = col = None
        if pointer is not None and self.source is not None:
            loc = locate(self.source, pointer)
            if loc:
                line, col = loc
        self.problems.append(Problem(code, message, self.file, line, col, pointer, hint=hint))


# ------------------------------------------------------------------------------------------------ one document
def _short(s: str, n: int = 40) -> str:
    s = s if len(s) <= n else s[: n - 1] + "…"
    return json.dumps(s, ensure_ascii=False)


def check_annotation(doc: Any, text: str | None, out: _Collector, doc_id: str | None = None) -> int:
    """Schema + semantic checks of one parsed annotation file against its corpus text. Returns its span count."""
    schema = compiled("annotations")
    if not schema.is_valid(doc):
        for e in schema.errors(doc):
            out.add("schema", f"{e.message} (expected by '{e.keyword}')", e.pointer or "/")
        return 0
    if doc_id is not None and doc["doc_id"] != doc_id:
        out.add("doc-id-mismatch", f"doc_id is {doc['doc_id']!r} but the file is named for {doc_id!r}", "/doc_id")
    if doc["normaliser_version"] != NORMALISER_VERSION:
        out.add("normaliser-version", f"annotations made with normaliser {doc['normaliser_version']!r}, this package "
                f"has {NORMALISER_VERSION!r}", "/normaliser_version", hint="run `ceasefire-news ingest` then `reanchor`")
    if text is None:
        return 0
    if doc["text_sha256"] != sha256_text(text):
        out.add("hash-mismatch", "text_sha256 does not match the corpus text: the text changed under the annotations",
                "/text_sha256", hint="run `ceasefire-news reanchor` to move the spans onto the new text")
        return sum(len(v) for v in doc["layers"].values())
    n = len(text)
    layers = doc["layers"]
    ids: dict[str, str] = {}
    kinds: dict[str, str] = {}
    count = 0
    good: dict[str, list[tuple[int, int, int]]] = {}
    for name in LAYERS:
        items = layers.get(name)
        if not items:
            continue
        ok = good[name] = []
        for k, it in enumerate(items):
            count += 1
            s, e, i = it["start"], it["end"], it["id"]
            if i in ids:
                out.add("duplicate-id", f"id {i!r} is used twice (first in {ids[i]})", f"/layers/{name}/{k}/id")
            else:
                ids[i], kinds[i] = f"/layers/{name}", name
            if not 0 <= s < e <= n:
                out.add("offset-range", f"span [{s}, {e}) is not inside the text (0 <= start < end <= {n})",
                        f"/layers/{name}/{k}/start")
                continue
            if text[s:e] != it["text"]:
                out.add("span-text", f"text[{s}:{e}] is {_short(text[s:e])} but the annotation says {_short(it['text'])}",
                        f"/layers/{name}/{k}/text", hint="fix the offsets, or run `ceasefire-news reanchor`")
                continue
            ok.append((s, e, k))
            cue = it.get("cue")
            if cue is not None and (not 0 <= cue["start"] < cue["end"] <= n or text[cue["start"]:cue["end"]] != cue["text"]):
                out.add("span-text", f"cue [{cue['start']}, {cue['end']}) does not cover {_short(cue['text'])}",
                        f"/layers/{name}/{k}/cue")
    for k, it in enumerate(layers.get("entities", ())):
        if it["label"] not in ENTITY_LABELS:
            near = get_close_matches(it["label"], ENTITY_LABELS, n=1)
            out.add("unknown-label", f"unknown entity label {it['label']!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
                    f"/layers/entities/{k}/label", hint="labels are listed in docs/guidelines.md")
    for k, it in enumerate(layers.get("quotes", ())):
        ref = it.get("speaker_id")
        if ref is not None and kinds.get(ref) not in ("entities", "sources"):
            what = f"a {kinds[ref][:-1]}" if ref in kinds else "not an id in this document"
            out.add("bad-reference", f"speaker_id {ref!r} is {what}; it must name an entity or an unnamed source",
                    f"/layers/quotes/{k}/speaker_id")
    for name, spans in good.items():
        _check_crossing(name, sorted(spans), out)
    removed = sorted(good.get("boilerplate", []) + good.get("captions", []))
    _check_overlap("boilerplate/captions", removed, out, "boilerplate")
    paragraphs = sorted(good.get("paragraphs", []))
    for name in ("entities", "quotes", "sources"):
        for s, e, k in good.get(name, ()):
            _check_straddle(name, s, e, k, removed, paragraphs, layers, out)
    return count


def _check_crossing(name: str, spans: list[tuple[int, int, int]], out: _Collector) -> None:
    if name in EXCLUSIVE:
        _check_overlap(name, spans, out, name)
        return
    stack: list[tuple[int, int, int]] = []
    for s, e, k in spans:
        while stack and stack[-1][1] <= s:
            stack.pop()
        if stack and e > stack[-1][1]:
            out.add("crossing-spans", f"span [{s}, {e}) crosses [{stack[-1][0]}, {stack[-1][1]}) in {name}",
                    f"/layers/{name}/{k}", hint="spans of one layer may nest but never cross")
        elif stack and name not in NESTING_ALLOWED and stack[-1][1] >= e:
            out.add("crossing-spans", f"span [{s}, {e}) is nested in [{stack[-1][0]}, {stack[-1][1]}) in {name}",
                    f"/layers/{name}/{k}", hint=f"{name} do not nest")
        stack.append((s, e, k))


def _check_overlap(name: str, spans: list[tuple[int, int, int]], out: _Collector, layer: str) -> None:
    for (s1, e1, _), (s2, e2, k2) in zip(spans, spans[1:]):
        if s2 < e1:
            out.add("crossing-spans", f"span [{s2}, {e2}) overlaps [{s1}, {e1}) in {name}", f"/layers/{layer}/{k2}",
                    hint="these spans must not overlap")


def _check_straddle(name, s, e, k, removed, paragraphs, layers, out) -> None:
    i = bisect_right(removed, (s, float("inf"), 0)) - 1
    for rs, re_, _ in removed[max(i, 0): i + 2]:
        inside = rs <= s and e <= re_
        disjoint = e <= rs or s >= re_
        if not inside and not disjoint:
            out.add("straddles-boilerplate", f"{name[:-1]} [{s}, {e}) {_short(layers[name][k]['text'])} crosses the "
                    f"boundary of a removed span [{rs}, {re_})", f"/layers/{name}/{k}",
                    hint="a span must lie wholly inside the body or wholly inside one removed item")
            return
    if paragraphs:
        j = bisect_right(paragraphs, (s, float("inf"), 0)) - 1
        if j < 0 or e > paragraphs[j][1]:
            out.add("crosses-paragraph", f"{name[:-1]} [{s}, {e}) is not inside one paragraph", f"/layers/{name}/{k}")


# ------------------------------------------------------------------------------------------------ repository
def _read_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem("bad-encoding", f"not UTF-8: byte 0x{exc.object[exc.start]:02x} at byte offset {exc.start}",
                                str(path)))
    except OSError as exc:
        problems.append(Problem("missing-file", f"cannot read: {exc.strerror}", str(path)))
    return None


def validate_document(repo: Repo, doc_id: str, rel: Path | None = None) -> tuple[list[Problem], int]:
    """Every check of one document: sidecar, seed hash, corpus drift, annotation schema and semantics."""
    problems: list[Problem] = []
    rel = rel or repo.root
    name = lambda p: str(p.relative_to(rel)) if p.is_relative_to(rel) else str(p)  # noqa: E731
    seed, meta_p, corpus_p, ann_p = (repo.seed_path(doc_id), repo.meta_path(doc_id), repo.corpus_path(doc_id),
                                     repo.annotation_path(doc_id))
    has_seed, has_corpus, has_ann = seed.exists(), corpus_p.exists(), ann_p.exists()
    if not has_seed:
        for p, there in ((corpus_p, has_corpus), (ann_p, has_ann)):
            if there:
                problems.append(Problem("orphan", f"no seed seeds/{doc_id}{SEED_SUFFIX} for this file", name(p),
                                        hint="every corpus text and annotation file comes from a seed"))
    else:
        if not has_corpus:
            problems.append(Problem("missing-corpus", "seed has no corpus text", name(seed),
                                    hint=f"run `ceasefire-news ingest seeds/{doc_id}{SEED_SUFFIX}`"))
        if not has_ann:
            problems.append(Problem("missing-annotations", "seed has no annotation file", name(seed),
                                    hint=f"run `ceasefire-news ingest seeds/{doc_id}{SEED_SUFFIX}`"))
    data = seed.read_bytes() if has_seed else None
    if has_seed:
        if not meta_p.exists():
            problems.append(Problem("missing-meta", "seed has no metadata sidecar", name(seed),
                                    hint=f"add seeds/{doc_id}{META_SUFFIX}"))
        else:
            mtext = _read_text(meta_p, problems)
            if mtext is not None:
                try:
                    meta = json.loads(mtext)
                except json.JSONDecodeError as exc:
                    problems.append(Problem("json-syntax", f"invalid JSON: {exc.msg}", name(meta_p), exc.lineno, exc.colno))
                else:
                    mp = check_meta(meta, name(meta_p), doc_id)
                    for p in mp:
                        loc = locate(mtext, p.pointer or "")
                        problems.append(Problem(p.code, p.message, p.file, *(loc or (None, None)), p.pointer, hint=p.hint))
                    if not mp and meta["seed_sha256"] != sha256_bytes(data):
                        problems.append(Problem("seed-modified", "seed bytes do not match seed_sha256 of the sidecar",
                                                name(seed), hint="raw seeds are never edited; restore the original"))
    text = _read_text(corpus_p, problems) if has_corpus else None
    if data is not None and text is not None:
        try:
            expected = normalize_bytes(data, name(seed)).text
        except CeasefireError as exc:
            problems.extend(exc.problems)
        else:
            if expected != text:
                at = next((i for i, (a, b) in enumerate(zip(expected, text)) if a != b), min(len(expected), len(text)))
                line = text.count("\n", 0, at) + 1
                problems.append(Problem("corpus-drift", f"corpus text differs from the normalised seed at character {at}"
                                        f" ({_short(text[at:at + 20])} where the seed gives {_short(expected[at:at + 20])})",
                                        name(corpus_p), line, at - (text.rfind("\n", 0, at) + 1) + 1,
                                        hint="corpus texts are made by ingest; fix the seed's sidecar or re-run ingest"))
    count = 0
    if has_ann:
        atext = _read_text(ann_p, problems)
        if atext is not None:
            out = _Collector(name(ann_p), atext)
            try:
                doc = json.loads(atext)
            except json.JSONDecodeError as exc:
                out.problems.append(Problem("json-syntax", f"invalid JSON: {exc.msg}", name(ann_p), exc.lineno, exc.colno))
            else:
                count = check_annotation(doc, text, out, doc_id)
            problems.extend(out.problems)
    return problems, count


def validate_repo(root: str | Path = ".", only: Iterable[str] | None = None, progress: bool = False
                  ) -> tuple[list[Problem], int, int]:
    """Validate a repository (or the documents `only`). Returns (problems, documents checked, spans checked)."""
    repo = Repo.at(root)
    problems: list[Problem] = []
    if not repo.is_repo():
        problems.append(Problem("not-a-repository", "no seeds/, corpus/ or annotations/ folder here", str(root),
                                hint="run validate from the repository root, or pass files"))
        return problems, 0, 0
    for folder, suffix in ((repo.seeds, SEED_SUFFIX), (repo.corpus, ".txt"), (repo.annotations, ".json")):
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                if p.name.startswith(".") or p.name.endswith(META_SUFFIX):
                    continue
                stem = p.name[: -len(suffix)] if p.name.endswith(suffix) else None
                if stem is None or not DOC_ID_RE.match(stem):
                    problems.append(Problem("bad-doc-id" if stem is not None else "stray-file",
                                            f"{p.name!r} is not <doc-id>{suffix} with a valid id"
                                            f" (^[a-z0-9][a-z0-9_-]{{0,127}}$)", str(p.relative_to(repo.root))))
    ids = list(only) if only is not None else repo.doc_ids()
    spans = 0
    iterator: Iterable[str] = ids
    if progress and len(ids) > 200:
        from tqdm import tqdm

        iterator = tqdm(ids, desc="validate", unit="doc")
    for doc_id in iterator:
        ps, n = validate_document(repo, doc_id)
        problems.extend(ps)
        spans += n
    return problems, len(ids), spans


def validate_paths(paths: Iterable[str], root: str | Path = ".", progress: bool = False
                   ) -> tuple[list[Problem], int, int]:
    """Validate the given files or folders, or the whole repository at `root` when none are given.
    A file is mapped to its document id; folders that are repositories are validated whole."""
    paths = list(paths)
    if not paths:
        return validate_repo(root, progress=progress)
    problems: list[Problem] = []
    by_root: dict[Path, set[str]] = {}
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            problems.append(Problem("missing-file", "no such file or folder", raw))
        elif p.is_dir() and Repo.at(p).is_repo():
            ps, _, _ = validate_repo(p, progress=progress)
            problems += ps
            by_root.setdefault(p.resolve(), set())
        elif p.is_file() and p.parent.name in ("seeds", "corpus", "annotations"):
            name = p.name
            for suffix in (META_SUFFIX, SEED_SUFFIX, ".json"):
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            if not DOC_ID_RE.match(name):
                problems.append(Problem("bad-doc-id", f"{p.name!r} is not named by a valid document id", raw))
                continue
            by_root.setdefault(p.parent.parent.resolve(), set()).add(name)
        else:
            problems.append(Problem("stray-file", "not a seed, corpus text or annotation file of a repository", raw,
                                    hint="pass files under seeds/, corpus/ or annotations/, or a repository folder"))
    docs = spans = 0
    for r, ids in by_root.items():
        for doc_id in sorted(ids):
            ps, n = validate_document(Repo(r), doc_id, rel=Path.cwd())
            problems += ps
            docs += 1
            spans += n
    return problems, docs or len(paths), spans
