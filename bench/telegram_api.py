"""A Bot API stand-in that is also the load: simulated users in a closed loop.

Runs in its OWN process (``python -m bench.telegram_api …``) so the bot under
test and the load share the machine the same way for every bot measured. It
serves the Bot API methods a bot calls (getMe, getUpdates, sendMessage,
editMessageText, answerCallbackQuery, …) on 127.0.0.1 and plays ``--users``
private-chat users (:mod:`bench.loadgen`): typing, or pressing the button with
the scripted label in the bot's latest keyboard.

Updates reach the bot by ``getUpdates`` long polling. With ``--rotate-users N``
every update comes from the next of N users (the memory benchmark's stored
users). When the time is up it prints one JSON line with the figures and exits.
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
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.loadgen import GIVE_UP_SECONDS, ClosedLoop, SimUser

_LOGGER = logging.getLogger("bench.telegram_api")

BOT_ID = 4242
BOT_USERNAME = "rejection_coach_bench_bot"
FIRST_USER_ID = 100_000
#: getUpdates long-polling is capped at this, whatever the bot asks.
MAX_POLL_SECONDS = 5.0


class TelegramDriver(ClosedLoop):
    """The Bot API stand-in and the simulated Telegram users."""

    def __init__(
        self,
        *,
        scripts: list[dict[str, Any]],
        users: int,
        warmup: float,
        duration: float,
        rotate_users: int = 0,
        pid_file: str | None = None,
    ) -> None:
        if rotate_users:
            users = min(users, rotate_users)
        super().__init__(
            scripts=scripts,
            user_ids=[str(FIRST_USER_ID + n) for n in range(users)],
            warmup=warmup,
            duration=duration,
            pid_file=pid_file,
        )
        # With ``rotate_users`` every action comes from the next user of a pool
        # of that many (stored) users, so a run touches many different cases.
        self.by_chat: dict[str, SimUser] = dict(self.users)
        self.pool_size = rotate_users
        self.pool = (
            itertools.cycle([str(FIRST_USER_ID + n) for n in range(rotate_users)])
            if rotate_users
            else None
        )
        self.pending: deque[dict[str, Any]] = deque()
        self.new_update = asyncio.Event()
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.calls: dict[str, int] = {}

    # ------------------------------------------------------------------ updates

    @staticmethod
    def _user_json(user: SimUser) -> dict[str, Any]:
        return {
            "id": int(user.user_id),
            "is_bot": False,
            "first_name": f"User{user.user_id}",
            "language_code": user.language,
        }

    @staticmethod
    def _chat_json(user: SimUser) -> dict[str, Any]:
        return {"id": int(user.user_id), "type": "private", "first_name": f"User{user.user_id}"}

    def _build_update(self, user: SimUser, action: dict[str, Any]) -> dict[str, Any]:
        update_id = next(self.update_ids)
        if action["kind"] == "press":
            for row in user.state.get("keyboard", []):
                for button in row:
                    if button.get("text") == action["text"] and "callback_data" in button:
                        return {
                            "update_id": update_id,
                            "callback_query": {
                                "id": f"cq{update_id}",
                                "from": self._user_json(user),
                                "chat_instance": f"ci{user.user_id}",
                                "data": button["callback_data"],
                                "message": user.state["keyboard_message"],
                            },
                        }
        text = "/" + action["text"] if action["kind"] == "command" else action["text"]
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self._chat_json(user),
            "from": self._user_json(user),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return {"update_id": update_id, "message": message}

    def _rotate(self, user: SimUser) -> None:
        if self.pool is None:
            return
        for candidate in itertools.islice(self.pool, self.pool_size):
            if candidate not in self.by_chat:
                del self.by_chat[user.user_id]
                user.user_id = candidate
                self.by_chat[candidate] = user
                user.state.clear()
                return

    def deliver(self, user: SimUser, action: dict[str, Any]) -> None:
        """Queue the update for getUpdates."""
        self._rotate(user)
        self.pending.append(self._build_update(user, action))
        self.new_update.set()

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: acknowledge below ``offset``, return what is pending."""
        self.start()
        offset = _int(params.get("offset"))
        limit = _int(params.get("limit")) or 100
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()
        deadline = time.monotonic() + timeout
        while not self.pending and not self.finished.is_set() and time.monotonic() < deadline:
            # Short slices, so a poll that arrives as the run ends returns at once.
            self.new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_update.wait(), timeout=0.1)
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()
        return list(itertools.islice(self.pending, 0, limit))

    # ------------------------------------------------------------------ the API

    def _message(self, params: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": _int(params.get("message_id")) or next(self.message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Coach"},
            "text": str(params.get("text", "")),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        return message

    def on_send(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage: remember the keyboard, count the answer."""
        user = self.by_chat.get(str(params.get("chat_id")))
        if user is None:
            return self._message(params, {"id": _int(params.get("chat_id")), "type": "private"})
        message = self._message(params, self._chat_json(user))
        if "reply_markup" in message:
            user.state["keyboard"] = message["reply_markup"]["inline_keyboard"]
            user.state["keyboard_message"] = message
        self.answered(user)
        return message

    def on_edit(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText/ReplyMarkup: part of the answer to a press."""
        user = self.by_chat.get(str(params.get("chat_id")))
        chat = {"id": _int(params.get("chat_id")), "type": "private"}
        if user is not None:
            self.activity(user)
        return self._message(params, chat)

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
        elif method == "sendMessage":
            result = self.on_send(params)
        elif method in ("editMessageText", "editMessageReplyMarkup"):
            result = self.on_edit(params)
        elif method == "answerCallbackQuery":
            user = self.by_chat.get(str(params.get("chat_id")))
            if user is not None:
                self.activity(user)
        elif method == "getMyCommands":
            result = []
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return web.json_response({"ok": True, "result": result})


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
    driver = TelegramDriver(
        scripts=json.loads(Path(args.scripts).read_text()),
        users=args.users,
        warmup=args.warmup,
        duration=args.duration,
        pid_file=args.pid_file,
        rotate_users=args.rotate_users,
    )
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", driver.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    watchdog = asyncio.create_task(driver.watchdog())
    try:
        deadline = args.warmup + args.duration + args.start_timeout + GIVE_UP_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(driver.finished.wait(), timeout=deadline)
    finally:
        driver.new_update.set()  # release a long poll in flight
        watchdog.cancel()
        await runner.cleanup()
    return driver.report(calls=driver.calls)


def main() -> int:
    """Parse arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scripts", required=True, help="JSON file of scripted conversations")
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--start-timeout", type=float, default=30.0)
    parser.add_argument("--pid-file", help="file with the bot's process id(s), for its CPU time")
    parser.add_argument("--rotate-users", type=int, default=0, help="pool of users to rotate over")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # A bot stopped mid-request at the end of a run is expected, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    report = asyncio.run(main_async(args))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
