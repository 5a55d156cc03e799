"""Two real ``serve`` worker processes on one PostgreSQL database.

Interleaved, concurrent and duplicated Telegram webhook updates for several
users go through both workers; every conversation must end exactly as it
does through a single worker (same stored case, same event log, same
messages), with the event log numbered 1..n without gaps or doubles.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage.db import create_engine
from tests.helpers.conversation_state import CaseSnapshot, conversation_state
from tests.helpers.processes import Worker
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.webhook_updates import TelegramUser, post_update
from tests.serve.conftest import WEBHOOK_SECRET, DatabaseFactory, WorkerFactory

pytestmark = pytest.mark.postgres

#: ("text", what the user types) or ("press", index of the button in the bot's latest keyboard).
Action = tuple[str, Any]

SCRIPT_EN: list[Action] = [
    ("text", "/start"),
    ("press", 0),  # I'm calm, let's go
    ("text", "Ana Novak"),  # the client (a person: no contact-person question)
    ("text", "A landing page"),  # what was delivered
    ("text", "It is not what we imagined"),  # what the client said
    ("press", 1),  # through an agency
    ("press", 0),  # only in writing
    ("press", 0),  # EUR
    ("text", "1 200"),  # price
    ("text", "400"),  # deposit
    ("press", 0),  # call arranged
    ("press", 0),  # the brief was understood differently
    ("text", "They wanted a darker palette"),
    ("press", 0),
]

SCRIPT_BG: list[Action] = [
    ("text", "/start"),
    ("press", 0),
    ("text", "Мария Петрова"),
    ("text", "Текстове за сайт"),
    ("press", 0),  # skip what the client said, or the first option
    ("press", 0),  # client directly
    ("press", 1),  # calls too
    ("press", 1),  # BGN
    ("text", "1 200,50 лв"),
    ("text", "-5"),  # rejected: negative
    ("text", "300"),
    ("press", 2),
    ("text", "/back"),
    ("press", 1),
]

USERS: list[tuple[int, str, list[Action]]] = [
    (710001, "en", SCRIPT_EN),
    (710002, "bg", SCRIPT_BG),
    (710003, "en", [*SCRIPT_EN[:9], ("text", "/back"), *SCRIPT_EN[8:12]]),
    (710004, "bg", [*SCRIPT_BG[:6], ("text", "/restart"), *SCRIPT_BG[:8]]),
]

Route = Callable[[int], Sequence[Worker]]

#: Free-text answers raced against each other in one case.
WORDS = ("Client", "Work", "Said")


def _raced(word: str, user_id: int) -> str:
    """A unique answer without digits (a digit makes a client's name look like a company's)."""
    return f"{word} {str(user_id).translate(str.maketrans('0123456789', 'abcdefghij'))}"


def _update_for(user: TelegramUser, action: Action, api: BotApiStandIn) -> dict[str, Any]:
    kind, value = action
    if kind == "text":
        return user.message(str(value))
    return user.press_latest(api, int(value))


async def _send(
    session: aiohttp.ClientSession, update: dict[str, Any], targets: Sequence[Worker]
) -> list[int]:
    return list(
        await asyncio.gather(
            *(post_update(session, w.url, update, secret=WEBHOOK_SECRET) for w in targets)
        )
    )


async def _run_user(
    session: aiohttp.ClientSession,
    *,
    user: TelegramUser,
    script: list[Action],
    api: BotApiStandIn,
    route: Route,
) -> int:
    """Play ``script`` step by step (each step waits for its answer); return extra sends."""
    extra = 0
    for step, action in enumerate(script):
        update = _update_for(user, action, api)
        targets = route(step)
        statuses = await _send(session, update, targets)
        assert statuses == [200] * len(targets), (user.user_id, step, statuses)
        extra += len(targets) - 1
    return extra


Transcript = dict[str, list[tuple[str, tuple[str, ...]]]]


def _transcript(api: BotApiStandIn, chat_id: int) -> Transcript:
    """What the user saw: the new messages in order, and the edits in order.

    After a press the channel edits the answered question and sends the next one
    at the same time (one round trip), so which of the two reaches the Bot API
    first is not part of the conversation; each sequence on its own is.
    """
    seen: Transcript = {"sendMessage": [], "editMessageText": []}
    for call in api.calls(chat_id=chat_id):
        if call.method in seen:
            seen[call.method].append((call.text, tuple(label for label, _ in call.buttons())))
    return seen


async def _snapshots(url: str) -> dict[int, list[CaseSnapshot]]:
    database = create_engine(url)
    try:
        return {
            uid: await conversation_state(database, platform="telegram", user_id=str(uid))
            for uid, _, _ in USERS
        }
    finally:
        await database.dispose()


async def _play_all(workers: Sequence[Worker], api: BotApiStandIn, *, chaos: bool) -> int:
    """Play every user's script concurrently; with ``chaos`` interleave and duplicate."""
    async with aiohttp.ClientSession() as session:

        def route_for(index: int) -> Route:
            def route(step: int) -> Sequence[Worker]:
                if not chaos:
                    return [workers[0]]
                first = workers[(index + step) % len(workers)]
                if step % 3 == 1:  # the same update delivered to both workers at once
                    return [first, *(w for w in workers if w is not first)]
                return [first]

            return route

        users = [TelegramUser(user_id=uid, language=lang) for uid, lang, _ in USERS]
        extras = await asyncio.gather(
            *(
                _run_user(session, user=user, script=script, api=api, route=route_for(i))
                for i, (user, (_, _, script)) in enumerate(zip(users, USERS, strict=True))
            )
        )
        extra = sum(extras)
        if chaos:
            # Late redeliveries of earlier updates, to the other worker: all no-ops.
            for index, user in enumerate(users):
                for update in user.sent[1::4]:
                    other = workers[(index + 1) % len(workers)]
                    assert await _send(session, update, [other]) == [200]
                    extra += 1
    return extra


def _updates_by_outcome(body: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(body):
        if family.name == "rejection_coach_inbox_duplicates":
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels.get("platform") == "telegram":
                    totals["inbox-duplicate"] = totals.get("inbox-duplicate", 0.0) + sample.value
        if family.name != "rejection_coach_updates":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels.get("platform") == "telegram":
                outcome = sample.labels["outcome"]
                totals[outcome] = totals.get(outcome, 0.0) + sample.value
    return totals


async def _metrics(workers: Sequence[Worker]) -> dict[str, float]:
    totals: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        for worker in workers:
            async with session.get(f"{worker.url}/metrics") as response:
                assert response.status == 200
                for outcome, value in _updates_by_outcome(await response.text()).items():
                    totals[outcome] = totals.get(outcome, 0.0) + value
    return totals


async def test_two_workers_end_exactly_like_one(
    new_database: DatabaseFactory, spawn: WorkerFactory
) -> None:
    from storage import upgrade

    # Reference: one worker, each user's updates once, in order.
    single_url = await new_database()
    await upgrade(single_url)
    single_api = BotApiStandIn()
    single_api.start()
    try:
        single = await spawn("single", database_url=single_url, api=single_api)
        await _play_all([single], single_api, chaos=False)
        expected_state = await _snapshots(single_url)
        expected_text = {uid: _transcript(single_api, uid) for uid, _, _ in USERS}
    finally:
        single_api.close()

    # The same conversations through two workers: interleaved, concurrent, duplicated.
    pair_url = await new_database()
    await upgrade(pair_url)
    pair_api = BotApiStandIn()
    pair_api.start()
    try:
        first, second = await asyncio.gather(
            spawn("first", database_url=pair_url, api=pair_api),
            spawn("second", database_url=pair_url, api=pair_api),
        )
        extra_sends = await _play_all([first, second], pair_api, chaos=True)
        state = await _snapshots(pair_url)
        text = {uid: _transcript(pair_api, uid) for uid, _, _ in USERS}
        totals = await _metrics([first, second])
    finally:
        pair_api.close()

    for uid, _, _ in USERS:
        assert state[uid], f"user {uid} has no case"
        for case in state[uid]:
            assert case.seqs == list(range(1, len(case.seqs) + 1)), (uid, case.seqs)
        assert state[uid] == expected_state[uid], f"user {uid}: stored state differs"
        assert text[uid] == expected_text[uid], f"user {uid}: what the user saw differs"

    distinct = sum(len(script) for _, _, script in USERS)
    # A duplicate delivery is acked by the inbox while the first is stored, or dropped by
    # the engine's processed-update ids once it was applied: each counted once.
    assert totals.get("duplicate", 0) + totals.get("inbox-duplicate", 0) == extra_sends
    assert totals.get("ok", 0) + totals.get("stale", 0) == distinct
    assert totals.get("error", 0) == 0 and totals.get("unavailable", 0) == 0


async def test_concurrent_answers_for_one_case_are_serialised(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    first, second = await asyncio.gather(
        spawn("first", database_url=migrated_pg_url, api=bot_api),
        spawn("second", database_url=migrated_pg_url, api=bot_api),
    )
    users = [TelegramUser(user_id=720000 + i) for i in range(8)]
    async with aiohttp.ClientSession() as session:
        for user in users:  # bring every user to the "client's name" question
            for action in SCRIPT_EN[:2]:
                assert await _send(session, _update_for(user, action, bot_api), [first]) == [200]

        async def race(user: TelegramUser) -> None:
            # Three different answers of one user reach the two workers at the same moment.
            answers = [user.message(_raced(word, user.user_id)) for word in WORDS]
            results = await asyncio.gather(
                *(
                    post_update(session, (first, second)[i % 2].url, a, secret=WEBHOOK_SECRET)
                    for i, a in enumerate(answers)
                )
            )
            assert list(results) == [200, 200, 200]

        await asyncio.gather(*(race(user) for user in users))

    database = create_engine(migrated_pg_url)
    try:
        for user in users:
            cases = await conversation_state(
                database, platform="telegram", user_id=str(user.user_id)
            )
            assert len(cases) == 1
            case = cases[0]
            answers = case.state["answers"]
            # Every answer kept, each applied once, in one of the possible orders.
            given = {answers["client_name"], answers["delivery"], answers["client_said"]}
            assert given == {_raced(word, user.user_id) for word in WORDS}
            assert case.step == "intermediary"
            assert case.seqs == list(range(1, len(case.seqs) + 1))
    finally:
        await database.dispose()


async def test_wrong_secret_is_refused_and_nothing_stored(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn("only", database_url=migrated_pg_url, api=bot_api)
    user = TelegramUser(user_id=730001)
    async with aiohttp.ClientSession() as session:
        update = user.message("/start")
        assert await post_update(session, worker.url, update, secret="wrong") == 403
        assert await post_update(session, worker.url, update, secret=None) == 403
    database = create_engine(migrated_pg_url)
    try:
        assert await conversation_state(database, platform="telegram", user_id="730001") == []
    finally:
        await database.dispose()
    assert bot_api.calls("sendMessage", chat_id=730001) == []
