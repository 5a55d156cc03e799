"""Issue 12 through the Bot API stand-in, both languages: free text at the mood check, the
vent erased on close, "ready" cancelling the cool-down reminder, typed yes at /delete."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from bot.reminders import ReminderScheduler
from flows.case import Step
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import table_row_counts
from tests.telegram.conftest import Clock, MakeUser
from tests.telegram.test_reopen import LANGS

MOOD = {"en": "honestly I'm furious", "bg": "бясна съм"}
VENT = "VENT-51ab they never read the brief"


async def _stored_text(engine: Engine) -> str:
    """Every stored case state, as text (the vented text lives there if anywhere)."""
    async with engine.storage.transaction(readonly=True) as tx:
        rows = await tx.connection.exec_driver_sql("SELECT state FROM cases")
        return "\n".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows)


@LANGS
async def test_free_text_at_the_mood_check_is_heard_and_erased_when_the_case_closes(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, lang: str
) -> None:
    user = make_user(language_code=lang)
    await user.say("/start")

    replies = await user.say(MOOD[lang])

    text = "\n\n".join(m["text"] for m in replies)
    assert t(lang, "coach-mood-mirror-angry") in text
    assert t(lang, "coach-choose-button") not in text
    assert user.has_button(t(lang, "coach-btn-ready"))  # the cool-down's buttons
    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None and case.step is Step.COOL_DOWN
    await user.say(VENT)
    stored = await _stored_text(engine)
    assert "VENT-51ab" in stored and MOOD[lang] in stored  # kept, privately, while open

    await user.say("/cancel")

    stored = await _stored_text(engine)
    assert "VENT-51ab" not in stored and MOOD[lang] not in stored
    assert api.failed_calls() == []


@LANGS
async def test_ready_cancels_the_cool_down_reminder_and_says_it_arrives_in_the_chat(
    engine: Engine, adapter: TelegramChannel, clock: Clock, make_user: MakeUser, lang: str
) -> None:
    user = make_user(language_code=lang)
    await user.say("/start")
    await user.press(t(lang, "coach-btn-upset"))
    replies = await user.press(t(lang, "coach-btn-remind-15"))
    assert t(lang, "coach-reminder-where-chat") in "\n\n".join(m["text"] for m in replies)
    assert (await table_row_counts(engine.storage))["reminders"] == 1

    await user.press(t(lang, "coach-btn-ready"))

    clock.advance(timedelta(hours=1))
    scheduler = ReminderScheduler(engine=engine, platform=adapter.name, send=adapter.deliver)
    assert await scheduler.run_once() == 0
    assert (await table_row_counts(engine.storage))["reminders"] == 0


@pytest.mark.parametrize(("lang", "yes"), [("bg", "да"), ("en", "Yes!")])
async def test_typed_yes_at_delete_erases_everything(
    engine: Engine, make_user: MakeUser, lang: str, yes: str
) -> None:
    user = make_user(language_code=lang)
    await user.say("/start")
    await user.press(t(lang, "coach-btn-calm"))
    await user.say("ACME Ltd")
    await user.say("/delete")
    asked = await user.say("hmm")
    assert t(lang, "coach-delete-confirm") in "\n\n".join(m["text"] for m in asked)
    assert await engine.active_case(conversation_key(user.user_id)) is not None

    replies = await user.say(yes)

    assert t(lang, "coach-after-delete") in "\n\n".join(m["text"] for m in replies)
    counts = await table_row_counts(engine.storage)
    assert counts["users"] == 0 and counts["cases"] == 0
