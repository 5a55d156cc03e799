"""Flood control: a 429 with ``retry_after`` is waited out and the message still delivered."""

from __future__ import annotations

from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver
from tests.telegram.conftest import MakeUser


async def test_a_429_is_waited_out_and_the_message_delivered(
    api: BotApiStandIn, make_user: MakeUser, polling_deliver: Deliver
) -> None:
    user = make_user(language_code="en", deliver=polling_deliver)
    api.fail_next("sendMessage", error_code=429, retry_after=1)

    replies = await user.say("/start")

    attempts = [c for c in api.calls if c.method == "sendMessage"]
    assert attempts[0].status == 429
    assert attempts[1].status == 200
    assert attempts[1].params["text"] == attempts[0].params["text"]
    # The reply of the step arrived after the wait.
    assert [m["text"] for m in replies] == [c.params["text"] for c in attempts[1:]]
    assert replies


async def test_a_429_on_the_callback_answer_is_waited_out_too(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    api.fail_next("answerCallbackQuery", error_code=429, retry_after=1)

    await user.press("I'm calm, let's go")

    statuses = [c.status for c in api.calls if c.method == "answerCallbackQuery"]
    assert statuses == [429, 200]
