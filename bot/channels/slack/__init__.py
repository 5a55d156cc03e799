"""The coach on Slack: ``rejection-coach slack``.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed); otherwise
HTTP mode on ``--port``/``PORT``, with events, interactivity and ``/coach`` all
at ``POST /slack/events``, every request's signature checked by bolt.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.channels.slack.adapter import SlackAdapter
from bot.signals import until_stopped

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["EVENTS_PATH", "SlackAdapter", "run"]

_LOGGER = logging.getLogger(__name__)

#: Where Slack sends events, interactions and the slash command in HTTP mode.
EVENTS_PATH = "/slack/events"


async def run(settings: Settings) -> None:
    """Serve the coach on Slack until SIGINT/SIGTERM (or cancellation)."""
    from bot.wiring import open_runtime

    async with open_runtime(settings=settings) as runtime:
        adapter = SlackAdapter.from_settings(settings=settings, engine=runtime.engine)
        await adapter.start()
        adapter.start_reminders()
        try:
            if settings.slack_app_token is not None:
                await _socket_mode(adapter, app_token=settings.slack_app_token.get_secret_value())
            else:
                await _http_mode(adapter, host=settings.host, port=settings.port)
        finally:
            await adapter.stop()


async def _socket_mode(adapter: SlackAdapter, *, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(adapter.app, app_token)
    await handler.connect_async()
    _LOGGER.info("slack: connected in Socket Mode")
    try:
        await until_stopped()
    finally:
        await handler.close_async()


async def _http_mode(adapter: SlackAdapter, *, host: str, port: int) -> None:
    from aiohttp import web

    app = web.Application()
    app.add_routes(adapter.aiohttp_routes(EVENTS_PATH))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        _LOGGER.info("slack: HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
        await until_stopped()
    finally:
        await runner.cleanup()
