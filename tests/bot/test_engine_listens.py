"""Issue 12 through the engine, on Telegram's and Slack's platform keys, SQLite and PostgreSQL.

The vented text leaves no row behind when its case closes; "I'm ready now"
and a reported call cancel their pending reminders; typed "да"/"yes" answer
the /delete question; reminders say they arrive in the chat.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine import Engine
from flows.case import Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import (
    ChoiceInput,
    CommandInput,
    ConversationKey,
    Draft,
    DraftKind,
    Reply,
    TextInput,
    UserInput,
)
from storage import Storage
from storage.models import Base
from tests.helpers.engine_helpers import (
    ENGLISH_PATH,
    Conversation,
    Press,
    Type,
    message,
    press,
    texts_of,
)
from tests.helpers.storage_helpers import count_user_rows

TELEGRAM = ConversationKey(platform="telegram", workspace="", user_id="1001")
SLACK = ConversationKey(platform="slack", workspace="T1", user_id="U2")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VENT = "бясна съм, VENT-4f1c: three weeks of work for nothing"
MORE = "VENT-9b2e they never even read the brief"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(storage: Storage, clock: Clock) -> Engine:
    return Engine(storage=storage, coach=Coach(), clock=clock)


async def everything_stored(storage: Storage) -> str:
    """Every row of every table as text (case JSON, events, drafts, reminders …)."""
    parts: list[str] = []
    async with storage.transaction(readonly=True) as tx:
        for table in Base.metadata.sorted_tables:
            rows = (await tx.connection.execute(select(table))).all()
            parts += [f"{table.name}: {tuple(row)!r}" for row in rows]
    return "\n".join(parts)


class Chat:
    """One user talking to the engine, remembering the last output."""

    def __init__(self, engine: Engine, key: ConversationKey, language: str) -> None:
        self.engine, self.key, self.language = engine, key, language
        self.last: list = []

    async def send(self, user_input: UserInput) -> str:
        result = await self.engine.handle(
            message(self.key, user_input, platform_language=self.language)
        )
        assert not result.unavailable
        self.last = list(result.outgoing)
        return "\n\n".join(texts_of(result.outgoing))

    async def press(self, token: str) -> str:
        return await self.send(press(self.last, token))

    async def type(self, text: str) -> str:
        return await self.send(TextInput(text=text))

    async def command(self, name: str) -> str:
        return await self.send(CommandInput(name=name))


KEYS = pytest.mark.parametrize("key", [TELEGRAM, SLACK], ids=["telegram", "slack"])


async def _vent(chat: Chat) -> str:
    await chat.command("start")
    said = await chat.type(VENT)  # free text at the mood check: still upset
    assert t(chat.language, "coach-mood-mirror-angry") in said
    assert t(chat.language, "coach-choose-button") not in said
    await chat.type(MORE)
    return said


@KEYS
@pytest.mark.parametrize("close", ["cancel", "restart", "done"])
async def test_the_vented_text_leaves_no_row_when_the_case_closes(
    engine: Engine, storage: Storage, key: ConversationKey, close: str
) -> None:
    chat = Chat(engine, key, "bg")
    await _vent(chat)
    assert "VENT-4f1c" in await everything_stored(storage)  # kept while the case is open
    if close == "cancel":
        await chat.command("cancel")
    elif close == "restart":
        await chat.command("restart")
    else:
        await chat.press("ready")
        actions = {**ENGLISH_PATH.actions, Step.TALK: [Press("arranged")]}
        actions[Step.CLIENT_NAME] = [Type("Мария Иванова")]
        # Facts in the reply's language, so the reply asks none of them again.
        actions[Step.DELIVERY] = [Type("целева страница")]
        actions[Step.DEADLINE] = [Type("до петък")]
        script = replace(ENGLISH_PATH, language="bg", actions=actions)
        rest = Conversation(key=key, script=script, last=chat.last)
        while await rest.step(engine, storage):  # … to the reply and "done"
            pass
        assert await rest.active_case(storage) is None
    stored = await everything_stored(storage)
    assert "VENT-4f1c" not in stored and "VENT-9b2e" not in stored


@KEYS
async def test_ready_cancels_the_pending_cool_down_reminder(
    engine: Engine, storage: Storage, clock: Clock, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "en")
    await chat.command("start")
    await chat.press("upset")
    said = await chat.press("r15")
    assert t("en", "coach-reminder-where-chat") in said  # where it arrives
    await chat.press("ready")
    clock.now = T0 + timedelta(hours=2)
    assert await engine.claim_due_reminders(platform=key.platform) == []


@KEYS
async def test_thirty_presses_queue_one_reminder(
    engine: Engine, storage: Storage, clock: Clock, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "en")
    await chat.command("start")
    await chat.press("upset")
    for _ in range(30):
        await chat.press("r15")
    async with storage.transaction(readonly=True) as tx:
        user = await tx.find_user(key)
    assert user is not None
    assert (await count_user_rows(storage, user_id=user.id))["reminders"] == 1
    clock.now = T0 + timedelta(minutes=20)
    due = await engine.claim_due_reminders(platform=key.platform)
    assert len(due) == 1
    assert t("en", "coach-reminder-cool-down") in texts_of(due[0].outgoing)[0]


@KEYS
async def test_a_reported_call_cancels_the_follow_up(
    engine: Engine, storage: Storage, clock: Clock, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "en")
    await chat.command("start")
    actions = {**ENGLISH_PATH.actions, Step.TALK: [Press("follow")]}
    script = replace(ENGLISH_PATH, actions=actions, stop_at=Step.TALK)
    walk = Conversation(key=key, script=script, last=chat.last)
    while await walk.step(engine, storage):
        pass
    said = "\n".join(texts_of((await walk.send(engine, press(walk.last, "follow"))).outgoing))
    assert t("en", "coach-talk-waiting-prompt") in said
    assert t("en", "coach-problem-prompt") not in said  # it waits for the call
    await walk.send(engine, press(walk.last, "talked"))
    clock.now = T0 + timedelta(days=2)
    assert await engine.claim_due_reminders(platform=key.platform) == []


@KEYS
@pytest.mark.parametrize(("language", "yes"), [("bg", "да"), ("en", "Yes!")])
async def test_typed_yes_at_delete_erases_everything(
    engine: Engine, storage: Storage, key: ConversationKey, language: str, yes: str
) -> None:
    chat = Chat(engine, key, language)
    await chat.command("start")
    await chat.press("calm")
    await chat.type("ACME Ltd")
    await chat.command("delete")
    said = await chat.type("hmm")  # neither: asked again, nothing deleted
    assert t(language, "coach-delete-confirm") in said
    said = await chat.type(yes)
    assert t(language, "coach-after-delete") in said
    assert "ACME" not in await everything_stored(storage)


@KEYS
async def test_typed_no_at_delete_keeps_everything(
    engine: Engine, storage: Storage, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "bg")
    await chat.command("start")
    await chat.press("calm")
    await chat.type("ACME Ltd")
    await chat.command("delete")
    said = await chat.type("Не.")
    assert t("bg", "coach-delete-kept") in said
    assert "ACME" in await everything_stored(storage)
    assert isinstance(press(chat.last, "skip"), ChoiceInput)  # back at the step's question


@KEYS
@pytest.mark.parametrize(("language", "yes"), [("bg", "Да!"), ("en", "yes")])
async def test_typed_yes_at_delete_without_a_case_erases_everything(
    engine: Engine, storage: Storage, key: ConversationKey, language: str, yes: str
) -> None:
    chat = Chat(engine, key, language)
    await chat.command("start")
    await chat.press("calm")
    await chat.type("ACME Ltd")
    await chat.command("cancel")  # no open case any more; the cancelled one is kept
    await chat.command("delete")
    said = await chat.type("hmm")  # neither: asked again, no case started
    assert t(language, "coach-delete-confirm") in said
    assert t(language, "coach-start-prompt") not in said
    said = await chat.type(yes)
    assert t(language, "coach-after-delete") in said
    stored = await everything_stored(storage)
    assert "ACME" not in stored and "users:" not in stored and "cases:" not in stored


@KEYS
async def test_typed_no_at_delete_without_a_case_keeps_everything(
    engine: Engine, storage: Storage, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "bg")
    await chat.command("start")
    await chat.press("calm")
    await chat.type("ACME Ltd")
    await chat.command("cancel")
    await chat.command("delete")
    said = await chat.type("не")
    assert t("bg", "coach-delete-kept") in said and t("bg", "coach-start-prompt") in said
    assert "ACME" in await everything_stored(storage)
    said = await chat.type("здравей")  # the greeting's [Begin]: a start like any other
    assert t("bg", "coach-calm-prompt") in said


@KEYS
async def test_export_holds_the_latest_suggested_reply_and_repeats_the_question(
    engine: Engine, storage: Storage, key: ConversationKey
) -> None:
    chat = Chat(engine, key, "en")
    await chat.command("start")
    script = replace(ENGLISH_PATH, stop_at=Step.REPLY)
    walk = Conversation(key=key, script=script, last=chat.last)
    while await walk.step(engine, storage):
        pass
    reply = next(d for d in walk.last if isinstance(d, Draft) and d.kind is DraftKind.REPLY)
    result = await engine.handle(message(key, CommandInput(name="export")))
    export = next(d for d in result.outgoing if isinstance(d, Draft))
    assert t("en", "coach-export-reply") in export.text and reply.text in export.text
    assert isinstance(result.outgoing[-1], Reply) and result.outgoing[-1].buttons  # the question
