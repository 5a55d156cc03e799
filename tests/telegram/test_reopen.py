"""/cases reopens a cancelled case through the Bot API stand-in, in both languages (issue 12)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows import callback
from flows.case import CaseStatus, Step
from flows.i18n import t
from flows.reopen import REOPEN
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import TelegramUser
from tests.telegram.conftest import MakeUser

LANGS = pytest.mark.parametrize("lang", ["en", "bg"])


def _with_button(messages: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The (snapshot of the) message among ``messages`` that has a button ``label``."""
    for message in messages:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if any(button["text"] == label for row in rows for button in row):
            return copy.deepcopy(message)
    raise AssertionError(f"no message with a button {label!r}")


async def _two_cases(user: TelegramUser, lang: str) -> None:
    """ACME Ltd cancelled at the contact person, then Studio Lale open at the same step."""
    await user.say("/start")
    await user.press(t(lang, "coach-btn-calm"))
    await user.say("ACME Ltd")
    await user.say("/cancel")
    await user.say("hello")
    await user.press(t(lang, "coach-btn-calm"))
    await user.say("Studio Lale")


@LANGS
async def test_the_reopen_button_of_cases_reopens_the_case_and_cancels_the_open_one(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, lang: str
) -> None:
    user = make_user(language_code=lang)
    await _two_cases(user, lang)
    open_before = await engine.active_case(conversation_key(user.user_id))
    assert open_before is not None

    history = await user.say("/cases")
    label = t(lang, "coach-btn-reopen", number=2)
    listed = _with_button(history, label)
    assert "ACME Ltd" in listed["text"] and "Studio Lale" in listed["text"]
    assert t(lang, "coach-contact-name-prompt") in history[-1]["text"]  # the question again

    replies = await user.press(label, message=listed)

    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None and case.answers.client_name == "ACME Ltd"
    assert case.step is Step.CONTACT_NAME and case.status is CaseStatus.ACTIVE
    text = "\n\n".join(m["text"] for m in replies)
    assert t(lang, "coach-reopened-named", client="ACME Ltd") in text
    assert t(lang, "coach-reopen-previous-cancelled") in text
    assert t(lang, "coach-contact-name-prompt") in replies[-1]["text"]
    # The /cases message shows what was chosen and offers no more buttons.
    edited = next(m for m in user.bot_messages() if m["message_id"] == listed["message_id"])
    assert "reply_markup" not in edited or not edited["reply_markup"].get("inline_keyboard")
    assert t(lang, "coach-reopen-chosen", client="ACME Ltd") in edited["text"]

    # A second press of the old keyboard is refused and changes nothing.
    again = await user.press(label, message=listed)
    assert t(lang, "coach-reopen-refused") in "\n\n".join(m["text"] for m in again)
    assert api.calls_to("answerCallbackQuery")[-1].params["text"] == t(lang, "tg-stale-notice")
    assert await engine.active_case(conversation_key(user.user_id)) == case

    # The case that closed is listed as cancelled, with its own Reopen button.
    history = await user.say("/cases")
    _with_button(history, t(lang, "coach-btn-reopen", number=1))
    assert api.failed_calls() == []


async def test_a_forged_reopen_press_for_another_users_case_changes_nothing(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser
) -> None:
    alice = make_user(language_code="en")
    await _two_cases(alice, "en")
    alices = await engine.storage.find_user(conversation_key(alice.user_id))
    assert alices is not None
    async with engine.storage.transaction(readonly=True) as tx:
        cancelled = [
            c for c in await tx.list_cases(user_id=alices.id) if c.status is CaseStatus.CANCELLED
        ]
    (target,) = cancelled
    mallory = make_user(language_code="bg")
    await mallory.say("/start")
    question = mallory.keyboard_message()
    before = await engine.active_case(conversation_key(mallory.user_id))

    data = callback.encode(case_id=target.id, turn=target.turn, choice=REOPEN)
    replies = await mallory.press_data(data, message=question)

    assert t("bg", "coach-reopen-refused") in "\n\n".join(m["text"] for m in replies)
    assert await engine.active_case(conversation_key(mallory.user_id)) == before
    async with engine.storage.transaction(readonly=True) as tx:
        assert [c.status for c in await tx.list_cases(user_id=alices.id)] == [
            CaseStatus.ACTIVE,
            CaseStatus.CANCELLED,
        ]
    assert api.failed_calls() == []
