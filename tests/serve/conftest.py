"""Fixtures of the many-worker tests: a fresh PostgreSQL database per test.

They need ``TEST_DATABASE_URL`` (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)
and skip with a clear reason when it is unset. Each test gets its own database
``rc_serve_<random>``, created on the server's ``postgres`` database and
dropped afterwards, so it never clashes with other tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from tests.helpers.tcp_proxy import TcpProxy

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"


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


async def _admin_connection(url: URL):  # type: ignore[no-untyped-def]
    import asyncpg

    return await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database="postgres",
        timeout=10,
    )


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A SQLAlchemy URL of a brand-new, empty PostgreSQL database (dropped afterwards)."""
    server = _server_url()
    name = f"rc_serve_{uuid.uuid4().hex[:12]}"
    admin = await _admin_connection(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await _admin_connection(server)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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
