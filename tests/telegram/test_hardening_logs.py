"""Red-team row 5.2 / P2: ``LOG_LEVEL=DEBUG`` must not write personal data (issue 14, item 1).

A whole conversation runs through real PTB against the Bot API stand-in with the
process logging configured exactly as ``rejection-coach`` does it, at DEBUG; the
captured log must contain none of the typed texts, the client's name, the user's
first/last/@username or the Telegram ids.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.logging_setup import configure_logging
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver, TelegramUser
from tests.telegram.script import play, to_reply

CLIENT = "Zqxclient Studio"
DELIVERY = "zqxdelivery banner"


@dataclass(slots=True)
class NamedUser(TelegramUser):
    """A user whose ``User`` object carries a last name and an @username too."""

    last_name: str = "Zqxlastname"
    username: str = "zqx_handle"

    def user(self) -> dict[str, Any]:
        """The ``User`` object with every name field."""
        return {**TelegramUser.user(self), "last_name": self.last_name, "username": self.username}


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Configure logging as the CLI does at ``LOG_LEVEL=DEBUG``; yield what it writes."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    loggers = logging.Logger.manager.loggerDict
    saved_levels = {
        name: logger.level for name, logger in loggers.items() if isinstance(logger, logging.Logger)
    }
    configure_logging(level="DEBUG", secrets=["123456:secret"])
    stream = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        for name, logger in logging.Logger.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(saved_levels.get(name, logging.NOTSET))


async def test_debug_log_of_a_whole_telegram_conversation_has_no_personal_data(
    api: BotApiStandIn, webhook_deliver: Deliver, debug_log: io.StringIO
) -> None:
    user = NamedUser(
        api=api,
        deliver=webhook_deliver,
        user_id=7_310_554_219,
        first_name="Zqxfirstname",
        language_code="en",
    )
    assert user.chat is not None
    user.chat.update(last_name=user.last_name, username=user.username)

    received = await play(user, to_reply(client=CLIENT, delivery=DELIVERY), language="en")
    assert received, "the conversation produced no messages"

    log = debug_log.getvalue()
    assert "DEBUG" in log, "the log was not written at DEBUG"
    for marker in (
        "Zqxclient",
        "zqxdelivery",
        "Zqxfirstname",
        "Zqxlastname",
        "zqx_handle",
        str(user.user_id),
    ):
        assert marker not in log, f"{marker!r} leaked into the DEBUG log"
