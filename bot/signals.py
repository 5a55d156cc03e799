"""Run until the operator stops the process (SIGINT or SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

_LOGGER = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT or SIGTERM while the block runs (the handlers are removed after).

    Where the loop cannot install handlers (not the main thread, Windows), the
    block still runs; cancellation or end of input then ends it.
    """
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for signum in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


async def until_stopped() -> None:
    """Wait for SIGINT or SIGTERM (or for the task to be cancelled)."""
    stop = asyncio.Event()
    with stop_on_signals(stop):
        await stop.wait()
    _LOGGER.info("stopping")
