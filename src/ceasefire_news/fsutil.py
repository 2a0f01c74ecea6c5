"""File edges: atomic writes, JSON reading with line/column errors, document-id checks."""
from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import CeasefireError, Problem
from .sniff import sniff_binary

try:  # strict_loads: the fast reader, no wording; it reads an integer beyond 64 bits as a float (parse_json: exact)
    from orjson import loads as strict_loads
except ImportError:  # pragma: no cover - orjson comes with the build extra; the standard library is less strict
    strict_loads = json.loads

# \Z, not $ (which also matches before a final newline); Windows device names (con, nul, com1...) are no ids.
DOC_ID_RE = re.compile(r"^(?!(?:con|prn|aux|nul|com[0-9]|lpt[0-9])\Z)[a-z0-9][a-z0-9_-]{0,127}\Z")
WINDOWS_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9])\Z")
# 19 digits in a row: maybe an integer beyond 64 bits (found by a byte translation: every digit -> 0, else space)
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 19
_DECODER = json.JSONDecoder()


def check_doc_id(doc_id: str, file: str = "") -> str:
    """Return `doc_id` if it is a safe document id, else raise: ids become paths, so they are checked first."""
    if not isinstance(doc_id, str) or not DOC_ID_RE.match(doc_id):
        shown = repr(doc_id[:60] + "…") if isinstance(doc_id, str) and len(doc_id) > 60 else repr(doc_id)
        why = ("is a Windows device name" if isinstance(doc_id, str) and WINDOWS_RESERVED.match(doc_id)
               else "does not match ^[a-z0-9][a-z0-9_-]{0,127}$")
        raise CeasefireError(Problem(
            "bad-doc-id", f"document id {shown} {why}", file=file[:300],
            hint="use lower-case letters, digits, '_' and '-' only (at most 128); ids become file names"))
    return doc_id


def naming(exc: OSError, path: str | os.PathLike) -> OSError:
    """`exc` as the same error about `path`, the file the user named, instead of an internal temporary file."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(path))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename. An error names `path`
    (never the temporary file); a folder at `path` is refused, not renamed onto."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; expected a file name", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise naming(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise naming(exc, path) from exc
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dumps_json(obj: Any) -> str:
    """The project's one JSON layout: sorted keys, two-space indent, UTF-8 kept, final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, dumps_json(obj))


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of character offset `pos`."""
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def byte_line_col(data: bytes, at: int) -> tuple[int, int]:
    """1-based (line, column in characters) of byte offset `at` of UTF-8 `data`."""
    before = data[:at].decode("utf-8", "replace")
    return line_col(before, len(before))


def _ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\r\n":
        pos += 1
    return pos


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """(line, column), both 1-based, of the value at JSON `pointer` in the JSON `text`; None if absent.
    A pointer whose last part names a missing key locates the object that lacks it."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer else []
    pos = _ws(text, 0)
    try:
        for part in parts:
            ch = text[pos]
            if ch == "{":
                start = pos
                pos = _ws(text, pos + 1)
                while text[pos] != "}":
                    key, after = json.decoder.scanstring(text, pos + 1)
                    if key == part:
                        pos = _ws(text, _ws(text, after) + 1)  # the value, past ':'
                        break
                    pos = _ws(text, _ws(text, after) + 1)
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _ws(text, pos)
                    if text[pos] == ",":
                        pos = _ws(text, pos + 1)
                else:
                    pos = start
                    break
            elif ch == "[":
                idx = int(part)
                pos = _ws(text, pos + 1)
                for _ in range(idx):
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _ws(text, pos)
                    if text[pos] != ",":
                        return None
                    pos = _ws(text, pos + 1)
            else:
                return None
    except (IndexError, ValueError, RecursionError):
        return None
    return line_col(text, pos)


def parse_json(source: str | bytes, file: str = "") -> Any:
    """The value of the JSON `source` (text, or bytes that should be UTF-8), or a CeasefireError with the line and
    column of what is wrong: bytes that are not UTF-8, a byte-order mark, a syntax error, what the standard library
    lets through and JSON forbids (lone surrogates, NaN, Infinity), a repeated key. Integers are exact. A valid
    text is parsed once (by orjson, strict); the slower readers only run to explain a problem."""
    from .jsonstrict import duplicate_keys, surely_unique

    try:
        value = strict_loads(source)
    except ValueError as exc:
        raise CeasefireError(_invalid(source, file, exc)) from None
    data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        if _LONG_NUMBER in data.translate(_DIGITS):  # orjson reads an integer beyond 64 bits as a float: keep it exact
            value = json.loads(data)
        if surely_unique(data, value):
            return value
        repeats = duplicate_keys(data)
    except RecursionError:
        raise CeasefireError(_too_deep(file)) from None
    if repeats:
        text = data.decode("utf-8", "replace")
        raise CeasefireError([Problem("duplicate-key", f"key {json.dumps(k, ensure_ascii=False)[:60]} appears more "
                                      "than once in one object (a JSON reader would silently keep only the last)",
                                      file, *(locate(text, p) or (None, None)), p, hint="say each key once")
                              for p, k in repeats])
    return value


def _too_deep(file: str) -> Problem:
    return Problem("json-syntax", "invalid JSON: nested too deeply", file, 1, 1)


def _invalid(source: str | bytes, file: str, strict: ValueError) -> Problem:
    """Why `source` is not JSON: UTF-16 or binary bytes (decode_utf8's words), bytes that are not UTF-8, a
    byte-order mark, the standard library's message and
    position when it refuses the text too, else (NaN, Infinity, a lone surrogate) the strict parser's."""
    if isinstance(source, str):
        text = source
    else:
        import codecs

        if source.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or sniff_binary(source):
            try:
                decode_utf8(source, file)
            except CeasefireError as exc:  # UTF-16 or a binary format: said as such (with how to convert UTF-16)
                return exc.problems[0]
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_line_col(source, exc.start)
            return Problem("bad-encoding", f"not UTF-8: byte 0x{source[exc.start]:02x} at byte offset {exc.start}",
                           file, line, col, hint="save the file as UTF-8")
    if text.startswith("\ufeff"):
        return Problem("json-syntax", "invalid JSON: the file starts with a byte-order mark", file, 1, 1,
                       hint="save the file as UTF-8 without BOM")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return Problem("json-syntax", f"invalid JSON: {exc.msg}", file, exc.lineno, exc.colno)
    except RecursionError:
        return _too_deep(file)
    line, column = line_col(text, min(getattr(strict, "pos", 0) or 0, len(text)))
    return Problem("json-syntax", f"invalid JSON: {getattr(strict, 'msg', strict)}", file, line, column)


def decode_utf8(data: bytes, file: str = "") -> str:
    """`data` as UTF-8 text (a leading byte-order mark dropped), or a one-line [bad-encoding] error naming the file,
    the byte offset and what was found there: UTF-16 (with how to convert it), a binary format, a NUL byte, or the
    first byte that is not UTF-8."""
    import codecs

    for bom, name in ((codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF32_LE):
            raise CeasefireError(Problem("bad-encoding", "expected UTF-8, found UTF-16 text (byte-order mark at byte "
                                         "offset 0)", file=file, hint=_convert_hint("UTF-16", file)))
    sniffed = sniff_binary(data)
    if sniffed and sniffed.startswith("UTF-16"):
        order = "UTF-16LE" if "little" in sniffed else "UTF-16BE"
        raise CeasefireError(Problem("bad-encoding", f"expected UTF-8, found {sniffed} at byte offset 0", file=file,
                                     hint=_convert_hint(order, file)))
    nul = data.find(b"\x00")
    if sniffed or nul >= 0:
        what = sniffed or "binary data"
        where = "its first bytes, at byte offset 0" if sniffed else f"a NUL byte at byte offset {nul}"
        raise CeasefireError(Problem("bad-encoding", f"expected UTF-8 text, found {what} ({where})", file=file))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        skip = 3 if data.startswith(codecs.BOM_UTF8) else 0
        at = exc.start + skip
        raise CeasefireError(Problem("bad-encoding", f"expected UTF-8, found byte 0x{data[at]:02x} at byte offset {at}",
                                     file=file, hint="save the file as UTF-8")) from None


def _convert_hint(encoding: str, file: str) -> str:
    import shlex

    name = file or "FILE"
    return f"convert it to UTF-8, e.g. iconv -f {encoding} -t UTF-8 {shlex.quote(name)} > {shlex.quote(name + '.utf8')}"


def read_utf8(path: str | os.PathLike, what: str = "file") -> str:
    """The UTF-8 text of the file `path` (a byte-order mark dropped); a missing file, a folder or bytes that are not
    UTF-8 text are one-line errors naming `path` (`what` says what the file was meant to be: "rules file", ...)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CeasefireError(Problem("missing-file", f"{what} not found", file=str(path))) from None
    except IsADirectoryError:
        raise CeasefireError(Problem("missing-file", f"is a folder, not a {what}", file=str(path))) from None
    return decode_utf8(data, str(path))


def read_json(path: str | os.PathLike) -> Any:
    """The value of the JSON file `path`; a missing file and everything parse_json refuses are one-line errors."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CeasefireError(Problem("missing-file", "file not found", file=str(path))) from None
    return parse_json(data, str(path))


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    return fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def staging_beside(out: str | os.PathLike, label: str, inside: bool = False) -> Path:
    """A new hidden folder `.<out's name>.<label>-<pid>-XXXXXXXX` (tempfile.mkdtemp) beside `out`, its parent made
    if missing: on `out`'s file system, so that it can be renamed into place (swap_in_folder). `inside`: within
    `out` instead (`.<label>-<pid>-XXXXXXXX`) when that folder exists, for a command that renames its files into it
    one by one (writable even where `out`'s parent is not, on its file system even when it is a mount point). Mode
    0o755, not mkdtemp's 0700, which would hide the folder's files from a web server once it is `out`. What a killed
    run left there is repaired first (recover_beside). An error names `out`, the path the user gave, never the
    staging folder."""
    where = Path(out).absolute()  # a relative `out` such as "." still has a name and a parent
    try:
        recover_beside(where)
        where.parent.mkdir(parents=True, exist_ok=True)
        if inside and where.is_dir():
            staging = Path(tempfile.mkdtemp(prefix=f".{label}-{os.getpid()}-", dir=where))
        else:
            staging = Path(tempfile.mkdtemp(prefix=f".{where.name}.{label}-{os.getpid()}-", dir=where.parent))
        staging.chmod(0o755)
    except OSError as exc:
        raise naming(exc, out) from exc
    return staging


def recover_beside(dest: Path) -> None:
    """Repair what a killed process left at `dest`: the previous folder parked by swap_in_folder as `.<name>.old`
    goes back when `dest` is missing (the new folder never arrived), else it is removed; and staging folders of
    staging_beside (beside `dest`, or inside it) whose process is no longer running are removed."""
    old = dest.with_name(f".{dest.name}.old")
    if old.exists() and not dest.exists():
        os.replace(old, dest)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    stale = [*dest.parent.glob(f".{glob.escape(dest.name)}.*-*-*")]
    if dest.is_dir():
        stale += dest.glob(".*-*-*")
    for folder in stale:
        if folder.is_dir() and _owner_gone(folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def _owner_gone(name: str) -> bool:
    """Whether the process whose id a staging folder's name carries (`...<label>-<pid>-XXXXXXXX`) has ended; False
    when the name carries no id, or the process runs (perhaps under another user)."""
    try:
        os.kill(int(name.rsplit("-", 2)[-2]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, IndexError, PermissionError, OverflowError):
        pass
    return False


def swap_in_folder(staging: Path, dest: Path) -> None:
    """Put the finished folder `staging` in the place of `dest`, whole: one atomic exchange where the system has it,
    else `dest` parked as `.<name>.old` beside it, `staging` renamed in, the old one removed (a process killed in
    between leaves the old folder parked, never half of either). `staging` must sit beside `dest`."""
    if dest.exists() and _exchange(staging, dest):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the previous folder
        return
    old = dest.with_name(f".{dest.name}.old")
    if dest.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)
