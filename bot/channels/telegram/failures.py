"""How a failed Bot API send is classified for the outbox: permanent or retryable."""

from __future__ import annotations

import datetime as dtm
import warnings

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.engine.delivery import DeliveryFailed

#: Bot API descriptions (lower-case fragments) that mean the chat is gone for good.
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "bot was kicked")


def classify(error: TelegramError) -> DeliveryFailed:
    """The outbox's view of a Bot API error (its kind only, never the description)."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns on the int form; either is fine here
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dtm.timedelta) else float(wait)
        return DeliveryFailed("rate_limited", permanent=False, retry_after=seconds)
    if isinstance(error, Forbidden):
        return DeliveryFailed("blocked", permanent=True)
    if isinstance(error, BadRequest):
        message = error.message.lower()
        if any(fragment in message for fragment in _GONE):
            return DeliveryFailed("chat_not_found", permanent=True)
        # Our request was refused as it is (markup, length …): sending it again cannot help.
        return DeliveryFailed("bad_request", permanent=True)
    if isinstance(error, TimedOut):
        return DeliveryFailed("timeout", permanent=False)
    if isinstance(error, NetworkError):  # 5xx, 502, a refused or reset connection
        return DeliveryFailed("server_error", permanent=False)
    return DeliveryFailed("telegram_error", permanent=False)
