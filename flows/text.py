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


def _script_counts(text: str) -> tuple[int, int]:
    cyrillic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif char.isascii() or "\u00c0" <= char <= "\u024f":
            latin += 1
    return cyrillic, latin


def script_of(text: str) -> Literal["cyrillic", "latin", "mixed", "none"]:
    """The script ``text`` is written in: enough to tell Bulgarian from English.

    ``mixed`` when neither script has at least 80 % of the letters (a Latin brand
    inside a Bulgarian phrase stays ``cyrillic`` when it is short); ``none``
    when there is no letter at all ("500", "🙂").
    """
    cyrillic, latin = _script_counts(text)
    total = cyrillic + latin
    if total == 0:
        return "none"
    if cyrillic >= 0.8 * total:
        return "cyrillic"
    if latin >= 0.8 * total:
        return "latin"
    return "mixed"


#: In a Bulgarian fact, at least this share of the letters is Cyrillic (a brand may be Latin).
MIN_CYRILLIC_SHARE = 0.5


def fits_language(text: str, language: str, *, name: bool = False) -> bool:
    """Whether ``text`` can sit in a letter written in ``language`` as it is.

    English takes no Cyrillic at all. Bulgarian takes mostly-Cyrillic text
    ("лого за WordPress сайт"), and Latin letters only in a ``name`` (a
    person's or a brand's): a Latin free-text fact in a Bulgarian letter is
    English, and is left out.
    """
    cyrillic, latin = _script_counts(text)
    if not cyrillic and not latin:
        return True
    if language != "bg":
        return cyrillic == 0
    if name:
        return True
    return cyrillic / (cyrillic + latin) >= MIN_CYRILLIC_SHARE
