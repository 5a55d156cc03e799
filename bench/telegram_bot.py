"""Our Telegram bot for the benchmark, with the knobs the benchmark turns.

``python -m bench.telegram_bot --concurrency N [--no-rate-limit]`` runs the
same :class:`~bot.channels.telegram.channel.TelegramChannel` and engine as ``rejection-coach
telegram`` (polling, settings from the environment), but lets the benchmark
choose PTB's ``concurrent_updates`` and switch off flood control — PTB's limiter and
the send budget all workers share (issue 13) — which holds every bot to Telegram's
30 messages per second on purpose: a benchmark of CPU per update compares work, not
a deliberate wait (the webhook benchmark runs ``serve`` as shipped, budget on).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

_LOGGER = logging.getLogger("bench.telegram_bot")


async def serve(*, concurrency: int, rate_limit: bool) -> None:
    """Run our channel the way ``rejection-coach telegram`` does, until SIGINT/SIGTERM.

    Through :func:`bot.wiring.run_channel`, the shipped path: whatever the runtime
    runs beside the channel (the reminder loop, model-call deliveries, and any
    delivery loop added later) runs here too; only the channel is built with
    the benchmark's knobs.
    """
    from bot.channels.telegram.channel import TelegramChannel
    from bot.settings import load_settings
    from bot.wiring import open_runtime, run_channel

    settings = load_settings()
    assert settings.telegram_bot_token is not None, "TELEGRAM_BOT_TOKEN is not set"
    async with open_runtime(settings=settings) as runtime:
        if not rate_limit:
            runtime.engine.outbox.pacer.platform_rates.pop("telegram", None)
        channel = TelegramChannel(
            engine=runtime.engine,
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            concurrent_updates=concurrency,
            rate_limit=rate_limit,
        )
        await run_channel(channel, runtime=runtime)


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
