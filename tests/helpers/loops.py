"""Running a coroutine from a synchronous test without disturbing pytest-asyncio's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_own_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a private event loop, then close that loop.

    ``asyncio.run`` would also set the thread's current loop to ``None`` when it
    ends, which drops the loop pytest-asyncio (at its lowest supported version)
    leaves installed after an async test: that loop is then garbage-collected
    unclosed at a random later point and its ResourceWarning fails whichever test
    is running (``filterwarnings = error``). A private loop leaves it alone.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
