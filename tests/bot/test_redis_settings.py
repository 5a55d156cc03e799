"""REDIS_URL (issue 13): the optional Redis of the shared send budgets, from the settings on.

Unset, nothing imports ``redis``; set, the engine's pacer keeps its shared budgets in
Redis; set without the ``redis`` package (or not a Redis URL), every command refuses to
start with exit code 2, like any invalid setting.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.engine.pacing import Pacer, PostgresBudgets
from bot.engine.pacing_redis import RedisBudgets
from bot.settings import load_settings
from bot.wiring import build_engine
from storage import Storage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) and no Redis settings in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("REDIS_URL", "REDIS_KEY_PREFIX", "DATABASE_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A storage on a SQLite file (the pacer only asks for its dialect)."""
    store = Storage(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    try:
        yield store
    finally:
        await store.dispose()


def test_redis_is_off_unless_redis_url_is_set(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().redis_url is None
    monkeypatch.setenv("REDIS_URL", "  ")  # as in .env.example: empty means unset
    settings = load_settings()
    assert settings.redis_url is None
    assert settings.redis_key_prefix == "rejection-coach"


async def test_without_redis_url_the_budgets_stay_where_they_were(
    clean_env: Path, sqlite_storage: Storage
) -> None:
    engine = build_engine(settings=load_settings(), storage=sqlite_storage)
    try:
        assert engine.outbox.pacer.shared is None  # SQLite: in the process
    finally:
        await engine.aclose()


async def test_with_redis_url_the_engine_keeps_its_budgets_in_redis(
    clean_env: Path, sqlite_storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "coach-blue")
    engine = build_engine(settings=load_settings(), storage=sqlite_storage)
    try:
        shared = engine.outbox.pacer.shared
        assert isinstance(shared, RedisBudgets)
        assert shared.key("telegram") == "coach-blue:send-budget:telegram"
    finally:
        await engine.aclose()
        await engine.aclose()  # idempotent: the client is closed once


def test_a_postgresql_storage_without_redis_shares_through_its_rows() -> None:
    storage = Storage("postgresql+asyncpg://coach@127.0.0.1:1/never-connected")
    assert isinstance(Pacer(storage=storage).shared, PostgresBudgets)


def test_a_redis_url_that_is_not_one_is_refused_without_echoing_it(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "http://user:s3cret-pw@cache:6379")
    with pytest.raises(ValidationError):
        load_settings()

    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "REDIS_URL must be a redis://, rediss:// or unix:// URL" in err
    assert "s3cret-pw" not in err


def test_redis_url_without_the_redis_package_is_refused_at_start(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://:s3cret-pw@cache:6379/0")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setitem(sys.modules, "redis", None)  # as if `[redis]` was not installed

    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "REDIS_URL is set but the redis package is not installed" in err
    assert "pip install 'rejection-coach[redis]'" in err
    assert "s3cret-pw" not in err


def test_nothing_imports_redis_when_redis_url_is_unset(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import bot.cli, bot.serve, bot.wiring, bot.engine.pacing, bot.engine.pacing_redis\n"
        "from bot.settings import load_settings\n"
        "assert load_settings().redis_url is None\n"
        "print('redis' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
    env |= {"PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
