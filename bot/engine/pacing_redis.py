"""The shared send budgets in Redis (``REDIS_URL``): the GCRA of :mod:`bot.engine.pacing`.

One key per budget holds its "theoretical arrival time" (seconds on the Redis
server's clock, so every worker counts on the same clock, as PostgreSQL's
``clock_timestamp()`` does for the ``rate_limits`` rows). A Lua script reads it,
moves it one period on and returns the caller's wait, atomically (Redis runs one
script at a time); redis-py sends it by ``EVALSHA`` and loads it again after a
``NOSCRIPT`` (a restarted or flushed server). A key expires once its budget is idle
— a time of arrival in the past means the same as no key — so Redis holds only
the budgets in use, and nothing that matters: losing it only resets them.

Budget names come from :func:`bot.engine.pacing._budget_name` (a destination only
as a hash). Importing this module does not import ``redis``; :meth:`RedisBudgets.from_url`
does (the ``redis`` extra: ``pip install 'rejection-coach[redis]'``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.engine.pacing import Rate

if TYPE_CHECKING:
    from redis.asyncio import Redis

_LOGGER = logging.getLogger(__name__)

#: The default first part of every key (``REDIS_KEY_PREFIX``): deployments that share one
#: Redis server need one each.
DEFAULT_KEY_PREFIX = "rejection-coach"
#: Seconds to connect to Redis and to wait for one answer: the send waits for it, so a
#: hung server falls back to local pacing quickly instead of holding the outbox.
DEFAULT_TIMEOUT_SECONDS = 1.0
#: A budget's key outlives its time of arrival by this much (milliseconds).
_IDLE_MARGIN_MS = 100

#: KEYS[1] the budget; ARGV: period (s), tolerance (s), idle margin (ms). Returns the
#: wait (s) as a string: a Lua number would come back as an integer, truncated.
_RESERVE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local period = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
    tat = math.max(tonumber(stored), now)
end
local next_tat = tat + period
local ttl = math.ceil((next_tat - now) * 1000) + tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%.6f', next_tat), 'PX', ttl)
return string.format('%.6f', tat - now - tolerance)
"""


class RedisBudgets:
    """The shared send budgets as Redis keys ``<prefix>:send-budget:<name>``.

    Args:
        client: a ``redis.asyncio.Redis`` (closed by :meth:`aclose`).
        prefix: the first part of every key.
    """

    store = "redis"

    def __init__(self, client: Redis, *, prefix: str = DEFAULT_KEY_PREFIX) -> None:
        from redis.exceptions import RedisError

        #: A refused or cut connection, a timeout, an error answer: pace locally meanwhile.
        self.errors: tuple[type[BaseException], ...] = (RedisError, OSError)
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_RESERVE_SCRIPT)
        self._closed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_KEY_PREFIX,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> RedisBudgets:
        """Budgets on the Redis server at ``url`` (connects on the first send).

        No retries inside redis-py (its default since 6.0 retries three times with a
        backoff): a failed call falls back to local pacing at once, and the store is
        tried again a second later (:attr:`bot.engine.pacing.Pacer.retry_shared_after`).
        """
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        client = Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        return cls(client, prefix=prefix)

    def key(self, name: str) -> str:
        """The Redis key of budget ``name``."""
        return f"{self._prefix}:send-budget:{name}"

    async def reserve(self, name: str, rate: Rate) -> float:
        """Reserve one send of budget ``name`` (one script call); the seconds to wait."""
        wait = await self._script(
            keys=[self.key(name)], args=[repr(rate.period), repr(rate.tolerance), _IDLE_MARGIN_MS]
        )
        return float(wait)

    async def aclose(self) -> None:
        """Close the client and its connection pool; idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._client.aclose()
