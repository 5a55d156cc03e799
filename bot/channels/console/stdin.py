"""Lines from standard input without blocking the event loop."""

from __future__ import annotations

import asyncio
import codecs
import os
import threading


class StdinLines:
    """Lines from a file descriptor without blocking the event loop.

    Uses ``loop.add_reader`` (terminals and pipes); falls back to a reader
    thread for descriptors epoll cannot watch (a regular file). Reads raw bytes
    with ``os.read`` — never ``sys.stdin`` — and decodes UTF-8 incrementally.
    ``None`` from :meth:`get` means end of input.
    """

    def __init__(self, fd: int) -> None:
        """Watch ``fd`` (usually 0)."""
        self._fd = fd
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._loop = asyncio.get_running_loop()
        self._watching = False
        self._eof = False
        try:
            self._loop.add_reader(fd, self._on_readable)
            self._watching = True
        except (PermissionError, ValueError, OSError):
            thread = threading.Thread(target=self._thread_main, name="console-stdin", daemon=True)
            thread.start()

    async def get(self) -> str | None:
        """The next line without its newline, or ``None`` at end of input."""
        return await self._queue.get()

    def close(self) -> None:
        """Stop watching the descriptor."""
        if self._watching:
            self._loop.remove_reader(self._fd)
            self._watching = False

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        self._feed(chunk)

    def _thread_main(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            self._loop.call_soon_threadsafe(self._feed, chunk)
            if not chunk:
                return

    def _feed(self, chunk: bytes) -> None:
        if self._eof:
            return
        if not chunk:
            self._pending += self._decoder.decode(b"", final=True)
            if self._pending:
                self._queue.put_nowait(self._pending)
                self._pending = ""
            self._eof = True
            self.close()
            self._queue.put_nowait(None)
            return
        self._pending += self._decoder.decode(chunk)
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            self._queue.put_nowait(line.rstrip("\r"))
