"""Process-wide logging: one handler (stderr, or the terminal chat's file), secrets redacted.

The terminal chat shares the terminal with the conversation: its log lines go to
:func:`chat_log_file` instead, so none is ever printed between the coach's words.

Our own log calls never carry message text, names or tokens. Libraries can:
Telegram's request URLs contain the bot token, PTB's ``telegram.ext.ExtBot``
logs every Bot API call with its text and the returned chat (first/last name,
@username, id) at DEBUG, slack_sdk / bolt log whole requests at DEBUG and
SQLAlchemy its parameters at INFO. So the libraries below are held at WARNING
whatever ``LOG_LEVEL`` says, and every record is passed through
:class:`RedactSecrets` as a second line of defence. Only ``LOG_LIBRARIES``
(e.g. ``LOG_LIBRARIES=DEBUG``) lets them log more — that is documented as
unsafe: such a log contains the users' texts and names.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from collections.abc import Iterable
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: The chat's log file is rotated at this size, one older file kept.
CHAT_LOG_MAX_BYTES = 1_000_000


def chat_log_file() -> Path:
    """Where the terminal chat logs: ``chat.log`` in the user's data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("rejection-coach")) / "chat.log"


#: Libraries whose INFO/DEBUG records can contain URLs with tokens, payloads or SQL
#: parameters. The bot sends its own requests through aiohttp, but PTB still
#: imports httpx (its default backend) and a custom ``base_url`` setup or a
#: benchmark may use it; aiosqlite logs every statement it runs at DEBUG.
_NOISY_LOGGERS = (
    "telegram",
    "telegram.ext",
    "httpx",
    "httpcore",
    "slack_sdk",
    "slack_bolt",
    "aiohttp",
    "aiohttp.access",
    "asyncio",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "openai",
    "alembic.runtime.plugins",
)


class RedactSecrets(logging.Filter):
    """Replace every known secret in a record's final message with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the secret values to hide (empty strings are ignored)."""
        super().__init__()
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


class OncePerInterval(logging.Filter):
    """Let one record matching ``fragment`` through per ``interval`` seconds.

    Installed on the ``asyncio`` logger for ``socket.accept() out of system resource``,
    which asyncio logs (with a traceback) on every failed accept.
    """

    def __init__(self, fragment: str, *, interval: float = 10.0) -> None:
        """Rate-limit the records whose message template contains ``fragment``."""
        super().__init__()
        self._fragment = fragment
        self._interval = interval
        self._last = float("-inf")
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """``False`` for a matching record within ``interval`` of the last one let through."""
        if self._fragment not in record.getMessage():
            return True
        now = time.monotonic()
        if now - self._last < self._interval:
            self._suppressed += 1
            return False
        self._last = now
        if self._suppressed:
            record.msg = f"{record.msg} ({self._suppressed} more like it suppressed)"
            self._suppressed = 0
        record.exc_info = None  # one line, not a traceback per failed accept
        record.exc_text = None
        return True


#: What asyncio logs, with a traceback, on every ``accept()`` that ran out of descriptors.
ACCEPT_ERROR = "socket.accept() out of system resource"
_ACCEPT_FILTER = OncePerInterval(ACCEPT_ERROR)


def _handler(log_file: Path | None) -> logging.Handler:
    """A handler writing to ``log_file`` (rotated), or to stderr."""
    if log_file is None:
        return logging.StreamHandler(sys.stderr)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        return logging.handlers.RotatingFileHandler(
            log_file, maxBytes=CHAT_LOG_MAX_BYTES, backupCount=1, encoding="utf-8"
        )
    except OSError:
        fallback = logging.StreamHandler(sys.stderr)
        fallback.setLevel(logging.ERROR)  # the chat stays readable; errors still show
        return fallback


def configure_logging(
    *,
    level: str,
    secrets: Iterable[str] = (),
    quiet_libraries: bool = True,
    library_level: str | None = None,
    log_file: Path | None = None,
) -> None:
    """Install one handler on the root logger at ``level``: stderr, or ``log_file``.

    Args:
        level: a logging level name such as ``"INFO"``.
        secrets: token values to redact from every record.
        quiet_libraries: hold the libraries of :data:`_NOISY_LOGGERS` at WARNING
            (their DEBUG/INFO records carry payloads, names, ids and URLs with tokens).
        library_level: the operator's explicit ``LOG_LIBRARIES`` level for those
            libraries instead (unsafe: their records then contain personal data).
        log_file: append the records to this file (rotated) instead of stderr (the
            terminal chat). If it cannot be opened, only errors go to stderr.
    """
    handler = _handler(log_file)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    asyncio_logger = logging.getLogger("asyncio")
    if _ACCEPT_FILTER not in asyncio_logger.filters:
        asyncio_logger.addFilter(_ACCEPT_FILTER)
    if library_level:
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(library_level.strip().upper())
        logging.getLogger(__name__).warning(
            "LOG_LIBRARIES=%s: library logs may contain message texts and names",
            library_level.strip().upper(),
        )
    elif quiet_libraries:
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
