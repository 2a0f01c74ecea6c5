"""ceasefire-news: an annotated news corpus on conflict and ceasefire reporting, and the tools that build,
validate and load it. The one-line entry points are `load(split)` and `documents(split)` for the corpus, and
`clean(text)` for stripping a page of its boilerplate (it needs the `build` extra)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "load", "load_table", "documents", "Document", "clean"]

if TYPE_CHECKING:
    from .loader import Document, documents, load, load_table
    from .text.clean import clean


def __getattr__(name: str) -> Any:
    """The loader (pandas, pyarrow) is imported on first use, so the command line starts without it."""
    if name in ("load", "load_table", "documents", "Document"):
        from . import loader

        return getattr(loader, name)
    if name == "clean":  # the build extra is needed only when clean() runs: it raises [missing-extra] itself
        from .text.clean import clean

        return clean
    raise AttributeError(f"module 'ceasefire_news' has no attribute {name!r}")
