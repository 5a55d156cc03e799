"""Reading short typed answers: yes/no in both languages, blank and letterless text.

Pure helpers shared by the generic text dispatch (:mod:`flows.coach`), so every
yes/no question — a step's or a command's confirmation — reads "да", "Yes!",
"y" or "не." the same way.
"""

from __future__ import annotations

import unicodedata

_YES = frozenset({"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "да", "д", "добре", "ок"})
_NO = frozenset({"no", "n", "nope", "nah", "не", "н"})


def _bare(text: str) -> str:
    """``text`` without surrounding punctuation, symbols and spaces, case-folded."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end].casefold()


def yes_no(text: str) -> bool | None:
    """``True`` for a typed yes ("да", "Yes!", "y", "ok"), ``False`` for a no, else ``None``."""
    word = _bare(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def is_blank(text: str) -> bool:
    """Whether ``text`` holds nothing but whitespace (including invisible format characters)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs") for ch in text)


def has_letters(text: str) -> bool:
    """Whether ``text`` holds at least one letter of any script ("🙂" and "123" have none)."""
    return any(ch.isalpha() for ch in text)
