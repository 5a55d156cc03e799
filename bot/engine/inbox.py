"""The inbox (issue 13): a request is stored before it is acknowledged.

Every channel that receives over the network stores each authenticated request
here first, then acks it (Slack's 200, Telegram's webhook 200 or the next
``getUpdates`` offset), then works on it, then forgets it. The row is held for
the worker that stored it; one whose worker died before it was worked on (the
hold ran out) is taken over by another worker's recovery loop and worked on there.
Dedupe stays where it was: the engine's processed-update ids (a request that was
already applied is dropped as a duplicate).

A request may name its sender (``conversation``, stored as a keyed hash): one
sender's requests are then worked on one at a time, oldest first, across all
workers — a row stored behind an older one of the same sender is *deferred*, and
whoever finishes the older one takes it next (:meth:`Inbox.done`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
    """What :meth:`Inbox.accept` did: the row id, or that it was stored already.

    ``deferred``: an older request of the same sender waits; this one is worked on
    after it (by whoever finishes that one), not now.
    """

    row_id: int | None
    duplicate: bool = False
    deferred: bool = False


@dataclass(frozen=True, slots=True)
class Arrival:
    """One request to store: its text, and what identifies it and its sender."""

    body: str
    content_type: str = "application/json"
    #: What makes it unique (e.g. Telegram's update id); ``None``: the body itself.
    identity: str | None = None
    #: Who sent it (a user id), kept only as a keyed hash; ``None``: no order kept.
    sender: str | None = None


class InboxObserver(Protocol):
    """Watches the inbox (the worker's metrics); must not raise."""

    def inbox_duplicate(self, *, platform: str) -> None:
        """A delivery of a request still stored was acknowledged, not stored again."""
        ...


class Inbox:
    """Stores requests before their ack; takes over the ones of dead workers."""

    def __init__(self, *, storage: Storage, outbox: Outbox, key: bytes) -> None:
        self._storage = storage
        self._outbox = outbox  # the process token, the clock and the lease are shared
        self._key = key
        self.recovery_interval = DEFAULT_RECOVERY_SECONDS
        #: Told about deliveries of requests still stored (set by ``serve``).
        self.observer: InboxObserver | None = None
        #: Deferred rows this process stored as its platform's only receiver, per
        #: (platform, conversation): none means none waits behind that sender's row.
        self._deferred: collections.Counter[tuple[str, str]] = collections.Counter()

    def _hash(self, *parts: str) -> str:
        text = "\x00".join(parts).encode("utf-8", "surrogatepass")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()

    def conversation_of(self, platform: str, sender: str) -> str:
        """The stored form of a sender: a keyed hash (no user id in the inbox's columns)."""
        return self._hash("sender", platform, sender)[:32]

    async def accept(
        self,
        *,
        platform: str,
        body: str,
        content_type: str,
        identity: str | None = None,
        sender: str | None = None,
    ) -> Accepted:
        """Store a request, held for this worker; never raises.

        A database error gives ``Accepted(None)``: the caller works on the request
        anyway, as before the inbox (it is only not recoverable then).
        """
        arrival = Arrival(body, content_type, identity=identity, sender=sender)
        stored = await self.accept_many(platform, [arrival])
        return Accepted(None) if stored is None else stored[0]

    async def accept_many(
        self, platform: str, arrivals: Sequence[Arrival], *, exclusive: bool = False
    ) -> list[Accepted] | None:
        """Store requests in one transaction, in order; ``None`` on a database error.

        ``exclusive``: this process alone receives ``platform``'s requests (Telegram's
        long polling), so one sender's are never stored by two workers at once.
        """
        now = self._outbox.now()
        accepted: list[Accepted] = []
        try:
            async with self._storage.transaction() as tx:
                for arrival in arrivals:
                    key = arrival.identity if arrival.identity is not None else arrival.body
                    conversation = (
                        None
                        if arrival.sender is None
                        else self.conversation_of(platform, arrival.sender)
                    )
                    stored = await tx.accept_inbox_of(
                        platform=platform,
                        digest=self._hash(platform, key),
                        body=arrival.body,
                        content_type=arrival.content_type,
                        held_by=self._outbox.token,
                        held_for=self._outbox.lease,
                        now=now,
                        conversation=conversation,
                        exclusive=exclusive,
                    )
                    if stored is None:
                        accepted.append(Accepted(None, duplicate=True))
                        continue
                    row_id, deferred = stored
                    if deferred and exclusive and conversation is not None:
                        self._deferred[(platform, conversation)] += 1
                    accepted.append(Accepted(row_id, deferred=deferred))
        except DATABASE_ERRORS as error:
            _LOGGER.warning("storing a %s request failed: %s", platform, type(error).__name__)
            return None
        if self.observer is not None:
            for _ in range(sum(1 for a in accepted if a.duplicate)):
                self.observer.inbox_duplicate(platform=platform)
        return accepted

    def may_wait_behind(self, platform: str, conversation: str, *, exclusive: bool) -> bool:
        """Whether a row of the sender may wait behind theirs (ask the database then).

        Only for a row stored by its platform's only receiver does this process know
        (``exclusive``); a miss costs nothing but time: the recovery loop takes such a
        row within a second.
        """
        return not exclusive or self._deferred[(platform, conversation)] > 0

    def taken_next(self, platform: str, conversation: str) -> None:
        """A waiting row of the sender was taken (see :meth:`may_wait_behind`)."""
        key = (platform, conversation)
        if self._deferred[key] > 1:
            self._deferred[key] -= 1
        else:
            self._deferred.pop(key, None)

    async def stats(self) -> tuple[int, datetime | None] | None:
        """Requests waiting and the oldest one's arrival (``None`` on a database error)."""
        try:
            async with self._storage.transaction(readonly=True) as tx:
                return await tx.inbox_stats()
        except DATABASE_ERRORS as error:
            _LOGGER.warning("reading the inbox stats failed: %s", type(error).__name__)
            return None

    async def done(
        self, row_id: int, *, platform: str | None = None, conversation: str | None = None
    ) -> ClaimedInbox | None:
        """The request was worked on: delete it (never raises).

        With its sender's ``conversation`` (and ``platform``), the sender's next
        request, if one waits and no live worker holds it, is claimed for this
        worker in the same transaction and returned: work on it next.
        """
        try:
            async with self._storage.transaction() as tx:
                await tx.inbox_done(row_id=row_id)
                if conversation is None or platform is None:
                    return None
                following = await tx.claim_next_inbox(
                    platform=platform,
                    conversation=conversation,
                    held_by=self._outbox.token,
                    held_for=self._outbox.lease,
                    now=self._outbox.now(),
                )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("clearing an inbox row failed: %s", type(error).__name__)
            return None
        if following is not None:
            self.taken_next(platform, conversation)
        return following

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
            if row.conversation is not None:
                self.taken_next(platform, row.conversation)

        async def work_on(row: ClaimedInbox) -> None:
            if row.attempts > MAX_INBOX_ATTEMPTS:
                _LOGGER.warning("a %s request was never worked on; dropped", platform)
                await self.done(row.id)
                return
            _LOGGER.info("working on a %s request a dead worker had acknowledged", platform)
            try:
                await redispatch(row)
            except Exception as error:
                _LOGGER.warning("a recovered %s request failed: %s", platform, type(error).__name__)

        # Side by side (each is a different sender's first row): none waits for the
        # others while its hold runs down.
        await asyncio.gather(*(work_on(row) for row in claimed))
        return len(claimed)

    async def recover(self, platform: str, redispatch: Redispatch) -> None:
        """The recovery loop of ``platform`` (every worker runs it)."""
        while True:
            with contextlib.suppress(Exception):
                await self.recover_once(platform, redispatch)
            await asyncio.sleep(self.recovery_interval)
