"""Our Telegram bot for the benchmark, with the knobs the benchmark turns.

``python -m bench.telegram_bot --concurrency N [--no-rate-limit]`` runs the
same :class:`~bot.channels.telegram.channel.TelegramChannel` and engine as ``rejection-coach
telegram`` (polling, settings from the environment), but lets the benchmark
choose PTB's ``concurrent_updates`` and switch off the flood-control limiter
(which holds every bot to Telegram's 30 messages per second on purpose).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

_LOGGER = logging.getLogger("bench.telegram_bot")


async def serve(*, concurrency: int, rate_limit: bool) -> None:
    """Poll with our adapter until SIGINT/SIGTERM."""
    from bot.channels.telegram.channel import TelegramChannel
    from bot.settings import load_settings
    from bot.wiring import open_engine

    settings = load_settings()
    assert settings.telegram_bot_token is not None, "TELEGRAM_BOT_TOKEN is not set"
    async with open_engine(settings=settings) as engine:
        adapter = TelegramChannel(
            engine=engine,
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            concurrent_updates=concurrency,
            rate_limit=rate_limit,
        )
        await adapter.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await adapter.start_polling(timeout=5.0)
            await stop.wait()
        finally:
            await adapter.stop()


def main() -> int:
    """Parse the knobs and poll."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # as `rejection-coach` does (bot.cli.main)
    asyncio.run(serve(concurrency=args.concurrency, rate_limit=not args.no_rate_limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
