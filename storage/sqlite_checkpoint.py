"""WAL checkpoints of one SQLite database on a worker thread (for the in-loop driver).

The in-loop driver (:mod:`storage.sqlite_inloop`) commits on the event loop's
thread, so SQLite's automatic checkpoint (it fsyncs) would run there; it turns
that off and counts commits into a :class:`Checkpointer` instead. Stock
aiosqlite needs none of this: its commits, checkpoints included, run on
aiosqlite's own thread.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import urllib.parse
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_LOGGER = logging.getLogger(__name__)

#: Write commits between two background checkpoints (SQLite's own default is a
#: checkpoint every 1 000 WAL pages; a conversation step writes about a dozen).
DEFAULT_CHECKPOINT_EVERY = 100


class Checkpointer:
    """Runs WAL checkpoints of one database on a worker thread, never on the event loop.

    Connections opened with it count their commits; every ``every`` commits a
    ``PRAGMA wal_checkpoint(PASSIVE)`` runs on a separate connection in a
    worker thread (at most one at a time). PASSIVE never waits for, nor
    blocks, readers and writers; what it cannot copy now is copied next time.
    """

    _executor: ThreadPoolExecutor | None = None
    _executor_lock = threading.Lock()

    def __init__(self, *, every: int = DEFAULT_CHECKPOINT_EVERY) -> None:
        self._every = max(1, every)
        self._commits = 0
        self._running: Future[None] | None = None
        self._target: tuple[str, dict[str, Any]] | None = None
        #: Completed checkpoints and the last one's (WAL frames, frames checkpointed).
        self.done = 0
        self.last_result: tuple[int, int] | None = None

    def attach(self, database: str, connect_kwargs: dict[str, Any]) -> None:
        """Remember how to open the database (called by :func:`connect`)."""
        if self._target is not None:
            return
        kwargs = dict(connect_kwargs)
        if not kwargs.get("uri"):
            # Read-write, never create: a file deleted meanwhile is not made again.
            database = f"file:{urllib.parse.quote(os.path.abspath(database))}?mode=rw"
            kwargs["uri"] = True
        self._target = (database, kwargs)

    def committed(self) -> None:
        """Count one commit; start a checkpoint when enough have accumulated."""
        self._commits += 1
        if self._commits < self._every or self._target is None:
            return
        if self._running is not None and not self._running.done():
            return
        self._commits = 0
        self._running = self._pool().submit(self._checkpoint)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the checkpoint in progress (if any) has finished."""
        running = self._running
        if running is not None:
            running.result(timeout)

    @classmethod
    def _pool(cls) -> ThreadPoolExecutor:
        with cls._executor_lock:
            if cls._executor is None:
                cls._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="sqlite-checkpoint"
                )
            return cls._executor

    def _checkpoint(self) -> None:
        if self._target is None:  # pragma: no cover - committed() checks it first
            return
        database, kwargs = self._target
        try:
            connection = sqlite3.connect(database, timeout=0, **kwargs)
            try:
                row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                connection.close()
        except sqlite3.Error as error:  # the next round tries again
            _LOGGER.warning("background WAL checkpoint failed: %s", type(error).__name__)
            return
        self.done += 1
        if row is not None:
            self.last_result = (int(row[1]), int(row[2]))
