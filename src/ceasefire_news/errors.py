"""The one error model: every stage reports problems as `Problem` records that callers render.

Modelled on jsonschema's error objects (where, what, the failing value) and on the UD validator's output
(`path:line:col: error [code] message`, a summary count, a non-zero exit).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable


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
        loc = self.file or "<input>"
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def render(self) -> str:
        ptr = f" at {self.pointer}" if self.pointer else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.where()}: {self.level} [{self.code}] {self.message}{ptr}{hint}"

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
    props = [f"file={_github_escape(p.file, True)}"] if p.file else []
    if p.line is not None:
        props.append(f"line={p.line}")
    if p.column is not None:
        props.append(f"col={p.column}")
    props.append(f"title={_github_escape(p.code, True)}")
    level = "error" if p.level == "error" else "warning"
    ptr = f" at {p.pointer}" if p.pointer else ""
    return f"::{level} {','.join(props)}::{_github_escape(p.message + ptr)}"


def summary(problems: list[Problem], files_checked: int | None = None) -> str:
    errors = sum(1 for p in problems if p.level == "error")
    warnings = len(problems) - errors
    checked = f" in {files_checked} file{'s' if files_checked != 1 else ''}" if files_checked is not None else ""
    if not problems:
        return f"OK: no problems{checked}"
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}{checked}"


def render(problems: Iterable[Problem], fmt: str = "text", files_checked: int | None = None) -> str:
    """Render problems as `text` (one line each plus a summary), `json`, or `github` (Actions annotations)."""
    problems = list(problems)
    if fmt == "json":
        return json.dumps(
            {"problems": [p.to_dict() for p in problems], "errors": sum(p.level == "error" for p in problems),
             "files_checked": files_checked}, ensure_ascii=False, indent=2)
    lines = [render_github(p) if fmt == "github" else p.render() for p in problems]
    lines.append(summary(problems, files_checked))
    return "\n".join(lines)
