"""huggingface_hub's own output (its log lines and progress bars), on or off for every Hub call we make.

The CLI opens `quiet()` with --quiet or off a terminal, where our one-line errors and summaries say what matters;
each call to the Hub, downloads (`hub.download`) and uploads (`release.publish`) alike, runs inside `hushed()`.
Nothing here imports huggingface_hub until a call is hushed, so the release stage may import it.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_QUIET: ContextVar[bool] = ContextVar("ceasefire_news_hub_quiet", default=False)


@contextmanager
def quiet(on: bool = True) -> Iterator[None]:
    """While it is open (and `on`), Hub calls silence huggingface_hub's own log lines and progress bars. An explicit
    HF_HUB_VERBOSITY is kept."""
    token = _QUIET.set(on)
    try:
        yield
    finally:
        _QUIET.reset(token)


@contextmanager
def hushed() -> Iterator[None]:
    """huggingface_hub's progress bars off and its logging at errors only, for one call, when `quiet` is on."""
    if not _QUIET.get():
        yield
        return
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars, logging

    bars_were_off, verbosity = are_progress_bars_disabled(), logging.get_verbosity()
    keep_verbosity = bool(os.environ.get("HF_HUB_VERBOSITY"))
    disable_progress_bars()
    if not keep_verbosity:
        logging.set_verbosity_error()
    try:
        yield
    finally:
        if not keep_verbosity:
            logging.set_verbosity(verbosity)
        if not bars_were_off:
            enable_progress_bars()
