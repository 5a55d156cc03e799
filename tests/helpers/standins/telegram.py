"""A local stand-in of the Telegram Bot API, over real HTTP on 127.0.0.1.

:class:`BotApiStandIn` serves ``/bot<token>/<method>`` (an aiohttp app on a loopback port),
so the REAL python-telegram-bot runs against it with ``base_url``. Two modes:

- ``strict=True`` (tests): as strict as Telegram where our bot could go wrong —
  ``sendMessage`` / ``editMessageText`` parse the HTML like Telegram (:mod:`.telegram_html`)
  and answer 400 "can't parse entities" otherwise; the parsed text must be 1–4096 UTF-16
  units; callback data 1–64 bytes (``BUTTON_DATA_INVALID``); an unknown method is a 404
  and a wrong token a 401.
- ``strict=False`` (worker processes, benchmarks): any token, every method answered
  (``true`` unless it returns a message), nothing parsed — cheap, so a benchmark measures
  the bot and not the stand-in.

Either way ``getUpdates`` long-polls a queue (:meth:`push_update`), any method can be told
to fail once (:meth:`fail_next`, e.g. a 429 with ``retry_after``), every request is
recorded (:attr:`calls`) with its decoded parameters, and every message the bot sent is
kept as Telegram returns it, so a test can press the buttons it finds there.
:class:`ThreadedBotApi` runs one in a thread of its own, for tests whose bot is another
process. :mod:`.telegram_user` plays a person talking through it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.helpers.standins.telegram_html import HtmlError, parse_html, utf16_length

__all__ = ["BOT_ID", "BOT_USERNAME", "TOKEN", "ApiCall", "ApiError", "BotApiStandIn"]
__all__ += ["HtmlError", "ThreadedBotApi", "parse_html", "utf16_length"]

BOT_ID = 777000111
BOT_USERNAME = "rejection_coach_test_bot"
TOKEN = "777000111:TEST-token_for-the-stand-in"

#: Fields PTB sends JSON-encoded (everything else arrives as a plain string).
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "results",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "entities",
        "button",
        "reply_parameters",
    }
)
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"})
_BOOL_FIELDS = frozenset({"is_personal", "show_alert", "drop_pending_updates"})


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made: method, decoded parameters, the HTTP status and result."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    #: When the stand-in answered it (``time.monotonic()``): rates per second.
    at: float = field(default_factory=time.monotonic, compare=False)

    @property
    def text(self) -> str:
        """The ``text`` parameter ('' when absent)."""
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        """The ``chat_id`` parameter, as an int, when there is one."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def message_id(self) -> int | None:
        """The id of the message this call created or edited, if any."""
        if isinstance(self.result, dict) and "message_id" in self.result:
            return int(self.result["message_id"])
        return None

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button sent with this call, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    def callback_data(self) -> list[str]:
        """Every callback data of the inline keyboard sent with this call."""
        return [data for _, data in self.buttons() if data]


@dataclass(slots=True)
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    #: Seconds to hold the request before the error answer (longer than the bot's timeout:
    #: the bot sees a timeout, and the message was NOT sent).
    delay: float = 0.0


class ApiError(Exception):
    """Answer the current request with ``ok: false`` (Telegram's error shape)."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


#: Called with (method, params, result) after every successful call (benchmarks).
Listener = Callable[[str, dict[str, Any], Any], None]


@dataclass(slots=True)
class BotApiStandIn:
    """The Bot API on 127.0.0.1 (see the module docstring). Use ``async with``."""

    #: The token the bot must use; ``None`` accepts any.
    token: str | None = TOKEN
    bot_id: int = BOT_ID
    bot_username: str = BOT_USERNAME
    strict: bool = True
    #: Cap on a ``getUpdates`` long poll, whatever the bot asks (``None``: no cap).
    max_poll_seconds: float | None = None
    first_message_id: int = 1
    #: Called before a request is answered (method, params) and after it succeeded.
    on_request: Callable[[str, dict[str, Any]], None] | None = None
    on_result: Listener | None = None
    calls: list[ApiCall] = field(default_factory=list)
    #: Every message the bot sent, keyed by (chat id, message id), as Telegram returns it.
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    port: int = 0
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _offset: int = 0
    _next_update_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _next_message_id: itertools.count[int] | None = None
    _changed: asyncio.Condition | None = None
    _failures: list[_Failure] = field(default_factory=list)
    _late: list[tuple[str, float]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _closing: bool = False

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` of 127.0.0.1 (0: an ephemeral one)."""
        self._changed = asyncio.Condition()
        self._next_message_id = itertools.count(self.first_message_id)
        app = web.Application()
        # One whole segment ("bot" + token): aiohttp 3.10.0, the floor, cannot route a
        # static prefix and a variable within one segment ("/bot{token}").
        app.router.add_route("*", "/{bot_token:bot[^/]+}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = int(self._runner.addresses[0][1])

    async def release_polls(self) -> None:
        """Answer every pending long poll now, and every later one at once."""
        self._closing = True
        await self._notify()

    async def close(self) -> None:
        """Wake pending long polls and stop the server."""
        await self.release_polls()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ---------------------------------------------------------------- test controls

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates``; give it the next update id; return the id."""
        update_id = next(self._next_update_id)
        update["update_id"] = update_id
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def new_update_id(self) -> int:
        """The next update id (for updates delivered by webhook instead of polling)."""
        return next(self._next_update_id)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next call of ``method`` with an error (default: 429, retry after 1 s)."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else "Bad Request"
            )
        self._failures.append(_Failure(method, error_code, description, retry_after))

    def fail_next_times(
        self, method: str, times: int, *, error_code: int = 500, description: str | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``error_code`` (a 5xx: no message)."""
        text = description or {500: "Internal Server Error", 502: "Bad Gateway"}.get(
            error_code, "Bad Request"
        )
        for _ in range(times):
            self._failures.append(_Failure(method, error_code, text, None))

    def hang_next(self, method: str, *, seconds: float) -> None:
        """Hold the next call of ``method`` for ``seconds``, then refuse it (not sent).

        With ``seconds`` beyond the bot's read timeout the bot sees a timeout.
        """
        self._failures.append(_Failure(method, 500, "Internal Server Error", None, seconds))

    def answer_late_next(self, method: str, *, seconds: float) -> None:
        """Carry out the next call of ``method`` (the message IS sent), then hold its answer.

        The bot learns of the success only ``seconds`` later: a bot killed meanwhile
        never recorded it (the at-least-once window of issue 13).
        """
        self._late.append((method, seconds))

    async def wait_polled_past(self, update_id: int, *, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed ``update_id`` (asked for a later offset)."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self._offset > update_id)

    async def wait_for_call(self, method: str, *, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``method`` was called successfully ``count`` times in all."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The successful (HTTP 200) calls of ``method``, in order."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    def failed_calls(self) -> list[ApiCall]:
        """Calls answered with an error we did not inject (the bot broke a rule)."""
        return [c for c in self.calls if c.status != 200 and not c.params.get("_injected")]

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat, oldest first, as they look now (after edits)."""
        return [m for (chat, _), m in sorted(self.messages.items()) if chat == chat_id]

    # ---------------------------------------------------------------- HTTP

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["bot_token"].removeprefix("bot")
        if self.token is not None and token != self.token:
            return _error_response(401, "Unauthorized")
        params = await _read_params(request)
        if self.on_request is not None:
            self.on_request(method, params)
        for failure in self._failures:
            if failure.method == method:
                self._failures.remove(failure)
                self.calls.append(
                    ApiCall(method, {**params, "_injected": True}, failure.error_code)
                )
                if failure.delay:
                    await asyncio.sleep(failure.delay)
                return _error_response(failure.error_code, failure.description, failure.retry_after)
        handler = getattr(self, "_api_" + _snake(method), None)
        if handler is None and self.strict:
            self.calls.append(ApiCall(method, params, 404))
            return _error_response(404, "Not Found")
        try:
            result = await handler(params) if handler is not None else True
        except ApiError as error:
            self.calls.append(ApiCall(method, params, error.error_code))
            return _error_response(error.error_code, error.description, error.retry_after)
        late = next((entry for entry in self._late if entry[0] == method), None)
        if late is not None:
            self._late.remove(late)
            params = {**params, "_answered_late": True}
        self.calls.append(ApiCall(method, params, 200, result))
        if self.on_result is not None:
            self.on_result(method, params, result)
        await self._notify()
        if late is not None:
            await asyncio.sleep(late[1])
        return web.json_response({"ok": True, "result": result})

    # ---------------------------------------------------------------- methods

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Rejection Coach",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _api_get_me(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _api_get_updates(self, params: dict[str, Any]) -> Any:
        assert self._changed is not None
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if self.max_poll_seconds is not None:
            timeout = min(timeout, self.max_poll_seconds)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if offset > self._offset:
                self._offset = offset
                await self._notify()
        allowed = params.get("allowed_updates")

        def pending() -> list[dict[str, Any]]:
            out = [u for u in self._updates if u["update_id"] >= offset]
            if allowed:
                out = [u for u in out if any(k in u for k in allowed)]
            return out[: int(params.get("limit") or 100)]

        if not pending() and timeout > 0 and not self._closing:
            try:
                async with asyncio.timeout(timeout), self._changed:
                    await self._changed.wait_for(lambda: bool(pending()) or self._closing)
            except TimeoutError:
                pass
        return pending()

    def _new_message(self, chat_id: int, message_id: int | None = None) -> dict[str, Any]:
        assert self._next_message_id is not None
        message_id = message_id or next(self._next_message_id)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self._bot_user(),
        }

    async def _api_send_message(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message = self._new_message(chat_id)
        message.update(self._parsed_text(params))
        markup = self._checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_edit_message_text(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        parsed = self._parsed_text(params)
        message.pop("entities", None)
        message.update(parsed)
        markup = self._checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    async def _api_edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        markup = self._checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        elif "reply_markup" in message:
            del message["reply_markup"]
        elif self.strict:
            raise ApiError(400, "Bad Request: message is not modified")
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        if key not in self.messages:
            if self.strict:
                raise ApiError(400, "Bad Request: message to edit not found")
            self.messages[key] = self._new_message(*key)
        return self.messages[key]

    async def _api_answer_callback_query(self, params: dict[str, Any]) -> Any:
        if self.strict and utf16_length(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_answer_inline_query(self, params: dict[str, Any]) -> Any:
        results = params.get("results") or []
        if not self.strict:
            return True
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r["id"] for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            text = result["input_message_content"]["message_text"]
            if not 1 <= utf16_length(text) <= 4096:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_set_my_commands(self, params: dict[str, Any]) -> Any:
        for command in (params.get("commands") or []) if self.strict else []:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _api_get_my_commands(self, params: dict[str, Any]) -> Any:
        return []

    async def _api_delete_my_commands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_delete_webhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _api_set_webhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    async def _api_get_webhook_info(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _api_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_log_out(self, params: dict[str, Any]) -> Any:
        return True

    # ---------------------------------------------------------------- checks

    def _parsed_text(self, params: dict[str, Any]) -> dict[str, Any]:
        source = str(params.get("text", ""))
        if not self.strict:
            return {"text": source}
        if params.get("parse_mode") == "HTML":
            try:
                text, entities = parse_html(source)
            except HtmlError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        else:
            text, entities = source, []
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        out: dict[str, Any] = {"text": text}
        if entities:
            out["entities"] = entities
        return out

    def _checked_markup(self, markup: Any) -> dict[str, Any] | None:
        if not isinstance(markup, dict) or not markup.get("inline_keyboard"):
            return None
        for row in markup["inline_keyboard"] if self.strict else []:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return dict(markup)


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


def _error_response(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters: form fields (some JSON-encoded), a JSON body, or the query."""
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    params: dict[str, Any] = {}
    fields = dict(request.query)
    if request.can_read_body:
        fields.update((k, v) for k, v in (await request.post()).items() if isinstance(v, str))
    for name, raw in fields.items():
        if name in _JSON_FIELDS:
            params[name] = json.loads(raw)
        elif name in _INT_FIELDS:
            params[name] = int(raw)
        elif name in _BOOL_FIELDS:
            params[name] = raw == "true"
        else:
            params[name] = raw
    return params


class ThreadedBotApi:
    """A lenient :class:`BotApiStandIn` in a thread and event loop of its own.

    For tests whose bot runs in other processes: it answers while the test sleeps or
    waits. Point ``TELEGRAM_API_URL`` at :attr:`base_url`.
    """

    def __init__(self) -> None:
        self.api = BotApiStandIn(token=None, bot_id=4242, strict=False, first_message_id=1000)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def port(self) -> int:
        """The loopback port it listens on."""
        return self.api.port

    @property
    def base_url(self) -> str:
        """Value for ``TELEGRAM_API_URL`` (PTB appends the token)."""
        return self.api.base_url

    def start(self) -> None:
        """Listen on a free loopback port."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.api.start(), self._loop).result(timeout=10)

    def close(self) -> None:
        """Stop serving and stop the thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.api.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    def calls(self, method: str | None = None, *, chat_id: int | None = None) -> list[ApiCall]:
        """Recorded calls, oldest first, optionally of one method and one chat."""
        return [
            c
            for c in list(self.api.calls)
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
