"""The channel registry and contract: every channel is complete, and translates only."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from bot.channels import CHANNELS
from bot.channels.base import Channel, ChannelSpec
from bot.settings import Settings

CHANNELS_DIR = Path(__file__).resolve().parents[2] / "bot" / "channels"
#: What a channel must not reach around the engine for (STYLE: channels only translate).
FORBIDDEN = ("storage", "sqlalchemy", "asyncpg", "aiosqlite", "alembic", "flows.machine")
SPECS = list(CHANNELS.values())


def test_every_platform_has_one_entry_and_one_subcommand() -> None:
    assert list(CHANNELS) == ["telegram", "slack", "console"]
    assert all(name == spec.name for name, spec in CHANNELS.items())
    commands = [spec.command for spec in SPECS]
    assert len(set(commands)) == len(commands)
    assert not {"serve", "db", "diagram"} & set(commands)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_a_channel_module_offers_the_contract(spec: ChannelSpec) -> None:
    factory = spec.load()
    assert getattr(factory, "name", None) == spec.name
    assert callable(getattr(factory, "from_settings", None))
    assert inspect.iscoroutinefunction(spec.runner())
    for method in ("routes", "start", "stop", "run", "deliver"):
        assert callable(getattr(factory, method, None)), method
    for method in ("start", "stop", "run", "deliver"):
        assert inspect.iscoroutinefunction(getattr(factory, method)), method
    assert {m for m in dir(Channel) if not m.startswith("_")} <= set(dir(factory))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_a_channels_secrets_are_settings_and_redacted(spec: ChannelSpec) -> None:
    assert set(spec.secrets) <= set(Settings.model_fields)
    values = {name: f"{spec.name}-secret-{i}" for i, name in enumerate(spec.secrets)}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]
    assert sorted(settings.secrets()) == sorted(values.values())


def test_without_tokens_only_the_terminal_is_configured() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [spec.name for spec in SPECS if spec.configured(settings)] == ["console"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(CHANNELS_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(CHANNELS_DIR))
)
def test_channels_reach_storage_and_the_machine_only_through_the_engine(path: Path) -> None:
    bad = {
        name
        for name in _imports(path)
        if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
