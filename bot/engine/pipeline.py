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

Every message is cleaned once on entry (:mod:`bot.engine.sanitise`). A data error
that still gets through — the driver or the server refusing a *value* (SQLSTATE
class 22, a ``UnicodeError``) — is the input's fault, not an outage: the user is
asked to type it again, and the update is marked processed, so a redelivery of
the same poison update is dropped instead of looping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.engine.delivery import MODEL, REPLY, DeliverQueued
from bot.engine.effects import (
    Snapshot,
    apply_effects,
    find_named_case,
    save_cases,
    store_drafts,
    surface_of,
)
from bot.engine.inbox import ClaimedInbox, Inbox
from bot.engine.model_calls import ModelCalls, Send
from bot.engine.outbox import Outbox
from bot.engine.reminders import ReminderDelivery, ReminderRenderer
from bot.engine.results import EngineObserver, EngineResult, IncomingMessage, input_kind
from bot.engine.sanitise import clean_message
from bot.llm import Polisher
from flows import callback
from flows.case import DEFAULT_LANGUAGE, Case, Step
from flows.coach import Coach
from flows.i18n import normalise_language, t
from flows.io import (
    ChoiceInput,
    CommandInput,
    ConversationKey,
    DeleteUserData,
    Draft,
    ModelAnswer,
    Outgoing,
    PolishDraft,
    Reply,
    TextInput,
    UserContext,
    UserInput,
)
from storage import (
    DATABASE_ERRORS,
    ConflictError,
    Storage,
    StorageSession,
    StorageTransaction,
    StoredUser,
    utc_now,
)
from storage.outbox import ClaimedOutbox

_LOGGER = logging.getLogger(__name__)

#: The most cases the App Home's stats read (a user has far fewer).
STATS_CASES = 1000
#: How many times one update is tried when the case keeps changing under it.
DEFAULT_MAX_ATTEMPTS = 8
#: A user is told "temporarily unavailable" at most once in this interval (per worker):
#: Telegram redelivers an update many times during an outage.
UNAVAILABLE_NOTICE_INTERVAL = timedelta(minutes=3)
#: Past this many remembered notices, the expired ones are forgotten.
_NOTICES_KEPT = 10_000
#: How long an AI answer waits for its step's own messages to be delivered first.
STEP_SENT_WAIT_SECONDS = 5.0
#: The HMAC key of stored update ids when the composition root gives none (tests, the
#: terminal): the ids are still not stored raw; ``serve`` passes a per-install key.
DEFAULT_UPDATE_ID_KEY = b"rejection-coach processed update ids"


def stored_update_id(platform: str, update_id: str, *, key: bytes) -> str:
    """What ``processed_updates`` keeps of a platform's update id: its HMAC-SHA256 (hex).

    Slack's ids name the team and the user; the keyed hash deduplicates as well and
    tells nothing once the user is gone (64 hex characters fit the 128-char column).
    """
    message = f"{platform}\x00{update_id}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _consumed(
    result: EngineResult, message: IncomingMessage, following: ClaimedInbox | None
) -> EngineResult:
    """``result`` of a message whose inbox row went with the step (and the next row)."""
    result.inbox_cleared = message.inbox is not None
    result.inbox_next = following
    return result


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
        polisher: the optional AI model (issue 16); ``None``: the feature is off.
        update_id_key: the HMAC key of the stored update ids (a per-install secret).
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
        polisher: Polisher | None = None,
        update_id_key: bytes = DEFAULT_UPDATE_ID_KEY,
    ) -> None:
        self.storage = storage
        self._models = ModelCalls(polisher)
        self._update_id_key = update_id_key
        self._observer = observer
        self.coach = coach if coach is not None else Coach()
        self._clock = clock
        #: The outbox (issue 13): a registered platform's replies are queued with the step.
        self.outbox = Outbox(storage=storage, clock=clock)
        #: Steps whose AI answer waits until the step's own messages were delivered.
        self._step_sent: dict[int, asyncio.Event] = {}
        #: The inbox (issue 13): requests stored before their ack (Slack).
        self.inbox = Inbox(storage=storage, outbox=self.outbox, key=update_id_key)
        self._default_language = normalise_language(default_language)
        self._max_attempts = max(1, max_attempts)
        #: When each user was last told "temporarily unavailable" (see _unavailable).
        self._notified: dict[ConversationKey, datetime] = {}
        self._reminders = ReminderRenderer(
            storage=storage,
            coach=self.coach,
            language=lambda user: self._language(user, None),
            max_attempts=self._max_attempts,
            ai_available=self._models.available,
            outbox=self.outbox,
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
        """Process one incoming message end to end; never raises for a database error.

        A model call the step asked for is made after the step's commit: in the
        background when the platform registered a sender
        (:meth:`deliver_model_answers_with`), else in line, its replies appended.
        """
        message = clean_message(message)
        result = await self._observed(message)
        calls, result.model_calls = result.model_calls, []
        if not calls:
            return result
        send = self._models.sender(message.key.platform)
        if send is None:
            for call in calls:
                answered = await self._answer_model(message, call)
                result.outgoing += answered.outgoing
                result.queued = result.queued or answered.queued
                result.outbox_id = answered.outbox_id or result.outbox_id
        else:
            step_sent: asyncio.Event | None = None
            if result.outbox_id is not None:
                # The AI answer waits (a moment at most) until the channel delivered the
                # step's own messages: the answer is a turn of its own after them.
                step_sent = asyncio.Event()
                self._step_sent[result.outbox_id] = step_sent
            self._models.spawn(self._answer_and_send(message, calls, send, after=step_sent))
        return result

    def deliver_queued_with(self, platform: str, deliver: DeliverQueued) -> None:
        """Queue ``platform``'s replies in the outbox from now on; ``deliver`` sends a row."""
        self.outbox.register(platform, deliver)

    async def deliver_pending(self, key: ConversationKey, *, up_to: int | None = None) -> int:
        """Deliver ``key``'s queued replies now, in order (never raises for the database).

        ``up_to``: only up to a step's own row (``EngineResult.outbox_id``).
        """
        try:
            return await self.outbox.deliver_now(key, up_to=up_to)
        finally:
            step_sent = self._step_sent.pop(up_to, None) if up_to is not None else None
            if step_sent is not None:
                step_sent.set()

    def deliver_model_answers_with(self, platform: str, send: Send) -> None:
        """Make ``platform``'s model calls in the background; ``send`` delivers their replies."""
        self._models.deliver_with(platform, send)

    async def wait_for_model_calls(self) -> None:
        """Wait until the background model calls in flight have ended (tests)."""
        await self._models.wait()

    async def aclose(self) -> None:
        """Let the model calls in flight finish (a few seconds), close the clients; idempotent.

        The model calls' client, then the sent rows' deletes still waiting, then the
        shared send budgets' (Redis, when configured).
        """
        try:
            await self._models.aclose()
        finally:
            await self.outbox.flush()  # the sent rows' deletes still waiting
            await self.outbox.pacer.aclose()

    async def _answer_model(self, message: IncomingMessage, call: PolishDraft) -> EngineResult:
        answer = await self._models.answer(message.key, call)
        follow_up = IncomingMessage(
            key=message.key, user_input=answer, platform_language=message.platform_language
        )
        return await self._observed(follow_up)

    async def _answer_and_send(
        self,
        message: IncomingMessage,
        calls: list[PolishDraft],
        send: Send,
        *,
        after: asyncio.Event | None = None,
    ) -> None:
        for call in calls:
            answered = await self._answer_model(message, call)
            if after is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(after.wait(), timeout=STEP_SENT_WAIT_SECONDS)
                self._step_sent = {k: v for k, v in self._step_sent.items() if v is not after}
                after = None
            if answered.queued:
                await self.outbox.deliver_now(message.key, up_to=answered.outbox_id)
            elif answered.outgoing:
                await send(message.key, answered.outgoing)

    async def _observed(self, message: IncomingMessage) -> EngineResult:
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
                    result = await self._attempt(message)
                except ConflictError:
                    _LOGGER.info(
                        "a %s update conflicted with a concurrent one (attempt %d); retrying",
                        platform,
                        attempt,
                    )
                    await asyncio.sleep(random.uniform(0, 0.005 * attempt))
                else:
                    self._notified.pop(message.key, None)  # the database is back for them
                    return result
            _LOGGER.error(
                "a %s update kept conflicting after %d attempts", platform, self._max_attempts
            )
        except Exception as error:
            if is_data_error(error):
                return await self._rejected(message, language, error)
            if not isinstance(error, DATABASE_ERRORS):
                return self._failed(platform, language, error)
            _LOGGER.warning(
                "database unavailable while handling a %s update: %s",
                platform,
                type(error).__name__,
            )
        return self._unavailable(message.key, language)

    def _unavailable(self, key: ConversationKey, language: str) -> EngineResult:
        """The "temporarily unavailable" result; its notice at most once per interval per user."""
        now = self._clock()
        last = self._notified.get(key)
        if last is not None and now - last < UNAVAILABLE_NOTICE_INTERVAL:
            return EngineResult(language=language, unavailable=True)
        if len(self._notified) >= _NOTICES_KEPT:
            self._notified = {
                k: at for k, at in self._notified.items() if now - at < UNAVAILABLE_NOTICE_INTERVAL
            }
        self._notified[key] = now
        return EngineResult(
            language=language,
            outgoing=self.coach.unavailable(language=language),
            unavailable=True,
        )

    def _failed(self, platform: str, language: str, error: Exception) -> EngineResult:
        """A bug: log where it happened (never the exception text) and say "unavailable"."""
        # A bug must not reach the adapter as a stack trace, nor lose state: nothing
        # was committed (the coach runs before the write transaction). Never log the
        # exception text: it may quote what the user typed.
        _LOGGER.error(
            "handling a %s update failed: %s at %s",
            platform,
            type(error).__name__,
            _where(error),
        )
        return EngineResult(language=language, outgoing=self.coach.unavailable(language=language))

    async def _rejected(
        self, message: IncomingMessage, language: str, error: Exception
    ) -> EngineResult:
        """The database refused a value of the input: ask again, mark the update processed."""
        platform = message.key.platform
        _LOGGER.warning(
            "a %s update was refused by the database as data (%s); asked the user again",
            platform,
            type(error).__name__,
        )
        if message.update_id is not None:
            try:
                async with self.storage.session() as session, session.transaction() as tx:
                    await tx.mark_processed(
                        platform=platform, update_id=self._stored_id(platform, message.update_id)
                    )
            except Exception as mark_error:
                _LOGGER.warning(
                    "marking a refused %s update processed failed: %s",
                    platform,
                    type(mark_error).__name__,
                )
        return EngineResult(
            language=language,
            outgoing=[Reply(text=t(language, "engine-input-rejected"))],
            case_known=False,
        )

    def _stored_id(self, platform: str, update_id: str) -> str:
        return stored_update_id(platform, update_id, key=self._update_id_key)

    async def _attempt(self, message: IncomingMessage) -> EngineResult:
        claims: list[ClaimedOutbox | None] = []
        async with self.storage.session() as session:
            result = await self._attempt_in(session, message, claims)
        # Committed: the rows written claimed for this worker are its to send now.
        for claim in claims:
            if claim is not None:
                self.outbox.own(claim)
        if result.erased:
            try:
                await self.storage.erase_traces()
            except Exception as error:  # the erasure itself is committed
                _LOGGER.warning(
                    "clearing the traces of an erasure failed: %s", type(error).__name__
                )
        return result

    async def _attempt_in(
        self,
        session: StorageSession,
        message: IncomingMessage,
        claims: list[ClaimedOutbox | None],
    ) -> EngineResult:
        key = message.key
        # Read phase: one query, no write lock.
        found, case = await session.find_user_and_active_case(key)

        # A press may name another case: a cancelled one to reopen, or a closed one whose
        # follow-up it answers; each is one more single-statement read, only then.
        named = await find_named_case(session, self.coach, found, message.user_input)
        follow_up = (
            None
            if named is not None
            else await _follow_up_case(session, found, case, message.user_input)
        )

        language = self._language(found, message.platform_language)
        before = {c.id: Snapshot.of(c) for c in (case, follow_up, named) if c is not None}
        result = self.coach.handle(
            UserContext(
                language=language,
                active_case=case,
                ai_available=self._models.available,
                surface=surface_of(key.platform),
                signature=found.signature if found is not None else None,
                named_case=named,
                follow_up_case=follow_up,
                now=self._clock(),
            ),
            message.user_input,
        )

        # Write phase: everything or nothing (the inbox row it came from included; the
        # rows this worker sent since its last transaction are deleted with it).
        async with self.outbox.riding(session.transaction()) as tx:
            following = await self._consume_inbox(tx, message)
            if message.update_id is not None and not await tx.mark_processed(
                platform=key.platform, update_id=self._stored_id(key.platform, message.update_id)
            ):
                return _consumed(self._duplicate(found, message), message, following)
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
                row = await self._enqueue(
                    tx, message, user_id=None, outgoing=outgoing, claims=claims
                )
                erased = EngineResult(
                    language=language,
                    outgoing=outgoing,
                    case_known=True,
                    erased=True,
                    queued=row is not None,
                    outbox_id=row,
                )
                return _consumed(erased, message, following)
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
            row = await self._enqueue(
                tx, message, user_id=user.id, outgoing=outgoing, claims=claims
            )
        done = EngineResult(
            queued=row is not None,
            outbox_id=row,
            language=language,
            outgoing=outgoing,
            choice=result.choice,
            chosen_label=result.chosen_label,
            active_case=result.case,
            case_known=True,
            model_calls=[e for e in result.effects if isinstance(e, PolishDraft)],
            outcomes=list(result.outcomes),
        )
        return _consumed(done, message, following)

    async def _consume_inbox(
        self, tx: StorageTransaction, message: IncomingMessage
    ) -> ClaimedInbox | None:
        """Delete the message's inbox row; claim its sender's next one (same transaction)."""
        stored = message.inbox
        if stored is None:
            return None
        await tx.inbox_done(row_id=stored.row_id)
        platform = message.key.platform
        if stored.conversation is None or not self.inbox.may_wait_behind(
            platform, stored.conversation, exclusive=stored.exclusive
        ):
            return None
        following = await tx.claim_next_inbox(
            platform=platform,
            conversation=stored.conversation,
            held_by=self.outbox.token,
            held_for=self.outbox.lease,
            now=self.outbox.now(),
        )
        if following is not None:
            self.inbox.taken_next(platform, stored.conversation)
        return following

    async def _enqueue(
        self,
        tx: StorageTransaction,
        message: IncomingMessage,
        *,
        user_id: int | None,
        outgoing: list[Outgoing],
        claims: list[ClaimedOutbox | None],
    ) -> int | None:
        """Write ``outgoing`` to the outbox in the step's transaction; the row id, if queued.

        When it goes out next, the row is written claimed for this worker (``claims``):
        handed to the outbox once the transaction committed, it is sent without a claim.
        """
        if not outgoing or not self.outbox.enabled(message.key.platform):
            return None
        origin = MODEL if isinstance(message.user_input, ModelAnswer) else REPLY
        row_id, claim = await tx.enqueue_claimed(
            key=message.key,
            user_id=user_id,
            outgoing=outgoing,
            origin=origin,
            target=message.reply_to,
            now=self._clock(),
            held_by=self.outbox.token,
            held_for=self.outbox.hold_for,
            lease=self.outbox.lease,
        )
        claims.append(claim)
        return row_id

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

    async def stats(self, key: ConversationKey, *, language: str) -> Reply | None:
        """The user's own /stats (the Slack App Home's section); ``None``: no cases, or an error."""
        try:
            user = await self.storage.find_user(key)
            if user is None:
                return None
            async with self.storage.transaction(readonly=True) as tx:
                cases = await tx.list_cases(user_id=user.id, limit=STATS_CASES)
        except DATABASE_ERRORS as error:
            _LOGGER.warning("loading the stats failed: %s", type(error).__name__)
            return None
        if all(case.step is Step.START for case in cases):
            return None
        rendered = self.coach.render_stats(cases, language=language)
        return next((item for item in rendered if isinstance(item, Reply)), None)

    async def active_case(self, key: ConversationKey) -> Case | None:
        """The user's active case, read-only (the Slack App Home summary); None on error."""
        try:
            async with self.storage.session() as session:
                _user, case = await session.find_user_and_active_case(key)
            return case
        except DATABASE_ERRORS as error:
            _LOGGER.warning("loading the active case failed: %s", type(error).__name__)
            return None


async def _follow_up_case(
    session: StorageSession, user: StoredUser | None, active: Case | None, user_input: UserInput
) -> Case | None:
    """The closed case whose follow-up this input may answer (issue 15), if any.

    A press naming another case than the active one loads that case; with no
    active case, any input loads the case whose follow-up waits for an answer
    (typed text answers it; anything else leaves its typed question). One
    single-statement read, and only in those two situations.
    """
    if user is None:
        return None
    if isinstance(user_input, ChoiceInput):
        pressed = callback.decode(user_input.data)
        if pressed is None:
            return None
        if pressed.case_ref != callback.NO_CASE_REF and (
            active is None or pressed.case_ref != callback.case_ref(active.id)
        ):
            return await session.find_follow_up_case(user_id=user.id, case_ref=pressed.case_ref)
    if active is None and isinstance(user_input, (TextInput, CommandInput)):
        return await session.find_follow_up_case(user_id=user.id, case_ref=None)
    return None


#: SQLSTATE class 22 ("data exception"): the server refused a value (U+0000, an
#: untranslatable character, a value too long …), not the connection or the query.
_DATA_EXCEPTION_CLASS = "22"


def is_data_error(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is the database refusing a value of the input."""
    from sqlalchemy.exc import DataError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (DataError, UnicodeError)):
            return True
        code = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(code, str) and code.startswith(_DATA_EXCEPTION_CLASS):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def _where(error: BaseException) -> str:
    """``file:line`` of the innermost frame of ``error``'s traceback."""
    tb = error.__traceback__
    if tb is None:
        return "?"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
