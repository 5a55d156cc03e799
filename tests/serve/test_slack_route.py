"""A Slack-only worker mounts the signed Slack endpoint beside /healthz and /metrics."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.helpers.slack_events import SIGNING_SECRET, sign
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.serve.conftest import WorkerFactory

pytestmark = pytest.mark.postgres


async def test_slack_endpoint_is_signed(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn(
        "slack",
        database_url=migrated_pg_url,
        api=bot_api,
        TELEGRAM_BOT_TOKEN="",
        SLACK_BOT_TOKEN="xoxb-serve-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    challenge = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    async with aiohttp.ClientSession() as session:
        good = sign(challenge)
        async with session.post(
            f"{worker.url}/slack/events", data=good.body, headers=good.headers
        ) as response:
            assert response.status == 200
            assert "c-123" in await response.text()

        forged = sign(challenge, secret="not-the-secret")
        async with session.post(
            f"{worker.url}/slack/events", data=forged.body, headers=forged.headers
        ) as response:
            assert response.status == 401

        async with session.post(f"{worker.url}/telegram/webhook", json={}) as response:
            assert response.status == 404  # Telegram is not configured on this worker
    assert bot_api.calls() == []
