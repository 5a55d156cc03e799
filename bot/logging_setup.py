"""Process-wide logging: one stderr handler, %-style, secrets redacted.

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
import sys
import time
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

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


def configure_logging(
    *,
    level: str,
    secrets: Iterable[str] = (),
    quiet_libraries: bool = True,
    library_level: str | None = None,
) -> None:
    """Install one stderr handler on the root logger at ``level``.

    Args:
        level: a logging level name such as ``"INFO"``.
        secrets: token values to redact from every record.
        quiet_libraries: hold the libraries of :data:`_NOISY_LOGGERS` at WARNING
            (their DEBUG/INFO records carry payloads, names, ids and URLs with tokens).
        library_level: the operator's explicit ``LOG_LIBRARIES`` level for those
            libraries instead (unsafe: their records then contain personal data).
    """
    handler = logging.StreamHandler(sys.stderr)
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
