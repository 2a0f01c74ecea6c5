"""Lock files: one writer at a time per folder (a release folder, a repository's corpus and annotations).

A lock is a file beside what it protects, held with an exclusive `flock` for the life of the process and
holding the owner's pid and command. The kernel drops the `flock` when the process dies, however it dies
(SIGKILL included), so a lock file left behind by a killed process is recognised as stale and taken over;
a lock held by a live process makes the second writer stop at once with a message naming the owner.
Where `fcntl` does not exist (Windows), creating the file exclusively is the lock and a dead pid makes it stale.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import CeasefireError, Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Lock:
    path: Path
    stale_owner: str | None  # what a stale lock file said about its dead owner, when one was taken over


def lock_path_for(folder: str | os.PathLike, what: str) -> Path:
    """The lock file of `folder`: beside it (not inside, so that a release folder can be swapped whole)."""
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.{what}.lock"


def _owner_text() -> str:
    return f"pid {os.getpid()}: {' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))}"[:300]


def _pid_alive(text: str) -> bool:
    try:
        pid = int(text.split()[1].rstrip(":"))
    except (IndexError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse(path: Path, owner: str, what: str) -> CeasefireError:
    return CeasefireError(Problem(
        "locked", f"another process is writing here ({owner or 'owner unknown'}); this {what} will not run at the "
        "same time",
        file=str(path), hint="wait for it to finish; a lock left by a killed process is detected and taken over"))


def _acquire(path: Path, what: str) -> int:
    """An open descriptor of `path` holding its flock. The file a holder unlinks on release may have been
    opened by us just before: then the lock we got is on a dead inode, and we try again on the new file."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 1000, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise _refuse(path, owner, what) from None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


@contextmanager
def hold(path: str | os.PathLike, what: str) -> Iterator[Lock]:
    """Hold the lock file `path` for the `with` block, or raise CeasefireError [locked] if a live process has it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows
        with _hold_exclusive(path, what) as lock:
            yield lock
        return
    fd = _acquire(path, what)
    try:
        previous = os.pread(fd, 1000, 0).decode("utf-8", "replace").strip()
        os.ftruncate(fd, 0)
        os.pwrite(fd, (_owner_text() + "\n").encode("utf-8"), 0)
        try:
            yield Lock(path, previous or None)
        finally:
            try:
                os.unlink(path)  # still holding the flock: nobody else can have taken it over meanwhile
            except FileNotFoundError:
                pass
    finally:
        os.close(fd)


@contextmanager
def _hold_exclusive(path: Path, what: str) -> Iterator[Lock]:  # pragma: no cover - Windows
    stale = None
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            owner = path.read_text(encoding="utf-8", errors="replace").strip()
            if _pid_alive(owner):
                raise _refuse(path, owner, what) from None
            stale = owner
            path.unlink(missing_ok=True)
    else:
        raise _refuse(path, "", what)
    os.write(fd, (_owner_text() + "\n").encode("utf-8"))
    os.close(fd)
    try:
        yield Lock(path, stale)
    finally:
        path.unlink(missing_ok=True)


def stale_note(lock: Lock) -> str | None:
    """A one-line note when a stale lock of a killed process was taken over, else None."""
    if lock.stale_owner:
        return f"{lock.path}: note [stale-lock] took over a lock left by a process that is gone ({lock.stale_owner})"
    return None
