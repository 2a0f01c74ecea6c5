"""The one error model: every stage reports problems as `Problem` records that callers render.

Modelled on jsonschema's error objects (where, what, the failing value) and on the UD validator's output
(`path:line:col: error [code] message`, a summary count, a non-zero exit).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable


# Problems that are a usage error rather than a problem of the input: the CLI exits 2 for them (validate, build, stats)
USAGE_CODES = frozenset({"no-such-path", "not-a-repository", "bad-limit"})


@dataclass(frozen=True)
class Problem:
    """One problem found in one file. `code` is stable; tooling may match on it."""

    code: str
    message: str
    file: str = ""
    line: int | None = None
    column: int | None = None
    pointer: str | None = None  # JSON pointer inside the file, e.g. /layers/entities/3/start
    level: str = "error"  # error | warning
    hint: str | None = None

    def where(self) -> str:
        """`file:line:column`, as much as is known; "" for a problem with no place (an install, a flag, a name)."""
        if not self.file and self.line is None:
            return ""
        loc = self.file or "<input>"
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def render(self) -> str:
        ptr = f" at {self.pointer}" if self.pointer else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        where = self.where()
        return f"{where + ': ' if where else ''}{self.level} [{self.code}] {self.message}{ptr}{hint}"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


class CeasefireError(Exception):
    """An error caused by the user's input; the CLI prints its problems on one line each, never a traceback."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(p.render() for p in self.problems))


def _github_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(p: Problem) -> str:
    """A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=CODE::[CODE] message`."""
    props = [f"file={_github_escape(p.file, True)}"] if p.file else []
    if p.line is not None:
        props.append(f"line={p.line}")
    if p.column is not None:
        props.append(f"col={p.column}")
    props.append(f"title={_github_escape(p.code, True)}")
    level = "error" if p.level == "error" else "warning"
    ptr = f" at {p.pointer}" if p.pointer else ""
    hint = f" (hint: {p.hint})" if p.hint else ""
    return f"::{level} {','.join(props)}::{_github_escape(f'[{p.code}] {p.message}{ptr}{hint}')}"


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def summary(problems: list[Problem], checked: int | None = None, annotations: int | None = None,
            noun: str = "document") -> str:
    """`OK: 40 annotations in 1 document` or `3 errors, 0 warnings in 1 document`."""
    errors = sum(1 for p in problems if p.level == "error")
    warnings = len(problems) - errors
    where = f" in {_n(checked, noun)}" if checked is not None else ""
    if not problems:
        what = _n(annotations, "annotation") if annotations is not None else "no problems"
        return f"OK: {what}{where}"
    return f"{_n(errors, 'error')}, {_n(warnings, 'warning')}{where}"


def render(problems: Iterable[Problem], fmt: str = "text", files_checked: int | None = None,
           annotations: int | None = None) -> str:
    """Render problems as `text` (one line each plus a summary), `json`, or `github` (Actions annotations).
    `files_checked` counts the documents checked; `annotations` the annotations (spans) checked."""
    problems = list(problems)
    if fmt == "json":
        errors = sum(p.level == "error" for p in problems)
        return json.dumps(
            {"ok": errors == 0, "errors": errors, "warnings": len(problems) - errors,
             "documents_checked": files_checked, "annotations_checked": annotations,
             "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=2)
    lines = [render_github(p) if fmt == "github" else p.render() for p in problems]
    lines.append(summary(problems, files_checked, annotations))
    return "\n".join(lines)
