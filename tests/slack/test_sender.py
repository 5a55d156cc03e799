"""Who sent a Slack request, read from its raw body (issue 13: one user's requests in order).

Over the real shapes of ``tests/helpers/slack_events.py``: the Events API JSON, an
interactivity form (``payload=<json>``), a slash command's form fields, and the same
payloads as Socket Mode hands them over (dicts).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.channels.slack import inputs
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import TEAM_ID, StoredMessage

USER = "U0SENDER"
FORM = "application/x-www-form-urlencoded"
QUESTION = StoredMessage(channel="D0SENDER", ts="1700000000.000001", text="?", blocks=[])


def _of(request: ev.SignedRequest) -> str | None:
    return inputs.request_sender(body=request.body, content_type=request.headers["Content-Type"])


def _socket_payload(request: ev.SignedRequest) -> dict[str, Any]:
    """The payload Socket Mode hands over for the same request."""
    if request.headers["Content-Type"] != FORM:
        return dict(json.loads(request.body))
    fields = dict(parse_qsl(request.body, keep_blank_values=True))
    return dict(json.loads(fields["payload"])) if "payload" in fields else fields


def _every_kind(user: str, team_id: str = TEAM_ID) -> list[ev.SignedRequest]:
    return [
        ev.json_request(ev.dm_message(user, "hello", team_id=team_id)),
        ev.json_request(ev.app_home_opened(user, team_id=team_id)),
        ev.block_action(user, QUESTION, action_id="rc:1", value="rc:c:1:calm", team_id=team_id),
        ev.home_action(user, action_id="home:start", team_id=team_id),
        ev.slash_command(user, "help", team_id=team_id),
    ]


@pytest.mark.parametrize("index", range(5), ids=["dm", "home", "press", "home-press", "slash"])
def test_every_kind_of_request_names_the_same_sender_over_http_and_socket_mode(
    index: int,
) -> None:
    request = _every_kind(USER)[index]
    assert _of(request) == f"{TEAM_ID}:{USER}"
    assert inputs.sender(_socket_payload(request)) == f"{TEAM_ID}:{USER}"


def test_users_of_other_workspaces_or_other_users_are_other_senders() -> None:
    senders = {
        _of(request)
        for user, team in ((USER, TEAM_ID), ("U0OTHER", TEAM_ID), (USER, "T0ELSEWHERE"))
        for request in _every_kind(user, team)
    }
    assert senders == {f"{TEAM_ID}:{USER}", f"{TEAM_ID}:U0OTHER", f"T0ELSEWHERE:{USER}"}


def test_the_apps_own_message_has_no_sender() -> None:
    assert _of(ev.json_request(ev.own_bot_message(USER, "a reply"))) is None
    assert inputs.sender(ev.dm_message(USER, "hi", bot_id="B0OTHERBOT")) is None


def test_an_event_without_a_person_has_no_sender() -> None:
    edited = ev.dm_message(USER, "hello", subtype="message_changed")
    edited["event"].pop("user")
    edited["event"]["message"] = {"type": "message", "user": USER, "text": "hello!"}
    assert inputs.sender(edited) is None
    changed = ev.event_callback({"type": "user_change", "user": {"id": USER}})
    assert inputs.sender(changed) is None
    verification = {"token": "t", "challenge": "c", "type": "url_verification"}
    assert _of(ev.json_request(verification)) is None


def test_an_org_wide_install_without_a_team_is_named_by_its_org() -> None:
    body = ev.dm_message(USER, "hello")
    body.pop("team_id")
    body["authorizations"] = [{"enterprise_id": "E0ORG", "team_id": None, "user_id": "UB"}]
    assert inputs.sender(body) == f"E0ORG:{USER}"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("payload=not-json", FORM),
        ('{"event": "a string", "team_id": "T1"}', "application/json"),
        ('{"user": 7, "team_id": "T1"}', "application/json"),
        ("", FORM),
    ],
)
def test_an_unreadable_or_odd_body_has_no_sender(body: str, content_type: str) -> None:
    assert inputs.request_sender(body=body, content_type=content_type) is None
