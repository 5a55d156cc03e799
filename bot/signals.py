"""Run until the operator stops the process (SIGINT or SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator

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


async def run_until_stopped(*jobs: Callable[[], Awaitable[None]]) -> None:
    """Run ``jobs`` side by side until SIGINT/SIGTERM, or until one of them ends.

    The first job to end (end of input, a dead loop) stops the others; if it
    failed, its exception is raised here, after the others were cancelled.
    """
    stop = asyncio.Event()
    with stop_on_signals(stop):
        tasks = [asyncio.ensure_future(job()) for job in jobs]
        stopped = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*tasks, stopped):
                task.cancel()
            await asyncio.gather(*tasks, stopped, return_exceptions=True)
    for task in tasks:
        if task in done and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    _LOGGER.info("stopping")
