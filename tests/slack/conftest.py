"""A Slack workspace in a test: the Web API stand-in, the real bolt app over HTTP, a real engine.

``workspace`` starts the Slack Web API stand-in on 127.0.0.1, the real
:class:`~bot.channels.slack.SlackChannel` (bolt ``AsyncApp``) served by aiohttp on a
loopback port, and the real engine on a fresh SQLite database. Tests POST
signed requests as Slack would and look at the Web API calls the app made.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.slack import EVENTS_PATH
from bot.channels.slack.channel import SlackChannel
from bot.engine import Engine
from bot.reminders import ReminderScheduler
from flows.case import Case
from flows.coach import Coach
from flows.io import ConversationKey
from storage import Storage, upgrade
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    TEAM_ID,
    SlackApiStandIn,
    StoredMessage,
    dm_channel,
)
from tests.helpers.storage_helpers import sqlite_url, table_row_counts
from tests.slack.blockkit import check_home_view, check_message_blocks


@dataclass(frozen=True, slots=True)
class PressableButton:
    """A button found in one of the bot's messages."""

    message: StoredMessage
    action_id: str
    block_id: str
    label: str
    value: str


def buttons_of(message: StoredMessage) -> list[PressableButton]:
    """Every button of a posted message, in order."""
    found: list[PressableButton] = []
    for block in message.blocks:
        if block.get("type") != "actions":
            continue
        for element in block["elements"]:
            found.append(
                PressableButton(
                    message=message,
                    action_id=element["action_id"],
                    block_id=block.get("block_id", ""),
                    label=element["text"]["text"],
                    value=element["value"],
                )
            )
    return found


def token_of(value: str) -> str:
    """The choice token at the end of the coach's button data ``rc:<case>:<turn>:<token>``."""
    return value.rsplit(":", 1)[-1]


@dataclass
class Workspace:
    """The running app and its stand-in; helpers to act as a Slack user."""

    api: SlackApiStandIn
    adapter: SlackChannel
    engine: Engine
    storage: Storage
    url: str
    session: aiohttp.ClientSession
    reminders: ReminderScheduler

    async def send(
        self, request: ev.SignedRequest, *, headers: dict[str, str] | None = None
    ) -> int:
        """POST a signed request to /slack/events; wait for the work after the ack."""
        merged = {**request.headers, **(headers or {})}
        async with self.session.post(self.url, data=request.body.encode(), headers=merged) as resp:
            await resp.read()
            status = resp.status
        await self.settle()
        return status

    async def settle(self) -> None:
        """Wait until the app finished the work of every acknowledged request."""
        for _ in range(3):
            await asyncio.sleep(0)
        await self.adapter.drain(timeout=20.0)

    async def say(self, user: str, text: str, **kwargs: Any) -> int:
        """``user`` writes ``text`` in their DM with the app."""
        return await self.send(ev.json_request(ev.dm_message(user, text, **kwargs)))

    async def command(self, user: str, text: str = "", **kwargs: Any) -> int:
        """``user`` types ``/coach <text>``."""
        kwargs.setdefault("response_url", self.api.response_url())
        return await self.send(ev.slash_command(user, text, **kwargs))

    async def press(self, user: str, token: str) -> PressableButton:
        """Press the button with choice ``token`` in the bot's latest message that offers it."""
        for message in reversed(self.dm(user)):
            for button in buttons_of(message):
                if token_of(button.value) == token:
                    await self.press_button(user, button)
                    return button
        offered = [token_of(b.value) for m in self.dm(user) for b in buttons_of(m)]
        raise AssertionError(f"no button {token!r} offered; latest buttons: {offered[-8:]}")

    async def press_button(self, user: str, button: PressableButton, **kwargs: Any) -> int:
        """Press one button as Slack sends it (block_actions, form-encoded payload)."""
        return await self.send(
            ev.block_action(
                user,
                button.message,
                action_id=button.action_id,
                block_id=button.block_id,
                value=button.value,
                **kwargs,
            )
        )

    def dm(self, user: str) -> list[StoredMessage]:
        """The bot's messages in its DM with ``user``, oldest first."""
        return self.api.posted(dm_channel(user))

    def texts(self, user: str) -> list[str]:
        """The mrkdwn of every section of every message to ``user``, in order."""
        return [
            block["text"]["text"]
            for message in self.dm(user)
            for block in message.blocks
            if block.get("type") == "section"
        ]

    def offered_tokens(self, user: str) -> list[str]:
        """Choice tokens of the latest message to ``user`` that has buttons."""
        for message in reversed(self.dm(user)):
            found = buttons_of(message)
            if found:
                return [token_of(b.value) for b in found]
        return []

    def key(self, user: str) -> ConversationKey:
        """The conversation key of a user of the test workspace."""
        return ConversationKey("slack", TEAM_ID, user)

    async def case(self, user: str) -> Case | None:
        """The user's active case, straight from the database."""
        return await self.engine.active_case(self.key(user))

    async def rows(self) -> dict[str, int]:
        """Row counts of every table (to show that nothing was stored)."""
        return await table_row_counts(self.storage)

    def check_every_block(self) -> None:
        """Validate every message and App Home the app produced with slack_sdk's models."""
        for call in self.api.calls:
            if call.method in ("chat.postMessage", "chat.update"):
                check_message_blocks(call.args["blocks"])
                assert call.args.get("text"), "every message needs a plain-text fallback"
            if call.method == "views.publish":
                check_home_view(call.args["view"])


class FakeClock:
    """The engine's clock: real time plus whatever a test added (reminders fall due)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move time forward by ``delta``."""
        self.offset += delta


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test can move forward."""
    return FakeClock()


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackApiStandIn]:
    """The Slack Web API stand-in on 127.0.0.1."""
    api = SlackApiStandIn()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def coach_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A migrated SQLite database in the test's temporary directory."""
    url = sqlite_url(tmp_path / "slack.db")
    await upgrade(url)
    store = Storage(url)
    try:
        yield store
    finally:
        await store.dispose()


@contextlib.asynccontextmanager
async def serve_workspace(
    *, api: SlackApiStandIn, storage: Storage, engine: Engine, reminder_interval: float = 5.0
) -> AsyncIterator[Workspace]:
    """Serve a real SlackChannel for ``engine`` in HTTP mode on a loopback port.

    The per-channel send pace (about one post a second, issue 13) is off here: these
    tests answer every step at once, no person does; ``tests/storage/test_pacing.py``
    tests the pace.
    """
    engine.outbox.pacer.target_rates.pop("slack", None)
    adapter = SlackChannel(
        engine=engine,
        token=BOT_TOKEN,
        signing_secret=ev.SIGNING_SECRET,
        api_url=api.base_url,
    )
    reminders = ReminderScheduler(
        engine=engine, platform=adapter.name, send=adapter.deliver, interval=reminder_interval
    )
    await adapter.start()
    app = web.Application()
    app.add_routes(adapter.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    session = aiohttp.ClientSession()
    try:
        yield Workspace(
            api=api,
            adapter=adapter,
            engine=engine,
            storage=storage,
            url=f"http://127.0.0.1:{port}{EVENTS_PATH}",
            session=session,
            reminders=reminders,
        )
    finally:
        await reminders.stop()
        await session.close()
        await adapter.stop()
        await runner.cleanup()


@contextlib.asynccontextmanager
async def socket_mode_channel(
    api: SlackApiStandIn, engine: Engine
) -> AsyncIterator[tuple[SlackChannel, asyncio.Task[None]]]:
    """A started Socket Mode channel (no signing secret) connected to the stand-in.

    Several may be connected at once (workers): each is the stand-in's latest socket
    when it is yielded (``api.sockets[-1]``).
    """
    engine.outbox.pacer.target_rates.pop("slack", None)  # no person answers this fast
    channel = SlackChannel(
        engine=engine,
        token=BOT_TOKEN,
        signing_secret="",
        api_url=api.base_url,
        app_token=APP_TOKEN,
    )
    connected = len(api.sockets)
    await channel.start()
    task = asyncio.create_task(channel.run())
    try:
        await api.wait_for(lambda a: len(a.sockets) > connected, timeout=30)
        yield channel, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await channel.stop()


@pytest.fixture
async def workspace(
    slack_api: SlackApiStandIn, coach_storage: Storage, clock: FakeClock
) -> AsyncIterator[Workspace]:
    """The real Slack app in HTTP mode on a loopback port, with the real engine."""
    engine = Engine(storage=coach_storage, coach=Coach(), clock=clock)
    async with serve_workspace(
        api=slack_api, storage=coach_storage, engine=engine, reminder_interval=0.05
    ) as ws:
        yield ws
