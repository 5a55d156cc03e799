"""Slack requests → the coach's neutral inputs (pure: no I/O).

A DM message becomes :class:`~flows.io.TextInput` (or a command when it starts
with ``/``, or :class:`~flows.io.UnsupportedInput` when it carries files);
``/coach <word>`` becomes a :class:`~flows.io.CommandInput`; an answer button
becomes :class:`~flows.io.ChoiceInput`; an App Home button a command.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.channels.slack import mrkdwn
from bot.channels.slack.blocks import HOME_COMMANDS
from flows.io import ChoiceInput, CommandInput, TextInput, UnsupportedInput, UserInput

#: Message subtypes that are the user writing to the coach; every other subtype
#: (message_changed, message_deleted, bot_message, channel_join, …) is ignored.
_USER_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def is_user_dm(event: dict[str, Any], *, bot_user_id: str | None = None) -> bool:
    """Whether a ``message`` event is a person writing in a direct message with the app."""
    if event.get("channel_type") != "im":
        return False
    if event.get("subtype") not in _USER_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
        return False
    user = event.get("user")
    if not isinstance(user, str) or not user:
        return False
    return bot_user_id is None or user != bot_user_id


def message_input(event: dict[str, Any]) -> UserInput:
    """Translate a DM ``message`` event."""
    if event.get("files") or event.get("subtype") == "file_share":
        return UnsupportedInput(kind="file")
    if event.get("attachments") and not event.get("text"):
        return UnsupportedInput(kind="attachment")
    text = mrkdwn.from_slack(str(event.get("text") or "")).strip()
    if text.startswith("/") and len(text) > 1 and not text[1].isspace():
        return command_from_text(text[1:])
    return TextInput(text=text)


def command_from_text(text: str) -> CommandInput:
    """``"back"`` / ``"lang bg"`` → a command; an empty text is ``start`` (start or continue)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return CommandInput(name="start")
    name = parts[0].lower().lstrip("/")
    args = parts[1].strip() if len(parts) > 1 else ""
    return CommandInput(name=name or "start", args=args)


def slash_command_input(body: dict[str, Any]) -> CommandInput:
    """``/coach`` alone → ``start``; ``/coach help|back|restart|…`` → that command."""
    return command_from_text(mrkdwn.from_slack(str(body.get("text") or "")))


def action_input(action: dict[str, Any]) -> UserInput | None:
    """An answer button or an App Home button → the input it stands for."""
    action_id = str(action.get("action_id") or "")
    command = HOME_COMMANDS.get(action_id)
    if command is not None:
        return CommandInput(name=command)
    value = action.get("value")
    if not isinstance(value, str):
        return None
    return ChoiceInput(data=value)


#: Longest dedupe id the engine stores.
UPDATE_ID_LIMIT = 128


def event_id(body: dict[str, Any]) -> str | None:
    """An event's dedupe id: Slack's ``event_id``, the same on every retry."""
    given = str(body.get("event_id") or "")
    if not given:
        return None
    return given if len(given) <= UPDATE_ID_LIMIT else update_id("event", given)


def update_id(kind: str, *parts: str) -> str:
    """The engine's dedupe id of a Slack delivery (at most 128 characters)."""
    raw = ":".join(("slack", kind, *parts))
    if len(raw) <= UPDATE_ID_LIMIT:
        return raw
    return f"slack:{kind}:sha256:{hashlib.sha256(raw.encode()).hexdigest()}"
