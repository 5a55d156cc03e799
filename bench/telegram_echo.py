"""The baseline: a bare python-telegram-bot echo bot (its own process).

``python -m bench.telegram_echo --base-url URL --token T --concurrency N``
polls the Bot API at ``URL`` and answers every text with the same text. Nothing
else: no storage, no rate limiter — the cost of PTB itself.
"""

from __future__ import annotations

import argparse
import logging
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

_LOGGER = logging.getLogger("bench.telegram_echo")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text with the same text."""
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> int:
    """Build the echo application and poll until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="Bot API base URL, ending in /bot")
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    builder = ApplicationBuilder().token(args.token).base_url(args.base_url)
    if args.concurrency > 1:
        builder = builder.concurrent_updates(args.concurrency)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
