"""Concurrent update processing that keeps each user's updates in order.

PTB's ``concurrent_updates`` runs updates concurrently with no ordering at all:
two messages typed quickly by one user could reach the engine swapped, and the
answers land in the wrong fields. The engine is safe under concurrency (version
checks), so different users may run in parallel; this processor only keeps one
user's updates strictly in arrival order (with :class:`bot.ordering.KeyedLock`, the
same helper the Slack channel uses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.ordering import KeyedLock


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` at once; one user's updates one at a time, in order.

    An update first waits for the earlier updates of its user, and only then for
    a processing slot — so a user who sends many messages at once queues behind
    themselves without taking the slots other users need. PTB's own limit
    (:attr:`max_concurrent_updates`) counts the updates admitted, waiting or
    running; ``max_waiting`` sets it.
    """

    __slots__ = ("_order", "_processing")

    def __init__(self, max_concurrent_updates: int, *, max_waiting: int = 1024) -> None:
        """Create the processor (``max_concurrent_updates`` ≥ 1)."""
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(max(max_waiting, max_concurrent_updates))
        self._processing = asyncio.Semaphore(max_concurrent_updates)
        self._order: KeyedLock[int] = KeyedLock()

    @property
    def users_in_flight(self) -> int:
        """How many users have an update waiting or running (idle users are forgotten)."""
        return len(self._order)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` once no earlier update of the same user is running."""
        user_id = _user_id(update)
        if user_id is None:
            async with self._processing:
                await coroutine
            return
        async with self._order.hold(user_id), self._processing:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _user_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
