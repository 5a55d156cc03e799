"""Scripted user actions that walk a Telegram conversation through the real flow.

Buttons are pressed by their label as the user sees it (looked up in the
catalog of the user's language), found in the bot's own latest keyboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flows.case import Answers
from flows.i18n import t
from flows.steps.facts import names_a_company
from flows.steps.reply import asks_sign_off
from tests.helpers.standins.telegram_user import TelegramUser

#: ("say", text) types text; ("press", catalog key) presses that button.
Action = tuple[str, str]


def facts(*, client: str, delivery: str = "logo") -> list[Action]:
    """From /start to the draft asking the agency for a call (step 3)."""
    return [
        ("say", "/start"),
        ("press", "coach-btn-calm"),
        ("say", client),
        # The optional contact-person question comes only for a company (the step's own guard).
        *([("press", "coach-btn-skip")] if names_a_company(Answers(client_name=client)) else []),
        ("say", delivery),
        ("press", "coach-btn-skip"),
        ("press", "coach-btn-agency"),
        ("press", "coach-btn-skip"),  # the contact at the agency
        ("press", "coach-btn-writing"),
        ("say", "1200"),
        ("say", "400"),
    ]


def to_reply(
    *,
    client: str,
    delivery: str | None = None,
    language: str = "en",
    signature: str | None = None,
) -> list[Action]:
    """From /start to the suggested reply: part ways, variant 2, 40 % agreed.

    ``signature`` is the user's stored sign-off: without one (a new user) the
    first reply asks it, and the script skips it, so the reply's buttons follow.
    """
    return [
        # The delivery in the reply's language, so the reply asks nothing again.
        *facts(client=client, delivery=delivery or ("лого" if language == "bg" else "logo")),
        ("press", "coach-btn-call-arranged"),
        ("press", "coach-btn-problem-brief"),
        ("press", "coach-btn-skip"),
        ("press", "coach-btn-part-ways"),
        ("press", "coach-btn-pay-kill-fee"),
        ("press", "coach-btn-share-40"),
        ("press", "coach-btn-yes"),
        *([("press", "coach-btn-skip")] if asks_sign_off(signature) else []),
    ]


async def play(
    user: TelegramUser, actions: Sequence[Action], *, language: str
) -> list[dict[str, Any]]:
    """Perform ``actions``; return every message the bot sent meanwhile."""
    received: list[dict[str, Any]] = []
    for kind, value in actions:
        if kind == "say":
            received += await user.say(value)
        else:
            received += await user.press(t(language, value))
    return received


def entity_text(message: dict[str, Any], kind: str) -> list[str]:
    """The parts of a message's text covered by entities of ``kind`` (e.g. "pre")."""
    encoded = message["text"].encode("utf-16-le")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.get("entities", [])
        if e["type"] == kind
    ]
