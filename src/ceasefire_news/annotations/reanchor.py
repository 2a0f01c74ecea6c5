"""Re-anchoring: move manual spans from an old version of a corpus text onto a new one, or report them.

Pure functions (text in, placements out); the I/O that finds the old text lives at the end of the module.

Each span carries its covered `text`; the old text around it gives its context. A span is placed only when
the new text holds its `text` at a position that is unambiguous:
  * `context`: among the occurrences of `text`, exactly one keeps the most of the old context (up to
    CONTEXT_CAP characters on each side) and that is at least MIN_CONTEXT characters, or all the context the
    old text offers when it offers less (text start or end, unknown stretches);
  * `unique` / `window`: when nothing around the span is known, `text` occurs once in the whole text, or
    exactly once within `window` characters of where a word-level diff says it should be.
Everything else is a `Failure` (lost, ambiguous, or edited inside) and the span is left as it was. A word-level
difflib diff supplies the expected position and a cross-check: when the diff maps the span exactly and the
context picks another occurrence, the span is reported rather than moved.

The old text is either known exactly (its SHA-256 equals the annotation file's `text_sha256`: the corpus file
before it is overwritten, a file given with --old, a version from git history) or rebuilt from the annotation
file itself: every item of every layer stores its covered text at its old offsets, and the automatic
`paragraphs` layer covers almost the whole text, so only the separators between items stay unknown.
"""
from __future__ import annotations

import copy
import re
import subprocess
from bisect import bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Iterator

from .files import LAYERS
from ..errors import CeasefireError, Problem
from ..fsutil import read_utf8
from ..repo import Repo, sha256_text

UNKNOWN = "\uffff"  # a noncharacter: stands for old characters nobody recorded; never equal to real text
CONTEXT_CAP = 32
MIN_CONTEXT = 12
MIN_SIDE = 1
DEFAULT_WINDOW = 200
_TOKEN_RE = re.compile("\uffff+|\\w+|\\s+|[^\\w\\s]", re.UNICODE)


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Move:
    """One span placed on the new text."""

    layer: str
    index: int
    id: str
    old: tuple[int, int]
    new: tuple[int, int]
    method: str  # same | context | unique | window | edited
    text: str
    new_text: str | None = None  # set when --allow-edits accepted a change inside the span


@dataclass(frozen=True)
class Failure:
    """One span that could not be placed, and why."""

    layer: str
    index: int
    id: str
    old: tuple[int, int]
    text: str
    reason: str  # lost | ambiguous | edited | mismatch
    message: str

    def problem(self, file: str) -> Problem:
        return Problem("reanchor-failed", f"{SINGULAR.get(self.layer, self.layer)} {self.id} {_short(self.text)} [{self.old[0]}, "
                       f"{self.old[1]}): {self.message}", file=file, pointer=f"/layers/{self.layer}/{self.index}",
                       hint=_HINTS.get(self.reason))


SINGULAR = {"entities": "entity", "quotes": "quote", "sources": "source", "captions": "caption",
            "boilerplate": "boilerplate item", "paragraphs": "paragraph"}
_HINTS = {
    "lost": "the passage was deleted or rewritten: fix or delete this span by hand",
    "ambiguous": "place it by hand, or give the exact old text with --old FILE",
    "edited": "if the change is right, re-run with --allow-edits to accept the new covered text",
    "mismatch": "the annotation file does not match its old text: run `ceasefire-news validate`",
}


@dataclass
class Result:
    """The outcome for one document: the re-anchored document (a copy) and what happened to each span."""

    doc: dict[str, Any]
    moves: list[Move] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    old_text_source: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


def _short(s: str, n: int = 40) -> str:
    s = s if len(s) <= n else s[: n - 1] + "…"
    return '"' + s.replace("\n", "\\n") + '"'


# ---------------------------------------------------------------------------------------------- old text
def reconstruct_old_text(doc: dict[str, Any]) -> str:
    """The old text as far as the annotation file records it: every item's `text` (and cue) at its offsets,
    UNKNOWN elsewhere. Positions where two items disagree are UNKNOWN too."""
    spans = [(s, e, t) for s, e, t, _ in _all_spans(doc)]
    length = max((e for _, e, _ in spans), default=0)
    chars: list[str | None] = [None] * length
    bad = set()
    for s, e, t in spans:
        if e - s != len(t) or s < 0:
            continue
        for k, ch in enumerate(t):
            cur = chars[s + k]
            if cur is None:
                chars[s + k] = ch
            elif cur != ch:
                bad.add(s + k)
    for k in bad:
        chars[k] = None
    return "".join(UNKNOWN if c is None else c for c in chars)


def _all_spans(doc: dict[str, Any]) -> Iterator[tuple[int, int, str, bool]]:
    for name in LAYERS:
        for it in doc.get("layers", {}).get(name, ()) or ():
            if isinstance(it, dict) and _is_span(it):
                yield it["start"], it["end"], it["text"], it.get("origin") == "manual"
                cue = it.get("cue")
                if isinstance(cue, dict) and _is_span(cue):
                    yield cue["start"], cue["end"], cue["text"], it.get("origin") == "manual"


def _is_span(x: dict) -> bool:
    return isinstance(x.get("start"), int) and isinstance(x.get("end"), int) and isinstance(x.get("text"), str)


# ---------------------------------------------------------------------------------------------- diff
class Aligner:
    """A word-level diff of old -> new (difflib on tokens: words, whitespace runs, punctuation), answering
    where an old character offset lies in the new text."""

    def __init__(self, old: str, new: str):
        self.old_tok = [(m.start(), m.group()) for m in _TOKEN_RE.finditer(old)]
        self.new_tok = [(m.start(), m.group()) for m in _TOKEN_RE.finditer(new)]
        self.new_len = len(new)
        sm = SequenceMatcher(None, [t for _, t in self.old_tok], [t for _, t in self.new_tok], autojunk=False)
        self.ops = sm.get_opcodes()
        self.op_starts = [op[1] for op in self.ops]
        self.old_starts = [s for s, _ in self.old_tok]

    def _new_start(self, j: int) -> int:
        return self.new_tok[j][0] if j < len(self.new_tok) else self.new_len

    def map(self, pos: int) -> tuple[int, bool]:
        """(new position, exact): exact when the old character at `pos` is in an unchanged stretch."""
        if not self.old_tok:
            return 0, False
        i = max(bisect_right(self.old_starts, pos) - 1, 0)
        k = bisect_right(self.op_starts, i) - 1
        tag, i1, i2, j1, j2 = self.ops[max(k, 0)]
        if tag == "equal" and i1 <= i < i2:
            j = j1 + (i - i1)
            return self._new_start(j) + (pos - self.old_tok[i][0]), True
        return self._new_start(j1), False

    def map_span(self, s: int, e: int) -> tuple[int, int] | None:
        """The new span when both ends of [s, e) lie in unchanged stretches, else None."""
        ns, ok1 = self.map(s)
        ne1, ok2 = self.map(e - 1)
        if ok1 and ok2 and ne1 + 1 > ns:
            return ns, ne1 + 1
        return None


# ---------------------------------------------------------------------------------------------- placing
def _find_all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


_EDGE = object()  # the start or end of the text: a paragraph boundary, like a run of whitespace


def _units(text: str, pos: int, step: int, cap: int) -> list:
    """Up to `cap` context units from `pos` going left (step -1, pos excluded) or right (step 1): one per
    character, one per run of whitespace (so a normaliser that changes spacing keeps the context), and the
    text's edge as a last unit, equal to a whitespace run. Stops before an UNKNOWN character."""
    out: list = []
    i = pos - 1 if step < 0 else pos
    while len(out) < cap:
        if i < 0 or i >= len(text):
            out.append(_EDGE)
            break
        ch = text[i]
        if ch == UNKNOWN:
            break
        if ch.isspace():
            while 0 <= i < len(text) and text[i].isspace():
                i += step
            out.append(" ")
            continue
        out.append(ch)
        i += step
    return out


def _agree(a: list, b: list) -> int:
    n = 0
    for x, y in zip(a, b):
        if not (x == y or (x is _EDGE and y == " ") or (x == " " and y is _EDGE)):
            break
        n += 1
    return n


def _left(old: str, s: int, new: str, c: int, cap: int) -> int:
    """How many context units before old[s] and before new[c] agree."""
    return _agree(_units(old, s, -1, cap), _units(new, c, -1, cap))


def _right(old: str, e: int, new: str, c: int, cap: int) -> int:
    return _agree(_units(old, e, 1, cap), _units(new, c, 1, cap))


def _clean_cut(text: str, s: int, e: int) -> bool:
    """True when [s, e) does not cut a word in two (at either end)."""
    return (s == 0 or not (text[s - 1].isalnum() and text[s].isalnum())) and \
        (e == len(text) or not (text[e - 1].isalnum() and text[e].isalnum()))


def _known(old: str, s: int, e: int, cap: int) -> tuple[int, int]:
    """How much context (in units, see _units) the old text offers on each side of [s, e). A rebuilt old text
    ends with UNKNOWN, so only an exact one has a known end."""
    return len(_units(old, s, -1, cap)), len(_units(old, e, 1, cap))


def _edited(old: str, new: str, s: int, e: int, aligner: Aligner) -> tuple[int, int] | None:
    """The new span between the unchanged characters that surrounded [s, e), when both sides survive (with at
    least MIN_SIDE characters of context) but the inside changed."""
    if s > 0:
        ls, ok = aligner.map(s - 1)
        ns = ls + 1
    else:
        ns, ok = 0, True
    if e < len(old):
        ne, ok2 = aligner.map(e)
    else:
        ne, ok2 = len(new), True
    if not (ok and ok2) or ns >= ne or new[ns:ne] == old[s:e]:
        return None
    if _left(old, s, new, ns, MIN_SIDE) < MIN_SIDE or _right(old, e, new, ne, MIN_SIDE) < MIN_SIDE:
        return None
    return ns, ne


def place(old: str, new: str, s: int, e: int, text: str, aligner: Aligner, *, window: int = DEFAULT_WINDOW,
          allow_edits: bool = False) -> tuple[tuple[int, int] | None, str, str]:
    """Where the old span [s, e) covering `text` lies in `new`: ((start, end) or None, method or reason,
    message). A rebuilt old text ends with UNKNOWN, so only an exact one has a real end."""
    if old[s:e] != text:
        return None, "mismatch", f"the old text holds {_short(old[s:e])} there, not the span's text"
    cands = _find_all(new, text)
    mapped = aligner.map_span(s, e)
    expected = mapped[0] if mapped else aligner.map(s)[0]
    known_l, known_r = _known(old, s, e, CONTEXT_CAP)
    if cands and known_l + known_r == 0:
        cands = [c for c in cands if _clean_cut(new, c, c + len(text))]
        if not cands:
            return None, "lost", "its text only occurs inside longer words now"
        if len(cands) == 1:
            return (cands[0], cands[0] + len(text)), "unique", "the only occurrence"
        near = [c for c in cands if abs(c - expected) <= window]
        if len(near) == 1:
            return (near[0], near[0] + len(text)), "window", f"the only occurrence within {window} characters"
        return None, "ambiguous", f"no context is known and its text occurs {len(cands)} times " \
                                  f"({_positions(cands)}), {len(near)} of them within {window} of {expected}"
    need_l, need_r = min(MIN_SIDE, known_l), min(MIN_SIDE, known_r)
    need = min(MIN_CONTEXT, known_l + known_r)
    good = []
    for c in cands:
        lft = _left(old, s, new, c, CONTEXT_CAP)
        rgt = _right(old, e, new, c + len(text), CONTEXT_CAP)
        if lft >= need_l and rgt >= need_r and lft + rgt >= need:
            good.append((lft + rgt, c))
    if len(good) == 1:
        c = good[0][1]
        return (c, c + len(text)), "same" if c == s else "context", f"context {good[0][0]}"
    if len(good) > 1:
        best = max(sc for sc, _ in good)
        top = [c for sc, c in good if sc == best]
        if mapped is not None and top == [mapped[0]]:
            return mapped, "same" if mapped[0] == s else "context", f"context {best}, confirmed by the diff"
        where = [c for _, c in good]
        return None, "ambiguous", f"its text occurs with its context {len(good)} times ({_positions(where)}): " \
                                  "which one it is cannot be told"
    edit = _edited(old, new, s, e, aligner)
    if edit is not None:
        changed = new[edit[0]:edit[1]]
        if allow_edits:
            return edit, "edited", f"covered text changed to {_short(changed)}"
        return None, "edited", f"the text inside the span changed: it now reads {_short(changed)} at " \
                               f"[{edit[0]}, {edit[1]})"
    if not cands:
        return None, "lost", "its text is not in the new text (deleted or rewritten)"
    return None, "lost", f"its text occurs {len(cands)} time{'s' if len(cands) > 1 else ''} " \
                         f"({_positions(cands)}) but never with its old context (the passage was deleted or rewritten)"


def _positions(cands: list[int], n: int = 5) -> str:
    shown = ", ".join(str(c) for c in cands[:n])
    return f"at {shown}{', …' if len(cands) > n else ''}"


def reanchor(doc: dict[str, Any], new_text: str, old_text: str | None = None, *, window: int = DEFAULT_WINDOW,
             allow_edits: bool = False, origins: tuple[str, ...] = ("manual",)) -> Result:
    """Move every item whose origin is in `origins` (and its cue) from the old text onto `new_text`.
    `old_text` is the exact old text when known, else it is rebuilt from `doc`. An item moves only when all its
    spans are placed; otherwise it stays as it was and each failing span is listed. Two spans that had different
    old offsets never land on the same new ones: both are reported instead. Pure: `doc` is not changed."""
    complete = old_text is not None
    old = old_text if old_text is not None else reconstruct_old_text(doc) + UNKNOWN
    if UNKNOWN in new_text:
        raise CeasefireError(Problem("reanchor-failed", "the new text holds U+FFFF, which re-anchoring reserves"))
    aligner = Aligner(old, new_text)
    out = copy.deepcopy(doc)
    result = Result(out, old_text_source="exact" if complete else "rebuilt from the annotation file")
    planned: list[tuple[str, int, dict, list[tuple[dict, tuple[int, int], str]]]] = []
    for name in LAYERS:
        items = out.get("layers", {}).get(name) or []
        for k, it in enumerate(items):
            if not isinstance(it, dict) or it.get("origin", "manual") not in origins or not _is_span(it):
                continue
            cue = it.get("cue")
            parts = [("", it)] + ([("cue", cue)] if isinstance(cue, dict) and _is_span(cue) else [])
            placed, failed = [], []
            for what, span in parts:
                s, e, t = span["start"], span["end"], span["text"]
                if not 0 <= s < e <= len(old):
                    failed.append(Failure(name, k, str(it.get("id")), (s, e), t, "mismatch",
                                          f"{what + ' ' if what else ''}offsets outside the old text"))
                    continue
                where, how, msg = place(old, new_text, s, e, t, aligner, window=window, allow_edits=allow_edits)
                if where is None:
                    failed.append(Failure(name, k, str(it.get("id")), (s, e), t, how,
                                          f"its cue: {msg}" if what else msg))
                else:
                    placed.append((span, where, how))
            if failed:
                result.failures.extend(failed)
            else:
                planned.append((name, k, it, placed))
    landing: dict[tuple[str, int, int], set[tuple[int, int]]] = {}
    for name, _, _, placed in planned:
        for span, (ns, ne), _ in placed:
            landing.setdefault((name, ns, ne), set()).add((span["start"], span["end"]))
    for name, k, it, placed in planned:
        clash = [(ns, ne) for span, (ns, ne), _ in placed if len(landing[(name, ns, ne)]) > 1]
        if clash:
            result.failures.append(Failure(name, k, str(it.get("id")), (it["start"], it["end"]), it["text"],
                                           "ambiguous", f"another span would land on the same place "
                                           f"[{clash[0][0]}, {clash[0][1]}): which is which cannot be told"))
            continue
        for span, (ns, ne), how in placed:
            t, new_cov = span["text"], new_text[ns:ne]
            result.moves.append(Move(name, k, str(it.get("id")), (span["start"], span["end"]), (ns, ne), how, t,
                                     new_cov if new_cov != t else None))
            span["start"], span["end"], span["text"] = ns, ne, new_cov
    result.failures.sort(key=lambda f: (LAYERS.index(f.layer), f.index))
    return result


# ---------------------------------------------------------------------------------------------- finding old text
def old_text_from_git(repo: Repo, doc_id: str, want_sha256: str, max_revisions: int = 50) -> str | None:
    """The version of corpus/<id>.txt in git history (the index, then HEAD backwards) whose SHA-256 is
    `want_sha256`, or None (no git, not a repository, no such version)."""
    rel = f"corpus/{doc_id}.txt"
    try:
        top = subprocess.run(["git", "-C", str(repo.root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=30)
        if top.returncode != 0:
            return None
        prefix = Path(repo.root).resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
        path = f"{prefix}/{rel}" if prefix not in ("", ".") else rel
        revs = subprocess.run(["git", "-C", str(repo.root), "rev-list", f"--max-count={max_revisions}", "HEAD",
                               "--", path], capture_output=True, text=True, timeout=30)
        specs = [f":{path}"] + [f"{r}:{path}" for r in revs.stdout.split()] if revs.returncode == 0 else [f":{path}"]
        for spec in specs:
            shown = subprocess.run(["git", "-C", str(repo.root), "show", spec], capture_output=True, timeout=30)
            if shown.returncode != 0:
                continue
            try:
                text = shown.stdout.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if sha256_text(text) == want_sha256:
                return text
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return None


def find_old_text(repo: Repo, doc_id: str, doc: dict[str, Any], old_file: str | Path | None = None,
                  use_git: bool = True) -> tuple[str | None, str]:
    """The exact old text the annotations of `doc` point into, and where it came from; (None, reason) when only
    a rebuild from the annotation file is possible. A file given with --old must match `text_sha256`."""
    want = doc.get("text_sha256")
    if old_file is not None:
        text = read_utf8(old_file, "old text")  # missing, a folder, UTF-16, binary: one line naming the file
        if sha256_text(text) != want:
            raise CeasefireError(Problem(
                "old-text-mismatch", f"this is not the text annotations/{doc_id}.json points into (its SHA-256 "
                f"differs from text_sha256)", file=str(old_file),
                hint="give the corpus text as it was when the annotations were made"))
        return text, str(old_file)
    corpus = repo.corpus_path(doc_id)
    if corpus.exists():
        text = read_utf8(corpus, "corpus text")
        if sha256_text(text) == want:
            return text, str(corpus.relative_to(repo.root))
    if use_git:
        text = old_text_from_git(repo, doc_id, want)
        if text is not None:
            return text, f"git history of corpus/{doc_id}.txt"
    return None, "rebuilt from the annotation file"


# ---------------------------------------------------------------------------------------------- the workflow
@dataclass(frozen=True)
class Options:
    """How `ingest --reanchor` and `reanchor` find the old text and what they accept."""

    old_file: str | None = None  # the exact old corpus text (must match text_sha256)
    use_git: bool = True  # look for the old corpus text in git history
    partial: bool = False  # write the spans that were placed even when others were not
    allow_edits: bool = False  # accept spans whose inside changed while both sides stayed
    window: int = DEFAULT_WINDOW
    dry_run: bool = False  # report only, write nothing


def has_manual(doc: dict[str, Any]) -> bool:
    return any(isinstance(x, dict) and x.get("origin") != "auto"
               for layer in doc.get("layers", {}).values() for x in (layer or ()))


def reanchor_in_repo(repo: Repo, doc_id: str, doc: dict[str, Any], new_text: str, options: Options,
                     file: str) -> Result:
    """Find the old text of `doc` (--old, the corpus file, git, or a rebuild) and move its manual spans onto
    `new_text`. Raises CeasefireError with one `reanchor-failed` problem per span that could not be placed,
    unless `options.partial` or `options.dry_run` (then the failures are in the result)."""
    try:
        file = str(Path(file).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    old, source = find_old_text(repo, doc_id, doc, options.old_file, options.use_git)
    result = reanchor(doc, new_text, old, window=options.window, allow_edits=options.allow_edits)
    result.old_text_source = source
    if result.failures and not (options.partial or options.dry_run):
        raise CeasefireError([f.problem(file) for f in result.failures] + [Problem(
            "reanchor-failed", f"nothing written: {len(result.failures)} span(s) could not be placed, "
            f"{len(result.moves)} could (old text: {source})", file=file,
            hint="fix them by hand, or re-run with --partial to write the others")])
    return result


def reanchor_corpus(repo: Repo, doc_id: str, options: Options, rules_path: str | Path | None = None
                    ) -> Result | None:
    """`reanchor --from-corpus`: take corpus/<id>.txt as it is now (after a hand edit) as the new text, move the
    manual spans onto it, re-make the automatic layers and re-pin the file. None when nothing changed."""
    from .files import refuse_empty_body, repin
    from ..text.boilerplate import detect, load_rules
    from ..fsutil import read_json, write_json
    from ..meta import load_meta

    ann_path = repo.annotation_path(doc_id)
    corpus_path = repo.corpus_path(doc_id)
    if not corpus_path.exists():
        raise CeasefireError(Problem("missing-corpus", "no corpus text to re-anchor onto", file=str(corpus_path)))
    doc = read_json(ann_path)
    new_text = read_utf8(corpus_path, "corpus text")
    if doc.get("text_sha256") == sha256_text(new_text):
        return None
    result = reanchor_in_repo(repo, doc_id, doc, new_text, options, str(ann_path))
    meta = load_meta(repo.meta_path(doc_id), doc_id) if repo.meta_path(doc_id).exists() else {"source": None}
    out = repin(result.doc, sha256_text(new_text), detect(new_text, meta.get("source"), load_rules(rules_path)))
    refuse_empty_body(out, new_text, str(corpus_path))  # as ingest refuses the same text, a dry run included
    if options.dry_run:
        return result
    write_json(ann_path, out)
    return result
