"""Build: validated documents -> the release folder (Parquet per config and split, card, Croissant, manifest, checksums).

Streaming, in three steps, so that memory is bounded by a shard of documents, not by the corpus:
1. map: the documents (sorted ids) are cut into shards of SHARD_DOCS; `process_shard` validates each document,
   makes its rows of the three configs, its shingles and MinHash signature (the ner rows, shingles and signatures
   with array operations over the whole shard at once), and returns a `ShardResult`: the
   rows as Arrow IPC bytes, the compact per-document summaries (hashes, counts, signature) and mergeable counts.
   Shards run in order here, on a process pool (`workers`) or on Dask (`engine="dask"`); the main process
   writes each shard's rows to a work folder as it arrives and keeps only the summaries.
2. corpus-wide, from the summaries alone: near-duplicate pairs (LSH over the signatures; the exact Jaccard
   check reads the two shingle sets from the work folder), groups, splits, statistics.
3. write: each config's rows are read back shard by shard and streamed into one ParquetWriter per split, in
   row groups of exactly ROW_GROUP_SIZE rows and files of FILE_ROWS rows (`train-00000-of-00002.parquet`),
   so the bytes do not depend on the shard size, the worker count or the engine.

Deterministic: the same inputs give byte-identical files (no timestamps, sorted rows and keys, pinned
Parquet and PNG settings). The release is written to a temporary folder beside the target and swapped into
place, so a failed or killed build leaves the previous release intact. Every document ends up in the release
or in `rejections.json` with the reasons.
"""
from __future__ import annotations

import gc
import hashlib
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from .. import __version__
from ..annotations.files import SCHEMA_VERSION
from ..annotations.validate import DocumentFiles, check_document, read_document
from ..checksums import file_digest
from ..columns import (CONFIGS, DICTIONARY_COLUMNS, FILE_ROWS, RELEASE_FORMAT_VERSION, ROW_GROUP_SIZE, SPLITS,
                       config_split, data_files)
from ..errors import CeasefireError, Problem
from ..extras import missing_extra
from ..fsutil import atomic_write_bytes, dumps_json, staging_beside, swap_in_folder
from ..hub import DEFAULT_REPO_ID, check_repo_id, check_tag, dataset_url, default_revision, file_url
from ..repo import Repo, sha256_bytes
from ..resources import rules_dir
from ..text.normalize import NORMALISER_VERSION
from ..text.normcache import NoCache, NormCache
from .accounting import Accounting, account, rejections_document, split_ids, strict_failure
from .card import LICENSE_FILE, CardData, citation, license_text, render_card
from .chart import label_chart_png
from .croissant import croissant
from .ner import ner_batch
from .records import SourceDoc, default_row, full_row_items, view_of
from .splits import (DEFAULT_RATIOS, NEAR_DUP_THRESHOLD, NUM_PERM, SHINGLE_WORDS, group_documents,
                     near_duplicate_pairs, shingle_sets, signatures, split_of)
from .stats import ReleaseCounts, corpus_stats
from .target import check_release_target

# Pinned writer settings: part of what makes two builds byte-identical.
PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, write_statistics=True, data_page_size=1 << 20,
                       version="2.6", store_schema=False, write_page_index=False)
LABEL_CHART = "images/labels.png"
PROGRESS_MIN_DOCS = 20
SHARD_DOCS = 250  # documents per task: what a worker holds at once, and the grain of the progress bar
ENGINES = ("local", "dask")
GC_THRESHOLD0 = 50_000  # allocations between young collections while shards run (CPython's default: 700)
_WORK = ".work"  # inside the staging folder: the shards' rows and shingles, removed before the swap


# ------------------------------------------------------------------------------------------------ one document
@dataclass
class DocResult:
    """What the build needs from one document but its `ner` rows, shingles and signature, which are made for a
    shard at once."""

    doc_id: str
    problems: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    ann: dict[str, Any] = field(default_factory=dict)
    full_chars: int = 0
    default: dict[str, Any] | None = None
    full: dict[str, Any] | None = None
    inputs: dict[str, str] = field(default_factory=dict)


def process_document(repo: Repo, doc_id: str, cache: NormCache | NoCache | None = None,
                     files: DocumentFiles | None = None, seed_hash: bytes | None = None) -> DocResult:
    """Validate one document and make its rows for every config. `cache` answers the corpus-drift check;
    `files` are the document's files if already read, `seed_hash` the seed's SHA-256 digest if known."""
    if files is None:
        files = read_document(repo, doc_id)  # read once: the bytes validated are the bytes released
    problems, _, checked = check_document(repo, doc_id, cache=cache, files=files, seed_hash=seed_hash)
    if problems:
        return DocResult(doc_id, [p.to_dict() for p in problems])
    if checked is None:  # every file of it vanished since the listing
        return DocResult(doc_id, [Problem("missing-files", "the document's files disappeared during the build",
                                          f"seeds/{doc_id}.txt").to_dict()])
    # the objects the checks parsed and the digests they took: each file is parsed and hashed once
    doc = SourceDoc(doc_id, checked.meta, checked.text, checked.annotations)
    try:
        view = view_of(doc)
        default = default_row(doc, view)
        full = full_row_items(doc)  # read by Arrow only
    except CeasefireError as exc:
        return DocResult(doc_id, [p.to_dict() for p in exc.problems])
    inputs = {"seed_sha256": checked.seed_sha256.hex(), "meta_sha256": sha256_bytes(files.meta),
              "corpus_sha256": checked.corpus_sha256.hex(), "annotations_sha256": sha256_bytes(files.annotations)}
    return DocResult(doc_id, [], doc.meta, doc.ann, len(doc.text), default, full, inputs)


# ------------------------------------------------------------------------------------------------ one shard
@dataclass
class DocSummary:
    """What the corpus-wide steps keep of one document: compact, whatever the size of its text."""

    doc_id: str
    problems: list[dict[str, Any]]
    story: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    tokens: int = 0
    sentences: int = 0


@dataclass
class ShardResult:
    """One shard's output: summaries of every document, rows and shingles of the released ones (in id order)."""

    index: int
    docs: list[DocSummary]
    tables: dict[str, bytes]  # config -> Arrow IPC stream of the rows
    signatures: np.ndarray  # (released documents, NUM_PERM) uint64
    shingles: np.ndarray  # every released document's shingle set, concatenated
    offsets: np.ndarray  # document k's shingles are shingles[offsets[k]:offsets[k + 1]]
    counts: ReleaseCounts
    unrepresented: list[dict[str, Any]]


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def rows_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """`pa.Table.from_pylist(rows, schema=schema)`, the same table, made in one conversion of the rows as structs
    (from_pylist gathers each column in a Python loop first: this is 15 to 20% less CPU on the build's rows)."""
    structs = pa.array(rows, type=pa.struct(list(schema)))
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(structs)]).cast(schema)


def process_shard(root: str, index: int, ids: Sequence[str], use_cache: bool = True) -> ShardResult:
    """Process the documents `ids` (sorted) of shard `index`: pure but for reading the repository (and the
    normaliser cache), so it runs the same in this process, a pool worker or a Dask worker."""
    docs: list[DocSummary] = []
    released: list[DocResult] = []
    repo = Repo.at(root)
    files = [read_document(repo, d) for d in ids]  # a shard's files (a few MB), so the cache answers in one query
    with (NormCache() if use_cache else NoCache()) as cache:
        seed_hashes = [hashlib.sha256(f.seed).digest() if type(f.seed) is bytes else None for f in files]
        cache.prefetch([h for h in seed_hashes if h is not None])
        for doc_id, f, seed_hash in zip(ids, files, seed_hashes):
            r = process_document(repo, doc_id, cache, f, seed_hash)
            if r.problems:
                docs.append(DocSummary(doc_id, r.problems))
            else:
                docs.append(DocSummary(doc_id, [], r.meta.get("story"), r.inputs))
                released.append(r)
    rows = {"default": [r.default for r in released], "full": [r.full for r in released]}
    counts = ReleaseCounts()
    counts.add_many([r.meta for r in released], [r.ann for r in released], rows["default"],
                    [r.full_chars for r in released])
    ner = ner_batch([(r["id"], r["text"], r["entities"]) for r in rows["default"]])
    for d, tokens, sentences in zip((d for d in docs if not d.problems), ner.tokens, ner.sentences):
        d.tokens, d.sentences = tokens, sentences
    sets, offsets = shingle_sets([r["text"] for r in rows["default"]])  # the clean bodies
    tables = {c: rows_table(rows[c], CONFIGS[c]) for c in rows} | {"ner": ner.table()}
    unrepresented = [p for doc in ner.unrepresented for p in doc]
    return ShardResult(index, docs, {c: _ipc(tables[c]) for c in CONFIGS}, signatures(sets, offsets), sets, offsets,
                       counts, unrepresented)


# ------------------------------------------------------------------------------------------------ engines
def _shards(ids: list[str], size: int) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def run_shards(root: str, shards: list[list[str]], workers: int = 1, engine: str = "local",
               scheduler: str | None = None, use_cache: bool = True) -> Iterator[ShardResult]:
    """The shards' results, in shard order, computed here (workers <= 1), on a process pool or on Dask."""
    args = [(root, i, ids, use_cache) for i, ids in enumerate(shards)]
    if engine == "dask":
        yield from _run_dask(args, workers, scheduler)
    elif workers <= 1 or len(shards) <= 1:
        for a in args:
            yield process_shard(*a)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            # map() yields in input order: the output is independent of `workers`
            yield from pool.map(process_shard, *zip(*args))


def _run_dask(args: list[tuple], workers: int, scheduler: str | None) -> Iterator[ShardResult]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise missing_extra("build --engine dask", exc, "dask") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = [client.submit(process_shard, *a, pure=False) for a in args]
            for f in futures:  # in shard order; later shards keep computing meanwhile
                yield f.result()
                f.release()
    finally:
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------------------------------------ the work folder
@dataclass
class Collected:
    """The summaries of every shard, their rows and shingles parked in the work folder."""

    work: Path
    docs: list[DocSummary] = field(default_factory=list)
    shard_docs: list[list[str]] = field(default_factory=list)  # released ids per shard, in order
    signatures: list[np.ndarray] = field(default_factory=list)
    shingle_offsets: list[np.ndarray] = field(default_factory=list)
    counts: ReleaseCounts = field(default_factory=ReleaseCounts)
    unrepresented: list[dict[str, Any]] = field(default_factory=list)

    def add(self, r: ShardResult) -> None:
        for config, data in r.tables.items():
            (self.work / f"{r.index:06d}.{config}.arrow").write_bytes(data)
        np.save(self.work / f"{r.index:06d}.shingles.npy", r.shingles)
        self.docs.extend(r.docs)
        self.shard_docs.append([d.doc_id for d in r.docs if not d.problems])
        self.signatures.append(r.signatures)
        self.shingle_offsets.append(r.offsets)
        self.counts.merge(r.counts)
        self.unrepresented.extend(r.unrepresented)

    def table(self, shard: int, config: str) -> pa.Table:
        with pa.memory_map(str(self.work / f"{shard:06d}.{config}.arrow")) as f:
            return ipc.open_stream(f).read_all()

    def shingles_of(self) -> Callable[[int], np.ndarray]:
        """Shingle set of released document i (global index in id order), read from the work folder."""
        starts = np.cumsum([0] + [len(x) for x in self.shard_docs])
        maps: dict[int, np.ndarray] = {}

        def get(i: int) -> np.ndarray:
            s = int(np.searchsorted(starts, i, side="right")) - 1
            if s not in maps:
                maps[s] = np.load(self.work / f"{s:06d}.shingles.npy", mmap_mode="r")
            off = self.shingle_offsets[s]
            k = i - int(starts[s])
            return np.asarray(maps[s][off[k]:off[k + 1]])
        return get


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run a build with fewer passes of the cyclic garbage collector: the objects that exist before (modules,
    schemas) are frozen out of its scans and a young collection waits for GC_THRESHOLD0 allocations. A shard
    allocates millions of short-lived dicts and lists that reference counting frees, so the default threshold
    ran about 1,500 collections that found almost nothing: 0.8 s of a 10,000-document build's CPU time, 0.1 s
    with this (cycles are still collected, only later). Restored on exit."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD0, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def collect(root: Path, ids: list[str], work: Path, workers: int, engine: str, scheduler: str | None,
            progress: bool, shard_docs: int = SHARD_DOCS, use_cache: bool = True) -> Collected:
    """Step 1: every shard processed, its rows parked in `work`, its summaries kept."""
    work.mkdir(parents=True, exist_ok=True)
    got = Collected(work)
    bar = None
    if progress and len(ids) >= PROGRESS_MIN_DOCS:
        from tqdm import tqdm

        bar = tqdm(total=len(ids), desc="build", unit="doc", leave=False)
    try:
        for r in run_shards(str(root), _shards(ids, shard_docs), workers, engine, scheduler, use_cache):
            got.add(r)
            if bar:
                bar.update(len(r.docs))
    finally:
        if bar:
            bar.close()
    return got


# ------------------------------------------------------------------------------------------------ writing Parquet
class SplitWriter:
    """The Parquet files of one config and split: row groups of exactly ROW_GROUP_SIZE rows whatever the size
    of the tables fed in, a new file every FILE_ROWS rows, named for the total known in advance. `nbytes` is
    each file's Arrow size (the card's `num_bytes`), summed over the row groups as written: the same sum as
    `arrow_nbytes` of the file read back (tested), without reading it back."""

    def __init__(self, folder: Path, config: str, split: str, total_rows: int):
        self.folder, self.config, self.split = folder, config, split
        self.names = data_files(config, split, total_rows)
        self.group = ROW_GROUP_SIZE[config]
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.file_index = -1
        self.file_rows = FILE_ROWS[config]
        self.in_file = self.file_rows  # forces a new file on the first row group
        self.writer: pq.ParquetWriter | None = None
        self.nbytes = [0] * len(self.names)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
        while self.pending_rows >= self.group:
            self._flush(self.group)

    def close(self) -> None:
        if self.pending_rows:
            self._flush(self.pending_rows)
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _flush(self, n: int) -> None:
        table = pa.concat_tables(self.pending)
        self.pending = [table.slice(n)] if table.num_rows > n else []
        self.pending_rows = table.num_rows - n
        if self.in_file >= self.file_rows:
            if self.writer is not None:
                self.writer.close()
            self.file_index += 1
            path = self.folder / self.names[self.file_index]
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(str(path), CONFIGS[self.config], use_dictionary=DICTIONARY_COLUMNS[self.config],
                                           **PARQUET_OPTIONS)
            self.in_file = 0
        group = table.slice(0, n).combine_chunks()
        self.writer.write_table(group, row_group_size=n)
        self.nbytes[self.file_index] += compact_nbytes(group)
        self.in_file += n


def compact_nbytes(table: pa.Table) -> int:
    """`nbytes` of `table` as a reader rebuilds it. A slice's own `nbytes` counts what its buffers reach beyond
    its rows (the whole child arrays of list columns, bitmap bytes before its first row); written to an Arrow IPC
    stream, the buffers are trimmed to the rows, as reading the Parquet file back makes them."""
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return ipc.open_stream(sink.getvalue()).read_all().nbytes


def write_config(folder: Path, got: Collected, config: str, split: dict[str, str],
                 rows: dict[str, int]) -> dict[str, int]:
    """Stream one config's rows from the work folder into the Parquet files of each non-empty split; returns
    the Arrow bytes written per split (the card's `num_bytes`)."""
    writers = {s: SplitWriter(folder, config, s, rows[s]) for s in SPLITS if rows[s]}
    try:
        for shard, released in enumerate(got.shard_docs):
            if not released:
                continue
            table = got.table(shard, config)
            if config == "ner":
                doc_split = np.array([split[d] for d in table.column("doc_id").to_pylist()]) if table.num_rows \
                    else np.zeros(0, dtype=str)
            else:
                doc_split = np.array([split[d] for d in released])
            for s, w in writers.items():
                mask = doc_split == s
                if mask.any():
                    w.write(table.filter(pa.array(mask)))
    finally:
        for w in writers.values():
            w.close()
    return {s: sum(w.nbytes) for s, w in writers.items()}


def arrow_nbytes(path: Path) -> int:
    """The Arrow in-memory size of a Parquet file's table as read back, summed one row group at a time (bounded
    memory; the same sum as reading the whole table): what the card's `num_bytes` promises, which the build
    takes from the tables it wrote (`SplitWriter.nbytes`)."""
    pf = pq.ParquetFile(str(path))
    return sum(pf.read_row_group(i).nbytes for i in range(pf.num_row_groups))


# ------------------------------------------------------------------------------------------------ the build
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


def _previous(out: Path) -> tuple[dict[str, str], list[float] | None]:
    """Splits and ratios of the release already in `out` (to report documents that changed split)."""
    try:
        old = orjson.loads((out / "manifest.json").read_bytes())
        return {d: v["split"] for d, v in old.get("documents", {}).items()}, old.get("splits", {}).get("ratios")
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}, None


def _check_ratios(ratios: Sequence[float]) -> tuple[float, ...]:
    """The ratios as shares of one: 80/10/10 and 0.8/0.1/0.1 name the same split, so they make the same release
    (the same manifest, the same boundaries). Shares are taken exactly from the numbers as written."""
    ratios = tuple(float(r) for r in ratios)
    if len(ratios) != 3 or any(r < 0 or r != r or r == float("inf") for r in ratios) or not sum(ratios):
        raise CeasefireError(Problem("bad-ratios", f"split ratios {ratios} must be three non-negative numbers "
                                     "with a positive sum", hint="e.g. --ratios 80/10/10"))
    exact = [Fraction(repr(r)) for r in ratios]
    total = sum(exact)
    return tuple(float(x / total) for x in exact)


def _document_ids(repo: Repo) -> list[str]:
    ids = sorted(set(repo.seed_ids()) | set(repo.annotation_ids()) | set(repo.corpus_ids()))
    if not ids:
        raise CeasefireError(Problem("empty-corpus", "no documents to build", str(repo.root),
                                     hint="add seeds and run `ceasefire-news ingest`"))
    return ids


@dataclass
class Assignment:
    """Step 2's answer: near-duplicate pairs, groups and the split of every released document."""

    near: list[tuple[str, str, float]]
    groups: dict[str, str]
    split: dict[str, str]
    released: dict[str, list[str]]


def assign_splits(got: Collected, ok: list[str], stories: dict[str, str | None], ratios: Sequence[float],
                  threshold: float) -> Assignment:
    """Step 2, from the summaries: near-duplicates, groups, splits."""
    sigs = np.concatenate(got.signatures) if got.signatures else np.zeros((0, NUM_PERM), dtype=np.uint64)
    near = near_duplicate_pairs(ok, sigs, got.shingles_of(), threshold)
    grouping = group_documents(stories, near)
    split = {d: split_of(grouping.keys[d], ratios) for d in ok}
    released = {s: [d for d in ok if split[d] == s] for s in SPLITS}
    return Assignment(near, grouping.keys, split, released)


def write_data(folder: Path, got: Collected, a: Assignment, summaries: dict[str, DocSummary]
               ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], dict[str, tuple[int, str]]]:
    """Step 3: every config's Parquet files. Returns rows and Arrow bytes per config and split, and the
    (size, sha256) of every data file."""
    rows = {c: {s: len(a.released[s]) for s in SPLITS} for c in ("default", "full")}
    rows["ner"] = {s: sum(summaries[d].sentences for d in a.released[s]) for s in SPLITS}
    num_bytes: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    digests: dict[str, tuple[int, str]] = {}
    for config in CONFIGS:
        num_bytes[config] = write_config(folder, got, config, a.split, rows[config])
        for s in SPLITS:
            if rows[config][s]:  # no file for an empty split: a Parquet file of zero rows breaks `datasets`
                names = data_files(config, s, rows[config][s])
                digests.update({n: file_digest(folder / n) for n in names})
    return {c: dict(rows[c]) for c in CONFIGS}, num_bytes, digests


def _example(got: Collected, a: Assignment) -> dict[str, Any] | None:
    """The card's example: the default row of the first document of the first non-empty split."""
    first = next((s for s in SPLITS if a.released[s]), None)
    if first is None:
        return None
    doc = a.released[first][0]
    for shard, ids in enumerate(got.shard_docs):
        if doc in ids:
            return got.table(shard, "default").slice(ids.index(doc), 1).to_pylist()[0]
    return None  # pragma: no cover - every released document is in a shard


def _manifest(ratios: Sequence[float], threshold: float, a: Assignment, summaries: dict[str, DocSummary],
              rejected: dict[str, Any], rows: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        "package": "ceasefire-news", "package_version": __version__, "release_format_version": RELEASE_FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION, "normaliser_version": NORMALISER_VERSION,
        "rules_sha256": sha256_bytes((rules_dir() / "boilerplate.yaml").read_bytes()),
        "writer": {"pyarrow": pa.__version__, "parquet": {k: v for k, v in PARQUET_OPTIONS.items()},
                   "row_group_size": ROW_GROUP_SIZE},
        "splits": {"ratios": list(ratios), "hash": "sha256('ceasefire-news/split/' + group key)[:8] / 2**64",
                   "near_duplicates": {"method": "MinHash LSH candidates, exact Jaccard check",
                                       "shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "threshold": threshold,
                                       "pairs": [list(p) for p in a.near]}},
        "documents": {d: {"split": a.split[d], "group": a.groups[d], **summaries[d].inputs} for d in sorted(a.split)},
        "rejected": sorted(rejected),
        "rows": rows,
    }


def build(root: str | Path = ".", out: str | Path = "dist", ratios: Sequence[float] = DEFAULT_RATIOS,
          progress: bool = True, workers: int = 1, threshold: float = NEAR_DUP_THRESHOLD, engine: str = "local",
          scheduler: str | None = None, shard_docs: int = SHARD_DOCS, use_cache: bool = True,
          repo_id: str | None = None, strict: bool = False, revision: str | None = None) -> BuildResult:
    """Build the release of the repository at `root` into `out`: on this machine (`workers` processes) or on
    Dask (`engine="dask"`: the cluster at `scheduler`, else a LocalCluster of `workers` processes).
    `use_cache=False` re-normalises every seed for the corpus-drift check instead of asking the cache.
    `repo_id`: the Hub dataset it is published as (the card's links, the croissant `url` and the manifest name it);
    `revision`: the tag it is published as (default `v<package version>`; the manifest, the card's examples and
    Croissant's licence link name it).
    A rejected document is left out (and listed in rejections.json) unless `strict`: then the build raises before
    the release folder is touched. `out` must be new, empty or an earlier release (release/target.py)."""
    repo_id = check_repo_id(repo_id or DEFAULT_REPO_ID)
    revision = check_tag(revision or default_revision())
    repo = Repo.existing(root)
    out = check_release_target(out, repo.root)
    ratios = _check_ratios(ratios)
    if engine not in ENGINES:
        raise CeasefireError(Problem("bad-engine", f"unknown engine {engine!r}", hint="local or dask"))
    ids = _document_ids(repo)
    safe_ids, rejected = split_ids(ids)  # an unsafe id is rejected before any path is made of it
    with fewer_collections():
        tmp = staging_folder(out)
        try:
            got = collect(repo.root, safe_ids, tmp / _WORK, max(1, workers), engine, scheduler, progress,
                          max(1, shard_docs), use_cache)
            summaries = {d.doc_id: d for d in got.docs if not d.problems}
            rejected.update({d.doc_id: d.problems for d in got.docs if d.problems})
            if strict and rejected:
                raise strict_failure(rejected)
            ok = sorted(summaries)
            a = assign_splits(got, ok, {d: summaries[d].story for d in ok}, ratios, threshold)
            accounting = account(ids, a.released, rejected)
            rows, num_bytes, digests = write_data(tmp, got, a, summaries)
            split_tokens = {s: sum(summaries[d].tokens for d in a.released[s]) for s in SPLITS}
            stats = corpus_stats(got.counts, a.released, rejected, split_tokens, rows["ner"], got.unrepresented)
            stats["near_duplicate_pairs"] = len(a.near)
            stats["groups"] = len(set(a.groups.values()))
            files, hashes = _documents(ratios, threshold, got, a, summaries, rejected, rows, num_bytes, digests,
                                       stats, accounting, repo_id, revision)
            shutil.rmtree(tmp / _WORK)
            previous, previous_ratios = _previous(out)
            moved = {d: (previous[d], a.split[d]) for d in ok if d in previous and previous[d] != a.split[d]}
            publish(out, files, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return BuildResult(out, a.released, rejected, hashes, stats, rows, moved, a.near,
                       previous_ratios, accounting)


def _documents(ratios: Sequence[float], threshold: float, got: Collected, a: Assignment,
               summaries: dict[str, DocSummary], rejected: dict[str, Any], rows: dict[str, dict[str, int]],
               num_bytes: dict[str, dict[str, int]], digests: dict[str, tuple[int, str]],
               stats: dict[str, Any], accounting: Accounting, repo_id: str,
               revision: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every file of the release but the Parquet ones (manifest, reports, chart, licence, Croissant, card, sums),
    and the SHA-256 of every file of the release, each hashed once."""
    files: dict[str, bytes] = {}
    manifest = _manifest(ratios, threshold, a, summaries, rejected, rows)
    manifest["hub"] = {"repo_id": repo_id, "revision": revision}
    files["manifest.json"] = dumps_json(manifest).encode()
    files["rejections.json"] = dumps_json(rejections_document(accounting, rejected)).encode()
    files["ner_report.json"] = dumps_json({
        "description": "Entity spans of the default config that the ner config's token view cannot represent; "
                       "they are left out of ner_tags (see the card).",
        "counts": stats["ner_unrepresented"], "spans": got.unrepresented}).encode()
    files[LABEL_CHART] = label_chart_png(stats["entity_labels"])
    files[LICENSE_FILE] = license_text(sorted(got.counts.licenses)).encode()
    terms = file_url(repo_id, revision, LICENSE_FILE)  # at the tag this release is published as
    cite = citation(dataset_url(repo_id), stats.get("latest_published"))  # one entry: the card's and Croissant's
    files["croissant.json"] = dumps_json(croissant(digests, stats, rows, url=dataset_url(repo_id),
                                                   license_url=terms, cite_as=cite)).encode()
    card = CardData(stats=stats, released=a.released, rows=rows, num_bytes=num_bytes,
                    download_size={c: sum(size for n, (size, _) in digests.items() if config_split(n)[0] == c)
                                   for c in CONFIGS},
                    example=_example(got, a), ratios=ratios, chart=LABEL_CHART, threshold=threshold,
                    revision=revision, citation=cite, repo_id=repo_id)
    files["README.md"] = render_card(card).encode()
    hashes = {n: h for n, (_, h) in digests.items()}
    hashes.update({n: hashlib.sha256(v).hexdigest() for n, v in files.items()})
    files["SHA256SUMS"] = sha256sums(hashes).encode()
    hashes["SHA256SUMS"] = hashlib.sha256(files["SHA256SUMS"]).hexdigest()
    return files, dict(sorted(hashes.items()))


def sha256sums(hashes: dict[str, str] | dict[str, bytes]) -> str:
    """`sha256sum`-compatible lines for every file but SHA256SUMS itself, sorted by name; `hashes` maps each name
    to its hex digest, or to the file's bytes."""
    def hexdigest(v: str | bytes) -> str:
        return hashlib.sha256(v).hexdigest() if isinstance(v, (bytes, bytearray)) else v

    return "".join(f"{hexdigest(hashes[n])}  {n}\n" for n in sorted(hashes) if n != "SHA256SUMS")


def parquet_bytes(table: pa.Table, config: str) -> bytes:
    """One Parquet file of `config` in memory, with the release's pinned settings (a small release made by hand,
    as the export and fuzz tests do)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, use_dictionary=DICTIONARY_COLUMNS[config], row_group_size=ROW_GROUP_SIZE[config],
                   **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


# ------------------------------------------------------------------------------------------------ publishing
def staging_folder(out: Path) -> Path:
    """A fresh folder beside `out` to write the new release into (after repairing what a killed build left:
    fsutil.recover_beside)."""
    return staging_beside(out, "building")


def publish(out: Path, files: dict[str, bytes], tmp: Path | None = None) -> None:
    """Write every file into the staging folder `tmp` (a fresh one if None; it may already hold the data
    files), then swap it in; the old release survives any failure."""
    tmp = staging_folder(out) if tmp is None else tmp
    try:
        for name in sorted(files):
            atomic_write_bytes(tmp / name, files[name])
        for d in (p for p in tmp.rglob("*") if p.is_dir()):  # the staging folder itself is 0o755 already
            os.chmod(d, 0o755)
        swap_in_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
