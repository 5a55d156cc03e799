"""The database health check against the real PostgreSQL, cut and restored by a proxy."""

from __future__ import annotations

import asyncio

from bot.serve import database_health_check
from storage.db import create_engine
from tests.helpers.tcp_proxy import TcpProxy
from tests.serve.conftest import via_proxy


async def test_health_check_sees_the_database_go_and_come_back(
    pg_url: str, db_proxy: TcpProxy
) -> None:
    database = create_engine(via_proxy(pg_url, db_proxy))
    check = database_health_check(database, timeout=3.0)
    try:
        assert await check() is True
        assert db_proxy.accepted >= 1

        db_proxy.sever()
        assert await check() is False
        assert await check() is False  # and it stays down while cut
        assert db_proxy.refused >= 1

        db_proxy.restore()
        healthy = False
        for _ in range(50):  # bounded: about 5 s
            if await check():
                healthy = True
                break
            await asyncio.sleep(0.1)
        assert healthy, "the pool did not reconnect after the database came back"
    finally:
        await database.dispose()


async def test_health_check_gives_up_on_a_hung_database(pg_url: str, db_proxy: TcpProxy) -> None:
    database = create_engine(
        via_proxy(pg_url, db_proxy), connect_args={"timeout": 2, "command_timeout": 2}
    )
    check = database_health_check(database, timeout=1.0)
    try:
        assert await check() is True
        db_proxy.hang()  # connections stay open, nothing comes back
        assert await asyncio.wait_for(check(), timeout=10) is False
        assert await asyncio.wait_for(check(), timeout=10) is False
        db_proxy.restore()
        healthy = False
        for _ in range(100):  # bounded: about 10 s
            if await check():
                healthy = True
                break
            await asyncio.sleep(0.1)
        assert healthy, "the pool did not recover after the database answered again"
    finally:
        await database.dispose()
