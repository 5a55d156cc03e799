"""Small text helpers shared by the coach's messages (one copy each)."""

from __future__ import annotations


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def dash(value: str) -> str:
    """A step or enum value as it appears in a message key: ``client_name`` → ``client-name``."""
    return value.replace("_", "-")


#: What :func:`script_of` answers.
CYRILLIC_SCRIPT = "cyrillic"
LATIN_SCRIPT = "latin"
MIXED_SCRIPT = "mixed"
NO_SCRIPT = "none"


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


def script_of(text: str) -> str:
    """The script of ``text``'s letters: ``cyrillic``, ``latin``, ``mixed`` or ``none``.

    Digits, punctuation and emoji do not count; script detection is enough to
    tell Bulgarian from English.
    """
    cyrillic, latin = _script_counts(text)
    if cyrillic and latin:
        return MIXED_SCRIPT
    if cyrillic:
        return CYRILLIC_SCRIPT
    return LATIN_SCRIPT if latin else NO_SCRIPT


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
