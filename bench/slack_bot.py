"""Our Slack app for the benchmarks, with the per-channel send budget off.

``python -m bench.slack_bot`` runs what ``rejection-coach slack`` runs (HTTP mode,
settings from the environment, through :func:`bot.wiring.run_channel`), with one
knob turned: the send budget that paces ``chat.postMessage`` to about one a second
per channel (issue 13) is switched off, as the Telegram benchmark bot switches off
flood control — a benchmark of CPU per input compares work, not a deliberate wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys


async def serve() -> None:
    """Run our Slack channel the way ``rejection-coach slack`` does, until cancelled."""
    from bot.channels.slack.channel import SlackChannel
    from bot.settings import load_settings
    from bot.wiring import open_runtime, run_channel

    settings = load_settings()
    async with open_runtime(settings=settings) as runtime:
        runtime.engine.outbox.pacer.target_rates.pop("slack", None)
        channel = SlackChannel.from_settings(settings=settings, engine=runtime.engine)
        await run_channel(channel, runtime=runtime)


def main() -> int:
    """Serve until SIGINT/SIGTERM."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
