"""``serve``'s guard against slow and idle clients (red-team rows 3.1-3.3, P6).

aiohttp has a keep-alive timeout between requests but none for a connection that
never finishes its first request's headers, and no limit on connections: 1 100 idle
sockets under systemd's default ``LimitNOFILE`` stopped a worker accepting anything
and asyncio logged ``socket.accept() out of system resource`` 700 000 times in 30 s.
:class:`LimitedSite` is aiohttp's ``TCPSite`` with

- a **connection cap** (below the process's file limit, so ``accept`` never runs out
  of descriptors): a connection beyond it is closed at once;
- a **header deadline**: a connection must complete its request's headers within
  ``header_timeout`` seconds of opening, or it is closed (idle sockets free their slot).

:class:`bot.logging_setup.OncePerInterval` lets one accept error through per interval.
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any, cast

from aiohttp import web

#: Connections beyond this many (per worker) are closed at once.
DEFAULT_MAX_CONNECTIONS = 1000
#: File descriptors kept free for the database pool, the platforms' APIs and logs.
RESERVED_FILES = 64
#: Seconds a new connection has to send its request's headers.
DEFAULT_HEADER_TIMEOUT = 10.0
#: The listen backlog (aiohttp's default is 128).
DEFAULT_BACKLOG = 256
#: aiohttp's idle timeout between two requests on one connection (its default is 75 s).
KEEPALIVE_TIMEOUT = 15.0
_HEADERS_END = b"\r\n\r\n"


def connection_cap(requested: int = DEFAULT_MAX_CONNECTIONS) -> int:
    """``requested``, lowered to the soft ``RLIMIT_NOFILE`` minus :data:`RESERVED_FILES`."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, soft - RESERVED_FILES))


class _Limits:
    def __init__(self, *, max_connections: int, header_timeout: float) -> None:
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.active = 0
        self.refused = 0
        self.expired = 0


class _GuardedProtocol(asyncio.Protocol):
    """Forwards to aiohttp's request handler; enforces the cap and the header deadline."""

    def __init__(self, inner: Any, limits: _Limits) -> None:
        self._inner = inner
        self._limits = limits
        self._counted = False
        self._tail = b""
        self._timer: asyncio.TimerHandle | None = None
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        limits = self._limits
        socket_transport = cast(asyncio.Transport, transport)
        if limits.active >= limits.max_connections:
            limits.refused += 1
            socket_transport.abort()  # frees the descriptor at once; aiohttp never sees it
            return
        limits.active += 1
        self._counted = True
        self._transport = socket_transport
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(limits.header_timeout, self._expire)
        self._inner.connection_made(transport)

    def _expire(self) -> None:
        self._timer = None
        self._limits.expired += 1
        if self._transport is not None:
            self._transport.abort()

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            seen = self._tail + data
            if _HEADERS_END in seen:
                self._timer.cancel()
                self._timer = None
            else:
                self._tail = seen[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        if not self._counted:
            return None
        result: bool | None = self._inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._counted:
            return
        self._counted = False
        self._limits.active -= 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._counted:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._counted:
            self._inner.resume_writing()


class LimitedSite(web.TCPSite):
    """``TCPSite`` with a connection cap and a header deadline (see the module)."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        max_connections: int | None = None,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
        backlog: int = DEFAULT_BACKLOG,
    ) -> None:
        """Listen on ``host:port``; ``max_connections`` defaults to :func:`connection_cap`."""
        super().__init__(runner, host, port, backlog=backlog)
        cap = connection_cap() if max_connections is None else max_connections
        self.limits = _Limits(max_connections=cap, header_timeout=header_timeout)

    async def start(self) -> None:
        """Bind and serve, every connection through the guard."""
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        limits = self.limits
        self._server = await loop.create_server(
            lambda: _GuardedProtocol(server(), limits),
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port
