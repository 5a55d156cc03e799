"""The aiohttp networking backend of PTB (bot.channels.telegram.request.AiohttpRequest).

It talks to a tiny HTTP server on 127.0.0.1: form parameters and uploads
arrive as the Bot API expects them, and timeouts and dead servers become
PTB's own errors (so PTB's retry and error handling keep working).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.request import AiohttpRequest, PollingRequest


class _Server:
    """Answers every POST with what it received, as a Bot API result."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "slow":
            await asyncio.sleep(1)
        form = await request.post()
        fields: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                fields[key] = value.file.read().decode()
            else:
                fields[key] = value if isinstance(value, str) else bytes(value).decode()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.received.append({"headers": dict(request.headers), "fields": fields, "peer": peer})
        return web.json_response({"ok": True, "result": fields})

    async def __aenter__(self) -> _Server:
        app = web.Application()
        app.router.add_post("/bot/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/bot"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[_Server]:
    """The HTTP server on 127.0.0.1."""
    async with _Server() as running:
        yield running


@pytest.fixture
async def request_backend() -> AsyncIterator[AiohttpRequest]:
    """An initialised backend, shut down after the test."""
    backend = AiohttpRequest(read_timeout=0.5)
    await backend.initialize()
    try:
        yield backend
    finally:
        await backend.shutdown()


def _data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_form_parameters_arrive_as_the_bot_api_expects(
    server: _Server, request_backend: AiohttpRequest
) -> None:
    markup = {"inline_keyboard": [[{"text": "<b>", "callback_data": "c:1"}]]}
    payload = await request_backend.post(
        f"{server.url}/sendMessage",
        _data(chat_id=7, text="Здравей & <b>", reply_markup=markup),
    )
    assert payload == {"chat_id": "7", "text": "Здравей & <b>", "reply_markup": json.dumps(markup)}
    assert server.received[0]["headers"]["User-Agent"] == AiohttpRequest.USER_AGENT


async def test_an_upload_is_sent_as_multipart(
    server: _Server, request_backend: AiohttpRequest
) -> None:
    document = InputFile(b"draft text", filename="draft.txt")
    payload = await request_backend.post(
        f"{server.url}/sendDocument", _data(chat_id=7, document=document)
    )
    assert isinstance(payload, dict)
    assert payload["chat_id"] == "7"
    assert "draft text" in payload.values()


async def test_a_slow_answer_is_timed_out(server: _Server, request_backend: AiohttpRequest) -> None:
    with pytest.raises(TimedOut):
        await request_backend.post(f"{server.url}/slow", _data(chat_id=7))


async def test_a_dead_server_is_a_network_error(request_backend: AiohttpRequest) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError):
        await request_backend.post(f"http://127.0.0.1:{port}/bot/getMe")


async def test_requests_need_initialize_and_reuse_connections(server: _Server) -> None:
    backend = AiohttpRequest(connection_pool_size=1)
    with pytest.raises(NetworkError):  # PTB wraps the "not initialized" RuntimeError
        await backend.post(f"{server.url}/getMe")
    async with backend:
        for _ in range(3):
            await backend.post(f"{server.url}/getMe")
    assert len(server.received) == 3
    # One keep-alive connection served all three (same client port).
    assert len({str(r["peer"]) for r in server.received}) == 1
    await backend.shutdown()  # idempotent


async def test_polling_keeps_each_update_as_telegram_sent_it() -> None:
    from telegram import Bot

    from bot.channels.telegram.polling import update_json
    from tests.helpers.standins.telegram import BotApiStandIn

    api = BotApiStandIn()
    await api.start()
    request = PollingRequest(connection_pool_size=1)
    bot = Bot(api.token, base_url=api.base_url, get_updates_request=request)
    sent = {
        "update_id": 0,  # the stand-in numbers it
        "message": {
            "message_id": 7,
            "date": 0,
            "chat": {"id": 42, "type": "private", "first_name": "Мария"},
            "from": {"id": 42, "is_bot": False, "first_name": "Мария"},
            "text": "Не е „това“, което исках",
            "a_field_ptb_does_not_know": {"nested": [1, 2]},
        },
    }
    try:
        await bot.initialize()
        api.push_update(sent)
        (update,) = await bot.get_updates(timeout=0)
        # Stored as it came (not rebuilt from PTB's objects), and taken once.
        assert update_json(update, request.take_json) == json.dumps(
            sent, ensure_ascii=False, separators=(",", ":")
        )
        assert request.take_json(update.update_id) is None
        # Not kept (another answer came meanwhile): rebuilt from PTB's objects, same fields.
        rebuilt = json.loads(update_json(update, request.take_json))
        assert rebuilt["message"]["text"] == sent["message"]["text"]
        assert rebuilt["update_id"] == update.update_id
    finally:
        await bot.shutdown()
        await api.close()
