"""The wheel holds every module and every data file, and building it warns about nothing.

Packages are discovered (``[tool.setuptools.packages.find]`` in pyproject.toml), not listed
by hand; this test builds the real wheel from a copy of the source tree and compares it
with what is on disk, so a new subpackage or catalog can never be left out silently.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "flows", "storage", "locales")
DATA_FILES = ("storage/alembic.ini", "storage/migrations/script.py.mako")

# Runs in a child process: setuptools' PEP 517 backend, recording the warnings setuptools
# raises (those pip prints while installing).
_BUILD = """
import json, sys, warnings
from setuptools import build_meta
from setuptools.warnings import SetuptoolsWarning
dist, report_path = sys.argv[1:3]  # build_meta rewrites sys.argv
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    name = build_meta.build_wheel(dist)
found = [f"{w.category.__name__}: {w.message}" for w in caught
         if issubclass(w.category, SetuptoolsWarning)]
with open(report_path, "w", encoding="utf-8") as out:
    json.dump({"wheel": name, "warnings": found}, out)
"""


def _expected_files() -> set[str]:
    found = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for pattern in ("*.py", "*.ftl")
        for path in (ROOT / package).rglob(pattern)
        if "__pycache__" not in path.parts
    }
    return found | set(DATA_FILES)


def _build_wheel(tmp_path: Path, extra: dict[str, str] | None = None) -> tuple[set[str], list[str]]:
    """Build the wheel from a copy of the tree (plus ``extra`` files); its files and warnings."""
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", ".*_cache"
        ),
    )
    for name, text in (extra or {}).items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    dist, report_path = tmp_path / "dist", tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-c", _BUILD, str(dist), str(report_path)],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=240,
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    with zipfile.ZipFile(dist / report["wheel"]) as wheel:
        names = {name for name in wheel.namelist() if ".dist-info/" not in name}
    return names, report["warnings"]


def test_the_wheel_holds_every_module_and_catalog_and_builds_without_warnings(
    tmp_path: Path,
) -> None:
    names, warnings = _build_wheel(tmp_path)
    expected = _expected_files()
    assert {"locales/bg/coach.ftl", "bot/cli.py", "storage/migrations/env.py"} <= expected
    missing = sorted(expected - names)
    assert not missing, f"left out of the wheel: {missing}"
    stray = sorted(name for name in names if name.split("/")[0] not in PACKAGES)
    assert not stray, f"not ours to install: {stray}"
    assert not warnings, warnings


def test_a_new_subpackage_is_in_the_wheel_without_editing_pyproject(tmp_path: Path) -> None:
    """Discovery, not a list: a folder added under bot/ ships as it is."""
    probe = "bot/probe_channel/__init__.py"
    names, warnings = _build_wheel(tmp_path, {probe: '"""Probe."""\n'})
    assert probe in names
    assert not warnings, warnings
