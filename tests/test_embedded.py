"""The wheel carries the current release, byte for byte, and loads it in a bare environment with no network.

If a change to the code or the data changes the release bytes, these tests fail until the embedded copy is
refreshed with `python scripts/embed_release.py`.
"""
from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from ceasefire_news.release.build import build
from ceasefire_news.release.embed import REFRESH_COMMAND, embed_release

from .conftest import ROOT
from .corpus_factory import tree_bytes

EMBEDDED = ROOT / "src" / "ceasefire_news" / "_release"
CORE = {"pandas", "pyarrow", "huggingface-hub"}
BUILD_ONLY = ("matplotlib", "jsonschema", "jsonschema_rs", "orjson")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, bytes]:
    """What `ceasefire-news build` makes from the repository now."""
    return tree_bytes(build(ROOT, tmp_path_factory.mktemp("fresh") / "release", progress=False).out)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    (whl,) = out.glob("ceasefire_news-*.whl")
    return whl


def _stale(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    changed = sorted(n for n in expected.keys() | actual.keys() if expected.get(n) != actual.get(n))
    return (f"the embedded release differs from a fresh build in {changed}: run `{REFRESH_COMMAND}` and commit "
            "src/ceasefire_news/_release/")


def test_checked_in_release_is_byte_identical_to_a_fresh_build(fresh):
    embedded = tree_bytes(EMBEDDED)
    assert embedded == fresh, _stale(fresh, embedded)


def test_wheel_carries_the_fresh_build_byte_for_byte(wheel: Path, fresh):
    with zipfile.ZipFile(wheel) as z:
        prefix = "ceasefire_news/_release/"
        carried = {n[len(prefix):]: z.read(n) for n in z.namelist() if n.startswith(prefix) and not n.endswith("/")}
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    assert carried == fresh, _stale(fresh, carried)
    unconditional = {re.split(r"[ <>=!~;\[]", line.split(":", 1)[1].strip())[0].lower()
                     for line in meta.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line}
    assert unconditional == CORE
    assert re.search(r"Requires-Dist: matplotlib[^\n]*extra == ['\"]build['\"]", meta)


def test_past_the_size_limit_only_manifest_and_checksums_are_embedded(tmp_path: Path, fresh):
    e = embed_release(ROOT, tmp_path / "_release", limit=1000)
    assert e.lite and e.release_bytes == sum(len(v) for v in fresh.values())
    assert tree_bytes(tmp_path / "_release") == {n: fresh[n] for n in ("manifest.json", "SHA256SUMS")}
    e = embed_release(ROOT, tmp_path / "_release")
    assert not e.lite and tree_bytes(tmp_path / "_release") == fresh
    assert (tmp_path / "_release").stat().st_mode & 0o777 == 0o755  # staged as build and site stage, not 0700


def _closure(names: set[str]) -> dict[str, md.Distribution]:
    """The installed distributions `pip install` of a wheel needing `names` brings: requirements, recursively
    (markers evaluated, no extras), as resolved in this environment. No index, no network."""
    from packaging.requirements import Requirement

    todo, seen = list(names), {}
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        dist = md.distribution(name)
        seen[name] = dist
        for r in dist.requires or []:
            req = Requirement(r)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_wheel_in_a_bare_venv_loads_offline_without_build_dependencies(wheel: Path, tmp_path: Path):
    deps = _closure(CORE)
    assert not set(deps) & {"matplotlib", "jsonschema", "jsonschema-rs"}, sorted(deps)
    # The bare environment sees exactly that closure (linked from this one) and the installed wheel.
    linked = tmp_path / "deps"
    linked.mkdir()
    for dist in deps.values():
        for top in {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            src = Path(dist.locate_file(top))
            if src.exists() and not (linked / top).exists() and top != "__pycache__":
                (linked / top).symlink_to(src)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)  # a wheel is a zip of the installed files
    (site / "deps.pth").write_text(str(linked) + "\n")
    code = """
import importlib.util, sys, ceasefire_news
assert ceasefire_news.__file__.startswith(sys.argv[1]), ceasefire_news.__file__
df = ceasefire_news.load("all")
assert len(df) >= 1 and str(df["text"].dtype).startswith("string"), df.dtypes
n = 0
for doc in ceasefire_news.documents("all"):
    for e in doc.entities:
        assert doc.text[e.start:e.end] == e.text
        n += 1
missing = [m for m in sys.argv[2:] if importlib.util.find_spec(m) is None]
loaded = [m for m in sys.argv[2:] if m in sys.modules]
print(len(df), n, ",".join(missing), ",".join(loaded) or "-")
from ceasefire_news.errors import CeasefireError
try:
    ceasefire_news.clean("The truce held overnight, officials in Doha said on Friday.")
    print("cleaned")
except ModuleNotFoundError as exc:  # the text stage needs the build extra: the same line as the CLI's
    print("hint" if isinstance(exc, CeasefireError) else "bare-error", file=sys.stderr)
    print(exc, file=sys.stderr)
"""
    env = {"PATH": os.environ.get("PATH", ""), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.run([py, "-c", code, str(site), *BUILD_ONLY], capture_output=True, text=True, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows, spans, missing, loaded = proc.stdout.split()
    assert int(rows) >= 1 and int(spans) > 100
    assert missing.split(",") == list(BUILD_ONLY), "the bare install must not bring build-only packages"
    assert loaded == "-"
    clean_access, clean_line = proc.stderr.splitlines()
    assert clean_access == "hint", proc.stderr
    # the read-side commands work there too; a build command says which extra it needs, in one line
    cli = [str(py), "-m", "ceasefire_news.cli"]
    export = subprocess.run([*cli, "export", "--format", "conll", "--split", "all", "--out", str(tmp_path / "x")],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert export.returncode == 0 and (tmp_path / "x" / "loss.json").is_file(), export.stderr
    build = subprocess.run([*cli, "validate", "--root", str(ROOT)], capture_output=True, text=True, env=env,
                           cwd=tmp_path)
    assert build.returncode == 1 and "Traceback" not in build.stderr, build.stderr
    assert "[missing-extra]" in build.stderr and "pip install 'ceasefire-news[build]'" in build.stderr
    # ceasefire_news.clean() says it the same way, naming the same distributions
    assert clean_line == build.stderr.strip().replace("`ceasefire-news validate`", "ceasefire_news.clean()")
