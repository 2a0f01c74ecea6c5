"""The Hugging Face dataset card (release README.md): a YAML header the Hub and `datasets` read, and the
template's sections filled from statistics computed at build time. Regenerated on every build."""
from __future__ import annotations

import json
from typing import Any, Mapping

import pyarrow as pa
import yaml

from . import __version__
from .annotations import ENTITY_LABELS
from .columns import CONFIGS, SPLITS, data_file

CARD_LICENSE_NAME = "publishers-copyright-research-only"


def arrow_to_hf(t: pa.DataType) -> Any:
    """An Arrow type as the `features` YAML of a dataset card."""
    if pa.types.is_struct(t):
        return [{"name": f.name, **_feature_body(f.type)} for f in t]
    raise TypeError(t)


def _feature_body(t: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(t):
        inner = t.value_type
        if pa.types.is_struct(inner):
            return {"list": arrow_to_hf(inner)}
        return {"list": {"dtype": _dtype(inner)}}
    if pa.types.is_struct(t):
        return {"struct": arrow_to_hf(t)}
    return {"dtype": _dtype(t)}


def _dtype(t: pa.DataType) -> str:
    if pa.types.is_string(t):
        return "string"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        return str(t) if not pa.types.is_boolean(t) else "bool"
    raise TypeError(t)


def features_yaml(schema: pa.Schema) -> list[dict[str, Any]]:
    return [{"name": f.name, **_feature_body(f.type)} for f in schema]


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "n>1M"


def header(stats: Mapping[str, Any], released: Mapping[str, list[str]]) -> dict[str, Any]:
    nonempty = [s for s in SPLITS if released[s]]
    configs = [{"config_name": c, **({"default": True} if c == "default" else {}),
                "data_files": [{"split": s, "path": data_file(c, s)} for s in nonempty]} for c in CONFIGS]
    infos = [{"config_name": c, "features": features_yaml(schema),
              "splits": [{"name": s, "num_examples": len(released[s])} for s in nonempty]}
             for c, schema in CONFIGS.items()]
    return {
        "pretty_name": "ceasefire-news",
        "license": "other",
        "license_name": CARD_LICENSE_NAME,
        "license_link": "LICENSE",
        "language": sorted({"en"}),
        "multilinguality": "monolingual",
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [_size_category(stats["documents"])],
        "annotations_creators": ["expert-generated", "machine-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["news", "conflict", "ceasefire", "quotation-attribution", "boilerplate-removal", "stand-off-annotation"],
        "configs": configs,
        "dataset_info": infos,
    }


def _table(rows: list[tuple], head: tuple) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render_card(stats: Mapping[str, Any], released: Mapping[str, list[str]], example: Mapping[str, Any] | None) -> str:
    """The whole card as Markdown with a YAML front matter."""
    head = yaml.safe_dump(header(stats, released), sort_keys=False, allow_unicode=True, width=120)
    split_rows = []
    for s in SPLITS:
        why = "" if released[s] else "empty with this few documents: left out of `configs`, files not written"
        split_rows.append((s, len(released[s]), stats["split_tokens"].get(s, 0), why))
    label_rows = [(k, v, ENTITY_LABELS.get(k, "")) for k, v in stats["entity_labels"].items()]
    removed_rows = [(k, v, stats["removed_chars"][k]) for k, v in stats["removed_kinds"].items()]
    removed_share = 1 - stats["body_chars"] / stats["full_chars"] if stats["full_chars"] else 0
    ex = json.dumps(_abridge(example), ensure_ascii=False, indent=2) if example else "(no document released)"
    sources = ", ".join(f"{k} ({v})" for k, v in stats["sources"].items()) or "none"
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

This release holds {stats['documents']} document(s) from: {sources}. Built by ceasefire-news {__version__}.

Load it with the `datasets` library (`load_dataset(path)` for the `default` config, `load_dataset(path, "full")`
for the normalised full text with every layer), or with the package: `ceasefire_news.load("all")`.

## Supported tasks

- Named-entity recognition (`entities`; OntoNotes-style labels).
- Quotation detection and attribution (`quotes`, with `speaker`).
- Unnamed-source attribution (`sources`).
- Boilerplate removal (`full` config: the `boilerplate` and `captions` layers over the full text).

## Languages

English (`en`), as published.

## Dataset structure

### Data instance (`default` config, abridged)

```json
{ex}
```

### Data fields (`default` config)

All offsets are **Unicode code points** into the row's `text`, **half-open** `[start, end)`:
`text[start:end]` in Python equals the span's `text`.

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
| `entities` | list of {{start, end, label, text}} | named entities in the body |
| `quotes` | list of {{start, end, text, speaker, kind}} | quotations (`direct`, `partial`, `scare`) and who is quoted |
| `sources` | list of {{start, end, text}} | attributions to unnamed sources |
| `captions` | list of {{text, credit, agency, photographer, entities}} | photo captions with credits; caption entities have offsets into the caption text |
| `text_sha256` | string | SHA-256 of the normalised full text the annotations are pinned to |

The `full` config has the same metadata columns, `text` is the normalised full text (boilerplate included),
and every layer keeps offsets into it: `entities`, `quotes`, `sources`, `captions` ({{start, end, text, credit,
agency, photographer}}), `boilerplate` ({{start, end, kind, text}}) and `paragraphs` ({{start, end}}).

### Data splits

Splits are assigned by a hash of a grouping key (the metadata `story` id, else the document id): stable as the
corpus grows, and versions of one story always share a split.

{_table(split_rows, ("split", "documents", "tokens", "note"))}

## Dataset creation

### Curation rationale

Scraped news text is full of boilerplate that leaks into models (reader appeals, sign-up prompts) and of
captions that interrupt the article. This corpus keeps the article text exact and records everything it
removes, so the body can be re-derived and the boilerplate studied.

### Source data

Articles as received from their publishers (raw bytes kept unmodified in the repository's `seeds/`).
Normalisation (versioned): UTF-8 with mojibake repair, Unicode NFC, line endings to `\\n`, special spaces to a
plain space, invisible characters removed, trailing spaces trimmed, runs of blank lines collapsed. Typographic
quotes and dashes are kept. Boilerplate is detected by rules kept as data (`rules/boilerplate.yaml`) and
generic signals; captions by their photo-credit patterns.

Removed from the body, by kind ({removed_share:.1%} of the normalised characters):

{_table(removed_rows, ("kind", "items", "characters")) if removed_rows else "(nothing removed)"}

### Annotations

Boilerplate, captions and paragraphs are automatic (`origin: auto`). Entities, quotations and unnamed sources
are made by hand by the maintainers following `docs/guidelines.md` in the repository, checked by the validator
(offsets, covered text, references). Entity labels:

{_table(label_rows, ("label", "count", "meaning")) if label_rows else "(no entities yet)"}

Quotations: {stats['layers'].get('quotes', 0)}; unnamed-source attributions: {stats['layers'].get('sources', 0)};
captions: {stats['layers'].get('captions', 0)}.

### Personal and sensitive information

The texts name public figures (officials, militants, hostages) and report on armed conflict, deaths and
detention. Nothing was added beyond what the publishers printed; no private individuals were researched.

## Considerations for using the data

### Bias, risks and limitations

- Few outlets so far (see above): the corpus carries their framing and editorial line, which is one side's
  perspective on the conflict.
- Terms such as "terror group" appear as the outlet uses them; the corpus does not adjudicate designations.
- Boilerplate detection is automatic and may err; the `full` config lets users check and re-derive the body.

## Additional information

### Licensing

The article texts remain the copyright of their publishers and are redistributed for non-commercial research
only (`license: other`). The annotations and code are the project's own.

### Citation

```bibtex
@misc{{ceasefire_news,
  title  = {{ceasefire-news: an annotated corpus of conflict and ceasefire news reporting}},
  note   = {{Release built by ceasefire-news {__version__}}},
}}
```

### Changelog

- {__version__}: first release: the `default` and `full` configs, automatic boilerplate and caption layers,
  hand-made entities, quotations and unnamed sources.
"""


def _abridge(row: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    out["text"] = row["text"][:300] + ("…" if len(row["text"]) > 300 else "")
    for k in ("entities", "quotes", "sources", "captions"):
        if isinstance(row.get(k), list) and len(row[k]) > 2:
            out[k] = row[k][:2] + [f"… {len(row[k]) - 2} more"]
    return out
