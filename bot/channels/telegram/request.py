"""PTB's networking backend on aiohttp instead of httpx.

python-telegram-bot sends every Bot API call through a
:class:`~telegram.request.BaseRequest`; its default, ``HTTPXRequest``, costs
more CPU per call than anything else the bot does (httpx + httpcore + anyio:
about half the bot's CPU time under load, measured with py-spy in ``make
bench``). The bot makes ~3 calls per button press (answer the callback query,
edit the question, send the next one), so the per-call cost matters.
aiohttp is already a dependency (webhook server, Slack); this backend keeps
one :class:`aiohttp.ClientSession` with a keep-alive connection pool per
request object.

Semantics follow ``HTTPXRequest``: form-encoded parameters, multipart when
files are uploaded, timeouts mapped to :class:`~telegram.error.TimedOut` and
every other transport error to :class:`~telegram.error.NetworkError`. The
status code and body are returned as they are; PTB itself turns non-2xx
answers into errors (429 → ``RetryAfter``, waited out by the rate limiter).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_LOGGER = logging.getLogger(__name__)

#: Connections kept per request object (PTB's own default is 256).
DEFAULT_POOL_SIZE = 256


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` on one pooled :class:`aiohttp.ClientSession`.

    Args:
        connection_pool_size: connections open at once (keep-alive, reused).
        read_timeout: default seconds to wait for an answer (``None``: forever).
        write_timeout: kept for PTB's interface; aiohttp has no separate write
            timeout, so it bounds nothing here beyond the other timeouts.
        connect_timeout: default seconds to open a connection.
        pool_timeout: default seconds to wait for a free connection of the pool.
        media_write_timeout: like ``write_timeout`` for uploads (interface only).
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        """Remember the settings; the session opens in :meth:`initialize` (inside the loop)."""
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be a positive integer")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds it to ``getUpdates``' timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections (idempotent)."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the status code and the raw body.

        A timeout left at ``BaseRequest.DEFAULT_NONE`` (PTB's public sentinel,
        compared with ``is`` as its docs ask) takes this object's default.
        """
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _timeout(read_timeout, self._read_timeout)
        connect = _timeout(connect_timeout, self._connect_timeout)
        pool = _timeout(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's ``connect`` covers waiting for a pooled connection and opening one.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            files = request_data.multipart_data
            fields = request_data.json_parameters
            if files:
                form = aiohttp.FormData()
                for name, value in fields.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            elif fields:
                data = fields
        try:
            async with session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


class PollingRequest(AiohttpRequest):
    """The ``getUpdates`` backend: it also keeps each fetched update as Telegram sent it.

    The inbox stores an update's JSON; serialising PTB's objects back
    (``Update.to_dict``) cost about a tenth of the bot's CPU per polled update. PTB
    decodes every answer in :meth:`parse_json_payload` (meant to be overridden); the
    updates of the latest ``getUpdates`` answer are kept, as JSON, until
    :meth:`take_json` asks for them.
    """

    __slots__ = ("_fetched",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fetched: dict[int, str] = {}

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """Decode an answer as PTB does; keep the updates it carries (by update id)."""
        data = BaseRequest.parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, list):
            self._fetched = {
                item["update_id"]: json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                for item in result
                if isinstance(item, dict) and isinstance(item.get("update_id"), int)
            }
        return data

    def take_json(self, update_id: int) -> str | None:
        """The JSON of a fetched update (once), or ``None`` if this answer did not carry it."""
        return self._fetched.pop(update_id, None)


def _timeout(given: float | object | None, default: float | None) -> float | None:
    """``given`` seconds, or ``default`` when PTB passed its ``DEFAULT_NONE`` sentinel."""
    if given is BaseRequest.DEFAULT_NONE:
        return default
    if given is None or isinstance(given, int | float):
        return given
    raise TypeError(f"a timeout must be a number of seconds or None, not {type(given).__name__}")
