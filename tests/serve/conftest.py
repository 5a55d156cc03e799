"""Fixtures of the many-worker tests: fresh PostgreSQL databases, stand-ins, workers.

They need ``TEST_DATABASE_URL`` (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)
and skip with a clear reason when it is unset. Each database is a new
``rc_serve_<random>`` created on the server's ``postgres`` database and
dropped afterwards, so these tests never clash with others. Worker processes
are always stopped (SIGTERM, then SIGKILL) when a test ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from tests.helpers.processes import Worker, kill_worker, start_worker, stop_worker, wait_for_health
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.tcp_proxy import TcpProxy

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"

#: Credentials every test worker gets (fake: only the stand-in sees them).
BOT_TOKEN = "123456:serve-test-token"
WEBHOOK_SECRET = "serve-test-secret_0123456789"

DatabaseFactory = Callable[[], Awaitable[str]]
WorkerFactory = Callable[..., Awaitable[Worker]]


def _server_url() -> URL:
    raw = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if not raw:
        pytest.skip(
            f"{TEST_DATABASE_URL_ENV} is not set: the many-worker tests need a real PostgreSQL "
            "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        pytest.skip(f"{TEST_DATABASE_URL_ENV} is not PostgreSQL; the worker tests need it")
    return url.set(drivername="postgresql+asyncpg")


async def _admin_execute(server: URL, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        user=server.username or "postgres",
        password=server.password,
        database="postgres",
        timeout=10,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def new_database() -> AsyncIterator[DatabaseFactory]:
    """Create brand-new empty PostgreSQL databases on demand; drop them all afterwards."""
    server = _server_url()
    names: list[str] = []

    async def create() -> str:
        name = f"rc_serve_{uuid.uuid4().hex[:12]}"
        await _admin_execute(server, f'CREATE DATABASE "{name}"')
        names.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        for name in names:
            await _admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def pg_url(new_database: DatabaseFactory) -> str:
    """The URL of one brand-new, empty (not migrated) PostgreSQL database."""
    return await new_database()


@pytest.fixture
async def migrated_pg_url(pg_url: str) -> str:
    """``pg_url`` with every migration applied (what `rejection-coach db upgrade` does)."""
    from storage import upgrade

    await upgrade(pg_url)
    return pg_url


@pytest.fixture
def db_proxy(pg_url: str) -> Iterator[TcpProxy]:
    """A fault-injection proxy in front of the test's PostgreSQL server."""
    url = make_url(pg_url)
    proxy = TcpProxy(target_host=url.host or "127.0.0.1", target_port=url.port or 5432)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


def via_proxy(pg_url: str, proxy: TcpProxy) -> str:
    """``pg_url`` rewritten to go through ``proxy``."""
    url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """Where worker processes write their logs."""
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.fixture
def bot_api() -> Iterator[BotApiStandIn]:
    """A Telegram Bot API stand-in on a loopback port."""
    api = BotApiStandIn()
    api.start()
    try:
        yield api
    finally:
        api.close()


def worker_env(*, database_url: str, api: BotApiStandIn, **extra: str) -> dict[str, str]:
    """The environment of a Telegram-only ``serve`` worker talking to ``api``."""
    return {
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_URL": api.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_APP_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "REMINDER_INTERVAL_SECONDS": "0.3",
        "DEFAULT_LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
        **extra,
    }


@pytest.fixture
async def spawn(log_dir: Path) -> AsyncIterator[WorkerFactory]:
    """Start ``serve`` workers and wait for their /healthz; stop them all afterwards."""
    workers: list[Worker] = []

    async def start(
        name: str,
        *,
        database_url: str,
        api: BotApiStandIn,
        wait: bool = True,
        **extra: str,
    ) -> Worker:
        worker = start_worker(
            name=name, env=worker_env(database_url=database_url, api=api, **extra), log_dir=log_dir
        )
        workers.append(worker)
        if wait:
            await wait_for_health(worker, timeout=45.0)
        return worker

    try:
        yield start
    finally:
        try:
            await asyncio.gather(
                *(stop_worker(w, timeout=10.0) for w in workers), return_exceptions=True
            )
        finally:
            for worker in workers:
                kill_worker(worker)
