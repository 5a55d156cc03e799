"""The Bot API stand-in as the load: simulated users in a closed loop.

Runs in its OWN process (``python -m bench.telegram_api …``) so the bot under
test and the load share the machine the same way for every bot measured. It
serves the Bot API with the tests' stand-in (:mod:`tests.helpers.standins.telegram`,
lenient: nothing parsed, every method answered) on 127.0.0.1 and plays ``--users``
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
from pathlib import Path
from typing import Any

from bench.loadgen import GIVE_UP_SECONDS, ClosedLoop, SimUser
from tests.helpers.standins.telegram import BotApiStandIn

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
        self.query_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.calls: dict[str, int] = {}
        self.api = BotApiStandIn(
            token=None,
            bot_id=BOT_ID,
            bot_username=BOT_USERNAME,
            strict=False,
            max_poll_seconds=MAX_POLL_SECONDS,
            on_request=self.on_request,
            on_result=self.on_result,
        )

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
        if action["kind"] == "press":
            for row in user.state.get("keyboard", []):
                for button in row:
                    if button.get("text") == action["text"] and "callback_data" in button:
                        return {
                            "callback_query": {
                                "id": f"cq{next(self.query_ids)}",
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
        return {"message": message}

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
        self.api.push_update(self._build_update(user, action))

    # ------------------------------------------------------------------ the API

    def on_request(self, method: str, params: dict[str, Any]) -> None:
        """Count every call; the bot's first poll starts the load."""
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "getUpdates":
            self.start()

    def on_result(self, method: str, params: dict[str, Any], result: Any) -> None:
        """sendMessage answers a step (and may bring a keyboard); an edit is activity."""
        user = self.by_chat.get(str(params.get("chat_id")))
        if user is None:
            return
        if method == "sendMessage":
            if "reply_markup" in result:
                user.state["keyboard"] = result["reply_markup"]["inline_keyboard"]
                user.state["keyboard_message"] = dict(result)
            self.answered(user)
        elif method in ("editMessageText", "editMessageReplyMarkup"):
            self.activity(user)


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
    await driver.api.start(args.port)
    watchdog = asyncio.create_task(driver.watchdog())
    try:
        deadline = args.warmup + args.duration + args.start_timeout + GIVE_UP_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(driver.finished.wait(), timeout=deadline)
    finally:
        watchdog.cancel()
        await driver.api.close()  # answers a long poll in flight
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
