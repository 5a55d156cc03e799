"""The Slack channel: holds a bolt ``AsyncApp`` and translates both ways.

Inbound: DM messages (``message.im``), ``/coach``, answer buttons and App
Home buttons become :class:`~bot.engine.IncomingMessage` for the shared
engine; who sent them comes from bolt's normalised ``context`` (``user_id``,
``team_id``, ``enterprise_id``). Outbound: the engine's replies become Block
Kit messages (:mod:`bot.channels.slack.blocks`); the question message of an
accepted press is updated to show the answer; the App Home is published after
every step (:mod:`bot.channels.slack.home`).

Every request is acknowledged first (bolt answers Slack as soon as ``ack()``
runs, ``process_before_response=False``) and the work happens after. Before
the ack it is stored in the inbox (issue 13), in HTTP mode and in Socket Mode
alike (:meth:`SlackChannel._receive`, :mod:`bot.channels.slack.socket_mode`), so
that another worker works on it if this one dies first. Slack retries carry the
same ``event_id``: the engine drops the duplicate, across restarts and workers,
because it remembers processed ids in the database. One user's requests are worked
on one at a time, oldest first, across workers: a request stored behind an older one
of the same user is acked at once and worked on when that one's listener ended, by
the worker that worked on it (:meth:`SlackChannel._inbox_row`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier

from bot.channels.slack import EVENTS_PATH, blocks, inputs, request_checks, socket_mode
from bot.channels.slack.blocks import CHOICE_PREFIX, HOME_PREFIX
from bot.channels.slack.failures import classify
from bot.channels.slack.home import UNKNOWN, HomePublisher
from bot.channels.slack.lookups import USER_CACHE_SECONDS, SlackLookups
from bot.channels.slack.webapi import build_client, call, library_logger
from bot.engine import Engine, EngineResult, IncomingMessage
from bot.engine.delivery import MODEL, REMINDER, Delivery, DeliveryFailed, send_parts
from bot.engine.inbox import ClaimedInbox
from bot.ordering import KeyedLock
from flows.i18n import t
from flows.io import ChoiceOutcome, ConversationKey, Outgoing, UserInput

if TYPE_CHECKING:
    from bot.channels.base import ChannelFactory
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PLATFORM = "slack"
#: The header that carries a request's inbox row id to its listener (issue 13).
INBOX_HEADER = "x-rc-inbox"
#: The header beside it: the row's sender as stored (a keyed hash), to pass the turn on.
CONVERSATION_HEADER = "x-rc-inbox-conversation"
#: The app's own headers: never taken from the sender of a request.
_OWN_HEADERS = frozenset({INBOX_HEADER, CONVERSATION_HEADER})
#: Requests that are no work of a listener (bolt answers them itself): not stored.
_WORK_FLAG = "rc_reaches_listeners"
_NOT_WORK = re.compile(r'^ssl_check=|"type"\s*:\s*"url_verification"')
#: Timeout of one Web API call.
WEB_API_TIMEOUT_SECONDS = 30.0


class SlackChannel:
    """The coach on Slack, through the shared engine only.

    Holds (never subclasses) a bolt :class:`~slack_bolt.async_app.AsyncApp`
    whose :class:`~slack_sdk.web.async_client.AsyncWebClient` talks to
    ``api_url``.
    """

    name = PLATFORM

    def __init__(
        self,
        *,
        engine: Engine,
        token: str,
        signing_secret: str,
        api_url: str | None = None,
        app_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 3000,
        user_cache_seconds: float = USER_CACHE_SECONDS,
    ) -> None:
        """Build the bolt app and register the listeners (no I/O yet).

        ``app_token`` selects Socket Mode for :meth:`run`; without it, :meth:`run`
        serves HTTP mode on ``host:port``.
        """
        self._engine = engine
        # Without a signing secret (Socket Mode) nothing may come in over HTTP.
        self._http_allowed = bool(signing_secret)
        self._app_token = app_token
        self._listen = (host, port)
        self.client = build_client(token=token, api_url=api_url)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            process_before_response=False,
            name="rejection-coach",
            logger=library_logger("slack_bolt.rejection_coach"),
        )
        # Socket Mode has no signing secret: then nothing comes in over HTTP (_http_allowed).
        self._verifier = SignatureVerifier(signing_secret or "socket-mode: HTTP refused")
        self._lookups = SlackLookups(self.client, ttl=user_cache_seconds)
        self._order: KeyedLock[ConversationKey] = KeyedLock()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._home = HomePublisher(client=self.client, engine=engine, inflight=self._inflight)
        self._session: aiohttp.ClientSession | None = None
        self._inbox_enabled = False  # on start
        self._register()

    @classmethod
    def from_settings(
        cls, *, settings: Settings, engine: Engine, options: argparse.Namespace | None = None
    ) -> SlackChannel:
        """Build the channel from :class:`~bot.settings.Settings`."""
        if settings.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN is not set")
        secret = settings.slack_signing_secret
        app_token = settings.slack_app_token
        return cls(
            engine=engine,
            token=settings.slack_bot_token.get_secret_value(),
            signing_secret=secret.get_secret_value() if secret is not None else "",
            api_url=settings.slack_api_url,
            app_token=app_token.get_secret_value() if app_token is not None else None,
            host=settings.host,
            port=settings.port,
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open one HTTP session for every Web API call (connections are reused)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT_SECONDS)
            )
            self.client.session = self._session
        # From now on this channel's replies are written to the outbox with their step,
        # and requests (HTTP or Socket Mode) to the inbox before their ack.
        self._engine.deliver_queued_with(self.name, self.deliver_queued)
        self._inbox_enabled = self._http_allowed or self._app_token is not None
        _LOGGER.info("slack channel ready")

    async def run(self) -> None:
        """Receive on its own until cancelled: Socket Mode with an app token, else HTTP mode."""
        if self._app_token is not None:
            handler = socket_mode.InboxSocketModeHandler(
                self.app, self._app_token, receive=self._receive
            )
            await handler.connect_async()
            _LOGGER.info("slack: connected in Socket Mode")
            try:
                await asyncio.Event().wait()
            finally:
                await handler.close_async()
            return
        app = web.Application()
        app.add_routes(self.routes())
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            host, port = self._listen
            await web.TCPSite(runner, host, port).start()
            _LOGGER.info("slack: HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def stop(self) -> None:
        """Wait (briefly) for work already acknowledged, then close the HTTP session."""
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

    def aiohttp_handler(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The aiohttp handler for ``POST /slack/events`` (events, interactivity, ``/coach``)."""

        async def slack_events(request: web.Request) -> web.StreamResponse:
            if not self._http_allowed:
                return web.Response(status=401, text="no signing secret configured")
            body = await request.text()
            # Signature first (cheap, on the raw body), then the shape: junk never reaches bolt.
            if not request_checks.authentic(self._verifier, body=body, headers=request.headers):
                return web.json_response({"error": "invalid request"}, status=401)
            if not request_checks.well_formed(body=body, content_type=request.content_type):
                _LOGGER.info("slack: a signed but malformed request refused")
                return web.json_response({"error": "malformed payload"}, status=400)
            # The inbox row's headers are this app's own: never taken from the sender.
            headers: socket_mode.Headers = {
                name: value
                for name, value in request.headers.items()
                if name.lower() not in _OWN_HEADERS
            }
            query = request.query_string

            def build(extra: socket_mode.Headers) -> AsyncBoltRequest:
                return AsyncBoltRequest(body=body, query=query, headers={**headers, **extra})

            bolt_response = await self._receive(body, request.content_type, build)
            if bolt_response is None:  # the same request is stored already: being worked on
                return web.json_response({})
            if bolt_response.status >= 500:
                # Listeners run after the ack, so a 5xx here is bolt failing on the payload.
                _LOGGER.warning(
                    "slack: bolt could not handle a signed payload (%s)", bolt_response.status
                )
                return web.json_response({"error": "malformed payload"}, status=400)
            return await to_aiohttp_response(bolt_response)

        return slack_events

    def routes(self) -> Sequence[web.RouteDef]:
        """``POST /slack/events`` (``serve`` and HTTP mode mount the same route)."""
        return [web.post(EVENTS_PATH, self.aiohttp_handler())]

    # ------------------------------------------------------------------ listeners

    def _register(self) -> None:
        # Each listener clears the request's inbox row when it is done (bolt injects
        # arguments by name, hence the explicit parameters).
        async def on_message(
            body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest
        ) -> None:
            async with self._inbox_row(request):
                await self._on_message(body, context)

        async def on_home_opened(
            body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest
        ) -> None:
            async with self._inbox_row(request):
                await self._on_home_opened(body, context)

        async def on_command(
            ack: AsyncAck,
            body: dict[str, Any],
            context: AsyncBoltContext,
            respond: AsyncRespond | None,
            request: AsyncBoltRequest,
        ) -> None:
            async with self._inbox_row(request):
                await self._on_command(ack, body, context, respond)

        async def on_action(
            ack: AsyncAck,
            body: dict[str, Any],
            context: AsyncBoltContext,
            request: AsyncBoltRequest,
        ) -> None:
            async with self._inbox_row(request):
                await self._on_action(ack, body, context)

        async def mark_work(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
            # Runs after bolt's own middleware: the request reaches the listeners.
            context[_WORK_FLAG] = True
            await next()

        self.app.use(mark_work)
        self.app.event("message")(on_message)
        self.app.event("app_home_opened")(on_home_opened)
        self.app.command("/coach")(on_command)
        self.app.action(re.compile(f"^{re.escape(CHOICE_PREFIX)}"))(on_action)
        self.app.action(re.compile(f"^{re.escape(HOME_PREFIX)}"))(on_action)
        # Last: a button no listener above knows (an earlier app version's, or forged) is
        # acknowledged and answered like any stale button, instead of bolt's 404.
        self.app.action(re.compile(".*"))(on_action)
        self.app.error(self._on_error)

    @contextlib.asynccontextmanager
    async def _inbox_row(self, request: AsyncBoltRequest) -> AsyncIterator[None]:
        """Clear the request's inbox row once its listener ended (done, ignored or failed).

        The listener counts as work in flight (:meth:`drain`) until the row is cleared;
        then its user's next stored request, if one waits, is worked on (:meth:`_clear`).
        """
        task = asyncio.current_task()
        row, conversation = _inbox_marks(request)
        if task is not None and row is not None:
            self._inflight.add(task)
        cancelled = False
        try:
            yield
        except asyncio.CancelledError:
            cancelled = True  # stopped before it was done: it stays for another worker
            raise
        finally:
            if cancelled and task is not None:
                self._inflight.discard(task)
            if row is not None and not cancelled:
                if task is not None:
                    self._inflight.add(task)  # _tracked() inside let go of it
                try:
                    await self._clear(row, conversation)
                finally:
                    if task is not None:
                        self._inflight.discard(task)

    async def _clear(self, row_id: int, conversation: str | None) -> None:
        """Delete a worked-on inbox row; start on its user's next request if one waits.

        The next one is claimed for this worker in the same transaction and handed to
        bolt as a tracked task (its own listener clears it and passes the turn on).
        """
        following = await self._engine.inbox.done(
            row_id, platform=PLATFORM, conversation=conversation
        )
        self._start_next(following)

    def _start_next(self, following: ClaimedInbox | None) -> None:
        """Work on a user's next stored request (claimed for this worker) as a tracked task."""
        if following is None:
            return
        task = asyncio.create_task(self._work_on_next(following))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _work_on_next(self, row: ClaimedInbox) -> None:
        """Hand a user's next stored request to bolt (never raises: it stays stored)."""
        try:
            await self._redispatch(row)
        except Exception as error:  # the recovery loop takes it over once its hold ran out
            _LOGGER.warning("slack: the next stored request failed: %s", type(error).__name__)

    async def recover_inbox(self) -> None:
        """The inbox's recovery loop: work on requests a dead worker had acknowledged."""
        await self._engine.inbox.recover(self.name, self._redispatch)

    async def _receive(
        self, body: str, content_type: str, build: socket_mode.RequestBuilder
    ) -> BoltResponse | None:
        """Store a request in the inbox, hand it to bolt, clear the row if nothing works on it.

        Shared by HTTP mode and Socket Mode; runs before the request's ack is sent.
        ``None``: the same request is stored already (being worked on): ack it, no more.
        A request stored behind an older one of the same user is acked at once (an empty
        200, as bolt acks) and not dispatched now: it is worked on after that one.
        A request that is no work (``ssl_check``, ``url_verification``) is not stored;
        when storing fails (the database is down) it is dispatched anyway.
        """
        # The inbox (issue 13): stored before bolt acks it, so that a worker dying
        # before the work is done leaves it to another worker.
        row_id: int | None = None
        extra: socket_mode.Headers = {}
        if self._inbox_enabled and not _NOT_WORK.search(body[:300]):
            sender = _sender(body, content_type)
            accepted = await self._engine.inbox.accept(
                platform=self.name, body=body, content_type=content_type, sender=sender
            )
            if accepted.duplicate:
                _LOGGER.info("slack: a request already in the inbox acknowledged")
                return None
            if accepted.deferred:
                _LOGGER.info("slack: a request stored behind its user's older one")
                return BoltResponse(status=200, body="")
            row_id = accepted.row_id
            if row_id is not None:
                extra[INBOX_HEADER] = str(row_id)
                if sender is not None:
                    extra[CONVERSATION_HEADER] = self._engine.inbox.conversation_of(
                        PLATFORM, sender
                    )
        return await self._dispatch(build(extra))

    async def _dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        """Bolt's answer to ``request``; its inbox row is cleared if no listener got it."""
        response = await self.app.async_dispatch(request)
        row_id, conversation = _inbox_marks(request)
        if row_id is not None and (response.status >= 300 or not request.context.get(_WORK_FLAG)):
            # Bolt answered it itself (its own bot's event, a retry it drops …) or
            # no listener matched: nothing will work on it (its user's next one may).
            await self._clear(row_id, conversation)
        return response

    async def _redispatch(self, row: ClaimedInbox) -> None:
        """Hand a stored request to bolt again.

        A Socket Mode payload as Socket Mode (no signature: a worker without a signing
        secret recovers it too); an HTTP request signed anew (it passed the check before).
        """
        marker: socket_mode.Headers = {INBOX_HEADER: str(row.id)}
        if row.conversation is not None:
            marker[CONVERSATION_HEADER] = row.conversation
        if row.content_type == socket_mode.CONTENT_TYPE:
            request = socket_mode.bolt_request(json.loads(row.body), headers=marker)
        else:
            timestamp = str(int(time.time()))
            signature = self._verifier.generate_signature(timestamp=timestamp, body=row.body) or ""
            headers: socket_mode.Headers = {
                "content-type": row.content_type,
                "x-slack-request-timestamp": timestamp,
                "x-slack-signature": signature,
                **marker,
            }
            request = AsyncBoltRequest(body=row.body, headers=headers)
        await self._dispatch(request)

    async def _on_error(self, error: Exception) -> None:
        _LOGGER.error("slack listener failed: %s", type(error).__name__)

    async def _on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        # Events are acknowledged by bolt before this runs.
        event = body.get("event") or {}
        if not inputs.is_user_dm(event, bot_user_id=context.bot_user_id):
            return
        key = _key(context)
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            self._lookups.remember_dm_channel(key, channel)
        async with self._tracked():
            await self._process(key, inputs.message_input(event), update_id=inputs.event_id(body))

    async def _on_home_opened(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body.get("event") or {}
        if event.get("tab") != "home" or not context.user_id:
            return
        key = _key(context)
        async with self._tracked():
            self._home.refresh(key, await self._engine.language_of(key))

    async def _on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond | None,
    ) -> None:
        await ack()
        key = _key(context)
        async with self._tracked():
            trigger = str(body.get("trigger_id") or "")
            channel = await self._lookups.dm_channel(key)
            await self._process(
                key,
                inputs.slash_command_input(body),
                update_id=inputs.update_id("command", trigger) if trigger else None,
                channel=channel,
            )
            origin = body.get("channel_id")
            if channel is not None and origin and origin != channel:
                await self._point_to_dm(key, str(origin), respond=respond)

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        actions = body.get("actions") or []
        if not actions:
            return
        action = actions[0]
        user_input = inputs.action_input(action)
        if user_input is None:
            return
        key = _key(context)
        container = body.get("container") or {}
        message = body.get("message") if container.get("type") == "message" else None
        channel = container.get("channel_id") if message is not None else None
        action_ts = str(action.get("action_ts") or "")
        # Every press has its own action_ts; a re-delivery of the same request repeats it.
        update_id = (
            inputs.update_id(
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
                key, user_input, update_id=update_id, channel=channel, pressed=message
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
            platform_language = await self._lookups.locale(key)
            result = await self._engine.handle(
                IncomingMessage(
                    key=key,
                    user_input=user_input,
                    update_id=update_id,
                    platform_language=platform_language,
                    reply_to=channel,
                )
            )
            if result.duplicate:
                _LOGGER.info("slack: duplicate delivery dropped")
                return
            target = channel or await self._lookups.dm_channel(key)
            # Marking the pressed question answered and posting the next messages are
            # independent: one round trip instead of two (the posts keep their order).
            calls: list[Awaitable[object]] = []
            if pressed is not None and channel is not None:
                calls.append(self._mark_answered(channel, pressed, result))
            if result.queued:  # written with the step: delivered (and retried) from the outbox
                calls.append(self._engine.deliver_pending(key, up_to=result.outbox_id))
            elif target is not None:
                calls.append(self._post(target, result.outgoing))
            await asyncio.gather(*calls)
            if not result.unavailable:  # the database is down: the Home would show no case
                self._home.refresh(
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
        await call(
            "chat.update",
            self.client.chat_update(
                channel=channel, ts=str(ts), text=updated.text, blocks=updated.blocks
            ),
        )

    async def _post(self, channel: str, outgoing: Sequence[Outgoing]) -> None:
        for item in outgoing:
            for message in blocks.render(item):
                await call(
                    "chat.postMessage",
                    self.client.chat_postMessage(
                        channel=channel, text=message.text, blocks=message.blocks
                    ),
                )

    async def deliver_queued(self, delivery: Delivery) -> None:
        """Post one outbox row: its messages not yet accepted, in order (then, for a reminder
        or an AI answer, the App Home is refreshed, best-effort).

        Raises:
            DeliveryFailed: Slack refused (permanent: the channel is gone, the blocks are
                invalid …) or failed (retryable: 5xx, 429, a timeout, the network).
        """
        key = delivery.key
        channel = delivery.target or await self._lookups.dm_channel(key)
        if channel is None:
            raise DeliveryFailed("no_channel", permanent=False)
        parts = [message for item in delivery.outgoing for message in blocks.render(item)]

        async def post(message: blocks.SlackMessage) -> None:
            try:
                await self.client.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks
                )
            except SlackApiError as error:
                raise classify(error) from None
            except TimeoutError:
                raise DeliveryFailed("timeout", permanent=False) from None
            except (SlackClientError, aiohttp.ClientError, OSError):
                raise DeliveryFailed("network", permanent=False) from None

        async with self._tracked():
            await send_parts(delivery, parts, post, target=channel)
            if delivery.origin in (REMINDER, MODEL):  # no update of its own refreshed it
                self._home.refresh(key, await self._engine.language_of(key))

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Post replies to the user's DM outside of an update (reminders), refresh the Home.

        Raises:
            RuntimeError: the DM channel could not be opened (the reminder is retried).
        """
        channel = await self._lookups.dm_channel(key)
        if channel is None:
            raise RuntimeError("no direct-message channel")
        async with self._tracked():
            await self._post(channel, outgoing)
            self._home.refresh(key, await self._engine.language_of(key))

    async def _point_to_dm(
        self, key: ConversationKey, channel: str, *, respond: AsyncRespond | None
    ) -> None:
        """``/coach`` typed outside the DM: an ephemeral pointer where it was typed.

        Through the command's ``response_url`` (works in any channel, the app
        need not be a member); ``chat.postEphemeral`` when there is none.
        """
        text = t(await self._engine.language_of(key), "slack-dm-pointer")
        if respond is None:
            await call(
                "chat.postEphemeral",
                self.client.chat_postEphemeral(channel=channel, user=key.user_id, text=text),
            )
            return
        try:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as error:
            _LOGGER.warning("slack response_url failed: %s", type(error).__name__)

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        """Count the current task as acknowledged work in flight (see :meth:`drain`)."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)


CHANNEL: ChannelFactory = SlackChannel  # mypy checks the class against the contract


async def run(settings: Settings, options: argparse.Namespace | None = None) -> int:
    """``rejection-coach slack``: the app on its own until SIGINT/SIGTERM.

    Raises:
        SlackConfigError: the settings cannot work (no token, no way to receive).
    """
    from bot.channels.slack import SPEC
    from bot.wiring import run_standalone

    SPEC.check(settings)
    return await run_standalone(SlackChannel, settings=settings, options=options)


def _sender(body: str, content_type: str) -> str | None:
    """Who sent a stored request (a Socket Mode payload is canonical JSON)."""
    if content_type == socket_mode.CONTENT_TYPE:
        return inputs.request_sender(body=body, content_type="application/json")
    return inputs.request_sender(body=body, content_type=content_type)


def _inbox_marks(request: AsyncBoltRequest) -> tuple[int | None, str | None]:
    """The inbox row id and its sender's conversation a request carries (this app's own)."""
    rows = request.headers.get(INBOX_HEADER) or []
    row = int(rows[0]) if rows and rows[0].isdigit() else None
    conversations = request.headers.get(CONVERSATION_HEADER) or []
    conversation = conversations[0] if conversations and conversations[0] else None
    return row, conversation


def _key(context: AsyncBoltContext) -> ConversationKey:
    """The engine's key of the user bolt identified (workspace: the team, else the org)."""
    workspace = context.team_id or context.enterprise_id or ""
    return ConversationKey(PLATFORM, workspace, context.user_id or "")
