"""A minimal stand-in of the Telegram Bot API for multi-process tests.

It serves ``/bot<token>/<method>`` over real HTTP on 127.0.0.1 from its own
thread and event loop (so worker processes are answered while the test
sleeps or waits), records every call, and answers like Telegram: ``getMe``,
``sendMessage``/``editMessageText`` with a ``Message``, everything else with
``true``. Point ``TELEGRAM_API_URL`` at :attr:`BotApiStandIn.base_url`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT_USER: dict[str, Any] = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Rejection Coach",
    "username": "rejection_coach_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request a worker made: method name and decoded parameters."""

    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def message_id(self) -> int | None:
        """The id of the message this call created or edited, if any."""
        if isinstance(self.result, dict) and "message_id" in self.result:
            return int(self.result["message_id"])
        return None

    @property
    def chat_id(self) -> int | None:
        """The ``chat_id`` parameter, as an int, when there is one."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The ``text`` parameter ('' when absent)."""
        return str(self.params.get("text", ""))

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not isinstance(markup, dict):
            return []
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]


class BotApiStandIn:
    """The Bot API on a loopback port, in a background thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._message_ids = itertools.count(1000)
        self.port = 0

    @property
    def base_url(self) -> str:
        """Value for ``TELEGRAM_API_URL`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> None:
        """Listen on a free loopback port."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def close(self) -> None:
        """Stop serving and stop the thread."""
        if not self._thread.is_alive():
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    # ---------------------------------------------------------------- queries

    def calls(self, method: str | None = None, *, chat_id: int | None = None) -> list[ApiCall]:
        """Recorded calls, oldest first, optionally of one method and one chat."""
        with self._lock:
            calls = list(self._calls)
        return [
            c
            for c in calls
            if (method is None or c.method == method) and (chat_id is None or c.chat_id == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts of every message sent to ``chat_id``, oldest first."""
        return [c.text for c in self.calls("sendMessage", chat_id=chat_id)]

    def wait_for(self, method: str, *, chat_id: int, count: int, timeout: float) -> list[ApiCall]:
        """Wait (bounded) until ``count`` calls of ``method`` to ``chat_id`` were made."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method, chat_id=chat_id)
            if len(found) >= count or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    # ---------------------------------------------------------------- server

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        with self._lock:
            result = self._result(method, params)
            self._calls.append(ApiCall(method=method, params=params, result=result))
        return web.json_response({"ok": True, "result": result})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText", "sendDocument"):
            chat_id = int(params.get("chat_id", 0) or 0)
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": str(params.get("text", "")),
            }
            markup = params.get("reply_markup")
            if isinstance(markup, str) and markup:
                markup = json.loads(markup)
            if isinstance(markup, dict) and markup.get("inline_keyboard"):
                message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
            return message
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getMyCommands":
            return []
        return True


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}
