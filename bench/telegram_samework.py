"""The same-work baseline: a bare python-telegram-bot bot making our bot's Bot API calls.

``python -m bench.telegram_samework --base-url URL --token T --playbook FILE`` polls
the Bot API at ``URL`` and, for every update, makes the calls our bot makes for
that step of the user's script (:mod:`bench.playbook`): for a text or a
command, ``sendMessage`` of each rendered message (HTML, inline keyboard, no
link preview); for a button press, ``answerCallbackQuery``, ``editMessageText``
of the question (its HTML plus the chosen answer, no keyboard) and the
``sendMessage`` calls, the three at once as ours does. No coach, no storage,
no state machine, no rate limiter: one counter per user says where in the
script they are. What ours costs on top of this is what the coach costs.

``--request aiohttp`` (the default) uses the same PTB networking backend as
our bot (:class:`bot.channels.telegram.request.AiohttpRequest`, a
``BaseRequest`` on aiohttp); ``--request httpx`` PTB's stock ``HTTPXRequest``.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import logging
import sys
from pathlib import Path
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

_LOGGER = logging.getLogger("bench.telegram_samework")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Replayer:
    """Where each user is in their script, and what to send for their next update."""

    def __init__(self, playbook: list[list[dict[str, Any]]], *, first_user_id: int) -> None:
        self.playbook = playbook
        self.first_user_id = first_user_id
        self.position: dict[int, int] = {}

    def next_entry(self, user_id: int) -> dict[str, Any]:
        """The playbook entry of ``user_id``'s next action (scripts start over at the end)."""
        script = self.playbook[(user_id - self.first_user_id) % len(self.playbook)]
        position = self.position.get(user_id, 0)
        self.position[user_id] = (position + 1) % len(script)
        return script[position]

    async def send(self, update: Update, entry: dict[str, Any]) -> None:
        """Send the step's messages, in order."""
        chat = update.effective_chat
        assert chat is not None
        bot = update.get_bot()
        for message in entry["messages"]:
            markup = None
            if message["keyboard"]:
                markup = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(b["text"], callback_data=b["callback_data"])
                            for b in row
                        ]
                        for row in message["keyboard"]
                    ]
                )
            await bot.send_message(
                chat_id=chat.id,
                text=message["html"],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed text or command: the step's messages."""
        user = update.effective_user
        assert user is not None
        await self.send(update, self.next_entry(user.id))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press: answer it, edit the question, send the next messages, all at once."""
        query = update.callback_query
        assert query is not None
        entry = self.next_entry(query.from_user.id)
        label = ""
        message = query.message
        if isinstance(message, Message) and message.reply_markup is not None:
            for row in message.reply_markup.inline_keyboard:
                for button in row:
                    if button.callback_data == query.data:
                        label = button.text
        work: list[Any] = [query.answer()]
        if isinstance(message, Message) and message.text:
            edited = message.text_html + "\n\n" + html.escape(f"✓ {label}", quote=False)
            work.append(
                message.edit_text(
                    edited,
                    parse_mode=ParseMode.HTML,
                    reply_markup=None,
                    link_preview_options=NO_PREVIEW,
                )
            )
        work.append(self.send(update, entry))
        await asyncio.gather(*work)


def main() -> int:
    """Build the application and poll until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="Bot API base URL, ending in /bot")
    parser.add_argument("--token", required=True)
    parser.add_argument("--playbook", required=True, help="JSON file (bench.playbook)")
    parser.add_argument("--first-user-id", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--request", choices=("aiohttp", "httpx"), default="aiohttp")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    replayer = Replayer(
        json.loads(Path(args.playbook).read_text()), first_user_id=args.first_user_id
    )
    builder = ApplicationBuilder().token(args.token).base_url(args.base_url).job_queue(None)
    if args.request == "aiohttp":
        from bot.channels.telegram.request import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    if args.concurrency > 1:
        builder = builder.concurrent_updates(args.concurrency)
    application = builder.build()
    application.add_handler(CallbackQueryHandler(replayer.on_press))
    application.add_handler(MessageHandler(filters.TEXT, replayer.on_text))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
