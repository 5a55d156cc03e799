"""/cases reopens a cancelled case through the engine, on SQLite and PostgreSQL (issue 12)."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import Engine, EngineResult
from flows import callback
from flows.case import Case, CaseStatus, Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import ChoiceInput, ChoiceOutcome, CommandInput, ConversationKey, Reply, TextInput
from flows.reopen import REOPEN
from storage import Storage
from tests.helpers.engine_helpers import FakeClock, message, press

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1001")
MALLORY = ConversationKey(platform="telegram", workspace="", user_id="666")


async def _say(engine: Engine, key: ConversationKey, text: str) -> EngineResult:
    return await engine.handle(message(key, TextInput(text=text), platform_language="en"))


async def _command(engine: Engine, key: ConversationKey, name: str) -> EngineResult:
    return await engine.handle(message(key, CommandInput(name=name), platform_language="en"))


async def _cases(storage: Storage, key: ConversationKey) -> dict[str, Case]:
    user = await storage.find_user(key)
    assert user is not None
    async with storage.transaction(readonly=True) as tx:
        return {case.id: case for case in await tx.list_cases(user_id=user.id)}


async def _to_client_name(engine: Engine, key: ConversationKey, client: str) -> EngineResult:
    """A new case up to the contact-person question (the client named)."""
    started = await _say(engine, key, "hello")
    await engine.handle(message(key, press(started.outgoing, "calm"), platform_language="en"))
    return await _say(engine, key, client)


async def test_a_reopen_press_swaps_the_active_case_and_keeps_both(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _to_client_name(engine, ALICE, "Acme Ltd")
    await _command(engine, ALICE, "cancel")
    (first,) = (await _cases(storage, ALICE)).values()
    assert first.status is CaseStatus.CANCELLED

    # The second case waits in the cool-down with a reminder: it must go when it closes.
    started = await _say(engine, ALICE, "hello")
    upset = await engine.handle(message(ALICE, press(started.outgoing, "upset")))
    await engine.handle(message(ALICE, press(upset.outgoing, "r15")))
    second = next(c for c in (await _cases(storage, ALICE)).values() if c.id != first.id)
    assert second.step is Step.COOL_DOWN
    history = await _command(engine, ALICE, "cases")
    listed = [o for o in history.outgoing if isinstance(o, Reply) and o.title]
    assert listed and "Acme Ltd" in listed[0].text

    result = await engine.handle(message(ALICE, press(history.outgoing, REOPEN)))

    assert result.choice is ChoiceOutcome.ACCEPTED
    text = "\n\n".join(o.text for o in result.outgoing if isinstance(o, Reply))
    assert t("en", "coach-reopened-named", client="Acme Ltd") in text
    assert t("en", "coach-reopen-previous-cancelled") in text
    stored = await _cases(storage, ALICE)
    assert stored[first.id].status is CaseStatus.ACTIVE
    assert stored[first.id].step is first.step
    assert stored[first.id].answers.to_dict() == first.answers.to_dict()
    assert stored[first.id].version == first.version + 1  # saved with its version check
    assert stored[second.id].status is CaseStatus.CANCELLED
    async with storage.transaction() as tx:  # its reminder went with it (not just unshown)
        later = clock.now + timedelta(hours=1)
        assert await tx.claim_due_reminders(platform="telegram", now=later) == []

    # The reopened case's story goes on from where it was (no gap in the event log).
    async with storage.transaction(readonly=True) as tx:
        events = await tx.list_events(case_id=first.id)
    assert (events[-1].from_step, events[-1].to_step) == (first.step.value, first.step.value)

    # And the case that closed can be reopened in turn.
    history = await _command(engine, ALICE, "cases")
    again = await engine.handle(message(ALICE, press(history.outgoing, REOPEN)))
    assert again.choice is ChoiceOutcome.ACCEPTED
    stored = await _cases(storage, ALICE)
    assert stored[second.id].status is CaseStatus.ACTIVE
    assert stored[second.id].step is Step.COOL_DOWN
    assert stored[first.id].status is CaseStatus.CANCELLED


async def test_another_users_case_is_never_reopened(storage: Storage) -> None:
    engine = Engine(storage=storage, coach=Coach())
    await _to_client_name(engine, ALICE, "Acme Ltd")
    await _command(engine, ALICE, "cancel")
    history = await _command(engine, ALICE, "cases")
    alices_press = press(history.outgoing, REOPEN)
    await _to_client_name(engine, MALLORY, "Mallory & Co")
    before_alice = await _cases(storage, ALICE)
    before_mallory = await _cases(storage, MALLORY)

    result = await engine.handle(message(MALLORY, alices_press))

    assert result.choice is ChoiceOutcome.STALE
    text = "\n\n".join(o.text for o in result.outgoing if isinstance(o, Reply))
    assert t("en", "coach-reopen-refused") in text
    assert await _cases(storage, ALICE) == before_alice
    assert await _cases(storage, MALLORY) == before_mallory


async def test_a_press_for_a_deleted_case_is_refused(storage: Storage) -> None:
    engine = Engine(storage=storage, coach=Coach())
    await _to_client_name(engine, ALICE, "Acme Ltd")
    await _command(engine, ALICE, "cancel")
    history = await _command(engine, ALICE, "cases")
    stale_press = press(history.outgoing, REOPEN)
    asked = await _command(engine, ALICE, "delete")
    await engine.handle(message(ALICE, press(asked.outgoing, "del.yes")))

    result = await engine.handle(message(ALICE, stale_press))
    forged = await engine.handle(
        message(ALICE, ChoiceInput(callback.encode(case_id="f" * 32, turn=1, choice=REOPEN)))
    )

    for refused in (result, forged):
        assert refused.choice is ChoiceOutcome.STALE
        text = "\n\n".join(o.text for o in refused.outgoing if isinstance(o, Reply))
        assert t("en", "coach-reopen-refused") in text
    user = await storage.find_user(ALICE)
    if user is not None:  # the refusal may store the user again, never a case
        async with storage.transaction(readonly=True) as tx:
            assert await tx.list_cases(user_id=user.id) == []
