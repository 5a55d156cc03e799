"""A local stand-in of the Slack Web API, served over real HTTP on 127.0.0.1.

The real ``slack_sdk`` ``AsyncWebClient`` is pointed at it with ``base_url``
(``SlackApiStandIn.base_url``); every call it receives is recorded as an
:class:`ApiCall` so tests assert on what the bot asked Slack to do. Like bolt's
``tests/mock_web_api_server``, it answers the methods the coach uses with
realistic payloads: ``auth.test``, ``chat.postMessage``, ``chat.update``,
``chat.postEphemeral``, ``users.info`` (a configurable ``locale`` per user),
``conversations.open``, ``views.publish``, ``apps.connections.open``.
Posted and updated messages are kept by ``(channel, ts)`` so tests can press
the buttons the bot really sent. Socket Mode: ``apps.connections.open`` hands out
a WebSocket here; :meth:`SlackApiStandIn.send_socket_event` pushes envelopes
down one connection and the acks are recorded (:attr:`on_socket_ack` sees each
first). :meth:`SlackApiStandIn.hold` and :meth:`SlackApiStandIn.hang_next` hold
a method's next call (a worker can be killed meanwhile).

The benchmarks (``bench/slack_api.py``) serve it too, with ``strict=False`` (any token,
any method answered ``ok``) and hooks that see every call (:attr:`on_request`,
:attr:`on_result`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

BOT_USER_ID = "UCOACHBOT"
BOT_ID = "BCOACHBOT"
TEAM_ID = "T0TEAM"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-app-token"


@dataclass(slots=True)
class ApiCall:
    """One Web API request: the method name, its merged arguments and the token."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass(slots=True)
class StoredMessage:
    """A message the bot posted (and maybe updated later)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: int = 0


@dataclass
class SlackApiStandIn:
    """The Slack Web API stand-in: start it, point the client at ``base_url``."""

    #: The bot token the app must use; ``None`` accepts any.
    token: str | None = BOT_TOKEN
    team_id: str = TEAM_ID
    #: ``False``: any token, and a method it does not know answers ``ok`` (benchmarks).
    strict: bool = True
    #: Called with (method, args) before a call is answered, and with its answer after.
    on_request: Callable[[str, dict[str, Any]], None] | None = None
    on_result: Callable[[str, dict[str, Any], dict[str, Any]], None] | None = None
    locales: dict[str, str] = field(default_factory=dict)
    calls: list[ApiCall] = field(default_factory=list)
    messages: dict[tuple[str, str], StoredMessage] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event | None = None
    #: Socket Mode: open WebSocket connections and the envelope ids the app acknowledged.
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[str] = field(default_factory=list)
    #: Socket Mode: each acknowledged envelope id → the ack's payload (``None``: none).
    socket_ack_payloads: dict[str, Any] = field(default_factory=dict)
    #: Web API method → how many of its next calls answer HTTP 429 (``Retry-After: 0``).
    rate_limited: dict[str, int] = field(default_factory=dict)
    #: Web API method → the HTTP status of its next calls (a 5xx with a non-JSON body), each
    #: held for its delay first (beyond the client's timeout: a timeout). Nothing is posted.
    failing: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    #: Channels that are gone: a post there answers ``channel_not_found``.
    gone: set[str] = field(default_factory=set)
    #: Socket Mode: awaited with an envelope id when its ack arrives, before it is recorded
    #: (a test looks at the app's database at the moment of the ack).
    on_socket_ack: Callable[[str], Awaitable[None]] | None = None
    #: Web API method → an event its next call waits for (then it is answered as usual).
    held: dict[str, asyncio.Event] = field(default_factory=dict)

    def fail_next(
        self, method: str, *, status: int = 500, times: int = 1, delay: float = 0.0
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (after ``delay`` s)."""
        self.failing.setdefault(method, []).extend([(status, delay)] * times)

    def hang_next(self, method: str, *, seconds: float) -> None:
        """Hold the next call of ``method`` for ``seconds``, then refuse it (nothing posted).

        The twin of the Telegram stand-in's ``hang_next``: a worker killed meanwhile
        never learns whether Slack took the call (it did not).
        """
        self.fail_next(method, status=500, delay=seconds)

    def hold(self, method: str) -> asyncio.Event:
        """Hold the next call of ``method`` until the returned event is set (then answer it)."""
        release = self.held[method] = asyncio.Event()
        return release

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> None:
        """Serve on ``port`` of 127.0.0.1 (0: an ephemeral one)."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._dispatch)
        app.router.add_get("/socket-mode", self._socket)
        app.router.add_post("/response-url/{id}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._changed = asyncio.Event()

    async def stop(self) -> None:
        """Stop serving (held calls are let go first)."""
        for release in self.held.values():
            release.set()
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def response_url(self, name: str = "1") -> str:
        """A ``response_url`` (slash commands, actions) that records what is posted to it."""
        return f"http://127.0.0.1:{self.port}/response-url/{name}"

    @property
    def base_url(self) -> str:
        """What to pass as slack_sdk ``base_url`` (ends with a slash)."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ------------------------------------------------------------------ queries

    def calls_of(self, method: str) -> list[ApiCall]:
        """Every recorded call of one Web API method, oldest first."""
        return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[StoredMessage]:
        """Messages posted with chat.postMessage (in ``channel`` if given), oldest first."""
        return [m for m in self.messages.values() if channel is None or m.channel == channel]

    async def wait_for(
        self,
        predicate: Callable[[SlackApiStandIn], bool],
        *,
        timeout: float = 10.0,
    ) -> None:
        """Wait until ``predicate(self)`` holds (the bot works after it acks)."""
        assert self._changed is not None

        async def _loop() -> None:
            while not predicate(self):
                assert self._changed is not None
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

        await asyncio.wait_for(_loop(), timeout)

    async def wait_calls(self, method: str, count: int, *, timeout: float = 10.0) -> list[ApiCall]:
        """Wait until at least ``count`` calls of ``method`` were received; return them."""
        await self.wait_for(lambda s: len(s.calls_of(method)) >= count, timeout=timeout)
        return self.calls_of(method)

    # ------------------------------------------------------------------ Socket Mode

    async def send_socket_event(
        self, body: dict[str, Any], *, kind: str = "events_api", socket: int = -1
    ) -> str:
        """Push a request to a connected Socket Mode app; return its envelope id.

        ``socket``: which connection (in the order they connected; the latest by default).
        """
        assert self.sockets, "no Socket Mode connection"
        envelope_id = f"env-{next(self._ts)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "payload": body,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self.sockets[socket].send_str(json.dumps(envelope))
        return envelope_id

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.sockets.append(socket)
        if self._changed is not None:
            self._changed.set()
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {}}))
        try:
            async for frame in socket:
                if frame.type is not web.WSMsgType.TEXT:
                    continue
                data = json.loads(frame.data)
                if isinstance(data, dict) and "envelope_id" in data:
                    if self.on_socket_ack is not None:
                        await self.on_socket_ack(str(data["envelope_id"]))
                    self.socket_acks.append(str(data["envelope_id"]))
                    self.socket_ack_payloads[str(data["envelope_id"])] = data.get("payload")
                    if self._changed is not None:
                        self._changed.set()
        finally:
            self.sockets.remove(socket)
        return socket

    # ------------------------------------------------------------------ HTTP

    async def _response_url(self, request: web.Request) -> web.Response:
        args = json.loads(await request.read() or b"{}")
        self.calls.append(ApiCall(method="response_url", args=args, token=None))
        if self._changed is not None:
            self._changed.set()
        return web.Response(text="ok")

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        body = await request.read()
        if body:
            ctype = request.content_type
            if ctype == "application/json":
                args.update(json.loads(body))
            else:
                args.update(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        self.calls.append(ApiCall(method=method, args=args, token=token))
        if self.on_request is not None:
            self.on_request(method, args)
        release = self.held.pop(method, None)
        if release is not None:
            await release.wait()
        failures = self.failing.get(method)
        if failures:
            status, delay = failures.pop(0)
            self.calls[-1] = ApiCall(method=method, args={**args, "_injected": True}, token=token)
            if delay:
                await asyncio.sleep(delay)
            return web.Response(status=status, text="<html>upstream trouble</html>")
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"}
            )
        if method == "apps.connections.open":
            payload: dict[str, Any] = (
                {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket-mode"}
                if token == APP_TOKEN
                else {"ok": False, "error": "invalid_auth"}
            )
        elif self.token is not None and token != self.token:
            payload = {"ok": False, "error": "invalid_auth"}
        else:
            payload = self._answer(method, args)
            if self.on_result is not None:
                self.on_result(method, args, payload)
        if self._changed is not None:
            self._changed.set()
        return web.json_response(payload)

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://coach-test.slack.com/",
                "team": "Coach Test",
                "user": "coach",
                "team_id": self.team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = str(args.get("user", ""))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": self.team_id,
                    "name": "someone",
                    "is_bot": False,
                    "locale": self.locales.get(user, "en-US"),
                },
            }
        if method == "conversations.open":
            user = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": dm_channel(user)}}
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith("U"):
                channel = dm_channel(channel)
            if channel in self.gone:
                return {"ok": False, "error": "channel_not_found"}
            ts = self._next_ts()
            message = StoredMessage(
                channel=channel,
                ts=ts,
                text=str(args.get("text", "")),
                blocks=list(args.get("blocks") or []),
            )
            self.messages[(channel, ts)] = message
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {
                    "type": "message",
                    "bot_id": BOT_ID,
                    "user": BOT_USER_ID,
                    "text": message.text,
                    "blocks": message.blocks,
                    "ts": ts,
                },
            }
        if method == "chat.update":
            key = (str(args.get("channel", "")), str(args.get("ts", "")))
            stored = self.messages.get(key)
            if stored is None:
                if self.strict:
                    return {"ok": False, "error": "message_not_found"}
                stored = self.messages[key] = StoredMessage(key[0], key[1], "", [])
            stored.text = str(args.get("text", stored.text))
            if "blocks" in args:
                stored.blocks = list(args["blocks"] or [])
            stored.updates += 1
            return {"ok": True, "channel": key[0], "ts": key[1], "text": stored.text}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(args.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"} if self.strict else {"ok": True}


def dm_channel(user_id: str) -> str:
    """The id of the stand-in's direct-message channel between the app and ``user_id``."""
    return "D" + user_id.removeprefix("U")
