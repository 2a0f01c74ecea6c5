"""Where a release may be written: the build replaces its output folder whole, so it first makes sure that
folder holds nothing but an earlier release.

`--out DIR` is accepted when DIR
- does not exist, or is an empty folder; or
- is a release made by `ceasefire-news build`: a folder holding a `manifest.json` whose `package` is
  `ceasefire-news` and a `SHA256SUMS`, and no file (at any depth, hidden ones included; a symbolic link counts as
  a file) that SHA256SUMS does not list. Folders themselves are not counted: an empty sub-folder is no data.

Whatever else is refused before anything is built or moved: a file, a folder with anything unknown in it, and,
whatever they hold, the repository root, a folder that holds the repository, and the repository's input folders
(seeds/, corpus/, annotations/) or anything inside them.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from ..checksums import SUMS_FILE, read_sums
from ..errors import CeasefireError, Problem
from ..repo import INPUT_FOLDERS

HINT = "choose a new or empty folder, or a release folder made by `ceasefire-news build`"


def entries(folder: Path) -> list[str]:
    """Every non-folder entry under `folder`, folder-relative with '/', sorted (symbolic links are entries and are
    never followed)."""
    names = []
    for here, dirs, files in os.walk(folder):
        rel = Path(here).relative_to(folder)
        names += [(rel / n).as_posix() for n in files]
        names += [(rel / d).as_posix() for d in dirs if os.path.islink(os.path.join(here, d))]
    return sorted(names)


def not_a_release(folder: Path) -> str | None:
    """Why the existing, non-empty folder `folder` is not a release made by `ceasefire-news build` (None: it is)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        listed = read_sums(folder)
    except (OSError, ValueError, CeasefireError):
        return "it has no readable manifest.json and SHA256SUMS of a release"
    if not isinstance(manifest, dict) or manifest.get("package") != "ceasefire-news":
        return "its manifest.json was not written by ceasefire-news"
    unknown = [n for n in entries(folder) if n != SUMS_FILE and n not in listed]
    if unknown:
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        return f"it holds {unknown[0]!r}{more}, which its SHA256SUMS does not list"
    return None


def refuse_repository(out: Path, repo_root: Path) -> None:
    """Refuse `out` when replacing it would remove the repository or its inputs (`out` is resolved)."""
    root = repo_root.resolve()
    if root.is_relative_to(out):
        what = "is the repository root" if root == out else f"holds the repository {root}"
        raise CeasefireError(Problem("output-is-repository", f"{what}: refusing to replace it with a release",
                                     str(out), hint="build into a folder of its own, e.g. --out dist"))
    for name in INPUT_FOLDERS:
        if out.is_relative_to(root / name):
            raise CeasefireError(Problem("output-is-repository", f"is inside the repository's input folder {name}/: "
                                         "refusing to write a release there", str(out),
                                         hint="build into a folder of its own, e.g. --out dist"))


def check_target(out: Path, why_not: Callable[[Path], str | None], code: str, made_by: str, action: str,
                 hint: str) -> Path:
    """`out` if a command may write its output there: it does not exist, is an empty folder, or is a folder
    `why_not` accepts (None: the command's own earlier output); else a CeasefireError [`code`] naming the folder,
    what was expected (`made_by`) and what was found (a file, or `why_not`'s reason), refusing to `action` it."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return out
    why = "it is a file, not a folder" if not out.is_dir() else why_not(out)
    if why is None:
        return out
    raise CeasefireError(Problem(code, f"exists and is not {made_by} ({why}); refusing to {action} it", str(out),
                                 hint=hint))


def check_release_target(out: str | os.PathLike, repo_root: str | os.PathLike | None = None) -> Path:
    """The resolved `out` if a release may replace it (see the module docstring), else a CeasefireError
    ([output-is-repository] or [not-a-release]) naming the folder, what was expected and what was found."""
    out = Path(out).resolve()
    if repo_root is not None:
        refuse_repository(out, Path(repo_root))
    return check_target(out, not_a_release, "not-a-release", "a release made by `ceasefire-news build`", "replace",
                        HINT)


def not_an_export(folder: Path) -> str | None:
    """Why the existing, non-empty folder `folder` is not one an export wrote (None: it holds an export's
    loss.json)."""
    try:
        loss = json.loads((folder / "loss.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        loss = None
    if isinstance(loss, dict) and {"format", "files", "lost"} <= loss.keys():
        return None
    return "it holds files and no loss.json of an export"


def check_export_target(out: str | os.PathLike) -> Path:
    """`out` if an export may write into it: new, empty, or holding the loss.json of an earlier export (an export
    writes its files into the folder and replaces same-named ones: into corpus/ it would overwrite the corpus)."""
    return check_target(Path(out), not_an_export, "not-an-export", "a folder made by `ceasefire-news export`",
                        "write into", "choose a new or empty folder, or one an earlier export wrote")
