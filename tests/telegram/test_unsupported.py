"""Photos, stickers, voice, files and edited messages (FLOW.md: "I can only read text")."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows.case import Step
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.telegram.conftest import MakeUser

_FILE = {"file_id": "F1", "file_unique_id": "U1"}

CONTENTS: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{**_FILE, "width": 90, "height": 90}], "caption": "look"},
    "sticker": {
        "sticker": {
            **_FILE,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "voice": {"voice": {**_FILE, "duration": 3}},
    "document": {"document": {**_FILE, "file_name": "brief.pdf"}},
    "location": {"location": {"latitude": 42.7, "longitude": 23.3}},
}


@pytest.mark.parametrize("kind", sorted(CONTENTS))
async def test_non_text_messages_get_a_clear_answer_and_change_nothing(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, kind: str
) -> None:
    user = make_user(language_code="bg")
    await user.say("/start")
    await user.press(t("bg", "coach-btn-calm"))

    replies = await user.send_content(**CONTENTS[kind])

    assert t("bg", "coach-text-only") in replies[0]["text"]
    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None and case.step is Step.CLIENT_NAME
    assert case.answers.client_name is None


@pytest.mark.parametrize("language", ["bg", "en"])
async def test_edited_messages_are_not_read_again(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, language: str
) -> None:
    user = make_user(language_code=language)
    await user.say("/start")
    await user.press(t(language, "coach-btn-calm"))
    await user.say("Acme")

    replies = await user.edit(2, "Beta Ltd")  # the message "Acme"

    assert [m["text"] for m in replies] == [t(language, "tg-edit-ignored")]
    case = await engine.active_case(conversation_key(user.user_id))
    assert case is not None
    assert case.answers.client_name == "Acme"
    assert case.step is Step.DELIVERY
