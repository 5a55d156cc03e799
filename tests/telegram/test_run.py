"""``rejection-coach telegram``: ``run(settings)`` in polling and in webhook mode."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr, ValidationError

from bot.channels.telegram import TelegramConfigError
from bot.channels.telegram.channel import run
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.settings import Settings
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import sqlite_url

SECRET = "run-test_secret-0123"


def _settings(api: BotApiStandIn, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(api.token),
        telegram_api_url=api.base_url,
        database_url=sqlite_url(tmp_path / "run.db"),
        reminder_interval_seconds=0.05,
        **extra,
    )


@contextlib.asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(run(settings))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _start(user_id: int) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": "bg"}
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
    }


async def test_polling_mode_answers_a_user(api: BotApiStandIn, tmp_path: Path) -> None:
    async with _running(_settings(api, tmp_path)):
        await api.wait_for_call("deleteWebhook")  # polling is about to start
        api.push_update(_start(301))
        await api.wait_for_call("sendMessage")

    first = api.calls_to("sendMessage")[0]
    assert first.params["chat_id"] == 301
    assert first.text.startswith(t("bg", "coach-start-prompt"))
    assert api.calls_to("deleteWebhook")  # polling removes a webhook first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_sets_the_webhook_and_checks_the_secret(
    api: BotApiStandIn, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    settings = _settings(
        api,
        tmp_path,
        telegram_webhook_url=url,
        telegram_webhook_secret=SECRET,
        telegram_listen_port=port,
    )
    async with _running(settings):
        await api.wait_for_call("setWebhook")
        async with aiohttp.ClientSession() as session:
            update = {"update_id": 1, **_start(302)}
            async with session.post(url, json=update, headers={SECRET_HEADER: "x"}) as refused:
                assert refused.status == 403
            async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as ok:
                assert ok.status == 200

    [webhook] = api.calls_to("setWebhook")
    assert webhook.params["url"] == url
    assert webhook.params["secret_token"] == SECRET
    assert api.calls_to("getUpdates") == []
    assert {c.params["chat_id"] for c in api.calls_to("sendMessage")} == {302}


async def test_webhook_mode_needs_a_secret(api: BotApiStandIn, tmp_path: Path) -> None:
    settings = _settings(api, tmp_path, telegram_webhook_url="https://example.org/hook")
    with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        await run(settings)
    assert api.calls == []


def test_a_secret_telegram_would_refuse_is_refused_by_the_settings(
    api: BotApiStandIn, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="1-256 characters"):
        _settings(
            api,
            tmp_path,
            telegram_webhook_url="https://example.org/hook",
            telegram_webhook_secret="a b",
        )
