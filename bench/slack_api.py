"""A Slack Web API stand-in that is also the load: users POSTing signed events.

Runs in its OWN process (``python -m bench.slack_api …``). It serves the Web
API with the tests' stand-in (:mod:`tests.helpers.standins.slack`, lenient: any
token, every method answered) on 127.0.0.1 and plays
``--users`` people writing to the app in a direct message
(:mod:`bench.loadgen`): each action is a signed ``message.im`` event, or a
signed ``block_actions`` press of the button with the scripted label in the
app's latest message, POSTed to ``--events-url`` as Slack would. A step is
over when the app has posted as many messages as the recording says, and —
with ``--done-on views.publish`` (our app refreshes the App Home after every
input) — has also published the App Home. Prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from bench.loadgen import GIVE_UP_SECONDS, ClosedLoop, SimUser
from tests.helpers.standins.slack import BOT_ID, BOT_USER_ID, SlackApiStandIn, dm_channel

_LOGGER = logging.getLogger("bench.slack_api")

TEAM_ID = "TBENCH"
APP_ID = "ABENCH"


def sign(body: str, *, secret: str) -> dict[str, str]:
    """Slack's ``v0`` request signature headers for ``body``."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackDriver(ClosedLoop):
    """The Web API stand-in and the simulated Slack users."""

    def __init__(
        self,
        *,
        scripts: list[dict[str, Any]],
        users: int,
        warmup: float,
        duration: float,
        events_urls: list[str],
        secret: str,
        done_on: str,
        pid_file: str | None = None,
    ) -> None:
        super().__init__(
            scripts=scripts,
            user_ids=[f"UB{n:07d}" for n in range(users)],
            warmup=warmup,
            duration=duration,
            pid_file=pid_file,
        )
        self.events_urls = events_urls
        self.secret = secret
        self.done_on = done_on
        self.counter = itertools.count(1)
        self.round_robin = itertools.cycle(range(len(events_urls)))
        self.by_channel = {dm_channel(uid): user for uid, user in self.users.items()}
        self.calls: dict[str, int] = {}
        self.api = SlackApiStandIn(
            token=None,
            team_id=TEAM_ID,
            strict=False,
            locales={
                uid: "bg-BG" if user.language == "bg" else "en-US"
                for uid, user in self.users.items()
            },
            on_request=self.on_request,
            on_result=self.on_result,
        )
        self.session: ClientSession | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ requests

    def _event(self, user: SimUser, text: str) -> tuple[str, str]:
        n = next(self.counter)
        ts = f"{int(time.time())}.{n:06d}"
        body = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"EvB{n:09d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
            ],
            "event": {
                "type": "message",
                "channel": dm_channel(user.user_id),
                "user": user.user_id,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "im",
                "team": TEAM_ID,
            },
        }
        return json.dumps(body), "application/json"

    def _press(self, user: SimUser, label: str) -> tuple[str, str] | None:
        message = user.state.get("message")
        if not message:
            return None
        for block in message["blocks"]:
            if block.get("type") != "actions":
                continue
            for element in block.get("elements", []):
                if (element.get("text") or {}).get("text") != label:
                    continue
                n = next(self.counter)
                payload = {
                    "type": "block_actions",
                    "team": {"id": TEAM_ID, "domain": "bench"},
                    "user": {"id": user.user_id, "username": "someone", "team_id": TEAM_ID},
                    "api_app_id": APP_ID,
                    "token": "legacy",
                    "container": {
                        "type": "message",
                        "message_ts": message["ts"],
                        "channel_id": message["channel"],
                        "is_ephemeral": False,
                    },
                    "trigger_id": f"{n}.trigger",
                    "channel": {"id": message["channel"], "name": "directmessage"},
                    "message": {
                        "type": "message",
                        "user": BOT_USER_ID,
                        "bot_id": BOT_ID,
                        "ts": message["ts"],
                        "text": message["text"],
                        "blocks": message["blocks"],
                    },
                    "response_url": "http://127.0.0.1:9/unused",
                    "actions": [
                        {
                            "type": "button",
                            "action_id": element.get("action_id"),
                            "block_id": block.get("block_id"),
                            "text": element.get("text"),
                            "value": element.get("value"),
                            "action_ts": f"{int(time.time())}.{n:06d}",
                        }
                    ],
                }
                form = urlencode({"payload": json.dumps(payload)})
                return form, "application/x-www-form-urlencoded"
        return None

    def deliver(self, user: SimUser, action: dict[str, Any]) -> None:
        """POST the signed event or interaction for ``action``."""
        request = self._press(user, action["text"]) if action["kind"] == "press" else None
        if request is None:
            text = "/" + action["text"] if action["kind"] == "command" else action["text"]
            request = self._event(user, text)
        user.state["published"] = False
        task = asyncio.get_running_loop().create_task(self._post(*request))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, body: str, content_type: str) -> None:
        assert self.session is not None
        url = self.events_urls[next(self.round_robin)]
        headers = {"Content-Type": content_type, **sign(body, secret=self.secret)}
        try:
            async with self.session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                if response.status >= 300 and not self.finished.is_set():
                    self.errors += 1
        except Exception as exc:
            if not self.finished.is_set():
                self.errors += 1
            _LOGGER.debug("event post failed: %s", type(exc).__name__)

    # ------------------------------------------------------------------ the API

    def _user_of(self, args: dict[str, Any]) -> SimUser | None:
        channel = str(args.get("channel") or "")
        user = self.by_channel.get(channel) or self.users.get(channel)
        if user is None:
            user = self.users.get(str(args.get("user_id") or args.get("user") or ""))
        return user

    def on_request(self, method: str, args: dict[str, Any]) -> None:
        """Count every Web API call."""
        self.calls[method] = self.calls.get(method, 0) + 1

    def on_result(self, method: str, args: dict[str, Any], payload: dict[str, Any]) -> None:
        """A post (maybe with buttons to press next), an update or the App Home: progress."""
        if method in ("auth.test", "users.info", "conversations.open"):
            return
        user = self._user_of(args)
        if user is None:
            return
        if method == "chat.postMessage" and payload.get("ok"):
            blocks = payload["message"]["blocks"]
            if any(block.get("type") == "actions" for block in blocks):
                user.state["message"] = {
                    "channel": payload["channel"],
                    "ts": payload["ts"],
                    "text": payload["message"]["text"],
                    "blocks": blocks,
                }
        self._count(user, method)

    def _count(self, user: SimUser, method: str) -> None:
        if self.done_on == "chat.postMessage":
            if method == "chat.postMessage":
                self.answered(user)
            else:
                self.activity(user)
            return
        # Our app: an input is done when its answers were posted AND the App Home
        # was refreshed (published in the background, so in either order).
        if not user.waiting:
            return
        if method == "chat.postMessage":
            user.received += 1
        elif method == "views.publish":
            user.state["published"] = True
        self.activity(user)
        if user.state.get("published") and user.received >= user.expected:
            self.step_done(user, quiet=False)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Serve the Web API, wait for the app, run the users; return the report."""
    driver = SlackDriver(
        scripts=json.loads(Path(args.scripts).read_text()),
        users=args.users,
        warmup=args.warmup,
        duration=args.duration,
        pid_file=args.pid_file,
        events_urls=args.events_url,
        secret=args.secret,
        done_on=args.done_on,
    )
    await driver.api.start(args.port)
    driver.session = ClientSession(
        connector=TCPConnector(limit=max(8, args.users)), timeout=ClientTimeout(total=30)
    )
    watchdog = asyncio.create_task(driver.watchdog())
    try:
        deadline = time.monotonic() + args.start_timeout
        while not Path(args.ready_file).exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        driver.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                driver.finished.wait(), timeout=args.warmup + args.duration + GIVE_UP_SECONDS + 5
            )
    finally:
        watchdog.cancel()
        await driver.session.close()
        await driver.api.stop()
    return driver.report(calls=driver.calls)


def main() -> int:
    """Parse arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scripts", required=True)
    parser.add_argument("--events-url", action="append", required=True)
    parser.add_argument("--pid-file", help="file with the bot's process id(s), for its CPU time")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--ready-file", required=True, help="start when this file exists")
    parser.add_argument("--done-on", default="chat.postMessage")
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--start-timeout", type=float, default=30.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # A bot stopped mid-request at the end of a run is expected, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    report = asyncio.run(main_async(args))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
