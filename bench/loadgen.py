"""Closed-loop simulated users, shared by the platform stand-ins.

Each user takes the next action of its script and waits until the bot has
answered it — as many messages as the recording says, or the bot went quiet
for :data:`QUIET_SECONDS` — before the next one. Only steps that finish inside
the measuring window (after the warm-up) count. A script that ends starts over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

_LOGGER = logging.getLogger(__name__)

#: A step whose messages stopped arriving for this long is over (counted as quiet).
QUIET_SECONDS = 0.25
#: A step with no answer at all for this long is given up (counted as quiet).
GIVE_UP_SECONDS = 5.0


@dataclass(slots=True)
class SimUser:
    """One simulated user: their script, where they are in it, what the bot sent."""

    user_id: str
    language: str
    actions: list[dict[str, Any]]
    script: int = 0
    rounds: int = 0
    position: int = 0
    expected: int = 1
    received: int = 0
    sent_at: float = 0.0
    last_activity: float = 0.0
    waiting: bool = False
    current: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


class ClosedLoop(ABC):
    """Users, their pacing, the measuring window and the figures."""

    def __init__(
        self,
        *,
        scripts: list[dict[str, Any]],
        user_ids: list[str],
        warmup: float,
        duration: float,
        pid_file: str | None = None,
    ) -> None:
        self.users: dict[str, SimUser] = {}
        self.pid_file = pid_file
        self.bot_cpu: dict[str, float] = {}
        for index, uid in enumerate(user_ids):
            script = scripts[index % len(scripts)]
            self.users[uid] = SimUser(
                uid, script["language"], list(script["actions"]), script=index % len(scripts)
            )
        self.warmup = warmup
        self.duration = duration
        self.started: float | None = None
        self.window: tuple[float, float] = (0.0, 0.0)
        self.completed = 0
        self.completed_all = 0
        self.quiet = 0
        self.latencies: list[float] = []
        self.errors = 0
        self.quiet_steps: dict[str, int] = {}
        # How many messages a step really got when it differed from the recording
        # (an adapter may merge two replies into one message): learnt once, then expected.
        self.learnt: dict[tuple[int, int], int] = {}
        self.finished = asyncio.Event()
        self.created = time.monotonic()

    @abstractmethod
    def deliver(self, user: SimUser, action: dict[str, Any]) -> None:
        """Send ``action`` of ``user`` to the bot (without blocking)."""

    def start(self) -> None:
        """Start the clock and send every user's first action."""
        if self.started is not None:
            return
        self.started = time.monotonic()
        begin = self.started + self.warmup
        self.window = (begin, begin + self.duration)
        _LOGGER.info("load started: %d users", len(self.users))
        asyncio.get_running_loop().call_later(self.warmup, self._cpu_mark, "begin")
        for user in self.users.values():
            self.send_next(user)

    def send_next(self, user: SimUser) -> None:
        """The user's next action, unless the run is over."""
        now = time.monotonic()
        if now >= self.window[1]:
            self._cpu_mark("end")
            user.waiting = False
            if all(not u.waiting for u in self.users.values()):
                self.finished.set()
            return
        if user.position >= len(user.actions):
            user.position = 0
            user.rounds += 1
        action = user.actions[user.position]
        key = (user.script, user.position)
        user.position += 1
        user.expected = self.learnt.get(key, max(1, int(action.get("messages", 1))))
        user.received = 0
        user.sent_at = user.last_activity = now
        user.waiting = True
        user.current = action
        self.deliver(user, action)

    def step_done(self, user: SimUser, *, quiet: bool) -> None:
        """Count the step if it ended inside the window; go on."""
        now = time.monotonic()
        self.completed_all += 1
        if quiet and 0 < user.received < user.expected:
            self.learnt[(user.script, user.position - 1)] = user.received
        if self.window[0] <= now < self.window[1]:
            self.completed += 1
            self.latencies.append(now - user.sent_at)
            if quiet:
                self.quiet += 1
                what = (
                    f"{user.current.get('step')}/{user.current.get('kind')}:"
                    f"{user.received} of {user.expected}"
                )
                self.quiet_steps[what] = self.quiet_steps.get(what, 0) + 1
        self.send_next(user)

    def answered(self, user: SimUser) -> None:
        """The bot sent one message to ``user``."""
        if not user.waiting:
            return
        user.received += 1
        user.last_activity = time.monotonic()
        if user.received >= user.expected:
            self.step_done(user, quiet=False)

    def activity(self, user: SimUser) -> None:
        """Other work for ``user`` (an edit, a callback answer) keeps the step alive."""
        if user.waiting:
            user.last_activity = time.monotonic()

    async def watchdog(self) -> None:
        """Finish steps whose answer went quiet; end the run when time is up."""
        while not self.finished.is_set():
            await asyncio.sleep(0.05)
            if self.started is None:
                continue
            now = time.monotonic()
            if now >= self.window[1]:
                # Steps still in flight would end outside the window: not waited for.
                self._cpu_mark("end")
                self.finished.set()
                return
            for user in list(self.users.values()):
                if not user.waiting:
                    continue
                quiet = now - user.last_activity
                if (user.received and quiet >= QUIET_SECONDS) or quiet >= GIVE_UP_SECONDS:
                    self.step_done(user, quiet=True)

    def _cpu_mark(self, when: str) -> None:
        """Read the CPU time of the bot process(es) named in ``pid_file``."""
        if not self.pid_file or when in self.bot_cpu:
            return
        import psutil

        total = 0.0
        try:
            with open(self.pid_file) as pids:
                for line in pids:
                    if line.strip():
                        times = psutil.Process(int(line)).cpu_times()
                        total += times.user + times.system
        except (OSError, ValueError, psutil.Error) as exc:
            _LOGGER.warning("cannot read the bot's CPU time: %s", type(exc).__name__)
            return
        self.bot_cpu[when] = total

    def report(self, *, calls: dict[str, int], **extra: Any) -> dict[str, Any]:
        """The figures of the run; ``calls`` counts the platform API calls the bot made."""
        setup = {"getMe", "getUpdates", "setMyCommands", "deleteWebhook", "auth.test"}
        answers = sum(n for method, n in calls.items() if method not in setup)
        latencies = sorted(self.latencies)

        def pct(p: float) -> float:
            if not latencies:
                return 0.0
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

        bot_cpu = None
        if "begin" in self.bot_cpu and "end" in self.bot_cpu:
            bot_cpu = self.bot_cpu["end"] - self.bot_cpu["begin"]
        return {
            "bot_cpu_s": bot_cpu,
            "bot_cpu_ms_per_update": bot_cpu * 1000 / self.completed
            if bot_cpu is not None and self.completed
            else None,
            "api_calls_per_update": answers / self.completed_all if self.completed_all else None,
            "calls": calls,
            "updates": self.completed,
            "seconds": self.duration,
            "updates_per_second": self.completed / self.duration if self.duration else 0.0,
            "p50_ms": pct(50) * 1000,
            "p99_ms": pct(99) * 1000,
            "stalls": self.quiet,
            "errors": self.errors,
            "quiet_steps": self.quiet_steps,
            "learnt": {f"script {k[0]} action {k[1]}": v for k, v in self.learnt.items()},
            "started": self.started is not None,
            "waited_for_bot_s": round((self.started or self.created) - self.created, 2),
            "total_s": round(time.monotonic() - self.created, 2),
            "cpu_s": round(time.process_time(), 2),
            **extra,
        }
