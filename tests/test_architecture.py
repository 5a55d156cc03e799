"""flows/ is platform-neutral: no platform library, no database, no HTTP client."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[1] / "flows"
FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "sqlalchemy", "aiohttp")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names.update(
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


FILES = sorted(FLOWS.rglob("*.py"))


def test_there_are_flow_modules() -> None:
    assert {p.name for p in FILES} >= {"case.py", "io.py", "coach.py", "machine.py"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_flows_import_no_platform_or_database(path: Path) -> None:
    bad = {name for name in _imported_modules(path) if name.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import telegram.ext\nfrom sqlalchemy import select\n__import__('aiohttp')\n")
    assert _imported_modules(sample) >= {"telegram.ext", "sqlalchemy", "aiohttp"}
