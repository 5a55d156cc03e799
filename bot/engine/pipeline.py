"""The one pipeline every channel calls.

IncomingMessage → resolve user and language → drop a duplicate → load the
active case → run the coach → save with a version check (retry on conflict)
→ EngineResult.

Each attempt takes one pooled connection, reads the user and the active case
with one query (no write lock), runs the pure coach outside any transaction, then writes
everything in ONE transaction: the processed-update mark (a duplicate is
found by this insert's conflict, so nothing of it is written), the user if
new, the cases (``UPDATE … WHERE version = ?``), their events, reminders,
the language and the drafts. If
another worker changed the case in between, the write raises
:class:`~storage.ConflictError`, rolls back (the update is not marked
processed) and the whole attempt runs again on fresh state. Database errors
never reach the channel: the user gets the coach's "temporarily unavailable"
reply and the next update is tried afresh.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from bot.engine.effects import Snapshot, apply_effects, save_cases, store_drafts, surface_of
from bot.engine.reminders import ReminderDelivery, ReminderRenderer
from bot.engine.results import EngineObserver, EngineResult, IncomingMessage, input_kind
from flows.case import DEFAULT_LANGUAGE, Case
from flows.coach import Coach
from flows.i18n import normalise_language
from flows.io import ConversationKey, DeleteUserData, Draft, UserContext
from storage import (
    DATABASE_ERRORS,
    ConflictError,
    Storage,
    StorageSession,
    StoredUser,
    utc_now,
)

_LOGGER = logging.getLogger(__name__)

#: How many times one update is tried when the case keeps changing under it.
DEFAULT_MAX_ATTEMPTS = 8


class Engine:
    """The pipeline: storage around the pure coach.

    Args:
        storage: the repository (SQLite or PostgreSQL).
        coach: the pure conversation.
        clock: current time, timezone-aware (reminder due times, claiming).
        default_language: the coach language when neither a choice nor the
            platform tells one.
        max_attempts: tries per update when concurrent updates conflict.
        observer: told about every update and reminder claim (metrics).
    """

    def __init__(
        self,
        *,
        storage: Storage,
        coach: Coach | None = None,
        clock: Callable[[], datetime] = utc_now,
        default_language: str = DEFAULT_LANGUAGE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        observer: EngineObserver | None = None,
    ) -> None:
        self.storage = storage
        self._observer = observer
        self.coach = coach if coach is not None else Coach()
        self._clock = clock
        self._default_language = normalise_language(default_language)
        self._max_attempts = max(1, max_attempts)
        self._reminders = ReminderRenderer(
            storage=storage,
            coach=self.coach,
            language=lambda user: self._language(user, None),
            max_attempts=self._max_attempts,
        )

    # ------------------------------------------------------------------ language

    def _language(self, user: StoredUser | None, platform_language: str | None) -> str:
        """Stored choice → the platform's language → the default."""
        if user is not None and user.language:
            return normalise_language(user.language)
        code = platform_language or (user.platform_language if user is not None else None)
        if code:
            return normalise_language(code)
        return self._default_language

    # -------------------------------------------------------------------- handle

    async def handle(self, message: IncomingMessage) -> EngineResult:
        """Process one incoming message end to end; never raises for a database error."""
        if self._observer is None:
            return await self._handle(message)
        platform = message.key.platform
        started = time.perf_counter()
        try:
            result = await self._handle(message)
        except BaseException:
            self._observer.update_failed(platform=platform)
            raise
        seconds = time.perf_counter() - started
        self._observer.update_handled(platform=platform, result=result, seconds=seconds)
        return result

    async def _handle(self, message: IncomingMessage) -> EngineResult:
        language = self._language(None, message.platform_language)
        platform = message.key.platform
        try:
            for attempt in range(1, self._max_attempts + 1):
                try:
                    return await self._attempt(message)
                except ConflictError:
                    _LOGGER.info(
                        "a %s update conflicted with a concurrent one (attempt %d); retrying",
                        platform,
                        attempt,
                    )
                    await asyncio.sleep(random.uniform(0, 0.005 * attempt))
            _LOGGER.error(
                "a %s update kept conflicting after %d attempts", platform, self._max_attempts
            )
        except DATABASE_ERRORS as error:
            _LOGGER.warning(
                "database unavailable while handling a %s update: %s",
                platform,
                type(error).__name__,
            )
        except Exception as error:
            # A bug must not reach the adapter as a stack trace, nor lose state: nothing
            # was committed (the coach runs before the write transaction). Log where it
            # happened, never the exception text (it may quote what the user typed).
            _LOGGER.error(
                "handling a %s update failed: %s at %s",
                platform,
                type(error).__name__,
                _where(error),
            )
            return EngineResult(
                language=language, outgoing=self.coach.unavailable(language=language)
            )
        return EngineResult(
            language=language,
            outgoing=self.coach.unavailable(language=language),
            unavailable=True,
        )

    async def _attempt(self, message: IncomingMessage) -> EngineResult:
        async with self.storage.session() as session:
            return await self._attempt_in(session, message)

    async def _attempt_in(self, session: StorageSession, message: IncomingMessage) -> EngineResult:
        key = message.key
        # Read phase: one query, no write lock.
        found, case = await session.find_user_and_active_case(key)

        language = self._language(found, message.platform_language)
        before = {case.id: Snapshot.of(case)} if case is not None else {}
        result = self.coach.handle(
            UserContext(language=language, active_case=case, surface=surface_of(key.platform)),
            message.user_input,
        )

        # Write phase: everything or nothing.
        async with session.transaction() as tx:
            if message.update_id is not None and not await tx.mark_processed(
                platform=key.platform, update_id=message.update_id
            ):
                return self._duplicate(found, message)
            if found is None:
                # A new user (or one who erased their data). Had a concurrent update
                # created the user and a case meanwhile, saving ours conflicts and the
                # attempt runs again on that state.
                user = await tx.get_or_create_user(key, platform_language=message.platform_language)
            else:
                user = found
            if message.platform_language and message.platform_language != user.platform_language:
                await tx.set_platform_language(
                    user_id=user.id, platform_language=message.platform_language
                )
            outgoing = list(result.outgoing)
            if any(isinstance(effect, DeleteUserData) for effect in result.effects):
                await tx.delete_user(user_id=user.id)
                outgoing += self.coach.after_delete(language=language)
                _LOGGER.info("erased every row of a %s user", key.platform)
                return EngineResult(
                    language=language, outgoing=outgoing, case_known=True, erased=True
                )
            kind = input_kind(message.user_input)
            await save_cases(tx, user_id=user.id, result=result, before=before, kind=kind)
            language, extra = await apply_effects(
                tx,
                coach=self.coach,
                due_at=lambda delay: self._clock() + delay,
                user=user,
                result=result,
                language=language,
            )
            outgoing += extra
            await store_drafts(tx, user_id=user.id, result=result, outgoing=outgoing)
        return EngineResult(
            language=language,
            outgoing=outgoing,
            choice=result.choice,
            chosen_label=result.chosen_label,
            active_case=result.case,
            case_known=True,
        )

    def _duplicate(self, user: StoredUser | None, message: IncomingMessage) -> EngineResult:
        _LOGGER.info("dropped a duplicate %s update", message.key.platform)
        return EngineResult(
            language=self._language(user, message.platform_language), duplicate=True
        )

    # ----------------------------------------------------------------- reminders

    async def claim_due_reminders(
        self, *, platform: str, limit: int = 50
    ) -> list[ReminderDelivery]:
        """Claim reminders of ``platform`` that are due (each exactly once) and render them.

        Database errors are logged and give an empty list; a claimed reminder
        that could not be rendered becomes claimable again after the lease.
        """
        deliveries = await self._reminders.claim(platform=platform, now=self._clock(), limit=limit)
        if deliveries and self._observer is not None:
            self._observer.reminders_claimed(platform=platform, count=len(deliveries))
        return deliveries

    async def reminder_delivered(self, reminder_id: int) -> None:
        """Record that a claimed reminder reached the platform (never raises)."""
        await self._reminders.delivered(reminder_id)

    # -------------------------------------------------------------------- lookups

    async def latest_drafts(self, key: ConversationKey, *, limit: int = 10) -> list[Draft]:
        """The user's most recent drafts, newest first (Telegram inline mode)."""
        try:
            user = await self.storage.find_user(key)
            if user is None:
                return []
            return await self.storage.latest_drafts(user_id=user.id, limit=limit)
        except DATABASE_ERRORS as error:
            _LOGGER.warning("loading drafts failed: %s", type(error).__name__)
            return []

    async def language_of(
        self, key: ConversationKey, *, platform_language: str | None = None
    ) -> str:
        """The coach language of a user: stored choice → ``platform_language`` → default."""
        try:
            async with self.storage.session() as session:
                user = await session.find_user(key)
        except DATABASE_ERRORS as error:
            _LOGGER.warning("loading a user's language failed: %s", type(error).__name__)
            user = None
        return self._language(user, platform_language)

    async def set_language(self, key: ConversationKey, language: str) -> None:
        """Store ``language`` as the choice of ``key`` (the terminal's ``--lang``)."""
        user = await self.storage.get_or_create_user(key)
        await self.storage.set_language(user_id=user.id, language=normalise_language(language))

    async def active_case(self, key: ConversationKey) -> Case | None:
        """The user's active case, read-only (the Slack App Home summary); None on error."""
        try:
            async with self.storage.session() as session:
                _user, case = await session.find_user_and_active_case(key)
            return case
        except DATABASE_ERRORS as error:
            _LOGGER.warning("loading the active case failed: %s", type(error).__name__)
            return None


def _where(error: BaseException) -> str:
    """``file:line`` of the innermost frame of ``error``'s traceback."""
    tb = error.__traceback__
    if tb is None:
        return "?"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
