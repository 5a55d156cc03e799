"""One send rate for every worker (issue 13): Telegram per bot token, Slack per channel.

Each send of the outbox first reserves a slot of its budgets — a GCRA "theoretical
arrival time" per budget. The budgets every worker shares (:class:`SharedBudgets`)
are kept in the PostgreSQL ``rate_limits`` row (one upsert under the row's lock), or
in Redis when ``REDIS_URL`` is set (:mod:`bot.engine.pacing_redis`, one Lua script),
so N workers together keep to one rate; on SQLite without Redis (one process) an
in-process copy of the same algorithm is enough. When the shared store fails, each
worker paces alone (the in-process copy) and tries the store again a second later.
The platform's own limits stay in front as well (PTB's ``AIORateLimiter`` per
process, slack_sdk's retry of a 429), and a 429 that still comes is waited out by
the outbox (``retry_after``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from storage import DATABASE_ERRORS, Storage
from storage.outbox import reserve_send_slot

_LOGGER = logging.getLogger(__name__)

#: After the shared store failed, budgets are kept in the process for this long (seconds)
#: before the store is tried again: an outage costs one failed call a second, not one a send.
SHARED_RETRY_SECONDS = 1.0

#: A sender woken this much later than its slot (seconds: a busy event loop, a process
#: the machine did not schedule) takes a fresh slot instead of sending on the old one.
#: Its old slot went by while the other workers kept sending on theirs, so sending now
#: would put its message beside theirs, and a stalled worker's several late sends
#: would all go out at once: more than the budget in one second. A slot missed by
#: less than this is still used, so the late sends in any one second stay within
#: ``rate × LATE_SLOT_SECONDS`` of the budget; a miss costs the budget that one slot.
LATE_SLOT_SECONDS = 0.2
#: How many fresh slots a sender takes after late wake-ups before it sends anyway (a
#: worker that is late every time must still make progress).
LATE_SLOT_RETRIES = 2


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` sends on average; up to ``burst`` at once after a pause."""

    per_second: float
    burst: int = 1

    @property
    def period(self) -> float:
        """Seconds between two sends at the steady rate."""
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        """How far (seconds) a burst may run ahead of the steady rate."""
        return (self.burst - 1) * self.period


#: One budget per platform, shared by every worker: Telegram allows 30 messages/s per
#: bot token (28 leaves room for network and scheduling jitter between the workers'
#: sends: at 29 the benchmark saw 31 in its busiest second, with one worker and with two).
PLATFORM_RATES: dict[str, Rate] = {"telegram": Rate(28.0)}
#: One budget per destination: Slack paces chat.postMessage at about 1/s per channel,
#: short bursts allowed (a step's few messages go out at once).
TARGET_RATES: dict[str, Rate] = {"slack": Rate(1.0, burst=5)}


def _budget_name(platform: str, target: str) -> str:
    """A budget's row name; a destination (a chat or channel id) only as a hash."""
    digest = hashlib.sha256(f"{platform}\x00{target}".encode()).hexdigest()[:40]
    return f"{platform}:{digest}"


class SharedBudgets(Protocol):
    """Budgets every worker reserves its sends from (PostgreSQL rows, Redis keys)."""

    #: Where they are kept, for logs and ``/metrics``: ``postgresql`` or ``redis``.
    store: str
    #: What the store raises when it is unreachable or broken (then: pace locally).
    errors: tuple[type[BaseException], ...]

    async def reserve(self, name: str, rate: Rate) -> float:
        """Reserve one send of budget ``name``; the seconds to wait before it (<= 0: now)."""
        ...

    async def aclose(self) -> None:
        """Release the store's connections; idempotent."""
        ...


class PostgresBudgets:
    """The shared budgets as rows of ``rate_limits`` (:func:`storage.outbox.reserve_send_slot`)."""

    store = "postgresql"
    errors = DATABASE_ERRORS

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def reserve(self, name: str, rate: Rate) -> float:
        """Reserve one send in the budget's row (one upsert under its lock)."""
        async with self._storage.transaction() as tx:
            return await reserve_send_slot(
                tx.connection, name=name, period=rate.period, tolerance=rate.tolerance
            )

    async def aclose(self) -> None:
        """Nothing to release: the storage's pool is the storage's."""


class Pacer:
    """Waits before a send until the budgets of its platform and destination allow it.

    Args:
        storage: the repository; on PostgreSQL the budgets are shared rows.
        platform_rates: one budget per platform (all workers together).
        target_rates: one budget per destination, by platform.
        shared: where the shared budgets are kept; by default the PostgreSQL rows
            (on SQLite: none, in the process). Replaceable later (:attr:`shared`).
    """

    def __init__(
        self,
        *,
        storage: Storage,
        platform_rates: dict[str, Rate] | None = None,
        target_rates: dict[str, Rate] | None = None,
        shared: SharedBudgets | None = None,
    ) -> None:
        if shared is None and storage.dialect == "postgresql":
            shared = PostgresBudgets(storage)
        #: The budgets all workers share (``None``: this process alone, SQLite).
        self.shared: SharedBudgets | None = shared
        self.platform_rates = dict(PLATFORM_RATES if platform_rates is None else platform_rates)
        self.target_rates = dict(TARGET_RATES if target_rates is None else target_rates)
        #: Told the store's name for each send paced locally because the store failed.
        self.on_fallback: Callable[[str], None] | None = None
        #: Slots given up because this process woke too late for them (LATE_SLOT_SECONDS).
        self.late_slots = 0
        #: Told the platform's name for each slot given up that way (a metric).
        self.on_late_slot: Callable[[str], None] | None = None
        #: How long after a failure of the shared store it is tried again (seconds).
        self.retry_shared_after = SHARED_RETRY_SECONDS
        #: The in-process budgets (SQLite, or the shared store unreachable): name -> arrival.
        self._local: dict[str, float] = {}
        #: Until when (monotonic) the shared store is skipped after a failure.
        self._shared_down_until = 0.0
        self._shared_down = False

    async def pace(self, platform: str, target: str) -> None:
        """Wait until one more send of ``platform`` to ``target`` is within every budget."""
        budgets: list[tuple[str, Rate]] = []
        if (rate := self.platform_rates.get(platform)) is not None:
            budgets.append((platform, rate))
        if (rate := self.target_rates.get(platform)) is not None:
            budgets.append((_budget_name(platform, target), rate))
        for name, rate in budgets:
            for attempt in range(LATE_SLOT_RETRIES + 1):
                wait = await self._reserve(name, rate)
                if wait <= 0:
                    break
                due = time.monotonic() + wait
                await asyncio.sleep(wait)
                if time.monotonic() - due <= LATE_SLOT_SECONDS or attempt == LATE_SLOT_RETRIES:
                    break
                self.late_slots += 1  # given up: the next loop takes a fresh one
                if self.on_late_slot is not None:
                    self.on_late_slot(platform)

    @property
    def degraded(self) -> bool:
        """Whether the last try of the shared store failed (the budgets are local now)."""
        return self._shared_down

    async def aclose(self) -> None:
        """Close the shared store's connections (a Redis client); idempotent."""
        if self.shared is not None:
            await self.shared.aclose()

    async def _reserve(self, name: str, rate: Rate) -> float:
        shared = self.shared
        if shared is None:
            return self._reserve_locally(name, rate)
        if time.monotonic() >= self._shared_down_until:
            try:
                wait = await shared.reserve(name, rate)
            except shared.errors as error:
                self._shared_down_until = time.monotonic() + self.retry_shared_after
                if not self._shared_down:
                    self._shared_down = True
                    _LOGGER.warning(
                        "the shared send budget (%s) failed (%s); pacing locally",
                        shared.store,
                        type(error).__name__,
                    )
            else:
                if self._shared_down:
                    self._shared_down = False
                    _LOGGER.info("the shared send budget (%s) is back", shared.store)
                return wait
        if self.on_fallback is not None:
            self.on_fallback(shared.store)
        return self._reserve_locally(name, rate)

    def _reserve_locally(self, name: str, rate: Rate) -> float:
        now = time.monotonic()
        arrival = max(self._local.get(name, now), now) + rate.period
        self._local[name] = arrival
        if len(self._local) > 10_000:  # forget budgets long idle
            self._local = {k: v for k, v in self._local.items() if v > now}
        return arrival - now - rate.period - rate.tolerance
