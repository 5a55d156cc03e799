"""Text facts about a letter, shared by the AI polish and the fact translation.

Pure: amounts of money and percentages as the drafts format them, dates,
placeholders and markdown a model may leave, and the script a text is written
in (script detection is enough to tell Bulgarian from English).
"""

from __future__ import annotations

import re

#: In a Bulgarian text, at least this share of the letters (names aside) is Cyrillic.
MIN_CYRILLIC_SHARE = 0.85
#: The same for a short translated fact, which may hold a brand ("WordPress").
MIN_CYRILLIC_SHARE_FACT = 0.6
#: English names of the reply languages, for prompts.
LANGUAGE_NAMES = {"bg": "Bulgarian", "en": "English"}

#: Space-like characters people and Babel put between digits and before signs.
SPACE_LIKE = re.compile("[\u00a0\u202f\u2009\u2007\u2002\u2003\u2060\t]")
NUMBER = r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
CURRENCY = r"(?:€|\$|£|лв\.?|BGN|EUR|USD|GBP|щ\.\s?д\.)"
#: An amount with its currency (sign before or after) or a percentage.
AMOUNT = re.compile(rf"{CURRENCY} ?(?:{NUMBER})(?!\d)|(?<![\d.,])(?:{NUMBER}) ?(?:{CURRENCY}|%)")
#: A date written with digits: 15.12., 15/12/2026.
DATE = re.compile(r"(?<![\d.])\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?(?![\d])")
DIGITS = re.compile(r"\d+")
#: A blank a model may leave: {…}, [name], <…>, XXX, Lorem ipsum.
PLACEHOLDER = re.compile(
    r"\{[^{}\n]{0,60}\}|\[[^\[\]\n]{0,60}\]|<[^<>\n]{0,60}>|\bX{3,}\b|lorem|ipsum",
    re.IGNORECASE,
)
#: Markdown or the prompt's own delimiters echoed back.
MARKDOWN = re.compile(r"```|~~~|\*\*|__|^#{1,6}\s|^(?:<<<|>>>)\s*$", re.MULTILINE)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: A model's chatter before the letter ("Here is…", "Ето…").
PREFACE = re.compile(
    r"^(?:here is|here's|sure|certainly|of course|below is|polished|"
    r"ето|разбира се|с удоволствие|ето го)\b",
    re.IGNORECASE,
)
#: Quotes a model may put around the whole letter.
QUOTE_PAIRS = (('"', '"'), ("„", "“"), ("“", "”"), ("«", "»"))


def normalise_spaces(text: str) -> str:
    """Space-like characters as plain spaces, runs of spaces as one, CRLF as LF."""
    text = SPACE_LIKE.sub(" ", text.replace("\r\n", "\n"))
    return re.sub(r" {2,}", " ", text)


def canonical_amount(amount: str) -> str:
    """An amount without spaces or a final full stop, for comparing."""
    return re.sub(r"\s", "", normalise_spaces(amount)).rstrip(".")


def find_amounts(text: str) -> tuple[str, ...]:
    """Every amount of money (with its currency) and percentage in ``text``, in order."""
    return tuple(m.group(0) for m in AMOUNT.finditer(normalise_spaces(text)))


def amount_set(text: str) -> set[str]:
    """The canonical amounts of ``text``."""
    return {canonical_amount(a) for a in find_amounts(text)}


def _letters(text: str, *, without: tuple[str, ...]) -> list[str]:
    for name in sorted(without, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\b(?:EUR|BGN|USD|GBP)\b", " ", text)
    return [c for c in text if c.isalpha()]


def in_language(
    text: str, language: str, *, names: tuple[str, ...] = (), fact: bool = False
) -> bool:
    """Whether ``text`` is written in the script of ``language`` (names aside).

    English: no Cyrillic letter outside the given names. Bulgarian: mostly
    Cyrillic letters (a short ``fact`` may hold more Latin, e.g. a brand).
    A text without letters is in every language. Script detection is enough
    to tell Bulgarian from English.
    """
    letters = _letters(normalise_spaces(text), without=tuple(normalise_spaces(n) for n in names))
    if not letters:
        return True
    cyrillic = sum(1 for c in letters if CYRILLIC.match(c))
    if language == "bg":
        share = MIN_CYRILLIC_SHARE_FACT if fact else MIN_CYRILLIC_SHARE
        return cyrillic / len(letters) >= share
    return cyrillic == 0


def one_line(value: str) -> str:
    """The text on one line, runs of whitespace as one space."""
    return " ".join(value.split())


def dates_in(text: str) -> set[str]:
    """Dates written with digits ("15.12.", "15/12/2026"), amounts aside."""
    return set(DATE.findall(AMOUNT.sub(" ", text)))
