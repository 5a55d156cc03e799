"""The Bot API stand-in with users whose updates arrive by webhook (its own process).

``python -m bench.telegram_webhook_api …`` serves the Bot API (the tests'
lenient stand-in, as :mod:`bench.telegram_api`) and plays ``--users`` private
chat users in a closed loop: each update is POSTed, with the webhook secret
header, to one of the ``--webhook-url`` (round-robin — a load balancer's job),
and the user's next action waits until the bot's messages arrived, as a person
would. Two things are measured besides the usual figures:

- **the webhook's answer time**: from the POST to its HTTP answer, for every
  update posted in the measuring window. An answer slower than
  ``--answer-timeout`` (nginx's 30 s by default) counts as a timeout at that
  value; a POST still unanswered when the run ends counts with the time it had
  waited so far (a lower bound), so a stuck webhook cannot flatter the p99.
- **delivery**: when each ``sendMessage`` reached the stand-in, so the report
  has the calls per second over the window and the busiest 1 s window
  (sliding, any start), all workers together.

It starts the load once ``--ready-file`` exists and prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from bench.loadgen import GIVE_UP_SECONDS, SimUser
from bench.telegram_api import TelegramDriver

_LOGGER = logging.getLogger("bench.telegram_webhook_api")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Methods that put a message into a chat (Telegram's ~30 messages/s bot limit).
MESSAGE_METHODS = frozenset({"sendMessage"})
#: The other calls of a step (a flood limiter may count them against the same budget).
OTHER_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"})


def busiest_window(times: list[float], *, width: float = 1.0) -> int:
    """The most timestamps in any window ``[t, t + width)`` (``times`` sorted)."""
    best = 0
    for index, start in enumerate(times):
        end = bisect.bisect_left(times, start + width, lo=index)
        best = max(best, end - index)
    return best


def per_second(times: list[float], *, begin: float, end: float) -> list[int]:
    """Counts in consecutive 1 s windows from ``begin`` (the last partial one left out)."""
    counts = [0] * max(0, int(end - begin))
    for stamp in times:
        slot = int(stamp - begin)
        if 0 <= slot < len(counts):
            counts[slot] += 1
    return counts


class WebhookDriver(TelegramDriver):
    """Users whose updates are POSTed to the bot's webhook; answer times and send times."""

    def __init__(
        self,
        *,
        webhook_urls: list[str],
        secret: str,
        answer_timeout: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.webhook_urls = webhook_urls
        self.secret = secret
        self.answer_timeout = answer_timeout
        self.round_robin = itertools.cycle(range(len(webhook_urls)))
        self.session: ClientSession | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.answer_times: list[float] = []
        self.answer_status: dict[str, int] = {}
        self.timeouts = 0
        self.in_flight: dict[int, float] = {}
        self.sends: list[float] = []
        self.others: list[tuple[str, float]] = []

    def deliver(self, user: SimUser, action: dict[str, Any]) -> None:
        """POST the update to the next webhook (without blocking the loop)."""
        update = self._build_update(user, action)
        update["update_id"] = self.api.new_update_id()
        task = asyncio.get_running_loop().create_task(self._post(update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, update: dict[str, Any]) -> None:
        assert self.session is not None
        url = self.webhook_urls[next(self.round_robin)]
        started = time.monotonic()
        counted = self.window[0] <= started < self.window[1]
        token = id(update)
        if counted:
            self.in_flight[token] = started
        status = "error"
        try:
            async with self.session.post(
                url, json=update, headers={SECRET_HEADER: self.secret}
            ) as response:
                await response.read()
                status = str(response.status)
        except TimeoutError:
            status = "timeout"
        except Exception as exc:
            _LOGGER.debug("webhook post failed: %s", type(exc).__name__)
        finally:
            self.in_flight.pop(token, None)
        elapsed = time.monotonic() - started
        if not counted or self.finished.is_set():
            return
        if status == "timeout":
            self.timeouts += 1
            elapsed = max(elapsed, self.answer_timeout)
        if status != "200":
            self.errors += 1
        self.answer_status[status] = self.answer_status.get(status, 0) + 1
        self.answer_times.append(elapsed)

    def on_request(self, method: str, params: dict[str, Any]) -> None:
        """Count every call; note when each message reached the "platform"."""
        self.calls[method] = self.calls.get(method, 0) + 1
        if method in MESSAGE_METHODS:
            self.sends.append(time.monotonic())
        elif method in OTHER_METHODS:
            self.others.append((method, time.monotonic()))

    def delivery_report(self) -> dict[str, Any]:
        """Messages per second over the window and the busiest 1 s window."""
        begin, end = self.window
        inside = [t for t in self.sends if begin <= t < end]
        counts = per_second(inside, begin=begin, end=end)
        others: dict[str, float] = {}
        for method, stamp in self.others:
            if begin <= stamp < end:
                others[method] = others.get(method, 0) + 1 / (end - begin)
        return {
            "other_calls_per_second": others,
            "messages_in_window": len(inside),
            "messages_per_second": len(inside) / (end - begin) if end > begin else 0.0,
            "busiest_1s_window": busiest_window(inside),
            "per_second": counts,
        }

    def answer_report(self) -> dict[str, Any]:
        """The webhook's answer times, the unanswered ones included as lower bounds."""
        now = time.monotonic()
        waiting = [now - started for started in self.in_flight.values()]
        times = sorted(self.answer_times + waiting)

        def pct(p: float) -> float:
            if not times:
                return 0.0
            return times[min(len(times) - 1, int(p / 100 * len(times)))] * 1000

        return {
            "answers": len(self.answer_times),
            "unanswered_at_end": len(waiting),
            "answer_p50_ms": pct(50),
            "answer_p99_ms": pct(99),
            "answer_max_ms": times[-1] * 1000 if times else 0.0,
            "answer_status": self.answer_status,
            "answer_timeouts": self.timeouts,
        }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Serve the Bot API, wait for the workers, run the users; return the report."""
    driver = WebhookDriver(
        scripts=json.loads(Path(args.scripts).read_text()),
        users=args.users,
        warmup=args.warmup,
        duration=args.duration,
        pid_file=args.pid_file,
        webhook_urls=args.webhook_url,
        secret=args.secret,
        answer_timeout=args.answer_timeout,
    )
    await driver.api.start(args.port)
    driver.session = ClientSession(
        connector=TCPConnector(limit=max(8, args.users)),
        timeout=ClientTimeout(total=args.answer_timeout),
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
        answers = driver.answer_report()
    finally:
        watchdog.cancel()
        await driver.session.close()
        await driver.api.close()
    return driver.report(calls=driver.calls, **answers, **driver.delivery_report())


def main() -> int:
    """Parse arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scripts", required=True, help="JSON file of scripted conversations")
    parser.add_argument("--webhook-url", action="append", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--ready-file", required=True, help="start when this file exists")
    parser.add_argument("--users", type=int, default=75)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--answer-timeout", type=float, default=30.0)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--pid-file", help="file with the bot's process id(s), for its CPU time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    report = asyncio.run(main_async(args))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
