"""Download from a real, independent Hub implementation: olah, serving a git work tree offline on loopback.

The release is committed to `<mirrors>/datasets/owner/name` and tagged; olah answers the Hub API from it
(its upstream points at a dead loopback port, so nothing leaves the machine). Known gaps of olah: a call
without a revision gets 401 (every call here passes one) and Range requests are ignored.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ceasefire_news import __version__
from ceasefire_news.release.build import build

from .conftest import ROOT
from .test_hub_publish import REPO, run

TAG = f"v{__version__}"
OLAH = Path(sys.executable).with_name("olah-cli")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def olah(tmp_path_factory):
    if not OLAH.exists():
        pytest.skip(f"olah is not installed beside {sys.executable} (pip install -e '.[test]' installs it)")
    base = tmp_path_factory.mktemp("olah")
    work = base / "mirrors" / "datasets" / REPO
    build(ROOT, base / "release", progress=False, repo_id=REPO)
    shutil.copytree(base / "release", work)
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "release")
    _git(work, "tag", TAG)
    # a damaged copy of the same release: one Parquet file changed, SHA256SUMS as built
    (work / "data" / "train-00000-of-00001.parquet").write_bytes(b"PAR1 damaged in storage PAR1")
    _git(work, "commit", "-qam", "damaged")
    _git(work, "tag", "damaged")
    port, dead = _free_port(), _free_port()
    (base / "repos").mkdir()
    config = base / "olah.toml"
    config.write_text(f"""[basic]
host = "127.0.0.1"
port = {port}
repos-path = "{base / 'repos'}"
hf-scheme = "http"
hf-netloc = "127.0.0.1:{dead}"
hf-lfs-netloc = "127.0.0.1:{dead}"
mirror-scheme = "http"
mirror-netloc = "127.0.0.1:{port}"
mirror-lfs-netloc = "127.0.0.1:{port}"
mirrors-path = ["{base / 'mirrors'}"]

[accessibility]
offline = true
""")
    log = open(base / "olah.log", "wb")
    proc = subprocess.Popen([str(OLAH), "-c", str(config)], cwd=base, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/whoami-v2", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers (offline, whoami has no upstream): up
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"olah did not start: {(base / 'olah.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_load_snapshot_and_datasets_from_olah_in_a_fresh_process(olah, tmp_path):
    results, _ = run([{"op": "snapshot", "repo_id": REPO, "revision": TAG,
                       "allow_patterns": ["SHA256SUMS", "data/ner/*"]},
                      {"op": "load", "source": f"hub:{REPO}", "revision": TAG},
                      {"op": "snapshot", "repo_id": REPO, "revision": TAG, "allow_patterns": ["SHA256SUMS"]},
                      {"op": "datasets", "repo_id": REPO, "revision": TAG},
                      {"op": "datasets", "repo_id": REPO, "revision": TAG, "config": "ner"},
                      {"op": "load", "source": f"hub:{REPO}", "revision": TAG, "config": "ner", "split": "train",
                       "format": "datasets"}], olah, tmp_path / "hf")
    snap, loaded, after_load, default, ner, ours_ner = results
    assert snap["files"] == ["SHA256SUMS", "data/ner/train-00000-of-00001.parquet"], results
    assert loaded == {"ok": True, "rows": 1, "documents": 1, "spans_match": True, "entities": 121,
                      "type": "DataFrame"}, results
    # load() fetched only the file it reads (and SHA256SUMS was there already)
    assert after_load["files"] == ["SHA256SUMS", "data/ner/train-00000-of-00001.parquet",
                                   "data/train-00000-of-00001.parquet"]
    assert default["ok"] and default["splits"] == {"train": 1} and "entities" in default["columns"]
    assert ner["ok"] and ner["splits"]["train"] > 10 and ner["columns"][-2:] == ["tokens", "ner_tags"]
    # the tag names come from the card: datasets.load_dataset and load(format="datasets") agree on them
    from ceasefire_news.release.ner import TAGS

    assert ner["tag_names"] == list(TAGS)
    assert ours_ner["ok"] and ours_ner["rows"] == ner["splits"]["train"] and ours_ner["tag_names"] == list(TAGS)


def test_olah_damaged_revision_is_refused_by_checksum_and_offline_cache_serves_the_good_one(olah, tmp_path):
    hf_home = tmp_path / "hf"
    results, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": "damaged"},
                      {"op": "load", "source": f"hub:{REPO}", "revision": TAG},
                      {"op": "load", "source": f"hub:{REPO}", "revision": "no-such-tag"}], olah, hf_home)
    damaged, good, unknown = results
    assert damaged["code"] == "checksum" and "data/train-00000-of-00001.parquet" in damaged["line"], results
    assert good["ok"] and good["spans_match"]
    assert not unknown["ok"] and unknown["code"].startswith("hub-")
    offline, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], olah, hf_home, offline=True)
    assert offline[0]["ok"], offline
