"""/delete leaves no trace (issue 14, item 6): red-team rows 9.1, 9.2 and P7.

``processed_updates`` kept ``slack:action:<team>:<user>:…`` for two days after /delete,
and SQLite's WAL still held the erased texts. Now the update ids are stored as a keyed
hash (HMAC), SQLite runs with ``secure_delete`` and its WAL is checkpointed and
truncated after /delete. The test searches the raw bytes of the database file and its
WAL for every text the user typed and for the platform ids.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Engine
from flows.case import Step
from flows.coach import Coach
from flows.io import CommandInput, ConversationKey
from storage import Storage, upgrade
from tests.helpers.engine_helpers import ENGLISH_PATH, Conversation, Type, message, press
from tests.helpers.storage_helpers import sqlite_url

TEAM = "T0ZQXTEAM"
USER = "U0ZQXUSER"
MARKERS = ("Zqxclient", "zqxdelivery", "Zqxquote", TEAM, USER)


@pytest.mark.parametrize("driver", ["aiosqlite", "inloop"])
async def test_after_delete_the_sqlite_file_and_wal_hold_none_of_the_user(
    tmp_path: Path, driver: str
) -> None:
    path = tmp_path / "coach.db"
    await upgrade(sqlite_url(path))
    storage = Storage(sqlite_url(path), sqlite_driver=driver)
    try:
        engine = Engine(storage=storage, coach=Coach())
        key = ConversationKey("slack", TEAM, USER)
        actions = dict(ENGLISH_PATH.actions)
        actions[Step.CLIENT_NAME] = [Type("Zqxclient Ltd")]
        actions[Step.DELIVERY] = [Type("zqxdelivery landing page")]
        actions[Step.CLIENT_SAID] = [Type("Zqxquote: not what we imagined")]
        script = replace(ENGLISH_PATH, actions=actions, stop_at=Step.REPLY)
        talk = Conversation(key=key, script=script)
        # An update id shaped like the Slack channel's, naming the team and the user.
        started = await engine.handle(
            message(key, CommandInput(name="start"), update_id=f"slack:action:{TEAM}:{USER}:1")
        )
        talk.last = list(started.outgoing)
        for _ in range(60):
            if not await talk.step(engine, storage):
                break
        raw = Path(path).read_bytes() + _wal(path)
        assert b"Zqxclient" in raw, "the test did not store what it later searches for"

        asked = await engine.handle(message(key, CommandInput(name="delete")))
        done = await engine.handle(
            message(key, press(asked.outgoing, "del.yes"), update_id=f"slack:{TEAM}:{USER}:2")
        )
        assert done.outgoing and not done.unavailable

        raw = Path(path).read_bytes() + _wal(path)
        for marker in MARKERS:
            assert marker.encode() not in raw, f"{marker!r} is still in the SQLite files"
    finally:
        await storage.dispose()


def _wal(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return wal.read_bytes() if wal.exists() else b""
