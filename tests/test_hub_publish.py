"""publish -> download -> load against our own Hub-protocol server on loopback (tests/hub_server.py).

Each client runs in a fresh process (tests/hub_client.py) with HF_ENDPOINT, HF_HOME and HF_TOKEN set before
huggingface_hub is imported, as a user's would be.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ceasefire_news import __version__
from ceasefire_news.hub import DEFAULT_REPO_ID
from ceasefire_news.release.build import build
from ceasefire_news.release.embed import embed_release

from .conftest import ROOT
from .corpus_factory import tree_bytes
from .hub_client import hub_env
from .hub_server import HubServer

REPO = "owner/name"
TAG = f"v{__version__}"
TOKEN = "hf_SECRETtoken0123456789abcdef"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("rel") / "release", progress=False, repo_id=REPO).out


def _release_for(tag: str, parent: Path) -> Path:
    """A release built to be published as `tag` (publish --from refuses a release built for another tag)."""
    return build(ROOT, parent / tag, progress=False, repo_id=REPO, revision=tag).out


@pytest.fixture
def hub():
    server = HubServer(token=TOKEN).start()
    yield server
    server.stop()


def run(steps: list[dict], endpoint: str, hf_home: Path, token: str | None = TOKEN, offline: bool = False
        ) -> tuple[list[dict], str]:
    env = hub_env(endpoint, hf_home, HF_HUB_VERBOSITY="debug")
    if token:
        env["HF_TOKEN"] = token
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    proc = subprocess.run([sys.executable, "-m", "tests.hub_client", json.dumps(steps)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "RESULTS " in proc.stdout, out
    return json.loads(proc.stdout.split("RESULTS ", 1)[1]), out


def test_publish_then_download_and_load_end_to_end_and_the_token_never_leaks(hub, release, tmp_path):
    hf_home = tmp_path / "hf"
    results, out = run([{"op": "publish", "repo_id": REPO, "from_dir": str(release), "private": True},
                        {"op": "load", "source": f"hub:{REPO}", "revision": TAG},
                        {"op": "load", "source": f"hub:{REPO}", "revision": TAG, "format": "arrow",
                         "config": "full"}], hub.url, hf_home)
    published, loaded, arrow = results
    assert published["ok"] and published["tag"] == TAG, results
    repo = hub.repos[REPO]
    assert repo.private  # --private; the loads above read it with HF_TOKEN, without it the dataset is not there:
    anonymous, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "anon",
                       token=None)
    assert anonymous[0]["code"] == "hub-unknown-repo" and "HF_TOKEN" in anonymous[0]["line"]
    assert len(repo.commits) == 2  # the Hub's initial commit and ONE commit of the whole release
    assert repo.refs[TAG] == published["commit"] == repo.refs["main"]
    on_hub = repo.commits[published["commit"]]
    assert {k: v for k, v in on_hub.items() if k != ".gitattributes"} == tree_bytes(release)
    assert loaded == {"ok": True, "rows": 1, "documents": 1, "spans_match": True, "entities": 121,
                      "type": "DataFrame"}
    assert arrow["ok"] and arrow["type"] == "Table"
    # the card and the Croissant point at the Hub address
    assert f"https://huggingface.co/datasets/{REPO}" in on_hub["README.md"].decode()
    assert json.loads(on_hub["croissant.json"])["url"] == f"https://huggingface.co/datasets/{REPO}"
    # the token was sent (writes were authorised) but never printed, logged (debug logging on) or written
    assert any(auth == f"Bearer {TOKEN}" for method, _, auth in hub.requests if method == "POST")
    assert TOKEN not in out
    for folder in (release, hf_home, tmp_path):
        for p in folder.rglob("*"):
            assert not p.is_file() or TOKEN.encode() not in p.read_bytes(), p


def test_republish_deletes_stale_files_in_one_commit_and_never_moves_a_tag(hub, release, tmp_path):
    old = hub.commit(REPO, {".gitattributes": b"*.parquet filter=lfs\n", "old.txt": b"gone soon",
                            "data/stale-00000-of-00001.parquet": b"x"}, tag="v0.0.9")
    results, _ = run([{"op": "publish", "repo_id": REPO, "from_dir": str(release)},
                      {"op": "publish", "repo_id": REPO, "from_dir": str(release)},
                      {"op": "publish", "repo_id": REPO, "from_dir": str(_release_for("v0.0.9", tmp_path)),
                       "tag": "v0.0.9"}],
                     hub.url, tmp_path / "hf")
    first, again, old_tag = results
    assert first["ok"], results
    assert again["code"] == "publish-tag-exists" and old_tag["code"] == "publish-tag-exists"
    repo = hub.repos[REPO]
    assert len(repo.commits) == 2 and repo.refs["v0.0.9"] == old and repo.refs[TAG] == first["commit"]
    files = repo.commits[first["commit"]]
    assert "old.txt" not in files and "data/stale-00000-of-00001.parquet" not in files
    assert ".gitattributes" in files and set(files) - {".gitattributes"} == set(tree_bytes(release))


def test_publish_refuses_before_uploading(hub, release, tmp_path):
    tampered = tmp_path / "tampered"
    shutil.copytree(release, tampered)
    (tampered / "data" / "train-00000-of-00001.parquet").write_bytes(b"not parquet")
    stray = tmp_path / "stray"
    shutil.copytree(release, stray)
    (stray / "notes.txt").write_text("hand-added\n")
    hub.refuse_card = True
    results, out = run([{"op": "publish", "repo_id": REPO, "from_dir": str(tampered)},
                        {"op": "publish", "repo_id": REPO, "from_dir": str(stray)},
                        {"op": "publish", "repo_id": "other/repo", "from_dir": str(release)},
                        {"op": "publish", "repo_id": REPO, "from_dir": str(release), "dry_run": True},
                        {"op": "publish", "repo_id": REPO, "from_dir": str(release)}], hub.url, tmp_path / "hf")
    codes = [r.get("code") for r in results]
    assert codes == ["checksum", "publish-stray-file", "publish-repo-id", None, "publish-card-refused"], results
    assert "data/train-00000-of-00001.parquet" in results[0]["line"]
    assert results[3]["ok"] and results[3]["commit"] is None and "dry run: would upload 11 file(s)" in out
    assert f"would upload 11 file(s) to {hub.url}/datasets/{REPO} in one commit" in out  # HF_ENDPOINT, not hf.co
    assert hub.repos[REPO].tags == set() and len(hub.repos[REPO].commits) == 1  # created; nothing committed
    no_token, _ = run([{"op": "publish", "repo_id": REPO, "from_dir": str(release)}], hub.url, tmp_path / "hf2",
                      token=None)
    assert no_token[0]["code"] == "publish-no-token" and "HF_TOKEN" in no_token[0]["line"]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_failures_say_what_to_do(hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    hub.corrupt(REPO, "data/train-00000-of-00001.parquet", b"corrupted on the server")
    results, _ = run([{"op": "load", "source": "hub:nobody/nothing", "revision": TAG},
                      {"op": "load", "source": f"hub:{REPO}", "revision": "v9.9.9"},
                      {"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "hf")
    unknown_repo, unknown_rev, corrupt = results
    assert unknown_repo["code"] == "hub-unknown-repo"
    assert unknown_rev["code"] == "hub-unknown-revision" and "v9.9.9" in unknown_rev["line"]
    assert corrupt["code"] == "checksum" and "data/train-00000-of-00001.parquet" in corrupt["line"]
    assert "delete the cached copy" in corrupt["line"]

    down, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], f"http://127.0.0.1:{_dead_port()}",
                  tmp_path / "hf-down")
    assert down[0]["code"] == "hub-unreachable", down


def test_interrupted_download_is_never_used_and_a_rerun_completes(hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    hub.interrupt.add("data/train-00000-of-00001.parquet")
    hf_home = tmp_path / "hf"
    cut, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, hf_home)
    assert cut[0]["code"] == "hub-download", cut
    offline, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, hf_home, offline=True)
    assert not offline[0]["ok"], "a half-downloaded file must not be served from the cache"
    hub.interrupt.clear()
    again, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, hf_home)
    assert again[0]["ok"] and again[0]["spans_match"], again


def test_offline_warm_cache_works_and_cold_cache_says_what_to_run(hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    warm = tmp_path / "warm"
    online, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, warm)
    assert online[0]["ok"]
    hub.stop()  # nothing to talk to any more
    results, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG},
                      {"op": "load", "source": f"hub:{REPO}", "revision": TAG, "config": "ner"}], hub.url, warm,
                     offline=True)
    assert results[0]["ok"] and results[0]["rows"] == 1
    assert results[1]["code"] == "hub-not-cached"  # the revision is cached, but not the files this call reads
    cold, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "cold",
                  offline=True)
    assert cold[0]["code"] == "hub-not-cached"
    assert f"HF_HUB_OFFLINE=0 python -c \"import ceasefire_news; ceasefire_news.load('all', source='hub:{REPO}', " \
           f"revision='{TAG}')\"" in cold[0]["line"]


def test_a_lite_embedded_release_fetches_its_revision_and_checks_it(hub, tmp_path):
    """Past the size limit the wheel carries manifest + SHA256SUMS only; load() fetches that exact revision."""
    lite = embed_release(ROOT, tmp_path / "_release", limit=0)
    assert lite.lite and sorted(lite.files) == ["SHA256SUMS", "manifest.json"]
    full = tree_bytes(build(ROOT, tmp_path / "default", progress=False).out)
    hub.commit(DEFAULT_REPO_ID, full, tag=TAG)
    results, _ = run([{"op": "load", "embedded": str(lite.dest)}], hub.url, tmp_path / "hf")
    assert results[0]["ok"] and results[0]["spans_match"], results
    hub.commit(DEFAULT_REPO_ID, {**full, "SHA256SUMS": full["SHA256SUMS"] + b"0" * 64 + b"  extra\n"}, tag="v9")
    hub.repos[DEFAULT_REPO_ID].refs[TAG] = hub.repos[DEFAULT_REPO_ID].refs["v9"]  # the tag now names other bytes
    results, _ = run([{"op": "load", "embedded": str(lite.dest)}], hub.url, tmp_path / "hf2")
    assert results[0]["code"] == "checksum" and "SHA256SUMS" in results[0]["line"], results


def test_offline_with_part_of_a_revision_cached_names_the_missing_files_and_the_call_that_fetches_them(
        hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    warm = tmp_path / "warm"
    online, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, warm)
    assert online[0]["ok"]
    hub.stop()
    results, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG, "config": "ner"}], hub.url, warm,
                     offline=True)
    line = results[0]["line"]
    assert results[0]["code"] == "hub-not-cached", results
    assert "not in the Hugging Face cache (" not in line  # the revision IS cached: say what of it is missing
    assert "data/ner/train-00000-of-00001.parquet" in line
    assert (f"HF_HUB_OFFLINE=0 python -c \"import ceasefire_news; ceasefire_news.load(config='ner', "
            f"source='hub:{REPO}', revision='{TAG}')\"") in line, line


def test_a_private_dataset_with_a_wrong_token_says_the_token_was_not_accepted(hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    hub.repos[REPO].private = True
    results, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "hf",
                     token="hf_bad")
    line = results[0]["line"]
    assert results[0]["code"] == "hub-unknown-repo", results
    assert "no token was given" not in line and "the token given (HF_TOKEN) was not accepted" in line, line
    assert "hf_bad" not in line  # never the token itself
    anonymous, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "anon",
                       token=None)
    assert "no token was given" in anonymous[0]["line"] and "set HF_TOKEN" in anonymous[0]["line"], anonymous
    hub.refuse_bad_tokens = True  # what huggingface.co answers to a token it does not know: 401 on every read
    refused, _ = run([{"op": "load", "source": f"hub:{REPO}", "revision": TAG}], hub.url, tmp_path / "hf401",
                     token="hf_bad")
    assert refused[0]["code"] == "hub-denied", refused
    assert "did not accept the token given (HF_TOKEN)" in refused[0]["line"] and "hf_bad" not in refused[0]["line"]


def _cli(args: list[str], endpoint: str, hf_home: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ceasefire_news.cli", *args], env=hub_env(endpoint, hf_home, **extra),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_off_a_terminal_prints_only_its_own_line_when_a_hub_download_breaks_off(hub, release, tmp_path):
    hub.commit(REPO, tree_bytes(release), tag=TAG)
    hub.interrupt.add("data/train-00000-of-00001.parquet")
    args = ["export", "--format", "jsonl", "--source", f"hub:{REPO}", "--revision", TAG, "--out"]
    cut = _cli([*args, str(tmp_path / "out")], hub.url, tmp_path / "hf")
    assert cut.returncode == 1 and cut.stdout == "", cut
    (line,) = cut.stderr.splitlines()  # no huggingface_hub warnings ("Trying to resume ..."), no progress bars
    assert "error [hub-download]" in line, cut.stderr
    hub.interrupt.clear()
    ok = _cli([*args, str(tmp_path / "out")], hub.url, tmp_path / "hf")
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    # an explicit HF_HUB_VERBOSITY is the user's choice, and is kept
    hub.interrupt.add("data/train-00000-of-00001.parquet")
    verbose = _cli([*args, str(tmp_path / "out2")], hub.url, tmp_path / "hf2", HF_HUB_VERBOSITY="warning")
    assert "Trying to resume download" in verbose.stderr and "error [hub-download]" in verbose.stderr, verbose.stderr


def test_the_fetch_hint_names_the_config_and_split_of_each_missing_file():
    """The hint's load() call reads config and split from the file names the way columns names them
    (columns.config_split, the inverse of data_file and split_glob), not from a second copy of the naming."""
    from ceasefire_news.columns import CONFIGS, SPLITS, config_split, data_file, split_glob
    from ceasefire_news.hub.download import _load_call

    for config in CONFIGS:
        for split in SPLITS:
            assert config_split(data_file(config, split, 2, 12)) == config_split(split_glob(config, split)) == (
                config, split)
    for other in ("README.md", "SHA256SUMS", "data/train.parquet", "data/ner/dev-00000-of-00001.parquet", "data/*"):
        assert config_split(other) is None
    call = _load_call("o/n", "v1", [data_file("ner", "test"), data_file("default", "train"), "README.md"])
    assert call == ("python -c \"import ceasefire_news; ceasefire_news.load(source='hub:o/n', revision='v1', "
                    "format='datasets'); ceasefire_news.load('test', config='ner', source='hub:o/n', revision='v1', "
                    "format='datasets')\"")


def _cli_on_a_terminal(args: list[str], endpoint: str, hf_home: Path, **extra: str) -> tuple[int, str]:
    """`_cli` with stderr on a pseudo-terminal, as a user at a shell sees it: (exit status, what stderr showed)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    env = hub_env(endpoint, hf_home, **extra)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # tqdm draws nothing 0 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "ceasefire_news.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    shown = b""
    while True:  # drain as it comes, so the child never blocks on a full terminal buffer
        if select.select([master], [], [], 120)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                chunk = b""
            if chunk:
                shown += chunk
                continue
        break
    os.close(master)
    return proc.wait(timeout=120), shown.decode("utf-8", "replace")


def test_publish_quiet_or_off_a_terminal_shows_no_upload_progress_bars(hub, release, tmp_path):
    """The real Hub takes the Parquet files by LFS (or Xet), and huggingface_hub draws a bar per file: `--quiet`
    hushes them, and so does stderr off a terminal (a log, CI), as for downloads; on a terminal they stay."""
    hub.lfs = True
    env = {"HF_TOKEN": TOKEN, "HF_HUB_DISABLE_XET": "1"}  # this server speaks LFS, not Xet
    releases = {tag: _release_for(tag, tmp_path) for tag in ("v1.0.0", "v1.0.1", "v1.0.2")}

    def args(tag: str) -> list[str]:
        return ["publish", "--repo-id", REPO, "--from", str(releases[tag]), "--tag", tag]

    off_terminal = _cli(args("v1.0.0"), hub.url, tmp_path / "hf", **env)
    assert off_terminal.returncode == 0 and off_terminal.stderr == "", off_terminal.stderr
    rc, shown = _cli_on_a_terminal([*args("v1.0.1"), "--quiet"], hub.url, tmp_path / "hf", **env)
    assert rc == 0 and shown == "", shown
    rc, shown = _cli_on_a_terminal(args("v1.0.2"), hub.url, tmp_path / "hf", **env)
    assert rc == 0 and "Upload 3 LFS files" in shown, shown  # the user's terminal, without --quiet: the bars
    repo = hub.repos[REPO]
    assert {k: v for k, v in repo.commits[repo.refs["v1.0.0"]].items() if k != ".gitattributes"} \
        == tree_bytes(releases["v1.0.0"])


def test_publish_off_a_terminal_shows_no_build_progress_bar(corpus_repo, monkeypatch, capsys):
    """publish builds first; its build bar followed --quiet alone and was drawn into logs, where `build` draws none."""
    import ceasefire_news.release.build as build_module
    from ceasefire_news.cli import main

    monkeypatch.setattr(build_module, "PROGRESS_MIN_DOCS", 1)  # the bar's floor, so this small corpus would get one
    assert main(["publish", "--root", str(corpus_repo), "--repo-id", REPO, "--dry-run"]) == 0
    cap = capsys.readouterr()
    assert "dry run: would upload" in cap.out and cap.err == "", cap.err


def test_a_release_names_the_tag_it_is_published_as_and_publish_refuses_another(hub, release, tmp_path):
    """The manifest, the card's load examples and Croissant's licence link name the release's tag: publish builds
    for its --tag, and refuses a built folder (--from) made for another tag instead of shipping dead links."""
    v7 = str(_release_for("v7.0.0", tmp_path))
    results, _ = run([{"op": "publish", "repo_id": REPO, "from_dir": str(release), "tag": "v7.0.0"},
                      {"op": "publish", "repo_id": REPO, "from_dir": v7, "tag": "v7.0.0"},
                      {"op": "publish", "repo_id": REPO, "from_dir": v7},
                      {"op": "publish", "repo_id": "owner/other", "from_dir": v7}], hub.url, tmp_path / "hf")
    refused, published, again, other = results
    assert refused["code"] == "publish-revision" and f"built to be tagged '{TAG}', not 'v7.0.0'" in refused["line"]
    assert published["ok"] and published["tag"] == "v7.0.0", results
    assert again["code"] == "publish-tag-exists"  # no --tag: the folder's own tag, v7.0.0, which now exists
    assert other["code"] == "publish-repo-id"  # no --tag: the folder's own tag is taken, and the repository checked
    on_hub = hub.repos[REPO].commits[published["commit"]]
    assert json.loads(on_hub["manifest.json"])["hub"]["revision"] == "v7.0.0"
    licence = json.loads(on_hub["croissant.json"])["license"]["url"]
    assert licence == f"https://huggingface.co/datasets/{REPO}/blob/v7.0.0/LICENSE.md"
    card = on_hub["README.md"].decode()
    assert 'revision="v7.0.0"' in card and f'revision="{TAG}"' not in card
    assert json.loads(on_hub["croissant.json"])["citeAs"] in card  # one BibTeX entry, in both
