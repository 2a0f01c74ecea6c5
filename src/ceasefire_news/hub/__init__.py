"""The Hugging Face Hub side of the read path: where the corpus lives and how a pinned revision is fetched.

This module holds only constants and name parsing (no third-party import), so the release stage can use the
repository id without pulling in the download client; `hub.download` talks to the Hub.
"""
from __future__ import annotations

from .. import __version__
from ..errors import CeasefireError, Problem

# The corpus's home on the Hub: `source="hub"` means this repository.
DEFAULT_REPO_ID = "ceasefire-news/ceasefire-news"
HUB_URL = "https://huggingface.co"


def dataset_url(repo_id: str = DEFAULT_REPO_ID) -> str:
    """The public address of the dataset's page on the Hub."""
    return f"{HUB_URL}/datasets/{repo_id}"


def default_revision() -> str:
    """The tag published for this package version (`publish` tags `v<version>`)."""
    return f"v{__version__}"


def check_repo_id(repo_id: str) -> str:
    owner, sep, name = repo_id.partition("/")
    if not sep or not owner or not name or "/" in name or any(c.isspace() for c in repo_id):
        raise CeasefireError(Problem("bad-repo-id", f"repository id {repo_id!r} is not OWNER/NAME",
                                     hint=f"e.g. {DEFAULT_REPO_ID}"))
    return repo_id


def hub_repo_id(source: str) -> str | None:
    """`"hub"` -> the default repository, `"hub:OWNER/NAME"` -> that one, anything else -> None (a folder)."""
    if source == "hub":
        return DEFAULT_REPO_ID
    if source.startswith("hub:"):
        return check_repo_id(source[4:])
    return None
