"""The Telegram adapter: python-telegram-bot in front of the shared engine.

The adapter *holds* a PTB :class:`~telegram.ext.Application` (it never
subclasses it) and translates in both directions: a private-chat update
becomes an :class:`~bot.engine.IncomingMessage`, and every
:class:`~flows.io.Reply` / :class:`~flows.io.Draft` of the result is sent as
HTML with an inline keyboard (see :mod:`bot.channels.telegram.render`). Storage and the
state machine are only reached through the engine.

Updates arrive by long polling (the Application's updater) or through
:meth:`TelegramAdapter.process_webhook_update`, which processes one update
before returning and raises when processing failed, so the webhook can answer
non-2xx and Telegram delivers the update again (the engine drops the
duplicate if it was already applied).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, InlineQueryLimit, ParseMode, UpdateType
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.helpers import create_deep_linked_url

from bot.channels.telegram.processing import PerUserUpdateProcessor
from bot.channels.telegram.render import (
    MAX_TEXT_LENGTH,
    TelegramMessage,
    escape,
    render,
    truncate,
    with_chosen,
)
from bot.channels.telegram.request import AiohttpRequest
from bot.engine import Engine, EngineResult, IncomingMessage
from bot.reminders import ReminderScheduler
from flows.case import DEFAULT_LANGUAGE, LANGUAGES
from flows.i18n import normalise_language, t
from flows.io import (
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    ConversationKey,
    DraftKind,
    Outgoing,
    TextInput,
    UnsupportedInput,
    UserInput,
)
from flows.prompts import COMMANDS

if TYPE_CHECKING:
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

# Opt in to PTB's coming behaviour (durations as timedelta). Without it PTB itself
# warns (PTBDeprecationWarning) each time it builds a RetryAfter for a 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")

PLATFORM = "telegram"

#: The update types the bot asks Telegram for (polling and webhook alike).
ALLOWED_UPDATES: tuple[str, ...] = (
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.CHANNEL_POST,
    UpdateType.CALLBACK_QUERY,
    UpdateType.INLINE_QUERY,
)

#: Updates processed at once (different users; one user's updates stay in order).
DEFAULT_CONCURRENT_UPDATES = 4
#: How often a 429 ("retry after") is waited out before a request gives up.
DEFAULT_MAX_RETRIES = 3
#: Drafts offered in inline mode.
INLINE_RESULTS = 10
#: Deep-link payload of the "open a private chat" button (t.me/<bot>?start=…).
DEEP_LINK_PAYLOAD = "coach"

_INLINE_KINDS = frozenset({DraftKind.REPLY, DraftKind.CALL_REQUEST, DraftKind.CONTRACT_CLAUSE})
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_DESCRIPTION_LENGTH = 100

#: Set while a webhook update is processed; the error handler records failures in it.
_FAILURES: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "telegram_update_failures", default=None
)

#: What a non-text message holds, checked in this order (an animation is also a document).
_UNSUPPORTED_KINDS: tuple[str, ...] = (
    "photo",
    "sticker",
    "voice",
    "video_note",
    "animation",
    "video",
    "audio",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)


class UpdateFailedError(RuntimeError):
    """Processing a webhook update failed; the webhook answers non-2xx."""


class TelegramAdapter:
    """Serves the coach on Telegram through the shared :class:`~bot.engine.Engine`."""

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
        reminder_interval: float = 5.0,
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
            reminder_interval: seconds between looking for due reminders.
        """
        self._engine = engine
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._processor = PerUserUpdateProcessor(concurrent_updates)
        # Without rate limiting the limiter still waits out a 429 ("retry after").
        limiter = (
            AIORateLimiter(max_retries=max_retries)
            if rate_limit
            else AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        )
        builder = (
            ApplicationBuilder()
            .token(token)
            .rate_limiter(limiter)
            .concurrent_updates(self._processor)
            .job_queue(None)
            # aiohttp instead of PTB's default httpx: a fraction of the CPU per API call.
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
        )
        if base_url:
            builder = builder.base_url(base_url)
        if base_file_url:
            builder = builder.base_file_url(base_file_url)
        self._application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self._reminders = ReminderScheduler(
            engine=engine, platform=PLATFORM, send=self.deliver, interval=reminder_interval
        )
        self._register_handlers()

    @classmethod
    def from_settings(cls, *, settings: Settings, engine: Engine) -> TelegramAdapter:
        """Build the adapter from :class:`~bot.settings.Settings` (token must be set)."""
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
            reminder_interval=settings.reminder_interval_seconds,
        )

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        """The held PTB application (for tests and the benchmark)."""
        return self._application

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Initialise (``getMe``), register the command menus and start processing."""
        await self._application.initialize()
        await self.set_commands()
        await self._application.start()
        _LOGGER.info("Telegram bot @%s started", self._application.bot.username)

    async def start_polling(self, *, timeout: float = 10.0, poll_interval: float = 0.0) -> None:
        """Start long polling (this removes a webhook, as Telegram requires)."""
        await self._application.updater.start_polling(  # type: ignore[union-attr]
            timeout=timedelta(seconds=timeout),
            poll_interval=poll_interval,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        _LOGGER.info("long polling started")

    async def set_webhook(self, *, url: str, secret: str) -> None:
        """Tell Telegram to post updates to ``url`` with ``secret`` in every request."""
        await self._application.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES)
        )
        _LOGGER.info("webhook set")

    async def start_webhook_mode(self) -> None:
        """:meth:`start`, then set the webhook when a URL and secret were configured."""
        await self.start()
        if self._webhook_url and self._webhook_secret:
            await self.set_webhook(url=self._webhook_url, secret=self._webhook_secret)

    async def stop(self) -> None:
        """Stop polling, reminders and processing; close the HTTP connections."""
        updater = self._application.updater
        if updater is not None and updater.running:
            await updater.stop()
        await self._reminders.stop()
        if self._application.running:
            await self._application.stop()
        await self._application.shutdown()
        _LOGGER.info("Telegram bot stopped")

    async def set_commands(self) -> None:
        """Register the command menus in both languages (``bg`` and the default)."""
        bot = self._application.bot
        for language in LANGUAGES:
            code = None if language == DEFAULT_LANGUAGE else language
            private = [BotCommand(name, t(language, f"coach-cmd-{name}")) for name in COMMANDS]
            await bot.set_my_commands(private, language_code=code)
            group = [BotCommand("start", t(language, "tg-command-start-group"))]
            await bot.set_my_commands(
                group, scope=BotCommandScopeAllGroupChats(), language_code=code
            )

    # ------------------------------------------------------------------ webhook

    async def process_webhook_update(self, data: dict[str, Any]) -> None:
        """Process one update posted by Telegram, completely, before returning.

        Raises:
            UpdateFailedError: processing failed (the webhook answers non-2xx).
        """
        update = Update.de_json(data, self._application.bot)
        failures: list[BaseException] = []
        token = _FAILURES.set(failures)
        try:
            await self._processor.process_update(update, self._application.process_update(update))
        finally:
            _FAILURES.reset(token)
        if failures:
            raise UpdateFailedError(f"update {update.update_id} failed") from failures[0]

    # ------------------------------------------------------------------ reminders

    def start_reminders(self) -> None:
        """Deliver due reminders in the background until :meth:`stop`."""
        self._reminders.start()

    async def run_reminders(self) -> None:
        """Deliver due reminders until cancelled (a background task of ``serve``)."""
        self._reminders.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self._reminders.stop()

    async def deliver_due_reminders(self) -> int:
        """Claim and send the reminders due now, once; return how many were sent."""
        return await self._reminders.run_once()

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Send replies to a user outside of an update (due reminders)."""
        try:
            await self.send(chat_id=int(key.user_id), outgoing=outgoing)
        except Forbidden:
            _LOGGER.info("reminder not delivered: the user blocked the bot")

    # ------------------------------------------------------------------ sending

    async def send(self, *, chat_id: int, outgoing: Sequence[Outgoing]) -> list[Message]:
        """Render and send every reply and draft, in order."""
        return [await self._send_message(chat_id, message) for message in render(outgoing)]

    async def _send_message(self, chat_id: int, message: TelegramMessage) -> Message:
        return await self._application.bot.send_message(
            chat_id=chat_id,
            text=message.html,
            parse_mode=ParseMode.HTML,
            reply_markup=message.keyboard,
            link_preview_options=_NO_PREVIEW,
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
        command = parse_command(message, bot_username=self._application.bot.username)
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
            await self.send(chat_id=chat.id, outgoing=result.outgoing)

    async def _handle(self, update: Update, user_input: UserInput) -> EngineResult:
        user = update.effective_user
        assert user is not None
        _LOGGER.debug("update %s: %s", update.update_id, type(user_input).__name__)
        result = await self._engine.handle(
            IncomingMessage(
                key=conversation_key(user.id),
                user_input=user_input,
                update_id=str(update.update_id),
                platform_language=user.language_code,
            )
        )
        failures = _FAILURES.get()
        if result.unavailable and failures is not None:
            # The user is told; answering non-2xx makes Telegram deliver the update
            # again, so the answer is applied once the database is back.
            failures.append(UpdateFailedError("the database is unavailable"))
        return result

    async def _on_callback_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        if (
            message is None
            or message.chat.type != ChatType.PRIVATE
            or not query.data
            or query.from_user.id != message.chat.id
        ):
            await _answer(query)
            return
        try:
            result = await self._handle(update, ChoiceInput(query.data))
        except Exception:
            language = normalise_language(query.from_user.language_code)
            await _answer(query, t(language, "tg-error-retry"))
            raise
        notice = None
        if result.choice is ChoiceOutcome.STALE and not result.duplicate:
            notice = t(result.language, "tg-stale-notice")
        # Stop the spinner, mark the question answered and send what comes next at the
        # same time: three independent requests, one round trip (the sent messages keep
        # their order among themselves).
        work: list[Awaitable[object]] = [_answer(query, notice)]
        if not result.duplicate:
            if result.choice is ChoiceOutcome.ACCEPTED and isinstance(message, Message):
                work.append(
                    self._show_chosen(message, label=result.chosen_label, language=result.language)
                )
            work.append(self.send(chat_id=message.chat.id, outgoing=result.outgoing))
        await asyncio.gather(*work)

    async def _show_chosen(self, message: Message, *, label: str | None, language: str) -> None:
        """Edit the answered question: the chosen answer under it and no more buttons."""
        edited = None
        if label and message.text:
            edited = with_chosen(message.text_html, label=label, language=language)
        try:
            if edited is not None:
                await message.edit_text(
                    edited,
                    parse_mode=ParseMode.HTML,
                    reply_markup=None,  # editing without a keyboard removes it
                    link_preview_options=_NO_PREVIEW,
                )
            else:
                await message.edit_reply_markup(reply_markup=None)
        except BadRequest as error:
            # Too old to edit, or already edited by an earlier press: nothing to fix.
            _LOGGER.info("question not edited: %s", error.message)

    async def _on_edited_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edits are not read again (the answer was already taken); say so."""
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        language = await self._language_of(user.id, user.language_code)
        await self._send_message(chat.id, TelegramMessage(escape(t(language, "tg-edit-ignored"))))

    async def _on_public_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` in a group or channel: no coaching in public, point to a private chat."""
        chat = update.effective_chat
        assert chat is not None
        user = update.effective_user
        language = normalise_language(user.language_code if user else None)
        url = create_deep_linked_url(self._application.bot.username, DEEP_LINK_PAYLOAD)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(language, "tg-group-button"), url=url)]]
        )
        await self._send_message(
            chat.id, TelegramMessage(escape(t(language, "tg-group-pointer")), markup)
        )

    async def _on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer the asking user's own latest drafts, to send into any chat."""
        query = update.inline_query
        assert query is not None
        key = conversation_key(query.from_user.id)
        drafts = [
            draft
            for draft in await self._engine.latest_drafts(key, limit=INLINE_RESULTS)
            if draft.kind in _INLINE_KINDS
        ]
        needle = query.query.strip().casefold()
        if needle:
            drafts = [d for d in drafts if needle in f"{d.title}\n{d.text}".casefold()]
        results = [
            InlineQueryResultArticle(
                id=f"draft-{index}",
                title=truncate(draft.title, limit=_DESCRIPTION_LENGTH),
                description=truncate(" ".join(draft.text.split()), limit=_DESCRIPTION_LENGTH),
                input_message_content=InputTextMessageContent(
                    truncate(draft.text, limit=MAX_TEXT_LENGTH)
                ),
            )
            for index, draft in enumerate(drafts[: int(InlineQueryLimit.RESULTS)])
        ]
        button = None
        if not results:
            language = await self._language_of(query.from_user.id, query.from_user.language_code)
            button = InlineQueryResultsButton(
                text=t(language, "tg-inline-start"), start_parameter=DEEP_LINK_PAYLOAD
            )
        await query.answer(results, cache_time=0, is_personal=True, button=button)

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
        failures = _FAILURES.get()
        if failures is not None and error is not None:
            failures.append(error)
        _LOGGER.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)


# --------------------------------------------------------------------------- helpers


def conversation_key(user_id: int) -> ConversationKey:
    """The engine's key of a Telegram user (private chat id == user id)."""
    return ConversationKey(PLATFORM, "", str(user_id))


def parse_command(message: Message, *, bot_username: str) -> CommandInput | None:
    """``/name@bot args`` → ``CommandInput(name, args)``; ``None`` if meant for another bot."""
    text = message.text or ""
    entity = message.entities[0]
    command = text[1 : entity.length]
    name, _, target = command.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return CommandInput(name=name.lower(), args=text[entity.length :].strip())


def unsupported_kind(message: Message) -> str:
    """What a non-text message holds (``photo``, ``sticker``, … or ``other``)."""
    for kind in _UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"


async def _answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query (always: it stops the spinner); never fail the update."""
    try:
        await query.answer(text=text)
    except BadRequest as error:
        # "query is too old" — e.g. a webhook redelivery long after the press.
        _LOGGER.info("callback query not answered: %s", error.message)
