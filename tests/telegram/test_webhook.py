"""The webhook over real HTTP: secret token checked, update stored before the answer."""

from __future__ import annotations

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
from flows.case import Case, Step
from flows.coach import Coach
from flows.i18n import t
from storage import Storage, upgrade
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import sqlite_url
from tests.telegram.conftest import Clock

SECRET = "s3cr3t_token-for-tests"


@pytest.fixture
async def webhook_url(adapter: TelegramChannel) -> AsyncIterator[str]:
    """The webhook handler served on an ephemeral port of 127.0.0.1."""
    app = web.Application()
    app.router.add_post("/telegram/webhook", webhook_handler(adapter, secret=SECRET))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/telegram/webhook"
    finally:
        await runner.cleanup()


def _start_update(api: BotApiStandIn, user_id: int, text: str = "/start") -> dict[str, Any]:
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
    return {"update_id": api.new_update_id(), "message": message}


async def _post(url: str, update: dict[str, Any], headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def test_the_right_secret_is_accepted_and_the_update_processed(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, webhook_url: str
) -> None:
    status = await _post(webhook_url, _start_update(api, 901), {SECRET_HEADER: SECRET})

    assert status == 200
    # Stored before the answer, worked on after it: then the inbox is empty again.
    await adapter.drain()
    async with engine.storage.transaction(readonly=True) as tx:
        assert await tx.inbox_stats() == (0, None)
    texts = [c.text for c in api.calls_to("sendMessage")]
    assert texts[0].startswith(t("en", "coach-start-prompt"))
    case = await engine.active_case(conversation_key(901))
    assert case is not None and case.step is Step.CALM


@pytest.mark.parametrize(
    "headers", [{}, {SECRET_HEADER: ""}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}]
)
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(
    api: BotApiStandIn, engine: Engine, webhook_url: str, headers: dict[str, str]
) -> None:
    status = await _post(webhook_url, _start_update(api, 902), headers)

    assert status == 403
    assert api.calls_to("sendMessage") == []
    assert await engine.storage.find_user(conversation_key(902)) is None


async def test_not_an_update_is_a_bad_request(api: BotApiStandIn, webhook_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(webhook_url, data=b"{nope", headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status == 400
    assert api.calls_to("sendMessage") == []


async def test_a_failed_send_is_retried_from_the_outbox_and_the_redelivery_is_a_duplicate(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, clock: Clock, webhook_url: str
) -> None:
    update = _start_update(api, 903)
    api.fail_next("sendMessage", error_code=500, description="Internal Server Error")

    # The step and its reply are stored together: the update is done, whatever the send did.
    assert await _post(webhook_url, update, {SECRET_HEADER: SECRET}) == 200
    await adapter.drain()
    assert api.calls_to("sendMessage") == []
    # Telegram delivers the same update again: answered 200, not applied a second time.
    assert await _post(webhook_url, update, {SECRET_HEADER: SECRET}) == 200
    await adapter.drain()

    clock.advance(timedelta(seconds=2))  # the retry is due
    assert await engine.outbox.run_once() == 1
    [reply] = api.calls_to("sendMessage")
    assert reply.chat_id == 903
    case = await engine.active_case(conversation_key(903))
    assert case is not None and case.step is Step.CALM
    key = conversation_key(903)
    user = await engine.storage.find_user(key)
    assert user is not None
    async with engine.storage.transaction(readonly=True) as tx:
        assert len(await tx.list_cases(user_id=user.id)) == 1
        assert (await tx.outbox_stats()).pending == 0


async def test_a_chat_that_is_gone_is_given_up_and_recorded_without_text(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, clock: Clock, webhook_url: str
) -> None:
    api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")

    assert await _post(webhook_url, _start_update(api, 905), {SECRET_HEADER: SECRET}) == 200
    await adapter.drain()

    clock.advance(timedelta(minutes=5))
    assert await engine.outbox.run_once() == 0
    assert api.calls_to("sendMessage") == []
    async with engine.storage.transaction(readonly=True) as tx:
        stats = await tx.outbox_stats()
    assert (stats.pending, stats.failed) == (0, 1)


def test_an_empty_secret_is_refused(adapter: TelegramChannel) -> None:
    with pytest.raises(ValueError, match="secret"):
        webhook_handler(adapter, secret="")


async def test_database_down_user_told_503_then_the_redelivery_is_applied(
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
        update = _start_update(api, 904)

        assert await bot.process_webhook_update(update) is False  # not applied: 503

        [told] = api.calls_to("sendMessage")
        assert told.text == t("en", "coach-unavailable")

        # The database is back; Telegram delivers the update again — it is applied now.
        folder.mkdir()
        await upgrade(url)
        assert await bot.process_webhook_update(update) is True
        case = await _active_case(storage, 904)
        assert case is not None and case.step is Step.CALM
    finally:
        await bot.stop()
        await storage.dispose()


async def _active_case(storage: Storage, user_id: int) -> Case | None:
    """The active case of a Telegram user, read straight from storage."""
    return await Engine(storage=storage).active_case(conversation_key(user_id))


async def test_database_down_the_webhook_answers_503_so_telegram_delivers_again(
    api: BotApiStandIn, tmp_path: Path
) -> None:
    storage = Storage(sqlite_url(tmp_path / "missing" / "coach.db"))  # every query fails
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
        assert await _post(url, _start_update(api, 905), {SECRET_HEADER: SECRET}) == 503
        [told] = api.calls_to("sendMessage")  # the user was told all the same
        assert told.text == t("en", "coach-unavailable")
    finally:
        await runner.cleanup()
        await bot.stop()
        await storage.dispose()
