"""The coach on Telegram (python-telegram-bot 22): ``rejection-coach telegram``.

Long polling by default; webhook mode when ``TELEGRAM_WEBHOOK_URL`` is set —
then an aiohttp server on ``TELEGRAM_LISTEN_HOST:TELEGRAM_LISTEN_PORT`` takes
the updates at the URL's path, checks the secret token on every request and
answers only after the update was processed (non-2xx on failure, so Telegram
delivers it again).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.webhook import webhook_handler
from bot.signals import until_stopped

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["TelegramAdapter", "TelegramConfigError", "run", "webhook_handler"]

_LOGGER = logging.getLogger(__name__)

#: Telegram accepts 1–256 characters A–Z, a–z, 0–9, "_" and "-" as the secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramConfigError(ValueError):
    """The Telegram settings cannot work (missing token, bad webhook secret …)."""


async def run(settings: Settings) -> None:
    """Run the Telegram bot until SIGINT/SIGTERM: polling, or webhook mode if configured."""
    if settings.telegram_bot_token is None:
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set")
    webhook_url = settings.telegram_webhook_url
    secret = ""
    if webhook_url:
        if settings.telegram_webhook_secret is None:
            raise TelegramConfigError("webhook mode needs TELEGRAM_WEBHOOK_SECRET")
        secret = settings.telegram_webhook_secret.get_secret_value()
        if not _SECRET_TOKEN.fullmatch(secret):
            raise TelegramConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )

    from bot.wiring import open_engine

    async with open_engine(settings=settings) as engine:
        adapter = TelegramAdapter.from_settings(settings=settings, engine=engine)
        await adapter.start()
        try:
            if webhook_url:
                runner = await _serve_webhook(adapter, settings=settings, secret=secret)
                try:
                    await adapter.set_webhook(url=webhook_url, secret=secret)
                    adapter.start_reminders()
                    await until_stopped()
                finally:
                    await runner.cleanup()
            else:
                await adapter.start_polling()
                adapter.start_reminders()
                await until_stopped()
        finally:
            await adapter.stop()


async def _serve_webhook(
    adapter: TelegramAdapter, *, settings: Settings, secret: str
) -> web.AppRunner:
    path = urlsplit(settings.telegram_webhook_url or "").path or "/"
    app = web.Application()
    app.router.add_post(path, webhook_handler(adapter, secret=secret))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.telegram_listen_host, settings.telegram_listen_port)
    await site.start()
    _LOGGER.info(
        "webhook server listening on %s:%s%s",
        settings.telegram_listen_host,
        settings.telegram_listen_port,
        path,
    )
    return runner
