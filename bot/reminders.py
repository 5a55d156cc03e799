"""Deliver due reminders in the running process.

Reminders are rows with a due time, so a reminder scheduled before a restart
(or by a worker that is gone) is delivered by whichever process polls next;
claiming is exactly-once across workers (see :meth:`Engine.claim_due_reminders`),
and a reminder is marked sent only after the platform accepted it: a failed send
is retried when the claim's lease runs out.

:meth:`ReminderScheduler.run` is the polling loop itself, so whoever runs it
(``serve``'s supervisor, :func:`bot.signals.run_until_stopped`) sees it end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.engine import Engine
from flows.io import ConversationKey, Outgoing

_LOGGER = logging.getLogger(__name__)

#: How an adapter sends replies to a user outside of an update.
SendReplies = Callable[[ConversationKey, list[Outgoing]], Awaitable[None]]


class ReminderScheduler:
    """Polls the engine for due reminders of one platform and sends them.

    Args:
        engine: the pipeline (claims and renders the reminders).
        platform: which platform's reminders this process delivers.
        send: the adapter's way to send replies to a conversation key.
        interval: seconds between polls.
        batch: reminders claimed per poll.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        platform: str,
        send: SendReplies,
        interval: float = 1.0,
        batch: int = 50,
    ) -> None:
        self._engine = engine
        self._platform = platform
        self._send = send
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the polling task is alive."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Run :meth:`run` in a background task until :meth:`stop` (idempotent)."""
        if self.running:
            return
        self._task = asyncio.create_task(self.run(), name=f"reminders-{self._platform}")

    async def stop(self) -> None:
        """Stop polling and wait for the task to end."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run_once(self) -> int:
        """Claim and send one batch; returns how many reminders were sent."""
        deliveries = await self._engine.claim_due_reminders(
            platform=self._platform, limit=self._batch
        )
        sent = 0
        for delivery in deliveries:
            if delivery.queued:  # in the outbox with its step: delivered (and retried) there
                sent += min(1, await self._engine.deliver_pending(delivery.key))
                continue
            try:
                await self._send(delivery.key, delivery.outgoing)
            except Exception as error:
                _LOGGER.warning(
                    "sending a %s reminder failed: %s", self._platform, type(error).__name__
                )
            else:
                sent += 1
                if delivery.reminder_id is not None:
                    await self._engine.reminder_delivered(delivery.reminder_id)
        return sent

    async def run(self) -> None:
        """Poll every ``interval`` seconds until cancelled; a failed poll is logged and retried."""
        while True:
            try:
                sent = await self.run_once()
            except Exception as error:  # keep polling whatever happened
                _LOGGER.warning(
                    "reminder poll for %s failed: %s", self._platform, type(error).__name__
                )
                sent = 0
            if sent:
                _LOGGER.info("sent %d %s reminders", sent, self._platform)
            await asyncio.sleep(self._interval)
