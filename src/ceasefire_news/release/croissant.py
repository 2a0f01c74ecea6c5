"""croissant.json: the release described in Croissant 1.0 (JSON-LD) with the Responsible-AI (RAI) fields that apply.

Files are `cr:FileObject`s with their SHA-256; each config is a `cr:FileSet` (glob over its split files) and a
`cr:RecordSet` whose fields mirror the config's Arrow schema (lists are `repeated`, structs have `subField`s read
with a jsonPath into their column), in the shape mlcroissant reads back exactly (tests/test_croissant.py): a struct
inside a list's items is flattened into dotted subFields (`quotes` `cue.start`), and a list inside a list's items
(a `default` caption's `entities`) is left out, its column's description saying where the same data is.
The `ner` tag names are an enumeration record set (`ner_tags` holds indices into it; a `references` link is left
out because mlcroissant cannot join a repeated field to it). The JSON-LD `@context` is written
inline (the standard Croissant 1.0 terms), so reading the file never needs the network. No `datePublished`:
the release carries no timestamps (byte-identical builds), so mlcroissant warns that it is missing.
"""
from __future__ import annotations

import hashlib
from fnmatch import fnmatch
from typing import Any, Mapping

import pyarrow as pa

from .. import __version__
from ..columns import CONFIGS, SPLITS, split_glob
from .card import CARD_LICENSE_NAME, LICENSE_FILE
from .ner import TAGS

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

FIELD_DESCRIPTIONS = {
    "id": "Document id (for `ner`: <doc_id>-<sentence_index>).",
    "doc_id": "The document a sentence belongs to.",
    "sentence_index": "Position of the sentence in the clean body, from 0.",
    "tokens": "The sentence's tokens.",
    "ner_tags": "IOB2 tag indices, one per token; names in the ner_tag_names record set.",
    "text": "Article text: the clean body (default) or the normalised full text (full).",
    "title": "Headline when known, else null.",
    "source": "The outlet.",
    "url": "The article's address when known, else null.",
    "published": "Publication date, ISO 8601, or null.",
    "published_basis": "How the date is known: stated, inferred or unknown.",
    "language": "BCP 47 language tag.",
    "entities": "Named entities; start/end are code-point offsets into text, half-open.",
    "quotes": "Quotations with speaker and kind; offsets into text. cue.start, cue.end, cue.text: the reporting "
              "verb (the Parquet struct `cue`), null when none is marked.",
    "sources": "Attributions to unnamed sources; offsets into text. cue.start, cue.end, cue.text: the reporting "
               "verb (the Parquet struct `cue`), null when none is marked.",
    "captions": "Photo captions with credits.",
    "boilerplate": "Removed boilerplate spans with their kind and the rule or signal that removed them; offsets into text.",
    "paragraphs": "Paragraph spans of the full text.",
    "text_sha256": "SHA-256 of the normalised full text the annotations are pinned to.",
}


# Lists inside a list's items, which the record sets leave out (see `_sub_fields`): where their data is instead.
NESTED_LISTS = {
    ("default", "captions"): " Each caption's own `entities` (id, start, end, label, text; offsets into the caption "
                             "text), in the Parquet files, are not described here: Croissant readers cannot read a "
                             "list inside a list's items. They are the `full` record set's entities that lie within "
                             "the caption's span (`full` captions start/end), their offsets shifted by its start.",
}


def _data_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "sc:Integer"
    if pa.types.is_floating(t):
        return "sc:Float"
    if pa.types.is_boolean(t):
        return "sc:Boolean"
    return "sc:Text"


def _field(config: str, fileset: str, name: str, t: pa.DataType) -> dict[str, Any]:
    """A column as a field: a list is `repeated`; a list of structs has one subField per struct member (see
    `_sub_fields`)."""
    out: dict[str, Any] = {"@type": "cr:Field", "@id": f"{config}/{name}", "name": name,
                           "description": FIELD_DESCRIPTIONS.get(name, name) + NESTED_LISTS.get((config, name), "")}
    inner = t.value_type if pa.types.is_list(t) else t
    if pa.types.is_list(t):
        out["repeated"] = True
    if pa.types.is_struct(inner):
        out["subField"] = _sub_fields(config, fileset, name, inner)
    else:
        out["dataType"] = _data_type(inner)
    out["source"] = {"fileSet": {"@id": fileset}, "extract": {"column": name}}
    return out


def _sub_fields(config: str, fileset: str, column: str, struct: pa.StructType,
                prefix: str = "") -> list[dict[str, Any]]:
    """The members of the struct held by `column` as subFields of its field, each read from the column with a
    jsonPath relative to the struct. mlcroissant places a subField's values inside its parent only one level
    deep, so a struct member that is itself a struct (a quote's `cue`) is flattened into dotted subFields
    (`cue.start`, jsonPath `cue.start`: null when the cue is), and a member that is a list (a caption's
    `entities`) is left out: no jsonPath yields a list per item, and the column's description says where the
    same data is (NESTED_LISTS: a list member without an entry there is an error, never a silent gap)."""
    out: list[dict[str, Any]] = []
    for member in struct:
        path = f"{prefix}{member.name}"
        if pa.types.is_list(member.type) and (config, column) not in NESTED_LISTS:
            raise ValueError(f"croissant: {config} column {column!r} has a list inside its items ({path}), which "
                             "Croissant readers cannot read: add where its data is to NESTED_LISTS")
        if pa.types.is_struct(member.type):
            out.extend(_sub_fields(config, fileset, column, member.type, f"{path}."))
        elif not pa.types.is_list(member.type):
            out.append({"@type": "cr:Field", "@id": f"{config}/{column}/{path}", "name": path,
                        "dataType": _data_type(member.type),
                        "source": {"fileSet": {"@id": fileset}, "extract": {"column": column},
                                   "transform": {"jsonPath": path}}})
    return out


def _size_sha256(data: bytes | tuple[int, str]) -> tuple[int, str]:
    return (len(data), hashlib.sha256(data).hexdigest()) if isinstance(data, (bytes, bytearray)) else data


def croissant(data_files: Mapping[str, bytes | tuple[int, str]], stats: Mapping[str, Any],
              rows: Mapping[str, Mapping[str, int]], *, cite_as: str, url: str = "README.md",
              license_url: str = LICENSE_FILE) -> dict[str, Any]:
    """The Croissant JSON-LD of a release whose Parquet files are `data_files` (path -> bytes, or the file's
    (size, sha256 hex) when the build streamed it to disk); `url`: its home (the Hub dataset page when the
    release is published there, else the card); `license_url`: where its terms (LICENSE.md) can be read; `cite_as`:
    its BibTeX entry (the card's)."""
    distribution: list[dict[str, Any]] = []
    for name in sorted(data_files):
        size, sha = _size_sha256(data_files[name])
        distribution.append({"@type": "cr:FileObject", "@id": name, "name": name, "contentUrl": name,
                             "encodingFormat": "application/x-parquet", "contentSize": f"{size} B",
                             "sha256": sha})
    record_sets: list[dict[str, Any]] = [{
        "@type": "cr:RecordSet", "@id": "ner_tag_names", "name": "ner_tag_names",
        "description": "The IOB2 tag names of the ner config: ner_tags holds indices into this list.",
        "dataType": "sc:Enumeration", "key": {"@id": "ner_tag_names/index"},
        "field": [{"@type": "cr:Field", "@id": "ner_tag_names/index", "name": "index", "dataType": "sc:Integer"},
                  {"@type": "cr:Field", "@id": "ner_tag_names/name", "name": "name", "dataType": "sc:Text"}],
        "data": [{"ner_tag_names/index": i, "ner_tag_names/name": t} for i, t in enumerate(TAGS)],
    }]
    for config, schema in CONFIGS.items():
        files = {s: [n for n in sorted(data_files) if fnmatch(n, split_glob(config, s))] for s in SPLITS}
        present = [s for s in SPLITS if files[s]]
        if not present:
            continue
        fileset = f"parquet-{config}"
        distribution.append({"@type": "cr:FileSet", "@id": fileset, "name": fileset,
                             "description": f"Parquet files of the {config} config, one per non-empty split.",
                             "encodingFormat": "application/x-parquet",
                             "includes": [n for s in present for n in files[s]]})
        fields = [_field(config, fileset, f.name, f.type) for f in schema]
        fields.append({"@type": "cr:Field", "@id": f"{config}/split", "name": "split", "dataType": "sc:Text",
                       "description": "train, validation or test (from the file name).",
                       "source": {"fileSet": {"@id": fileset}, "extract": {"fileProperty": "filename"},
                                  "transform": {"regex": r"^(train|validation|test)-\d{5}-of-\d{5}\.parquet$"}}})
        record_sets.append({"@type": "cr:RecordSet", "@id": config, "name": config,
                            "description": _CONFIG_DESCRIPTIONS[config]
                            + f" Rows per split: {', '.join(f'{s} {rows[config].get(s, 0)}' for s in SPLITS)}.",
                            "field": fields})
    sources = ", ".join(stats.get("sources", {})) or "none yet"
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "ceasefire-news",
        "description": "An annotated corpus of news reporting on conflicts and ceasefires: clean article bodies with "
                       "stand-off named entities, quotations with speakers, unnamed-source attributions, captions with "
                       "photo credits and every removed boilerplate span.",
        "conformsTo": CONFORMS_TO,
        "version": __version__,
        "license": {"@type": "sc:CreativeWork", "name": CARD_LICENSE_NAME, "url": license_url},
        "url": url,
        "inLanguage": sorted(stats.get("languages", ["en"])),
        "keywords": ["news", "conflict", "ceasefire", "named-entity recognition", "quotation attribution",
                     "boilerplate removal"],
        "creator": {"@type": "sc:Organization", "name": "ceasefire-news maintainers"},
        "citeAs": cite_as,
        "isAccessibleForFree": True,
        "rai:dataCollection": f"News articles as received from their publishers ({sources}), kept byte for byte; "
                              "each has a metadata sidecar (outlet, language, date and how it is known, rights).",
        "rai:dataCollectionType": "Secondary data: published news articles.",
        "rai:dataPreprocessingProtocol": "Versioned normalisation (UTF-8 with mojibake repair, NFC, line endings, "
                                         "special spaces, invisible characters); rule-based boilerplate and caption "
                                         "detection (rules kept as data); the clean body is a view that removes them.",
        "rai:dataAnnotationProtocol": "Boilerplate, captions and paragraphs are automatic. Entities (OntoNotes-style "
                                      "labels), quotations and unnamed sources are made by hand following the "
                                      "project's guidelines and checked by a validator (offsets, covered text).",
        "rai:dataAnnotationPlatform": "Stand-off JSON files in a git repository, edited by hand.",
        "rai:annotationsPerItem": "One annotator per document.",
        "rai:machineAnnotationTools": f"ceasefire-news {__version__} (rule-based boilerplate and caption detection).",
        "rai:dataUseCases": "Research on conflict reporting: named-entity recognition, quotation and unnamed-source "
                            "attribution, boilerplate removal. Not validated for automated decisions about people.",
        "rai:dataBiases": "Few outlets so far, carrying their framing and one side's perspective on the conflict; "
                          "designations such as 'terror group' appear as the outlet uses them.",
        "rai:dataLimitations": "Small corpus; automatic boilerplate detection may err; dates may be inferred; "
                               "spans the token view cannot hold are left out of the ner tags (ner_report.json).",
        "rai:dataSocialImpact": "Supports scrutiny of how conflict is reported; models trained on it learn the "
                                "outlets' framing.",
        "rai:personalSensitiveInformation": "Names of public figures and of private people in the news (hostages, "
                                            "soldiers, victims); reports of violence, death and detention. Nothing "
                                            "beyond what the publishers printed.",
        "rai:dataReleaseMaintenancePlan": "Rebuilt from the repository on every change; releases are reproducible "
                                          "byte for byte and carry SHA-256 checksums; texts are removed on a "
                                          "publisher's request.",
        "distribution": distribution,
        "recordSet": record_sets,
    }


_CONFIG_DESCRIPTIONS = {
    "default": "One row per article: the clean body with entities, quotes and sources projected onto it.",
    "full": "One row per article: the normalised full text with every layer in its own offsets.",
    "ner": "One row per sentence of the clean body: tokens and IOB2 tags.",
}
