"""A reminder scheduled through one worker is delivered once by the others after it dies."""

from __future__ import annotations

import asyncio
import html
import time

import aiohttp
import pytest
from sqlalchemy import text

from flows.i18n import t
from storage.db import create_engine
from tests.helpers.processes import kill_worker
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.webhook_updates import TelegramUser, post_update
from tests.serve.conftest import WEBHOOK_SECRET, WorkerFactory

pytestmark = pytest.mark.postgres


async def test_reminder_of_a_killed_worker_is_delivered_once_by_another(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    scheduler = await spawn("scheduler", database_url=migrated_pg_url, api=bot_api)
    user = TelegramUser(user_id=750001)
    async with aiohttp.ClientSession() as session:

        async def send(update: dict[str, object]) -> int:
            return await post_update(session, scheduler.url, update, secret=WEBHOOK_SECRET)

        assert await send(user.message("/start")) == 200
        assert await send(user.press_label(bot_api, t("en", "coach-btn-upset"))) == 200
        assert await send(user.press_label(bot_api, t("en", "coach-btn-remind-15"))) == 200

    database = create_engine(migrated_pg_url)
    try:
        async with database.connect() as connection:
            pending = (
                await connection.execute(
                    text(
                        "SELECT id, due_at > now() + interval '10 minutes' AS later "
                        "FROM reminders WHERE sent_at IS NULL"
                    )
                )
            ).all()
        assert len(pending) == 1 and pending[0].later  # due in 15 minutes

        # The worker that scheduled it crashes; two others are running.
        kill_worker(scheduler)
        assert scheduler.process.returncode == -9
        second, third = await asyncio.gather(
            spawn("second", database_url=migrated_pg_url, api=bot_api),
            spawn("third", database_url=migrated_pg_url, api=bot_api),
        )

        # Fast-forward: the 15 minutes are over.
        async with database.begin() as connection:
            await connection.execute(
                text("UPDATE reminders SET due_at = now() - interval '1 second'")
            )

        nudge = html.escape(t("en", "coach-reminder-cool-down"), quote=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(nudge in message for message in bot_api.texts(user.user_id)):
                break
            await asyncio.sleep(0.1)
        # Several more scheduler rounds (0.3 s each) on both workers: nothing more arrives.
        await asyncio.sleep(2.0)
        assert sum(nudge in message for message in bot_api.texts(user.user_id)) == 1

        async with database.connect() as connection:
            rows = (await connection.execute(text("SELECT sent_at FROM reminders"))).all()
        assert len(rows) == 1 and rows[0].sent_at is not None
    finally:
        await database.dispose()

    delivered = 0.0
    async with aiohttp.ClientSession() as session:
        for worker in (second, third):
            async with session.get(f"{worker.url}/metrics") as response:
                for line in (await response.text()).splitlines():
                    if line.startswith('rejection_coach_reminders_sent_total{platform="telegram"}'):
                        delivered += float(line.split()[-1])
    assert delivered == 1
