"""The terminal delivers from the outbox too (issue 13): nothing composed is lost at Ctrl-C."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flows.i18n import t
from flows.io import ConversationKey, Reply
from storage import Storage
from tests.bot.test_console import Chat, _flat
from tests.helpers.loops import run_in_own_loop
from tests.helpers.storage_helpers import sqlite_url

LEFT_BEHIND = "A reply composed just before the terminal was closed."


async def _leave_a_reply_behind(database: Path, *, user: str) -> None:
    """What a session killed between its commit and its print leaves: a held, unsent row."""
    storage = Storage(sqlite_url(database))
    try:
        async with storage.transaction() as tx:
            await tx.enqueue_outgoing(
                key=ConversationKey(platform="console", workspace="", user_id=user),
                user_id=None,
                outgoing=[Reply(text=LEFT_BEHIND)],
                origin="reply",
                held_by="a-session-that-was-killed",
                held_for=timedelta(minutes=10),
            )
    finally:
        await storage.dispose()


async def _pending(database: Path) -> int:
    storage = Storage(sqlite_url(database))
    try:
        async with storage.transaction(readonly=True) as tx:
            return (await tx.outbox_stats()).pending
    finally:
        await storage.dispose()


def test_a_reply_not_printed_before_the_end_is_printed_at_the_next_start(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=home, lang="en", user="ana")
    chat.pick_number(chat.first, t("en", "coach-btn-calm"))
    chat.leave_with_ctrl_d()
    assert run_in_own_loop(_pending(database)) == 0  # everything was printed

    run_in_own_loop(_leave_a_reply_behind(database, user="ana"))
    again = Chat(database=database, home=home, lang=None, user="ana")
    shown = _flat(again.first.text)
    assert _flat(LEFT_BEHIND) in shown
    # Printed first, then the start's own question (continue the case or a new one).
    assert shown.index(_flat(LEFT_BEHIND)) < shown.index(_flat(t("en", "coach-btn-continue")))
    again.leave_with_ctrl_d()
    assert run_in_own_loop(_pending(database)) == 0
