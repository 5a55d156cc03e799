"""A Bot API stand-in that is also the load: simulated users in a closed loop.

Runs in its OWN process (``python -m bench.telegram_api …``) so the bot under
test and the load share the machine the same way for every bot measured. It
serves the Bot API methods a bot calls (getMe, getUpdates, sendMessage,
editMessageText, answerCallbackQuery, …) on 127.0.0.1, and plays ``--users``
private-chat users. Each user takes the next action of its script — typing,
or pressing the button with that label in the bot's latest keyboard — and
waits until the bot has answered it (as many messages as the recording says,
or the bot went quiet) before the next. A script that ends starts over.

Updates reach the bot by ``getUpdates`` (polling) or by POSTs to webhook URLs
(``--webhook-url``, repeated: round-robin over workers). When the time is up
it prints one JSON line with the figures and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

_LOGGER = logging.getLogger("bench.telegram_api")

BOT_ID = 4242
BOT_USERNAME = "rejection_coach_bench_bot"
FIRST_USER_ID = 100_000
#: A step whose messages stopped arriving for this long is over.
QUIET_SECONDS = 0.25
#: A step with no answer at all for this long is given up (counted as a stall).
GIVE_UP_SECONDS = 5.0
#: getUpdates long-polling is capped at this, whatever the bot asks.
MAX_POLL_SECONDS = 5.0


@dataclass(slots=True)
class SimUser:
    """One simulated user: their script, where they are in it, what the bot sent."""

    user_id: int
    language: str
    actions: list[dict[str, Any]]
    position: int = 0
    expected: int = 1
    received: int = 0
    sent_at: float = 0.0
    last_activity: float = 0.0
    waiting: bool = False
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    keyboard_message: dict[str, Any] | None = None


class Driver:
    """The Bot API stand-in and the simulated users."""

    def __init__(
        self,
        *,
        scripts: list[dict[str, Any]],
        users: int,
        warmup: float,
        duration: float,
        webhook_urls: list[str],
        secret: str,
    ) -> None:
        self.users: dict[int, SimUser] = {}
        for index in range(users):
            script = scripts[index % len(scripts)]
            uid = FIRST_USER_ID + index
            self.users[uid] = SimUser(uid, script["language"], list(script["actions"]))
        self.warmup = warmup
        self.duration = duration
        self.webhook_urls = webhook_urls
        self.secret = secret
        self.pending: deque[dict[str, Any]] = deque()
        self.new_update = asyncio.Event()
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.started: float | None = None
        self.window: tuple[float, float] = (0.0, 0.0)
        self.completed = 0
        self.stalls = 0
        self.latencies: list[float] = []
        self.calls: dict[str, int] = {}
        self.webhook_errors = 0
        self.finished = asyncio.Event()
        self.session: ClientSession | None = None
        self.round_robin = itertools.cycle(range(max(1, len(webhook_urls))))

    # ------------------------------------------------------------------ the users

    def start(self) -> None:
        """Start the clock and send every user's first update."""
        if self.started is not None:
            return
        self.started = time.monotonic()
        begin = self.started + self.warmup
        self.window = (begin, begin + self.duration)
        _LOGGER.info("load started: %d users", len(self.users))
        for user in self.users.values():
            self._send_next(user)

    def _user_json(self, user: SimUser) -> dict[str, Any]:
        return {
            "id": user.user_id,
            "is_bot": False,
            "first_name": f"User{user.user_id}",
            "language_code": user.language,
        }

    def _chat_json(self, user: SimUser) -> dict[str, Any]:
        return {"id": user.user_id, "type": "private", "first_name": f"User{user.user_id}"}

    def _build_update(self, user: SimUser, action: dict[str, Any]) -> dict[str, Any]:
        update_id = next(self.update_ids)
        now = int(time.time())
        if action["kind"] == "press":
            for row in user.keyboard:
                for button in row:
                    if button.get("text") == action["text"] and "callback_data" in button:
                        return {
                            "update_id": update_id,
                            "callback_query": {
                                "id": f"cq{update_id}",
                                "from": self._user_json(user),
                                "chat_instance": f"ci{user.user_id}",
                                "data": button["callback_data"],
                                "message": user.keyboard_message,
                            },
                        }
        text = "/" + action["text"] if action["kind"] == "command" else action["text"]
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": now,
            "chat": self._chat_json(user),
            "from": self._user_json(user),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return {"update_id": update_id, "message": message}

    def _send_next(self, user: SimUser) -> None:
        now = time.monotonic()
        if now >= self.window[1]:
            user.waiting = False
            if all(not u.waiting for u in self.users.values()):
                self.finished.set()
            return
        if user.position >= len(user.actions):
            user.position = 0
        action = user.actions[user.position]
        user.position += 1
        user.expected = max(1, int(action.get("messages", 1)))
        user.received = 0
        user.sent_at = user.last_activity = now
        user.waiting = True
        update = self._build_update(user, action)
        if self.webhook_urls:
            asyncio.get_running_loop().create_task(self._post_webhook(update))
        else:
            self.pending.append(update)
            self.new_update.set()

    def _step_done(self, user: SimUser, *, stalled: bool) -> None:
        now = time.monotonic()
        if self.window[0] <= now < self.window[1]:
            self.completed += 1
            self.latencies.append(now - user.sent_at)
            if stalled:
                self.stalls += 1
        self._send_next(user)

    async def watchdog(self) -> None:
        """Finish steps whose answer went quiet; end the run when time is up."""
        while not self.finished.is_set():
            await asyncio.sleep(0.05)
            if self.started is None:
                continue
            now = time.monotonic()
            if now >= self.window[1] + GIVE_UP_SECONDS:
                self.finished.set()
                return
            for user in self.users.values():
                if not user.waiting:
                    continue
                quiet = now - user.last_activity
                if (user.received and quiet >= QUIET_SECONDS) or quiet >= GIVE_UP_SECONDS:
                    self._step_done(user, stalled=True)

    def _bot_message(self, user: SimUser, params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self._chat_json(user),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Coach"},
            "text": str(params.get("text", "")),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        return message

    def on_message_sent(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot sent a message: count it towards the user's current step."""
        user = self.users.get(_int(params.get("chat_id")))
        if user is None:
            return {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": _int(params.get("chat_id")), "type": "private"},
                "text": str(params.get("text", "")),
            }
        message = self._bot_message(user, params)
        if "reply_markup" in message:
            user.keyboard = message["reply_markup"]["inline_keyboard"]
            user.keyboard_message = message
        if user.waiting:
            user.received += 1
            user.last_activity = time.monotonic()
            if user.received >= user.expected:
                self._step_done(user, stalled=False)
        return message

    def on_activity(self, params: dict[str, Any]) -> None:
        """Edits and callback answers keep a step alive (they are part of the answer)."""
        user = self.users.get(_int(params.get("chat_id")))
        if user is not None and user.waiting:
            user.last_activity = time.monotonic()

    # ------------------------------------------------------------------ delivery

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: acknowledge below ``offset``, return what is pending."""
        self.start()
        offset = _int(params.get("offset"))
        limit = _int(params.get("limit")) or 100
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()
        if not self.pending and timeout > 0:
            self.new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_update.wait(), timeout=timeout)
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()
        return list(itertools.islice(self.pending, 0, limit))

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        assert self.session is not None
        url = self.webhook_urls[next(self.round_robin)]
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        try:
            async with self.session.post(url, json=update, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    self.webhook_errors += 1
        except Exception as exc:
            self.webhook_errors += 1
            _LOGGER.debug("webhook post failed: %s", type(exc).__name__)

    # ------------------------------------------------------------------ the API

    async def handle(self, request: web.Request) -> web.Response:
        """Every Bot API method: ``/bot<token>/<method>``."""
        method = request.match_info["method"]
        self.calls[method] = self.calls.get(method, 0) + 1
        params = await _params(request)
        result: Any = True
        if method == "getMe":
            result = {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Coach",
                "username": BOT_USERNAME,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            }
        elif method == "getUpdates":
            result = await self.get_updates(params)
        elif method in ("sendMessage", "sendDocument"):
            result = self.on_message_sent(params)
        elif method in ("editMessageText", "editMessageReplyMarkup"):
            self.on_activity(params)
            result = {
                "message_id": _int(params.get("message_id")) or 1,
                "date": int(time.time()),
                "chat": {"id": _int(params.get("chat_id")), "type": "private"},
                "text": str(params.get("text", "")),
            }
        elif method in ("getMyCommands",):
            result = []
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return web.json_response({"ok": True, "result": result})

    def report(self) -> dict[str, Any]:
        """The figures of the run."""
        latencies = sorted(self.latencies)

        def pct(p: float) -> float:
            if not latencies:
                return 0.0
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

        return {
            "updates": self.completed,
            "seconds": self.duration,
            "updates_per_second": self.completed / self.duration if self.duration else 0.0,
            "p50_ms": pct(50) * 1000,
            "p99_ms": pct(99) * 1000,
            "stalls": self.stalls,
            "webhook_errors": self.webhook_errors,
            "calls": self.calls,
            "started": self.started is not None,
        }


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


async def _params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters: form fields (JSON-encoded values) or a JSON body."""
    if request.content_type == "application/json":
        body = await request.json()
        return body if isinstance(body, dict) else {}
    params: dict[str, Any] = {}
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = _maybe_json(value)
    for key, value in request.query.items():
        params.setdefault(key, _maybe_json(value))
    return params


def _maybe_json(value: str) -> Any:
    if value[:1] in ("{", "["):
        with contextlib.suppress(json.JSONDecodeError):
            return json.loads(value)
    return value


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Serve until the run is over; return the report."""
    scripts = json.loads(Path(args.scripts).read_text())
    driver = Driver(
        scripts=scripts,
        users=args.users,
        warmup=args.warmup,
        duration=args.duration,
        webhook_urls=args.webhook_url or [],
        secret=args.secret,
    )
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", driver.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port)
    await site.start()
    driver.session = ClientSession(
        connector=TCPConnector(limit=max(8, args.users)), timeout=ClientTimeout(total=30)
    )
    watchdog = asyncio.create_task(driver.watchdog())
    try:
        if driver.webhook_urls:
            await asyncio.sleep(args.start_delay)
            driver.start()
        deadline = args.warmup + args.duration + args.start_timeout + GIVE_UP_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(driver.finished.wait(), timeout=deadline)
    finally:
        watchdog.cancel()
        await driver.session.close()
        await runner.cleanup()
    return driver.report()


def main() -> int:
    """Parse arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scripts", required=True, help="JSON file of scripted conversations")
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--start-timeout", type=float, default=30.0)
    parser.add_argument("--start-delay", type=float, default=0.0)
    parser.add_argument("--webhook-url", action="append")
    parser.add_argument("--secret", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    report = asyncio.run(main_async(args))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
