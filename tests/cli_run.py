"""The command line run in-process, as a test drives it: its exit status and output, and its one error line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ceasefire_news.cli import main


def run(capsys, *args: str | Path) -> tuple[int, str, str]:
    """`ceasefire-news ARGS`: (exit status, stdout, stderr), and never a traceback."""
    rc = main([str(a) for a in args])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return rc, cap.out, cap.err


def first_error(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if re.search(r"(^|\s)error \[", ln)]
    assert lines, err
    return lines[0]


def one_line(rc: int, err: str, code: str, *must: str, status: int = 1) -> str:
    """The one error line of a failed command: exit `status` (1: problems, 2: a usage error), the code, and each of
    `must` in it."""
    assert rc == status, err
    line = first_error(err)
    assert f"[{code}]" in line, line
    for m in must:
        assert m in line, (m, line)
    return line


def usage_error(capsys, *args: str | Path) -> str:
    """The argparse line of a usage error (exit 2, before anything runs)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err, err
    return err.strip().splitlines()[-1]
