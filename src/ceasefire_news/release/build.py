"""Build: validated documents -> the release folder (Parquet per config and split, card, Croissant, manifest, checksums).

Per-document work (validate, read, body view, rows of the three configs, shingles for near-duplicate search)
is one pure-ish function, `process_document`, run in order or on a process pool (`workers`); results are
collected in document-id order, so the output does not depend on the number of workers. Corpus-wide steps
(grouping, splits, statistics, card) follow in the main process.

Deterministic: the same inputs give byte-identical files (no timestamps, sorted rows and keys, pinned
Parquet and PNG settings). The release is written to a temporary folder beside the target and swapped into
place, so a failed or killed build leaves the previous release intact. Every document ends up in the release
or in `rejections.json` with the reasons.
"""
from __future__ import annotations

import ctypes
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from ..annotations.files import SCHEMA_VERSION
from .accounting import Accounting, account, rejections_document, split_ids, strict_failure
from .card import CardData, license_text, render_card
from .chart import label_chart_png
from ..columns import CONFIGS, DICTIONARY_COLUMNS, RELEASE_FORMAT_VERSION, ROW_GROUP_SIZE, SPLITS, data_file
from .croissant import croissant
from ..errors import CeasefireError, Problem
from ..hub import DEFAULT_REPO_ID, check_repo_id, dataset_url
from ..fsutil import atomic_write_bytes, dumps_json
from .ner import ner_rows
from ..text.normalize import NORMALISER_VERSION
from .records import SourceDoc, default_row, full_row, view_of
from ..repo import Repo, sha256_bytes
from ..resources import rules_dir
from .splits import (DEFAULT_RATIOS, NEAR_DUP_THRESHOLD, NUM_PERM, SHINGLE_WORDS, group_documents, minhash_values,
                     near_duplicate_pairs, shingles, split_of)
from .stats import corpus_stats
from ..annotations.validate import read_document, validate_document

# Pinned writer settings: part of what makes two builds byte-identical.
PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, write_statistics=True, data_page_size=1 << 20,
                       version="2.6", store_schema=False, write_page_index=False)
LABEL_CHART = "images/labels.png"
PROGRESS_MIN_DOCS = 20


@dataclass
class DocResult:
    """Everything the build needs from one document (picklable: it crosses process boundaries)."""

    doc_id: str
    problems: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    ann: dict[str, Any] = field(default_factory=dict)
    full_chars: int = 0
    body: str = ""
    default: dict[str, Any] | None = None
    full: dict[str, Any] | None = None
    ner: list[dict[str, Any]] = field(default_factory=list)
    ner_unrepresented: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    shingles: frozenset = frozenset()
    signature: list[int] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildResult:
    out: Path
    released: dict[str, list[str]]
    rejected: dict[str, list[dict[str, Any]]]
    files: dict[str, str] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    previous_ratios: list[float] | None = None
    accounting: Accounting | None = None


def process_document(root: str, doc_id: str) -> DocResult:
    """Validate one document and make its rows for every config (runs in a worker process)."""
    repo = Repo.at(root)
    files = read_document(repo, doc_id)  # read once: the bytes validated are the bytes released
    problems, _ = validate_document(repo, doc_id, files=files)
    if problems:
        return DocResult(doc_id, [p.to_dict() for p in problems])
    raw = {"seed": files.seed, "meta": files.meta, "corpus": files.corpus, "annotations": files.annotations}
    doc = SourceDoc(doc_id, json.loads(raw["meta"]), raw["corpus"].decode("utf-8"), json.loads(raw["annotations"]))
    try:
        view = view_of(doc)
        default = default_row(doc, view)
        full = full_row(doc)
    except CeasefireError as exc:
        return DocResult(doc_id, [p.to_dict() for p in exc.problems])
    ner = ner_rows(doc_id, default["text"], default["entities"])
    sh = shingles(view.body)
    return DocResult(doc_id, [], doc.meta, doc.ann, len(doc.text), view.body, default, full, ner.rows,
                     ner.unrepresented, ner.tokens, sh, minhash_values(sh),
                     {f"{k}_sha256": sha256_bytes(v) for k, v in raw.items()})


def _process_all(root: Path, ids: list[str], workers: int, progress: bool) -> list[DocResult]:
    bar = None
    if progress and len(ids) >= PROGRESS_MIN_DOCS:
        from tqdm import tqdm

        bar = tqdm(total=len(ids), desc="build", unit="doc", leave=False)
    results: list[DocResult] = []
    try:
        if workers <= 1:
            for d in ids:
                results.append(process_document(str(root), d))
                if bar:
                    bar.update()
        else:
            from concurrent.futures import ProcessPoolExecutor

            chunk = max(1, min(64, len(ids) // (workers * 8) or 1))
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for r in pool.map(process_document, [str(root)] * len(ids), ids, chunksize=chunk):
                    results.append(r)  # map() yields in input order: the output is independent of `workers`
                    if bar:
                        bar.update()
    finally:
        if bar:
            bar.close()
    return results


def _table(rows: list[dict[str, Any]], config: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=CONFIGS[config])


def parquet_bytes(table: pa.Table, config: str) -> bytes:
    """One Parquet file of `config` with the pinned settings (explicit schema, zstd, dictionary labels)."""
    buf = io.BytesIO()
    pq.write_table(table, buf, use_dictionary=DICTIONARY_COLUMNS[config], row_group_size=ROW_GROUP_SIZE[config],
                   **PARQUET_OPTIONS)
    return buf.getvalue()


def arrow_nbytes(data: bytes, config: str) -> int:
    """The `num_bytes` of a split in the card: the Arrow in-memory size of the file's table as read back."""
    return pq.read_table(io.BytesIO(data), schema=CONFIGS[config]).nbytes


def _previous(out: Path) -> tuple[dict[str, str], list[float] | None]:
    """Splits and ratios of the release already in `out` (to report documents that changed split)."""
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return {d: v["split"] for d, v in old.get("documents", {}).items()}, old.get("splits", {}).get("ratios")
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}, None


def build(root: str | Path = ".", out: str | Path = "dist", ratios: Sequence[float] = DEFAULT_RATIOS,
          progress: bool = True, workers: int = 1, threshold: float = NEAR_DUP_THRESHOLD,
          repo_id: str | None = None, strict: bool = False) -> BuildResult:
    """Build the release of the repository at `root` into `out`; `repo_id`: the Hub dataset it is published as
    (the card's links, the croissant `url` and the manifest name it). A rejected document is left out (and listed
    in rejections.json) unless `strict`: then the build raises before the release folder is touched."""
    repo_id = check_repo_id(repo_id or DEFAULT_REPO_ID)
    repo = Repo.at(root)
    out = Path(out).resolve()
    ratios = tuple(float(r) for r in ratios)
    if len(ratios) != 3 or any(r < 0 for r in ratios) or not sum(ratios):
        raise CeasefireError(Problem("bad-ratios", f"split ratios {ratios} must be three non-negative numbers "
                                     "with a positive sum", hint="e.g. --ratios 80/10/10"))
    ids = sorted(set(repo.seed_ids()) | set(repo.annotation_ids()) | set(repo.corpus_ids()))
    if not ids:
        raise CeasefireError(Problem("empty-corpus", "no documents to build", str(repo.root),
                                     hint="add seeds and run `ceasefire-news ingest`"))
    safe_ids, rejected = split_ids(ids)  # an unsafe id is rejected before any path is made of it
    results = _process_all(repo.root, safe_ids, max(1, workers), progress)
    ok = {r.doc_id: r for r in results if not r.problems}
    rejected.update({r.doc_id: r.problems for r in results if r.problems})
    if strict and rejected:
        raise strict_failure(rejected)

    near = near_duplicate_pairs({d: ok[d].shingles for d in ok}, {d: ok[d].signature for d in ok}, threshold)
    grouping = group_documents({d: ok[d].meta.get("story") for d in ok}, near)
    split = {d: split_of(grouping.keys[d], ratios) for d in ok}
    released = {s: sorted(d for d in ok if split[d] == s) for s in SPLITS}
    accounting = account(ids, released, rejected)

    files: dict[str, bytes] = {}
    rows: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    num_bytes: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    for s in SPLITS:
        per_config = {"default": [ok[d].default for d in released[s]], "full": [ok[d].full for d in released[s]],
                      "ner": [r for d in released[s] for r in ok[d].ner]}
        for config, config_rows in per_config.items():
            rows[config][s] = len(config_rows)
            if config_rows:  # no file for an empty split: a Parquet file of zero rows breaks `datasets`
                data = parquet_bytes(_table(config_rows, config), config)
                files[data_file(config, s)] = data
                num_bytes[config][s] = arrow_nbytes(data, config)

    unrepresented = [p for d in sorted(ok) for p in ok[d].ner_unrepresented]
    stats = corpus_stats([ok[d] for d in sorted(ok)], released, rejected, rows["ner"], unrepresented)
    stats["near_duplicate_pairs"] = len(near)
    stats["groups"] = len(grouping.members())
    manifest = {
        "package": "ceasefire-news", "package_version": __version__, "release_format_version": RELEASE_FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION, "normaliser_version": NORMALISER_VERSION,
        "rules_sha256": sha256_bytes((rules_dir() / "boilerplate.yaml").read_bytes()),
        "writer": {"pyarrow": pa.__version__, "parquet": {k: v for k, v in PARQUET_OPTIONS.items()},
                   "row_group_size": ROW_GROUP_SIZE},
        "splits": {"ratios": list(ratios), "hash": "sha256('ceasefire-news/split/' + group key)[:8] / 2**64",
                   "near_duplicates": {"method": "MinHash LSH candidates, exact Jaccard check",
                                       "shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "threshold": threshold,
                                       "pairs": [list(p) for p in near]}},
        "documents": {d: {"split": split[d], "group": grouping.keys[d], **ok[d].inputs} for d in sorted(ok)},
        "rejected": sorted(rejected),
        "rows": rows,
        "hub": {"repo_id": repo_id, "revision": f"v{__version__}"},
    }
    files["manifest.json"] = dumps_json(manifest).encode()
    files["rejections.json"] = dumps_json(rejections_document(accounting, rejected)).encode()
    files["ner_report.json"] = dumps_json({
        "description": "Entity spans of the default config that the ner config's token view cannot represent; "
                       "they are left out of ner_tags (see the card).",
        "counts": stats["ner_unrepresented"], "spans": unrepresented}).encode()
    files[LABEL_CHART] = label_chart_png(stats["entity_labels"])
    files["LICENSE.md"] = license_text(sorted({(m["source"], m["rights"]) for m in (ok[d].meta for d in ok)})).encode()
    first = next((s for s in SPLITS if released[s]), None)
    example = ok[released[first][0]].default if first else None
    data_files = {n: files[n] for n in sorted(files) if n.startswith("data/")}
    files["croissant.json"] = dumps_json(croissant(data_files, stats, rows, url=dataset_url(repo_id))).encode()
    card = CardData(stats=stats, released=released, rows=rows, num_bytes=num_bytes,
                    download_size={c: sum(len(files.get(data_file(c, s), b"")) for s in SPLITS) for c in CONFIGS},
                    example=example, ratios=ratios, chart=LABEL_CHART, threshold=threshold, repo_id=repo_id)
    files["README.md"] = render_card(card).encode()
    files["SHA256SUMS"] = sha256sums(files).encode()

    previous, previous_ratios = _previous(out)
    moved = {d: (previous[d], split[d]) for d in sorted(split) if d in previous and previous[d] != split[d]}
    publish(out, files)
    return BuildResult(out, released, rejected, {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}, stats,
                       rows, moved, near, previous_ratios, accounting)


def sha256sums(files: dict[str, bytes]) -> str:
    """`sha256sum`-compatible lines for every file but SHA256SUMS itself, sorted by name."""
    return "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files) if n != "SHA256SUMS")


# ------------------------------------------------------------------------------------------------ publishing
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _recover(out: Path) -> None:
    """Repair what a build killed mid-swap may have left: the previous release parked beside `out`."""
    old = out.with_name(f".{out.name}.old")
    if old.exists() and not out.exists():
        os.replace(old, out)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.building-*"):
        try:
            pid = int(stale.name.rsplit("-", 2)[-2])
            os.kill(pid, 0)  # still running: another build owns it
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            continue


def publish(out: Path, files: dict[str, bytes]) -> None:
    """Write every file into a fresh folder beside `out`, then swap it in; the old release survives any failure."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    try:
        for name in sorted(files):
            atomic_write_bytes(tmp / name, files[name])
        for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            os.chmod(d, 0o755)
        if out.exists() and _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous release
            return
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

