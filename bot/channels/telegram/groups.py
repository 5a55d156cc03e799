"""Groups and channels: no coaching in public; ``/start`` there points to a private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.helpers import create_deep_linked_url

from bot.channels.telegram.application import NO_PREVIEW
from bot.channels.telegram.inline import DEEP_LINK_PAYLOAD
from bot.channels.telegram.render import escape
from flows.i18n import normalise_language, t


async def point_to_private_chat(update: Update, *, bot_username: str) -> None:
    """Answer ``/start`` in a group with a button that opens the private chat with the bot."""
    chat = update.effective_chat
    assert chat is not None
    user = update.effective_user
    language = normalise_language(user.language_code if user else None)
    url = create_deep_linked_url(bot_username, DEEP_LINK_PAYLOAD)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(language, "tg-group-button"), url=url)]])
    await chat.send_message(
        escape(t(language, "tg-group-pointer")),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=NO_PREVIEW,
    )
