"""SQLite: a COMMIT or ROLLBACK is skipped only when no transaction is open (both drivers).

:func:`storage.db._skip_idle_commit_and_rollback` saves aiosqlite's no-op round
trips (the commit after a read outside a transaction, the pool's rollback
after a commit); these pin that commits, rollbacks and the pool's reset of a
connection returned mid-transaction behave as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.io import ConversationKey
from storage import Storage, upgrade
from storage.db import SQLITE_DRIVERS, _driver_in_transaction
from tests.helpers.storage_helpers import is_processed, sqlite_url


@pytest.fixture(params=SQLITE_DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    """Each SQLite driver in turn."""
    return str(request.param)


KEY = ConversationKey(platform="test", workspace="", user_id="u")


class _Boom(RuntimeError):
    pass


async def _store(tmp_path: Path, driver: str) -> Storage:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    return Storage(url, sqlite_driver=driver)


async def test_the_stock_driver_tells_whether_a_transaction_is_open(tmp_path: Path) -> None:
    store = await _store(tmp_path, "aiosqlite")
    try:
        async with store.transaction() as tx:
            proxied = await tx.connection.get_raw_connection()
            assert await tx.mark_processed(platform="test", update_id="u1")
            inside = _driver_in_transaction(proxied)
        async with store.engine.connect() as conn:  # the same pooled connection, after commit
            after = _driver_in_transaction(await conn.get_raw_connection())
    finally:
        await store.dispose()

    assert (inside, after) == (True, False)
    assert _driver_in_transaction(object()) is None  # cannot tell: the dialect runs as before


async def test_a_commit_still_commits_and_a_failure_still_rolls_back(
    tmp_path: Path, driver: str
) -> None:
    store = await _store(tmp_path, driver)
    try:
        async with store.session() as session:
            # A read outside a transaction first (its commit is the skipped no-op).
            assert await session.find_user_and_active_case(KEY) == (None, None)
            async with session.transaction() as tx:
                assert await tx.mark_processed(platform="test", update_id="kept")
        with pytest.raises(_Boom):
            async with store.transaction() as tx:
                assert await tx.mark_processed(platform="test", update_id="dropped")
                raise _Boom
        assert await is_processed(store, platform="test", update_id="kept")
        assert not await is_processed(store, platform="test", update_id="dropped")
    finally:
        await store.dispose()


async def test_a_connection_returned_mid_transaction_leaves_no_lock(
    tmp_path: Path, driver: str
) -> None:
    store = await _store(tmp_path, driver)
    other = Storage(sqlite_url(tmp_path / "coach.db"), sqlite_driver=driver, busy_timeout_ms=200)
    try:
        with pytest.raises(_Boom):
            async with store.session() as session, session.transaction() as tx:
                assert await tx.mark_processed(platform="test", update_id="u1")
                raise _Boom
        # Another connection takes the write lock at once (200 ms would time out).
        async with other.transaction() as tx:
            assert await tx.mark_processed(platform="test", update_id="u2")
        # The first store's pooled connection is clean and usable.
        async with store.transaction() as tx:
            assert await tx.mark_processed(platform="test", update_id="u3")
        assert not await is_processed(store, platform="test", update_id="u1")
        assert await is_processed(other, platform="test", update_id="u2")
        assert await is_processed(other, platform="test", update_id="u3")
    finally:
        await other.dispose()
        await store.dispose()
