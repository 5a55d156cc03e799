"""A person talking to the bot through the Bot API stand-in (:mod:`.telegram`).

:class:`TelegramUser` types text and commands, sends a photo, edits a message, presses a
button by its label, asks an inline query. How an update reaches the bot (polling or the
webhook) is a callable given to it, which returns only once the bot has processed it.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.helpers.standins.telegram import BotApiStandIn

#: The coach marks the suggested payment variant with this prefix.
SUGGESTED_MARK = "★ "


def _shows(text: str, label: str) -> bool:
    """Whether a button's text shows ``label`` (possibly marked as the suggested one)."""
    return text == label or text.removeprefix(SUGGESTED_MARK) == label


#: Delivers one update to the bot and returns once the bot has processed it.
Deliver = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(slots=True)
class TelegramUser:
    """One person talking to the bot in a private chat (or in a group, see ``chat``)."""

    api: BotApiStandIn
    deliver: Deliver
    user_id: int
    first_name: str = "Ана"
    language_code: str | None = "bg"
    chat: dict[str, Any] | None = None
    _next_message_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _next_query_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.chat is None:
            self.chat = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        self.api.chats[self.chat["id"]] = self.chat

    @property
    def chat_id(self) -> int:
        """The chat this user writes in."""
        assert self.chat is not None
        return int(self.chat["id"])

    def user(self) -> dict[str, Any]:
        """The ``User`` object of this person."""
        out: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def message(self, **content: Any) -> dict[str, Any]:
        """A ``Message`` from this user with ``content`` (text, photo, …)."""
        return {
            "message_id": next(self._next_message_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user(),
            **content,
        }

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first, as they look now."""
        return self.api.chat_messages(self.chat_id)

    async def _send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = {m["message_id"] for m in self.bot_messages()}
        await self.deliver(update)
        return [m for m in self.bot_messages() if m["message_id"] not in before]

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Type ``text`` (a command when it starts with "/"); return the bot's new messages."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._send({"message": self.message(**content)})

    async def send_content(self, **content: Any) -> list[dict[str, Any]]:
        """Send a non-text message, e.g. ``photo=[…]`` or ``sticker={…}``."""
        return await self._send({"message": self.message(**content)})

    async def edit(self, message_id: int, text: str) -> list[dict[str, Any]]:
        """Edit an earlier message of this user."""
        message = self.message(text=text, edit_date=int(time.time()))
        message["message_id"] = message_id
        return await self._send({"edited_message": message})

    def keyboard_message(self) -> dict[str, Any]:
        """The bot's latest message in this chat that still has buttons (a snapshot)."""
        for message in reversed(self.bot_messages()):
            if message.get("reply_markup", {}).get("inline_keyboard"):
                return copy.deepcopy(message)
        raise AssertionError("the bot shows no buttons")

    def labels(self) -> list[str]:
        """Labels of the buttons of :meth:`keyboard_message`."""
        return [
            b["text"]
            for row in self.keyboard_message()["reply_markup"]["inline_keyboard"]
            for b in row
        ]

    async def press(
        self, label: str, *, message: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Press the button labelled ``label`` (latest keyboard unless ``message`` is given)."""
        message = message or self.keyboard_message()
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if _shows(button["text"], label):
                    return await self.press_data(button["callback_data"], message=message)
        raise AssertionError(f"no button {label!r}; buttons: {self.labels()}")

    def has_button(self, label: str) -> bool:
        """Whether the latest keyboard has a button showing ``label``."""
        return any(_shows(text, label) for text in self.labels())

    async def press_data(self, data: str, *, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Send a callback query with ``data`` from ``message`` (real, stale or forged)."""
        query = {
            "id": f"{self.user_id}-{next(self._next_query_id)}",
            "from": self.user(),
            "chat_instance": f"ci-{self.chat_id}",
            "data": data,
            "message": copy.deepcopy(message),
        }
        return await self._send({"callback_query": query})

    async def inline_query(self, query: str = "") -> None:
        """Type ``@bot query`` in some chat (inline mode)."""
        await self.deliver(
            {
                "inline_query": {
                    "id": f"iq-{self.user_id}-{next(self._next_query_id)}",
                    "from": self.user(),
                    "query": query,
                    "offset": "",
                    "chat_type": "private",
                }
            }
        )
