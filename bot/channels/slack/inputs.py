"""Slack requests → the coach's neutral inputs (pure: no I/O).

A DM message becomes :class:`~flows.io.TextInput` (or a command when it starts
with ``/``, or :class:`~flows.io.UnsupportedInput` when it carries files);
``/coach <word>`` becomes a :class:`~flows.io.CommandInput`; an answer button
becomes :class:`~flows.io.ChoiceInput`; an App Home button a command.
Who sent a request (:func:`sender`) is read from its raw payload, before bolt,
so that one user's requests are worked on in order across workers (issue 13).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

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


# ---------------------------------------------------------------------- the sender (issue 13)


def sender(payload: dict[str, Any]) -> str | None:
    """Who sent a request, as ``"<team>:<user>"`` (their requests are worked on in order).

    ``payload`` is an Events API callback, an interactivity payload or a slash command's
    fields (HTTP or Socket Mode alike). The team is found as bolt finds it (``team``,
    then the first ``authorizations`` entry, then ``team_id``; the org when there is no
    team). ``None`` when no person sent it (an app's or bot's own event, an event
    without a user such as ``message_changed``, ``url_verification``): not ordered.
    """
    user = _user_of(payload)
    if user is None:
        return None
    team = _team_of(payload) or _enterprise_of(payload) or ""
    return f"{team}:{user}"


def request_sender(*, body: str, content_type: str) -> str | None:
    """:func:`sender` of a raw HTTP request body (JSON, or a form) — ``None`` if unreadable."""
    payload: object
    if content_type.lower().startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body, keep_blank_values=True)
        raw = form.get("payload")
        if raw is None:  # a slash command: the fields themselves
            payload = {name: values[0] for name, values in form.items() if values}
        else:
            payload = _json(raw[0])
    else:
        payload = _json(body)
    return sender(payload) if isinstance(payload, dict) else None


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _user_of(payload: dict[str, Any]) -> str | None:
    user = payload.get("user")
    if isinstance(user, dict):  # interactivity: the person who pressed
        return _text(user.get("id"))
    if user is not None:
        return _text(user)
    if "user_id" in payload:  # a slash command
        return _text(payload.get("user_id"))
    event = payload.get("event")
    if not isinstance(event, dict):
        return None
    if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
        return None  # an app or bot wrote it (the app's own messages too)
    return _text(event.get("user"))


def _first_authorization(payload: dict[str, Any]) -> dict[str, Any]:
    authorizations = payload.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        first = authorizations[0]
        if isinstance(first, dict):
            return first
    return {}


def _team_of(payload: dict[str, Any]) -> str | None:
    team = payload.get("team")
    if isinstance(team, dict):
        found = _text(team.get("id"))
        if found:
            return found
    elif team is not None:
        return _text(team)
    found = _text(_first_authorization(payload).get("team_id")) or _text(payload.get("team_id"))
    if found:
        return found
    user = payload.get("user")
    return _text(user.get("team_id")) if isinstance(user, dict) else None


def _enterprise_of(payload: dict[str, Any]) -> str | None:
    enterprise = payload.get("enterprise")
    if isinstance(enterprise, dict):
        return _text(enterprise.get("id"))
    return (
        _text(enterprise)
        or _text(_first_authorization(payload).get("enterprise_id"))
        or _text(payload.get("enterprise_id"))
    )
