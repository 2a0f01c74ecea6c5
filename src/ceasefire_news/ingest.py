"""Ingest: a raw seed -> corpus/<id>.txt (the normalised anchor text) + the automatic annotation layers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .annotations.files import empty_annotation, refuse_empty_body, repin
from .text.boilerplate import Detection, detect, load_rules
from .errors import CeasefireError, Problem
from .fsutil import atomic_write_bytes, check_doc_id, dumps_json, read_json
from .limits import read_limited
from .meta import load_meta, parse_meta, skeleton
from .text.normalize import Normalized, normalize_bytes
from .annotations.reanchor import Options as ReanchorOptions
from .annotations.reanchor import Result as ReanchorResult
from .annotations.reanchor import has_manual, reanchor_in_repo
from .repo import META_SUFFIX, SEED_SUFFIX, Repo, sha256_bytes, sha256_text


@dataclass(frozen=True)
class IngestResult:
    doc_id: str
    corpus_path: Path
    annotation_path: Path
    text_changed: bool
    boilerplate: int
    captions: int
    paragraphs: int
    report: object
    reanchored: ReanchorResult | None = None  # set when manual spans were moved onto a changed text
    written: bool = True


def refuse_outside_link(path: Path, repo: Repo) -> None:
    """A seed in seeds/ that is a symbolic link is refused: it could pull any file of the machine into the
    corpus and the release. validate and build refuse links the same way (code `symlink`)."""
    if not path.is_symlink():
        return
    target = path.resolve()
    where = "outside the repository" if not target.is_relative_to(repo.root) else "inside the repository"
    raise CeasefireError(Problem("symlink", f"is a symbolic link to {target} ({where}): refused", file=str(path),
                                 hint="copy the file into seeds/ instead of linking it"))


def doc_id_for(path: Path) -> str:
    name = path.name
    stem = name[:-len(SEED_SUFFIX)] if name.endswith(SEED_SUFFIX) else path.stem
    return check_doc_id(stem, str(path))


def _sidecar(path: Path, repo: Repo, doc_id: str, copy_in: bool, source: str | None, language: str,
             seed_sha256: str, max_bytes: int | None) -> tuple[dict[str, Any], bytes | None]:
    """The seed's sidecar, checked, and the bytes ingest must write to seeds/<id>.meta.json (None: it is there):
    the one in seeds/, else the one beside a seed brought in from elsewhere, else a skeleton for --source."""
    meta_path = repo.meta_path(doc_id)
    if meta_path.exists():
        return load_meta(meta_path, doc_id), None
    side = path.with_name(f"{doc_id}{META_SUFFIX}")
    if copy_in and side.exists():
        data = read_limited(side, limit=max_bytes, what="metadata sidecar")
        return parse_meta(data, str(side), doc_id), data
    if not source:
        raise CeasefireError(Problem("missing-meta", "no metadata sidecar for this seed", file=str(meta_path),
                                     hint="write seeds/<id>.meta.json or pass --source NAME"))
    meta = skeleton(doc_id, source, language, seed_sha256)
    return meta, dumps_json(meta).encode("utf-8")


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every (path, bytes), each atomically; when one fails, the ones written already are put back as they
    were (removed when they were new), so a failed ingest leaves the repository as it found it."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, data in files:
            done.append((path, path.read_bytes() if path.exists() else None))
            atomic_write_bytes(path, data)
    except BaseException:
        for path, before in reversed(done):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write_bytes(path, before)
        raise


def ingest(path: str | Path, repo: Repo, source: str | None = None, language: str = "en",
           rules_path: str | Path | None = None, reanchor: ReanchorOptions | None = None,
           max_bytes: int | None = None) -> IngestResult:
    """Ingest one raw seed into `repo`. A seed outside `repo/seeds` is copied in (an existing seed with other
    bytes is never overwritten). Manual annotation layers are kept untouched, unless the normalised text
    changed under them: then ingest refuses, or with `reanchor` options moves them (see reanchor.py).
    An input above `max_bytes` (default: limits.max_bytes()) is refused before it is read.
    Every check runs before anything is written: a refused seed leaves the repository as it was."""
    path = Path(path)
    doc_id = doc_id_for(path)
    seed = repo.seed_path(doc_id)
    refuse_outside_link(seed, repo)
    data = read_limited(path, limit=max_bytes, what="seed file")
    norm: Normalized = normalize_bytes(data, str(path))  # raises a one-line error for bad input
    seed_sha256, text_sha256 = sha256_bytes(data), sha256_text(norm.text)
    copy_in = seed.resolve() != path.resolve()
    if copy_in and seed.exists() and seed.read_bytes() != data:
        raise CeasefireError(Problem("seed-exists", f"seeds/{seed.name} already exists with other bytes",
                                     file=str(path), hint="raw seeds are never modified; use a new id"))
    meta, meta_bytes = _sidecar(path, repo, doc_id, copy_in, source, language, seed_sha256, max_bytes)
    if meta["seed_sha256"] != seed_sha256:
        raise CeasefireError(Problem("seed-modified", "seed bytes do not match seed_sha256 in the sidecar",
                                     file=str(seed if seed.exists() else path),
                                     hint="raw seeds are never edited; restore the original"))

    corpus_path = repo.corpus_path(doc_id)
    old_text = corpus_path.read_bytes() if corpus_path.exists() else None  # bytes: a hand-broken text is "changed"
    ann_path = repo.annotation_path(doc_id)
    doc = read_json(ann_path) if ann_path.exists() else empty_annotation(doc_id, text_sha256)
    # changed: the corpus file differs, or the annotations are pinned to another text than the new one
    changed = (old_text is not None and old_text != norm.text.encode("utf-8")) or (
        ann_path.exists() and doc.get("text_sha256") != text_sha256)
    moved = None
    if changed and has_manual(doc):
        if reanchor is None:
            raise CeasefireError(Problem(
                "text-changed", "the normalised text changed and manual annotations point into the old one",
                file=str(corpus_path), hint="run `ceasefire-news reanchor` to move them onto the new text"))
        moved = reanchor_in_repo(repo, doc_id, doc, norm.text, reanchor, str(ann_path))
        doc = moved.doc
    detection: Detection = detect(norm.text, meta["source"], load_rules(rules_path))  # after every refusal
    doc["doc_id"] = doc_id
    repin(doc, text_sha256, detection)
    refuse_empty_body(doc, norm.text, str(path))
    if reanchor is not None and reanchor.dry_run:
        return IngestResult(doc_id, corpus_path, ann_path, changed, len(detection.boilerplate),
                            len(detection.captions), len(detection.blocks), norm.report, moved, written=False)
    files = [(seed, data)] if copy_in and not seed.exists() else []
    files += [(repo.meta_path(doc_id), meta_bytes)] if meta_bytes is not None else []
    write_all(files + [(corpus_path, norm.text.encode("utf-8")), (ann_path, dumps_json(doc).encode("utf-8"))])
    return IngestResult(doc_id, corpus_path, ann_path, changed, len(detection.boilerplate), len(detection.captions),
                        len(detection.blocks), norm.report, moved)
