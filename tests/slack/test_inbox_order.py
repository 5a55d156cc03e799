"""One Slack user's requests are worked on in order across workers (issue 13).

Two workers (two channels, each with its own engine, i.e. its own process token)
share one database. The user's first request goes to worker A, whose reply is held
at the Web API stand-in; the next two (a ``/coach help`` and a DM) reach worker B
meanwhile. B stores them behind the first one, acks them at once and does nothing
else; A, when the first one's listener ended, takes the second, then the third. The
user's DM is then exactly a clean user's who sent the same three one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import parse_qsl

from bot.channels.slack import inputs
from bot.engine import Engine
from bot.engine.pipeline import DEFAULT_UPDATE_ID_KEY, stored_update_id
from flows.coach import Coach
from storage import Storage
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import SlackApiStandIn, dm_channel
from tests.helpers.storage_helpers import is_processed, table_row_counts
from tests.slack.conftest import FakeClock, Workspace, serve_workspace, socket_mode_channel

USER = "U0ORDERED"
CLEAN = "U0ORDERCLEAN"


def _requests(api: SlackApiStandIn, user: str) -> list[ev.SignedRequest]:
    """A DM, then ``/coach help``, then another DM: three kinds, one user."""
    return [
        ev.json_request(ev.dm_message(user, "hello")),
        ev.slash_command(user, "help", response_url=api.response_url()),
        ev.json_request(ev.dm_message(user, "what now?")),
    ]


async def _processed(storage: Storage, request: ev.SignedRequest) -> bool:
    """Whether the engine applied a DM event or a slash command (its dedupe id is stored)."""
    if request.headers["Content-Type"].startswith("application/json"):
        update_id = inputs.event_id(json.loads(request.body))
        assert update_id is not None
    else:
        update_id = inputs.update_id("command", dict(parse_qsl(request.body))["trigger_id"])
    stored = stored_update_id("slack", update_id, key=DEFAULT_UPDATE_ID_KEY)
    return await is_processed(storage, platform="slack", update_id=stored)


def _socket_payload(request: ev.SignedRequest) -> tuple[dict[str, object], str]:
    """The same request as a Socket Mode envelope's payload and kind."""
    if request.headers["Content-Type"].startswith("application/json"):
        return json.loads(request.body), "events_api"
    return dict(parse_qsl(request.body, keep_blank_values=True)), "slash_commands"


def _texts(api: SlackApiStandIn, user: str) -> list[list[str]]:
    return [
        [block["text"]["text"] for block in message.blocks if block.get("type") == "section"]
        for message in api.posted(dm_channel(user))
    ]


async def _inbox_rows(storage: Storage) -> int:
    return (await table_row_counts(storage))["inbox"]


async def _until_the_inbox_is_empty(storage: Storage) -> None:
    async with asyncio.timeout(30):
        while await _inbox_rows(storage):
            await asyncio.sleep(0.05)


async def _post(ws: Workspace, request: ev.SignedRequest) -> tuple[int, bytes]:
    """POST as Slack does; the answer (no waiting for the work after the ack)."""
    async with ws.session.post(
        ws.url, data=request.body.encode(), headers=request.headers
    ) as response:
        return response.status, await response.read()


async def _while_the_first_is_held(
    api: SlackApiStandIn,
    storage: Storage,
    *,
    first: Callable[[], Awaitable[None]],
    rest: Callable[[], Awaitable[None]],
    later: list[ev.SignedRequest],
    idle: Callable[[], Awaitable[None]],
) -> None:
    """``first`` on A (held before its step), ``rest`` on B; B neither works nor calls Slack.

    A is held in its ``users.info`` (the user's locale, read before the step): once a
    step is committed its inbox row is gone with it and the next request's turn has
    come — the replies then keep their order in the outbox.
    """
    release = api.hold("users.info")
    await first()
    await api.wait_calls("users.info", 1, timeout=30)  # A is held there
    calls = len(api.calls)
    await rest()
    await idle()  # B has nothing in flight: the later ones were not dispatched
    assert len(api.calls) == calls
    for request in later:
        assert not await _processed(storage, request)
    assert await _inbox_rows(storage) == 3
    release.set()
    await _until_the_inbox_is_empty(storage)


async def test_over_http_one_users_requests_wait_for_each_other_across_workers(
    slack_api: SlackApiStandIn, storage: Storage
) -> None:
    engine_a = Engine(storage=storage, coach=Coach())
    engine_b = Engine(storage=storage, coach=Coach())
    async with (
        serve_workspace(api=slack_api, storage=storage, engine=engine_a) as a,
        serve_workspace(api=slack_api, storage=storage, engine=engine_b) as b,
    ):
        first, *later = _requests(slack_api, USER)
        answers: list[tuple[int, bytes]] = []

        async def send_first() -> None:
            assert (await _post(a, first))[0] == 200

        async def send_rest() -> None:
            answers.extend([await _post(b, request) for request in later])

        await _while_the_first_is_held(
            slack_api,
            storage,
            first=send_first,
            rest=send_rest,
            later=later,
            idle=lambda: b.adapter.drain(timeout=20.0),
        )
        # Acked at once as bolt acks: an empty 200 (no text for the slash command).
        assert answers == [(200, b""), (200, b"")]
        await a.adapter.drain(timeout=20.0)
        await b.adapter.drain(timeout=20.0)
        for request in later:
            assert await _processed(storage, request)

        for request in _requests(slack_api, CLEAN):  # one by one, each after the last
            assert await a.send(request) == 200
        await _until_the_inbox_is_empty(storage)
    assert len(_texts(slack_api, USER)) >= 3
    assert _texts(slack_api, USER) == _texts(slack_api, CLEAN)


async def test_in_socket_mode_one_users_envelopes_wait_for_each_other_across_workers(
    slack_api: SlackApiStandIn, storage: Storage
) -> None:
    engine_a = Engine(storage=storage, coach=Coach())
    engine_b = Engine(storage=storage, coach=Coach())
    async with (
        socket_mode_channel(slack_api, engine_a) as (channel_a, _),
        socket_mode_channel(slack_api, engine_b) as (channel_b, _),
    ):
        socket_a, socket_b = 0, 1  # in the order they connected
        first, *later = _requests(slack_api, USER)

        async def send(request: ev.SignedRequest, socket: int) -> str:
            payload, kind = _socket_payload(request)
            envelope = await slack_api.send_socket_event(payload, kind=kind, socket=socket)
            await slack_api.wait_for(lambda api: envelope in api.socket_acks, timeout=30)
            return envelope

        acked: list[str] = []

        async def send_first() -> None:
            await send(first, socket_a)

        async def send_rest() -> None:
            acked.extend([await send(request, socket_b) for request in later])

        await _while_the_first_is_held(
            slack_api,
            storage,
            first=send_first,
            rest=send_rest,
            later=later,
            idle=lambda: channel_b.drain(timeout=20.0),
        )
        # Acked at once with no payload (nothing for the slash command to show).
        assert [slack_api.socket_ack_payloads[envelope] for envelope in acked] == [None, None]
        await channel_a.drain(timeout=20.0)
        await channel_b.drain(timeout=20.0)

        for request in _requests(slack_api, CLEAN):  # one by one, each after the last
            await send(request, socket_a)
            await channel_a.drain(timeout=20.0)
            await _until_the_inbox_is_empty(storage)
    assert len(_texts(slack_api, USER)) >= 3
    assert _texts(slack_api, USER) == _texts(slack_api, CLEAN)


async def test_a_request_no_listener_takes_passes_the_turn_on(
    slack_api: SlackApiStandIn, storage: Storage, clock: FakeClock
) -> None:
    """The user's older request is one no listener takes: cleared, the next one runs."""
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    async with serve_workspace(api=slack_api, storage=storage, engine=engine) as ws:
        # A worker stored the user's reaction (no listener here) and died before bolt got it.
        reaction = ev.event_callback(
            {"type": "reaction_added", "user": USER, "reaction": "tada", "item": {}}
        )
        dead = Engine(storage=storage, coach=Coach(), clock=clock)
        stored = await dead.inbox.accept(
            platform="slack",
            body=json.dumps(reaction),
            content_type="application/json",
            sender=inputs.sender(reaction),
        )
        assert stored.row_id is not None and not stored.deferred
        # The user's DM comes in behind it: acked, not worked on.
        hello = ev.json_request(ev.dm_message(USER, "hello"))
        assert await _post(ws, hello) == (200, b"")
        await ws.settle()
        assert not await _processed(storage, hello)
        assert await _inbox_rows(storage) == 2

        # The dead worker's hold runs out: the recovery loop takes the reaction (the
        # sender's oldest), bolt finds no listener, its row is cleared and the DM is next.
        clock.advance(engine.outbox.lease + timedelta(seconds=1))
        engine.inbox.recovery_interval = 0.05
        recovery = asyncio.create_task(ws.adapter.recover_inbox())
        try:
            await _until_the_inbox_is_empty(storage)
            await ws.settle()
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
        assert await _processed(storage, hello)
        assert await ws.send(ev.json_request(ev.dm_message(CLEAN, "hello"))) == 200
    assert len(_texts(slack_api, USER)) >= 2
    assert _texts(slack_api, USER) == _texts(slack_api, CLEAN)


async def test_the_inbox_headers_are_never_taken_from_a_request(
    slack_api: SlackApiStandIn, storage: Storage
) -> None:
    """A forged row id and conversation neither clear another's row nor take its turn."""
    engine = Engine(storage=storage, coach=Coach())
    async with serve_workspace(api=slack_api, storage=storage, engine=engine) as ws:
        other = Engine(storage=storage, coach=Coach())  # another worker, at work on it
        waiting = ev.dm_message(CLEAN, "hello")
        stored = await other.inbox.accept(
            platform="slack",
            body=json.dumps(waiting),
            content_type="application/json",
            sender=inputs.sender(waiting),
        )
        assert stored.row_id is not None
        conversation = engine.inbox.conversation_of("slack", f"{waiting['team_id']}:{CLEAN}")
        forged = {"X-RC-Inbox": str(stored.row_id), "X-RC-Inbox-Conversation": conversation}
        assert await ws.send(ev.json_request(ev.dm_message(USER, "hello")), headers=forged) == 200
        assert len(_texts(slack_api, USER)) >= 2  # worked on as any request
        assert await _inbox_rows(storage) == 1  # the other worker's row is still there
        assert _texts(slack_api, CLEAN) == []
