"""Build: validated documents -> the release folder (Parquet per config and split, card, manifest, checksums).

Deterministic: the same inputs give byte-identical files (no timestamps, sorted rows and keys, pinned
compression). The release is written to a temporary folder beside the target and moved into place, so a
failed or killed build leaves the previous release intact. Every document ends up in the release or in
`rejections.json` with the reasons.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .annotations import SCHEMA_VERSION
from .card import render_card
from .columns import CONFIGS, DICTIONARY_COLUMNS, RELEASE_FORMAT_VERSION, SPLITS, data_file
from .errors import CeasefireError, Problem
from .fsutil import atomic_write_bytes, dumps_json
from .normalize import NORMALISER_VERSION
from .records import SourceDoc, default_row, full_row, view_of
from .repo import Repo, sha256_bytes
from .resources import rules_dir
from .splits import DEFAULT_RATIOS, group_keys, split_of
from .stats import corpus_stats
from .validate import validate_document

PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, write_statistics=True, row_group_size=2000,
                       data_page_size=1 << 20, version="2.6", store_schema=False)


@dataclass
class BuildResult:
    out: Path
    released: dict[str, list[str]]
    rejected: dict[str, list[dict[str, Any]]]
    files: dict[str, str] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def _parquet_bytes(rows: list[dict[str, Any]], config: str) -> bytes:
    table = pa.Table.from_pylist(rows, schema=CONFIGS[config])
    buf = io.BytesIO()
    pq.write_table(table, buf, use_dictionary=DICTIONARY_COLUMNS[config], **PARQUET_OPTIONS)
    return buf.getvalue()


def _read_docs(repo: Repo, ids: list[str]) -> tuple[dict[str, SourceDoc], dict[str, list[dict[str, Any]]]]:
    docs: dict[str, SourceDoc] = {}
    rejected: dict[str, list[dict[str, Any]]] = {}
    for doc_id in ids:
        problems, _ = validate_document(repo, doc_id)
        if problems:
            rejected[doc_id] = [p.to_dict() for p in problems]
            continue
        docs[doc_id] = SourceDoc(doc_id, json.loads(repo.meta_path(doc_id).read_text(encoding="utf-8")),
                                 repo.corpus_path(doc_id).read_text(encoding="utf-8"),
                                 json.loads(repo.annotation_path(doc_id).read_text(encoding="utf-8")))
    return docs, rejected


def build(root: str | Path = ".", out: str | Path = "dist", ratios: tuple[float, float, float] = DEFAULT_RATIOS,
          progress: bool = True) -> BuildResult:
    """Build the release of the repository at `root` into `out`."""
    repo = Repo.at(root)
    out = Path(out).resolve()
    ids = sorted(set(repo.seed_ids()) | set(repo.annotation_ids()) | set(repo.corpus_ids()))
    if not ids:
        raise CeasefireError(Problem("empty-corpus", "no documents to build", str(repo.root),
                                     hint="add seeds and run `ceasefire-news ingest`"))
    iterator = ids
    if progress and len(ids) > 50:
        from tqdm import tqdm

        iterator = tqdm(ids, desc="build", unit="doc")
    docs, rejected = _read_docs(repo, list(iterator))
    groups = group_keys({d: docs[d].meta for d in docs})
    split = {d: split_of(groups[d], ratios) for d in docs}
    released = {s: sorted(d for d in docs if split[d] == s) for s in SPLITS}

    files: dict[str, bytes] = {}
    views = {d: view_of(docs[d]) for d in docs}
    rows = {"default": {}, "full": {}}
    for s in SPLITS:
        rows["default"][s] = [default_row(docs[d], views[d]) for d in released[s]]
        rows["full"][s] = [full_row(docs[d]) for d in released[s]]
        if released[s]:  # an empty split gets no file: a Parquet file of zero rows breaks `datasets`
            for config in CONFIGS:
                files[data_file(config, s)] = _parquet_bytes(rows[config][s], config)
    stats = corpus_stats(docs.values(), views, released, rejected)
    manifest = {
        "package": "ceasefire-news", "package_version": __version__, "release_format_version": RELEASE_FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION, "normaliser_version": NORMALISER_VERSION,
        "rules_sha256": sha256_bytes((rules_dir() / "boilerplate.yaml").read_bytes()),
        "split_ratios": list(ratios),
        "documents": {d: {"split": split[d], "group": groups[d],
                          "seed_sha256": sha256_bytes(repo.seed_path(d).read_bytes()),
                          "meta_sha256": sha256_bytes(repo.meta_path(d).read_bytes()),
                          "corpus_sha256": sha256_bytes(repo.corpus_path(d).read_bytes()),
                          "annotations_sha256": sha256_bytes(repo.annotation_path(d).read_bytes())}
                      for d in sorted(docs)},
        "rejected": sorted(rejected),
    }
    files["manifest.json"] = dumps_json(manifest).encode()
    files["rejections.json"] = dumps_json({"rejected": rejected}).encode()
    example = rows["default"][next((s for s in SPLITS if released[s]), "train")]
    files["README.md"] = render_card(stats, released, example[0] if example else None).encode()
    sums = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    files["SHA256SUMS"] = sums.encode()
    _publish(out, files)
    return BuildResult(out, released, rejected, {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}, stats)


def _publish(out: Path, files: dict[str, bytes]) -> None:
    """Write every file into a fresh folder beside `out`, then swap it in; the old release survives any failure."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for name, data in files.items():
            atomic_write_bytes(tmp / name, data)
        for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            os.chmod(d, 0o755)
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
