"""Small text helpers shared by the coach's messages (one copy each)."""

from __future__ import annotations

from typing import Literal


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def dash(value: str) -> str:
    """A step or enum value as it appears in a message key: ``client_name`` → ``client-name``."""
    return value.replace("_", "-")


def script_of(text: str) -> Literal["cyrillic", "latin", "mixed", "none"]:
    """The script ``text`` is written in: enough to tell Bulgarian from English.

    ``mixed`` when neither script has at least 80 % of the letters (a Latin brand
    inside a Bulgarian phrase stays ``cyrillic`` when it is short); ``none``
    when there is no letter at all ("500", "🙂").
    """
    cyrillic = latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f":
            latin += 1
    total = cyrillic + latin
    if total == 0:
        return "none"
    if cyrillic >= 0.8 * total:
        return "cyrillic"
    if latin >= 0.8 * total:
        return "latin"
    return "mixed"
