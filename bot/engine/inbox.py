"""The inbox (issue 13): a request is stored before it is acknowledged.

A channel whose platform does not redeliver what it got an ack for (Slack) stores
each authenticated request here first, then acks, then works on it, then forgets
it. The row is held for the worker that stored it; one whose worker died before it
was worked on (the hold ran out) is taken over by another worker's recovery loop
and worked on there. Dedupe stays where it was: the engine's processed-update ids
(a request that was already applied is dropped as a duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.engine.outbox import Outbox
from storage import DATABASE_ERRORS, Storage
from storage.inbox import ClaimedInbox

_LOGGER = logging.getLogger(__name__)

#: A request taken over this often without being worked on is dropped (nothing listens).
MAX_INBOX_ATTEMPTS = 3
#: How often the recovery loop looks for requests of dead workers.
DEFAULT_RECOVERY_SECONDS = 1.0

#: Works on a stored request again: (its id, body, content type).
Redispatch = Callable[[ClaimedInbox], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Accepted:
    """What :meth:`Inbox.accept` did: the row id, or that it was stored already."""

    row_id: int | None
    duplicate: bool = False


class Inbox:
    """Stores requests before their ack; takes over the ones of dead workers."""

    def __init__(self, *, storage: Storage, outbox: Outbox, key: bytes) -> None:
        self._storage = storage
        self._outbox = outbox  # the process token, the clock and the lease are shared
        self._key = key
        self.recovery_interval = DEFAULT_RECOVERY_SECONDS

    async def accept(self, *, platform: str, body: str, content_type: str) -> Accepted:
        """Store a request, held for this worker; never raises.

        A database error gives ``Accepted(None)``: the caller works on the request
        anyway, as before the inbox (it is only not recoverable then).
        """
        digest = hmac.new(
            self._key, f"{platform}\x00{body}".encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()
        try:
            async with self._storage.transaction() as tx:
                row_id = await tx.accept_inbox(
                    platform=platform,
                    digest=digest,
                    body=body,
                    content_type=content_type,
                    held_by=self._outbox.token,
                    held_for=self._outbox.lease,
                    now=self._outbox.now(),
                )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("storing a %s request failed: %s", platform, type(error).__name__)
            return Accepted(None)
        return Accepted(row_id, duplicate=row_id is None)

    async def stats(self) -> tuple[int, datetime | None] | None:
        """Requests waiting and the oldest one's arrival (``None`` on a database error)."""
        try:
            async with self._storage.transaction(readonly=True) as tx:
                return await tx.inbox_stats()
        except DATABASE_ERRORS as error:
            _LOGGER.warning("reading the inbox stats failed: %s", type(error).__name__)
            return None

    async def done(self, row_id: int) -> None:
        """The request was worked on: delete it (never raises)."""
        try:
            async with self._storage.transaction() as tx:
                await tx.inbox_done(row_id=row_id)
        except DATABASE_ERRORS as error:
            _LOGGER.warning("clearing an inbox row failed: %s", type(error).__name__)

    async def recover_once(self, platform: str, redispatch: Redispatch) -> int:
        """Take over the requests of dead workers and work on them; how many."""
        try:
            async with self._storage.transaction() as tx:
                claimed = await tx.claim_stale_inbox(
                    platform=platform,
                    held_by=self._outbox.token,
                    held_for=self._outbox.lease,
                    now=self._outbox.now(),
                )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("claiming %s inbox rows failed: %s", platform, type(error).__name__)
            return 0
        for row in claimed:
            if row.attempts > MAX_INBOX_ATTEMPTS:
                _LOGGER.warning("a %s request was never worked on; dropped", platform)
                await self.done(row.id)
                continue
            _LOGGER.info("working on a %s request a dead worker had acknowledged", platform)
            try:
                await redispatch(row)
            except Exception as error:
                _LOGGER.warning("a recovered %s request failed: %s", platform, type(error).__name__)
        return len(claimed)

    async def recover(self, platform: str, redispatch: Redispatch) -> None:
        """The recovery loop of ``platform`` (every worker runs it)."""
        while True:
            with contextlib.suppress(Exception):
                await self.recover_once(platform, redispatch)
            await asyncio.sleep(self.recovery_interval)
