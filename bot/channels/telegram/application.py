"""The PTB :class:`~telegram.ext.Application` the Telegram channel holds, built one way."""

from __future__ import annotations

from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, LinkPreviewOptions
from telegram.constants import UpdateType
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor
from telegram.request import BaseRequest

from bot.channels.telegram.request import AiohttpRequest
from flows.case import DEFAULT_LANGUAGE, LANGUAGES
from flows.i18n import t
from flows.prompts import COMMANDS

#: The update types the bot asks Telegram for (polling and webhook alike).
ALLOWED_UPDATES: tuple[str, ...] = (
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.CHANNEL_POST,
    UpdateType.CALLBACK_QUERY,
    UpdateType.INLINE_QUERY,
)

#: How often a 429 ("retry after") is waited out before a request gives up.
DEFAULT_MAX_RETRIES = 3
#: Every message is sent without a link preview.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

PtbApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    *,
    token: str,
    processor: BaseUpdateProcessor,
    base_url: str | None = None,
    base_file_url: str | None = None,
    rate_limit: bool = True,
    max_retries: int = DEFAULT_MAX_RETRIES,
    get_updates_request: BaseRequest | None = None,
) -> PtbApplication:
    """The application: our update processor, aiohttp requests, the rate limiter, no JobQueue.

    Args:
        token: the bot token from BotFather (never logged).
        processor: runs updates concurrently (one user's in order).
        base_url: Bot API base URL (PTB ``base_url``), e.g. a self-hosted server.
        base_file_url: Bot API file base URL (PTB ``base_file_url``).
        rate_limit: keep to Telegram's flood limits (PTB ``AIORateLimiter``);
            a 429 is waited out either way.
        max_retries: how often a 429 is waited out before giving up.
        get_updates_request: the backend of ``getUpdates`` (default: a one-connection
            :class:`AiohttpRequest`).
    """
    # Without rate limiting the limiter still waits out a 429 ("retry after").
    limiter = (
        AIORateLimiter(max_retries=max_retries)
        if rate_limit
        else AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
    )
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(limiter)
        .concurrent_updates(processor)
        .job_queue(None)
        # aiohttp instead of PTB's default httpx: a fraction of the CPU per API call.
        .request(AiohttpRequest())
        .get_updates_request(get_updates_request or AiohttpRequest(connection_pool_size=1))
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    application: PtbApplication = builder.build()
    return application


async def set_commands(bot: Bot) -> None:
    """Register the command menus in both languages (``bg`` and the default)."""
    for language in LANGUAGES:
        code = None if language == DEFAULT_LANGUAGE else language
        private = [BotCommand(name, t(language, f"coach-cmd-{name}")) for name in COMMANDS]
        await bot.set_my_commands(private, language_code=code)
        group = [BotCommand("start", t(language, "tg-command-start-group"))]
        await bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats(), language_code=code)


# ------------------------------------------------------------------ webhook
