"""The follow-up after Done (issue 15) through the engine: reminders, outcomes, /stats.

Each outcome and its follow-ups in both languages; a follow-up while another case
is active leaves that case's question alone; a follow-up scheduled by one worker
is delivered once by another after a restart (PostgreSQL when TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.engine import Engine, EngineResult
from bot.metrics import Metrics
from flows.case import Case, CaseOutcome, FollowUp, Step
from flows.coach import Coach
from flows.followup import NEXT_DELAY
from flows.i18n import t
from flows.io import (
    Button,
    ChoiceOutcome,
    CommandInput,
    ConversationKey,
    Draft,
    DraftKind,
    Outgoing,
    Reply,
    TextInput,
)
from storage import Storage
from storage.models import CaseRow
from tests.helpers.engine_helpers import (
    BULGARIAN_PATH,
    ENGLISH_PATH,
    Conversation,
    FakeClock,
    Script,
    message,
    press,
)

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1501")
SCRIPTS = {"en": ENGLISH_PATH, "bg": BULGARIAN_PATH}
CLIENTS = {"en": "Acme Ltd", "bg": "„Акме“ АД"}  # the Bulgarian path renames the client


async def _finish(engine: Engine, storage: Storage, script: Script) -> Conversation:
    """A case walked to Done; ``conversation.last`` is the Done output."""
    conversation = Conversation(key=ALICE, script=script)
    await conversation.start(engine)
    for _ in range(80):
        if not await conversation.step(engine, storage):
            break
    assert await conversation.active_case(storage) is None
    return conversation


async def _closed(storage: Storage) -> Case:
    """The user's newest closed case as stored."""
    async with storage.transaction(readonly=True) as tx:
        user = await tx.find_user(ALICE)
        assert user is not None
        case = await tx.latest_case(user_id=user.id)
    assert case is not None
    return case


async def _due(engine: Engine) -> list[Outgoing]:
    deliveries = await engine.claim_due_reminders(platform="telegram")
    assert len(deliveries) == 1, deliveries
    delivery = deliveries[0]
    assert delivery.reminder_id is not None
    await engine.reminder_delivered(delivery.reminder_id)
    return delivery.outgoing


def _flat(reply: Reply) -> list[Button]:
    return [button for row in reply.buttons for button in row]


def _texts(outgoing: list[Outgoing]) -> str:
    return "\n".join(item.text for item in outgoing)


async def _send(engine: Engine, outgoing: list[Outgoing], token: str) -> EngineResult:
    return await engine.handle(message(ALICE, press(outgoing, token)))


async def _type(engine: Engine, text: str) -> EngineResult:
    return await engine.handle(message(ALICE, TextInput(text=text)))


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_done_schedules_a_follow_up_in_three_days(storage: Storage, language: str) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    done = await _finish(engine, storage, SCRIPTS[language])
    labels = [b.label for item in done.last if isinstance(item, Reply) for b in _flat(item)]
    assert t(language, "outcome-btn-in-2-days") in labels
    assert (await _closed(storage)).follow_up is FollowUp.WHEN

    clock.advance(timedelta(days=2, hours=23))
    assert await engine.claim_due_reminders(platform="telegram") == []
    clock.advance(timedelta(hours=2))
    asked = await _due(engine)

    assert t(language, "outcome-ask-named", client=CLIENTS[language]) in _texts(asked)
    assert (await _closed(storage)).follow_up is FollowUp.ASKED


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_no_answer_then_agreed_with_the_amount(storage: Storage, language: str) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, SCRIPTS[language])
    clock.advance(timedelta(days=3, minutes=1))
    asked = await _due(engine)

    silent = await _send(engine, asked, "o.no_answer")
    nudges = [o for o in silent.outgoing if isinstance(o, Draft) and o.kind is DraftKind.NUDGE]
    assert silent.choice is ChoiceOutcome.ACCEPTED
    assert len(nudges) == 1 and nudges[0].title == t(language, "draft-title-nudge")
    assert t(language, "outcome-again", days=NEXT_DELAY.days) in _texts(silent.outgoing)
    assert t(language, "outcome-note-prompt") in _texts(silent.outgoing)  # no active case
    noted = await _type(engine, "They're on holiday")
    assert t(language, "outcome-thanks") in _texts(noted.outgoing)
    case = await _closed(storage)
    assert (case.outcome, case.follow_up) == (CaseOutcome.NO_ANSWER, FollowUp.WAITING)
    assert case.answers.outcome_note == "They're on holiday"
    assert case.outcome_at == clock.now

    clock.advance(timedelta(days=3, minutes=1))
    again = await _due(engine)
    agreed = await _send(engine, again, "o.agreed")
    assert t(language, f"outcome-{CaseOutcome.AGREED.value}") in _texts(agreed.outgoing)
    clauses = [o for o in agreed.outgoing if isinstance(o, Draft)]
    assert clauses and all(d.kind is DraftKind.CONTRACT_CLAUSE for d in clauses)
    assert t(language, "outcome-amount-prompt") in _texts(agreed.outgoing)

    wrong = await _type(engine, "lots")
    assert t(language, "outcome-amount-prompt") in _texts(wrong.outgoing)  # asked again
    kept = await _type(engine, "800 €")
    assert t(language, "outcome-note-prompt") in _texts(kept.outgoing)
    skipped = await _send(engine, kept.outgoing, "fu.skip")
    assert t(language, "outcome-thanks") in _texts(skipped.outgoing)

    case = await _closed(storage)
    assert case.outcome is CaseOutcome.AGREED and case.follow_up is None
    assert (case.outcome_amount, case.outcome_currency) == (Decimal("800.00"), "EUR")
    assert await engine.claim_due_reminders(platform="telegram") == []  # no more asking
    # After the follow-up, typed text starts a new case again.
    fresh = await _type(engine, "hello")
    assert fresh.active_case is not None and fresh.active_case.id != case.id


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize(
    ("token", "advice"),
    [
        ("o.negotiating", None),
        ("o.escalated", "outcome-escalated"),
        ("o.parted", "outcome-parted"),
    ],
)
async def test_each_other_outcome(
    storage: Storage, language: str, token: str, advice: str | None
) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, SCRIPTS[language])
    clock.advance(timedelta(days=3, minutes=1))
    answered = await _send(engine, await _due(engine), token)
    text = _texts(answered.outgoing)
    case = await _closed(storage)

    if token == "o.negotiating":
        # English path: a redo → confirm the acceptance criteria; Bulgarian: an unagreed
        # 35 % share → the 30 % fallback offer. Another follow-up in both.
        key = "outcome-negotiating-redo" if language == "en" else "outcome-negotiating-share"
        shown = t(language, key, percent="\0", fallback="\0", fallback_percent="\0")
        assert shown.split("\0")[0][:40] in text
        assert t(language, "outcome-again", days=NEXT_DELAY.days) in text
        assert case.outcome is CaseOutcome.NEGOTIATING
    elif token == "o.escalated":
        assert advice is not None and t(language, advice) in text
        assert t(language, "outcome-not-legal-advice") in text
        exports = [o for o in answered.outgoing if isinstance(o, Draft)]
        assert [d.kind for d in exports] == [DraftKind.EXPORT]
        assert t(language, "outcome-again", days=NEXT_DELAY.days) not in text
        assert case.outcome is CaseOutcome.ESCALATED
    else:
        assert advice is not None and t(language, advice) in text
        assert t(language, "outcome-amount-prompt") in text
        assert case.outcome is CaseOutcome.PARTED


async def test_the_fallback_offer_names_the_amounts(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, BULGARIAN_PATH)
    clock.advance(timedelta(days=3, minutes=1))
    answered = await _send(engine, await _due(engine), "o.negotiating")
    # 35 % of 1 200,50 лв. was not agreed: 30 % of the price is the fallback.
    assert "360,15\u00a0лв." in _texts(answered.outgoing)


async def test_when_buttons_move_or_cancel_the_follow_up(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    done = await _finish(engine, storage, ENGLISH_PATH)
    week = await _send(engine, done.last, "fu.7d")
    assert week.choice is ChoiceOutcome.ACCEPTED
    assert t("en", "outcome-will-ask-7d") in _texts(week.outgoing)
    clock.advance(timedelta(days=4))
    assert await engine.claim_due_reminders(platform="telegram") == []
    # The Done message's buttons are spent: pressing one again is stale.
    stale = await _send(engine, done.last, "fu.no")
    assert stale.choice is ChoiceOutcome.STALE
    clock.advance(timedelta(days=3, minutes=1))
    assert len(await engine.claim_due_reminders(platform="telegram")) == 1


async def test_dont_ask_cancels_the_follow_up(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    done = await _finish(engine, storage, ENGLISH_PATH)
    never = await _send(engine, done.last, "fu.no")
    assert t("en", "outcome-wont-ask") in _texts(never.outgoing)
    clock.advance(timedelta(days=30))
    assert await engine.claim_due_reminders(platform="telegram") == []
    assert (await _closed(storage)).follow_up is None


async def test_a_follow_up_never_disturbs_the_active_case(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, ENGLISH_PATH)
    closed = await _closed(storage)
    # Meanwhile the user opens a new case and types an answer or two.
    second = Conversation(key=ALICE, script=replace(ENGLISH_PATH, stop_at=Step.DELIVERY))
    await second.start(engine)
    while await second.step(engine, storage):
        pass
    active = await second.active_case(storage)
    assert active is not None and active.step is Step.DELIVERY

    clock.advance(timedelta(days=3, minutes=1))
    asked = await _due(engine)
    # The follow-up, then the active case's question again, its buttons its own.
    assert t("en", "outcome-ask-named", client="Acme Ltd") in asked[0].text
    expected = Coach().current_question(active, language="en")
    assert asked[-len(expected) :] == expected
    answered = await _send(engine, asked, "o.negotiating")
    assert answered.choice is ChoiceOutcome.ACCEPTED
    text = _texts(answered.outgoing)
    assert t("en", "outcome-note-prompt") not in text  # typed questions wait: a case is active
    assert t("en", "outcome-saved") in text

    after = await second.active_case(storage)
    assert after is not None
    assert (after.id, after.step, after.version) == (active.id, active.step, active.version)
    stored = await _closed_by_id(storage, closed.id)
    assert stored.outcome is CaseOutcome.NEGOTIATING and stored.follow_up is FollowUp.WAITING
    # Typed text still answers the active case.
    typed = await _type(engine, "A landing page")
    assert typed.active_case is not None and typed.active_case.step is not Step.DELIVERY


async def _closed_by_id(storage: Storage, case_id: str) -> Case:
    async with storage.transaction(readonly=True) as tx:
        user = await tx.find_user(ALICE)
        assert user is not None
        case = await tx.load_case(user_id=user.id, case_id=case_id)
    assert case is not None
    return case


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_cases_export_and_stats_show_the_outcome(migrated_url: str, language: str) -> None:
    clock = FakeClock()
    storage = Storage(migrated_url, clock=clock)  # the case's dates on the same clock
    try:
        await _cases_export_and_stats(storage, clock, language)
    finally:
        await storage.dispose()


async def _cases_export_and_stats(storage: Storage, clock: FakeClock, language: str) -> None:
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, SCRIPTS[language])
    clock.advance(timedelta(days=3, minutes=1))
    await _send(engine, await _due(engine), "o.agreed")
    await _type(engine, "800")
    # /export (a command: it leaves the note question) shows the latest case, this one.
    exported = await engine.handle(message(ALICE, CommandInput(name="export")))
    [export] = [o for o in exported.outgoing if isinstance(o, Draft)]
    label = t(language, "outcome-label-agreed")
    money = "€800.00" if language == "en" else "800,00"
    assert f"**{t(language, 'outcome-field-outcome')}:** {label} (" in export.text
    assert money in export.text
    assert t(language, "outcome-field-date") in export.text
    assert (await _closed(storage)).follow_up is None
    await engine.handle(message(ALICE, CommandInput(name="start")))

    history = await engine.handle(message(ALICE, CommandInput(name="cases")))
    assert label in _texts(history.outgoing)
    stats = await engine.handle(message(ALICE, CommandInput(name="stats")))
    text = _texts(stats.outgoing)
    assert t(language, "outcome-stats-agreed", count=1) in text
    assert t(language, "outcome-stats-active", count=1) in text
    assert money in text
    assert t(language, "outcome-stats-days", days="3", count=2) in text


async def test_outcomes_are_counted_on_metrics_without_user_ids(storage: Storage) -> None:
    clock = FakeClock()
    metrics = Metrics()
    engine = Engine(storage=storage, coach=Coach(), clock=clock, observer=metrics)
    await _finish(engine, storage, ENGLISH_PATH)
    clock.advance(timedelta(days=3, minutes=1))
    await _send(engine, await _due(engine), "o.escalated")

    body, _ = metrics.render()
    exposed = body.decode()
    assert 'rejection_coach_outcomes_total{kind="escalated"} 1.0' in exposed
    assert ALICE.user_id not in exposed


async def test_a_follow_up_is_delivered_once_by_another_worker_after_a_restart(
    migrated_url: str,
) -> None:
    clock = FakeClock()
    first = Storage(migrated_url)
    try:
        await _finish(Engine(storage=first, coach=Coach(), clock=clock), first, BULGARIAN_PATH)
    finally:
        await first.dispose()  # the worker that scheduled it is gone

    clock.advance(timedelta(days=3, minutes=1))
    workers = [Storage(migrated_url) for _ in range(2)]
    try:
        engines = [Engine(storage=w, coach=Coach(), clock=clock) for w in workers]
        results = await asyncio.gather(
            *(e.claim_due_reminders(platform="telegram") for e in engines)
        )
        assert sorted(len(r) for r in results) == [0, 1]
        delivered = next(r for r in results if r)[0]
        assert t("bg", "outcome-ask-named", client=CLIENTS["bg"]) in _texts(delivered.outgoing)
        assert delivered.reminder_id is not None
        await engines[0].reminder_delivered(delivered.reminder_id)
        clock.advance(timedelta(minutes=10))  # past the lease: still not delivered twice
        again = await asyncio.gather(*(e.claim_due_reminders(platform="telegram") for e in engines))
        assert again == [[], []]
    finally:
        for worker in workers:
            await worker.dispose()


async def test_delete_leaves_no_outcome_row(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _finish(engine, storage, ENGLISH_PATH)
    clock.advance(timedelta(days=3, minutes=1))
    await _send(engine, await _due(engine), "o.parted")
    await _type(engine, "500")

    asked = await engine.handle(message(ALICE, CommandInput(name="delete")))
    await engine.handle(message(ALICE, press(asked.outgoing, "del.yes")))

    async with storage.transaction(readonly=True) as tx:
        left = await tx.connection.execute(
            select(func.count()).select_from(CaseRow).where(CaseRow.outcome.is_not(None))
        )
        assert left.scalar_one() == 0
    assert await storage.find_user(ALICE) is None
