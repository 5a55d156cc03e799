"""The Telegram inbox (issue 13): stored before the ack, worked on from there, in order.

The webhook answers 200 once the update is stored; polling confirms an offset only
once its updates are stored; a stored update whose worker died is worked on by
another worker; one user's updates are worked on one at a time, oldest first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.inputs import conversation_key
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_handler
from bot.engine import Engine
from flows.case import Step
from flows.coach import Coach
from flows.i18n import t
from storage import Storage, upgrade
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import sqlite_url
from tests.telegram.conftest import Clock

SECRET = "inbox_secret-token"


def _update(api: BotApiStandIn, user_id: int, text: str, *, update_id: int | None = None) -> Any:
    user = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": user_id, "type": "private", "first_name": "Ana"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id or api.new_update_id(), "message": message}


@pytest.fixture
async def webhook_url(adapter: TelegramChannel) -> AsyncIterator[str]:
    """The webhook handler on an ephemeral port."""
    app = web.Application()
    app.router.add_post("/hook", webhook_handler(adapter, secret=SECRET))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def _post(url: str, update: dict[str, Any]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response,
    ):
        return response.status


async def _inbox(storage: Storage) -> tuple[int, object]:
    async with storage.transaction(readonly=True) as tx:
        return await tx.inbox_stats()


def _texts(api: BotApiStandIn, chat_id: int) -> list[str]:
    return [c.text for c in api.calls_to("sendMessage") if c.chat_id == chat_id]


async def test_the_webhook_answers_once_the_update_is_stored_not_when_it_is_done(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, webhook_url: str
) -> None:
    # The reply's send hangs at the Bot API: the webhook's answer does not wait for it.
    api.hang_next("sendMessage", seconds=3.0)
    assert await _post(webhook_url, _update(api, 3101, "/start")) == 200
    # Answered while the send is still held; the update is in the inbox, or its step
    # (which deletes the row) already committed.
    assert not [c for c in api.calls if c.method == "sendMessage" and c.status == 200]
    waiting, _ = await _inbox(engine.storage)
    assert waiting == 1 or await engine.active_case(conversation_key(3101)) is not None

    await adapter.drain()
    assert await _inbox(engine.storage) == (0, None)
    case = await engine.active_case(conversation_key(3101))
    assert case is not None and case.step is Step.CALM


async def test_a_stored_update_whose_worker_died_is_worked_on_by_another(
    api: BotApiStandIn, storage: Storage, engine: Engine, adapter: TelegramChannel, clock: Clock
) -> None:
    # Another worker (its own process token) stored the update, acked it and died.
    dead = Engine(storage=storage, coach=Coach(), clock=clock)
    update = _update(api, 3102, "/start")
    stored = await dead.inbox.accept(
        platform="telegram",
        body=json.dumps(update),
        content_type="application/json",
        identity=str(update["update_id"]),
        sender="3102",
    )
    assert stored.row_id is not None and not stored.deferred

    # While its hold lasts nobody takes it; once it ran out, this worker does.
    assert await engine.inbox.recover_once("telegram", adapter.work_on_stored) == 0
    clock.advance(engine.outbox.lease + timedelta(seconds=1))
    assert await engine.inbox.recover_once("telegram", adapter.work_on_stored) == 1
    await engine.outbox.run_once()

    assert _texts(api, 3102)[0].startswith(t("en", "coach-start-prompt"))
    assert await _inbox(storage) == (0, None)
    # Worked on once: taken over again, it is a duplicate (nothing new is sent).
    sent = len(api.calls_to("sendMessage"))
    assert await engine.inbox.recover_once("telegram", adapter.work_on_stored) == 0
    assert len(api.calls_to("sendMessage")) == sent


@pytest.mark.parametrize("polled", [False, True], ids=["webhook", "polled"])
async def test_one_users_updates_are_worked_on_in_order_behind_each_other(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, polled: bool
) -> None:
    # Polled: this process is the only receiver and knows the second row waits behind
    # the first without asking the database; either way no recovery loop runs here,
    # so the first one's step hands the second on.
    updates = [_update(api, 3103, "/start"), _update(api, 3103, "ready")]
    batch = [(adapter.parse_update(u), json.dumps(u)) for u in updates]
    arrivals = await adapter.store(batch, polled=polled)
    assert arrivals is True

    await adapter.drain()
    # The second waited for the first (deferred), then the first's worker took it.
    case = await engine.active_case(conversation_key(3103))
    assert case is not None and case.step is not Step.CALM
    texts = _texts(api, 3103)
    assert texts[0].startswith(t("en", "coach-start-prompt"))
    assert len(texts) >= 2
    assert await _inbox(engine.storage) == (0, None)


async def test_a_redelivery_stored_while_the_first_is_still_being_sent_is_worked_on(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel
) -> None:
    update = _update(api, 3106, "/start")
    # The first delivery's step committed (its row deleted with it) and its reply is on
    # the way when Telegram delivers the update again: stored anew, worked on beside it.
    api.answer_late_next("sendMessage", seconds=1.0)
    assert await adapter.store([(adapter.parse_update(update), json.dumps(update))])
    await api.wait_for_call("sendMessage")
    assert await _inbox(engine.storage) == (0, None)
    assert await adapter.store([(adapter.parse_update(update), json.dumps(update))])

    await adapter.drain()
    # The second run dropped it as a duplicate and deleted its row: none is left held.
    assert await _inbox(engine.storage) == (0, None)
    texts = _texts(api, 3106)
    assert len(texts) == 1 and texts[0].startswith(t("en", "coach-start-prompt"))


async def test_polling_confirms_an_offset_only_once_its_update_is_stored(
    api: BotApiStandIn, tmp_path: Path
) -> None:
    folder = tmp_path / "not-yet"
    url = sqlite_url(folder / "coach.db")  # the folder does not exist: every query fails
    storage = Storage(url)
    bot = TelegramChannel(
        engine=Engine(storage=storage, coach=Coach()), token=api.token, base_url=api.base_url
    )
    await bot.start()
    try:
        await bot.start_polling(timeout=1.0)
        update_id = api.push_update(_update(api, 3104, "/start", update_id=1))
        # The user is told it is unavailable; the update is not confirmed, so not lost.
        await api.wait_for_call("sendMessage")
        assert _texts(api, 3104) == [t("en", "coach-unavailable")]
        await asyncio.sleep(1.0)
        with pytest.raises(TimeoutError):
            await api.wait_polled_past(update_id, timeout=0.5)

        # The database is back: the update is fetched again, stored, confirmed, applied.
        folder.mkdir()
        await upgrade(url)
        await api.wait_polled_past(update_id, timeout=30.0)
        await bot.drain()
        case = await Engine(storage=storage).active_case(conversation_key(3104))
        assert case is not None and case.step is Step.CALM
        told, *replies = _texts(api, 3104)
        assert told == t("en", "coach-unavailable")
        assert replies and replies[0].startswith(t("en", "coach-start-prompt"))
    finally:
        await bot.stop()
        await storage.dispose()


async def test_the_webhook_answers_503_when_the_update_cannot_be_stored(
    api: BotApiStandIn, tmp_path: Path
) -> None:
    storage = Storage(sqlite_url(tmp_path / "missing" / "coach.db"))
    bot = TelegramChannel(
        engine=Engine(storage=storage, coach=Coach()), token=api.token, base_url=api.base_url
    )
    await bot.start()
    app = web.Application()
    app.router.add_post("/hook", webhook_handler(bot, secret=SECRET))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        assert await _post(url, _update(api, 3105, "/start")) == 503  # delivered again later
        assert _texts(api, 3105) == [t("en", "coach-unavailable")]
    finally:
        await runner.cleanup()
        await bot.stop()
        await storage.dispose()
