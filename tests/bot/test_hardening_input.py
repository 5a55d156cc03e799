"""Poison input (issue 14, item 3): red-team rows 6.9 and 6.10, P4.

NUL bytes and lone surrogates in free text made PostgreSQL refuse the write, which
the engine took for an outage ("temporarily unavailable" on every redelivery); on
SQLite a lone surrogate bricked the case at the step that stores a draft. Now every
input is cleaned once at the engine's entry, and a data error that still reaches the
database is the input's fault: a clear reply, and the update counts as processed.
Both run on SQLite and (with TEST_DATABASE_URL) on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import count

from bot.engine import Engine, EngineResult, IncomingMessage
from bot.engine.sanitise import clean_message, clean_text
from flows.case import Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import ChoiceInput, CommandInput, ConversationKey
from storage import Storage
from tests.helpers.engine_helpers import ENGLISH_PATH, Conversation, Script, Type, message

POISON = "Ac\x00me\ud800 \x1b[31mLtd\x7f\r\n\tok 🙂"
CLEAN = "Acme\ufffd [31mLtd\n\tok 🙂"

_USERS = count(1)


def _key() -> ConversationKey:
    return ConversationKey("telegram", "", f"poison-{next(_USERS)}")


def _poisoned(script: Script) -> Script:
    actions = dict(script.actions)
    for step in (Step.CLIENT_NAME, Step.DELIVERY):
        actions[step] = [Type(POISON)]
    return replace(script, actions=actions, stop_at=Step.REPLY)


def test_clean_text_drops_controls_and_replaces_lone_surrogates() -> None:
    assert clean_text(POISON) == CLEAN
    assert clean_text("line one\nline two\ttab") == "line one\nline two\ttab"
    assert clean_text("\udc80\ud83d") == "\ufffd\ufffd"


def test_every_field_of_a_message_is_cleaned() -> None:
    raw = IncomingMessage(
        key=ConversationKey("slack", "T\x00EAM", "U\ud800X"),
        user_input=CommandInput(name="st\x00art", args="a\x01b"),
        update_id="ev\x00\ud800",
        platform_language="en\x00",
    )
    cleaned = clean_message(raw)
    assert cleaned.key == ConversationKey("slack", "TEAM", "U\ufffdX")
    assert cleaned.user_input == CommandInput(name="start", args="ab")
    assert cleaned.update_id == "ev\ufffd"
    assert cleaned.platform_language == "en"
    assert clean_message(replace(raw, user_input=ChoiceInput("rc:\x00x"))).user_input == (
        ChoiceInput("rc:x")
    )


async def test_a_whole_conversation_with_poison_in_every_free_text(storage: Storage) -> None:
    """Rows 6.9/6.10: NUL and lone surrogates are stored cleaned; the case reaches the reply."""
    engine = Engine(storage=storage, coach=Coach())
    talk = Conversation(key=_key(), script=_poisoned(ENGLISH_PATH))
    await talk.start(engine)
    for _ in range(60):
        if not await talk.step(engine, storage):
            break
    case = await talk.active_case(storage)
    assert case is not None and case.step is Step.REPLY
    assert case.answers.client_name == CLEAN
    unavailable = t("en", "coach-unavailable")
    assert not any(unavailable in text for o in talk.observations for text in o.texts)


class _UncleanEngine(Engine):
    """The engine without its entry sanitiser: what reaches the database is raw."""

    async def handle(self, message: IncomingMessage) -> EngineResult:
        return await self._handle(message)


async def test_a_value_the_database_refuses_is_the_inputs_fault(storage: Storage) -> None:
    """Rows 6.10 (PG: NUL) and 6.9 (SQLite: a surrogate in a draft): "type it again", no outage.

    The engine's sanitiser is bypassed so that the raw value reaches the database.
    """
    engine = _UncleanEngine(storage=storage, coach=Coach())
    rejected = t("en", "engine-input-rejected")
    script = replace(
        ENGLISH_PATH, actions={**ENGLISH_PATH.actions, Step.CLIENT_NAME: [Type("Zq\x00x\ud800")]}
    )
    talk = Conversation(key=_key(), script=script)
    await talk.start(engine)
    for _ in range(40):
        # Conversation.send fails the test if the engine says "unavailable".
        await talk.step(engine, storage)
        if any(rejected in text for text in talk.observations[-1].texts):
            break
    else:
        raise AssertionError("the database never refused the raw value")

    # The same input again, delivered twice: one clear reply, then a dropped duplicate.
    case = await talk.active_case(storage)
    assert case is not None
    update = message(talk.key, talk.next_input(case.step), platform_language="en-GB")
    first = await engine.handle(update)
    assert not first.unavailable and [o.text for o in first.outgoing] == [rejected]
    again = await engine.handle(update)
    assert again.duplicate and not again.outgoing
