"""The follow-up on Telegram (issue 15): Done's buttons, the due question, /stats, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.engine import Engine
from bot.reminders import ReminderScheduler
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.telegram.conftest import Clock, MakeUser
from tests.telegram.script import play, to_reply


async def _due(engine: Engine, channel: TelegramChannel) -> int:
    scheduler = ReminderScheduler(engine=engine, platform=channel.name, send=channel.deliver)
    return await scheduler.run_once()


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_the_follow_up_asks_and_records_the_outcome(
    api: BotApiStandIn,
    engine: Engine,
    adapter: TelegramChannel,
    clock: Clock,
    make_user: MakeUser,
    language: str,
) -> None:
    user = make_user(language_code=language)
    client = "Acme <Studio> & Co"  # escaped in HTML like every typed fact
    await play(user, to_reply(client=client, language=language), language=language)
    await user.press(t(language, "coach-btn-done"))
    assert user.labels() == [
        t(language, "outcome-btn-in-2-days"),
        t(language, "outcome-btn-in-a-week"),
        t(language, "outcome-btn-dont-ask"),
    ]

    clock.advance(timedelta(days=3, minutes=1))
    assert await _due(engine, adapter) == 1
    assert await _due(engine, adapter) == 0  # exactly once
    asked = user.bot_messages()[-1]
    assert t(language, "outcome-ask-named", client=client) in asked["text"]
    assert t(language, "outcome-btn-escalated") in user.labels()

    await user.press(t(language, "outcome-btn-parted"))
    assert t(language, "outcome-amount-prompt") in user.bot_messages()[-1]["text"]
    await user.say("400")
    await user.press(t(language, "outcome-btn-skip"))
    assert t(language, "outcome-thanks") in user.bot_messages()[-1]["text"]

    await user.say("/stats")
    stats = user.bot_messages()[-1]["text"]
    assert t(language, "outcome-stats-parted", count=1) in stats
    assert ("€400.00" if language == "en" else "400,00\u00a0€") in stats
    await user.say("/cases")
    assert t(language, "outcome-label-parted") in user.bot_messages()[-1]["text"]
    assert api.failed_calls() == []
