"""The Slack adapter: holds a bolt ``AsyncApp`` and translates both ways.

Inbound: DM messages (``message.im``), ``/coach``, answer buttons and App
Home buttons become :class:`~bot.engine.IncomingMessage` for the shared
engine. Outbound: the engine's replies become Block Kit messages
(:mod:`bot.channels.slack.blocks`); the question message of an accepted press is
updated to show the answer; the App Home is published after every step.

Every request is acknowledged first (bolt answers Slack as soon as ``ack()``
runs, ``process_before_response=False``) and the work happens after. Slack
retries carry the same ``event_id``: the engine drops the duplicate, across
restarts and workers, because it remembers processed ids in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks, inputs
from bot.channels.slack.blocks import CHOICE_PREFIX, HOME_PREFIX
from bot.engine import Engine, EngineResult, IncomingMessage
from bot.ordering import KeyedLock
from flows.case import Case
from flows.i18n import catalog, t
from flows.io import ChoiceOutcome, ConversationKey, Outgoing, UserInput

if TYPE_CHECKING:
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PLATFORM = "slack"
#: Slack's own Web API.
DEFAULT_API_URL = "https://slack.com/api/"
#: How long a user's Slack locale and DM channel are remembered.
USER_CACHE_SECONDS = 300.0
#: Longest dedupe id the engine stores.
UPDATE_ID_LIMIT = 128
#: Timeout of one Web API call.
WEB_API_TIMEOUT_SECONDS = 30.0
#: At most this many users are remembered (nothing per user grows without bound).
USER_CACHE_SIZE = 2048

_K = TypeVar("_K")
_V = TypeVar("_V")


class _Unknown:
    """The active case was not given: read it when the App Home is built."""

    __slots__ = ()


#: "Not known, read it": the default case of an App Home refresh.
UNKNOWN = _Unknown()


class _TtlCache(Generic[_K, _V]):
    """A small LRU with expiry, for per-user look-ups (locale, DM channel)."""

    def __init__(self, *, ttl: float, size: int) -> None:
        self._ttl = ttl
        self._size = size
        self._items: OrderedDict[_K, tuple[float, _V]] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        item = self._items.get(key)
        if item is None:
            return None
        stamp, value = item
        if time.monotonic() - stamp > self._ttl:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: _K, value: _V) -> None:
        self._items[key] = (time.monotonic(), value)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class SlackAdapter:
    """The coach on Slack, through the shared engine only.

    Holds (never subclasses) a bolt :class:`~slack_bolt.async_app.AsyncApp`
    whose :class:`~slack_sdk.web.async_client.AsyncWebClient` talks to
    ``api_url``.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        token: str,
        signing_secret: str,
        api_url: str | None = None,
        reminder_interval: float = 5.0,
        user_cache_seconds: float = USER_CACHE_SECONDS,
    ) -> None:
        """Build the bolt app and register the listeners (no I/O yet)."""
        self._engine = engine
        self._reminder_interval = reminder_interval
        # Without a signing secret (Socket Mode) nothing may come in over HTTP.
        self._http_allowed = bool(signing_secret)
        base_url = api_url or DEFAULT_API_URL
        if not base_url.endswith("/"):
            base_url += "/"
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url,
            logger=_library_logger("slack_sdk.web"),
        )
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            process_before_response=False,
            name="rejection-coach",
            logger=_library_logger("slack_bolt.rejection_coach"),
        )
        self._locales: _TtlCache[tuple[str, str], str] = _TtlCache(
            ttl=user_cache_seconds, size=USER_CACHE_SIZE
        )
        self._dm_channels: _TtlCache[tuple[str, str], str] = _TtlCache(
            ttl=user_cache_seconds, size=USER_CACHE_SIZE
        )
        self._order: KeyedLock[ConversationKey] = KeyedLock()
        self._inflight: set[asyncio.Task[Any]] = set()
        # App Home refreshes waiting to be published, the latest per user, and the
        # one publishing task per user that works through them (see _refresh_home).
        self._home_pending: dict[ConversationKey, tuple[str, Case | _Unknown | None]] = {}
        self._home_tasks: dict[ConversationKey, asyncio.Task[None]] = {}
        self._reminder_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._register()

    @classmethod
    def from_settings(cls, *, settings: Settings, engine: Engine) -> SlackAdapter:
        """Build the adapter from :class:`~bot.settings.Settings`."""
        if settings.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN is not set")
        secret = settings.slack_signing_secret
        return cls(
            engine=engine,
            token=settings.slack_bot_token.get_secret_value(),
            signing_secret=secret.get_secret_value() if secret is not None else "",
            api_url=settings.slack_api_url,
            reminder_interval=settings.reminder_interval_seconds,
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open one HTTP session for every Web API call (connections are reused)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT_SECONDS)
            )
            self.client.session = self._session
        _LOGGER.info("slack adapter ready")

    def start_reminders(self) -> None:
        """Run :meth:`run_reminders` in the background until :meth:`stop`."""
        if self._reminder_task is None:
            self._reminder_task = asyncio.create_task(self.run_reminders())

    async def stop(self) -> None:
        """Stop the reminders and wait (briefly) for work already acknowledged."""
        if self._reminder_task is not None:
            self._reminder_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reminder_task
            self._reminder_task = None
        await self.drain(timeout=10.0)
        if self._session is not None:
            self.client.session = None
            await self._session.close()
            self._session = None

    async def drain(self, *, timeout: float = 10.0) -> None:
        """Wait until no acknowledged request is still being worked on."""
        deadline = time.monotonic() + timeout
        while self._inflight and time.monotonic() < deadline:
            await asyncio.wait(set(self._inflight), timeout=deadline - time.monotonic())

    @property
    def busy(self) -> bool:
        """Whether acknowledged requests are still being worked on."""
        return bool(self._inflight)

    async def run_reminders(self) -> None:
        """Deliver due reminders of Slack users until cancelled.

        Reminders are rows in the database claimed by the engine exactly once
        (:class:`~bot.reminders.ReminderScheduler`), so they arrive after a
        restart and from any worker.
        """
        from bot.reminders import ReminderScheduler

        scheduler = ReminderScheduler(
            engine=self._engine,
            platform=PLATFORM,
            send=self.send_replies,
            interval=self._reminder_interval,
        )
        scheduler.start()
        try:
            await asyncio.Event().wait()
        finally:
            await scheduler.stop()

    def aiohttp_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The aiohttp handler for ``POST /slack/events`` (events, interactivity, ``/coach``)."""

        async def slack_events(request: web.Request) -> web.StreamResponse:
            if not self._http_allowed:
                return web.Response(status=401, text="no signing secret configured")
            bolt_request = await to_bolt_request(request)
            bolt_response = await self.app.async_dispatch(bolt_request)
            return await to_aiohttp_response(bolt_response)

        return slack_events

    def aiohttp_routes(self, path: str = "/slack/events") -> list[web.RouteDef]:
        """The routes to add to an aiohttp application."""
        return [web.post(path, self.aiohttp_handler())]

    # ------------------------------------------------------------------ listeners

    def _register(self) -> None:
        self.app.event("message")(self._on_message)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.app.command("/coach")(self._on_command)
        self.app.action(re.compile(f"^{re.escape(CHOICE_PREFIX)}"))(self._on_choice)
        self.app.action(re.compile(f"^{re.escape(HOME_PREFIX)}"))(self._on_home_action)
        self.app.error(self._on_error)

    async def _on_error(self, error: Exception) -> None:
        _LOGGER.error("slack listener failed: %s", type(error).__name__)

    async def _on_message(self, body: dict[str, Any], context: dict[str, Any]) -> None:
        # Events are acknowledged by bolt before this runs.
        event = body.get("event") or {}
        if not inputs.is_user_dm(event, bot_user_id=context.get("bot_user_id")):
            return
        key = _key(body.get("team_id") or event.get("team"), event["user"])
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            self._dm_channels.put((key.workspace, key.user_id), channel)
        async with self._tracked():
            await self._process(
                key,
                inputs.message_input(event),
                update_id=_event_id(body),
            )

    async def _on_home_opened(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("tab") != "home" or not event.get("user"):
            return
        key = _key(body.get("team_id"), event["user"])
        async with self._tracked():
            self._refresh_home(key, await self._language(key))

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond | None
    ) -> None:
        await ack()
        key = _key(body.get("team_id"), body.get("user_id"))
        async with self._tracked():
            trigger = str(body.get("trigger_id") or "")
            channel = await self._dm_channel(key)
            await self._process(
                key,
                inputs.slash_command_input(body),
                update_id=_update_id("command", trigger) if trigger else None,
                channel=channel,
            )
            origin = body.get("channel_id")
            if channel is not None and origin and origin != channel:
                await self._point_to_dm(key, str(origin), respond=respond)

    async def _on_choice(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self._on_action(body)

    async def _on_home_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self._on_action(body)

    async def _on_action(self, body: dict[str, Any]) -> None:
        actions = body.get("actions") or []
        if not actions:
            return
        action = actions[0]
        user_input = inputs.action_input(action)
        if user_input is None:
            return
        key = _key((body.get("team") or {}).get("id"), (body.get("user") or {}).get("id"))
        container = body.get("container") or {}
        message = body.get("message") if container.get("type") == "message" else None
        channel = container.get("channel_id") if message is not None else None
        action_ts = str(action.get("action_ts") or "")
        # Every press has its own action_ts; a re-delivery of the same request repeats it.
        update_id = (
            _update_id(
                "action",
                key.workspace,
                key.user_id,
                str(container.get("message_ts") or container.get("view_id") or ""),
                str(action.get("action_id") or ""),
                action_ts,
            )
            if action_ts
            else None
        )
        async with self._tracked():
            await self._process(
                key,
                user_input,
                update_id=update_id,
                channel=channel,
                pressed=message,
            )

    # ------------------------------------------------------------------ the pipeline

    async def _process(
        self,
        key: ConversationKey,
        user_input: UserInput,
        *,
        update_id: str | None,
        channel: str | None = None,
        pressed: dict[str, Any] | None = None,
    ) -> None:
        """One input through the engine, then render its result (in order, per user)."""
        async with self._order.hold(key):
            platform_language = await self._slack_locale(key)
            result = await self._engine.handle(
                IncomingMessage(
                    key=key,
                    user_input=user_input,
                    update_id=update_id,
                    platform_language=platform_language,
                )
            )
            if result.duplicate:
                _LOGGER.info("slack: duplicate delivery dropped")
                return
            target = channel or await self._dm_channel(key)
            # Marking the pressed question answered and posting the next messages are
            # independent: one round trip instead of two (the posts keep their order).
            calls: list[Awaitable[None]] = []
            if pressed is not None and channel is not None:
                calls.append(self._mark_answered(channel, pressed, result))
            if target is not None:
                calls.append(self._post(target, result.outgoing))
            await asyncio.gather(*calls)
            if not result.unavailable:  # the database is down: the Home would show no case
                self._refresh_home(
                    key, result.language, result.active_case if result.case_known else UNKNOWN
                )

    async def _mark_answered(
        self, channel: str, message: dict[str, Any], result: EngineResult
    ) -> None:
        if result.choice is not ChoiceOutcome.ACCEPTED or not result.chosen_label:
            return
        ts = message.get("ts")
        if not ts:
            return
        updated = blocks.answered(
            message, chosen_label=result.chosen_label, language=result.language
        )
        await self._call(
            "chat.update",
            self.client.chat_update(
                channel=channel, ts=str(ts), text=updated.text, blocks=updated.blocks
            ),
        )

    async def _post(self, channel: str, outgoing: Sequence[Outgoing]) -> None:
        for item in outgoing:
            for message in blocks.render(item):
                await self._call(
                    "chat.postMessage",
                    self.client.chat_postMessage(
                        channel=channel, text=message.text, blocks=message.blocks
                    ),
                )

    async def send_replies(self, key: ConversationKey, outgoing: Sequence[Outgoing]) -> None:
        """Post replies to the user's DM outside of an update (reminders), refresh the Home."""
        channel = await self._dm_channel(key)
        if channel is None:
            raise RuntimeError("no direct-message channel")
        async with self._tracked():
            await self._post(channel, outgoing)
            self._refresh_home(key, await self._language(key))

    async def _point_to_dm(
        self, key: ConversationKey, channel: str, *, respond: AsyncRespond | None
    ) -> None:
        """``/coach`` typed outside the DM: an ephemeral pointer where it was typed.

        Through the command's ``response_url`` (works in any channel, the app
        need not be a member); ``chat.postEphemeral`` when there is none.
        """
        text = t(await self._language(key), "slack-dm-pointer")
        if respond is None:
            await self._call(
                "chat.postEphemeral",
                self.client.chat_postEphemeral(channel=channel, user=key.user_id, text=text),
            )
            return
        try:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as error:
            _LOGGER.warning("slack response_url failed: %s", type(error).__name__)

    def _refresh_home(
        self, key: ConversationKey, language: str, case: Case | _Unknown | None = UNKNOWN
    ) -> None:
        """Publish the user's App Home in the background; the LATEST state always wins.

        One task per user publishes; refreshes asked for while it is busy replace
        each other, so a burst of steps ends with one more publish of the newest
        state instead of one per step. ``case`` is the active case when the caller
        knows it (:data:`UNKNOWN`: read it from the database when publishing).
        The task counts as in-flight work (:meth:`drain`, :meth:`stop`).
        """
        self._home_pending[key] = (language, case)
        if key in self._home_tasks:
            return
        task = asyncio.create_task(self._publish_homes(key))
        self._home_tasks[key] = task
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _publish_homes(self, key: ConversationKey) -> None:
        try:
            while (pending := self._home_pending.pop(key, None)) is not None:
                language, case = pending
                try:
                    await self._publish_home(key, language, case)
                except Exception as error:  # a background task: log, never lose the loop
                    _LOGGER.error("slack App Home refresh failed: %s", type(error).__name__)
        finally:
            # No await between the empty pop and here: a refresh asked for meanwhile
            # either was popped above or finds no task and starts a new one.
            del self._home_tasks[key]

    async def _publish_home(
        self, key: ConversationKey, language: str, case: Case | _Unknown | None = UNKNOWN
    ) -> None:
        view = await self._home_view(key, language, case)
        await self._call("views.publish", self.client.views_publish(user_id=key.user_id, view=view))

    async def _home_view(
        self, key: ConversationKey, language: str, case: Case | _Unknown | None = UNKNOWN
    ) -> dict[str, Any]:
        if isinstance(case, _Unknown):
            case = await self._engine.active_case(key)
        step_name = next_action = client = None
        if case is not None:
            step_name, next_action = _step_texts(language, str(case.step))
            client = case.answers.client_name
        return blocks.home_view(
            language=language, step_name=step_name, client=client, next_action=next_action
        )

    # ------------------------------------------------------------------ Slack look-ups

    async def _slack_locale(self, key: ConversationKey) -> str | None:
        """The user's Slack locale (``users.info``, ``include_locale``), cached briefly."""
        cache_key = (key.workspace, key.user_id)
        cached = self._locales.get(cache_key)
        if cached is not None:
            return cached or None
        try:
            response = await self.client.users_info(user=key.user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as error:
            _LOGGER.warning("slack users.info failed: %s", _reason(error))
            return None
        locale = str((response.get("user") or {}).get("locale") or "")
        self._locales.put(cache_key, locale)
        return locale or None

    async def _language(self, key: ConversationKey) -> str:
        """The coach language of a user (the stored choice, else the Slack locale)."""
        return await self._engine.language_of(key)

    async def _dm_channel(self, key: ConversationKey) -> str | None:
        cache_key = (key.workspace, key.user_id)
        cached = self._dm_channels.get(cache_key)
        if cached is not None:
            return cached
        try:
            response = await self.client.conversations_open(users=key.user_id)
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as error:
            _LOGGER.warning("slack conversations.open failed: %s", _reason(error))
            return None
        channel = str((response.get("channel") or {}).get("id") or "")
        if not channel:
            return None
        self._dm_channels.put(cache_key, channel)
        return channel

    async def _call(self, method: str, call: Awaitable[Any]) -> Any:
        """Await a Web API call; log (without content) and swallow its failure."""
        try:
            return await call
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as error:
            _LOGGER.warning("slack %s failed: %s", method, _reason(error))
            return None

    # ------------------------------------------------------------------ bookkeeping

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)



@functools.lru_cache(maxsize=256)
def _step_texts(language: str, step: str) -> tuple[str, str | None]:
    """The App Home's name of ``step`` and its next action (formatted once per language)."""
    lang = catalog(language)
    step_key, next_key = f"slack-step-{step}", f"slack-next-{step}"
    step_name = lang.t(step_key) if lang.has(step_key) else step
    next_action = lang.t(next_key) if lang.has(next_key) else None
    return step_name, next_action


def _library_logger(name: str) -> logging.Logger:
    """A logger for slack_sdk / bolt with its OWN level set, never below INFO.

    Both libraries test ``logger.level <= DEBUG`` (the logger's own level, not the
    effective one) before formatting whole requests and responses into debug
    messages; a logger left at NOTSET passes that test, so every Web API call paid
    for an f-string of its blocks (and would log message text at DEBUG).
    """
    logger = logging.getLogger(name)
    logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    return logger


def _key(team_id: object, user_id: object) -> ConversationKey:
    return ConversationKey(PLATFORM, str(team_id or ""), str(user_id or ""))


def _event_id(body: dict[str, Any]) -> str | None:
    """An event's dedupe id: Slack's ``event_id``, the same on every retry."""
    event_id = str(body.get("event_id") or "")
    if not event_id:
        return None
    return event_id if len(event_id) <= UPDATE_ID_LIMIT else _update_id("event", event_id)


def _update_id(kind: str, *parts: str) -> str:
    """The engine's dedupe id of a Slack delivery (at most 128 characters)."""
    raw = ":".join(("slack", kind, *parts))
    if len(raw) <= UPDATE_ID_LIMIT:
        return raw
    return f"slack:{kind}:sha256:{hashlib.sha256(raw.encode()).hexdigest()}"


def _reason(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or type(error).__name__)
    return type(error).__name__
