"""A circuit breaker: stop calling a failing endpoint for a few minutes.

Closed → (``failure_threshold`` failures in a row) → open for ``open_seconds``
→ half-open: one probe call is let through; its success closes the breaker,
its failure opens it again. The clock is injected, so tests move time by hand.
In-process: each worker keeps its own breaker, which is what a breaker
protecting one worker's calls needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    """Where the breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failures and refuses calls while open."""

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        open_seconds: float = 180.0,
        max_hold_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create a closed breaker.

        Args:
            failure_threshold: Consecutive failures that open it.
            open_seconds: How long it stays open before a probe.
            max_hold_seconds: The longest a server's ``Retry-After`` may hold it open.
            clock: Seconds, monotonic.
        """
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self._threshold = failure_threshold
        self._open_seconds = open_seconds
        self._max_hold = max_hold_seconds
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The current state (open turns half-open once its time is up)."""
        if self._open_until is None:
            return BreakerState.CLOSED
        if self._clock() < self._open_until:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, only one probe at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._probing:
            return False
        self._probing = True
        return True

    def retry_after(self) -> float | None:
        """Seconds until the next call may go out, when open."""
        if self._open_until is None:
            return None
        return max(0.0, self._open_until - self._clock())

    def record_success(self) -> None:
        """The endpoint answered: close the breaker."""
        self._failures = 0
        self._open_until = None
        self._probing = False

    def record_failure(self, *, hold_seconds: float | None = None) -> None:
        """The call failed; open the breaker after enough failures in a row.

        Args:
            hold_seconds: The server asked to wait this long (``Retry-After``):
                the breaker opens at once for at least that long (capped).
        """
        self._failures += 1
        was_probe, self._probing = self._probing, False
        now = self._clock()
        until: float | None = None
        if was_probe or self._failures >= self._threshold:
            until = now + self._open_seconds
        if hold_seconds is not None and hold_seconds > 0:
            held = now + min(hold_seconds, self._max_hold)
            until = held if until is None else max(until, held)
        if until is not None:
            self._open_until = until

    def abandon(self) -> None:
        """A call ended with neither answer nor failure (cancelled): free the probe."""
        self._probing = False
