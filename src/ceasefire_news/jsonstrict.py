"""Duplicate keys in JSON: detected and reported, never resolved silently by "the last one wins".

JSON parsers (the standard library, orjson) keep the last value of a repeated key, so a file saying
`"start": 5, ..., "start": 50` validates as if the first never existed. `duplicate_keys` finds every
repeated key with the JSON pointer of its object; `surely_unique` is the validator's cheap gate, exact
but not complete: True only when the file provably has no repeated key (then the slow search is skipped).
"""
from __future__ import annotations

import json
import re
from typing import Any

from .schemas import pointer

_WS_BEFORE_COLON = re.compile(rb'"[ \t\r\n]+:')


def count_keys(value: Any) -> int:
    """Keys in every object of a parsed JSON value."""
    n, stack = 0, [value]
    pop, push = stack.pop, stack.extend
    while stack:
        x = pop()
        t = type(x)
        if t is dict:
            n += len(x)
            push(x.values())
        elif t is list:
            push(x)
    return n


def surely_unique(data: bytes, value: Any) -> bool:
    """True when the UTF-8 JSON `data`, parsed as `value`, has no repeated key in any object.

    Every `":` in the file is a key's end or an escaped quote inside a string followed by a colon; when no
    key has blanks before its colon, that count is at least the number of keys, which is at least the keys
    the parser kept. So count == kept keys proves there were no repeats (and no escaped `\\":`)."""
    return data.count(b'":') == count_keys(value) and not _WS_BEFORE_COLON.search(data)


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
