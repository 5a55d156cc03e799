"""The coach on Telegram (python-telegram-bot 22): ``rejection-coach telegram``.

Long polling by default; webhook mode when ``TELEGRAM_WEBHOOK_URL`` is set —
then an aiohttp server on ``TELEGRAM_LISTEN_HOST:TELEGRAM_LISTEN_PORT`` takes
the updates at the URL's path. Behind ``serve`` the webhook is mounted at
``POST /telegram/webhook``. The channel itself is :mod:`bot.channels.telegram.channel`;
this module is its registry entry and imports no platform library.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.channels.base import ChannelSpec
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["MIN_WEBHOOK_SECRET_LENGTH", "SPEC", "TelegramConfigError"]

#: The shortest webhook secret accepted: anything shorter can be guessed.
MIN_WEBHOOK_SECRET_LENGTH = 16


class TelegramConfigError(ConfigError):
    """The Telegram settings cannot work (missing token, webhook without a secret …)."""


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="public HTTPS URL for webhook mode (default: TELEGRAM_WEBHOOK_URL; unset → polling)",
    )
    parser.add_argument(
        "--listen-host", metavar="HOST", help="webhook listen address (TELEGRAM_LISTEN_HOST)"
    )
    parser.add_argument(
        "--listen-port", metavar="PORT", type=int, help="webhook listen port (TELEGRAM_LISTEN_PORT)"
    )


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {
        "telegram_webhook_url": args.webhook_url,
        "telegram_listen_host": args.listen_host,
        "telegram_listen_port": args.listen_port,
    }


def _configured(settings: Settings) -> bool:
    return settings.telegram_bot_token is not None


def _check(settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    if settings.telegram_webhook_url and settings.telegram_webhook_secret is None:
        raise TelegramConfigError("webhook mode needs TELEGRAM_WEBHOOK_SECRET (see .env.example)")
    if settings.telegram_webhook_url:
        _check_secret_length(settings)


def _check_secret_length(settings: Settings) -> None:
    secret = settings.telegram_webhook_secret
    if secret is not None and len(secret.get_secret_value()) < MIN_WEBHOOK_SECRET_LENGTH:
        raise TelegramConfigError(
            f"TELEGRAM_WEBHOOK_SECRET is too short: use at least {MIN_WEBHOOK_SECRET_LENGTH} "
            "characters of A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 32`)"
        )


def _check_served(settings: Settings) -> None:
    if settings.telegram_webhook_secret is None:
        raise TelegramConfigError(
            "the Telegram webhook needs TELEGRAM_WEBHOOK_SECRET (see .env.example)"
        )
    _check_secret_length(settings)


SPEC = ChannelSpec(
    name="telegram",
    command="telegram",
    help="run the Telegram bot (TELEGRAM_BOT_TOKEN)",
    module="bot.channels.telegram.channel",
    add_arguments=_add_arguments,
    overrides=_overrides,
    configured=_configured,
    check=_check,
    check_served=_check_served,
    secrets=("telegram_bot_token", "telegram_webhook_secret"),
)
