"""Validation: JSON syntax, JSON Schema and the semantic checks schema cannot express, as Problem records.

Every check is fatal (level "error") and every problem is collected, not just the first. Codes are stable
and documented in docs/validation.md. Built for speed without dropping a check:
- files are read with plain syscalls and parsed with orjson; schemas are compiled once (jsonschema-rs
  answers "valid?", the reference `jsonschema` words the errors only when there are some);
- the semantic checks of a clean document run as C-level passes over whole layers (map/itemgetter/bisect),
  and only a document that fails one is re-checked item by item to word every problem precisely;
- the corpus-drift check (is corpus/<id>.txt what the normaliser makes of the seed?) looks up the
  normaliser's output hash in a cache keyed by the seed's hash under a fingerprint of the normaliser
  (normcache.py); a miss runs the normaliser. The corpus file itself is always read and hashed.
Documents are validated one at a time (bounded memory), optionally on a process pool (`jobs`).
"""
from __future__ import annotations

import hashlib
import json
import errno
import os
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from difflib import get_close_matches
from itertools import chain, repeat
from operator import add, itemgetter, le, lt
from pathlib import Path
from typing import Any, Iterable, Iterator

from .files import ENTITY_LABELS, LAYERS, has_clean_body
from ..errors import CeasefireError, Problem
from ..fsutil import DOC_ID_RE, byte_line_col, line_col, parse_json, strict_loads
from ..meta import check_meta, real_date
from ..text.normalize import NORMALISER_VERSION, normalize_bytes
from ..text.normcache import NoCache, NormCache
from ..repo import INPUT_FOLDERS, META_SUFFIX, SEED_SUFFIX, Repo, not_a_repository
from ..jsonstrict import surely_unique
from ..schemas import Collector, compiled, schema_problems

NESTING_ALLOWED = ("entities",)  # entities may nest ("Times of Israel" inside a longer ORG), never cross
BODY_LAYERS = ("entities", "quotes", "sources")  # must not straddle a removed span or a paragraph boundary
REMOVED_LAYERS = ("boilerplate", "captions")
LABELS = frozenset(ENTITY_LABELS)
_INF = float("inf")
_SINGULAR = {"entities": "entity", "quotes": "quote", "sources": "source"}
_ITEM = itemgetter("start", "end", "id", "text")
_START, _END, _ID, _TEXT, _LABEL = (itemgetter(k) for k in ("start", "end", "id", "text", "label"))


# ------------------------------------------------------------------------------------------------ parsing
def _parse(data: bytes, file: str, problems: list[Problem]) -> tuple[Any, bool]:
    """(value, True), or (None, False) with fsutil.parse_json's problems (json-syntax, duplicate-key or
    bad-encoding, each with line and column) added to `problems`."""
    try:
        return parse_json(data, file), True
    except CeasefireError as exc:
        problems += exc.problems
        return None, False


# ------------------------------------------------------------------------------------------------ one annotation file
def _short(s: str, n: int = 40) -> str:
    s = s if len(s) <= n else s[: n - 1] + "…"
    return json.dumps(s, ensure_ascii=False)


def check_annotation(doc: Any, text: str | None, out: Collector, doc_id: str | None = None,
                     text_sha256: str | None = None) -> int:
    """Schema + semantic checks of one parsed annotation file against its corpus text (None: not available).
    `text_sha256` is the corpus text's hash when the caller has it. Returns the number of annotations."""
    wrong = schema_problems("annotations", doc, out.file, out.source)
    if wrong:
        out.problems += wrong
        return 0
    layers = doc["layers"]
    count = sum(map(len, layers.values()))
    if doc_id is not None and doc["doc_id"] != doc_id:
        out.add("doc-id-mismatch", f"doc_id is {doc['doc_id']!r} but the file is named for {doc_id!r}", "/doc_id",
                hint="doc_id must equal the file name without .json")
    if doc["normaliser_version"] != NORMALISER_VERSION:
        out.add("normaliser-version", f"annotations made with normaliser {doc['normaliser_version']!r}, this package "
                f"has {NORMALISER_VERSION!r}", "/normaliser_version", hint="run `ceasefire-news ingest` then `reanchor`")
    if text is not None:
        if text_sha256 is None:
            text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if doc["text_sha256"] != text_sha256:
            out.add("hash-mismatch", "text_sha256 does not match the corpus text: the text changed under the "
                    "annotations", "/text_sha256", hint="run `ceasefire-news reanchor` to move the spans onto the new text")
            text = None
    if text is None:  # no text to check spans against: the checks that need none still run
        _slow_check(layers, None, out)
    else:
        spans_ok = _fast_ok(layers, text)
        if not spans_ok:
            before = len(out.problems)
            _slow_check(layers, text, out)
            spans_ok = len(out.problems) == before
        if spans_ok:  # once the spans are right: what the release's body view would hold
            _check_body(layers, text, out)
    return count


def _check_body(layers: dict[str, list[dict]], text: str, out: Collector) -> None:
    """A document whose clean body is empty has no article text to release (build rejects it)."""
    if has_clean_body(layers, text):
        return
    if layers.get("paragraphs"):
        what, at = "the boilerplate and caption spans cover every paragraph", "/layers/boilerplate"
    else:
        what, at = "there is no paragraph to take it from", "/layers/paragraphs"
    out.add("empty-body", f"the clean body is empty: {what} ({len(text):,} characters of text, none of them "
            "article text)", at, hint="a page with no article text is no document: remove its seed, sidecar, "
            "corpus text and annotation file, or correct the spans (`ceasefire-news ingest` re-makes the automatic "
            "layers)")


# Characters that may join the one before them. Nothing below U+0300 does, nor General Punctuation but ZWJ
# (curly quotes and dashes, the common non-ASCII of English news, are skipped at regex speed).
_MAY_JOIN = re.compile("[\u0300-\u1fff\u200d\u20d0-\U0010ffff]")
_ZWJ = "\u200d"


def _joins_previous(c: str) -> bool:
    """True for a character that belongs to the character before it: a combining mark, a zero-width joiner,
    a variation selector, an emoji skin-tone modifier."""
    o = ord(c)
    return (unicodedata.category(c) in ("Mn", "Mc", "Me") or c == _ZWJ or 0xFE00 <= o <= 0xFE0F
            or 0x1F3FB <= o <= 0x1F3FF or 0xE0100 <= o <= 0xE01EF)


def cluster_splits(text: str) -> set[int]:
    """Offsets where a span boundary would cut one user-perceived character in two: before a combining mark
    or a joiner that follows a visible character, after a zero-width joiner (inside an emoji ZWJ sequence).
    A mark after a space or a line break attaches to nothing visible: a boundary before it cuts nothing.
    Empty for ASCII text."""
    if text.isascii():
        return set()
    bad = set()
    for m in _MAY_JOIN.finditer(text):
        p = m.start()
        c = text[p]
        if p and _joins_previous(c) and not text[p - 1].isspace():
            bad.add(p)
        if c == _ZWJ and p + 1 < len(text):
            bad.add(p + 1)
    return bad


def _fast_ok(layers: dict[str, list[dict]], text: str) -> bool:
    """True when every semantic check passes, decided by a few C-level passes over all the items of the file.
    False means "look closer" (the item-by-item check then finds and words each problem); it never hides one.
    Items are concatenated in LAYERS order, so the body layers (entities, quotes, sources) and the removed
    layers (captions, boilerplate) are each one contiguous run."""
    get = layers.get
    ents, quotes, srcs, caps, boiler, paras = (get(name) or () for name in LAYERS)
    items = [*ents, *quotes, *srcs, *caps, *boiler, *paras]
    if not items:
        return True
    S, E = list(map(_START, items)), list(map(_END, items))
    if min(S) < 0 or max(E) > len(text) or not all(map(lt, S, E)):
        return False
    try:
        if list(map(text.__getitem__, map(slice, S, E))) != list(map(_TEXT, items)):
            return False
    except TypeError:  # an offset written as 3.0
        return False
    if len(set(map(_ID, items))) != len(items):
        return False
    nb = len(ents) + len(quotes) + len(srcs)
    if nb and not text.isascii():  # a body span's boundary inside one character: before a mark, after a ZWJ
        padded = text + "\n"
        at = set(map(padded.__getitem__, chain(S[:nb], E[:nb])))
        if _ZWJ in set(map(padded.__getitem__, map(add, chain(S[:nb], E[:nb]), repeat(-1)))) or any(
                _joins_previous(c) for c in at if c >= "\u0300"):
            return False
    if ents and not LABELS.issuperset(map(_LABEL, ents)):
        return False
    # inside each layer, in file order: end_i <= start_i+1 means sorted and no overlap. A False where two
    # layers meet means nothing; inside a layer, the layer is sorted and checked again (entities may nest)
    ordered = list(map(le, E[:-1], S[1:]))
    paras_sorted = True
    if False in ordered:
        bounds, k = [], 0
        for layer in (ents, quotes, srcs, caps, boiler, paras):
            bounds.append((k, k + len(layer)))
            k += len(layer)
        for li, (a, b) in enumerate(bounds):
            if b - a > 1 and False in ordered[a:b - 1]:
                if not _sorted_layer_ok(S[a:b], E[a:b], li == 0):
                    return False
                if li == 5:
                    paras_sorted = False
    body = len(ents) + len(quotes) + len(srcs)
    refs = []
    for it in (*quotes, *srcs):
        if "cue" in it:
            cue = it["cue"]
            cs, ce = cue["start"], cue["end"]
            if type(cs) is not int or type(ce) is not int or not 0 <= cs < ce <= len(text) \
                    or text[cs:ce] != cue["text"] or (cs < it["end"] and it["start"] < ce) \
                    or not _same_paragraph(paras, it["start"], cs, ce):
                return False
        if "speaker_id" in it:
            refs.append(it["speaker_id"])
    if refs and not set(map(_ID, ents)).union(map(_ID, srcs)).issuperset(refs):
        return False
    if not body:
        return True
    BS, BE = S[:body], E[:body]
    r = body + len(caps) + len(boiler)
    if r > body:
        pairs = sorted(zip(S[body:r], E[body:r]))
        bounds = list(chain.from_iterable(pairs))
        if caps and boiler and not all(map(le, bounds[:-1], bounds[1:])):
            return False  # captions and boilerplate overlap each other
        bounds.append(_INF)  # the first removed-span boundary after each start must not lie before its end
        if not all(map(le, BE, map(bounds.__getitem__, map(bisect_right, repeat(bounds), BS)))):
            return False
    if paras:
        if paras_sorted:
            ps, pe = S[r:], [-1, *E[r:]]  # each span ends by the end of the last paragraph starting at or before it
        else:
            pairs = sorted(zip(S[r:], E[r:]))
            ps, pe = [x for x, _ in pairs], [-1, *(y for _, y in pairs)]
        if not all(map(le, BE, map(pe.__getitem__, map(bisect_right, repeat(ps), BS)))):
            return False
    return True


def _same_paragraph(paras, item_start: int, cs: int, ce: int) -> bool:
    """A cue lies in the paragraph of the item it marks (trivially true when there is no paragraphs layer)."""
    if not paras:
        return True
    for p in paras:
        if p["start"] <= item_start < p["end"]:
            return p["start"] <= cs and ce <= p["end"]
    return False


def _sorted_layer_ok(starts: list[int], ends: list[int], nesting: bool) -> bool:
    """A layer whose file order is not text order: no overlap once sorted (or, for entities, no crossing)."""
    pairs = sorted(zip(starts, ends), key=lambda p: (p[0], -p[1]))
    if all(map(le, [e for _, e in pairs[:-1]], [s for s, _ in pairs[1:]])):
        return True
    if not nesting:
        return False
    stack: list[int] = []  # ends of the open spans, innermost last
    for s, e in pairs:
        while stack and stack[-1] <= s:
            stack.pop()
        if stack and e > stack[-1]:
            return False
        stack.append(e)
    return True


def _slow_check(layers: dict[str, list[dict]], text: str | None, out: Collector) -> None:
    """Item by item: find and word every semantic problem of one annotation file. Without a text (none, or
    not the one the file is pinned to) only ids, labels and references are checked."""
    n = len(text) if text is not None else -1
    first: dict[str, str] = {}
    kinds: dict[str, str] = {}
    good: dict[str, list[tuple[int, int, int]]] = {}
    splits = cluster_splits(text) if text is not None else set()
    for name in LAYERS:
        items = layers.get(name)
        if not items:
            continue
        ok = good[name] = []
        for k, it in enumerate(items):
            s, e, i, covered = _ITEM(it)
            if i in first:
                out.add("duplicate-id", f"id {i!r} is used twice (first at {first[i]})", f"/layers/{name}/{k}/id",
                        hint="ids must be unique in a document")
            else:
                first[i], kinds[i] = f"/layers/{name}/{k}", name
            if text is None:
                continue
            if type(s) is not int or type(e) is not int:
                bad = "start" if type(s) is not int else "end"
                out.add("schema", f"expected an integer offset, found {it[bad]!r}", f"/layers/{name}/{k}/{bad}")
                continue
            if not 0 <= s < e <= n:
                out.add("offset-range", f"span [{s}, {e}) is not inside the text (0 <= start < end <= {n})",
                        f"/layers/{name}/{k}/{'start' if not 0 <= s < min(e, n) else 'end'}")
                continue
            if text[s:e] != covered:
                out.add("span-text", f"text[{s}:{e}] is {_short(text[s:e])} but the annotation says {_short(covered)}",
                        f"/layers/{name}/{k}/text", hint="fix the offsets, or run `ceasefire-news reanchor`")
                continue
            if (s in splits or e in splits) and name in BODY_LAYERS:
                at = s if s in splits else e
                out.add("splits-character", f"span [{s}, {e}) {'starts' if at == s else 'ends'} inside one character: "
                        f"{_short(text[max(0, at - 2):at + 2])} (a combining mark or an emoji joined by U+200D "
                        "belongs to the character before it)", f"/layers/{name}/{k}/{'start' if at == s else 'end'}",
                        hint="move the offset to the edge of the whole character")
                continue
            ok.append((s, e, k))
            cue = it.get("cue")
            if cue is not None:
                cs, ce = cue["start"], cue["end"]
                if type(cs) is not int or type(ce) is not int or not 0 <= cs < ce <= n:
                    out.add("offset-range", f"cue [{cs}, {ce}) is not inside the text (0 <= start < end <= {n})",
                            f"/layers/{name}/{k}/cue/start")
                elif text[cs:ce] != cue["text"]:
                    out.add("span-text", f"cue text[{cs}:{ce}] is {_short(text[cs:ce])} but the annotation says "
                            f"{_short(cue['text'])}", f"/layers/{name}/{k}/cue/text")
                elif cs < e and s < ce:
                    out.add("cue-placement", f"cue [{cs}, {ce}) {_short(cue['text'])} overlaps the span [{s}, {e}) "
                            "it marks", f"/layers/{name}/{k}/cue",
                            hint="the cue is the reporting verb outside the quote or attribution")
                elif not _same_paragraph(layers.get("paragraphs"), s, cs, ce):
                    out.add("cue-placement", f"cue [{cs}, {ce}) {_short(cue['text'])} is not in the paragraph of "
                            f"the span [{s}, {e}) it marks", f"/layers/{name}/{k}/cue",
                            hint="the cue is the reporting verb of the same sentence")
    for k, it in enumerate(layers.get("entities", ())):
        if it["label"] not in LABELS:
            near = get_close_matches(it["label"], sorted(LABELS), n=1)
            out.add("unknown-label", f"unknown entity label {it['label']!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
                    f"/layers/entities/{k}/label", hint="the labels are listed in docs/guidelines.md")
    for k, it in enumerate(layers.get("quotes", ())):
        ref = it.get("speaker_id")
        if ref is not None and kinds.get(ref) not in ("entities", "sources"):
            what = f"an item of {kinds[ref]}" if ref in kinds else "not an id in this document"
            out.add("bad-reference", f"speaker_id {ref!r} is {what}; it must name an entity or an unnamed source",
                    f"/layers/quotes/{k}/speaker_id")
    for name, spans in good.items():
        _check_crossing(name, sorted(spans, key=lambda x: (x[0], -x[1], x[2])), out)  # outer span first
    removed = sorted(good.get("boilerplate", []) + good.get("captions", []))
    if "boilerplate" in good and "captions" in good:
        _check_overlap("boilerplate and captions", removed, out, None)
    paragraphs = sorted(good.get("paragraphs", []))
    for name in BODY_LAYERS:
        for s, e, k in good.get(name, ()):
            _check_straddle(name, s, e, k, removed, paragraphs, layers, out)


def _check_crossing(name: str, spans: list[tuple[int, int, int]], out: Collector) -> None:
    if name not in NESTING_ALLOWED:
        _check_overlap(name, spans, out, name)
        return
    stack: list[tuple[int, int, int]] = []
    for s, e, k in spans:
        while stack and stack[-1][1] <= s:
            stack.pop()
        if stack and e > stack[-1][1]:
            ps, pe, pk = stack[-1]
            out.add("crossing-spans", f"span [{s}, {e}) crosses [{ps}, {pe}) (/layers/{name}/{pk}) in {name}",
                    f"/layers/{name}/{k}", hint="entities may nest but never cross")
            continue
        stack.append((s, e, k))


def _check_overlap(what: str, spans: list[tuple[int, int, int]], out: Collector, layer: str | None) -> None:
    if not spans:
        return
    ms, me, _ = spans[0]
    for s, e, k in spans[1:]:
        if s < me:  # without a layer (boilerplate and captions share indices) the message names both
            out.add("crossing-spans", f"span [{s}, {e}) overlaps [{ms}, {me}) in {what}",
                    f"/layers/{layer}/{k}" if layer else None,
                    hint=f"spans of {layer or 'boilerplate and captions'} must not overlap")
        if e > me:
            ms, me = s, e


def _check_straddle(name, s, e, k, removed, paragraphs, layers, out) -> None:
    i = bisect_right(removed, (s, float("inf"), 0)) - 1
    for rs, re_, _ in removed[max(i, 0): i + 2]:
        inside = rs <= s and e <= re_
        disjoint = e <= rs or s >= re_
        if not inside and not disjoint:
            out.add("straddles-boilerplate", f"{_SINGULAR[name]} [{s}, {e}) {_short(layers[name][k]['text'])} crosses the "
                    f"boundary of a removed span [{rs}, {re_})", f"/layers/{name}/{k}",
                    hint="a span lies wholly inside the body or wholly inside one boilerplate item or caption")
            return
    if paragraphs:
        j = bisect_right(paragraphs, (s, float("inf"), 0)) - 1
        if j < 0 or e > paragraphs[j][1] or s >= paragraphs[j][1]:
            out.add("crosses-paragraph", f"{_SINGULAR[name]} [{s}, {e}) {_short(layers[name][k]['text'])} is not inside "
                    "one paragraph", f"/layers/{name}/{k}", hint="a span lies inside one paragraph")


# ------------------------------------------------------------------------------------------------ one document
def _read(path: str, _open=os.open, _read=os.read, _close=os.close,
          _flags=os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)) -> bytes | None | OSError:
    """The file's bytes; None if it does not exist; the OSError if it cannot be read. A symbolic link is not
    followed (ELOOP): a repository file linking elsewhere (outside the repository) is refused, never read."""
    try:
        fd = _open(path, _flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc
    try:
        data = _read(fd, 65536)
        if len(data) == 65536:
            size = os.fstat(fd).st_size
            if size > _size_limit():
                return OSError(errno.EFBIG, f"{size:,} bytes, above the limit of {_size_limit():,}")
            parts = [data]
            while chunk := _read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
        return data
    except OSError as exc:
        return exc
    finally:
        _close(fd)


_LIMIT: list[int] = []


def _size_limit() -> int:
    """The largest file validate and build read: four times the input limit (an annotation file or a corpus
    text may be bigger than its seed), so a 200 MB file is refused, not read and normalised."""
    if not _LIMIT:
        from ..limits import max_bytes

        _LIMIT.append(4 * max_bytes() or 1 << 62)
    return _LIMIT[0]


def _unreadable(exc: OSError, file: str) -> Problem:
    if exc.errno == errno.EFBIG:
        return Problem("too-large", f"file is {exc.strerror}", file,
                       hint="a document file is far smaller; raise the limit with $CEASEFIRE_NEWS_MAX_BYTES")
    if exc.errno == errno.ELOOP:
        return Problem("symlink", "is a symbolic link: refused (a repository file must be a regular file, never a "
                       "link that could lead outside the repository)", file, hint="copy the file in instead")
    return Problem("unreadable", f"cannot read: {exc.strerror or exc}", file)


@dataclass(frozen=True)
class DocumentFiles:
    """The four files of one document as read once: bytes, None when absent, the OSError when unreadable."""

    seed: bytes | None | OSError
    meta: bytes | None | OSError
    corpus: bytes | None | OSError
    annotations: bytes | None | OSError


def read_document(repo: Repo, doc_id: str) -> DocumentFiles:
    """Read a document's seed, sidecar, corpus text and annotation file, so that what is checked is exactly
    what a later stage uses (no second read that could see other bytes). The paths are the ones
    `Repo.seed_path` and the others name (_file_names)."""
    return DocumentFiles(*map(_read, _file_names(f"{repo.root}/", doc_id)))


def _file_names(prefix: str, doc_id: str) -> tuple[str, str, str, str]:
    """The seed, sidecar, corpus text and annotation file of `doc_id` under `prefix` (a folder and its separator,
    or "" for names relative to the repository root), as strings: a Path per file was a tenth of a build's reading."""
    return (f"{prefix}seeds/{doc_id}{SEED_SUFFIX}", f"{prefix}seeds/{doc_id}{META_SUFFIX}",
            f"{prefix}corpus/{doc_id}.txt", f"{prefix}annotations/{doc_id}.json")


@dataclass(frozen=True)
class CheckedDocument:
    """A document that passed every check, as the check parsed it: the sidecar and the annotation file parsed,
    the corpus text decoded, the seed's and the corpus text's SHA-256 digests. A later stage (build) uses these
    instead of parsing and hashing the same bytes again."""

    meta: dict[str, Any]
    annotations: dict[str, Any]
    text: str
    seed_sha256: bytes
    corpus_sha256: bytes


def validate_document(repo: Repo, doc_id: str, rel: Path | None = None, cache: NormCache | None = None,
                      files: DocumentFiles | None = None) -> tuple[list[Problem], int]:
    """Every check of one document: sidecar, seed hash, corpus drift, annotation schema and semantics.
    Returns (problems, number of annotations). Paths in problems are relative to `rel` (default: the root).
    `files` are the document's files already read (see read_document); else they are read here."""
    problems, count, _ = check_document(repo, doc_id, rel, cache, files)
    return problems, count


def check_document(repo: Repo, doc_id: str, rel: Path | None = None, cache: NormCache | None = None,
                   files: DocumentFiles | None = None, seed_hash: bytes | None = None
                   ) -> tuple[list[Problem], int, CheckedDocument | None]:
    """`validate_document` (the same checks, the same problems), and the document as checked when there is no
    problem (else None). `seed_hash`: the seed's SHA-256 digest when the caller has it."""
    root = str(repo.root)
    base = os.path.relpath(root, rel) if rel is not None else "."
    prefix = "" if base == "." else base + os.sep
    own = cache is None
    if own:
        cache = NoCache()
    try:
        return _validate_document(root, prefix, doc_id, cache, seed_hash=seed_hash, files=files)
    finally:
        if own:
            cache.close()


_NO_SEED = object()


_VALID: list = []


def _is_valid() -> tuple[Any, Any]:
    """(annotations is_valid, metadata is_valid) of the compiled schemas, looked up once."""
    if not _VALID:
        _VALID.extend((compiled("annotations").is_valid, compiled("metadata").is_valid))
    return _VALID[0], _VALID[1]


def _validate_document(root: str, prefix: str, doc_id: str, cache: NormCache, seed: Any = _NO_SEED,
                       seed_hash: bytes | None = None, files: DocumentFiles | None = None
                       ) -> tuple[list[Problem], int, CheckedDocument | None]:
    if files is not None:
        seed, meta_b, corpus, ann = files.seed, files.meta, files.corpus, files.annotations
    else:
        seed_p, meta_p, corpus_p, ann_p = _file_names(f"{root}/", doc_id)
        if seed is _NO_SEED:
            seed = _read(seed_p)
        meta_b, corpus, ann = _read(meta_p), _read(corpus_p), _read(ann_p)
    if type(seed) is bytes and type(meta_b) is bytes and type(corpus) is bytes and type(ann) is bytes:
        # the clean document's path: every check, no wording; any doubt goes to the full path below
        # (strict_loads reads an integer beyond 64 bits as a float: the only integers of a valid file are offsets,
        # and a float offset fails the checks below, so such a file goes on to parse_json, which reads it exactly)
        try:
            meta, doc, text = strict_loads(meta_b), strict_loads(ann), corpus.decode("utf-8")
        except ValueError:
            pass
        else:
            if seed_hash is None:
                seed_hash = hashlib.sha256(seed).digest()
            corpus_hash = hashlib.sha256(corpus).digest()
            ann_valid, meta_valid = _is_valid()
            if (surely_unique(meta_b, meta) and surely_unique(ann, doc)
                    and meta_valid(meta) and meta["doc_id"] == doc_id and real_date(meta["published"]) and meta["seed_sha256"] == seed_hash.hex()
                    and _drift_free(seed, seed_hash, corpus_hash, cache)
                    and ann_valid(doc) and doc["doc_id"] == doc_id and doc["normaliser_version"] == NORMALISER_VERSION
                    and doc["text_sha256"] == corpus_hash.hex() and _fast_ok(doc["layers"], text)
                    and has_clean_body(doc["layers"], text)):
                return [], sum(map(len, doc["layers"].values())), CheckedDocument(meta, doc, text, seed_hash,
                                                                                 corpus_hash)
    return _full_check(prefix, doc_id, cache, seed, meta_b, corpus, ann, seed_hash)


def _full_check(prefix: str, doc_id: str, cache: NormCache, seed: Any, meta_b: Any, corpus: Any, ann: Any,
                seed_hash: bytes | None) -> tuple[list[Problem], int, CheckedDocument | None]:
    """Every check of one document, each problem worded and located; the document as checked if none."""
    problems: list[Problem] = []
    meta = doc = None
    seed_n, meta_n, corpus_n, ann_n = _file_names(prefix, doc_id)
    for data, name in ((seed, seed_n), (meta_b, meta_n), (corpus, corpus_n), (ann, ann_n)):
        if isinstance(data, OSError):
            problems.append(_unreadable(data, name))
    if seed is None:
        for data, name in ((meta_b, meta_n), (corpus, corpus_n), (ann, ann_n)):
            if data is not None:
                problems.append(Problem("orphan", f"no seed seeds/{doc_id}{SEED_SUFFIX} for this file", name,
                                        hint="every sidecar, corpus text and annotation file belongs to a seed"))
    else:
        if corpus is None:
            problems.append(Problem("missing-corpus", "seed has no corpus text", seed_n,
                                    hint=f"run `ceasefire-news ingest seeds/{doc_id}{SEED_SUFFIX}`"))
        if ann is None:
            problems.append(Problem("missing-annotations", "seed has no annotation file", seed_n,
                                    hint=f"run `ceasefire-news ingest seeds/{doc_id}{SEED_SUFFIX}`"))
        if meta_b is None:
            problems.append(Problem("missing-meta", "seed has no metadata sidecar", seed_n,
                                    hint=f"add seeds/{doc_id}{META_SUFFIX} (see README: adding a document)"))
    seed_ok = type(seed) is bytes
    if seed_ok and seed_hash is None:
        seed_hash = hashlib.sha256(seed).digest()

    if type(meta_b) is bytes:
        meta, ok = _parse(meta_b, meta_n, problems)
        if ok:
            mp = check_meta(meta, meta_n, doc_id)
            if mp:
                out = Collector(meta_n, meta_b)
                for p in mp:
                    out.add(p.code, p.message, p.pointer, p.hint)
                problems += out.problems
            elif seed_ok and meta["seed_sha256"] != seed_hash.hex():
                problems.append(Problem("seed-modified", f"seed bytes hash to {seed_hash.hex()[:12]}…, the sidecar "
                                        f"pins {meta['seed_sha256'][:12]}…", seed_n,
                                        hint="raw seeds are never edited: restore the original bytes"))

    text = corpus_hash = None
    if type(corpus) is bytes:
        corpus_hash = hashlib.sha256(corpus).digest()
        try:
            text = corpus.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_line_col(corpus, exc.start)
            problems.append(Problem("bad-encoding", f"not UTF-8: byte 0x{corpus[exc.start]:02x} at byte offset "
                                    f"{exc.start}", corpus_n, line, col, hint="corpus texts are written by ingest"))
    if seed_ok and text is not None:
        _check_drift(seed, seed_hash, seed_n, text, corpus_hash, corpus_n, cache, problems)

    count = 0
    if type(ann) is bytes:
        doc, ok = _parse(ann, ann_n, problems)
        if ok:
            out = Collector(ann_n, ann)
            count = check_annotation(doc, text, out, doc_id, corpus_hash.hex() if text is not None else None)
            problems += out.problems
    if problems or doc is None:  # no file at all (it vanished after the listing) is no problem, and no document
        return problems, count, None
    return problems, count, CheckedDocument(meta, doc, text, seed_hash, corpus_hash)


def _drift_free(seed: bytes, seed_hash: bytes, corpus_hash: bytes, cache: NormCache) -> bool:
    """The fast path's corpus-drift check: the cache's answer, else the normaliser's (which fills the cache).
    False means "look closer": the full path words the problem."""
    expected = cache.get(seed_hash)
    if expected == corpus_hash:
        return True
    try:
        actual = hashlib.sha256(normalize_bytes(seed).text.encode("utf-8")).digest()
    except CeasefireError:
        return False
    if expected != actual:
        cache.put(seed_hash, actual)
    return actual == corpus_hash


def _check_drift(seed: bytes, seed_hash: bytes, seed_n: str, text: str, corpus_hash: bytes, corpus_n: str,
                 cache: NormCache, problems: list[Problem]) -> None:
    """corpus-drift: the corpus text must be exactly the normaliser's output for the seed."""
    expected = cache.get(seed_hash)
    if expected == corpus_hash:
        return
    try:
        norm = normalize_bytes(seed, seed_n).text
    except CeasefireError as exc:
        problems.extend(exc.problems)
        return
    actual = hashlib.sha256(norm.encode("utf-8")).digest()
    if expected != actual:  # a miss (or an entry that is wrong: the normaliser's answer wins and replaces it)
        cache.put(seed_hash, actual)
    if actual == corpus_hash:
        return
    at = next((i for i, (a, b) in enumerate(zip(norm, text)) if a != b), min(len(norm), len(text)))
    line, col = line_col(text, at)
    problems.append(Problem("corpus-drift", f"corpus text differs from the normalised seed at character {at}: "
                            f"{_short(text[at:at + 20])} where the seed gives {_short(norm[at:at + 20])}",
                            corpus_n, line, col,
                            hint="corpus texts are made by `ceasefire-news ingest`; re-run it, never edit them"))


# ------------------------------------------------------------------------------------------------ repository
_FOLDERS = (("seeds", (META_SUFFIX, SEED_SUFFIX)), ("corpus", (".txt",)), ("annotations", (".json",)))
_NAME_RE = {"seeds": re.compile(r"([a-z0-9][a-z0-9_-]{0,127})(?:\.meta\.json|\.txt)\Z"),
            "corpus": re.compile(r"([a-z0-9][a-z0-9_-]{0,127})\.txt\Z"),
            "annotations": re.compile(r"([a-z0-9][a-z0-9_-]{0,127})\.json\Z")}


def scan(repo: Repo) -> tuple[list[str], list[Problem]]:
    """Every document id the repository's files name (sorted), and the files that name none.
    (A folder named like a document file is reported as unreadable when the document is checked.)"""
    ids: set[str] = set()
    problems: list[Problem] = []
    for folder, suffixes in _FOLDERS:
        try:
            names = os.listdir(repo.root / folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        match = _NAME_RE[folder].match
        for name, m in zip(names, map(match, names)):
            if m is not None:
                ids.add(m.group(1))
                continue
            if name.startswith("."):
                continue
            stem = next((name[: -len(s)] for s in suffixes if name.endswith(s)), None)
            if stem is None:
                problems.append(Problem("stray-file", f"{name!r} is not one of {folder}/<doc-id>"
                                        f"{' or '.join(suffixes)}", f"{folder}/{name}",
                                        hint=f"only {folder}/<doc-id>{suffixes[-1]} files belong here"))
            else:
                problems.append(Problem("bad-doc-id", f"{stem!r} is not a valid document id "
                                        "(^[a-z0-9][a-z0-9_-]{0,127}$)", f"{folder}/{name}",
                                        hint="use lower-case letters, digits, '_' and '-' only"))
    problems.sort(key=lambda p: p.file)
    return sorted(ids), problems


def _validate_chunk(args: tuple[str, list[str], bool]) -> tuple[list[Problem], int]:
    """Validate a batch of documents: their seeds are read first so that the cache answers in one query."""
    root, ids, use_cache = args
    problems: list[Problem] = []
    spans = 0
    with (NormCache() if use_cache else NoCache()) as cache:
        seeds = [_read(_file_names(f"{root}/", doc_id)[0]) for doc_id in ids]
        hashes = [hashlib.sha256(s).digest() if type(s) is bytes else None for s in seeds]
        cache.prefetch([h for h in hashes if h is not None])
        for doc_id, seed, seed_hash in zip(ids, seeds, hashes):
            try:
                ps, n, _ = _validate_document(root, "", doc_id, cache, seed, seed_hash)
            except (Exception, RecursionError) as exc:  # a bug of ours must not hide the other documents' problems
                ps, n = [Problem("internal-error", f"the validator failed on this document ({type(exc).__name__}: "
                                 f"{exc}); please report it", f"annotations/{doc_id}.json")], 0
            problems += ps
            spans += n
    return problems, spans


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def validate_repo(root: str | Path = ".", only: Iterable[str] | None = None, progress: bool = False,
                  jobs: int = 1, cache: bool = True) -> tuple[list[Problem], int, int]:
    """Validate a repository (or the documents `only`). Returns (problems, documents checked, annotations).
    `jobs` > 1 validates on a process pool (same problems, same order); `cache=False` re-normalises every seed."""
    repo = Repo.at(root)
    if not repo.is_repo():
        return [not_a_repository(root, "run validate from the repository root, pass --root, or pass files")], 0, 0
    ids, problems = scan(repo)
    if only is not None:
        ids, problems = list(only), []
    bar = None
    if progress and len(ids) > 200:
        from tqdm import tqdm

        bar = tqdm(total=len(ids), desc="validate", unit="doc", leave=False)
    spans = 0
    size = 250
    tasks = [(str(repo.root), chunk, cache) for chunk in _chunks(ids, size)]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        with multiprocessing.get_context().Pool(min(jobs, len(tasks))) as pool:
            results: Iterable = pool.imap(_validate_chunk, tasks)
            for (ps, n), (_, chunk, _) in zip(results, tasks):
                problems += ps
                spans += n
                if bar:
                    bar.update(len(chunk))
    else:
        for task in tasks:
            ps, n = _validate_chunk(task)
            problems += ps
            spans += n
            if bar:
                bar.update(len(task[1]))
    if bar:
        bar.close()
    return problems, len(ids), spans




def _add_document(p: Path, raw: str, by_root: dict[Path, set[str]], problems: list[Problem]) -> None:
    """Map a file under seeds/, corpus/ or annotations/ to its document (by_root: repository -> document ids)."""
    name = p.name
    for suffix in (META_SUFFIX, SEED_SUFFIX, ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if not DOC_ID_RE.match(name):
        problems.append(Problem("bad-doc-id", f"{p.name!r} is not named by a valid document id", raw,
                                hint="use lower-case letters, digits, '_' and '-' only"))
        return
    by_root.setdefault(p.parent.parent.resolve(), set()).add(name)


def validate_paths(paths: Iterable[str], root: str | Path = ".", progress: bool = False, jobs: int = 1,
                   cache: bool = True) -> tuple[list[Problem], int, int]:
    """Validate the given files or folders, or the whole repository at `root` when none are given.
    A file is mapped to its document, which is checked whole; a folder that is a repository is validated whole, and
    a repository's seeds/, corpus/ or annotations/ folder stands for every document with a file in it.
    Returns (problems, documents checked, annotations checked)."""
    paths = list(paths)
    if not paths:
        return validate_repo(root, progress=progress, jobs=jobs, cache=cache)
    problems: list[Problem] = []
    by_root: dict[Path, set[str]] = {}
    docs = spans = 0
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            problems.append(Problem("no-such-path", "no such file or folder", raw))
        elif p.is_dir() and Repo.at(p).is_repo():
            ps, d, n = validate_repo(p, progress=progress, jobs=jobs, cache=cache)
            rel = os.path.relpath(p)
            problems += [Problem(x.code, x.message, os.path.join(rel, x.file) if rel != "." and x.file else x.file,
                                 x.line, x.column, x.pointer, x.level, x.hint) for x in ps]
            docs += d
            spans += n
        elif p.is_file() and p.parent.name in INPUT_FOLDERS:
            _add_document(p, raw, by_root, problems)
        elif p.is_dir() and p.name in INPUT_FOLDERS and Repo.at(p.parent).is_repo():
            # 'annotations/' of a repository: every document with a file there
            for f in sorted(p.iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    _add_document(f, os.path.join(raw, f.name), by_root, problems)
        else:
            problems.append(Problem("stray-file", "not a seed, sidecar, corpus text or annotation file of a repository",
                                    raw, hint="pass files or folders under seeds/, corpus/ or annotations/, or a "
                                    "repository folder"))
    with (NormCache() if cache else NoCache()) as c:
        for r, ids in by_root.items():
            for doc_id in sorted(ids):
                ps, n = validate_document(Repo(r), doc_id, rel=Path.cwd(), cache=c)
                problems += ps
                docs += 1
                spans += n
    return problems, docs, spans
