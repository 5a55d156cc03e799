"""Telegram webhook updates as Telegram would POST them, for multi-worker tests.

:class:`TelegramUser` builds ``message`` and ``callback_query`` updates of one
private chat (update ids unique across users) and finds the buttons of the
bot's latest keyboard in the :class:`~tests.helpers.standins.telegram.ThreadedBotApi`.
:func:`post_update` POSTs an update to a worker's ``/telegram/webhook``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_UPDATE_IDS = itertools.count(int(time.time()) % 1_000_000 * 1000)
_MESSAGE_IDS = itertools.count(1)


def next_update_id() -> int:
    """A fresh Telegram ``update_id`` (unique within the test process)."""
    return next(_UPDATE_IDS)


@dataclass
class TelegramUser:
    """One person in a private chat with the bot (chat id == user id)."""

    user_id: int
    language: str = "en"
    first_name: str = "Test"
    sent: list[dict[str, Any]] = field(default_factory=list)

    def _from(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def message(self, text: str) -> dict[str, Any]:
        """A text message (a command when it starts with ``/``)."""
        message: dict[str, Any] = {
            "message_id": next(_MESSAGE_IDS),
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._from(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        update = {"update_id": next_update_id(), "message": message}
        self.sent.append(update)
        return update

    def press(self, data: str, *, message_id: int, text: str = "") -> dict[str, Any]:
        """A press of an inline button with callback ``data`` on the bot's message."""
        update = {
            "update_id": next_update_id(),
            "callback_query": {
                "id": str(next_update_id()),
                "from": self._from(),
                "chat_instance": f"ci{self.user_id}",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": self._chat(),
                    "from": {"id": 4242, "is_bot": True, "first_name": "Rejection Coach"},
                    "text": text or "question",
                },
            },
        }
        self.sent.append(update)
        return update

    def press_latest(self, api: BotApiStandIn, index: int) -> dict[str, Any]:
        """Press button ``index`` of the newest bot message to this chat that has buttons."""
        for call in reversed(api.calls("sendMessage", chat_id=self.user_id)):
            buttons = call.buttons()
            if buttons:
                _label, data = buttons[min(index, len(buttons) - 1)]
                return self.press(data, message_id=call.message_id or 1, text=call.text)
        raise AssertionError(f"chat {self.user_id} has no message with buttons")

    def press_label(self, api: BotApiStandIn, label: str) -> dict[str, Any]:
        """Press the button labelled ``label`` in the newest bot message that has it."""
        for call in reversed(api.calls("sendMessage", chat_id=self.user_id)):
            for text, data in call.buttons():
                if text == label:
                    return self.press(data, message_id=call.message_id or 1, text=call.text)
        raise AssertionError(f"chat {self.user_id} has no button {label!r}")


async def post_update(
    session: aiohttp.ClientSession,
    base_url: str,
    update: dict[str, Any],
    *,
    secret: str | None,
    timeout: float = 30.0,
    settle: bool = True,
) -> int:
    """POST ``update`` to ``base_url``/telegram/webhook; return the HTTP status.

    The webhook answers once the update is stored (issue 13); with ``settle`` this
    also waits until it was worked on and its replies sent — the inbox and the outbox
    are empty again (the worker's ``/metrics``) — so the replies are there when the
    next step is built from them.
    """
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with session.post(
        f"{base_url}/telegram/webhook",
        json=update,
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as response:
        await response.read()
        status = response.status
    if settle and status == 200:
        await inbox_settled(session, base_url, timeout=timeout)
    return status


async def inbox_settled(
    session: aiohttp.ClientSession, base_url: str, *, timeout: float = 30.0
) -> None:
    """Wait until the worker's ``/metrics`` shows nothing waiting in the inbox or outbox.

    (The step deletes its inbox row itself, before its replies are sent.)
    """
    deadline = time.monotonic() + timeout
    while True:
        async with session.get(f"{base_url}/metrics") as response:
            text = await response.text()
        waiting = [
            _gauge(text, "rejection_coach_inbox_pending"),
            _gauge(text, "rejection_coach_outbox_pending"),
        ]
        if waiting == [0, 0]:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the inbox and outbox did not empty: {waiting}")
        await asyncio.sleep(0.02)


def _gauge(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None
