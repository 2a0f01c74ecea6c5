"""ceasefire-news: an annotated news corpus on conflict and ceasefire reporting, and the tools that build,
validate and load it. The one-line entry points are `load(split)` and `documents(split)`."""
from __future__ import annotations

__version__ = "0.1.0"

from .loader import Document, documents, load  # noqa: E402

__all__ = ["__version__", "load", "documents", "Document"]
