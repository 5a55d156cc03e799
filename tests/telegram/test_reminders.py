"""Reminders reach the user's private chat when due — also after a restart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.channels.telegram.channel import TelegramChannel
from bot.engine import Engine
from bot.reminders import ReminderScheduler
from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver
from tests.telegram.conftest import Clock, MakeUser


async def test_a_cool_down_reminder_arrives_after_a_restart(
    api: BotApiStandIn,
    engine: Engine,
    adapter: TelegramChannel,
    clock: Clock,
    make_user: MakeUser,
) -> None:
    user = make_user(language_code="bg")
    await user.say("/start")
    await user.press(t("bg", "coach-btn-upset"))
    await user.press(t("bg", "coach-btn-remind-15"))
    assert await _due(engine, adapter) == 0  # not due yet

    # The bot restarts; 16 minutes later a new process delivers the reminder.
    await adapter.stop()
    restarted = TelegramChannel(engine=engine, token=api.token, base_url=api.base_url)
    await restarted.start()
    try:
        clock.advance(timedelta(minutes=16))
        sent_before = len(api.calls_to("sendMessage"))
        assert await _due(engine, restarted) == 1
        assert await _due(engine, restarted) == 0  # exactly once

        reminder = api.calls_to("sendMessage")[sent_before:]
        assert reminder[0].params["chat_id"] == user.user_id
        assert t("bg", "coach-reminder-cool-down") in reminder[0].text
        # The current question comes with its buttons, ready to press.
        assert reminder[-1].callback_data()
        user.deliver = _webhook(api, restarted)
        replies = await user.press(t("bg", "coach-btn-ready"))
        assert replies
        assert api.failed_calls() == []
    finally:
        await restarted.stop()


async def test_a_reminder_for_a_user_who_blocked_the_bot_is_dropped(
    api: BotApiStandIn,
    engine: Engine,
    adapter: TelegramChannel,
    clock: Clock,
    make_user: MakeUser,
) -> None:
    user = make_user(language_code="en")
    await user.say("/start")
    await user.press(t("en", "coach-btn-upset"))
    await user.press(t("en", "coach-btn-remind-15"))
    clock.advance(timedelta(minutes=16))
    api.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )

    await _due(engine, adapter)

    assert await _due(engine, adapter) == 0  # claimed once, not retried forever


def _webhook(api: BotApiStandIn, adapter: TelegramChannel) -> Deliver:
    async def deliver(update: dict[str, Any]) -> None:
        update["update_id"] = api.new_update_id()
        await adapter.process_webhook_update(update)

    return deliver


async def _due(engine: Engine, channel: TelegramChannel) -> int:
    """Claim and send the reminders due now, once, through ``channel``; how many went out."""
    scheduler = ReminderScheduler(engine=engine, platform=channel.name, send=channel.deliver)
    return await scheduler.run_once()
