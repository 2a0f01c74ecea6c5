"""Compiled JSON Schema validators, built once per process.

jsonschema-rs does the hot-path validation (hundreds of times faster than calling `jsonschema.validate`
per document); the pure-Python `jsonschema` stays the reference that checks the schemas themselves and
reports errors when jsonschema-rs is unavailable.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterator

from .resources import load_schema


@dataclass(frozen=True)
class SchemaError:
    """One schema violation: where (JSON pointer), what was expected, what was found."""

    pointer: str
    message: str
    keyword: str
    value: Any


def _pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


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

    def is_valid(self, instance: Any) -> bool:
        if self._rs is not None:
            return self._rs.is_valid(instance)
        return self._py.is_valid(instance)

    def errors(self, instance: Any) -> Iterator[SchemaError]:
        """Every violation, sorted by location (the pure-Python validator gives the clearest messages)."""
        errs = sorted(self._py.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
        for e in errs:
            yield SchemaError(_pointer(e.absolute_path), e.message, str(e.validator), e.instance)


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> CompiledSchema:
    return CompiledSchema(name)
