"""One "temporarily unavailable" per user per few minutes (issue 14, item 7).

Red-team rows 6.2 and 6.5 / P8: during an outage every Telegram redelivery of the same
update sent another "temporarily unavailable" message (12-13 per user for one update).
The database here is a SQLite file in a directory that does not exist: every attempt
fails like an outage does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.engine import Engine
from bot.engine.pipeline import UNAVAILABLE_NOTICE_INTERVAL
from flows.coach import Coach
from flows.i18n import t
from flows.io import ConversationKey, TextInput
from storage import Storage
from tests.helpers.engine_helpers import FakeClock, message
from tests.helpers.storage_helpers import sqlite_url


async def test_redeliveries_during_an_outage_get_one_notice_per_user(tmp_path: Path) -> None:
    storage = Storage(sqlite_url(tmp_path / "no-such-dir" / "coach.db"))
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    ana = ConversationKey("telegram", "", "1001")
    bob = ConversationKey("telegram", "", "1002")
    notice = t("en", "coach-unavailable")
    try:
        update = message(ana, TextInput("Acme"), update_id="77", platform_language="en")
        results = [await engine.handle(update) for _ in range(6)]
        assert all(r.unavailable for r in results)
        assert [[o.text for o in r.outgoing] for r in results] == [[notice]] + [[]] * 5

        # Another user has their own notice; a fresh update of Ana's within the window not.
        other = await engine.handle(message(bob, TextInput("x"), platform_language="en"))
        assert [o.text for o in other.outgoing] == [notice]
        later = await engine.handle(message(ana, TextInput("y"), platform_language="en"))
        assert later.unavailable and later.outgoing == []

        # Once the window has passed, Ana is told again.
        clock.advance(UNAVAILABLE_NOTICE_INTERVAL + timedelta(seconds=1))
        again = await engine.handle(update)
        assert [o.text for o in again.outgoing] == [notice]
    finally:
        await storage.dispose()
