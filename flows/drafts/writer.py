"""The sentence writer the composers share: one language and tone, facts made safe to quote."""

from __future__ import annotations

import re
from decimal import Decimal

from flows.case import Tone
from flows.i18n import t
from flows.money import format_money
from flows.text import fits_language

_WHITESPACE = re.compile(r"\s+")
_TRAILING = ".,;:!?…-–— \u00a0"


class Writer:
    """Looks up sentences in one language and tone and joins them into paragraphs."""

    def __init__(self, language: str, tone: Tone) -> None:
        """Start an empty letter in ``language`` and ``tone``."""
        self.language = language
        self.tone = tone
        self.paragraphs: list[str] = []

    def say(self, key: str, **args: str) -> str:
        """The message ``key`` in the writer's tone."""
        return t(self.language, key, tone=self.tone.value, **args)

    def plain(self, key: str, **args: str) -> str:
        """The message ``key``, which has no tone variants."""
        return t(self.language, key, **args)

    def money(self, amount: Decimal, currency: str) -> str:
        """An amount formatted for the writer's language."""
        return format_money(amount, currency, language=self.language)

    def paragraph(self, *sentences: str | None) -> None:
        """Add a paragraph of the sentences given (``None`` and blanks are left out)."""
        present = [s.strip() for s in sentences if s and s.strip()]
        if present:
            self.paragraphs.append(" ".join(present))

    def sign_off(self, signature: str | None) -> None:
        """End the letter with a valediction and the user's sign-off on its own line."""
        name = clean(signature)
        if name:
            self.paragraphs.append(f"{self.say('draft-valediction')}\n{name}")

    def text(self) -> str:
        """The letter: paragraphs separated by one blank line, spaces tidied."""
        return tidy("\n\n".join(self.paragraphs))


def clean(value: str | None) -> str | None:
    """A user fact on one line without trailing punctuation, or ``None`` when empty."""
    if value is None:
        return None
    cleaned = _WHITESPACE.sub(" ", value).strip().rstrip(_TRAILING).strip()
    return cleaned or None


def fact(value: str | None, language: str, *, name: bool = False) -> str | None:
    """A fact that may sit in a letter in ``language``: cleaned, and in its script.

    A fact typed in the other language is left out rather than pasted (the
    flow asks for it again); a ``name`` may be in Latin letters in Bulgarian.
    """
    cleaned = clean(value)
    if cleaned is None or not fits_language(cleaned, language, name=name):
        return None
    return cleaned


def tidy(text: str) -> str:
    """Single spaces inside lines, at most one blank line, no stray spaces at the ends."""
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
