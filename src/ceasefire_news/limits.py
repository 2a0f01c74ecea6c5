"""Input size limit: a raw page bigger than this is refused with its own error, before it is read whole.

A news article is a few tens of kilobytes (the seed is 8 KB); a page of megabytes is a wrong file (a dump,
a log, a whole site) and would hold the text stages for minutes. The default, 5 MB, is 600 times the seed.
The limit is configurable: `--max-bytes N` on the command line, or $CEASEFIRE_NEWS_MAX_BYTES; 0 means none.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from .errors import CeasefireError, Problem

DEFAULT_MAX_BYTES = 5_000_000
ENV = "CEASEFIRE_NEWS_MAX_BYTES"


def whole_number(text: str, unit: str) -> int:
    """`text` as a whole number >= 0 (what --max-bytes, --window and the variable accept), else a ValueError that
    says so in `unit` ("bytes", "characters")."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"expected a whole number of {unit} >= 0, found {text!r}")
    return value


def max_bytes(given: int | None = None) -> int:
    """The limit in force: `given` (from --max-bytes), else $CEASEFIRE_NEWS_MAX_BYTES, else 5 MB; 0 = none.
    A value of the variable that is no limit (negative, not a number) is a [bad-limit] error, never ignored."""
    if given is not None:
        return given
    env = os.environ.get(ENV, "").strip()
    if not env:
        return DEFAULT_MAX_BYTES
    try:
        return whole_number(env, "bytes")
    except ValueError as exc:
        raise CeasefireError(Problem("bad-limit", str(exc), file=f"${ENV}",
                                     hint=f"0 = no limit; unset it for the default of {DEFAULT_MAX_BYTES:,}")) from None


def too_large(file: str, size: int | None, limit: int) -> CeasefireError:
    got = f"{size:,} bytes" if size is not None else "more than that"
    return CeasefireError(Problem(
        "too-large", f"input is {got}, above the limit of {limit:,} bytes", file=file,
        hint=f"a news page is far smaller; raise the limit with --max-bytes N or ${ENV} (0 = no limit)"))


def read_stream(fh: BinaryIO, file: str, limit: int) -> bytes:
    """Read a stream, refusing it once it passes `limit` bytes (never holds more than limit + 1 MB)."""
    if not limit:
        return fh.read()
    parts, total = [], 0
    while chunk := fh.read(min(1 << 20, limit + 1 - total) or 1):
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(file, None, limit)
    return b"".join(parts)


def read_limited(path: str | os.PathLike, file: str | None = None, limit: int | None = None,
                 what: str = "file") -> bytes:
    """The bytes of `path`, or CeasefireError [too-large] when it is bigger than the limit (checked before reading).
    A missing file or a folder is a one-line [missing-file] naming `file` (default: `path`); `what` says what the
    file was meant to be ("seed file", "text file", ...), as fsutil.read_utf8 words it."""
    limit = max_bytes(limit)
    file = str(path) if file is None else file
    try:
        fh = open(Path(path), "rb")
    except FileNotFoundError:
        raise CeasefireError(Problem("missing-file", f"{what} not found", file=file)) from None
    except IsADirectoryError:
        raise CeasefireError(Problem("missing-file", f"is a folder, not a {what}", file=file)) from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if limit and size > limit:
            raise too_large(file, size, limit)
        return read_stream(fh, file, limit)
