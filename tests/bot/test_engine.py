"""The engine with the real coach, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.engine import Engine, IncomingMessage
from flows.case import Case, CaseStatus, Step
from flows.coach import Coach
from flows.io import (
    ChoiceInput,
    CommandInput,
    ConversationKey,
    Draft,
    DraftKind,
    FlowResult,
    Reply,
    TextInput,
    UserContext,
    UserInput,
)
from storage import Storage, upgrade
from tests.helpers.engine_helpers import (
    BULGARIAN_PATH,
    ENGLISH_PATH,
    Conversation,
    Script,
    message,
    press,
)
from tests.helpers.storage_helpers import count_user_rows, sqlite_url, table_row_counts
from tests.helpers.tcp_proxy import TcpProxy

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1001")


@pytest.fixture
async def engine(storage: Storage) -> Engine:
    """An engine with the real coach on a migrated fresh database."""
    return Engine(storage=storage, coach=Coach())


async def _user_id(storage: Storage, key: ConversationKey = ALICE) -> int:
    user = await storage.find_user(key)
    assert user is not None
    return user.id


async def _at_client_name(engine: Engine, storage: Storage) -> Conversation:
    conversation = Conversation(key=ALICE, script=ENGLISH_PATH)
    await conversation.start(engine)
    await conversation.step(engine, storage)  # calm → client name
    case = await conversation.active_case(storage)
    assert case is not None and case.step is Step.CLIENT_NAME
    return conversation


# --------------------------------------------------------------------- restart


async def _run(script: Script, url: str, *, restart_every_message: bool) -> Conversation:
    """Run ``script`` to the end; optionally with a new Storage + Engine for every message."""
    conversation = Conversation(key=ALICE, script=script)
    storage = Storage(url)
    engine = Engine(storage=storage, coach=Coach())
    try:
        await conversation.start(engine)
        while True:
            if restart_every_message:
                before = await conversation.active_case(storage)
                await storage.dispose()
                storage = Storage(url)  # a new process: nothing kept in memory
                engine = Engine(storage=storage, coach=Coach())
                resumed = await conversation.active_case(storage)
                assert resumed == before  # same step, every answer, same version
            if not await conversation.step(engine, storage):
                break
        user_id = await _user_id(storage)
        async with storage.transaction(readonly=True) as tx:
            done = await tx.latest_case(user_id=user_id)
        assert done is not None
        assert (done.step, done.status) == (Step.DONE, CaseStatus.DONE)
    finally:
        await storage.dispose()
    return conversation


@pytest.mark.parametrize("script", [BULGARIAN_PATH, ENGLISH_PATH], ids=["bg", "en"])
async def test_restart_at_every_step_resumes_with_every_answer(
    script: Script, database_url: str
) -> None:
    server = make_url(database_url)
    if server.get_backend_name() == "sqlite":
        base = Path(server.database or "")
        once_url = sqlite_url(base.with_name("once.db"))
        restarted_url = sqlite_url(base.with_name("restarted.db"))
    else:
        # One fresh PostgreSQL database is enough: two users keep the runs apart.
        once_url = restarted_url = database_url
    await upgrade(once_url)
    await upgrade(restarted_url)

    once = await _run(script, once_url, restart_every_message=False)
    if once_url == restarted_url:
        await _delete_everything(restarted_url)
    restarted = await _run(script, restarted_url, restart_every_message=True)

    assert restarted.observations == once.observations
    assert len(restarted.observations) >= 18


async def _delete_everything(url: str) -> None:
    storage = Storage(url)
    try:
        user = await storage.find_user(ALICE)
        assert user is not None
        async with storage.transaction() as tx:
            await tx.delete_user(user_id=user.id)
    finally:
        await storage.dispose()


def test_the_two_scripts_visit_every_stored_step() -> None:
    visited = set(BULGARIAN_PATH.actions) | set(ENGLISH_PATH.actions)
    # A new case starts at CALM; DONE is checked on the closed case above.
    assert visited | {Step.DONE} == set(Step)


# ------------------------------------------------------------------ duplicates


async def test_a_duplicate_update_is_processed_once(engine: Engine, storage: Storage) -> None:
    conversation = await _at_client_name(engine, storage)
    answer = message(ALICE, TextInput(text="Ana Novak"), update_id="777")

    first = await engine.handle(answer)
    second = await engine.handle(answer)

    assert not first.duplicate and first.outgoing
    assert second.duplicate and second.outgoing == []
    case = await conversation.active_case(storage)
    assert case is not None
    assert case.step is Step.DELIVERY
    assert case.answers.client_name == "Ana Novak"
    assert case.answers.delivery is None  # the redelivery was not taken as the next answer
    async with storage.transaction(readonly=True) as tx:
        events = await tx.list_events(case_id=case.id)
    assert [e.kind for e in events].count("text") == 1


async def test_concurrent_redeliveries_are_processed_once(
    migrated_url: str, storage: Storage, engine: Engine
) -> None:
    await _at_client_name(engine, storage)
    others = [Storage(migrated_url) for _ in range(3)]
    try:
        engines = [Engine(storage=s, coach=Coach()) for s in others]
        answer = message(ALICE, TextInput(text="Ana Novak"), update_id="redelivered")
        results = await asyncio.gather(*(e.handle(answer) for e in engines))
    finally:
        for other in others:
            await other.dispose()

    assert sorted(r.duplicate for r in results) == [False, True, True]
    user_id = await _user_id(storage)
    async with storage.transaction(readonly=True) as tx:
        case = await tx.load_active_case(user_id=user_id)
    assert case is not None
    assert (case.step, case.answers.client_name, case.answers.delivery) == (
        Step.DELIVERY,
        "Ana Novak",
        None,
    )


async def test_a_duplicate_after_delete_does_not_recreate_the_user(
    engine: Engine, storage: Storage
) -> None:
    await engine.handle(message(ALICE, CommandInput(name="start")))
    asked = await engine.handle(message(ALICE, CommandInput(name="delete")))
    confirm = message(ALICE, press(asked.outgoing, "del.yes"), update_id="confirm")

    await engine.handle(confirm)
    again = await engine.handle(confirm)

    assert again.duplicate
    assert await storage.find_user(ALICE) is None


# ----------------------------------------------------------------- concurrency


async def test_concurrent_answers_for_one_case_are_all_kept(
    migrated_url: str, storage: Storage, engine: Engine
) -> None:
    await _at_client_name(engine, storage)
    answers = ["Ana Novak", "A landing page", "Not what we imagined"]
    others = [Storage(migrated_url) for _ in answers]
    try:
        engines = [Engine(storage=s, coach=Coach()) for s in others]
        results = await asyncio.gather(
            *(
                e.handle(message(ALICE, TextInput(text=text)))
                for e, text in zip(engines, answers, strict=True)
            )
        )
    finally:
        for other in others:
            await other.dispose()

    assert not any(r.unavailable or r.duplicate for r in results)
    user_id = await _user_id(storage)
    async with storage.transaction(readonly=True) as tx:
        case = await tx.load_active_case(user_id=user_id)
    assert case is not None
    assert case.step is Step.INTERMEDIARY
    stored = [case.answers.client_name, case.answers.delivery, case.answers.client_said]
    assert sorted(a for a in stored if a) == sorted(answers)  # none lost, none doubled
    async with storage.transaction(readonly=True) as tx:
        events = await tx.list_events(case_id=case.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.to_step for e in events[-3:]] == ["delivery", "client_said", "intermediary"]


class _InterruptingCoach(Coach):
    """The real coach; on its first call another worker answers first, in another thread."""

    def __init__(self, *, url: str, interruption: IncomingMessage) -> None:
        super().__init__()
        self.calls = 0
        self._url = url
        self._interruption = interruption

    def handle(self, user: UserContext, user_input: UserInput) -> FlowResult:
        self.calls += 1
        if self.calls == 1:
            thread = threading.Thread(target=asyncio.run, args=(self._other_worker(),))
            thread.start()
            thread.join()
        return super().handle(user, user_input)

    async def _other_worker(self) -> None:
        storage = Storage(self._url)
        try:
            result = await Engine(storage=storage, coach=Coach()).handle(self._interruption)
            assert not result.unavailable
        finally:
            await storage.dispose()


async def test_a_version_conflict_reruns_the_coach_on_fresh_state(
    migrated_url: str, storage: Storage, engine: Engine
) -> None:
    await _at_client_name(engine, storage)
    coach = _InterruptingCoach(
        url=migrated_url, interruption=message(ALICE, TextInput(text="Ana Novak"))
    )
    interrupted = Engine(storage=storage, coach=coach)

    result = await interrupted.handle(message(ALICE, TextInput(text="A landing page")))

    assert coach.calls == 2  # conflict → reload → the coach ran again
    assert not result.unavailable
    user_id = await _user_id(storage)
    async with storage.transaction(readonly=True) as tx:
        case = await tx.load_active_case(user_id=user_id)
    assert case is not None
    assert (case.step, case.answers.client_name, case.answers.delivery) == (
        Step.CLIENT_SAID,
        "Ana Novak",
        "A landing page",
    )


# --------------------------------------------------------------- database down


def _unavailable_text(language: str) -> str:
    reply = Coach().unavailable(language=language)[0]
    assert isinstance(reply, Reply)
    return reply.text


async def test_sqlite_locked_gives_unavailable_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    url = sqlite_url(path)
    await upgrade(url)
    storage = Storage(url, busy_timeout_ms=50)
    engine = Engine(storage=storage, coach=Coach())
    try:
        conversation = await _at_client_name(engine, storage)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            answer = message(ALICE, TextInput(text="Ana Novak"), update_id="during-outage")
            down = await engine.handle(answer)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()

        assert down.unavailable
        assert [o.text for o in down.outgoing] == [_unavailable_text("en")]
        # The failed update was not marked processed: its redelivery now goes through.
        up = await engine.handle(answer)
        assert not up.unavailable and not up.duplicate
        case = await conversation.active_case(storage)
        assert case is not None
        assert (case.step, case.answers.client_name) == (Step.DELIVERY, "Ana Novak")
    finally:
        await storage.dispose()


async def test_missing_database_directory_then_created(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "not-yet" / "coach.db")
    storage = Storage(url)
    engine = Engine(storage=storage, coach=Coach())
    try:
        down = await engine.handle(
            message(ALICE, CommandInput(name="start"), platform_language="bg")
        )
        assert down.unavailable and down.language == "bg"
        assert [o.text for o in down.outgoing] == [_unavailable_text("bg")]

        (tmp_path / "not-yet").mkdir()
        await upgrade(url)
        up = await engine.handle(message(ALICE, CommandInput(name="start"), platform_language="bg"))
        assert not up.unavailable
        assert up.language == "bg"
        assert await storage.find_user(ALICE) is not None
    finally:
        await storage.dispose()


@pytest.fixture
async def postgres_proxy(database_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    """The test database reached through a proxy that can cut the connection."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("cutting the network applies to PostgreSQL; SQLite is tested with a lock")
    proxy = TcpProxy(target_host=url.host or "127.0.0.1", target_port=url.port or 5432)
    proxy.start()
    try:
        yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy
    finally:
        proxy.close()


async def test_postgres_cut_gives_unavailable_and_recovers(
    postgres_proxy: tuple[str, TcpProxy],
) -> None:
    url, proxy = postgres_proxy
    await upgrade(url)
    storage = Storage(url, connect_args={"timeout": 2})
    engine = Engine(storage=storage, coach=Coach())
    try:
        conversation = await _at_client_name(engine, storage)
        proxy.sever()
        answer = message(ALICE, TextInput(text="Ana Novak"), update_id="during-outage")
        down = await engine.handle(answer)
        proxy.restore()
        up = await engine.handle(answer)

        assert down.unavailable
        assert [o.text for o in down.outgoing] == [_unavailable_text("en")]
        assert not up.unavailable and not up.duplicate
        case = await conversation.active_case(storage)
        assert case is not None
        assert (case.step, case.answers.client_name) == (Step.DELIVERY, "Ana Novak")
    finally:
        await storage.dispose()


# ------------------------------------------------------------------- /delete


async def test_delete_leaves_nothing_of_the_user(engine: Engine, storage: Storage) -> None:
    bob = ConversationKey(platform="slack", workspace="T1", user_id="U2")
    finished = Conversation(key=ALICE, script=ENGLISH_PATH)
    await finished.start(engine)
    while await finished.step(engine, storage):
        pass
    cooling = Conversation(key=ALICE, script=BULGARIAN_PATH)
    await cooling.start(engine)
    await cooling.step(engine, storage)  # upset
    await cooling.step(engine, storage)  # remind me in 15 minutes
    await engine.handle(message(ALICE, CommandInput(name="lang", args="bg")))
    await engine.handle(message(ALICE, CommandInput(name="signature", args="Alice A.")))
    await engine.handle(message(bob, CommandInput(name="start")))
    alice = await _user_id(storage)
    found = await storage.find_user(ALICE)
    assert found is not None and found.signature == "Alice A."
    # The cool-down of the current case, and the finished case's "How did it go?"
    # (issue 15); its call follow-up went with the call.
    assert (await count_user_rows(storage, user_id=alice))["reminders"] == 2
    assert (await count_user_rows(storage, user_id=alice))["drafts"] >= 2

    asked = await engine.handle(message(ALICE, CommandInput(name="delete")))
    done = await engine.handle(message(ALICE, press(asked.outgoing, "del.yes")))

    after_delete = Coach().after_delete(language=done.language)
    assert done.outgoing[-len(after_delete) :] == after_delete
    assert set((await count_user_rows(storage, user_id=alice)).values()) == {0}
    assert await storage.find_user(ALICE) is None
    counts = await table_row_counts(storage)
    bob_id = await _user_id(storage, bob)
    assert counts["users"] == 1
    assert counts["cases"] == (await count_user_rows(storage, user_id=bob_id))["cases"]


# ------------------------------------------------------ language, effects, drafts


async def test_the_signature_is_stored_loaded_and_signs_the_next_reply(
    engine: Engine, storage: Storage
) -> None:
    await engine.handle(message(ALICE, CommandInput(name="start")))
    await engine.handle(message(ALICE, CommandInput(name="signature", args=" Maria \n Petrova ")))
    found = await storage.find_user(ALICE)
    assert found is not None and found.signature == "Maria Petrova"
    # A new engine (a restarted process) loads it and ends the reply with it.
    conversation = Conversation(key=ALICE, script=ENGLISH_PATH)
    fresh = Engine(storage=storage, coach=Coach())
    await fresh.handle(message(ALICE, CommandInput(name="restart")))
    conversation.last = []
    await conversation.start(fresh)
    replies: list[Draft] = []
    while await conversation.step(fresh, storage):
        replies += [
            o for o in conversation.last if isinstance(o, Draft) and o.kind is DraftKind.REPLY
        ]
    assert replies and all(d.text.endswith("\nMaria Petrova") for d in replies)
    async with storage.transaction(readonly=True) as tx:
        user = await tx.get_user(found.id)
    assert user is not None and user.signature == "Maria Petrova"


async def test_language_comes_from_the_platform_until_chosen(
    engine: Engine, storage: Storage
) -> None:
    greeting = await engine.handle(
        message(ALICE, CommandInput(name="start"), platform_language="bg-BG")
    )
    assert greeting.language == "bg"
    assert await engine.language_of(ALICE) == "bg"  # remembered for reminders

    switched = await engine.handle(
        message(ALICE, CommandInput(name="lang", args="en"), platform_language="bg-BG")
    )
    later = await engine.handle(
        message(ALICE, CommandInput(name="help"), platform_language="bg-BG")
    )

    assert switched.language == "en"
    assert later.language == "en"
    assert await engine.language_of(ALICE) == "en"
    user = await storage.find_user(ALICE)
    assert user is not None and user.language == "en"


async def test_language_of_an_unknown_user_is_the_default(storage: Storage) -> None:
    engine = Engine(storage=storage, coach=Coach(), default_language="bg")
    assert await engine.language_of(ALICE) == "bg"


async def test_history_export_and_drafts(engine: Engine, storage: Storage) -> None:
    conversation = Conversation(key=ALICE, script=ENGLISH_PATH)
    await conversation.start(engine)
    while await conversation.step(engine, storage):
        pass

    history = await engine.handle(message(ALICE, CommandInput(name="cases")))
    export = await engine.handle(message(ALICE, CommandInput(name="export")))
    drafts = await engine.latest_drafts(ALICE, limit=50)

    assert "Acme Ltd" in "\n".join(o.text for o in history.outgoing)
    exported = [o for o in export.outgoing if isinstance(o, Draft)]
    assert [d.kind for d in exported] == [DraftKind.EXPORT]
    assert "Acme Ltd" in exported[0].text
    assert drafts[0] == exported[0]  # newest first
    assert {d.kind for d in drafts} >= {DraftKind.REPLY, DraftKind.CONTRACT_CLAUSE}
    assert (
        await engine.latest_drafts(
            ConversationKey(platform="telegram", workspace="", user_id="nobody")
        )
        == []
    )


async def test_event_log_holds_steps_and_kinds_never_text(engine: Engine, storage: Storage) -> None:
    conversation = Conversation(key=ALICE, script=BULGARIAN_PATH)
    await conversation.start(engine)
    while await conversation.step(engine, storage):
        pass
    user_id = await _user_id(storage)
    async with storage.transaction(readonly=True) as tx:
        case = await tx.latest_case(user_id=user_id)
        assert case is not None

        events = await tx.list_events(case_id=case.id)

    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].from_step is None and events[0].kind == "command:start"
    assert events[-1].to_step == Step.DONE.value
    assert {e.kind for e in events} <= {"command:start", "text", "choice"}
    for earlier, later in itertools.pairwise(events):
        assert later.from_step == earlier.to_step  # no gaps in the story


async def test_a_stale_button_changes_nothing(engine: Engine, storage: Storage) -> None:
    conversation = Conversation(key=ALICE, script=ENGLISH_PATH)
    first = await conversation.start(engine)
    await conversation.step(engine, storage)  # calm → client name
    before = await conversation.active_case(storage)

    stale = await engine.handle(message(ALICE, press(first.outgoing, "upset")))
    forged = await engine.handle(message(ALICE, ChoiceInput(data="rc:deadbeef:1:calm")))

    assert stale.choice is not None and stale.choice.value == "stale"
    assert forged.choice is not None and forged.choice.value == "stale"
    assert await conversation.active_case(storage) == before


async def test_first_message_of_a_new_user_opens_one_case(engine: Engine, storage: Storage) -> None:
    result = await engine.handle(message(ALICE, TextInput(text="hello"), platform_language="en"))

    assert result.outgoing and not result.unavailable
    user_id = await _user_id(storage)
    async with storage.transaction(readonly=True) as tx:
        cases = await tx.list_cases(user_id=user_id)
    assert [(c.step, c.status) for c in cases] == [(Step.CALM, CaseStatus.ACTIVE)]
    assert isinstance(cases[0], Case)


# ------------------------------------------------------------------ a bug in the flow


class _BrokenCoach(Coach):
    """The real coach, except that one input makes it raise (a bug stand-in)."""

    def handle(self, user: UserContext, user_input: UserInput) -> FlowResult:
        if isinstance(user_input, TextInput) and user_input.text == "boom":
            raise RuntimeError("the user typed boom")
        return super().handle(user, user_input)


async def test_a_coach_failure_answers_keeps_state_and_logs_no_text(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(storage=storage, coach=_BrokenCoach())
    conversation = await _at_client_name(engine, storage)
    before = await conversation.active_case(storage)

    with caplog.at_level(logging.DEBUG, logger="bot.engine"):
        failed = await engine.handle(message(ALICE, TextInput(text="boom"), update_id="900"))

    assert failed.outgoing == Coach().unavailable(language="en")
    assert not failed.duplicate
    assert await conversation.active_case(storage) == before  # nothing changed
    assert "RuntimeError" in caplog.text
    assert "boom" not in caplog.text  # the exception text may quote the user

    # The update was not marked processed: a redelivery (here fixed) goes through.
    retried = await engine.handle(message(ALICE, TextInput(text="Acme"), update_id="900"))
    assert not retried.duplicate
    case = await conversation.active_case(storage)
    assert case is not None and case.answers.client_name == "Acme"
    assert case.step is Step.DELIVERY
