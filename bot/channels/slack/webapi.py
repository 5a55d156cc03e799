"""The Slack Web API client the channel holds, and how its calls fail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = logging.getLogger(__name__)

#: Slack's own Web API.
DEFAULT_API_URL = "https://slack.com/api/"
#: What a failed Web API call raises (an error answer, a transport failure, a timeout).
WEB_API_ERRORS = (SlackApiError, SlackClientError, OSError, TimeoutError)


def build_client(*, token: str, api_url: str | None = None) -> AsyncWebClient:
    """A Web API client for ``api_url`` that waits out a rate limit (twice) before failing."""
    base_url = api_url or DEFAULT_API_URL
    if not base_url.endswith("/"):
        base_url += "/"
    client = AsyncWebClient(token=token, base_url=base_url, logger=library_logger("slack_sdk.web"))
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


async def call(method: str, request: Awaitable[Any]) -> Any:
    """Await a Web API call; log (without content) and swallow its failure (``None``)."""
    try:
        return await request
    except WEB_API_ERRORS as error:
        _LOGGER.warning("slack %s failed: %s", method, reason(error))
        return None


def reason(error: BaseException) -> str:
    """Slack's error code of a failed call (``channel_not_found`` …), else the exception type."""
    if isinstance(error, SlackApiError):
        data = error.response.data  # a 5xx may answer with text, not JSON
        code = data.get("error") if isinstance(data, dict) else None
        return str(code or type(error).__name__)
    return type(error).__name__


def library_logger(name: str) -> logging.Logger:
    """A logger for slack_sdk / bolt with its OWN level set, never below INFO.

    Both libraries test ``logger.level <= DEBUG`` (the logger's own level, not the
    effective one) before formatting whole requests and responses into debug
    messages; a logger left at NOTSET passes that test, so every Web API call paid
    for an f-string of its blocks (and would log message text at DEBUG).
    """
    logger = logging.getLogger(name)
    logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    return logger
