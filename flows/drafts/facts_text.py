"""The user's free-text facts turned into parts of natural sentences."""

from __future__ import annotations

import re

from flows.drafts.writer import fact

#: English words a noun phrase may already start with ("the logo", "my texts").
_DETERMINERS = frozenset(["the", "my", "our", "your", "this", "these", "those", "their", "its"])
_ARTICLES = frozenset(("a", "an"))
_QUOTES = '„“”"«»'
#: A note about the client in the third person ("They want…", "искат…"): not a letter's sentence.
_THIRD_PERSON = re.compile(
    r"^(?:they|he|she|the client|client|their|his|her|"
    r"те|той|тя|клиентът|клиентката|клиентите|искат|иска|искаха|очакват|очаква|"
    r"очаквали|искали|харесват|не харесват)\b",
    re.IGNORECASE,
)


#: Details said to the end client ("you'd like…", "бихте искали…", "очаквахте…"): in a
#: letter to an intermediary they would read as said to the agency or the colleague.
_SECOND_PERSON = re.compile(
    r"\b(?:you|your|yours|you'd|you're|you've|you'll|"
    r"вие|ви|вас|ваш\w*|бихте|искате|желаете|предпочитате|очаквате|харесвате|\w+хте|"
    r"ти|теб|твой|твоя|твоят|твоите|искаш|очакваш|харесваш|предпочиташ)\b",
    re.IGNORECASE,
)


def speaks_to_the_client(value: str | None) -> bool:
    """Whether the details address the end client in the second person."""
    return value is not None and _SECOND_PERSON.search(value) is not None


#: Bulgarian endings of a noun with its definite article ("логото", "брошурата",
#: "текстовете", "сайтът"): such a phrase already fits "мнението Ви за …".
_BG_DEFINITE = ("та", "то", "те", "ът", "ят")


def is_definite_bg(phrase: str) -> bool:
    """Whether a Bulgarian phrase opens with a noun in its definite form."""
    first = phrase.strip(_QUOTES).split(" ", 1)[0].casefold()
    return len(first) > 3 and first.endswith(_BG_DEFINITE)


def delivery_phrase(value: str | None, language: str) -> str | None:
    """What was delivered, ready to follow "feedback on" / "мнението си за".

    English: a noun phrase with "the" ("a logo and cards" → "the logo and
    cards"). Bulgarian: as typed when it has its article ("логото и визитките",
    as the question asks), else quoted („лого и визитки“) after "работата".
    """
    text = fact(value, language)
    if text is None:
        return None
    if language == "bg":
        if is_definite_bg(text):
            return text.strip(_QUOTES)
        return "„" + text.strip(_QUOTES) + "“"
    words = text.split(" ", 1)
    first = words[0].casefold()
    if first in _ARTICLES and len(words) == 2:
        return f"the {words[1]}"
    if first in _DETERMINERS:
        return text
    return f"the {text}"


def details_sentence(value: str | None, language: str, *, direct: bool) -> str | None:
    """The problem details as the writer's own sentence, or ``None``.

    They were asked as said to the reader, so they read as a sentence of the
    letter. A note about the client in the third person is left out of a
    letter to that client ("They want warmer colours"); to an intermediary it
    is a fair sentence.
    """
    text = fact(value, language)
    if text is None:
        return None
    if direct and _THIRD_PERSON.match(text):
        return None
    return text[0].upper() + text[1:] + "."


def deadline_phrase(value: str | None, language: str) -> str | None:
    """The new deadline as typed ("by Friday", "до петък"), in the letter's script."""
    text = fact(value, language)
    if text is None:
        return None
    return text[0].lower() + text[1:] if not text[:2].isupper() else text
