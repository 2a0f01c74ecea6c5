"""Nothing lost, nothing half-written: build accounting, --strict, lock files, and SIGKILL at many points.

The kill tests fork the test process (the package is already imported, so each run takes a fraction of a
second) and the child kills itself with a real SIGKILL at the N-th file-system step of a build or an ingest
(a temporary folder or file made, a file synced, a rename, a folder swap, a removal). The steps are counted in a
run that is not killed; the kill points are a spread of random steps across all of them.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ceasefire_news.fsutil as fsutil_mod
import ceasefire_news.release.build as build_mod
from ceasefire_news.cli import main
from ceasefire_news.locks import hold, lock_path_for
from ceasefire_news.loader import load

from .corpus_factory import build_release, make_repo, tree_bytes

DOCS = ["101_talks", "103_lebanon", "106_west_bank"]


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("lost") / "repo", only=DOCS)


def _plant_bad_documents(repo: Path) -> dict[str, str]:
    """Four kinds of bad document beside the good ones; returns {id: the code its rejection must carry}."""
    ann = repo / "annotations" / "103_lebanon.json"
    doc = json.loads(ann.read_text(encoding="utf-8"))
    doc["layers"]["entities"][0]["end"] += 1
    ann.write_text(json.dumps(doc), encoding="utf-8")
    (repo / "seeds" / "Bad Name.txt").write_text("A seed whose name is no id.", encoding="utf-8")
    (repo / "annotations" / "orphan_doc.json").write_text("{}", encoding="utf-8")
    (repo / "seeds" / "no_sidecar.txt").write_text("A seed nobody described.", encoding="utf-8")
    return {"103_lebanon": "span-text", "Bad Name": "bad-doc-id", "orphan_doc": "orphan",
            "no_sidecar": "missing-meta"}


def test_documents_in_equal_released_plus_rejected_with_reasons(small_repo, tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(small_repo, repo)
    planted = _plant_bad_documents(repo)
    out = tmp_path / "rel"
    assert main(["build", "--root", str(repo), "--out", str(out), "-q", "--no-strict"]) == 1
    cap = capsys.readouterr()
    assert "documents in: 7 = released 2 + rejected 5" not in cap.out  # the counts below are the real ones
    n_in = len(DOCS) + 3  # three more ids: Bad Name, orphan_doc, no_sidecar
    line = f"documents in: {n_in} = released {len(DOCS) - 1} + rejected 4"
    assert line in cap.out, cap.out
    report = json.loads((out / "rejections.json").read_text(encoding="utf-8"))
    assert report["accounting"] == {"documents_in": n_in, "released": len(DOCS) - 1, "rejected": 4}
    assert set(report["rejected"]) == set(planted)
    for doc_id, code in planted.items():
        assert code in {p["code"] for p in report["rejected"][doc_id]}, (doc_id, report["rejected"][doc_id])
        assert doc_id in cap.err
    released = set(load("all", source=out)["id"])
    assert released == set(DOCS) - {"103_lebanon"}
    assert len(released) + len(report["rejected"]) == report["accounting"]["documents_in"]


def test_strict_build_refuses_and_leaves_the_previous_release(small_repo, tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(small_repo, repo)
    out = build_release(repo, tmp_path / "rel")
    before = tree_bytes(out)
    _plant_bad_documents(repo)
    assert main(["build", "--root", str(repo), "--out", str(out), "-q", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "[strict-rejected] 4 document(s) rejected" in err and "[span-text]" in err and "Traceback" not in err
    assert tree_bytes(out) == before
    monkeypatch.setenv("CI", "true")  # strict is the default in CI
    assert main(["build", "--root", str(repo), "--out", str(out), "-q"]) == 1
    assert "[strict-rejected]" in capsys.readouterr().err and tree_bytes(out) == before
    assert main(["build", "--root", str(repo), "--out", str(out), "-q", "--no-strict"]) == 1
    assert tree_bytes(out) != before and "rejected 4" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ locks
def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(small_repo, tmp_path, capsys):
    out = tmp_path / "rel"
    with hold(lock_path_for(out, "build"), "build"):
        assert main(["build", "--root", str(small_repo), "--out", str(out), "-q"]) == 1
        err = capsys.readouterr().err
    assert f"[locked] another process is writing here (pid {os.getpid()}" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["build", "--root", str(small_repo), "--out", str(out), "-q"]) == 0  # released with the lock


def test_a_second_ingest_into_the_same_repository_is_refused(small_repo, tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(small_repo, repo)
    with hold(repo / ".ceasefire-news.lock", "ingest"):
        for args in (["ingest"], ["reanchor"], ["import", "brat", str(repo / "x.ann"), "--doc", DOCS[0]]):
            assert main([*args, "--root", str(repo)]) == 1
            assert f"[locked] another process is writing here (pid {os.getpid()}" in capsys.readouterr().err
    assert main(["ingest", "--root", str(repo), "-q"]) == 0


HOLD_AND_DIE = """
import os, signal, sys, time
from ceasefire_news.locks import hold
with hold(sys.argv[1], "build"):
    print("held", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_stale_lock_of_a_killed_build_is_recognised_and_taken_over(small_repo, tmp_path, capsys):
    out = tmp_path / "rel"
    lock = lock_path_for(out, "build")
    proc = subprocess.Popen([sys.executable, "-c", HOLD_AND_DIE, str(lock)], stdout=subprocess.PIPE)
    assert proc.communicate()[0] == b"held\n" and proc.returncode == -signal.SIGKILL
    assert lock.exists() and f"pid {proc.pid}" in lock.read_text()  # left behind by the dead process
    assert main(["build", "--root", str(small_repo), "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "[stale-lock]" in err and f"pid {proc.pid}" in err
    assert not lock.exists() and len(load("all", source=out)) == len(DOCS)


# ------------------------------------------------------------------------------------------------ SIGKILL
STEPS = ("replace", "fsync", "chmod", "mkdir", "unlink", "rmdir")


def _run_killed_at(n: int, work) -> tuple[bool, int]:
    """Fork; in the child, run `work()` and SIGKILL the child at its n-th file-system step (never, if n == 0).
    Returns (was killed, steps taken); the step count travels back through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(r)
        count = [0]

        def step(fn):
            def wrapped(*a, **k):
                count[0] += 1
                if count[0] == n:
                    os.kill(os.getpid(), signal.SIGKILL)
                return fn(*a, **k)
            return wrapped

        try:
            for name in STEPS:
                setattr(os, name, step(getattr(os, name)))
            fsutil_mod._exchange = step(fsutil_mod._exchange)
            work()
            os.write(w, str(count[0]).encode())
        finally:
            os._exit(0)
    os.close(w)
    deadline = time.monotonic() + 120
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked build hung")
        time.sleep(0.01)
    with os.fdopen(r, "rb") as fh:
        steps = int(fh.read() or 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, steps


def _kill_points(total: int, k: int, seed: int) -> list[int]:
    points = set(random.Random(seed).sample(range(1, total + 1), min(k, total)))
    return sorted(points | {1, total})


def test_a_build_killed_at_random_points_leaves_the_previous_release_intact(small_repo, tmp_path, monkeypatch):
    # the label chart (matplotlib, half of a small build, before any file is written) is drawn once in this
    # process; the forked builds reuse it, and the kill points all fall into the writing and swapping
    charts: dict[str, bytes] = {}
    real_chart = build_mod.label_chart_png

    def chart(counts) -> bytes:
        if repr(counts) not in charts:
            charts[repr(counts)] = real_chart(counts)
        return charts[repr(counts)]

    monkeypatch.setattr(build_mod, "label_chart_png", chart)
    repo = tmp_path / "repo"
    shutil.copytree(small_repo, repo)
    out = build_release(repo, tmp_path / "rel")
    previous = tree_bytes(out)
    saved = tmp_path / "saved"
    shutil.copytree(out, saved)
    make_repo(repo, only=["104_vote"])  # the next build has one more document: its release differs

    def work():
        build_mod.build(repo, out, progress=False)

    probe = tmp_path / "probe"
    shutil.copytree(out, probe)
    build_mod.build(repo, tmp_path / "warm", progress=False)  # draws the new release's chart in this process
    killed, total = _run_killed_at(0, lambda: build_mod.build(repo, probe, progress=False))
    assert not killed and total > 20, total
    new = tree_bytes(probe)
    assert new != previous
    points = _kill_points(total, 20, seed=20261207)
    assert len(points) >= 20
    outcomes = {"previous": 0, "new": 0}
    for i, n in enumerate(points):
        killed, _ = _run_killed_at(n, work)
        assert killed, f"step {n} of {total}: the child was not killed"
        now = tree_bytes(out)
        assert now in (previous, new), f"killed at step {n} of {total}: the release is neither the old nor the new"
        outcomes["previous" if now == previous else "new"] += 1
        assert len(load("all", source=out)) in (len(DOCS), len(DOCS) + 1)  # checksums verified on load
        if i < len(points) - 1:  # the same starting point for the next kill: the previous release, no leftovers
            for p in tmp_path.glob(".rel.*"):
                shutil.rmtree(p)
            if now == new:
                shutil.rmtree(out)
                shutil.copytree(saved, out)
    assert outcomes["previous"] and outcomes["new"], outcomes  # kill points before and after the swap
    build_mod.build(repo, out, progress=False)  # a normal build afterwards cleans up what the last kill left
    assert tree_bytes(out) == new
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".rel")) == []


def test_an_ingest_killed_at_every_step_leaves_no_half_written_file(tmp_path):
    from ceasefire_news.ingest import ingest
    from ceasefire_news.repo import Repo

    from .corpus_factory import _write_doc, texts

    outside = tmp_path / "incoming"
    _write_doc(outside, "102_aid", texts()["102_aid"], "The Times of Israel", None)
    seed = outside / "seeds" / "102_aid.txt"
    expected_repo = tmp_path / "expected"
    ingest(seed, Repo.at(expected_repo))
    expected = tree_bytes(expected_repo)

    def fresh() -> Path:
        repo = tmp_path / "repo"
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir()
        return repo

    repo = fresh()
    killed, total = _run_killed_at(0, lambda: ingest(seed, Repo.at(repo)))
    assert not killed and tree_bytes(repo) == expected and total >= 8
    for n in range(1, total + 1):
        repo = fresh()
        killed, _ = _run_killed_at(n, lambda: ingest(seed, Repo.at(repo)))
        assert killed
        for name, data in tree_bytes(repo).items():
            if Path(name).name.startswith("."):  # a temporary file of the atomic write: hidden, never listed
                assert name.endswith(".tmp"), name
                continue
            assert data == expected[name], f"killed at step {n}: {name} is half-written"
        r = Repo.at(repo)
        assert set(r.seed_ids()) | set(r.corpus_ids()) | set(r.annotation_ids()) <= {"102_aid"}
        ingest(seed, r)  # and ingest again finishes the job
        assert {k: v for k, v in tree_bytes(repo).items() if not Path(k).name.startswith(".")} == expected
