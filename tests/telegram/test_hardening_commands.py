"""A command addressed to another bot (issue 14, item 8b; red-team fuzzing finding).

``/start@other_bot`` typed in the private chat with this bot got no answer at all. In a
private chat every message gets an answer; in groups, commands addressed to other bots
stay ignored (tests/telegram/test_group.py checks that too).
"""

from __future__ import annotations

import pytest

from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.telegram.conftest import MakeUser

GROUP = {"id": -100777, "type": "supergroup", "title": "Freelancers"}


@pytest.mark.parametrize("language", ["bg", "en"])
async def test_start_for_another_bot_in_the_private_chat_is_answered(
    make_user: MakeUser, language: str
) -> None:
    user = make_user(language_code=language)

    received = await user.say("/start@other_bot")

    assert received, "the private chat got no answer"
    assert received[0]["text"].startswith(t(language, "coach-start-prompt"))


async def test_help_for_another_bot_mid_conversation_is_answered(make_user: MakeUser) -> None:
    user = make_user(language_code="en")
    await user.say("/start")

    assert await user.say("/help@SomeOtherBot extra words")


async def test_a_command_for_another_bot_in_a_group_stays_ignored(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    user = make_user(language_code="en", chat=GROUP)

    assert await user.say("/start@other_bot") == []
    assert await user.say("/help@other_bot") == []
    assert api.calls_to("sendMessage") == []
