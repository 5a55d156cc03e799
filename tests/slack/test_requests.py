"""HTTP mode: signatures, stale timestamps, retries, bots, and the ack."""

from __future__ import annotations

import json
import time

from aiohttp import web

from bot.channels.slack.channel import SlackChannel
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import BOT_ID, BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.slack.conftest import Workspace

USER = "U0ALICE"


async def test_bad_signature_is_refused_and_nothing_is_stored(workspace: Workspace) -> None:
    body = json.dumps(ev.dm_message(USER, "hello"))
    forged = ev.sign(body, secret="not-the-signing-secret")
    assert await workspace.send(forged) == 401
    tampered = ev.sign(body)
    tampered_body = body.replace("hello", "HELLO")
    assert await workspace.send(ev.SignedRequest(tampered_body, tampered.headers)) == 401
    unsigned = ev.SignedRequest(body, {"Content-Type": "application/json"})
    assert await workspace.send(unsigned) == 401
    assert workspace.api.calls == []
    assert not any((await workspace.rows()).values())


async def test_old_timestamp_is_refused_and_nothing_is_stored(workspace: Workspace) -> None:
    stale = ev.json_request(ev.dm_message(USER, "hello"), timestamp=int(time.time()) - 10 * 60)
    assert await workspace.send(stale) == 401
    stale_press = ev.slash_command(USER, "", timestamp=int(time.time()) - 10 * 60)
    assert await workspace.send(stale_press) == 401
    assert workspace.api.calls == []
    assert not any((await workspace.rows()).values())


async def test_url_verification_is_answered(workspace: Workspace) -> None:
    body = {"token": "t", "challenge": "challenge-123", "type": "url_verification"}
    request = ev.json_request(body)
    async with workspace.session.post(
        workspace.url, data=request.body.encode(), headers=request.headers
    ) as resp:
        assert resp.status == 200
        assert "challenge-123" in await resp.text()


async def test_the_apps_own_messages_and_other_bots_are_ignored(workspace: Workspace) -> None:
    assert (
        await workspace.send(ev.json_request(ev.own_bot_message(USER, "Hi, I'm the coach"))) == 200
    )
    other_bot = ev.dm_message(USER, "beep", subtype="bot_message", bot_id="B0OTHER")
    assert await workspace.send(ev.json_request(other_bot)) == 200
    flagged = ev.dm_message(USER, "beep", bot_id=BOT_ID)
    assert await workspace.send(ev.json_request(flagged)) == 200
    edited = ev.dm_message(USER, "edit", subtype="message_changed")
    assert await workspace.send(ev.json_request(edited)) == 200
    deleted = ev.dm_message(USER, "", subtype="message_deleted")
    assert await workspace.send(ev.json_request(deleted)) == 200
    outside = ev.dm_message(USER, "in a channel")
    outside["event"]["channel_type"] = "channel"
    assert await workspace.send(ev.json_request(outside)) == 200
    methods = {call.method for call in workspace.api.calls}
    assert methods <= {"auth.test"}
    assert not any((await workspace.rows()).values())
    assert workspace.dm(USER) == []


async def test_ack_comes_first_even_when_the_web_api_is_slow(workspace: Workspace) -> None:
    # The stand-in answers; the point is the HTTP status and empty body of the ack.
    request = ev.json_request(ev.dm_message(USER, "hello"))
    async with workspace.session.post(
        workspace.url, data=request.body.encode(), headers=request.headers
    ) as resp:
        assert resp.status == 200
        assert (await resp.text()) == ""
    await workspace.settle()
    assert workspace.dm(USER), "the coach answered after the ack"
    assert dm_channel(USER) == workspace.dm(USER)[0].channel


async def test_without_a_signing_secret_http_is_refused(
    workspace: Workspace, slack_api: SlackApiStandIn
) -> None:
    # An adapter built for Socket Mode (no secret) must not accept requests
    # signed with an empty key over HTTP.
    adapter = SlackChannel(
        engine=workspace.engine, token=BOT_TOKEN, signing_secret="", api_url=slack_api.base_url
    )
    app = web.Application()
    app.add_routes(adapter.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        request = ev.json_request(ev.dm_message(USER, "hello"), secret="")
        async with workspace.session.post(
            url, data=request.body.encode(), headers=request.headers
        ) as resp:
            assert resp.status == 401
    finally:
        await adapter.stop()
        await runner.cleanup()
    assert slack_api.calls == []
    assert not any((await workspace.rows()).values())
