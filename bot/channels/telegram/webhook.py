"""The Telegram webhook as an aiohttp request handler.

Telegram sends the secret token given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header of every request. A request
without it, or with another value, is refused with 403 before anything is
read. An accepted update is stored in the inbox and answered 200 as soon as
that insert committed (issue 13); it is worked on afterwards, from the inbox
(a worker that dies first leaves it to another worker). Telegram's redelivery
of an update still stored is answered 200 at once; the engine's update-id dedupe
makes sure each update is applied once.

When the inbox cannot store it (the database is down), the update is processed
at once, as before the inbox: 200 when it went through, 500 when it failed, and
503 when the user was only told "temporarily unavailable" — Telegram then
delivers it again, the one place that turns an outage into a redelivery.

A request with the right secret whose body is not an update of the shape
Telegram sends (JSON nested too deep, ``message: "hi"``, a chat id ``"abc"`` …)
is answered 400: it is not an update, delivering it again would not help, and it
is not counted as a webhook error (red-team rows 1.5 and 1.6).

``rejection-coach telegram --webhook-url …`` serves this handler on its own
(:func:`serve_webhook`); ``rejection-coach serve`` mounts the same handler
beside the Slack endpoint.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel
    from bot.engine.inbox import ClaimedInbox
    from bot.engine.results import InboxRef

_LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

WebhookHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UpdateFailedError(RuntimeError):
    """Processing a webhook update failed; the webhook answers non-2xx."""


class MalformedUpdateError(ValueError):
    """The body is not an update PTB can read (the webhook answers 400)."""


#: Update kinds whose ``chat`` and ``from`` the bot reads, and the ones with only ``from``.
_MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")
_QUERY_KINDS = ("callback_query", "inline_query")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _user_ok(value: object, *, required: bool) -> bool:
    if value is None:
        return not required
    return isinstance(value, dict) and _is_int(value.get("id"))


def well_formed(data: dict[str, Any]) -> bool:
    """Whether the parts of ``data`` the bot reads have the types Telegram sends."""
    for kind in _MESSAGE_KINDS:
        if kind not in data:
            continue
        message = data[kind]
        if not isinstance(message, dict) or not _is_int(message.get("message_id")):
            return False
        chat = message.get("chat")
        if not isinstance(chat, dict) or not _is_int(chat.get("id")):
            return False
        if not isinstance(chat.get("type"), str):
            return False
        if not _user_ok(message.get("from"), required=False):
            return False
        if "text" in message and not isinstance(message["text"], str):
            return False
    for kind in _QUERY_KINDS:
        if kind not in data:
            continue
        query = data[kind]
        if not isinstance(query, dict) or not isinstance(query.get("id"), str):
            return False
        if not _user_ok(query.get("from"), required=True):
            return False
    return True


@dataclass(slots=True)
class WebhookUpdate:
    """What happened to one webhook update while PTB ran its handlers."""

    failures: list[BaseException] = field(default_factory=list)
    unavailable: bool = False
    #: The inbox row it came from (stored updates only), handed to the engine.
    inbox: InboxRef | None = None
    #: The engine deleted that row with the step; and the sender's next row it claimed.
    inbox_cleared: bool = False
    inbox_next: ClaimedInbox | None = None


def webhook_handler(channel: TelegramChannel, *, secret: str) -> WebhookHandler:
    """Return the aiohttp handler that checks ``secret`` and processes one update.

    Raises:
        ValueError: ``secret`` is empty (a webhook without a secret is refused).
    """
    if not secret:
        raise ValueError("the Telegram webhook needs a secret token")
    expected = secret.encode("utf-8")

    async def handle(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            _LOGGER.warning("webhook request refused: wrong or missing secret token")
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.text()
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not _is_int(data.get("update_id")):
            return web.Response(status=400, text="not an update")
        if not well_formed(data):
            _LOGGER.info("webhook update %s refused: malformed", data["update_id"])
            return web.Response(status=400, text="not an update")
        try:
            update = channel.parse_update(data)
        except MalformedUpdateError:
            _LOGGER.info("webhook update %s refused: PTB cannot read it", data["update_id"])
            return web.Response(status=400, text="not an update")
        if await channel.store([(update, body)]):
            return web.Response(text="ok")
        # Not stored (the database is down): processed now, Telegram told how it went.
        try:
            applied = await channel.process_now(update)
        except Exception as error:
            _LOGGER.warning(
                "webhook update %s failed (%s); Telegram will deliver it again",
                data["update_id"],
                type(error).__name__,
            )
            return web.Response(status=500, text="failed")
        if not applied:
            return web.Response(status=503, text="temporarily unavailable")
        return web.Response(text="ok")

    return handle


async def serve_webhook(
    handler: WebhookHandler,
    *,
    url: str,
    host: str,
    port: int,
    listening: Callable[[], Awaitable[None]],
) -> None:
    """Serve ``handler`` at ``url``'s path on ``host:port`` until cancelled.

    ``listening`` runs once the server accepts requests (it sets the webhook).
    """
    path = urlsplit(url).path or "/"
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        _LOGGER.info("webhook server listening on %s:%s%s", host, port, path)
        await listening()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
