"""The release's public columns: explicit Arrow schemas of each config (nothing is inferred).

These are a contract (README, dataset card): change them deliberately, with a release-format version bump.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

# 1.1: `full` boilerplate spans carry `rule` (the rule id or signal that removed the span). Readers of 1.1 read 1.0
# releases too: the field is null there.
RELEASE_FORMAT_VERSION = "1.1"
# The release the wheel carries (written by release/embed.py, read by the loader). Past EMBED_SIZE_LIMIT bytes of
# release, the wheel carries only manifest.json and SHA256SUMS, and the loader fetches that exact revision from the
# Hub and checks it against them (scripts/embed_release.py).
EMBEDDED = Path(__file__).resolve().parent / "_release"
EMBED_SIZE_LIMIT = 50 * 1024 * 1024
SPLITS = ("train", "validation", "test")

_span = [pa.field("start", pa.int32(), nullable=False), pa.field("end", pa.int32(), nullable=False)]
_id = [pa.field("id", pa.string(), nullable=False)]
# The reporting verb of a quote or an attribution ("said", "insisted"); null when none is marked.
CUE = pa.struct(_span + [pa.field("text", pa.string(), nullable=False)])
ENTITY = pa.struct(_id + _span + [pa.field("label", pa.string(), nullable=False),
                                  pa.field("text", pa.string(), nullable=False)])
# speaker_id: the `id` of the speaker's entity or unnamed source in the same row, when annotated.
QUOTE = pa.struct(_id + _span + [pa.field("text", pa.string(), nullable=False),
                                 pa.field("speaker", pa.string(), nullable=False),
                                 pa.field("kind", pa.string(), nullable=False), pa.field("speaker_id", pa.string()),
                                 pa.field("cue", CUE)])
SOURCE = pa.struct(_id + _span + [pa.field("text", pa.string(), nullable=False), pa.field("anonymity", pa.string()),
                                  pa.field("cue", CUE)])
CAPTION_ENTITY = ENTITY
CAPTION_DEFAULT = pa.struct([pa.field("text", pa.string(), nullable=False), pa.field("credit", pa.string(), nullable=False),
                             pa.field("agency", pa.string()), pa.field("photographer", pa.string()),
                             pa.field("entities", pa.list_(CAPTION_ENTITY), nullable=False)])
CAPTION_FULL = pa.struct(_span + [pa.field("text", pa.string(), nullable=False), pa.field("credit", pa.string(), nullable=False),
                                  pa.field("agency", pa.string()), pa.field("photographer", pa.string())])
BOILERPLATE = pa.struct(_span + [pa.field("kind", pa.string(), nullable=False), pa.field("text", pa.string(), nullable=False),
                                  pa.field("rule", pa.string())])
PARAGRAPH = pa.struct(_span)

_META = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("source", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("published", pa.string()),
    pa.field("published_basis", pa.string(), nullable=False),
    pa.field("language", pa.string(), nullable=False),
]

DEFAULT = pa.schema(_META + [
    pa.field("entities", pa.list_(ENTITY), nullable=False),
    pa.field("quotes", pa.list_(QUOTE), nullable=False),
    pa.field("sources", pa.list_(SOURCE), nullable=False),
    pa.field("captions", pa.list_(CAPTION_DEFAULT), nullable=False),
    pa.field("text_sha256", pa.string(), nullable=False),
])

FULL = pa.schema(_META + [
    pa.field("entities", pa.list_(ENTITY), nullable=False),
    pa.field("quotes", pa.list_(QUOTE), nullable=False),
    pa.field("sources", pa.list_(SOURCE), nullable=False),
    pa.field("captions", pa.list_(CAPTION_FULL), nullable=False),
    pa.field("boilerplate", pa.list_(BOILERPLATE), nullable=False),
    pa.field("paragraphs", pa.list_(PARAGRAPH), nullable=False),
    pa.field("text_sha256", pa.string(), nullable=False),
])

# One row per sentence of the clean body; `ner_tags` are indices into ner.TAGS (a ClassLabel in the card).
NER = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("sentence_index", pa.int32(), nullable=False),
    pa.field("tokens", pa.list_(pa.field("item", pa.string(), nullable=False)), nullable=False),
    pa.field("ner_tags", pa.list_(pa.field("item", pa.int64(), nullable=False)), nullable=False),
])

CONFIGS: dict[str, pa.Schema] = {"default": DEFAULT, "full": FULL, "ner": NER}
# Rows per Parquet row group: a few MB of text each, so readers can stream a big split.
ROW_GROUP_SIZE = {"default": 1000, "full": 1000, "ner": 20000}

# Parquet columns stored with dictionary encoding (short, repetitive values).
DICTIONARY_COLUMNS = {
    "default": ["source", "language", "published_basis", "entities.list.element.label", "quotes.list.element.kind",
                "sources.list.element.anonymity", "captions.list.element.agency"],
    "full": ["source", "language", "published_basis", "entities.list.element.label", "quotes.list.element.kind",
             "sources.list.element.anonymity", "boilerplate.list.element.kind", "captions.list.element.agency"],
    "ner": ["doc_id"],
}


# Rows per Parquet file: a split with more rows is sharded into several files (a multiple of the row group).
FILE_ROWS = {"default": 20 * ROW_GROUP_SIZE["default"], "full": 20 * ROW_GROUP_SIZE["full"],
             "ner": 25 * ROW_GROUP_SIZE["ner"]}


def _folder(config: str) -> str:
    """The folder of a config's files: data/ for the default config, data/{config}/ for the others."""
    return "data" if config == "default" else f"data/{config}"


def data_file(config: str, split: str, shard: int = 0, shards: int = 1) -> str:
    """Hugging Face file naming: data/{split}-00000-of-00001.parquet for the default config,
    data/{config}/{split}-... for the others; a split of several files numbers them -0000k-of-0000n."""
    return f"{_folder(config)}/{split}-{shard:05d}-of-{shards:05d}.parquet"


def data_files(config: str, split: str, rows: int) -> list[str]:
    """The file names of a split of `rows` rows (none when empty; one file up to FILE_ROWS rows)."""
    shards = -(-rows // FILE_ROWS[config])
    return [data_file(config, split, k, shards) for k in range(shards)]


def split_paths(release, config: str, split: str) -> list:
    """The files of a split in a built release folder (a pathlib.Path), in order; [] for an empty split."""
    return sorted(release.glob(split_glob(config, split)))


def split_glob(config: str, split: str) -> str:
    """A pattern matching every file of a split, however many (for readers and the card's data_files)."""
    return f"{_folder(config)}/{split}-*-of-*.parquet"


def config_split(name: str) -> tuple[str, str] | None:
    """(config, split) of a data file name or pattern (what `data_file` or `split_glob` makes); None for any other
    name (README.md, SHA256SUMS...)."""
    folder, _, base = name.rpartition("/")
    split, dash, rest = base.partition("-")
    config = next((c for c in CONFIGS if _folder(c) == folder), None)
    if config is None or split not in SPLITS or not dash or not rest.endswith(".parquet"):
        return None
    return config, split
