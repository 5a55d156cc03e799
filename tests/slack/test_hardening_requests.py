"""Junk from the internet on ``/slack/events`` (issue 14, items 4 and 8a).

Red-team rows 2.3, 2.4 and 2.11 (P5): a junk ``X-Slack-Request-Timestamp`` or deeply
nested JSON gave 500 and counted in ``rejection_coach_errors_total{where="webhook"}``
(the metric deploy.md says to alert on); malformed signed payloads gave 500 too.
Row 8a: a ``block_actions`` whose ``action_id`` matches no listener got bolt's 404.
The route is served behind ``serve``'s own app (its error middleware and metrics).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.channels.slack import EVENTS_PATH
from bot.metrics import Metrics
from bot.serve import build_app
from flows.i18n import t
from tests.helpers import slack_events as ev
from tests.slack.conftest import Workspace

USER = "U0JUNK"
NESTED = "[" * 100_000 + "]" * 100_000


async def _healthy() -> bool:
    return True


@pytest.fixture
async def served(workspace: Workspace) -> AsyncIterator[tuple[str, Metrics]]:
    """The Slack route inside ``serve``'s app on a loopback port; its URL and metrics."""
    metrics = Metrics()
    app = build_app(health=_healthy, metrics=metrics, routes=workspace.adapter.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    try:
        yield f"http://127.0.0.1:{port}{EVENTS_PATH}", metrics
    finally:
        await runner.cleanup()


def _webhook_errors(metrics: Metrics) -> float:
    body, _ = metrics.render(accept="")
    for line in body.decode().splitlines():
        if line.startswith("rejection_coach_errors_total") and 'where="webhook"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _post(url: str, body: str, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        await response.read()
        return response.status


@pytest.mark.parametrize("timestamp", ["x", "9" * 400, "", "-1", "1e9", " 17 "])
async def test_a_junk_timestamp_is_401_and_no_error(
    served: tuple[str, Metrics], timestamp: str
) -> None:
    """Row 2.3."""
    url, metrics = served
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=0",
    }
    assert await _post(url, "{}", headers) == 401
    assert _webhook_errors(metrics) == 0


async def test_deeply_nested_json_unsigned_is_401_signed_is_400(
    served: tuple[str, Metrics], workspace: Workspace
) -> None:
    """Row 2.4 (unsigned: refused before parsing) and its signed twin (malformed: 400)."""
    url, metrics = served
    unsigned = ev.sign(NESTED, secret="not-the-secret")
    assert await _post(url, unsigned.body, unsigned.headers) == 401
    signed = ev.sign(NESTED)
    assert await _post(url, signed.body, signed.headers) == 400
    nested_payload = ev.form_request({"payload": NESTED})
    assert await _post(url, nested_payload.body, nested_payload.headers) == 400
    assert _webhook_errors(metrics) == 0
    assert workspace.api.calls_of("chat.postMessage") == []


#: Signed when the test runs (a request signed at collection time would be stale: 401).
_MALFORMED: dict[str, Callable[[], ev.SignedRequest]] = {
    "payload-not-json": lambda: ev.form_request({"payload": "not json"}),
    "payload-array": lambda: ev.form_request({"payload": "[1, 2]"}),
    "event-string": lambda: ev.sign(
        json.dumps({"type": "event_callback", "team_id": "T0TEAM", "event": "a string"})
    ),
    "array": lambda: ev.sign("[]"),
    "text": lambda: ev.sign("not json at all"),
    "user-int": lambda: ev.sign(
        urlencode({"payload": json.dumps({"type": "block_actions", "user": 5, "actions": 3})}),
        content_type="application/x-www-form-urlencoded",
    ),
}


@pytest.mark.parametrize("kind", sorted(_MALFORMED))
async def test_a_signed_but_malformed_payload_is_400(
    served: tuple[str, Metrics], kind: str
) -> None:
    """Row 2.11."""
    url, metrics = served
    request_ = _MALFORMED[kind]()
    assert await _post(url, request_.body, request_.headers) == 400
    assert _webhook_errors(metrics) == 0


async def test_a_button_no_listener_knows_is_acked_and_answered_as_stale(
    workspace: Workspace,
) -> None:
    """Row 8a: an ``action_id`` of an earlier app version (or forged) gets no 404."""
    workspace.api.locales[USER] = "en-US"
    assert await workspace.say(USER, "hi") == 200
    message = workspace.dm(USER)[-1]
    posted = len(workspace.dm(USER))
    status = await workspace.send(
        ev.block_action(USER, message, action_id="legacy_button_v1", value="whatever")
    )
    assert status == 200
    answers = workspace.dm(USER)[posted:]
    assert answers, "the press got no answer"
    text = " ".join(b["text"]["text"] for m in answers for b in m.blocks if "text" in b)
    assert t("en", "coach-stale") in text, text
