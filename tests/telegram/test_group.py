"""Groups and channels: no coaching in public; /start points to a private chat."""

from __future__ import annotations

import pytest

from bot.channels.telegram.inputs import conversation_key
from bot.engine import Engine
from flows.i18n import t
from tests.helpers.standins.telegram import BOT_USERNAME, BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver
from tests.telegram.conftest import MakeUser

GROUP = {"id": -100123, "type": "supergroup", "title": "Freelancers <&>"}


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize("command", ["/start", f"/start@{BOT_USERNAME}"])
async def test_start_in_a_group_points_to_a_private_chat(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, language: str, command: str
) -> None:
    user = make_user(language_code=language, chat=GROUP)

    [pointer] = await user.say(command)

    assert pointer["chat"]["id"] == GROUP["id"]
    assert pointer["text"] == t(language, "tg-group-pointer")
    [[button]] = pointer["reply_markup"]["inline_keyboard"]
    assert button["text"] == t(language, "tg-group-button")
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?start=coach"
    # Nothing about the user was stored.
    assert await engine.storage.find_user(conversation_key(user.user_id)) is None


@pytest.mark.parametrize(
    "text", ["Hi coach, my client rejected my logo", "/help", "/restart", "/start@another_bot"]
)
async def test_everything_else_in_a_group_is_ignored(
    api: BotApiStandIn, engine: Engine, make_user: MakeUser, text: str
) -> None:
    user = make_user(language_code="en", chat=GROUP)

    assert await user.say(text) == []

    assert api.calls_to("sendMessage") == []
    assert await engine.storage.find_user(conversation_key(user.user_id)) is None


async def test_photos_and_edits_in_a_group_are_ignored(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    user = make_user(language_code="en", chat=GROUP)

    await user.send_content(
        photo=[{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}]
    )
    await user.edit(1, "edited")

    assert api.calls_to("sendMessage") == []


async def test_start_in_a_channel_points_to_a_private_chat(
    api: BotApiStandIn, webhook_deliver: Deliver
) -> None:
    channel = {"id": -100777, "type": "channel", "title": "News"}
    post = {
        "message_id": 1,
        "date": 0,
        "chat": channel,
        "sender_chat": channel,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }

    await webhook_deliver({"channel_post": post})

    [call] = api.calls_to("sendMessage")
    assert call.params["chat_id"] == channel["id"]
    assert call.text == t("en", "tg-group-pointer")
