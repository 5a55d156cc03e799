"""A fault-injection TCP proxy between worker processes and PostgreSQL.

The proxy runs its own asyncio loop in a background thread, so it keeps
forwarding bytes while the test awaits, sleeps or waits on subprocesses.
``sever()`` cuts every open connection and refuses new ones (the database
looks down to the workers); ``hang()`` keeps every connection open but holds
the bytes (the database looks hung: no error, no answer); ``restore()`` lets
connections through again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Coroutine
from typing import Any

_LOGGER = logging.getLogger(__name__)

_CHUNK = 65536


class TcpProxy:
    """Forward ``127.0.0.1:<port>`` to ``target_host:target_port``; cut it on demand."""

    def __init__(self, *, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._severed = False
        self._flowing: asyncio.Event | None = None
        self.port = 0
        self.accepted = 0
        self.refused = 0

    # ------------------------------------------------------------------ control

    def start(self) -> None:
        """Listen on a free loopback port (``self.port``)."""
        self._thread.start()
        self._call(self._start())

    def sever(self) -> None:
        """Close every forwarded connection and refuse new ones until :meth:`restore`."""
        self._call(self._sever())

    def hang(self) -> None:
        """Hold every byte in both directions (new connections too) until :meth:`restore`."""
        self._call(self._hang())

    def restore(self) -> None:
        """Forward new connections again."""
        self._call(self._restore())

    def close(self) -> None:
        """Stop listening, drop every connection and stop the thread."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def open_connections(self) -> int:
        """How many client connections are being forwarded now (both directions)."""
        return len(self._writers) // 2

    # ------------------------------------------------------------------ internals

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _sever(self) -> None:
        self._severed = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _hang(self) -> None:
        assert self._flowing is not None
        self._flowing.clear()

    async def _restore(self) -> None:
        assert self._flowing is not None
        self._severed = False
        self._flowing.set()

    async def _close(self) -> None:
        await self._sever()
        if self._flowing is not None:
            self._flowing.set()  # wake held pipes: they see the cut and end
        if self._server is not None:
            self._server.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._severed:
            self.refused += 1
            writer.transport.abort()
            return
        assert self._flowing is not None
        await self._flowing.wait()  # a hung database accepts and then says nothing
        if self._severed:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            self.refused += 1
            writer.transport.abort()
            return
        self.accepted += 1
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self._severed:
                data = await reader.read(_CHUNK)
                if not data:
                    break
                assert self._flowing is not None
                await self._flowing.wait()
                if self._severed:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
