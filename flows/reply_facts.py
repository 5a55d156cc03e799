"""One language per letter (D2): free-text facts asked again in the reply's language.

A fact typed in Cyrillic goes into an English reply only after the user retypes
it in English (or skips it: then it is left out), and the other way round; a
Cyrillic name in an English reply is asked in Latin letters (skipped: the
greeting goes without it). Script detection (:func:`flows.text.script_of`) is
enough to tell Bulgarian from English. The retyped values live beside the
originals (:attr:`flows.case.Answers.reply_facts`), so switching the reply back
restores what the user first typed. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from flows.case import Answers
from flows.text import script_of

#: Free-text facts the reply rephrases, in the order they are asked again.
TEXT_FACTS: tuple[str, ...] = ("delivery", "problem_details", "deadline")
#: Names: asked again only in Latin letters for an English reply.
NAME_FACTS: tuple[str, ...] = ("client_name", "contact_name", "intermediary_contact")

_LANGUAGE_OF_SCRIPT = {"cyrillic": "bg", "latin": "en"}


def written_in(text: str) -> str | None:
    """The language ``text`` is written in by its script (``None``: mixed or no letters)."""
    return _LANGUAGE_OF_SCRIPT.get(script_of(text))


def _needs_retyping(field: str, value: str, language: str) -> bool:
    written = written_in(value)
    if field in NAME_FACTS or field == SIGNATURE:
        return language == "en" and written == "bg"
    return written is not None and written != language


#: The user's sign-off (on the user, mirrored into the answers): a Cyrillic one is
#: asked in Latin letters for an English letter, like a name.
SIGNATURE = "signature"
#: Every fact a reply may ask again, in order.
REPLY_FACTS: tuple[str, ...] = (*TEXT_FACTS, *NAME_FACTS, SIGNATURE)
#: The facts the call request (step 3) uses: what was delivered, the names, the sign-off.
CALL_FACTS: tuple[str, ...] = ("delivery", *NAME_FACTS, SIGNATURE)


def missing_fact(
    answers: Answers, language: str, fields: tuple[str, ...] = REPLY_FACTS
) -> str | None:
    """The first of ``fields`` to ask again before a draft in ``language`` is composed, if any."""
    given = answers.reply_facts.get(language, {})
    for field in fields:
        value = getattr(answers, field)
        if value and field not in given and _needs_retyping(field, value, language):
            return field
    return None


def keep_fact(answers: Answers, language: str, field: str, text: str | None) -> None:
    """Store ``field`` as retyped for ``language`` (``None``: leave it out of the reply)."""
    answers.reply_facts.setdefault(language, {})[field] = text or ""


def forget_fact(answers: Answers, field: str) -> None:
    """Drop every retyped value of ``field`` (its original was changed)."""
    for facts in answers.reply_facts.values():
        facts.pop(field, None)


def facts_for(answers: Answers, language: str) -> Answers:
    """The answers as a reply in ``language`` uses them: retyped values in, skipped ones out."""
    given = answers.reply_facts.get(language, {})
    fields = [f for f in REPLY_FACTS if f in given and getattr(answers, f)]
    if not fields:
        return answers
    view = replace(answers)
    for field in fields:
        setattr(view, field, given[field] or None)
    return view
