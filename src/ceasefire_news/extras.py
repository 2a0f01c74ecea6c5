"""The package's optional extras: which distributions an extra lists (read from the installed metadata, so
pyproject.toml is the one list), which of them are not installed, and the one `[missing-extra]` error that the
command line and the Python API raise for them."""
from __future__ import annotations

import re
from typing import Sequence

from .errors import CeasefireError, Problem

_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def extra_requirements(extra: str = "build") -> list[str]:
    """The distributions of `extra`, as the installed package's metadata lists them (the Requires-Dist lines
    pyproject.toml's [project.optional-dependencies] made); [] when the package is not installed."""
    from importlib import metadata  # here, not at the top: the read-side commands never need it

    try:
        requirements = metadata.requires("ceasefire-news") or []
    except metadata.PackageNotFoundError:  # a source tree on sys.path: no metadata to check against
        return []
    marker = re.compile(rf"""\bextra\s*==\s*["']{re.escape(extra)}["']""")
    return [_REQUIREMENT_NAME.match(r).group(0) for r in requirements if marker.search(r.partition(";")[2])]


def missing_distributions(extra: str = "build") -> list[str]:
    """The distributions of `extra` that are not installed."""
    from importlib import metadata

    missing = []
    for name in extra_requirements(extra):
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return missing


class MissingExtra(CeasefireError, ModuleNotFoundError):
    """`[missing-extra]`: `who` needs distributions that `extra` installs. A CeasefireError (one line, a code)
    and a ModuleNotFoundError (what Python raises for a missing module), so either `except` catches it."""

    def __init__(self, who: str, needs: Sequence[str], extra: str = "build", name: str | None = None) -> None:
        super().__init__(Problem("missing-extra", f"{who} needs {', '.join(needs)}, which the {extra} extra installs",
                                 hint=f"pip install 'ceasefire-news[{extra}]'"))
        self.name = name


def missing_extra(who: str, exc: ImportError, extra: str = "build") -> MissingExtra:
    """The error for `exc` raised inside `who`: the distributions of `extra` that are missing, or the module
    itself when the metadata cannot tell (a source tree, or an extra whose distributions are all installed)."""
    return MissingExtra(who, missing_distributions(extra) or [exc.name or str(exc)], extra, name=exc.name)
