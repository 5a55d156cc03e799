"""A local stand-in of the Telegram Bot API, and a user who talks to the bot through it.

:class:`BotApiStandIn` serves ``/bot<token>/<method>`` over real HTTP on
127.0.0.1 (an aiohttp app on an ephemeral port), so the REAL python-telegram-bot
application runs against it with ``base_url``. It answers like Telegram and
is as strict as Telegram where our bot could go wrong:

- ``sendMessage`` / ``editMessageText`` parse the HTML like Telegram does
  (only Telegram's tags, every ``<``, ``>`` and ``&`` outside a tag escaped,
  tags closed) and answer 400 "can't parse entities" otherwise; the parsed
  text must be 1–4096 UTF-16 units ("message is too long" / "text is empty");
  callback data must be 1–64 bytes (``BUTTON_DATA_INVALID``);
- ``getUpdates`` long-polls a queue the test fills (:meth:`push_update`);
- any method can be told to fail once (:meth:`fail_next`), e.g. a 429 with
  ``retry_after``;
- every request is recorded (:attr:`calls`) with its decoded parameters, and
  every message the bot sent is kept as Telegram would return it, so a test
  can press the buttons it finds there.

:class:`TelegramUser` plays one person: types text and commands, sends a
photo, edits a message, presses a button by its label, asks an inline query.
How an update reaches the bot (polling or the webhook) is a callable given to
it, which returns only once the bot has processed the update.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

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

# --------------------------------------------------------------------------- Telegram HTML

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:=\"([^\"]*)\"|='([^']*)')?")
_CHAR_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Telegram would refuse this HTML ("can't parse entities")."""


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(text, entities)`` the way the Bot API does.

    Raises:
        HtmlError: an unsupported or unclosed tag, or a bare ``<``, ``>`` or ``&``.
    """
    text: list[str] = []
    length = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG.match(source, index)
            if match is None:
                raise HtmlError(f"Unexpected '<' at byte offset {index}")
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _ENTITY_OF_TAG:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {index}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise HtmlError(f'Unmatched end tag "</{name}>" at byte offset {index}')
                _, start, attributes = stack.pop()
                if length > start:
                    entity: dict[str, Any] = {
                        "type": _ENTITY_OF_TAG[name],
                        "offset": start,
                        "length": length - start,
                    }
                    if name == "a":
                        entity["url"] = attributes.get("href", "")
                    entities.append(entity)
            else:
                attributes = {
                    m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "")
                    for m in _ATTRIBUTE.finditer(raw_attributes)
                }
                stack.append((name, length, attributes))
            index = match.end()
            continue
        if char == "&":
            match = _CHAR_REFERENCE.match(source, index)
            if match is None:
                raise HtmlError(f"Character '&' is reserved (byte offset {index})")
            if match.group(1):
                decoded = _NAMED[match.group(1)]
            else:
                decoded = chr(int(match.group(2)) if match.group(2) else int(match.group(3), 16))
            text.append(decoded)
            length += utf16_length(decoded)
            index = match.end()
            continue
        if char == ">":
            raise HtmlError(f"Character '>' is reserved (byte offset {index})")
        text.append(char)
        length += utf16_length(char)
        index += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


# --------------------------------------------------------------------------- the stand-in


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the bot made: method, decoded parameters, and the HTTP status answered."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None

    @property
    def text(self) -> str:
        """The ``text`` parameter ('' when absent)."""
        return str(self.params.get("text", ""))

    def callback_data(self) -> list[str]:
        """Every callback data of the inline keyboard sent with this call."""
        markup = self.params.get("reply_markup") or {}
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]


@dataclass(slots=True)
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None


class ApiError(Exception):
    """Answer the current request with ``ok: false`` (Telegram's error shape)."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


@dataclass(slots=True)
class BotApiStandIn:
    """The Bot API on 127.0.0.1 (see the module docstring). Use ``async with``."""

    token: str = TOKEN
    bot_id: int = BOT_ID
    bot_username: str = BOT_USERNAME
    calls: list[ApiCall] = field(default_factory=list)
    #: Every message the bot sent, keyed by (chat id, message id), as Telegram returns it.
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _offset: int = 0
    _next_update_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _next_message_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _failures: list[_Failure] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int = 0
    _closing: bool = False

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Wake pending long polls and stop the server."""
        self._closing = True
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (the token is appended to it)."""
        return f"http://127.0.0.1:{self._port}/bot"

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
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        params = await _read_params(request)
        for failure in self._failures:
            if failure.method == method:
                self._failures.remove(failure)
                self.calls.append(
                    ApiCall(method, {**params, "_injected": True}, failure.error_code)
                )
                return _error_response(failure.error_code, failure.description, failure.retry_after)
        handler = getattr(self, "_api_" + _snake(method), None)
        if handler is None:
            self.calls.append(ApiCall(method, params, 404))
            return _error_response(404, "Not Found")
        try:
            result = await handler(params)
        except ApiError as error:
            self.calls.append(ApiCall(method, params, error.error_code))
            return _error_response(error.error_code, error.description, error.retry_after)
        self.calls.append(ApiCall(method, params, 200, result))
        await self._notify()
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

    async def _api_send_message(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message_id = next(self._next_message_id)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self._bot_user(),
        }
        message.update(_parsed_text(params))
        markup = _checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message_id)] = message
        return message

    async def _api_edit_message_text(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        parsed = _parsed_text(params)
        message.pop("entities", None)
        message.update(parsed)
        markup = _checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    async def _api_edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        markup = _checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        elif "reply_markup" in message:
            del message["reply_markup"]
        else:
            raise ApiError(400, "Bad Request: message is not modified")
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _api_answer_callback_query(self, params: dict[str, Any]) -> Any:
        if utf16_length(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_answer_inline_query(self, params: dict[str, Any]) -> Any:
        results = params.get("results") or []
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
        for command in params["commands"]:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

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


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


def _error_response(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for name, value in form.items():
        raw = value if isinstance(value, str) else ""
        if name in _JSON_FIELDS:
            params[name] = json.loads(raw)
        elif name in _INT_FIELDS:
            params[name] = int(raw)
        elif name in _BOOL_FIELDS:
            params[name] = raw == "true"
        else:
            params[name] = raw
    return params


def _parsed_text(params: dict[str, Any]) -> dict[str, Any]:
    source = str(params.get("text", ""))
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


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if not markup or not markup.get("inline_keyboard"):
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return dict(markup)


# --------------------------------------------------------------------------- a user

#: The coach marks the suggested payment variant with this prefix.
SUGGESTED_MARK = "★ "


def _shows(text: str, label: str) -> bool:
    """Whether a button's text shows ``label`` (possibly marked as the suggested one)."""
    return text == label or text.removeprefix(SUGGESTED_MARK) == label


#: Delivers one update to the bot and returns once the bot has processed it.
Deliver = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(slots=True)
class TelegramUser:
    """One person talking to the bot in a private chat (or in a group, see ``chat``)."""

    api: BotApiStandIn
    deliver: Deliver
    user_id: int
    first_name: str = "Ана"
    language_code: str | None = "bg"
    chat: dict[str, Any] | None = None
    _next_message_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _next_query_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.chat is None:
            self.chat = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        self.api.chats[self.chat["id"]] = self.chat

    @property
    def chat_id(self) -> int:
        """The chat this user writes in."""
        assert self.chat is not None
        return int(self.chat["id"])

    def user(self) -> dict[str, Any]:
        """The ``User`` object of this person."""
        out: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def message(self, **content: Any) -> dict[str, Any]:
        """A ``Message`` from this user with ``content`` (text, photo, …)."""
        return {
            "message_id": next(self._next_message_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user(),
            **content,
        }

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first, as they look now."""
        return self.api.chat_messages(self.chat_id)

    async def _send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = {m["message_id"] for m in self.bot_messages()}
        await self.deliver(update)
        return [m for m in self.bot_messages() if m["message_id"] not in before]

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Type ``text`` (a command when it starts with "/"); return the bot's new messages."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._send({"message": self.message(**content)})

    async def send_content(self, **content: Any) -> list[dict[str, Any]]:
        """Send a non-text message, e.g. ``photo=[…]`` or ``sticker={…}``."""
        return await self._send({"message": self.message(**content)})

    async def edit(self, message_id: int, text: str) -> list[dict[str, Any]]:
        """Edit an earlier message of this user."""
        message = self.message(text=text, edit_date=int(time.time()))
        message["message_id"] = message_id
        return await self._send({"edited_message": message})

    def keyboard_message(self) -> dict[str, Any]:
        """The bot's latest message in this chat that still has buttons (a snapshot)."""
        for message in reversed(self.bot_messages()):
            if message.get("reply_markup", {}).get("inline_keyboard"):
                return copy.deepcopy(message)
        raise AssertionError("the bot shows no buttons")

    def labels(self) -> list[str]:
        """Labels of the buttons of :meth:`keyboard_message`."""
        return [
            b["text"]
            for row in self.keyboard_message()["reply_markup"]["inline_keyboard"]
            for b in row
        ]

    async def press(
        self, label: str, *, message: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Press the button labelled ``label`` (latest keyboard unless ``message`` is given)."""
        message = message or self.keyboard_message()
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if _shows(button["text"], label):
                    return await self.press_data(button["callback_data"], message=message)
        raise AssertionError(f"no button {label!r}; buttons: {self.labels()}")

    def has_button(self, label: str) -> bool:
        """Whether the latest keyboard has a button showing ``label``."""
        return any(_shows(text, label) for text in self.labels())

    async def press_data(self, data: str, *, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Send a callback query with ``data`` from ``message`` (real, stale or forged)."""
        query = {
            "id": f"{self.user_id}-{next(self._next_query_id)}",
            "from": self.user(),
            "chat_instance": f"ci-{self.chat_id}",
            "data": data,
            "message": copy.deepcopy(message),
        }
        return await self._send({"callback_query": query})

    async def inline_query(self, query: str = "") -> None:
        """Type ``@bot query`` in some chat (inline mode)."""
        await self.deliver(
            {
                "inline_query": {
                    "id": f"iq-{self.user_id}-{next(self._next_query_id)}",
                    "from": self.user(),
                    "query": query,
                    "offset": "",
                    "chat_type": "private",
                }
            }
        )
