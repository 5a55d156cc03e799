"""Commands in a private chat: known ones reach the flow, unknown ones list the commands."""

from __future__ import annotations

from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows.case import Step
from flows.i18n import t
from tests.helpers.standins.telegram import BOT_USERNAME, BotApiStandIn
from tests.telegram.conftest import MakeUser


async def test_an_unknown_command_lists_the_commands(make_user: MakeUser) -> None:
    user = make_user(language_code="en")

    replies = await user.say("/frobnicate now")

    text = "\n".join(m["text"] for m in replies)
    assert t("en", "coach-unknown-command") in text
    assert "/delete" in text and "/export" in text


async def test_help_and_commands_addressed_to_this_bot(make_user: MakeUser) -> None:
    user = make_user(language_code="bg")

    replies = await user.say(f"/HELP@{BOT_USERNAME}")

    assert t("bg", "coach-help") in "\n".join(m["text"] for m in replies)


async def test_a_command_for_another_bot_in_the_private_chat_is_answered(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    # The private chat is with this bot: every message there gets an answer (issue 14).
    user = make_user(language_code="bg")

    replies = await user.say("/help@some_other_bot")

    assert t("bg", "coach-help") in "\n".join(m["text"] for m in replies)


async def test_lang_switches_the_coach_language(make_user: MakeUser) -> None:
    user = make_user(language_code="bg")
    await user.say("/start")

    replies = await user.say("/lang")

    assert replies[0]["text"].startswith(t("en", "coach-lang-switched"))
    later = await user.say("/help")
    assert t("en", "coach-help") in "\n".join(m["text"] for m in later)


async def test_back_keeps_the_answers(engine: Engine, make_user: MakeUser) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    await user.press(t("en", "coach-btn-calm"))
    await user.say("Acme")

    await user.say("/back")

    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None
    assert case.step is Step.CLIENT_NAME
    assert case.answers.client_name == "Acme"


async def test_a_draft_shared_into_the_chat_via_inline_mode_is_not_an_answer(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    await user.press(t("en", "coach-btn-calm"))
    sent = len(api.calls_to("sendMessage"))

    bot = {"id": api.bot_id, "is_bot": True, "first_name": "Coach", "username": BOT_USERNAME}
    await user.send_content(text="Dear client, …", via_bot=bot)

    assert len(api.calls_to("sendMessage")) == sent
    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None and case.answers.client_name is None


async def test_the_deep_link_from_a_group_starts_the_coach(make_user: MakeUser) -> None:
    user = make_user(language_code="bg")

    replies = await user.say("/start coach")  # what t.me/<bot>?start=coach sends

    assert replies[0]["text"].startswith(t("bg", "coach-start-prompt"))
