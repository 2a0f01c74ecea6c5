"""The loader: one obvious call, lazy, checksum-verified.

    import ceasefire_news
    df = ceasefire_news.load("train")            # pandas DataFrame (Arrow-backed columns), default config
    for doc in ceasefire_news.documents("all"):  # Document records
        print(doc.id, doc.entities[0].label)

Where the release comes from (`source`): None -> $CEASEFIRE_NEWS_SOURCE when set, else the release embedded
in the package (`ceasefire_news/_release`, put there by `scripts/embed_release.py`); a folder path; "hub" or
"hub:OWNER/NAME" -> that dataset on the Hugging Face Hub at `revision` (default: this package's tag), fetched
into the standard Hugging Face cache. The embedded release is the Hub dataset it was built for at its own tag:
`revision` None or that tag reads it offline, any other revision fetches that dataset from the Hub. A revision
with a folder source is a [bad-source] error. Every file a call reads is checked against the release's SHA256SUMS
first (once per process while the file is unchanged).
"""
from __future__ import annotations

import fnmatch
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .checksums import REBUILD_HINT, read_sums, verify
from .columns import CONFIGS, EMBEDDED, SPLITS, split_glob
from .errors import CeasefireError, Problem
from .extras import missing_extra

SOURCE_ENV = "CEASEFIRE_NEWS_SOURCE"
FORMATS = ("pandas", "arrow", "datasets")
CARD = "README.md"  # the dataset card: its YAML header declares each config's features


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str
    id: str = ""


@dataclass(frozen=True)
class Cue:
    """The reporting verb of a quote or attribution ("said")."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    text: str
    speaker: str
    kind: str
    id: str = ""
    speaker_id: str | None = None  # the id of the speaker's entity or source in the same document
    cue: Cue | None = None
    speaker_entity: "Entity | Source | None" = None  # speaker_id resolved: that Entity or Source record


@dataclass(frozen=True)
class Source:
    """An attribution to an unnamed source ("a source briefed on the meeting")."""

    start: int
    end: int
    text: str
    id: str = ""
    anonymity: str | None = None
    cue: Cue | None = None


@dataclass(frozen=True)
class Caption:
    text: str
    credit: str
    agency: str | None
    photographer: str | None
    entities: tuple[Entity, ...]


@dataclass(frozen=True)
class Document:
    """One released document (default config): the clean body and its spans (code points, half-open)."""

    id: str
    text: str
    title: str | None
    source: str
    url: str | None
    published: str | None
    language: str
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]
    sources: tuple[Source, ...]
    captions: tuple[Caption, ...]
    text_sha256: str


@dataclass(frozen=True)
class Release:
    """A release folder to read and, for a Hub source, where it came from."""

    root: Path
    repo_id: str | None = None
    revision: str | None = None


def _hub_suggestion(source: Any, from_env: bool) -> str | None:
    """'use source='hub:OWNER/NAME'' when a folder source is no folder and reads as a Hub repository id."""
    from .hub import repo_id_problem

    text = os.fspath(source) if isinstance(source, (str, os.PathLike)) else ""
    if not isinstance(text, str) or repo_id_problem(text) is not None or Path(text).exists():
        return None
    return (f"to read the Hub dataset {text}, set ${SOURCE_ENV}=hub:{text}" if from_env
            else f"to read the Hub dataset {text}, use source='hub:{text}'")


def _folder(path: Path, what: str, from_env: bool = False) -> Path:
    if not (path / "SHA256SUMS").is_file():
        hub = _hub_suggestion(path, from_env)
        fix = (f"set ${SOURCE_ENV} to a built release or 'hub', or unset it" if from_env else
               "build one with `ceasefire-news build --out DIR`, or use source='hub'")
        fix = f"{hub}; or {fix}" if hub else fix
        raise CeasefireError(Problem("no-release", f"{what} is not a built release (no SHA256SUMS)", str(path),
                                     hint=fix))
    return path.resolve()


def resolve(source: str | os.PathLike | None = None, revision: str | None = None,
            files: list[str] | tuple[str, ...] = ()) -> Release:
    """Where `source` points, with `files` (release-relative names or glob patterns) present locally, fetched if
    from the Hub."""
    return _resolve(source, revision, files)[0]


def _resolve(source: str | os.PathLike | None, revision: str | None, files: list[str] | tuple[str, ...]
             ) -> tuple[Release, dict[str, str] | None]:
    """`resolve`, and the release's SHA256SUMS list when resolving had to read it (the embedded release)."""
    from .hub import default_revision, hub_repo_id

    from_env = source is None and bool(os.environ.get(SOURCE_ENV))
    if from_env:
        source = os.environ[SOURCE_ENV]
    if source is None:
        embedded = (EMBEDDED / "SHA256SUMS").is_file()
        if revision is not None:
            repo_id, own = embedded_hub()
            if revision != own:  # another version of the same dataset: the Hub has it
                return _hub(repo_id, revision, files), None
        if not embedded:
            raise CeasefireError(Problem("no-release", "this installation carries no embedded release", str(EMBEDDED),
                                         hint=f"pass source='hub' or a folder, or set ${SOURCE_ENV}"))
        return _embedded(files)
    named = f"${SOURCE_ENV}={os.fspath(source)!r}" if from_env else f"source {os.fspath(source)!r}"
    try:
        repo_id = hub_repo_id(str(source)) if isinstance(source, str) else None
    except CeasefireError as exc:  # say where the bad name came from
        if not from_env:
            raise
        raise CeasefireError([replace(p, file=f"${SOURCE_ENV}") for p in exc.problems]) from None
    if repo_id is None:
        if revision is not None:
            raise CeasefireError(Problem("bad-source", f"revision= only applies to a Hub source, and {named} is a "
                                         "folder", hint=_hub_suggestion(source, from_env)
                                         or ("use source='hub' or 'hub:OWNER/NAME' with revision"
                                             + (f", or unset ${SOURCE_ENV}" if from_env else ""))))
        return Release(_folder(Path(source), named, from_env)), None
    return _hub(repo_id, revision or default_revision(), files), None


def _hub(repo_id: str, revision: str, files: list[str] | tuple[str, ...]) -> Release:
    from .hub.download import fetch

    return Release(fetch(repo_id, revision, files), repo_id, revision)


def embedded_hub() -> tuple[str, str]:
    """The Hub dataset and revision (tag) the embedded release was built for: `source=None` with that revision (or
    none) reads the embedded copy; with any other revision, that dataset on the Hub."""
    from .hub import DEFAULT_REPO_ID, built_for, default_revision

    try:
        hub = built_for(EMBEDDED)
    except FileNotFoundError:
        hub = {}
    return hub.get("repo_id", DEFAULT_REPO_ID), hub.get("revision", default_revision())


def _embedded(files: list[str] | tuple[str, ...]) -> tuple[Release, dict[str, str]]:
    """The embedded release and its SHA256SUMS list; when it carries only its manifest and checksums, the same
    revision from the Hub (whose SHA256SUMS must be the same bytes)."""
    sums = read_sums(EMBEDDED)
    needed = [n for n in sums if any(fnmatch.fnmatchcase(n, f) for f in files)]  # `files` may be patterns
    if all((EMBEDDED / n).is_file() for n in needed):
        return Release(EMBEDDED), sums
    from .hub.download import fetch

    repo_id, revision = embedded_hub()  # the tag the release was built for
    root = fetch(repo_id, revision, files)
    if (root / "SHA256SUMS").read_bytes() != (EMBEDDED / "SHA256SUMS").read_bytes():
        raise CeasefireError(Problem("checksum", f"SHA256SUMS of {repo_id}@{revision} on the Hub differs from the "
                                     "one this package carries", str(root / "SHA256SUMS"),
                                     hint=_checksum_hint(repo_id)))
    return Release(root, repo_id, revision), sums


def _checksum_hint(repo_id: str | None) -> str:
    """What to do about a release file that fails its checksum: a copy in the Hub cache is deleted and fetched
    again, a local release is rebuilt or copied again."""
    if repo_id is None:
        return REBUILD_HINT
    from .hub.download import cache_folder

    return (f"delete the cached copy ({cache_folder(repo_id)}) and load again; if it fails again the file on the "
            "Hub is damaged: report it")


def release_dir(source: str | os.PathLike | None = None, revision: str | None = None) -> Path:
    """The release folder the loader reads (see the module docstring for the order)."""
    return resolve(source, revision).root


def _splits(split: str) -> tuple[str, ...]:
    if split == "all":
        return SPLITS
    if split not in SPLITS:
        raise CeasefireError(Problem("bad-split", f"unknown split {split!r}; expected one of train, validation, test, all"))
    return (split,)


def _source(source: Any, path: Any) -> Any:
    if path is not None:
        warnings.warn("path= is deprecated: use source=", DeprecationWarning, stacklevel=3)
        if source is None:
            return path
    return source


def load_tables(split: str = "train", *, config: str = "default", source: str | os.PathLike | None = None,
                revision: str | None = None) -> dict[str, pa.Table]:
    """One Arrow table per split of `split` ("all": train, validation, test), every file checksum-verified."""
    return read_tables(split, config, source, revision)[1]


def read_tables(split: str, config: str, source: Any, revision: str | None,
                 also: tuple[str, ...] = ()) -> tuple[Release, dict[str, pa.Table]]:
    """The release (with the files `also` names fetched and verified too) and one table per split: the loader's one
    resolve-fetch-verify-read, for the package's own readers (the site) as for `load`."""
    if config not in CONFIGS:
        raise CeasefireError(Problem("bad-config", f"unknown config {config!r}; expected one of {', '.join(CONFIGS)}"))
    splits = _splits(split)
    patterns = {s: split_glob(config, s) for s in splits}  # a split is one file or several shards
    release, listed = _resolve(source, revision, sorted([*patterns.values(), *also]))
    if listed is None:
        listed = read_sums(release.root)
    names = {s: sorted(n for n in listed if fnmatch.fnmatchcase(n, pat)) for s, pat in patterns.items()}
    verify(release.root, [n for s in splits for n in names[s]] + [n for n in also if n in listed], sums=listed,
           hint=_checksum_hint(release.repo_id))
    schema = CONFIGS[config]
    return release, {s: pa.concat_tables([pq.read_table(release.root / n, schema=schema) for n in names[s]])
                     if names[s] else schema.empty_table() for s in splits}


def load_table(split: str = "train", *, config: str = "default", source: str | os.PathLike | None = None,
               revision: str | None = None, path: str | os.PathLike | None = None) -> pa.Table:
    """The rows of `split` ("all" for every split) of `config` as an Arrow table; an empty split has every column."""
    tables = load_tables(split, config=config, source=_source(source, path), revision=revision)
    return pa.concat_tables(tables.values()) if len(tables) > 1 else next(iter(tables.values()))


def load(split: str = "train", *, config: str = "default", source: str | os.PathLike | None = None,
         revision: str | None = None, format: str = "pandas", path: str | os.PathLike | None = None) -> Any:
    """The rows of `split` (train, validation, test or all) of `config`.

    format="pandas": a DataFrame with Arrow-backed columns (pd.ArrowDtype; nested columns stay Arrow lists);
    "arrow": a pyarrow.Table; "datasets": a datasets.Dataset (split="all": a DatasetDict of the three splits).
    source: None ($CEASEFIRE_NEWS_SOURCE, else the embedded release), a release folder, "hub" or
    "hub:OWNER/NAME". revision: a tag, branch or commit on the Hub (default v<package version>); without a source,
    a revision other than the embedded release's own tag is read from the Hub; with a folder it is an error.
    """
    if format not in FORMATS:
        raise CeasefireError(Problem("bad-format", f"unknown format {format!r}; expected one of {', '.join(FORMATS)}"))
    source = _source(source, path)
    if format == "datasets":
        return _as_datasets(split, config, *read_tables(split, config, source, revision, also=(CARD,)))
    table = load_table(split, config=config, source=source, revision=revision)
    if format == "arrow":
        return table
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _as_datasets(split: str, config: str, release: Release, tables: dict[str, pa.Table]) -> Any:
    """`datasets` objects with the features the release's card declares (class names of `ner_tags` included)."""
    try:
        import datasets
    except ImportError as exc:
        raise missing_extra("load(format='datasets')", exc, "datasets") from None
    features = card_features(release.root, config)
    out = {}
    for s, t in tables.items():
        ds = datasets.Dataset(t, split=datasets.NamedSplit(s))
        out[s] = ds.cast(features) if features is not None and features != ds.features else ds
    return datasets.DatasetDict(out) if split == "all" else out[split]


def card_features(root: Path, config: str) -> Any:
    """The `datasets.Features` that the card (README.md) of the release at `root` declares for `config`, or None
    when the card is missing or does not declare that config (the tables' own Arrow types then stand)."""
    import datasets
    from huggingface_hub import metadata_load  # the card's YAML header; PyYAML comes with huggingface_hub

    card = root / CARD
    if not card.is_file():
        return None
    entries = (metadata_load(card) or {}).get("dataset_info") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict) and entry.get("config_name", "default") == config and "features" in entry:
            return _features_from_card(datasets, entry["features"])
    return None


def _features_from_card(datasets: Any, yaml_list: list) -> Any:
    """`datasets.Features` from a card's `features:` list, read the way `datasets` reads its own cards. That reader
    is not public API: a `datasets` without it gives None (the tables' own Arrow types stand) and a warning."""
    from_yaml = getattr(datasets.Features, "_from_yaml_list", None)
    if from_yaml is None:
        warnings.warn(f"datasets {datasets.__version__} cannot read a card's features: the Arrow types of the "
                      "Parquet files are used (ner_tags without class names)", RuntimeWarning, stacklevel=4)
        return None
    return from_yaml(yaml_list)


def _cue(c: dict | None) -> Cue | None:
    return Cue(**c) if c else None


def documents(split: str = "train", *, source: str | os.PathLike | None = None, revision: str | None = None,
              path: str | os.PathLike | None = None) -> Iterator[Document]:
    """Yield the documents of `split` (default config) as Document records, one at a time."""
    table = load_table(split, config="default", source=_source(source, path), revision=revision)
    for batch in table.to_batches(max_chunksize=256):
        for r in batch.to_pylist():
            entities = tuple(Entity(**e) for e in r["entities"])
            sources = tuple(Source(**{**s, "cue": _cue(s["cue"])}) for s in r["sources"])
            by_id: dict[str, Entity | Source] = {x.id: x for x in (*entities, *sources)}
            yield Document(
                id=r["id"], text=r["text"], title=r["title"], source=r["source"], url=r["url"],
                published=r["published"], language=r["language"], entities=entities,
                quotes=tuple(Quote(**{**q, "cue": _cue(q["cue"]), "speaker_entity": by_id.get(q["speaker_id"] or "")})
                             for q in r["quotes"]),
                sources=sources,
                captions=tuple(Caption(c["text"], c["credit"], c["agency"], c["photographer"],
                                       tuple(Entity(**e) for e in c["entities"])) for c in r["captions"]),
                text_sha256=r["text_sha256"])
