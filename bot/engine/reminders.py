"""Due reminders: claimed exactly once, rendered by the coach, saved, handed out."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.engine.delivery import REMINDER
from bot.engine.effects import Snapshot, save_cases, store_drafts, surface_of
from bot.engine.outbox import Outbox
from flows.case import Case
from flows.coach import Coach
from flows.io import ConversationKey, Outgoing, ReminderKind, UserContext
from storage import DATABASE_ERRORS, ClaimedReminder, ConflictError, Storage, StoredUser

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReminderDelivery:
    """A reminder that fell due, claimed for delivery to ``key``.

    The sender confirms it with :meth:`Engine.reminder_delivered` once the
    platform accepted the message; an unconfirmed claim is claimed again after
    the lease, so a reminder survives a failed send or a dying worker.
    """

    key: ConversationKey
    outgoing: list[Outgoing]
    reminder_id: int | None = None
    #: Written to the outbox with the reminder's step (and the reminder marked sent):
    #: the scheduler delivers it with :meth:`Engine.deliver_pending`.
    queued: bool = False


class ReminderRenderer:
    """Claims due reminders of a platform and renders them through the coach.

    Args:
        storage: the repository.
        coach: the pure conversation (``on_reminder``).
        language: the coach language of a stored user.
        max_attempts: tries per reminder when the case changes under it.
    """

    def __init__(
        self,
        *,
        storage: Storage,
        coach: Coach,
        language: Callable[[StoredUser], str],
        max_attempts: int,
        ai_available: bool = False,
        outbox: Outbox | None = None,
    ) -> None:
        self._storage = storage
        self._outbox = outbox
        self._coach = coach
        self._language = language
        self._max_attempts = max_attempts
        self._ai_available = ai_available  # the reply step's keyboard keeps its AI buttons

    async def claim(self, *, platform: str, now: datetime, limit: int) -> list[ReminderDelivery]:
        """Claim reminders of ``platform`` due at ``now`` (each exactly once) and render them.

        Database errors are logged and give an empty list; a claimed reminder
        that could not be rendered becomes claimable again after the lease.
        """
        try:
            claimed = await self._storage.claim_due_reminders(
                platform=platform, now=now, limit=limit
            )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("claiming %s reminders failed: %s", platform, type(error).__name__)
            return []
        deliveries: list[ReminderDelivery] = []
        for reminder in claimed:
            try:
                delivery = await self._render(reminder)
            except DATABASE_ERRORS as error:
                _LOGGER.warning(
                    "rendering reminder %d failed: %s", reminder.id, type(error).__name__
                )
                continue
            if delivery is not None:
                deliveries.append(delivery)
        return deliveries

    async def _render(self, reminder: ClaimedReminder) -> ReminderDelivery | None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await self._attempt(reminder)
            except ConflictError:
                _LOGGER.info("reminder %d conflicted (attempt %d)", reminder.id, attempt)
                await asyncio.sleep(random.uniform(0, 0.005 * attempt))
        _LOGGER.error("reminder %d kept conflicting; left for a later claim", reminder.id)
        return None

    async def _attempt(self, reminder: ClaimedReminder) -> ReminderDelivery | None:
        follow_up: Case | None = None
        async with self._storage.transaction(readonly=True) as tx:
            user = await tx.get_user(reminder.user_id)
            case = await tx.load_active_case(user_id=user.id) if user is not None else None
            if user is not None and reminder.kind is ReminderKind.OUTCOME and reminder.case_id:
                follow_up = await tx.load_case(user_id=user.id, case_id=reminder.case_id)
        if user is None:
            return None  # the user erased their data meanwhile (the row went with it)
        if reminder.kind is ReminderKind.OUTCOME:
            # About a closed case (issue 15): asked unless the user said "don't ask".
            if follow_up is None or follow_up.follow_up is None:
                await self._storage.mark_reminder_sent(reminder_id=reminder.id)
                return None
        elif reminder.case_id is not None and (case is None or case.id != reminder.case_id):
            # The case it was about was finished or replaced: nothing to nudge.
            await self._storage.mark_reminder_sent(reminder_id=reminder.id)
            return None
        language = self._language(user)
        before = {c.id: Snapshot.of(c) for c in (case, follow_up) if c is not None}
        result = self._coach.on_reminder(
            UserContext(
                language=language,
                active_case=case,
                ai_available=self._ai_available,
                surface=surface_of(user.key.platform),
                signature=user.signature,
                follow_up_case=follow_up,
            ),
            reminder.kind,
        )
        outbox = self._outbox
        queued = outbox is not None and bool(result.outgoing) and outbox.enabled(user.key.platform)
        async with self._storage.transaction() as tx:
            await save_cases(tx, user_id=user.id, result=result, before=before, kind="reminder")
            await store_drafts(tx, user_id=user.id, result=result, outgoing=result.outgoing)
            if queued and outbox is not None:
                # The outbox delivers it (retried until the platform takes it): the
                # reminder itself is done.
                await tx.enqueue_outgoing(
                    key=user.key,
                    user_id=user.id,
                    outgoing=result.outgoing,
                    origin=REMINDER,
                    now=outbox.now(),
                    held_by=outbox.token,
                    held_for=outbox.hold_for,
                )
            if queued or not result.outgoing:
                await tx.mark_reminder_sent(reminder_id=reminder.id)
        if not result.outgoing:
            return None
        return ReminderDelivery(
            key=user.key,
            outgoing=list(result.outgoing),
            reminder_id=None if queued else reminder.id,
            queued=queued,
        )

    async def delivered(self, reminder_id: int) -> None:
        """Record that a claimed reminder reached the platform (never raises)."""
        try:
            await self._storage.mark_reminder_sent(reminder_id=reminder_id)
        except DATABASE_ERRORS as error:
            _LOGGER.warning(
                "marking reminder %d sent failed: %s", reminder_id, type(error).__name__
            )
