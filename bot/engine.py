"""The one pipeline every adapter calls.

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
never reach the adapter: the user gets the coach's "temporarily unavailable"
reply and the next update is tried afresh.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from flows.case import DEFAULT_LANGUAGE, Case
from flows.coach import Coach
from flows.i18n import normalise_language
from flows.io import (
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    ConversationKey,
    DeleteUserData,
    Draft,
    ExportCase,
    FlowResult,
    Outgoing,
    ScheduleReminder,
    SetLanguage,
    ShowHistory,
    TextInput,
    UserContext,
    UserInput,
)
from storage import (
    DATABASE_ERRORS,
    ClaimedReminder,
    ConflictError,
    Storage,
    StorageSession,
    StorageTransaction,
    StoredUser,
    utc_now,
)

_LOGGER = logging.getLogger(__name__)

#: How many times one update is tried when the case keeps changing under it.
DEFAULT_MAX_ATTEMPTS = 8

#: Commands whose name goes into the event log (anything else is just "command").
_LOGGED_COMMANDS = frozenset(
    {"start", "help", "back", "restart", "cancel", "lang", "cases", "export", "delete", "coach"}
)


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One update from any platform, already translated by its adapter.

    ``update_id`` is the platform's id of the delivery (Telegram ``update_id``,
    Slack ``event_id`` …) used to drop duplicates; ``None`` disables dedupe.
    ``platform_language`` is the user's platform language code, if known.
    """

    key: ConversationKey
    user_input: UserInput
    update_id: str | None = None
    platform_language: str | None = None


@dataclass(slots=True)
class EngineResult:
    """What an adapter renders: replies, and how a button press was judged.

    ``unavailable`` is true when the database failed and ``outgoing`` is the
    coach's "temporarily unavailable" reply (a webhook may answer non-2xx so
    the platform redelivers). When ``case_known`` is true, ``active_case`` is the
    user's active case after this input (``None``: none) — the Slack App Home
    shows it without reading it back.
    """

    language: str
    outgoing: list[Outgoing] = field(default_factory=list)
    choice: ChoiceOutcome | None = None
    chosen_label: str | None = None
    duplicate: bool = False
    unavailable: bool = False
    active_case: Case | None = None
    case_known: bool = False


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


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """What a stored case looked like before the coach ran (to detect a change)."""

    step: str
    status: str
    state: dict[str, Any]

    @classmethod
    def of(cls, case: Case) -> _Snapshot:
        return cls(step=case.step.value, status=case.status.value, state=case.to_dict())


class EngineObserver(Protocol):
    """Watches the engine from outside (the worker's metrics); must not raise."""

    def update_handled(self, *, platform: str, result: EngineResult, seconds: float) -> None:
        """One update went through :meth:`Engine.handle` in ``seconds``."""
        ...

    def update_failed(self, *, platform: str) -> None:
        """:meth:`Engine.handle` raised (cancelled, or a bug outside its own guard)."""
        ...

    def reminders_claimed(self, *, platform: str, count: int) -> None:
        """``count`` due reminders were claimed and handed out for delivery."""
        ...


def input_kind(user_input: UserInput) -> str:
    """The event-log kind of an input — never its text."""
    if isinstance(user_input, TextInput):
        return "text"
    if isinstance(user_input, ChoiceInput):
        return "choice"
    if isinstance(user_input, CommandInput):
        name = user_input.name.lower()
        return f"command:{name}" if name in _LOGGED_COMMANDS else "command"
    return "unsupported"


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
        before = {case.id: _Snapshot.of(case)} if case is not None else {}
        result = self.coach.handle(
            UserContext(language=language, active_case=case), message.user_input
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
                return EngineResult(language=language, outgoing=outgoing, case_known=True)
            kind = input_kind(message.user_input)
            await self._save_cases(tx, user_id=user.id, result=result, before=before, kind=kind)
            language, extra = await self._apply_effects(
                tx, user=user, result=result, language=language
            )
            outgoing += extra
            await self._store_drafts(tx, user_id=user.id, result=result, outgoing=outgoing)
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

    async def _save_cases(
        self,
        tx: StorageTransaction,
        *,
        user_id: int,
        result: FlowResult,
        before: dict[str, _Snapshot],
        kind: str,
    ) -> None:
        """Save closed cases first (so a new active case may take their place), then the active."""
        cases = [*result.closed, *([result.case] if result.case is not None else [])]
        for case in cases:
            previous = before.get(case.id)
            after = _Snapshot.of(case)
            if case.version != 0 and previous == after:
                continue  # unchanged: nothing to save, nothing to log
            await tx.save_case(user_id=user_id, case=case, state=after.state)
            await tx.append_event(
                case_id=case.id,
                user_id=user_id,
                from_step=previous.step if previous is not None else None,
                to_step=case.step.value,
                kind=kind,
            )

    async def _apply_effects(
        self, tx: StorageTransaction, *, user: StoredUser, result: FlowResult, language: str
    ) -> tuple[str, list[Outgoing]]:
        """Carry out the effects; returns the (possibly new) language and extra replies."""
        extra: list[Outgoing] = []
        for effect in result.effects:
            if isinstance(effect, SetLanguage):
                language = normalise_language(effect.language)
                await tx.set_language(user_id=user.id, language=language)
        for effect in result.effects:
            if isinstance(effect, ScheduleReminder):
                await tx.add_reminder(
                    user_id=user.id,
                    case_id=result.case.id if result.case is not None else None,
                    platform=user.key.platform,
                    kind=effect.kind,
                    due_at=self._clock() + effect.delay,
                )
            elif isinstance(effect, ShowHistory):
                cases = await tx.list_cases(user_id=user.id)
                extra += self.coach.render_history(cases, language=language)
            elif isinstance(effect, ExportCase):
                target = result.case or await tx.latest_case(user_id=user.id)
                extra += self.coach.render_export(target, language=language)
        return language, extra

    @staticmethod
    async def _store_drafts(
        tx: StorageTransaction,
        *,
        user_id: int,
        result: FlowResult,
        outgoing: Sequence[Outgoing],
    ) -> None:
        owner = result.case or (result.closed[-1] if result.closed else None)
        case_id = owner.id if owner is not None and owner.version > 0 else None
        for item in outgoing:
            if isinstance(item, Draft):
                await tx.add_draft(user_id=user_id, case_id=case_id, draft=item)

    # ----------------------------------------------------------------- reminders

    async def claim_due_reminders(
        self, *, platform: str, limit: int = 50
    ) -> list[ReminderDelivery]:
        """Claim reminders of ``platform`` that are due (each exactly once) and render them.

        Database errors are logged and give an empty list; a claimed reminder
        that could not be rendered becomes claimable again after the lease.
        """
        try:
            claimed = await self.storage.claim_due_reminders(
                platform=platform, now=self._clock(), limit=limit
            )
        except DATABASE_ERRORS as error:
            _LOGGER.warning("claiming %s reminders failed: %s", platform, type(error).__name__)
            return []
        deliveries: list[ReminderDelivery] = []
        for reminder in claimed:
            try:
                delivery = await self._render_reminder(reminder)
            except DATABASE_ERRORS as error:
                _LOGGER.warning(
                    "rendering reminder %d failed: %s", reminder.id, type(error).__name__
                )
                continue
            if delivery is not None:
                deliveries.append(delivery)
        if deliveries and self._observer is not None:
            self._observer.reminders_claimed(platform=platform, count=len(deliveries))
        return deliveries

    async def _render_reminder(self, reminder: ClaimedReminder) -> ReminderDelivery | None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                return await self._reminder_attempt(reminder)
            except ConflictError:
                _LOGGER.info("reminder %d conflicted (attempt %d)", reminder.id, attempt)
                await asyncio.sleep(random.uniform(0, 0.005 * attempt))
        _LOGGER.error("reminder %d kept conflicting; left for a later claim", reminder.id)
        return None

    async def _reminder_attempt(self, reminder: ClaimedReminder) -> ReminderDelivery | None:
        async with self.storage.transaction(readonly=True) as tx:
            user = await tx.get_user(reminder.user_id)
            case = await tx.load_active_case(user_id=user.id) if user is not None else None
        if user is None:
            return None  # the user erased their data meanwhile (the row went with it)
        if reminder.case_id is not None and (case is None or case.id != reminder.case_id):
            # The case it was about was finished or replaced: nothing to nudge.
            await self.storage.mark_reminder_sent(reminder_id=reminder.id)
            return None
        language = self._language(user, None)
        before = {case.id: _Snapshot.of(case)} if case is not None else {}
        result = self.coach.on_reminder(
            UserContext(language=language, active_case=case), reminder.kind
        )
        async with self.storage.transaction() as tx:
            await self._save_cases(
                tx, user_id=user.id, result=result, before=before, kind="reminder"
            )
            await self._store_drafts(tx, user_id=user.id, result=result, outgoing=result.outgoing)
            if not result.outgoing:
                await tx.mark_reminder_sent(reminder_id=reminder.id)
        if not result.outgoing:
            return None
        return ReminderDelivery(
            key=user.key, outgoing=list(result.outgoing), reminder_id=reminder.id
        )

    async def reminder_delivered(self, reminder_id: int) -> None:
        """Record that a claimed reminder reached the platform (never raises)."""
        try:
            await self.storage.mark_reminder_sent(reminder_id=reminder_id)
        except DATABASE_ERRORS as error:
            _LOGGER.warning(
                "marking reminder %d sent failed: %s", reminder_id, type(error).__name__
            )

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
