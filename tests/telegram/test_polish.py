"""The AI polish on Telegram (issue 16): the real PTB against the Bot API stand-in,
the real openai SDK against the OpenAI-compatible stand-in.

The model is called after the webhook update is processed (in the background,
as ``serve`` and ``run_channel`` wire it), and its draft arrives as new messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.engine import Engine
from bot.llm import LlmSettings, Polisher
from flows.coach import Coach
from flows.i18n import t
from storage import Storage
from tests.helpers.openai_standin import ADDED_SENTENCE, MODEL, OpenAIStandIn, polish_letter
from tests.helpers.standins.telegram import BotApiStandIn
from tests.telegram.conftest import Clock, MakeUser
from tests.telegram.script import entity_text, play, to_reply

pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")

#: The Telegram first name of the user: it must never reach the model.
FIRST_NAME = "Зорница"


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    """The OpenAI-compatible stand-in, answering with the request's letter reworked."""
    server = OpenAIStandIn(default=polish_letter())
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def engine(  # overrides the package's engine: this one has a model
    storage: Storage, clock: Clock, standin: OpenAIStandIn
) -> AsyncIterator[Engine]:
    """The real engine with the polisher pointed at the stand-in."""
    polisher = Polisher(LlmSettings(base_url=standin.base_url, model=MODEL, timeout_seconds=5))
    engine = Engine(storage=storage, coach=Coach(), clock=clock, polisher=polisher)
    try:
        yield engine
    finally:
        await engine.aclose()


@pytest.mark.parametrize("language", ["bg", "en"])
async def test_the_button_and_the_polished_draft_on_telegram(
    api: BotApiStandIn,
    engine: Engine,
    adapter: TelegramChannel,
    make_user: MakeUser,
    standin: OpenAIStandIn,
    language: str,
) -> None:
    engine.deliver_model_answers_with(adapter.name, adapter.deliver)  # as the wiring does
    user = make_user(language_code=language, first_name=FIRST_NAME)
    await play(user, to_reply(client="Acme Studio", language=language), language=language)
    assert user.has_button(t(language, "coach-btn-polish"))

    acked = await user.press(t(language, "coach-btn-polish"))

    # The webhook update is done before the model answers: only the "working" note.
    assert any(t(language, "coach-polish-working") in m.get("text", "") for m in acked)
    await engine.wait_for_model_calls()
    drafts = [
        m
        for m in user.bot_messages()
        if entity_text(m, "bold") == [t(language, "coach-polish-draft-title")]
    ]
    assert len(drafts) == 1
    body = entity_text(drafts[0], "pre")[0]
    assert ADDED_SENTENCE["Bulgarian" if language == "bg" else "English"] in body
    assert "Acme Studio" in body
    assert user.has_button(t(language, "coach-btn-polish-original"))

    sent = standin.everything_sent()
    assert len(standin.requests) == 1
    assert FIRST_NAME not in sent and str(user.user_id) not in sent


async def test_without_a_model_telegram_offers_no_polish(
    api: BotApiStandIn, storage: Storage, clock: Clock, make_user: MakeUser
) -> None:
    plain = Engine(storage=storage, coach=Coach(), clock=clock)
    bot = TelegramChannel(engine=plain, token=api.token, base_url=api.base_url)
    await bot.start()
    try:

        async def deliver(update: dict[str, object]) -> None:
            update["update_id"] = api.new_update_id()
            await bot.process_webhook_update(update)

        user = make_user(language_code="en", deliver=deliver)
        await play(user, to_reply(client="Acme Studio"), language="en")
        assert user.has_button(t("en", "coach-btn-done"))
        assert not user.has_button(t("en", "coach-btn-polish"))
    finally:
        await bot.stop()
