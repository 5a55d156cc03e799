"""The Telegram channel: python-telegram-bot in front of the shared engine.

The channel *holds* a PTB :class:`~telegram.ext.Application` (it never
subclasses it) and translates in both directions: a private-chat update
becomes an :class:`~bot.engine.IncomingMessage`, and every
:class:`~flows.io.Reply` / :class:`~flows.io.Draft` of the result is sent as
HTML with an inline keyboard (see :mod:`bot.channels.telegram.render`). Storage and the
state machine are only reached through the engine.

Updates arrive by long polling (:mod:`bot.channels.telegram.polling`) or the
webhook (:mod:`bot.channels.telegram.webhook`). Either way they are first stored
in the inbox (issue 13) — only then does the webhook answer 200, or polling move
its offset on — and then worked on from there: one user's updates one at a
time, oldest first, across all workers; an update whose worker died is taken
over by another worker's recovery loop (:meth:`TelegramChannel.recover_inbox`).
When the inbox cannot store them (the database is down) they are worked on at
once, as before the inbox: the webhook answers 503 (or 500 when processing
failed) and Telegram delivers them again; polling fetches them again.
:meth:`TelegramChannel.process_webhook_update` processes one update directly
(tests, the benchmark). Inline mode is in :mod:`bot.channels.telegram.inline`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from telegram import (
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.channels.telegram.application import (
    ALLOWED_UPDATES,
    DEFAULT_MAX_RETRIES,
    NO_PREVIEW,
    PtbApplication,
    build_application,
    set_commands,
)
from bot.channels.telegram.failures import classify
from bot.channels.telegram.groups import point_to_private_chat
from bot.channels.telegram.inline import answer_inline_query
from bot.channels.telegram.inputs import PLATFORM, conversation_key, parse_command, unsupported_kind
from bot.channels.telegram.polling import poll
from bot.channels.telegram.presses import on_callback_query
from bot.channels.telegram.processing import PerUserUpdateProcessor
from bot.channels.telegram.render import TelegramMessage, escape, render
from bot.channels.telegram.request import PollingRequest
from bot.channels.telegram.webhook import (
    MalformedUpdateError,
    UpdateFailedError,
    WebhookHandler,
    WebhookUpdate,
    serve_webhook,
    webhook_handler,
)
from bot.engine import Engine, EngineResult, IncomingMessage
from bot.engine.delivery import Delivery, send_parts
from bot.engine.inbox import Arrival, ClaimedInbox
from bot.engine.results import InboxRef
from flows.i18n import normalise_language, t
from flows.io import (
    ConversationKey,
    Outgoing,
    TextInput,
    UnsupportedInput,
    UserInput,
)

if TYPE_CHECKING:
    from aiohttp import web

    from bot.channels.base import ChannelFactory
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

#: Updates processed at once (different users; one user's updates stay in order).
DEFAULT_CONCURRENT_UPDATES = 4
#: Where ``serve`` mounts the webhook.
WEBHOOK_PATH = "/telegram/webhook"


class TelegramChannel:
    """Serves the coach on Telegram through the shared :class:`~bot.engine.Engine`."""

    name = PLATFORM

    def __init__(
        self,
        *,
        engine: Engine,
        token: str,
        base_url: str | None = None,
        base_file_url: str | None = None,
        concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES,
        rate_limit: bool = True,
        max_retries: int = DEFAULT_MAX_RETRIES,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        listen_host: str = "127.0.0.1",
        listen_port: int = 8443,
    ) -> None:
        """Build the PTB application (nothing is sent until :meth:`start`).

        Args:
            engine: the shared pipeline.
            token: the bot token from BotFather (never logged).
            base_url: Bot API base URL (PTB ``base_url``), e.g. a self-hosted server.
            base_file_url: Bot API file base URL (PTB ``base_file_url``).
            concurrent_updates: updates processed at once (per user in order).
            rate_limit: keep to Telegram's flood limits (PTB ``AIORateLimiter``);
                a 429 is waited out either way.
            max_retries: how often a 429 is waited out before giving up.
            webhook_url: where Telegram posts updates (webhook mode only).
            webhook_secret: the secret token Telegram sends with every webhook request.
            listen_host: where :meth:`run` serves the webhook on its own (webhook mode).
            listen_port: the port of that server.
        """
        self._engine = engine
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._listen = (listen_host, listen_port)
        self._mounted = False  # routes() handed to serve: start() sets the webhook
        #: Updates being processed, by the Update object (what happened to them: _run_update).
        self._webhook_updates: dict[int, WebhookUpdate] = {}
        #: Stored updates being worked on (awaited by drain()).
        self._inflight: set[asyncio.Task[None]] = set()
        self._polling: asyncio.Task[None] | None = None
        self._processor = PerUserUpdateProcessor(concurrent_updates)
        #: getUpdates' backend; it keeps each polled update's JSON for the inbox.
        self._polling_request = PollingRequest(connection_pool_size=1)
        self._application = build_application(
            token=token,
            processor=self._processor,
            base_url=base_url,
            base_file_url=base_file_url,
            rate_limit=rate_limit,
            max_retries=max_retries,
            get_updates_request=self._polling_request,
        )
        self._register_handlers()

    @classmethod
    def from_settings(
        cls, *, settings: Settings, engine: Engine, options: argparse.Namespace | None = None
    ) -> TelegramChannel:
        """Build the channel from :class:`~bot.settings.Settings` (token must be set)."""
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        secret = settings.telegram_webhook_secret
        return cls(
            engine=engine,
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_url or None,
            concurrent_updates=settings.telegram_concurrent_updates,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=secret.get_secret_value() if secret is not None else None,
            listen_host=settings.telegram_listen_host,
            listen_port=settings.telegram_listen_port,
        )

    @property
    def application(self) -> PtbApplication:
        """The held PTB application (for tests and the benchmark)."""
        return self._application

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Initialise (``getMe``), register the command menus and start processing.

        Behind ``serve`` (:meth:`routes` was asked for), also point Telegram's
        webhook at the configured URL; on its own, :meth:`run` does that once its
        server listens.
        """
        await self._application.initialize()
        # From now on this channel's replies are written to the outbox with their step.
        self._engine.deliver_queued_with(self.name, self.deliver_queued)
        await self.set_commands()
        await self._application.start()
        _LOGGER.info("Telegram bot @%s started", self._application.bot.username)
        if self._mounted:
            await self._register_webhook()

    async def _register_webhook(self) -> None:
        if self._webhook_url and self._webhook_secret:
            await self.set_webhook(url=self._webhook_url, secret=self._webhook_secret)

    def routes(self) -> Sequence[web.RouteDef]:
        """``POST /telegram/webhook`` for ``serve`` (the secret is checked on every request)."""
        from aiohttp import web

        self._mounted = True
        return [web.post(WEBHOOK_PATH, self.webhook_handler())]

    def webhook_handler(self) -> WebhookHandler:
        """The aiohttp handler of the webhook (needs the configured secret)."""
        return webhook_handler(self, secret=self._webhook_secret or "")

    async def run(self) -> None:
        """Receive on its own until cancelled: long polling, or the webhook on its own server."""
        if self._webhook_url:
            host, port = self._listen
            await serve_webhook(
                self.webhook_handler(),
                url=self._webhook_url,
                host=host,
                port=port,
                listening=self._register_webhook,
            )
            return
        await self.start_polling()
        await asyncio.Event().wait()

    async def start_polling(self, *, timeout: float = 10.0, poll_interval: float = 0.0) -> None:
        """Start long polling (this removes a webhook, as Telegram requires).

        Each batch is stored in the inbox before its offset is confirmed.
        """
        if self._polling is not None and not self._polling.done():
            return
        self._polling = asyncio.create_task(
            poll(
                self._application.bot,
                self.receive_polled,
                timeout=timeout,
                poll_interval=poll_interval,
                allowed_updates=ALLOWED_UPDATES,
                fetched_json=self._polling_request.take_json,
            ),
            name="telegram-polling",
        )
        _LOGGER.info("long polling started")

    async def set_webhook(self, *, url: str, secret: str) -> None:
        """Tell Telegram to post updates to ``url`` with ``secret`` in every request."""
        await self._application.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES)
        )
        _LOGGER.info("webhook set")

    async def stop(self) -> None:
        """Stop polling, finish (briefly) the stored updates in work; close the connections."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        await self.drain(timeout=10.0)
        if self._application.running:
            await self._application.stop()
        await self._application.shutdown()
        _LOGGER.info("Telegram bot stopped")

    async def set_commands(self) -> None:
        """Register the command menus in both languages (``bg`` and the default)."""
        await set_commands(self._application.bot)

    def parse_update(self, data: dict[str, Any]) -> Update:
        """``data`` as a PTB update.

        Raises:
            MalformedUpdateError: PTB cannot read ``data`` as an update (400).
        """
        try:
            return Update.de_json(data, self._application.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise MalformedUpdateError(type(error).__name__) from None

    async def process_webhook_update(self, data: dict[str, Any]) -> bool:
        """Process one update posted by Telegram, completely, before returning (no inbox).

        Returns whether it was applied: ``False`` when the database was down and
        the user only got the "temporarily unavailable" reply (the webhook then
        answers 503 and Telegram delivers the update again).

        Raises:
            MalformedUpdateError: PTB cannot read ``data`` as an update (400).
            UpdateFailedError: processing failed (the webhook answers 500).
        """
        return await self.process_now(self.parse_update(data))

    async def process_now(self, update: Update) -> bool:
        """Process ``update`` before returning; whether it was applied (see above).

        Raises:
            UpdateFailedError: processing failed.
        """
        outcome = await self._run_update(update)
        if outcome.failures:
            raise UpdateFailedError(f"update {update.update_id} failed") from outcome.failures[0]
        return not outcome.unavailable

    async def _run_update(self, update: Update, *, inbox: InboxRef | None = None) -> WebhookUpdate:
        """Run PTB's handlers on ``update`` (one user's in order); what happened.

        ``inbox``: the row it was stored in, consumed by the engine with the step.
        """
        # Keyed by the object, not the update id: a redelivery stored anew while the
        # first delivery is still being sent runs beside it with its own inbox row.
        outcome = WebhookUpdate(inbox=inbox)
        self._webhook_updates[id(update)] = outcome
        try:
            await self._processor.process_update(update, self._application.process_update(update))
        finally:
            self._webhook_updates.pop(id(update), None)
        return outcome

    # ------------------------------------------------------------------ the inbox

    async def store(self, updates: Sequence[tuple[Update, str]], *, polled: bool = False) -> bool:
        """Store updates (with their JSON) in the inbox, in order, and start working on them.

        Returns ``False`` when the database could not store them (nothing started).
        An update stored already is being worked on; one behind an older update of
        the same user waits for it (whoever finishes that one takes it next).
        ``polled``: fetched by long polling, which only one process of a bot does.
        """
        arrivals = [
            Arrival(body, identity=str(update.update_id), sender=_sender(update))
            for update, body in updates
        ]
        stored = await self._engine.inbox.accept_many(PLATFORM, arrivals, exclusive=polled)
        if stored is None:
            return False
        for (update, _), arrival, accepted in zip(updates, arrivals, stored, strict=True):
            if accepted.row_id is None or accepted.deferred:
                continue
            conversation = (
                None
                if arrival.sender is None
                else self._engine.inbox.conversation_of(PLATFORM, arrival.sender)
            )
            task = asyncio.create_task(
                self._work_from(accepted.row_id, update, conversation, polled=polled)
            )
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return True

    async def receive_polled(self, updates: Sequence[tuple[Update, str]]) -> bool:
        """Take a polled batch: stored, or — the database down — worked on at once.

        Returns whether the batch may be confirmed (stored, or every update applied);
        otherwise polling fetches it again later.
        """
        if await self.store(updates, polled=True):
            return True
        applied = True
        for update, _ in updates:  # the engine tells the user it is unavailable
            outcome = await self._run_update(update)
            applied = applied and not outcome.failures and not outcome.unavailable
        return applied

    async def _work_from(
        self,
        row_id: int,
        update: Update | None,
        conversation: str | None,
        *,
        polled: bool = False,
    ) -> None:
        """Work on a stored update, then on its user's next ones as they come in turn.

        ``update`` ``None``: the row is unreadable and only cleared. Never raises: what
        could not be done stays in the inbox for another try. ``polled``: stored by
        this process's long polling (see :attr:`InboxRef.exclusive`).
        """
        try:
            await self._work_chain(row_id, update, conversation, polled)
        except Exception as error:
            _LOGGER.error("working on a stored update failed: %s", type(error).__name__)

    async def _work_chain(
        self, row_id: int, update: Update | None, conversation: str | None, polled: bool
    ) -> None:
        row: int | None = row_id
        current: Update | None = update
        while row is not None:
            following: ClaimedInbox | None = None
            cleared = False
            if current is not None:
                stored = InboxRef(row, conversation, exclusive=polled)
                outcome = await self._run_update(current, inbox=stored)
                # The engine deleted the row with the step (and claimed the next one)
                # unless no step ran (an inline query, a group's /start, an edit).
                cleared, following = outcome.inbox_cleared, outcome.inbox_next
                if not cleared and (outcome.failures or outcome.unavailable):
                    # Left in the inbox, held: worked on again when the hold ran out.
                    _LOGGER.info("inbox row %s stays for another try", row)
                    return
            if not cleared:
                following = await self._engine.inbox.done(
                    row, platform=PLATFORM, conversation=conversation
                )
            row = None if following is None else following.id
            current = None if following is None else self._stored_update(following)

    def _stored_update(self, row: ClaimedInbox) -> Update | None:
        """A stored update read back (``None``: unreadable, it is cleared unworked)."""
        try:
            data = json.loads(row.body)
            return self.parse_update(data) if isinstance(data, dict) else None
        except (ValueError, RecursionError, MalformedUpdateError):
            _LOGGER.warning("an unreadable update in the inbox is dropped")
            return None

    async def recover_inbox(self) -> None:
        """The inbox's recovery loop: work on updates a dead worker had stored."""
        await self._engine.inbox.recover(self.name, self.work_on_stored)

    async def work_on_stored(self, row: ClaimedInbox) -> None:
        """Work on an update this worker took over from the inbox (and its user's next ones)."""
        await self._work_from(row.id, self._stored_update(row), row.conversation)

    async def drain(self, *, timeout: float = 10.0) -> None:
        """Wait until no stored update is being worked on (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while self._inflight and time.monotonic() < deadline:
            await asyncio.wait(set(self._inflight), timeout=deadline - time.monotonic())

    # ------------------------------------------------------------------ sending

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Send replies to a user outside of an update (due reminders).

        A user who blocked the bot is logged and skipped (sending again would not help).
        """
        try:
            await self.send(chat_id=int(key.user_id), outgoing=outgoing)
        except Forbidden:
            _LOGGER.info("reminder not delivered: the user blocked the bot")

    async def deliver_queued(self, delivery: Delivery) -> None:
        """Send one outbox row: its messages not yet accepted, in order.

        Raises:
            DeliveryFailed: the Bot API refused (permanent: blocked, chat not found,
                a refused request) or failed (retryable: 5xx, timeout, 429).
        """
        chat_id = int(delivery.key.user_id)

        async def send_one(message: TelegramMessage) -> None:
            try:
                await self._send_message(chat_id, message)
            except TelegramError as error:
                raise classify(error) from None

        await send_parts(delivery, render(delivery.outgoing), send_one, target=str(chat_id))

    async def send_result(self, *, chat_id: int, result: EngineResult) -> None:
        """Send a step's replies: from the outbox when they were queued, else directly."""
        if result.queued:
            await self._engine.deliver_pending(conversation_key(chat_id), up_to=result.outbox_id)
        elif result.outgoing:
            await self.send(chat_id=chat_id, outgoing=result.outgoing)

    async def send(self, *, chat_id: int, outgoing: Sequence[Outgoing]) -> list[Message]:
        """Render and send every reply and draft, in order."""
        return [await self._send_message(chat_id, message) for message in render(outgoing)]

    async def _send_message(self, chat_id: int, message: TelegramMessage) -> Message:
        return await self._application.bot.send_message(
            chat_id=chat_id,
            text=message.html,
            parse_mode=ParseMode.HTML,
            reply_markup=message.keyboard,
            link_preview_options=NO_PREVIEW,
        )

    # ------------------------------------------------------------------ handlers

    def _register_handlers(self) -> None:
        app = self._application
        private = filters.ChatType.PRIVATE
        new_message = filters.UpdateType.MESSAGE
        app.add_handler(InlineQueryHandler(self._on_inline_query))
        app.add_handler(CallbackQueryHandler(self._on_callback_query))
        app.add_handler(
            CommandHandler(
                "start",
                self._on_public_start,
                filters=(filters.ChatType.GROUPS | filters.ChatType.CHANNEL)
                & (new_message | filters.UpdateType.CHANNEL_POST),
            )
        )
        app.add_handler(
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self._on_edited_message)
        )
        # A message sent "via" a bot is an inline result (e.g. a draft shared into this
        # chat), not an answer typed by the user.
        typed = private & new_message & ~filters.VIA_BOT
        app.add_handler(MessageHandler(typed & filters.COMMAND, self._on_command))
        app.add_handler(MessageHandler(typed & filters.TEXT, self._on_text))
        app.add_handler(MessageHandler(typed & ~filters.StatusUpdate.ALL, self._on_unsupported))
        app.add_error_handler(self._on_error)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None and message.text is not None
        await self._converse(update, TextInput(message.text))

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        # Registered for private chats only: there every message is meant for this bot.
        command = parse_command(
            message, bot_username=self._application.bot.username, any_target=True
        )
        if command is None:
            return
        await self._converse(update, command)

    async def _on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        await self._converse(update, UnsupportedInput(unsupported_kind(message)))

    async def _converse(self, update: Update, user_input: UserInput) -> None:
        chat = update.effective_chat
        assert chat is not None
        result = await self._handle(update, user_input)
        if not result.duplicate:
            await self.send_result(chat_id=chat.id, result=result)

    async def _handle(self, update: Update, user_input: UserInput) -> EngineResult:
        user = update.effective_user
        assert user is not None
        _LOGGER.debug("update %s: %s", update.update_id, type(user_input).__name__)
        outcome = self._webhook_updates.get(id(update))
        stored = outcome.inbox if outcome is not None and not outcome.inbox_cleared else None
        result = await self._engine.handle(
            IncomingMessage(
                key=conversation_key(user.id),
                user_input=user_input,
                update_id=str(update.update_id),
                platform_language=user.language_code,
                inbox=stored,
            )
        )
        if outcome is not None and result.inbox_cleared:
            outcome.inbox_cleared, outcome.inbox_next = True, result.inbox_next
        if result.unavailable and outcome is not None:
            # The user is told; the webhook answers 503 so that Telegram delivers the
            # update again, and the answer is applied once the database is back.
            outcome.unavailable = True
        return result

    async def _on_callback_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await on_callback_query(update, handle=self._handle, send=self.send_result)

    async def _on_edited_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edits are not read again (the answer was already taken); say so."""
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        language = await self._language_of(user.id, user.language_code)
        await self._send_message(chat.id, TelegramMessage(escape(t(language, "tg-edit-ignored"))))

    async def _on_public_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` in a group or channel: no coaching in public, point to a private chat."""
        await point_to_private_chat(update, bot_username=self._application.bot.username)

    async def _on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer the asking user's own latest drafts, to send into any chat."""
        assert update.inline_query is not None
        await answer_inline_query(
            update.inline_query, engine=self._engine, language_of=self._language_of
        )

    async def _language_of(self, user_id: int, platform_language: str | None) -> str:
        try:
            return await self._engine.language_of(
                conversation_key(user_id), platform_language=platform_language
            )
        except Exception as error:
            _LOGGER.warning("language lookup failed: %s", type(error).__name__)
            return normalise_language(platform_language)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update (never its text) and mark a webhook update as failed."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        outcome = self._webhook_updates.get(id(update)) if update_id is not None else None
        if outcome is not None and error is not None:
            outcome.failures.append(error)
        _LOGGER.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)


def _sender(update: Update) -> str | None:
    """Whose update it is (its user's updates are worked on in order)."""
    user = update.effective_user
    return None if user is None else str(user.id)


CHANNEL: ChannelFactory = TelegramChannel  # mypy checks the class against the contract


async def run(settings: Settings, options: argparse.Namespace | None = None) -> int:
    """``rejection-coach telegram``: the bot on its own until SIGINT/SIGTERM.

    Raises:
        TelegramConfigError: the settings cannot work (no token, webhook without secret).
    """
    from bot.channels.telegram import SPEC
    from bot.wiring import run_standalone

    SPEC.check(settings)
    return await run_standalone(TelegramChannel, settings=settings, options=options)
