"""Model calls a step asked for (issue 16): made after the step's commit, never inside it.

The reply step emits :class:`~flows.io.PolishDraft`; the engine commits the
step (its "working" note is already among the replies), then calls the model
through the :class:`~bot.llm.Polisher` and runs the pipeline again with the
outcome as a :class:`~flows.io.ModelAnswer` (its own transaction and version
check; the flow drops an answer whose turn has passed).

Where a channel registered a sender (:meth:`ModelCalls.deliver_with`), the
call runs in a background task and its replies go out through the sender, so
the platform's request (a Telegram webhook, a Slack event) is acked at once.
These tasks live in this process only: a worker that dies mid-call loses the
answer (the user presses the button again). Once the answer is stored it goes
out through the outbox like any reply (issue 13), so it is never lost after
that. Without a sender the call is made in line and its replies are appended
to the update's result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot.llm import Polisher, opaque_key
from flows.io import ConversationKey, ModelAnswer, Outgoing, PolishDraft

_LOGGER = logging.getLogger(__name__)

#: Sends replies to a user outside of an update (a channel's ``deliver``).
Send = Callable[[ConversationKey, list[Outgoing]], Awaitable[None]]

#: The ``ModelAnswer.kind`` when no model is configured (a stale button after a restart).
UNAVAILABLE = "unavailable"


class ModelCalls:
    """The polisher, the channels' senders and the background calls in flight."""

    def __init__(self, polisher: Polisher | None) -> None:
        """``polisher`` is ``None`` when no model is configured (the feature is off)."""
        self.polisher = polisher
        self._senders: dict[str, Send] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def available(self) -> bool:
        """Whether a model is configured."""
        return self.polisher is not None

    def deliver_with(self, platform: str, send: Send) -> None:
        """Make ``platform``'s model calls in the background, their replies sent by ``send``."""
        self._senders[platform] = send

    def sender(self, platform: str) -> Send | None:
        """The registered sender of ``platform`` (``None``: calls are made in line)."""
        return self._senders.get(platform)

    async def answer(self, key: ConversationKey, call: PolishDraft) -> ModelAnswer:
        """Call the model for ``call``; the outcome as the flow's input (never raises)."""
        if self.polisher is None:
            return ModelAnswer(
                purpose=call.request.purpose.value, kind=UNAVAILABLE, turn=call.turn, mode=call.mode
            )
        # The opaque key only counts calls per user here; it is never sent.
        outcome = await self.polisher.polish(
            call.request, user_key=opaque_key(key.platform, key.workspace, key.user_id)
        )
        return ModelAnswer(
            purpose=call.request.purpose.value,
            kind=outcome.kind.value,
            text=outcome.text,
            turn=call.turn,
            mode=call.mode,
        )

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, kept until it ends."""
        task = asyncio.get_running_loop().create_task(work, name="model-call")
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            _LOGGER.error("a background model call failed: %s", type(error).__name__)

    async def wait(self) -> None:
        """Wait for the background calls in flight (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self, *, grace_seconds: float = 5.0) -> None:
        """Let the calls in flight finish for ``grace_seconds``, cancel the rest, close."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_seconds)  # never cancels them
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.polisher is not None:
            await self.polisher.aclose()
