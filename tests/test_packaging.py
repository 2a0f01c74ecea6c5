"""The wheel carries the one copy of schema/ and rules/ from the repository root, and works installed."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytest.importorskip("hatchling")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    (whl,) = out.glob("ceasefire_news-*.whl")
    return whl


def test_wheel_carries_schema_and_rules_byte_for_byte(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for folder in ("schema", "rules"):
            files = sorted(p for p in (ROOT / folder).iterdir() if p.is_file())
            assert files
            for p in files:
                name = f"ceasefire_news/{folder}/{p.name}"
                assert name in names, name
                assert z.read(name) == p.read_bytes()
        assert not any(n.startswith(("schema/", "rules/")) for n in names), "a second, top-level copy"


def test_installed_wheel_validates_and_cleans_from_its_packaged_files(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)  # a wheel is a zip of the installed files: no pip, no network
    code = ("import sys; from ceasefire_news.resources import schema_dir, rules_dir; "
            "from ceasefire_news.text.boilerplate import load_rules; from ceasefire_news.schemas import compiled; "
            "print(schema_dir()); print(rules_dir()); compiled('annotations'); load_rules()")
    proc = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(target), "PATH": ""},
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    schema, rules = proc.stdout.split()
    assert Path(schema).is_relative_to(target) and Path(rules).is_relative_to(target)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def test_the_missing_extra_check_knows_the_build_extra_of_pyproject():
    """The list the CLI checks is the `build` extra itself (read from the installed metadata), not a copy."""
    from ceasefire_news.extras import extra_requirements

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    declared = sorted(_normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in extra["build"])
    assert sorted(map(_normal, extra_requirements("build"))) == declared, "reinstall the package: its metadata is stale"


def test_a_package_added_to_the_build_extra_is_checked_without_touching_the_cli(monkeypatch, capsys):
    from importlib import metadata

    from ceasefire_news.cli import main

    listed = metadata.requires("ceasefire-news")
    monkeypatch.setattr(metadata, "requires", lambda name: [*listed, 'no-such-dist-3f9a>=1; extra == "build"',
                                                            'no-such-test-dist-3f9a; extra == "test"'])
    assert main(["stats", "--root", str(ROOT)]) == 1
    assert capsys.readouterr().err.strip() == (
        "error [missing-extra] `ceasefire-news stats` needs no-such-dist-3f9a, which the build extra installs "
        "(hint: pip install 'ceasefire-news[build]')")


def test_clean_names_a_missing_build_extra_as_the_cli_does(monkeypatch):
    """ceasefire_news.clean() had its own wording (the module, not the distributions) and a bare
    ModuleNotFoundError; it raises the CLI's [missing-extra] line, still catchable as ModuleNotFoundError."""
    from importlib import metadata

    import ceasefire_news
    import ceasefire_news.text.clean as clean_module
    from ceasefire_news.errors import CeasefireError

    listed = metadata.requires("ceasefire-news")
    monkeypatch.setattr(metadata, "requires", lambda name: [*listed, 'no-such-dist-3f9a>=1; extra == "build"'])

    def missing(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'no_such_dist_3f9a'", name="no_such_dist_3f9a")

    monkeypatch.setattr(clean_module, "load_rules", missing)
    with pytest.raises(ModuleNotFoundError) as caught:
        ceasefire_news.clean("The truce held overnight, officials in Doha said on Friday.")
    assert isinstance(caught.value, CeasefireError) and caught.value.problems[0].code == "missing-extra"
    assert str(caught.value) == (
        "error [missing-extra] ceasefire_news.clean() needs no-such-dist-3f9a, which the build extra installs "
        "(hint: pip install 'ceasefire-news[build]')")
