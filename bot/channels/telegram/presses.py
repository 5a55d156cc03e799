"""A pressed inline button: the engine judges it, the question shows the chosen answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from bot.channels.telegram.application import NO_PREVIEW
from bot.channels.telegram.render import with_chosen
from bot.engine import EngineResult
from flows.i18n import normalise_language, t
from flows.io import ChoiceInput, ChoiceOutcome, UserInput

_LOGGER = logging.getLogger(__name__)

#: The channel's way to run one input through the engine.
Handle = Callable[[Update, UserInput], Awaitable[EngineResult]]
#: The channel's way to send a step's replies to a chat (from the outbox when queued).
Send = Callable[..., Awaitable[None]]


async def on_callback_query(update: Update, *, handle: Handle, send: Send) -> None:
    """Answer the press, then (at once) mark the question answered and send what comes next.

    A press outside a private chat, or on someone else's message, only stops the spinner.
    """
    query = update.callback_query
    assert query is not None
    message = query.message
    if (
        message is None
        or message.chat.type != ChatType.PRIVATE
        or not query.data
        or query.from_user.id != message.chat.id
    ):
        await answer(query)
        return
    try:
        result = await handle(update, ChoiceInput(query.data))
    except Exception:
        language = normalise_language(query.from_user.language_code)
        await answer(query, t(language, "tg-error-retry"))
        raise
    notice = None
    if result.choice is ChoiceOutcome.STALE and not result.duplicate:
        notice = t(result.language, "tg-stale-notice")
    # Stop the spinner, mark the question answered and send what comes next at the
    # same time: three independent requests, one round trip (the sent messages keep
    # their order among themselves). The answer to the press and the "✓ your answer"
    # edit are best-effort, outside the outbox: both are cosmetic and tied to this
    # moment (a press is answerable for seconds only; the state is already saved, and
    # the next question arrives through the outbox either way).
    work: list[Awaitable[object]] = [answer(query, notice)]
    if not result.duplicate:
        if result.choice is ChoiceOutcome.ACCEPTED and isinstance(message, Message):
            work.append(show_chosen(message, label=result.chosen_label, language=result.language))
        work.append(send(chat_id=message.chat.id, result=result))
    await asyncio.gather(*work)


async def show_chosen(message: Message, *, label: str | None, language: str) -> None:
    """Edit the answered question: the chosen answer under it and no more buttons."""
    edited = None
    if label and message.text:
        edited = with_chosen(message.text_html, label=label, language=language)
    try:
        if edited is not None:
            await message.edit_text(
                edited,
                parse_mode=ParseMode.HTML,
                reply_markup=None,  # editing without a keyboard removes it
                link_preview_options=NO_PREVIEW,
            )
        else:
            await message.edit_reply_markup(reply_markup=None)
    except BadRequest as error:
        # Too old to edit, or already edited by an earlier press: nothing to fix.
        _LOGGER.info("question not edited: %s", error.message)


async def answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query (always: it stops the spinner); never fail the update."""
    try:
        await query.answer(text=text)
    except BadRequest as error:
        # "query is too old" — e.g. a webhook redelivery long after the press.
        _LOGGER.info("callback query not answered: %s", error.message)
