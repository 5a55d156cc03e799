"""What a channel is handed to deliver from the outbox, and how it says that a send failed.

A channel renders :attr:`Delivery.outgoing` (the neutral ``Reply``/``Draft``
of one step) into its platform's messages, skips the first
:attr:`Delivery.parts_sent` of them (accepted by an earlier attempt), and
sends the rest in order with :func:`send_parts`. A failure is raised as
:class:`DeliveryFailed`: *permanent* (the user blocked the bot, the chat does
not exist — sending again cannot help) or *retryable* (5xx, a timeout, a
network error, a 429 with its ``retry_after``). Only the kind is recorded,
never the text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from flows.io import ConversationKey, Outgoing

#: ``Delivery.origin``: the messages of an update's step, a due reminder, an AI answer.
REPLY = "reply"
REMINDER = "reminder"
MODEL = "model"

Part = TypeVar("Part")


class DeliveryFailed(Exception):
    """A send the platform did not accept.

    Args:
        kind: a short error kind for the record and the metrics (``blocked``,
            ``chat_not_found``, ``server_error``, ``timeout``, ``rate_limited`` …);
            never text of the message or the platform's description.
        permanent: sending again cannot succeed (the row is given up, recorded).
        retry_after: seconds the platform asked to wait (a 429), if it said.
    """

    def __init__(self, kind: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.permanent = permanent
        self.retry_after = retry_after


async def _no_checkpoint(parts_sent: int) -> None:
    """No progress to record (a delivery outside the outbox)."""


async def _no_pacing(target: str) -> None:
    """No send budget to wait for."""


@dataclass(slots=True)
class Delivery:
    """One outbox row handed to a channel: whose, what, where, and how far it got.

    ``target`` is a platform destination other than the user's direct chat (a
    Slack channel id), ``None`` for the direct chat.
    """

    key: ConversationKey
    outgoing: list[Outgoing]
    origin: str = REPLY
    target: str | None = None
    parts_sent: int = 0
    #: Records ``parts_sent`` durably (before the next part is sent).
    checkpoint: Callable[[int], Awaitable[None]] = field(default=_no_checkpoint, repr=False)
    #: Waits until the shared send budgets allow one more send to the destination.
    pace: Callable[[str], Awaitable[None]] = field(default=_no_pacing, repr=False)


#: A channel's way to deliver an outbox row (``Channel.deliver_queued``).
DeliverQueued = Callable[[Delivery], Awaitable[None]]


async def send_parts(
    delivery: Delivery,
    parts: Sequence[Part],
    send: Callable[[Part], Awaitable[object]],
    *,
    target: str = "",
) -> None:
    """Send the parts not yet accepted, in order, counting each one the platform accepted.

    Before each part after the first, the count so far is recorded, so a worker
    that dies between two parts resends at most the one part it was sending. Each
    part first waits for the send budgets of ``target`` (the chat or channel id).
    """
    for index, part in enumerate(parts[delivery.parts_sent :]):
        if index:
            await delivery.checkpoint(delivery.parts_sent)
        await delivery.pace(target)
        await send(part)
        delivery.parts_sent += 1
