"""A per-user limit on model calls: at most ``limit`` calls per ``window_seconds``.

Keys are opaque strings chosen by the caller (a hash of the conversation key,
never a platform id sent anywhere). In-process: each worker counts on its own,
so N workers allow up to N × ``limit`` calls per user and window — enough to
bound cost and abuse for now; a shared limit belongs in storage.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict, deque
from collections.abc import Callable


def opaque_key(*parts: str) -> str:
    """An opaque, stable key for one user: a SHA-256 of the conversation key's parts.

    Pass ``(platform, workspace, user_id)``. Used only inside the process, for
    the limit; never sent to the model endpoint and never logged.
    """
    digest = hashlib.sha256("\x1f".join(("llm-user", *parts)).encode("utf-8"))
    return digest.hexdigest()[:32]


class UserRateLimiter:
    """A sliding-window counter per opaque user key, bounded in memory."""

    def __init__(
        self,
        *,
        limit: int = 10,
        window_seconds: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty limiter.

        Args:
            limit: Calls allowed per key within the window.
            window_seconds: The window's length.
            max_keys: Keys remembered at most (the least recently used go first).
            clock: Seconds, monotonic.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._calls: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float]:
        calls = self._calls.get(key)
        if calls is None:
            return deque()
        horizon = self._clock() - self._window
        while calls and calls[0] <= horizon:
            calls.popleft()
        if not calls:
            del self._calls[key]
        return calls

    def allows(self, key: str) -> bool:
        """Whether ``key`` may make one more call now (nothing is counted)."""
        return len(self._recent(key)) < self._limit

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may call again, or ``None`` when it may now."""
        calls = self._recent(key)
        if len(calls) < self._limit:
            return None
        return max(0.0, calls[0] + self._window - self._clock())

    def record(self, key: str) -> None:
        """Count one call of ``key`` now."""
        calls = self._recent(key)
        calls.append(self._clock())
        self._calls[key] = calls
        self._calls.move_to_end(key)
        while len(self._calls) > self._max_keys:
            self._calls.popitem(last=False)
