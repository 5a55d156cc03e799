"""Cheap checks of a request to ``/slack/events`` before bolt parses anything.

bolt parses the body before it checks the signature, and a junk
``X-Slack-Request-Timestamp`` makes its verifier raise: both ended as a 500 that
counted as a webhook error. Here, in this order and each one cheap:

1. the timestamp is 1–12 digits and the signature ``v0=`` + 64 hex digits,
   and the HMAC of the raw body matches (slack_sdk's verifier, 5-minute window)
   — otherwise 401, before any parsing;
2. the signed body parses (JSON, or a form whose ``payload`` is JSON) to an object
   of the expected shape — otherwise 400 (an authenticated but malformed payload).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
#: Fields of a payload that, when present, must be JSON objects / arrays of objects.
_OBJECT_FIELDS = ("event", "user", "team", "container", "message", "view", "channel")
_LIST_FIELDS = ("actions", "authorizations")


def authentic(verifier: SignatureVerifier, *, body: str, headers: Any) -> bool:
    """Whether the request carries a well-formed, valid, fresh Slack signature."""
    timestamp = str(headers.get("X-Slack-Request-Timestamp", ""))
    signature = str(headers.get("X-Slack-Signature", ""))
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


def well_formed(*, body: str, content_type: str) -> bool:
    """Whether a signed body is an object of the shape bolt expects (no deep nesting)."""
    if content_type.lower().startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body, keep_blank_values=True)
        raw = form.get("payload")
        if raw is None:
            return all(isinstance(v, list) for v in form.values())  # a slash command
        parsed = _json(raw[0])
    else:
        parsed = _json(body)
    return isinstance(parsed, dict) and _shaped(parsed)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
        return None


def _shaped(payload: dict[str, Any]) -> bool:
    for name in _OBJECT_FIELDS:
        if name in payload and not isinstance(payload[name], dict | str | None):
            return False
    if "event" in payload and not isinstance(payload["event"], dict):
        return False
    if "user" in payload and not isinstance(payload["user"], dict | str):
        return False
    for name in _LIST_FIELDS:
        value = payload.get(name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ):
            return False
    return True
