"""Compiled JSON Schema validators, built once per process, and schema errors worded for people.

jsonschema-rs answers the hot-path question "is this document valid?" (hundreds of times faster than
calling `jsonschema.validate` per document); only when the answer is no does the pure-Python `jsonschema`,
which stays the reference and checks the schemas themselves, list every violation with its JSON pointer.
Each violation is worded as what was expected and what was found, and `schema_problems` makes them Problem
records at their line and column (a `Collector` locates a JSON pointer only when there is a problem): what every
stage that checks a file against a schema reports (validate, the importers, the release statistics).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Iterator

from .errors import Problem
from .fsutil import locate
from .resources import load_schema

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
               int: "an integer", float: "a number"}
_TYPE_WORDS = {"object": "an object", "array": "an array", "string": "a string", "boolean": "a boolean",
               "null": "null", "integer": "an integer", "number": "a number"}


@dataclass(frozen=True)
class SchemaError:
    """One schema violation: where (JSON pointer), what was expected and found (message), the failing value."""

    pointer: str
    message: str
    keyword: str
    value: Any


def pointer(parts) -> str:
    """RFC 6901 JSON pointer of a path (the root is the empty string)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def show(value: Any, limit: int = 60) -> str:
    """A value as JSON, shortened for a one-line message."""
    try:
        s = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        s = f"<{type(value).__name__}>"
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float) and value.is_integer():
        return "a number with a fraction part"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def describe(keyword: str, expected: Any, value: Any, schema: dict) -> tuple[str, str | None]:
    """(message, extra pointer part) for one violation; the extra part points at an offending key."""
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        want = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        return f"expected {want}, found {_kind(value)} {show(value)}", None
    if keyword == "enum":
        return f"expected one of {', '.join(show(x) for x in expected)}; found {show(value)}", None
    if keyword == "const":
        return f"expected {show(expected)}, found {show(value)}", None
    if keyword == "pattern":
        return f"expected a string matching {expected}, found {show(value)}", None
    if keyword == "minimum":
        return f"expected a number >= {expected}, found {show(value)}", None
    if keyword == "maximum":
        return f"expected a number <= {expected}, found {show(value)}", None
    if keyword == "minLength":
        return f"expected a string of at least {expected} character{'s' if expected != 1 else ''}, found " \
               f"{show(value)}", None
    if keyword == "minItems":
        return f"expected at least {expected} item{'s' if expected != 1 else ''}, found {len(value)}", None
    if keyword == "required":
        missing = [k for k in expected if k not in value]
        return (f"expected property {', '.join(show(k) for k in missing)}, found only "
                f"{', '.join(show(k) for k in value) or 'an empty object'}"), None
    if keyword == "additionalProperties" and expected is False:
        allowed = list(schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        if extra:
            near = get_close_matches(extra[0], allowed, n=1)
            hint = f"; did you mean {show(near[0])}?" if near else f"; allowed: {', '.join(allowed)}"
            return f"unexpected property {show(extra[0])}{hint}", extra[0]
    return "", None


class CompiledSchema:
    def __init__(self, name: str):
        self.name = name
        self.schema = load_schema(name)
        import jsonschema

        jsonschema.Draft202012Validator.check_schema(self.schema)
        self._py = jsonschema.Draft202012Validator(self.schema, format_checker=None)
        try:
            import jsonschema_rs

            self._rs = jsonschema_rs.Draft202012Validator(self.schema)
        except Exception:  # pragma: no cover - jsonschema-rs is a dependency; keep working without it
            self._rs = None
        self.is_valid = self._rs.is_valid if self._rs is not None else self._py.is_valid

    def errors(self, instance: Any) -> Iterator[SchemaError]:
        """Every violation, in document order, each with its pointer, what was expected and what was found."""
        errs = sorted(self._py.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
        if not errs and self._rs is not None:  # the two libraries disagree: report what jsonschema-rs saw
            for e in self._rs.iter_errors(instance):
                yield SchemaError(pointer(e.instance_path), e.message, "schema", e.instance)
            return
        for e in errs:
            ptr = pointer(e.absolute_path)
            msg, key = describe(str(e.validator), e.validator_value, e.instance,
                                e.schema if isinstance(e.schema, dict) else {})
            if key is not None:
                ptr += pointer([key])
            yield SchemaError(ptr, msg or e.message, str(e.validator), e.instance)


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> CompiledSchema:
    return CompiledSchema(name)


class Collector:
    """Problems of one JSON file; pointers become line:col lazily (only when there is a problem)."""

    __slots__ = ("file", "source", "problems", "_text")

    def __init__(self, file: str, source: bytes | str | None = None):
        self.file, self.source, self.problems = file, source, []
        self._text: str | None = None

    def add(self, code: str, message: str, pointer: str | None = None, hint: str | None = None) -> None:
        line = col = None
        if pointer is not None and self.source is not None:
            if self._text is None:
                src = self.source
                self._text = src.decode("utf-8", "replace") if isinstance(src, bytes) else src
            loc = locate(self._text, pointer)
            if loc:
                line, col = loc
        self.problems.append(Problem(code, message, self.file, line, col, pointer, hint=hint))


def schema_problems(schema: str, value: Any, file: str, source: bytes | str | Path | None, code: str = "schema",
                    what: str = "", base: str = "") -> list[Problem]:
    """The errors of `value` against the compiled schema named `schema`, each a Problem `code` (its message after
    `what`) at JSON pointer `base` + the error's pointer, with line and column in `source`, the text `value` was
    parsed from (a Path is read only when there is an error to locate); [] when `value` is valid."""
    shape = compiled(schema)
    if shape.is_valid(value):
        return []
    out = Collector(file, source.read_bytes() if isinstance(source, Path) else source)
    for e in shape.errors(value):
        out.add(code, what + e.message, base + e.pointer)
    return out.problems
