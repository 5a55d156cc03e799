"""Keep one conversation's inputs in arrival order, in this process.

The engine is safe under concurrency (version checks), so different users may
run in parallel; but two messages typed quickly by one user must reach the
engine in the order they were sent, or the answers land in the wrong fields.
Every channel serialises per conversation with one :class:`KeyedLock`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLock(Generic[K]):
    """One :class:`asyncio.Lock` per key, forgotten as soon as nobody holds or waits for it.

    ``asyncio.Lock`` wakes its waiters in FIFO order, so the holders of one key
    run in the order they called :meth:`hold`. Memory does not grow with the
    number of keys ever seen: only the keys in use are remembered.
    """

    __slots__ = ("_locks",)

    def __init__(self) -> None:
        """Start with no key in use."""
        self._locks: dict[K, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        """How many keys are held or waited for right now."""
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Wait for the earlier holders of ``key``, then hold it for the block."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
