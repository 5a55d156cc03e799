"""The App Home: published in the background after every step; the latest state wins."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks
from bot.channels.slack.webapi import call
from bot.engine import Engine
from flows.case import Case
from flows.i18n import t
from flows.io import ConversationKey

_LOGGER = logging.getLogger(__name__)


class _Unknown:
    """The active case was not given: read it when the App Home is built."""

    __slots__ = ()


#: "Not known, read it": the default case of an App Home refresh.
UNKNOWN = _Unknown()

#: The case an App Home shows: the active one, none, or "read it when publishing".
HomeCase = Case | _Unknown | None


class HomePublisher:
    """Publishes each user's App Home; refreshes asked for while one is published coalesce.

    One task per user publishes; refreshes asked for while it is busy replace
    each other, so a burst of steps ends with one more publish of the newest
    state instead of one per step. Each task is added to ``inflight`` (the
    channel waits for them on stop).
    """

    def __init__(
        self, *, client: AsyncWebClient, engine: Engine, inflight: set[asyncio.Task[Any]]
    ) -> None:
        """Publish through ``client``; read an unknown case through ``engine``."""
        self._client = client
        self._engine = engine
        self._inflight = inflight
        self._pending: dict[ConversationKey, tuple[str, HomeCase]] = {}
        self._tasks: dict[ConversationKey, asyncio.Task[None]] = {}

    def refresh(self, key: ConversationKey, language: str, case: HomeCase = UNKNOWN) -> None:
        """Publish ``key``'s App Home in the background (:data:`UNKNOWN`: read the case)."""
        self._pending[key] = (language, case)
        if key in self._tasks:
            return
        task = asyncio.create_task(self._publish_pending(key))
        self._tasks[key] = task
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _publish_pending(self, key: ConversationKey) -> None:
        try:
            while (pending := self._pending.pop(key, None)) is not None:
                language, case = pending
                try:
                    await self.publish(key, language, case)
                except Exception as error:  # a background task: log, never lose the loop
                    _LOGGER.error("slack App Home refresh failed: %s", type(error).__name__)
        finally:
            # No await between the empty pop and here: a refresh asked for meanwhile
            # either was popped above or finds no task and starts a new one.
            del self._tasks[key]

    async def publish(self, key: ConversationKey, language: str, case: HomeCase = UNKNOWN) -> None:
        """Build and publish ``key``'s App Home now (``views.publish``)."""
        if isinstance(case, _Unknown):
            case = await self._engine.active_case(key)
        step_name = next_action = client = None
        if case is not None:
            step_name, next_action = step_texts(language, str(case.step))
            client = case.answers.client_name
        stats = await self._engine.stats(key, language=language)
        view = blocks.home_view(
            language=language,
            step_name=step_name,
            client=client,
            next_action=next_action,
            stats=stats.text if stats is not None else None,
        )
        await call("views.publish", self._client.views_publish(user_id=key.user_id, view=view))


@functools.lru_cache(maxsize=256)
def step_texts(language: str, step: str) -> tuple[str, str]:
    """The App Home's name of ``step`` and its next action (formatted once per language).

    Every step has both (``slack-step-<step>``, ``slack-next-<step>``); a missing
    key raises, like every other message.
    """
    return t(language, f"slack-step-{step}"), t(language, f"slack-next-{step}")
