"""One send rate for every worker (issue 13): Telegram per bot token, Slack per channel.

Each send of the outbox first reserves a slot of its budgets — a GCRA "theoretical
arrival time" per budget. On PostgreSQL the slot is reserved in the shared
``rate_limits`` row (one upsert under the row's lock), so N workers together keep
to one rate; on SQLite (one process) an in-process copy of the same algorithm is
enough. The platform's own limits stay in front as well (PTB's ``AIORateLimiter``
per process, slack_sdk's retry of a 429), and a 429 that still comes is waited
out by the outbox (``retry_after``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass

from storage import DATABASE_ERRORS, Storage
from storage.outbox import reserve_send_slot

_LOGGER = logging.getLogger(__name__)


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
#: bot token (29 leaves room for network jitter between two workers' sends).
PLATFORM_RATES: dict[str, Rate] = {"telegram": Rate(29.0)}
#: One budget per destination: Slack paces chat.postMessage at about 1/s per channel,
#: short bursts allowed (a step's few messages go out at once).
TARGET_RATES: dict[str, Rate] = {"slack": Rate(1.0, burst=5)}


def _budget_name(platform: str, target: str) -> str:
    """A budget's row name; a destination (a chat or channel id) only as a hash."""
    digest = hashlib.sha256(f"{platform}\x00{target}".encode()).hexdigest()[:40]
    return f"{platform}:{digest}"


class Pacer:
    """Waits before a send until the budgets of its platform and destination allow it.

    Args:
        storage: the repository; on PostgreSQL the budgets are shared rows.
        platform_rates: one budget per platform (all workers together).
        target_rates: one budget per destination, by platform.
    """

    def __init__(
        self,
        *,
        storage: Storage,
        platform_rates: dict[str, Rate] | None = None,
        target_rates: dict[str, Rate] | None = None,
    ) -> None:
        self._storage = storage
        self._shared = storage.dialect == "postgresql"
        self.platform_rates = dict(PLATFORM_RATES if platform_rates is None else platform_rates)
        self.target_rates = dict(TARGET_RATES if target_rates is None else target_rates)
        #: The in-process budgets (SQLite, or PostgreSQL unreachable): name -> arrival time.
        self._local: dict[str, float] = {}

    async def pace(self, platform: str, target: str) -> None:
        """Wait until one more send of ``platform`` to ``target`` is within every budget."""
        budgets: list[tuple[str, Rate]] = []
        if (rate := self.platform_rates.get(platform)) is not None:
            budgets.append((platform, rate))
        if (rate := self.target_rates.get(platform)) is not None:
            budgets.append((_budget_name(platform, target), rate))
        for name, rate in budgets:
            wait = await self._reserve(name, rate)
            if wait > 0:
                await asyncio.sleep(wait)

    async def _reserve(self, name: str, rate: Rate) -> float:
        if self._shared:
            try:
                async with self._storage.transaction() as tx:
                    return await reserve_send_slot(
                        tx.connection, name=name, period=rate.period, tolerance=rate.tolerance
                    )
            except DATABASE_ERRORS as error:
                _LOGGER.warning(
                    "the shared send budget failed (%s); pacing locally", type(error).__name__
                )
        return self._reserve_locally(name, rate)

    def _reserve_locally(self, name: str, rate: Rate) -> float:
        now = time.monotonic()
        arrival = max(self._local.get(name, now), now) + rate.period
        self._local[name] = arrival
        if len(self._local) > 10_000:  # forget budgets long idle
            self._local = {k: v for k, v in self._local.items() if v > now}
        return arrival - now - rate.period - rate.tolerance
