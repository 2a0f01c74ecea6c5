"""The Hugging Face dataset card (release README.md): a YAML header the Hub and `datasets` read, the template's
sections filled from statistics computed at build time, and `check_card`, which compares a built card with the
Parquet files it describes (counts, features, configs) and lists every disagreement. Regenerated on every build.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from ..hub import dataset_url

from .. import __version__
from ..annotations.files import ENTITY_LABELS
from ..columns import CONFIGS, SPLITS, data_file, data_files, split_glob, split_paths
from .ner import TAGS

CARD_LICENSE_NAME = "publishers-copyright-research-only"
LICENSE_FILE = "LICENSE.md"
# Columns whose integers are class indices: the card declares them as a ClassLabel with these names.
CLASS_LABELS: dict[tuple[str, str], Sequence[str]] = {("ner", "ner_tags"): TAGS}
SPLIT_TABLE_HEAD = ("split", "documents", "sentences (`ner`)", "tokens", "note")
LABEL_TABLE_HEAD = ("label", "spans (`full`)", "in the body (`default`)", "meaning")
EMPTY_NOTE = "empty: no document's group hashed here with this corpus and these ratios; no file, not in `configs`"


@dataclass
class CardData:
    """What the card is made from: build-time statistics and the sizes of what was written."""

    stats: Mapping[str, Any]
    released: Mapping[str, list[str]]
    rows: Mapping[str, Mapping[str, int]]  # config -> split -> rows (0 when empty)
    num_bytes: Mapping[str, Mapping[str, int]]  # config -> split -> Arrow bytes (non-empty splits only)
    download_size: Mapping[str, int]  # config -> Parquet bytes
    example: Mapping[str, Any] | None
    ratios: Sequence[float]
    chart: str
    threshold: float
    revision: str  # the tag it is published as (the examples load it)
    citation: str  # its BibTeX entry (Croissant's citeAs is the same)
    body_labels: Mapping[str, int] | None = None
    repo_id: str | None = None  # the Hub dataset this release is published as (links and load_dataset example)


def _hub_line(data: CardData) -> str:
    if not data.repo_id:
        return ""
    return (f" Published on the Hugging Face Hub as [{data.repo_id}]({dataset_url(data.repo_id)}), each release "
            f"tagged (this one: `{data.revision}`).")


def _load_dataset_line(data: CardData) -> str:
    if not data.repo_id:
        return 'ds = load_dataset("path/to/this/folder")            # default; "full" or "ner" as the second argument'
    return (f'ds = load_dataset("{data.repo_id}", revision="{data.revision}")  # default; "full" or "ner" as the '
            'second argument')


def citation(url: str | None, latest_published: str | None) -> str:
    """The BibTeX entry of the release (the card's and Croissant's `citeAs`): `url` the dataset's Hub page,
    `year` that of the newest article released (from the data, never the clock); each left out when unknown."""
    fields = [("title", "{ceasefire-news: an annotated corpus of conflict and ceasefire news reporting}"),
              ("author", "{{ceasefire-news maintainers}}")]
    fields += [("year", f"{{{latest_published[:4]}}}")] if latest_published else []
    fields += [("url", f"{{{url}}}")] if url else []
    fields += [("note", f"{{Release built by ceasefire-news {__version__}}}")]
    return "@misc{ceasefire_news,\n" + "".join(f"  {k:<6} = {v},\n" for k, v in fields) + "}"


def _package_hub(data: CardData) -> str:
    if not data.repo_id:
        return ""
    return f', or from the Hub: `ceasefire_news.load("all", source="hub:{data.repo_id}", revision="{data.revision}")`'


# ------------------------------------------------------------------------------------------------ features
def _dtype(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return str(t)
    raise TypeError(f"no dataset-card dtype for {t}")


def _feature(name: str, t: pa.DataType, class_names: Sequence[str] | None = None) -> dict[str, Any]:
    """One feature in the `datasets` YAML form (the form `Features._to_yaml_list` writes)."""
    if pa.types.is_list(t):
        inner = t.value_type
        if class_names is not None:
            return {"name": name, "list": {"class_label": {"names": {str(i): n for i, n in enumerate(class_names)}}}}
        if pa.types.is_struct(inner):
            return {"name": name, "list": [_feature(f.name, f.type) for f in inner]}
        return {"name": name, "list": _dtype(inner)}
    if pa.types.is_struct(t):
        return {"name": name, "struct": [_feature(f.name, f.type) for f in t]}
    if class_names is not None:
        return {"name": name, "class_label": {"names": {str(i): n for i, n in enumerate(class_names)}}}
    return {"name": name, "dtype": _dtype(t)}


def features_yaml(schema: pa.Schema, config: str = "default") -> list[dict[str, Any]]:
    return [_feature(f.name, f.type, CLASS_LABELS.get((config, f.name))) for f in schema]


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "n>1M"


def split_path(config: str, split: str, rows: int) -> str:
    """The card's `path` of a split: its file, or a pattern over its files when it is sharded."""
    names = data_files(config, split, rows)
    return names[0] if len(names) == 1 else split_glob(config, split)


def header(data: CardData) -> dict[str, Any]:
    nonempty = {c: [s for s in SPLITS if data.rows[c].get(s)] for c in CONFIGS}
    configs = [{"config_name": c, **({"default": True} if c == "default" else {}),
                "data_files": [{"split": s, "path": split_path(c, s, data.rows[c][s])} for s in nonempty[c]]}
               for c in CONFIGS if nonempty[c]]
    infos = [{"config_name": c, "features": features_yaml(schema, c),
              "splits": [{"name": s, "num_bytes": data.num_bytes[c][s], "num_examples": data.rows[c][s]}
                         for s in nonempty[c]],
              "download_size": data.download_size[c],
              "dataset_size": sum(data.num_bytes[c][s] for s in nonempty[c])}
             for c, schema in CONFIGS.items() if nonempty[c]]
    languages = sorted({lang.split("-")[0] for lang in data.stats.get("languages", ["en"])}) or ["en"]
    return {
        "pretty_name": "ceasefire-news",
        "license": "other",
        "license_name": CARD_LICENSE_NAME,
        "license_link": LICENSE_FILE,
        "language": languages,
        "multilinguality": "monolingual",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [_size_category(data.stats["documents"])],
        "annotations_creators": ["expert-generated", "machine-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["news", "conflict", "ceasefire", "quotation-attribution", "boilerplate-removal", "stand-off-annotation"],
        "configs": configs,
        "dataset_info": infos,
    }


# ------------------------------------------------------------------------------------------------ text
# Characters that could start Markdown or HTML markup, or a new line (a heading, a table row, a YAML front
# matter): a value from the metadata is written with these as HTML character references, so it reads the
# same on the page, html.unescape gives it back exactly, and it can open no element, link, section or key.
_MD_UNSAFE = re.compile(r"[\\`*_\[\]<>&|#~!{}()\n\r\t\x00-\x1f\x7f\u2028\u2029]")


def inert_json(value: object) -> str:
    """JSON for a fenced block of the card: `<`, `>`, `&` and backticks written as \\u escapes (JSON reads them
    back exactly), so no value can close the fence or open an HTML element, whatever renders the card."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("`", "\\u0060")


def md_inline(value: object) -> str:
    """A metadata value (an outlet's name, a rights note) as inert inline Markdown text."""
    return _MD_UNSAFE.sub(lambda m: f"&#{ord(m.group(0))};", str(value))


def _table(rows: list[tuple], head: tuple) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _abridge(row: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    out["text"] = row["text"][:300] + ("…" if len(row["text"]) > 300 else "")
    for k in ("entities", "quotes", "sources", "captions"):
        if isinstance(row.get(k), list) and len(row[k]) > 2:
            out[k] = row[k][:2] + [f"… {len(row[k]) - 2} more"]
    return out


def license_text(rights: Sequence[tuple[str, str]]) -> str:
    """LICENSE.md of the release: the terms the card's `license_link` points to, with each outlet's rights note."""
    notes = "\n".join(f"- **{md_inline(source)}**: {md_inline(note)}" for source, note in rights) \
        or "- (no documents released)"
    return f"""# Terms of use of the ceasefire-news release

The article texts in this release (the `text` column of every config, the `tokens` of the `ner` config, and the
captions and boilerplate spans copied from the articles) remain the copyright of their publishers. They are
redistributed for non-commercial research on news reporting only; no other right is granted. Do not republish
the texts. A publisher who wants a text removed can ask the maintainers, and it will be dropped from the next
release.

Rights statements recorded for the outlets in this release (from each document's metadata):

{notes}

The software that builds the release (the `ceasefire-news` Python package) is distributed under the MIT licence.
"""


def render_card(data: CardData) -> str:
    """The whole card as Markdown with a YAML front matter."""
    st = data.stats
    head = yaml.safe_dump(header(data), sort_keys=False, allow_unicode=True, width=120)
    split_rows = [(s, data.rows["default"].get(s, 0), data.rows["ner"].get(s, 0), st["split_tokens"].get(s, 0),
                   "" if data.rows["default"].get(s) else EMPTY_NOTE) for s in SPLITS]
    body_labels = data.body_labels if data.body_labels is not None else st.get("body_labels", {})
    label_rows = [(k, v, body_labels.get(k, 0), ENTITY_LABELS.get(k, "")) for k, v in st["entity_labels"].items()]
    removed_rows = [(k, v, st["removed_chars"][k]) for k, v in st["removed_kinds"].items()]
    removed_share = 1 - st["body_chars"] / st["full_chars"] if st["full_chars"] else 0
    ex = inert_json(_abridge(data.example)) if data.example else "(no document released)"
    sources = ", ".join(f"{md_inline(k)} ({v} document{'s' if v != 1 else ''})"
                        for k, v in st["sources"].items()) or "none"
    origins = st.get("origins", {})
    manual = {layer: origins.get(f"{layer}:manual", 0) for layer in ("entities", "quotes", "sources")}
    unrep = st.get("ner_unrepresented", {})
    unrep_text = (", ".join(f"{v} {k}" for k, v in unrep.items()) if unrep else "none")
    ratios = "/".join(f"{r:g}" for r in data.ratios)
    stats_rows = [
        ("documents released", st["documents"]), ("documents rejected by the validator", st["rejected"]),
        ("tokens in the clean bodies (`ner` tokeniser)", st["tokens"]),
        ("sentences (`ner` rows)", sum(data.rows["ner"].values())),
        ("characters: normalised full text", st["full_chars"]), ("characters: clean body", st["body_chars"]),
        ("entities (all, `full`)", st["layers"].get("entities", 0)),
        ("quotations", st["layers"].get("quotes", 0)), ("unnamed-source attributions", st["layers"].get("sources", 0)),
        ("captions", st["layers"].get("captions", 0)), ("boilerplate spans", st["layers"].get("boilerplate", 0)),
        ("near-duplicate pairs (Jaccard >= " + f"{data.threshold:g})", st.get("near_duplicate_pairs", 0)),
        ("split groups", st.get("groups", 0)),
    ]
    return f"""---
{head}---

# Dataset card for ceasefire-news

## Dataset summary

ceasefire-news is an annotated corpus of news reporting on conflicts and ceasefires, built for NLP and
computational-social-science research on how such events are reported: who is quoted, which actors are
named, and what unnamed sources claim. Each article comes as clean body text (newsletter sign-ups, reader
appeals, membership prompts, share and related-link lines removed; photo captions moved to their own field)
with stand-off annotations: named entities, quotations with their speakers, unnamed-source attributions,
captions with photo credits, and every removed boilerplate span with its kind.

This release holds {st['documents']} document(s) from: {sources}. Built by ceasefire-news {__version__}.{_hub_line(data)}

| statistic | value |
|---|---|
{chr(10).join(f"| {k} | {v} |" for k, v in stats_rows)}

Three configurations:

- `default`: one row per article, the clean body with every span projected onto it;
- `full`: one row per article, the normalised full text with every layer (boilerplate, captions, paragraphs
  included) in its own offsets, for studying the boilerplate or re-deriving the body;
- `ner`: one row per sentence of the clean body, tokens with IOB2 tags, for token classification.

```python
from datasets import load_dataset
{_load_dataset_line(data)}
```

or with the package: `ceasefire_news.load("all")`, `ceasefire_news.load("all", config="ner")`{_package_hub(data)}.

## Supported tasks

- Named-entity recognition: spans in `entities` (`default`, `full`), or token tags in `ner` (OntoNotes-style labels).
- Quotation detection and attribution (`quotes`, with `speaker` and `kind`).
- Unnamed-source attribution (`sources`).
- Boilerplate removal and caption detection (`full`: the `boilerplate` and `captions` layers over the full text).

## Languages

English (`en`), as published by the outlets.

## Dataset structure

### Data instance (`default` config, abridged)

```json
{ex}
```

### Data fields

All offsets are **Unicode code points** into the row's `text`, **half-open** `[start, end)`: in Python
`text[start:end]` equals the span's `text`.

`default` config:

| field | type | description |
|---|---|---|
| `id` | string | document id (`^[a-z0-9][a-z0-9_-]{{0,127}}$`) |
| `text` | string | the clean article body: normalised, boilerplate and captions removed, paragraphs separated by one blank line |
| `title` | string or null | headline, when known (null, never invented) |
| `source` | string | the outlet |
| `url` | string or null | the article's address, when known |
| `published` | string or null | publication date, ISO 8601 |
| `published_basis` | string | how the date is known: `stated`, `inferred` or `unknown` |
| `language` | string | BCP 47 language tag |
| `entities` | list of {{id, start, end, label, text}} | named entities in the body; `id` is the annotation id, unique in the document |
| `quotes` | list of {{id, start, end, text, speaker, kind, speaker_id, cue}} | quotations (`direct`, `partial`, `scare`); `speaker` says who in words, `speaker_id` (nullable) is the `id` of the speaker's entity or source, `cue` (nullable {{start, end, text}}) the reporting verb |
| `sources` | list of {{id, start, end, text, anonymity, cue}} | attributions to unnamed sources; `anonymity` is `unnamed`, `anonymous` or `official-unnamed` (nullable) |
| `captions` | list of {{text, credit, agency, photographer, entities}} | photo captions with credits; caption entities have offsets into the caption text |
| `text_sha256` | string | SHA-256 of the normalised full text the annotations are pinned to |

`full` config: the same metadata columns; `text` is the normalised full text (boilerplate and captions
included) and every layer keeps offsets into it: `entities`, `quotes`, `sources`, `captions` ({{start, end,
text, credit, agency, photographer}}), `boilerplate` ({{start, end, kind, text, rule}}; `rule` is the id of the rule or
the name of the signal that removed the span, null for a hand-made span) and `paragraphs` ({{start, end}}).

`ner` config:

| field | type | description |
|---|---|---|
| `id` | string | `<doc_id>-<sentence_index>` (four digits) |
| `doc_id` | string | the document (`id` of the `default` config) |
| `sentence_index` | int32 | position of the sentence in the clean body, from 0 |
| `tokens` | list of string | the sentence's tokens |
| `ner_tags` | list of ClassLabel | IOB2 tags, one per token ({len(TAGS)} names: `O`, then `B-`/`I-` for each label) |

Tokens and sentences come from simple regular expressions (documented in the package's `ner` module): a
token is a word (inner apostrophes kept), a possessive `'s`, a number with inner separators, a dotted acronym,
or one punctuation character (hyphens split); a sentence ends at a line break, or at `.`, `!`, `?` followed
by a capital, never after a known abbreviation and never inside an entity. A span the token view cannot hold
is left out of `ner_tags` and listed in `ner_report.json`: {unrep_text}. Nested entities keep the longest span.

### Data splits

Every document is in exactly one split. A split is chosen by a hash of the document's group key, with ratios
{ratios} (train/validation/test), so the split of a group never depends on the other documents: adding
documents moves no existing one, except when a new document joins a group under a smaller id or bridges two
groups (an explicit `story` id pins a group for good; the build reports any document that moved). A group joins versions and copies of one story so nothing leaks between splits: documents with
the same `story` id in their metadata, and near-duplicates (Jaccard >= {data.threshold:g} between the sets of
5-word shingles of their clean bodies; candidates from MinHash LSH, then checked exactly). The group key is the
group's smallest `story` id, else its smallest document id. `ner` rows follow their document's split.

{_table(split_rows, SPLIT_TABLE_HEAD)}

A split with no documents has no Parquet file and is not declared in `configs` (the `datasets` library cannot
load an empty split); `ceasefire_news.load(split)` returns it as an empty table with every column.

## Dataset creation

### Curation rationale

Scraped news text is full of boilerplate that leaks into models (reader appeals, sign-up prompts) and of
captions that interrupt the article. This corpus keeps the article text exact and records everything it
removes, so the body can be re-derived and the boilerplate studied.

### Source data

Articles as received from their publishers (raw bytes kept unmodified in the repository's `seeds/`, each with a
metadata sidecar: outlet, language, date and how it is known, rights). Normalisation (versioned): UTF-8 with
mojibake repair, Unicode NFC, line endings to `\\n`, special spaces to a plain space, invisible characters
removed, trailing spaces trimmed, runs of blank lines collapsed; typographic quotes and dashes are kept.
Boilerplate is detected by rules kept as data (`rules/boilerplate.yaml`) and generic signals; captions by their
photo-credit patterns. The source language producers are the outlets' journalists and wire services.

Removed from the body, by kind ({removed_share:.1%} of the normalised characters):

{_table(removed_rows, ("kind", "items", "characters")) if removed_rows else "(nothing removed)"}

### Annotations

Boilerplate, captions and paragraphs are automatic (`origin: auto`), made by the package's rules. Entities,
quotations and unnamed sources are made by hand by the project's maintainers following the annotation
guidelines in the repository (`docs/`), and checked by the validator (offsets, covered text, references,
labels). Hand-made items in this release: {manual['entities']} entities, {manual['quotes']} quotations,
{manual['sources']} unnamed-source attributions. Each item's `origin` is kept in the repository's annotation files.

Entity labels (counts over the full text; the body column excludes entities inside removed captions and
boilerplate):

{_table(label_rows, LABEL_TABLE_HEAD) if label_rows else "(no entities annotated yet)"}

![Entity label distribution]({data.chart})

Quotations: {st['layers'].get('quotes', 0)} ({", ".join(f"{v} {k}" for k, v in st.get("quote_kinds", {}).items()) or "none"}); unnamed-source attributions: {st['layers'].get('sources', 0)};
captions: {st['layers'].get('captions', 0)}.

### Personal and sensitive information

The texts name public figures (officials, diplomats, militants) and private people who appear in the news, such
as hostages, soldiers and victims, and report on armed conflict, deaths, captivity and detention. Nothing was
added beyond what the publishers printed, no private individuals were researched, and no attempt was made to
identify anyone not named in the text. Political opinions and affiliations appear as reported.

## Considerations for using the data

### Social impact

The corpus supports research on how conflict is reported (who gets quoted, how unnamed sources are used). Models
trained on it learn the outlets' framing, which may be used to amplify one side's narrative.

### Bias, risks and limitations

- Few outlets so far ({sources}): the corpus carries their framing and editorial line, which reflects one
  side's perspective on the conflict; it is not a balanced sample of coverage.
- Labels such as "terror group" appear as the outlet uses them; the corpus does not adjudicate designations,
  and the annotations mark names, not judgements.
- Boilerplate and caption detection is automatic and may err; the `full` config lets users check and re-derive
  the body.
- Dates may be inferred (`published_basis`); URLs and titles are null when unknown.
- With a small corpus some splits may be empty or tiny; evaluation numbers on them are not meaningful.

## Additional information

### Dataset curators

The ceasefire-news maintainers.

### Licensing

`license: other`: the article texts remain the copyright of their publishers and are redistributed for
non-commercial research only; see [{LICENSE_FILE}]({LICENSE_FILE}) in this release for the terms and each
outlet's rights statement. The package that builds the release is MIT-licensed.

### Files

`data/` holds the Parquet files (explicit Arrow schemas, zstd, dictionary-encoded labels), `croissant.json` the
Croissant description (with RAI fields), `manifest.json` the versions, parameters and the SHA-256 of every input,
`ner_report.json` the spans the token view cannot hold, `rejections.json` documents left out and why, and
`SHA256SUMS` the SHA-256 of every file. The same inputs give byte-identical files.

### Citation

```bibtex
{data.citation}
```

`url` is the dataset's page on the Hub; `year` is the year of the newest article in this release (the greatest
`published` date; left out when no article is dated), so the same inputs give the same entry.

### Changelog

- {__version__}: three configs (`default`, `full`, `ner`); splits by story and near-duplicate groups;
  Croissant metadata; automatic boilerplate and caption layers; hand-made entities, quotations and unnamed
  sources.
"""


# ------------------------------------------------------------------------------------------------ drift check
def parse_card(text: str) -> tuple[dict[str, Any], str]:
    """(YAML header, Markdown body) of a card."""
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not m:
        raise ValueError("the card has no YAML front matter")
    return yaml.safe_load(m.group(1)), text[m.end():]


def markdown_table(body: str, head: Sequence[str]) -> list[list[str]]:
    """The rows of the Markdown table whose header row is `head`."""
    lines = body.splitlines()
    first = "| " + " | ".join(head) + " |"
    try:
        i = lines.index(first)
    except ValueError:
        return []
    rows = []
    for line in lines[i + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _label_counts(table: pa.Table) -> Counter:
    return Counter(e["label"] for ents in table.column("entities").to_pylist() for e in ents)


def check_card(release: str | Path) -> list[str]:
    """Every disagreement between the release's card and its Parquet files (empty when they agree)."""
    release = Path(release)
    meta, body = parse_card((release / "README.md").read_text(encoding="utf-8"))
    problems: list[str] = []
    tables: dict[str, dict[str, pa.Table]] = {c: {} for c in CONFIGS}
    for c in CONFIGS:
        for s in SPLITS:
            files = split_paths(release, c, s)
            if files:
                tables[c][s] = pa.concat_tables([pq.read_table(f) for f in files])
    on_disk = sorted(str(p.relative_to(release)) for p in (release / "data").rglob("*.parquet"))
    expected = sorted(data_files(c, s, tables[c][s].num_rows) for c in CONFIGS for s in tables[c])
    expected = sorted(n for names in expected for n in names)
    if on_disk != expected:
        problems.append(f"unexpected Parquet files: {sorted(set(on_disk) ^ set(expected))}")
    configs = {x["config_name"]: x for x in meta.get("configs", [])}
    for c in CONFIGS:
        declared = {d["split"]: d["path"] for d in configs.get(c, {}).get("data_files", [])}
        present = {s: split_path(c, s, tables[c][s].num_rows) for s in tables[c]}
        if declared != present:
            problems.append(f"configs[{c}] declares {declared}, the files are {present}")
    infos = {x["config_name"]: x for x in meta.get("dataset_info", [])}
    for c in CONFIGS:
        info = infos.get(c)
        if not tables[c]:
            if info:
                problems.append(f"dataset_info describes config {c!r}, which has no files")
            continue
        if not info:
            problems.append(f"dataset_info lacks config {c!r}")
            continue
        for s, t in tables[c].items():
            want = features_yaml(t.schema, c)
            if info["features"] != want:
                problems.append(f"dataset_info[{c}] features differ from the schema of {data_file(c, s)}")
                break
        splits = {x["name"]: x for x in info.get("splits", [])}
        if set(splits) != set(tables[c]):
            problems.append(f"dataset_info[{c}] splits {sorted(splits)} but files for {sorted(tables[c])}")
        for s, t in tables[c].items():
            x = splits.get(s, {})
            if x.get("num_examples") != t.num_rows:
                problems.append(f"dataset_info[{c}][{s}] num_examples {x.get('num_examples')} != {t.num_rows} rows")
            if x.get("num_bytes") != t.nbytes:
                problems.append(f"dataset_info[{c}][{s}] num_bytes {x.get('num_bytes')} != {t.nbytes}")
        if ("ner", "ner_tags") in CLASS_LABELS and c == "ner":
            top = max((max(tags, default=0) for t in tables[c].values() for tags in t.column("ner_tags").to_pylist()),
                      default=0)
            if top >= len(TAGS):
                problems.append(f"ner_tags holds index {top}, the ClassLabel has {len(TAGS)} names")
    split_rows = {r[0]: r for r in markdown_table(body, SPLIT_TABLE_HEAD)}
    if sorted(split_rows) != sorted(SPLITS):
        problems.append(f"the split table lists {sorted(split_rows)}, expected {list(SPLITS)}")
    for s, r in split_rows.items():
        docs = tables["default"][s].num_rows if s in tables["default"] else 0
        sents = tables["ner"][s].num_rows if s in tables["ner"] else 0
        tokens = sum(len(x) for x in tables["ner"][s].column("tokens").to_pylist()) if s in tables["ner"] else 0
        if (r[1], r[2], r[3]) != (str(docs), str(sents), str(tokens)):
            problems.append(f"split table row {s}: {r[1:4]} but the files hold {docs} documents, {sents} sentences, "
                            f"{tokens} tokens")
        if docs == 0 and not r[4]:
            problems.append(f"split table row {s}: empty split without a note")
    full_labels = sum((_label_counts(t) for t in tables["full"].values()), Counter())
    body_labels = sum((_label_counts(t) for t in tables["default"].values()), Counter())
    card_labels = {r[0]: (int(r[1]), int(r[2])) for r in markdown_table(body, LABEL_TABLE_HEAD)}
    data_labels = {k: (full_labels[k], body_labels[k]) for k in full_labels}
    if card_labels != data_labels:
        problems.append(f"label table {card_labels} but the files hold {data_labels}")
    return problems
