"""Builders of signed Slack requests, shaped as Slack sends them over HTTP.

Events API callbacks are JSON; interactivity payloads (``block_actions``) are
form-encoded ``payload=<json>``; slash commands are form-encoded fields. Every
request carries ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``
(``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.helpers.standins.slack import BOT_ID, BOT_USER_ID, TEAM_ID, StoredMessage, dm_channel

SIGNING_SECRET = "test-signing-secret"
API_APP_ID = "A0COACH"

_COUNTER = itertools.count(1)


def _next() -> int:
    return next(_COUNTER)


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """A request body and the headers Slack would send with it."""

    body: str
    headers: dict[str, str]


def sign(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/json",
    extra_headers: dict[str, str] | None = None,
) -> SignedRequest:
    """Sign ``body`` the way Slack does (signature version ``v0``)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    headers.update(extra_headers or {})
    return SignedRequest(body=body, headers=headers)


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID
) -> dict[str, Any]:
    """Wrap an inner event in the Events API envelope."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{_next():08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
        "is_ext_shared_channel": False,
    }


def dm_message(
    user: str,
    text: str,
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    files: list[dict[str, Any]] | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
) -> dict[str, Any]:
    """A ``message.im`` event (the user writing to the app in its Messages tab)."""
    event: dict[str, Any] = {
        "type": "message",
        "channel": dm_channel(user),
        "user": user,
        "text": text,
        "ts": f"{int(time.time())}.{_next():06d}",
        "event_ts": f"{int(time.time())}.{_next():06d}",
        "channel_type": "im",
        "team": team_id,
    }
    if files is not None:
        event["files"] = files
        event["subtype"] = "file_share"
    if subtype is not None:
        event["subtype"] = subtype
    if bot_id is not None:
        event["bot_id"] = bot_id
    return event_callback(event, event_id=event_id, team_id=team_id)


def own_bot_message(user: str, text: str) -> dict[str, Any]:
    """The app's own message echoed back as a ``message.im`` event."""
    body = dm_message(user, text, bot_id=BOT_ID)
    body["event"]["user"] = BOT_USER_ID
    return body


def app_home_opened(user: str, *, team_id: str = TEAM_ID, tab: str = "home") -> dict[str, Any]:
    """The user opened the app's Home (or Messages) tab."""
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": dm_channel(user),
        "tab": tab,
        "event_ts": f"{int(time.time())}.{_next():06d}",
    }
    return event_callback(event, team_id=team_id)


def json_request(body: dict[str, Any], **kwargs: Any) -> SignedRequest:
    """An Events API request, signed."""
    return sign(json.dumps(body), **kwargs)


def block_action(
    user: str,
    message: StoredMessage,
    *,
    action_id: str,
    value: str,
    team_id: str = TEAM_ID,
    block_id: str = "choices",
    action_ts: str | None = None,
    **kwargs: Any,
) -> SignedRequest:
    """A ``block_actions`` interaction: ``user`` pressed a button of ``message``."""
    ts = action_ts or f"{int(time.time())}.{_next():06d}"
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "coach-test"},
        "user": {"id": user, "username": "someone", "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": False,
        },
        "trigger_id": f"{_next()}.trigger",
        "channel": {"id": message.channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": message.ts,
            "text": message.text,
            "blocks": message.blocks,
        },
        "response_url": "https://hooks.example.invalid/actions/1",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": "…"},
                "value": value,
                "action_ts": ts,
            }
        ],
    }
    return form_request({"payload": json.dumps(payload)}, **kwargs)


def home_action(
    user: str, *, action_id: str, team_id: str = TEAM_ID, **kwargs: Any
) -> SignedRequest:
    """A ``block_actions`` interaction from a button of the App Home view."""
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "coach-test"},
        "user": {"id": user, "username": "someone", "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"{_next()}.trigger",
        "view": {"id": "V0HOME", "type": "home", "team_id": team_id},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "home-actions",
                "text": {"type": "plain_text", "text": "…"},
                "value": action_id,
                "action_ts": f"{int(time.time())}.{_next():06d}",
            }
        ],
    }
    return form_request({"payload": json.dumps(payload)}, **kwargs)


def slash_command(
    user: str,
    text: str = "",
    *,
    channel_id: str | None = None,
    team_id: str = TEAM_ID,
    response_url: str = "https://hooks.example.invalid/commands/1",
    **kwargs: Any,
) -> SignedRequest:
    """The ``/coach`` slash command, typed by ``user`` (in their DM with the app by default)."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": "coach-test",
        "channel_id": channel_id or dm_channel(user),
        "channel_name": "directmessage",
        "user_id": user,
        "user_name": "someone",
        "command": "/coach",
        "text": text,
        "api_app_id": API_APP_ID,
        "response_url": response_url,
        "trigger_id": f"{_next()}.trigger",
    }
    return form_request(fields, **kwargs)


def form_request(fields: dict[str, str], **kwargs: Any) -> SignedRequest:
    """A form-encoded request, signed."""
    return sign(urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs)
