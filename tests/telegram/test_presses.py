"""Stale, forged and double button presses, and a redelivered update (FLOW.md "Bad input")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows.case import Step
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import TelegramUser
from tests.telegram.conftest import MakeUser


async def _step(engine: Engine, user: TelegramUser) -> Step:
    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None
    return case.step


def _last_answer(api: BotApiStandIn) -> dict[str, Any]:
    return api.calls_to("answerCallbackQuery")[-1].params


async def test_a_button_from_an_earlier_message_changes_nothing(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    mood_question = user.keyboard_message()
    await user.press(t("en", "coach-btn-calm"))
    await user.press(t("en", "coach-btn-skip"))  # skip the client's name
    assert await _step(engine, user) is Step.DELIVERY

    # The old mood question still exists in the chat history; press "upset" there.
    upset = mood_question["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    replies = await user.press_data(upset, message=mood_question)

    assert await _step(engine, user) is Step.DELIVERY
    assert _last_answer(api)["text"] == t("en", "tg-stale-notice")
    texts = [m["text"] for m in replies]
    assert any(t("en", "coach-stale") in text for text in texts)
    assert t("en", "coach-delivery-prompt") in texts[-1]  # the current question again
    assert api.failed_calls() == []


@pytest.mark.parametrize(
    "data",
    ["rc:deadbeef:1:calm", "rc:-:0:upset", "garbage", "x" * 64, "rc:00000000:999999999:zz"],
)
async def test_forged_callback_data_changes_nothing(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, data: str
) -> None:
    user = make_user(language_code="bg")
    await user.say("/start")
    question = user.keyboard_message()

    replies = await user.press_data(data, message=question)

    assert await _step(engine, user) is Step.CALM
    assert _last_answer(api)["text"] == t("bg", "tg-stale-notice")
    assert any(t("bg", "coach-stale") in m["text"] for m in replies)
    # The real question keeps its buttons: it was not answered.
    assert "reply_markup" in api.messages[(user.chat_id, question["message_id"])]


async def test_the_same_button_pressed_twice_is_processed_once(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    question = user.keyboard_message()  # as the user's client still shows it
    await user.press(t("en", "coach-btn-calm"), message=question)
    await user.press(t("en", "coach-btn-skip"))
    step = await _step(engine, user)

    await user.press(t("en", "coach-btn-calm"), message=question)

    assert await _step(engine, user) is step
    answers = api.calls_to("answerCallbackQuery")
    assert len(answers) == 3  # every press is answered
    assert answers[-1].params["text"] == t("en", "tg-stale-notice")
    assert len(api.calls_to("editMessageText")) == 2  # only the accepted presses


async def test_a_redelivered_update_is_processed_once(
    api: BotApiStandIn, engine: Engine, adapter: TelegramChannel, make_user: MakeUser
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    delivered: list[dict[str, Any]] = []

    async def deliver(update: dict[str, Any]) -> None:
        update["update_id"] = api.new_update_id()
        delivered.append(copy.deepcopy(update))
        await adapter.process_webhook_update(update)

    user.deliver = deliver
    await user.press(t("en", "coach-btn-calm"))
    sent, edits = len(api.calls_to("sendMessage")), len(api.calls_to("editMessageText"))
    step = await _step(engine, user)

    await adapter.process_webhook_update(delivered[0])  # Telegram delivers it again

    assert await _step(engine, user) is step
    assert len(api.calls_to("sendMessage")) == sent
    assert len(api.calls_to("editMessageText")) == edits
