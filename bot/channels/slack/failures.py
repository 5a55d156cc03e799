"""How a failed Web API post is classified for the outbox: permanent or retryable."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.engine.delivery import DeliveryFailed

#: Slack error codes that mean sending again cannot help (the recorded kind).
_PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
    }
)
#: Slack error codes of a passing trouble on its side.
_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def error_code(error: SlackApiError) -> str | None:
    """Slack's ``error`` field, when the answer was JSON (a 5xx may answer HTML or text)."""
    data = error.response.data
    if isinstance(data, dict):
        code = data.get("error")
        return str(code) if code else None
    return None


def classify(error: SlackApiError) -> DeliveryFailed:
    """The outbox's view of a refused Web API call (the error code only, never text)."""
    status = error.response.status_code
    code = error_code(error)
    if status == 429 or code == "ratelimited":
        header = (error.response.headers or {}).get("Retry-After") or (
            error.response.headers or {}
        ).get("retry-after")
        try:
            wait = float(header) if header is not None else None
        except (TypeError, ValueError):
            wait = None
        return DeliveryFailed("rate_limited", permanent=False, retry_after=wait)
    if status >= 500 or code in _TRANSIENT:
        return DeliveryFailed("server_error", permanent=False)
    if code in _PERMANENT:
        return DeliveryFailed(code or "api_error", permanent=True)
    return DeliveryFailed("api_error", permanent=True)
