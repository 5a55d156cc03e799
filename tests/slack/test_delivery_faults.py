"""Faults on the reply's ``chat.postMessage`` (issue 13): every reply arrives, in order, once.

The Web API stand-in answers chosen posts with an HTTP 500 or 502 (a non-JSON body),
a 429, or holds one past the client's timeout. The DM the user sees at the end (every
message's sections and buttons) must equal what a clean run produces.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from flows.case import Step
from tests.helpers.standins.slack import SlackApiStandIn, dm_channel
from tests.slack.conftest import Workspace, buttons_of
from tests.slack.drive import ENGLISH

Fault = Callable[[SlackApiStandIn], None]
POST = "chat.postMessage"


@pytest.fixture
async def delivering(workspace: Workspace) -> AsyncIterator[Workspace]:
    """The workspace with the outbox's delivery loop running (quick retries)."""
    outbox = workspace.engine.outbox
    outbox.retry_base = 0.05
    outbox.poll_interval = 0.05
    workspace.adapter.client.timeout = 1  # seconds: a held post times out quickly
    task = asyncio.create_task(outbox.run())
    try:
        yield workspace
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _settled(workspace: Workspace, *, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            stats = await workspace.engine.outbox.stats()
            if stats is not None and stats.pending == 0:
                await workspace.settle()
                return
            await asyncio.sleep(0.02)


def _transcript(workspace: Workspace, user: str) -> list[tuple[list[str], list[str]]]:
    return [
        (
            [b["text"]["text"] for b in message.blocks if b.get("type") == "section"],
            [button.label for button in buttons_of(message)],
        )
        for message in workspace.dm(user)
    ]


async def _play(
    workspace: Workspace, user: str, *, faults: dict[int, Fault], until: Step = Step.PRICE
) -> list[tuple[list[str], list[str]]]:
    """Talk from the first DM to ``until``; before action ``i`` apply ``faults[i]``."""
    if 0 in faults:
        faults[0](workspace.api)
    assert await workspace.say(user, "hi") == 200
    await _settled(workspace)
    for index in range(1, 40):
        case = await workspace.case(user)
        assert case is not None
        if case.step is until:
            return _transcript(workspace, user)
        if index in faults:
            faults[index](workspace.api)
        kind, what = ENGLISH[case.step]
        if kind == "press":
            await workspace.press(user, what)
        else:
            assert await workspace.say(user, what) == 200
        await _settled(workspace)
    raise AssertionError("the conversation did not get there")


FAULTS: dict[str, dict[int, Fault]] = {
    "500": {
        0: lambda api: api.fail_next(POST, status=500, times=2),
        3: lambda api: api.fail_next(POST, status=500),
    },
    "502": {
        1: lambda api: api.fail_next(POST, status=502),
        4: lambda api: api.fail_next(POST, status=502, times=3),
    },
    "429": {2: lambda api: api.rate_limited.__setitem__(POST, 3)},
    "timeout": {2: lambda api: api.fail_next(POST, status=500, delay=2.0)},
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_every_reply_arrives_in_order_exactly_as_without_the_fault(
    delivering: Workspace, fault: str
) -> None:
    workspace = delivering
    clean = await _play(workspace, "U0CLEAN", faults={})
    faulty = await _play(workspace, "U0FAULTY", faults=FAULTS[fault])

    assert len(clean) >= 6
    assert faulty == clean
    assert any(c.args.get("_injected") for c in workspace.api.calls) or fault == "429"
    stats = await workspace.engine.outbox.stats()
    assert stats is not None and (stats.pending, stats.failed) == (0, 0)


async def test_a_channel_that_is_gone_is_given_up_and_the_next_reply_still_goes(
    delivering: Workspace,
) -> None:
    workspace = delivering
    workspace.api.gone.add(dm_channel("U0GONE"))
    assert await workspace.say("U0GONE", "hi") == 200
    await _settled(workspace)
    stats = await workspace.engine.outbox.stats()
    assert stats is not None and (stats.pending, stats.failed) == (0, 1)
    assert workspace.dm("U0GONE") == []

    workspace.api.gone.clear()  # the next reply is not held back by the failed one
    assert await workspace.say("U0GONE", "hi again") == 200
    await _settled(workspace)
    assert workspace.dm("U0GONE")
