"""Full conversations over long polling, as a user would have them, to the suggested reply."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows.case import Step
from flows.i18n import t
from flows.money import format_money
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver
from tests.telegram.conftest import MakeUser
from tests.telegram.script import entity_text, play, to_reply


@pytest.mark.parametrize("language", ["bg", "en"])
async def test_conversation_reaches_the_suggested_reply(
    api: BotApiStandIn,
    engine: Engine,
    make_user: MakeUser,
    polling_deliver: Deliver,
    language: str,
) -> None:
    user = make_user(language_code=language, deliver=polling_deliver)

    received = await play(
        user, to_reply(client="Acme Studio", language=language), language=language
    )

    # The suggested reply is its own message: a bold title and the text in <pre>.
    drafts = [m for m in received if entity_text(m, "pre")]
    reply = next(m for m in drafts if entity_text(m, "bold") == [t(language, "draft-title-reply")])
    body = entity_text(reply, "pre")[0]
    assert "Acme Studio" in body
    # Payment terms with amounts formatted for the locale (40 % of 1 200 kept, 80 invoiced).
    assert format_money(Decimal(80), "EUR", language=language) in body
    assert "{" not in body and "$" not in body
    # The coach speaks the user's language: the first question was in it.
    assert user.bot_messages()[0]["text"].startswith(t(language, "coach-start-prompt"))

    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None and case.step is Step.REPLY
    assert case.answers.client_name == "Acme Studio"
    assert _no_rule_broken(api)


async def test_answered_questions_show_the_choice_and_lose_their_buttons(
    api: BotApiStandIn, make_user: MakeUser, polling_deliver: Deliver
) -> None:
    user = make_user(language_code="en", deliver=polling_deliver)
    await user.say("/start")
    question = user.keyboard_message()
    label = t("en", "coach-btn-calm")

    await user.press(label)

    edited = api.messages[(user.chat_id, question["message_id"])]
    assert "reply_markup" not in edited
    assert edited["text"].endswith("\n\n" + t("en", "tg-chosen", label=label))
    # The original question text is kept, with its formatting.
    assert edited["text"].startswith(question["text"])
    assert edited.get("entities", []) == question.get("entities", [])
    answers = api.calls_to("answerCallbackQuery")
    assert len(answers) == 1 and "text" not in answers[0].params


async def test_every_button_press_is_answered(
    api: BotApiStandIn, make_user: MakeUser, polling_deliver: Deliver
) -> None:
    user = make_user(language_code="bg", deliver=polling_deliver)
    actions = to_reply(client="Мария", language="bg")
    presses = sum(1 for kind, _ in actions if kind == "press")

    await play(user, actions, language="bg")

    assert len(api.calls_to("answerCallbackQuery")) == presses
    assert len(api.calls_to("editMessageText")) == presses


async def test_every_callback_data_fits_64_bytes(
    api: BotApiStandIn, make_user: MakeUser, polling_deliver: Deliver
) -> None:
    user = make_user(language_code="bg", deliver=polling_deliver)
    await play(user, to_reply(client="Клиент с доста дълго име ООД", language="bg"), language="bg")
    # Every other payment variant and sub-choice, from the same question.
    for variant in ("coach-btn-pay-keep-deposit", "coach-btn-pay-continue"):
        for _ in range(4):
            await user.say("/back")
            if user.has_button(t("bg", variant)):
                break
        await user.press(t("bg", variant))
    # The solution was "part ways": continuing together is confirmed first.
    await user.press(t("bg", "coach-btn-confirm-continue"))
    await user.press(t("bg", "coach-btn-deduct"))
    await user.say("25%")
    # The reply's own keyboards: tone, language, the facts menu; then /delete and a return.
    for key in ("coach-btn-tone-friendly", "coach-btn-reply-in-en", "coach-btn-change-facts"):
        # The Bulgarian facts are asked again for the English reply: left out here.
        while user.has_button(t("bg", "coach-btn-leave-out")):
            await user.press(t("bg", "coach-btn-leave-out"))
        await user.press(t("bg", key))
    await user.press(t("bg", "coach-btn-back-to-reply"))
    await user.say("/delete")
    await user.press(t("bg", "coach-btn-delete-no"))
    await user.say("/start")
    assert user.has_button(t("bg", "coach-btn-continue"))

    data = [d for call in api.calls_to("sendMessage") for d in call.callback_data()]
    assert len(data) > 50
    assert all(1 <= len(d.encode("utf-8")) <= 64 for d in data)
    assert _no_rule_broken(api)


async def test_commands_menu_is_registered_in_both_languages(
    api: BotApiStandIn, adapter: object
) -> None:
    calls = api.calls_to("setMyCommands")
    private = {c.params.get("language_code"): c for c in calls if "scope" not in c.params}
    assert set(private) == {None, "bg"}
    names = [c["command"] for c in private[None].params["commands"]]
    assert names == [
        "start",
        "help",
        "back",
        "restart",
        "cancel",
        "lang",
        "signature",
        "cases",
        "stats",
        "export",
        "delete",
    ]
    assert private["bg"].params["commands"][0]["description"] == t("bg", "coach-cmd-start")
    assert private[None].params["commands"][0]["description"] == t("en", "coach-cmd-start")
    groups = [c for c in calls if c.params.get("scope") == {"type": "all_group_chats"}]
    assert {c.params.get("language_code") for c in groups} == {None, "bg"}


def _no_rule_broken(api: BotApiStandIn) -> bool:
    failed = api.failed_calls()
    assert not failed, [(c.method, c.status) for c in failed]
    return True
