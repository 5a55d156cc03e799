"""STYLE's layering, checked on the source: flows/ is pure, channels stay thin.

- ``flows/`` imports nothing from ``bot`` or ``storage``, no platform library, no database
  library, no HTTP client and no LLM client: it is the deterministic product core.
- A channel (``bot/channels/**``; before the move ``bot/telegram/**``, ``bot/slack/**`` and
  ``bot/console.py``) never imports ``storage`` nor the state machine (``flows.machine``,
  ``transitions``): it talks to the engine only.

Imports are read with :mod:`ast` (nothing is imported): ``import x``, ``from x import y``
(counted as ``x`` and ``x.y``), relative imports resolved against the file's package, and
``__import__("x")`` / ``importlib.import_module("x")`` with a literal name. Imports under
``if TYPE_CHECKING:`` count as well: they couple the layers just the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FLOWS_FORBIDDEN = (
    "bot",
    "storage",
    # platform libraries
    "telegram",
    "slack_bolt",
    "slack_sdk",
    # database libraries
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "sqlite3",
    # HTTP and LLM clients
    "aiohttp",
    "httpx",
    "requests",
    "openai",
)
CHANNEL_FORBIDDEN = ("storage", "flows.machine", "transitions")

# Where channels live: the registry folder, and today's places until they move there.
CHANNEL_GLOBS = ("bot/channels/**/*.py", "bot/telegram/**/*.py", "bot/slack/**/*.py")
CHANNEL_FILES_OUTSIDE_PACKAGES = ("bot/console.py",)


def _module_name(path: Path) -> str:
    """``bot/telegram/adapter.py`` -> ``bot.telegram.adapter`` (``__init__`` -> the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path, module: str = "") -> set[str]:
    """Every module name ``path`` imports; relative imports resolved against ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base:
                names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            names.update(
                arg.value
                for arg in node.args[:1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return names


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _violations(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in names
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    )


def _channel_files() -> list[Path]:
    found = {p for pattern in CHANNEL_GLOBS for p in ROOT.glob(pattern)}
    found.update(ROOT / name for name in CHANNEL_FILES_OUTSIDE_PACKAGES if (ROOT / name).exists())
    return sorted(found)


FLOW_FILES = sorted((ROOT / "flows").rglob("*.py"))
CHANNEL_FILES = _channel_files()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_flow_modules() -> None:
    assert {p.name for p in FLOW_FILES} >= {"case.py", "coach.py", "machine.py"}


def test_there_are_channel_modules() -> None:
    """The globs above must still find the channels (else the channel rule checks nothing)."""
    assert len(CHANNEL_FILES) >= 3, CHANNEL_FILES
    assert any("telegram" in p.parts for p in CHANNEL_FILES)
    assert any("slack" in p.parts for p in CHANNEL_FILES)


@pytest.mark.parametrize("path", FLOW_FILES, ids=_id)
def test_flows_import_no_bot_storage_platform_database_or_http(path: Path) -> None:
    bad = _violations(_imported_modules(path, _module_name(path)), FLOWS_FORBIDDEN)
    assert not bad, f"{_id(path)} imports {bad}"


@pytest.mark.parametrize("path", CHANNEL_FILES, ids=_id)
def test_channels_import_neither_storage_nor_the_machine(path: Path) -> None:
    bad = _violations(_imported_modules(path, _module_name(path)), CHANNEL_FORBIDDEN)
    assert not bad, f"{_id(path)} imports {bad} (channels talk to the engine only)"


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import telegram.ext\n"
        "from sqlalchemy import select\n"
        "__import__('aiohttp')\n"
        "import importlib\n"
        "importlib.import_module('openai')\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from storage.repository import Repository\n"
        "def later() -> None:\n"
        "    import sqlite3\n",
        encoding="utf-8",
    )
    names = _imported_modules(sample)
    assert _violations(names, FLOWS_FORBIDDEN) == [
        "aiohttp",
        "openai",
        "sqlalchemy",
        "sqlalchemy.select",
        "sqlite3",
        "storage.repository",
        "storage.repository.Repository",
        "telegram.ext",
    ]
    assert _violations({"typing", "flows.i18n", "logging"}, FLOWS_FORBIDDEN) == []


def test_the_checker_sees_the_machine_behind_from_imports_and_resolves_relative_ones(
    tmp_path: Path,
) -> None:
    sample = tmp_path / "adapter.py"
    sample.write_text(
        "from flows import machine\n"
        "from . import storage\n"
        "from .render import x\n"
        "from .. import engine\n",
        encoding="utf-8",
    )
    names = _imported_modules(sample, "bot.channels.telegram.adapter")
    assert {"bot.channels.telegram.storage", "bot.channels.telegram.render.x"} <= names
    assert "bot.channels.engine" in names
    assert _violations(names, CHANNEL_FORBIDDEN) == ["flows.machine"]
