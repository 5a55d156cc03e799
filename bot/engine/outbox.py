"""The delivery side of the outbox (issue 13): claim queued messages, send them, settle the row.

The engine writes a step's outgoing messages into the ``outbox`` table in the
step's own transaction (:meth:`bot.engine.Engine.handle`), for every platform
whose channel registered a sender (:meth:`Outbox.register`). They leave the
database in two ways, both through the same claim, so no message is sent twice
by two workers and a conversation's messages keep their order:

- at once, by the worker that committed the step (:meth:`Outbox.deliver_now`,
  called by the channel right after the engine returned): the normal latency
  stays what it was;
- by the delivery loop of every process (:meth:`Outbox.run`): retries after a
  failure (5xx, timeout, network error: backoff; 429: the platform's
  ``retry_after``), reminders and AI answers woken by :meth:`Outbox.wake`, and
  the rows of a worker that died holding them (its lease runs out).

A row is deleted once the platform accepted every part, and kept as *failed*
(the error kind only, its text dropped) after a permanent error. The delete of
a sent row rides along with this worker's next transaction on the database (a
step's, a claim's), or the delivery loop's, woken :data:`SETTLE_DELAY_SECONDS`
after the send — under load one commit fewer per message. Delivery is at least
once: a send the platform accepted just before the worker died (or whose answer
timed out, or within the settle delay before a SIGKILL) is sent again by the
next attempt — that one part, never more (see
:func:`bot.engine.delivery.send_parts`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol

from bot.engine.delivery import DeliverQueued, Delivery, DeliveryFailed
from bot.engine.pacing import Pacer
from flows.io import ConversationKey
from storage import DATABASE_ERRORS, Storage, StorageTransaction
from storage.outbox import DEFAULT_OUTBOX_LEASE, ClaimedOutbox, OutboxStats

_LOGGER = logging.getLogger(__name__)

#: First retry delay after a retryable failure; doubled per attempt up to the cap.
DEFAULT_RETRY_BASE_SECONDS = 0.5
DEFAULT_RETRY_CAP_SECONDS = 60.0
#: A failure the channel did not classify (a bug) is retried this many times, then failed.
MAX_UNCLASSIFIED_ATTEMPTS = 5
#: How often the loop looks for due rows when nothing woke it.
DEFAULT_POLL_SECONDS = 0.5
#: How long a row stays reserved for the worker that wrote it (it delivers the row right
#: after its commit); past that, any worker's loop takes it (the writer died).
DEFAULT_HOLD = timedelta(seconds=3)
#: Claims written with a step and kept for its worker's send (bounded).
MAX_OWN_CLAIMS = 1000
#: Conversations the loop delivers to at the same time.
DEFAULT_CONCURRENCY = 16
#: How long a sent row's delete waits for another transaction of this worker to ride
#: along with before the delivery loop is woken to take it.
SETTLE_DELAY_SECONDS = 0.05


class OutboxObserver(Protocol):
    """Watches deliveries (the worker's metrics); must not raise."""

    def outbox_settled(self, *, platform: str, outcome: str) -> None:
        """One row was settled: ``sent``, ``retry`` or ``failed``."""
        ...


class Outbox:
    """The senders of the platforms, and the claim → send → settle cycle.

    Args:
        storage: the repository.
        clock: the current time (timezone-aware).
        lease: how long a claim holds before another worker may take the row.
        retry_base: the first retry delay (seconds), doubled per attempt.
        retry_cap: the longest retry delay (seconds).
        poll_interval: seconds between the loop's looks when nothing woke it.
        observer: told how each row was settled (metrics).
    """

    def __init__(
        self,
        *,
        storage: Storage,
        clock: Callable[[], datetime],
        lease: timedelta = DEFAULT_OUTBOX_LEASE,
        retry_base: float = DEFAULT_RETRY_BASE_SECONDS,
        retry_cap: float = DEFAULT_RETRY_CAP_SECONDS,
        poll_interval: float = DEFAULT_POLL_SECONDS,
        concurrency: int = DEFAULT_CONCURRENCY,
        observer: OutboxObserver | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self.lease = lease
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.poll_interval = poll_interval
        self._concurrency = max(1, concurrency)
        self.observer = observer
        #: The shared send budgets (one rate for every worker).
        self.pacer = Pacer(storage=storage)
        self._senders: dict[str, DeliverQueued] = {}
        self._wake = asyncio.Event()
        #: This process's token: rows it writes are held for it (see :meth:`hold`).
        self.token = secrets.token_hex(16)
        self.hold_for = DEFAULT_HOLD
        #: Rows this worker wrote already claimed (its steps' next replies), by id.
        self._own: dict[int, ClaimedOutbox] = {}
        #: Rows sent whose delete no transaction carries yet: id → (claim token, when sent).
        self._sent: dict[int, tuple[str, float]] = {}
        #: Transactions carrying deletes of sent rows, open now (see :meth:`riding`).
        self._deleting = 0
        self._deleted = asyncio.Event()
        self.settle_delay = SETTLE_DELAY_SECONDS
        self._settle_timer: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ senders

    def register(self, platform: str, deliver: DeliverQueued) -> None:
        """Queue ``platform``'s outgoing messages from now on, delivered by ``deliver``."""
        self._senders[platform] = deliver

    def unregister(self, platform: str) -> None:
        """Stop queueing for ``platform`` (its channel stopped)."""
        self._senders.pop(platform, None)

    def enabled(self, platform: str) -> bool:
        """Whether ``platform``'s messages go through the outbox."""
        return platform in self._senders

    @property
    def platforms(self) -> list[str]:
        """The platforms with a registered sender."""
        return list(self._senders)

    def now(self) -> datetime:
        """The outbox's current time (rows are written and claimed on the same clock)."""
        return self._clock()

    def wake(self) -> None:
        """Make the delivery loop look for due rows now."""
        self._wake.set()

    # ------------------------------------------------------------------ settling sent rows

    @asynccontextmanager
    async def riding(
        self, opening: AbstractAsyncContextManager[StorageTransaction]
    ) -> AsyncIterator[StorageTransaction]:
        """``opening``'s transaction; it also deletes the rows sent since the last one.

        Committed: they are gone. Rolled back: they ride along with the next one.
        """
        taken, self._sent = self._sent, {}
        self._deleting += bool(taken)
        try:
            async with opening as tx:
                if taken:
                    await tx.outbox_sent_many({row: token for row, (token, _) in taken.items()})
                yield tx
        except BaseException:
            self._sent.update(taken)  # the delivery loop's next round takes them
            raise
        finally:
            if taken:
                self._deleting -= 1
                if not self._deleting:
                    self._deleted.set()
                    self._deleted = asyncio.Event()

    def transaction(self) -> AbstractAsyncContextManager[StorageTransaction]:
        """A transaction of the outbox (see :meth:`riding`)."""
        return self.riding(self._storage.transaction())

    async def _deletes_committed(self) -> None:
        """Wait (briefly) until no open transaction carries a delete of a sent row.

        A conversation's rows go out oldest first: one sent just now must be gone
        before the next can be claimed.
        """
        if self._deleting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._deleted.wait(), timeout=self.poll_interval)

    def _settle_soon(self) -> None:
        """Wake the delivery loop after the settle delay: its claim deletes the sent rows.

        A timer, not a task of its own: no transaction runs outside the loop (which
        also deletes them at its next poll anyway).
        """
        if self._sent and self._settle_timer is None:
            loop = asyncio.get_running_loop()
            self._settle_timer = loop.call_later(self.settle_delay, self._settle_due)

    def _settle_due(self) -> None:
        """Wake the loop once a sent row waited the settle delay; else look again then.

        Under load the steps' transactions take the rows long before: no wake-up.
        """
        self._settle_timer = None
        if not self._sent:
            return
        loop = asyncio.get_running_loop()
        oldest = min(sent_at for _, sent_at in self._sent.values())
        wait = oldest + self.settle_delay - loop.time()
        if wait > 0:
            self._settle_timer = loop.call_later(wait, self._settle_due)
        else:
            self.wake()

    async def flush(self) -> None:
        """Delete the rows sent so far now (on stop); never raises."""
        if self._settle_timer is not None:
            self._settle_timer.cancel()
            self._settle_timer = None
        if not self._sent:
            return
        try:
            async with self.transaction():
                pass
        except DATABASE_ERRORS as error:
            _LOGGER.warning("settling sent outbox rows failed: %s", type(error).__name__)

    # ------------------------------------------------------------------ delivering

    def _own_rows(self, key: ConversationKey, up_to: int | None) -> list[ClaimedOutbox]:
        """Take this worker's claimed rows of ``key`` (up to ``up_to``), oldest first."""
        if up_to is not None:
            own = self._own.pop(up_to, None)
            mine = [] if own is None or own.key != key else [own]
        else:
            mine = sorted((c for c in self._own.values() if c.key == key), key=lambda c: c.id)
            for claim in mine:
                del self._own[claim.id]
        # A claim half through its lease is left to the claiming path: never send a row
        # whose lease may have run out (another worker may hold it by then).
        fresh = self._clock() - self.lease / 2
        return [claim for claim in mine if claim.created_at >= fresh]

    def own(self, claim: ClaimedOutbox) -> None:
        """A committed row written claimed by this worker: :meth:`deliver_now` sends it as is."""
        self._own[claim.id] = claim
        while len(self._own) > MAX_OWN_CLAIMS:  # never asked for: its lease runs out
            self._own.pop(next(iter(self._own)))

    async def deliver_now(self, key: ConversationKey, *, up_to: int | None = None) -> int:
        """Deliver ``key``'s due rows, oldest first, until none is left or one failed.

        ``up_to``: only up to this row (the caller's step); later rows are their own
        writer's (an AI answer arriving meanwhile is shown as its own turn).

        Returns how many rows were sent. A row held by another worker (or this
        process's loop) is left to it. Never raises for a database error.
        """
        if key.platform not in self._senders:
            return 0
        sent = 0
        # Rows written claimed for this worker (nothing of the conversation before them).
        for own in self._own_rows(key, up_to):
            if not await self._deliver(own):
                return sent
            sent += 1
            if own.id == up_to:
                return sent
        await self._deletes_committed()
        while True:
            try:
                async with self.transaction() as tx:
                    claimed = await tx.claim_outbox(
                        platforms=[key.platform],
                        key=key,
                        limit=1,
                        lease=self.lease,
                        now=self._clock(),
                        mine=self.token,
                        up_to=up_to,
                    )
            except DATABASE_ERRORS as error:
                _LOGGER.warning(
                    "claiming %s outbox rows failed: %s", key.platform, type(error).__name__
                )
                self.wake()
                return sent
            if not claimed:
                return sent
            if not await self._deliver(claimed[0]):
                return sent
            sent += 1
            if claimed[0].id == up_to:  # the caller's own row was the last it asked for
                return sent

    async def run_once(self, *, limit: int = 100) -> int:
        """Claim due heads of every registered platform and deliver them; how many were sent.

        Conversations are served side by side (up to the concurrency); within
        one conversation the rows go one after the other.
        """
        if not self._senders:
            return 0
        try:
            async with self.transaction() as tx:
                claimed = await tx.claim_outbox(
                    platforms=self.platforms, limit=limit, lease=self.lease, now=self._clock()
                )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("claiming outbox rows failed: %s", type(error).__name__)
            return 0
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self._concurrency)

        async def conversation(row: ClaimedOutbox) -> int:
            async with gate:
                if not await self._deliver(row):
                    return 0
                return 1 + await self.deliver_now(row.key)

        counts = await asyncio.gather(*(conversation(row) for row in claimed))
        return sum(counts)

    async def run(self) -> None:
        """The delivery loop: deliver what is due, then wait for a wake-up or the next poll."""
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception as error:  # keep delivering whatever happened
                _LOGGER.warning("outbox delivery round failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

    async def stats(self) -> OutboxStats | None:
        """Pending and failed rows, and the oldest pending one (``None`` on a database error)."""
        try:
            async with self._storage.transaction(readonly=True) as tx:
                return await tx.outbox_stats()
        except DATABASE_ERRORS as error:
            _LOGGER.warning("reading the outbox stats failed: %s", type(error).__name__)
            return None

    async def release(self, key: ConversationKey) -> None:
        """Drop the leases of ``key``'s rows (the terminal at start: it is the only process)."""
        async with self._storage.transaction() as tx:
            await tx.release_outbox_claims(key=key)

    # ------------------------------------------------------------------ one row

    async def _deliver(self, row: ClaimedOutbox) -> bool:
        """Send one claimed row and settle it; whether it was sent completely."""
        deliver = self._senders.get(row.key.platform)
        if deliver is None:  # the channel stopped meanwhile: leave it for later
            await self._settle_retry(row, row.parts_sent, "no_sender", delay=self.poll_interval)
            return False

        async def checkpoint(parts_sent: int) -> None:
            async with self.transaction() as tx:
                await tx.outbox_progress(row_id=row.id, token=row.token, parts_sent=parts_sent)

        delivery = Delivery(
            key=row.key,
            outgoing=row.outgoing,
            origin=row.origin,
            target=row.target,
            parts_sent=row.parts_sent,
            checkpoint=checkpoint,
            pace=lambda target: self.pacer.pace(row.key.platform, target),
        )
        platform = row.key.platform
        try:
            await deliver(delivery)
        except DeliveryFailed as failure:
            if failure.permanent:
                _LOGGER.warning("a %s outbox row failed for good: %s", platform, failure.kind)
                await self._settle(row, "failed", failure.kind)
                return False
            delay = (
                failure.retry_after
                if failure.retry_after is not None
                else self._backoff(row.attempts)
            )
            _LOGGER.info(
                "a %s send failed (%s, attempt %d); retrying in %.1f s",
                platform,
                failure.kind,
                row.attempts,
                delay,
            )
            await self._settle_retry(row, delivery.parts_sent, failure.kind, delay=delay)
            return False
        except Exception as error:  # a failure the channel did not classify
            kind = type(error).__name__
            if row.attempts >= MAX_UNCLASSIFIED_ATTEMPTS:
                _LOGGER.error("a %s outbox row kept failing (%s); given up", platform, kind)
                await self._settle(row, "failed", "error")
                return False
            _LOGGER.warning("a %s send failed unexpectedly: %s", platform, kind)
            await self._settle_retry(
                row, delivery.parts_sent, "error", delay=self._backoff(row.attempts)
            )
            return False
        await self._settle(row, "sent")
        return True

    def _backoff(self, attempts: int) -> float:
        delay = min(self.retry_cap, self.retry_base * 2 ** max(0, attempts - 1))
        return delay * random.uniform(0.8, 1.2)

    async def _settle_retry(
        self, row: ClaimedOutbox, parts_sent: int, kind: str, *, delay: float
    ) -> None:
        at = self._clock() + timedelta(seconds=max(0.0, delay))
        try:
            async with self.transaction() as tx:
                await tx.outbox_retry(
                    row_id=row.id, token=row.token, parts_sent=parts_sent, at=at, error=kind
                )
        except DATABASE_ERRORS as error:  # the lease runs out and the row is claimed again
            _LOGGER.warning("recording an outbox retry failed: %s", type(error).__name__)
        self._observe(row.key.platform, "retry")

    async def _settle(self, row: ClaimedOutbox, outcome: str, kind: str = "") -> None:
        if outcome == "sent":
            # Deleted with this worker's next transaction (or by the woken loop, soon).
            self._sent[row.id] = (row.token, asyncio.get_running_loop().time())
            self._settle_soon()
        else:
            try:
                async with self.transaction() as tx:
                    await tx.outbox_failed(row_id=row.id, token=row.token, error=kind)
            except DATABASE_ERRORS as error:  # the lease runs out: tried again
                _LOGGER.warning("settling an outbox row failed: %s", type(error).__name__)
        self._observe(row.key.platform, outcome)

    def _observe(self, platform: str, outcome: str) -> None:
        if self.observer is not None:
            self.observer.outbox_settled(platform=platform, outcome=outcome)
