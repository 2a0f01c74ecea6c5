"""The Hugging Face Hub side of the read path: where the corpus lives and how a pinned revision is fetched.

This module holds only constants and name parsing (no third-party import), so the release stage can use the
repository id without pulling in the download client; `hub.download` talks to the Hub.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .. import __version__
from ..errors import CeasefireError, Problem

# The corpus's home on the Hub: `source="hub"` means this repository.
DEFAULT_REPO_ID = "ceasefire-news/ceasefire-news"
HUB_URL = "https://huggingface.co"


def dataset_url(repo_id: str = DEFAULT_REPO_ID) -> str:
    """The public address of the dataset's page on the Hub."""
    return f"{HUB_URL}/datasets/{repo_id}"


def file_url(repo_id: str, revision: str, path: str) -> str:
    """The public address of one file of the dataset at `revision` (a tag pins what it says)."""
    return f"{dataset_url(repo_id)}/blob/{revision}/{path}"


def endpoint_url(repo_id: str) -> str:
    """The dataset's address on the Hub this process talks to: `HF_ENDPOINT` when set (a mirror, a test Hub),
    as huggingface_hub reads it; `dataset_url` is the public address the card and Croissant link to."""
    from huggingface_hub import constants

    return f"{constants.ENDPOINT.rstrip('/')}/datasets/{repo_id}"


def default_revision() -> str:
    """The tag published for this package version (`publish` tags `v<version>`)."""
    return f"v{__version__}"


# the Hub's rule for each part of OWNER/NAME (huggingface_hub's validate_repo_id, in ASCII; tests compare the two):
# letters, digits, '-', '_', '.', not first or last '-' or '.', no '--' or '..', at most 96 characters
_REPO_PART_RE = re.compile(r"(?!.*(--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?")


def repo_id_problem(repo_id: str) -> str | None:
    """Why the Hub would refuse `repo_id` as OWNER/NAME, or None. The id ends up in URLs, the card's Markdown and a
    BibTeX entry, so a character the Hub refuses is refused here before anything is built."""
    owner, sep, name = repo_id.partition("/")
    if not sep or "/" in name:
        return "it is not OWNER/NAME"
    bad = next((part for part in (owner, name) if not _REPO_PART_RE.fullmatch(part)), None)
    if bad is not None:
        return (f"{bad!r} must be 1 to 96 letters, digits, '-', '_' or '.', neither starting nor ending with '-' "
                "or '.', without '--' or '..'")
    if name.endswith(".git"):
        return "the name ends with .git"
    return None


def _accepted(value: str, why: str | None, code: str, what: str, hint: str) -> str:
    """`value` when `why` is None, else a [code] error: '<what> <value> is not ...: <why>'."""
    if why:
        raise CeasefireError(Problem(code, f"{what.format(value=repr(value))}: {why}", hint=hint))
    return value


def check_repo_id(repo_id: str) -> str:
    """`repo_id`, or a [bad-repo-id] error saying why the Hub would refuse it."""
    return _accepted(repo_id, repo_id_problem(repo_id), "bad-repo-id", "repository id {value} is not a Hub dataset id",
                     f"e.g. {DEFAULT_REPO_ID}")


_REF_FORBIDDEN = {"~": "a tilde", "^": "a caret", ":": "a colon", "?": "a question mark", "*": "an asterisk",
                  "[": "an opening bracket", "\\": "a backslash", " ": "a space"}


def tag_problem(tag: str) -> str | None:
    """Why `tag` cannot name a git tag on the Hub (git check-ref-format's rules), or None when it can."""
    if not tag:
        return "it is empty"
    bad = next((c for c in tag if c in _REF_FORBIDDEN or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7f), None)
    if bad is not None:
        return f"it holds {_REF_FORBIDDEN.get(bad, f'the character {bad!r}')} at position {tag.index(bad) + 1}"
    for piece, why in (("..", "two dots in a row"), ("@{", "'@{'"), ("//", "two slashes in a row")):
        if piece in tag:
            return f"it holds {why} at position {tag.index(piece) + 1}"
    if tag == "@":
        return "'@' alone is no name"
    if tag.startswith("/") or tag.endswith("/") or tag.endswith("."):
        return "it starts or ends with a slash, or ends with a dot"
    if any(part.startswith(".") or part.endswith(".lock") for part in tag.split("/")):
        return "a part of it starts with a dot or ends with .lock"
    return None


def check_tag(tag: str) -> str:
    """`tag`, or a [bad-tag] error saying why git and the Hub would refuse it."""
    return _accepted(tag, tag_problem(tag), "bad-tag", "tag {value} is not a valid git tag name",
                     "use a name like v0.1.0 (letters, digits, '.', '-', '_', '/')")


def built_for(folder: Path) -> dict:
    """The `hub` record of a built release's manifest.json: the repository and tag it was built to be published as
    ({} when the manifest has none; OSError and ValueError when it cannot be read)."""
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("hub") or {}


def hub_repo_id(source: str) -> str | None:
    """`"hub"` -> the default repository, `"hub:OWNER/NAME"` -> that one, anything else -> None (a folder)."""
    if source == "hub":
        return DEFAULT_REPO_ID
    if source.startswith("hub:"):
        return check_repo_id(source[4:])
    return None
