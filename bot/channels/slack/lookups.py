"""Per-user look-ups on Slack, cached briefly: the user's locale and their DM channel."""

from __future__ import annotations

import logging
import time

from cachetools import TTLCache
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.webapi import WEB_API_ERRORS, reason
from flows.io import ConversationKey

_LOGGER = logging.getLogger(__name__)

#: How long a user's Slack locale and DM channel are remembered.
USER_CACHE_SECONDS = 300.0
#: At most this many users are remembered (nothing per user grows without bound).
USER_CACHE_SIZE = 2048


class SlackLookups:
    """``users.info`` (locale) and ``conversations.open`` (DM channel), each cached per user."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = USER_CACHE_SECONDS,
        size: int = USER_CACHE_SIZE,
    ) -> None:
        """Look up through ``client``; remember answers ``ttl`` seconds, for ``size`` users."""
        self._client = client
        # "" means "Slack told no locale": remembered too, so it is not asked again.
        self._locales: TTLCache[tuple[str, str], str] = TTLCache(
            maxsize=size, ttl=ttl, timer=time.monotonic
        )
        self._dm_channels: TTLCache[tuple[str, str], str] = TTLCache(
            maxsize=size, ttl=ttl, timer=time.monotonic
        )

    async def locale(self, key: ConversationKey) -> str | None:
        """The user's Slack locale (``users.info`` with ``include_locale``); None if unknown."""
        cache_key = (key.workspace, key.user_id)
        cached = self._locales.get(cache_key)
        if cached is not None:
            return cached or None
        try:
            response = await self._client.users_info(user=key.user_id, include_locale=True)
        except WEB_API_ERRORS as error:
            _LOGGER.warning("slack users.info failed: %s", reason(error))
            return None
        locale = str((response.get("user") or {}).get("locale") or "")
        self._locales[cache_key] = locale
        return locale or None

    def remember_dm_channel(self, key: ConversationKey, channel: str) -> None:
        """Note the DM channel a message of the user came from (saves a look-up)."""
        self._dm_channels[(key.workspace, key.user_id)] = channel

    async def dm_channel(self, key: ConversationKey) -> str | None:
        """The user's direct-message channel with the app (``conversations.open``)."""
        cache_key = (key.workspace, key.user_id)
        cached = self._dm_channels.get(cache_key)
        if cached is not None:
            return cached
        try:
            response = await self._client.conversations_open(users=key.user_id)
        except WEB_API_ERRORS as error:
            _LOGGER.warning("slack conversations.open failed: %s", reason(error))
            return None
        channel = str((response.get("channel") or {}).get("id") or "")
        if not channel:
            return None
        self._dm_channels[cache_key] = channel
        return channel
