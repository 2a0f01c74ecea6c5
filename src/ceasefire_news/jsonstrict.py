"""Duplicate keys in JSON: detected and reported, never resolved silently by "the last one wins".

JSON parsers (the standard library, orjson) keep the last value of a repeated key, so a file saying
`"start": 5, ..., "start": 50` validates as if the first never existed. `duplicate_keys` finds every
repeated key with the JSON pointer of its object; `surely_unique` is the validator's cheap gate, exact
but not complete: True only when the file provably has no repeated key (then the slow search is skipped).
"""
from __future__ import annotations

import json
from typing import Any

from .schemas import pointer

try:
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover - orjson is a dependency
    _dumps = None


def surely_unique(data: bytes, value: Any) -> bool:
    """True when the UTF-8 JSON `data`, parsed as `value`, provably has no repeated key in any object.

    Every colon of a JSON text is a key's separator or a character inside a string. orjson re-writes the parsed
    value with one colon per key it kept and the colons of the strings it kept, written as themselves. When the
    file writes no colon as a \\u003a escape, its own count is that plus one colon per dropped duplicate key
    (and any in the dropped value), so equal counts prove there was no duplicate. False means "look closer"."""
    if _dumps is None or b"\\u003a" in data or b"\\u003A" in data:
        return False
    try:
        return data.count(b":") == _dumps(value).count(b":")
    except (TypeError, ValueError):  # pragma: no cover - what orjson parsed it can write
        return False


def duplicate_keys(text: str | bytes) -> list[tuple[str, str]]:
    """(JSON pointer of the object, repeated key) for every repeated key, in document order. The text must be
    valid JSON (parse it first)."""
    repeats: dict[int, list[str]] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict:
        d = dict(pairs)
        if len(d) != len(pairs):
            seen: set[str] = set()
            repeats[id(d)] = [k for k, _ in pairs if k in seen or seen.add(k)]
        return d

    value = json.loads(text, object_pairs_hook=hook)
    if not repeats:
        return []
    out: list[tuple[str, str]] = []
    stack: list[tuple[Any, list]] = [(value, [])]
    while stack:
        x, path = stack.pop()
        if type(x) is dict:
            out += [(pointer(path + [k]), k) for k in repeats.get(id(x), [])]
            stack += [(v, path + [k]) for k, v in reversed(list(x.items()))]
        elif type(x) is list:
            stack += [(v, path + [i]) for i, v in reversed(list(enumerate(x)))]
    return out
