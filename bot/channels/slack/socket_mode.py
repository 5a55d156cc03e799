"""Socket Mode through the inbox (issue 13): an envelope is stored before its ack.

Bolt's :class:`AsyncSocketModeHandler` dispatches each envelope to the app and then
acks it; here its documented extension point, :meth:`handle`, hands the envelope's
payload to the channel first (the channel stores it in the inbox, dispatches it to
bolt and clears the row when nothing will work on it), and only then sends bolt's
answer as the ack, as bolt does. An envelope already stored (a redelivery of one
being worked on) is acked without being dispatched again; one stored behind an older
envelope of the same user is acked with no payload (the channel answers it an empty
200) and dispatched once that one was worked on.

``build_headers`` and ``send_async_response`` are bolt's own Socket Mode pieces, from
its ``internals`` modules: used so the retry headers and the ack (with its payload)
stay exactly bolt's; pinned by ``slack-bolt>=1.30,<2``, which has both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

#: The inbox's content type of a Socket Mode payload (an HTTP request keeps its own).
CONTENT_TYPE = "application/x-socket-mode+json"

Headers = dict[str, str | Sequence[str]]
#: Builds the bolt request of a received payload, given extra headers (the inbox row's).
RequestBuilder = Callable[[Headers], AsyncBoltRequest]
#: The channel's accept → dispatch → clear: (stored body, content type, builder) → bolt's
#: answer, or ``None`` when the request is stored already (a duplicate: just ack it).
Receive = Callable[[str, str, RequestBuilder], Awaitable[BoltResponse | None]]


def canonical(payload: Mapping[str, Any]) -> str:
    """The payload as stored in the inbox: canonical JSON (a redelivery stores the same)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def bolt_request(payload: dict[str, Any], *, headers: Headers | None = None) -> AsyncBoltRequest:
    """A Socket Mode request for bolt (no signature: bolt skips the check in this mode)."""
    return AsyncBoltRequest(mode="socket_mode", body=payload, headers=headers)


class InboxSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler whose envelopes go through the channel's inbox first."""

    def __init__(self, app: AsyncApp, app_token: str, *, receive: Receive) -> None:
        """Connect ``app`` with ``app_token``; every envelope goes to ``receive``."""
        super().__init__(app, app_token)
        self._receive = receive

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        """Store, dispatch, then ack the envelope (a stored one again: only acked)."""
        start = time.time()

        def build(extra: Headers) -> AsyncBoltRequest:
            headers: Headers = {**(build_headers(req) or {}), **extra}
            return bolt_request(req.payload, headers=headers)

        response = await self._receive(canonical(req.payload), CONTENT_TYPE, build)
        if response is None:
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await send_async_response(client, req, response, start)
