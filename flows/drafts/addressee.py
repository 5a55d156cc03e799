"""Whom a draft is written to, how it greets them and how it names the end client.

With an agency or another freelancer in between, the call request and the
reply go to the intermediary (their contact by first name, else a neutral
greeting) and the end client is named in the third person. Direct: a person
by name in the form the tone and language use, a company by its team or a
neutral greeting, or its contact person by first name.

Titles need the person's gender, which the coach never asks. A title is used
only where the surname itself says it: a Bulgarian surname written in
Cyrillic ("-ова/-ева/-ска" a woman's, "-ов/-ев/-ски" a man's) in a Bulgarian
letter. In Latin letters the ending cannot be trusted ("Casanova"), so an
English letter goes without a title, the way natives write then ("Dear Maria
Ivanova,"); so does a Bulgarian one for any other name ("Здравейте, Anna Schmidt,").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.case import Answers, Intermediary, Tone
from flows.drafts.writer import Writer, fact

#: Legal forms left out of a team's name ("Nordlicht GmbH" → "Hi Nordlicht team,").
_LEGAL_FORMS = frozenset(
    w.casefold()
    for w in (
        *("GmbH", "Ltd", "LLC", "Inc", "Corp", "PLC", "AG", "SA", "SRL", "BV", "Co"),
        *("ООД", "ЕООД", "АД", "ЕАД", "ЕТ", "ГмбХ"),
    )
)
_QUOTES = "„“”\"«»'"
_SURNAME_TITLES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ова", "ева", "ска"), "f"),
    (("ов", "ев", "ски"), "m"),
)


@dataclass(frozen=True, slots=True)
class Addressee:
    """Whom the draft goes to.

    ``greeting`` is the first line; ``tone`` the tone the letter is written in
    (a Bulgarian letter to a whole team is always "Вие"); ``via`` is true when
    an intermediary reads it; ``client`` (only with ``via``) names the end
    client in the third person, ``client_subject`` the same as a subject.
    """

    greeting: str
    tone: Tone
    via: bool
    client: str
    client_subject: str


def is_company(answers: Answers) -> bool:
    """Whether the client's name is a company's (the contact step's own heuristic)."""
    from flows.steps.facts import names_a_company  # the steps import the drafts: import late

    return names_a_company(answers)


def addressee(answers: Answers, *, language: str, tone: Tone) -> Addressee:
    """Work out the greeting and the names of a draft in ``language`` and ``tone``."""
    via = answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER)
    client_name = fact(answers.client_name, language, name=True)
    company = client_name is not None and is_company(answers)
    if via:
        contact = _first_name(fact(answers.intermediary_contact, language, name=True))
        writer = Writer(language, tone)
        named = client_name or None
        return Addressee(
            greeting=_first_name_greeting(writer, contact),
            tone=tone,
            via=True,
            client=named or writer.say("draft-ref-client"),
            client_subject=named or writer.say("draft-ref-client-subject"),
        )
    contact = _first_name(fact(answers.contact_name, language, name=True)) if company else None
    if company and contact is None and language == "bg":
        tone = Tone.FORMAL  # "ти" to a whole team reads wrong in Bulgarian
    writer = Writer(language, tone)
    if company and contact is None:
        team = _team_name(client_name or "")
        greeting = (
            writer.say("draft-greeting-team", team=team) if team else writer.say("draft-greeting")
        )
    elif company:
        greeting = _first_name_greeting(writer, contact)
    else:
        greeting = _person_greeting(writer, client_name)
    return Addressee(greeting=greeting, tone=tone, via=False, client="", client_subject="")


def _first_name(name: str | None) -> str | None:
    if not name:
        return None
    return name.split()[0].strip(",;") or None


def _first_name_greeting(writer: Writer, first: str | None) -> str:
    if first:
        return writer.say("draft-greeting-first-name", name=first)
    return writer.say("draft-greeting")


def _person_greeting(writer: Writer, name: str | None) -> str:
    if not name:
        return writer.say("draft-greeting")
    words = name.split()
    if writer.tone is Tone.FRIENDLY or len(words) == 1:
        return writer.say("draft-greeting-first-name", name=words[0])
    surname = words[-1]
    gender = _gender_of_surname(surname) if writer.language == "bg" else None
    if gender is not None:
        key = "draft-greeting-title-f" if gender == "f" else "draft-greeting-title-m"
        return writer.say(key, surname=surname)
    return writer.say("draft-greeting-full-name", name=name)


def _gender_of_surname(surname: str) -> str | None:
    lowered = surname.casefold()
    for endings, gender in _SURNAME_TITLES:
        if len(lowered) > 4 and lowered.endswith(endings):
            return gender
    return None


def _team_name(name: str) -> str:
    words = [w.strip(_QUOTES + ",.") for w in name.split()]
    kept = [w for w in words if w and w.casefold() not in _LEGAL_FORMS]
    return re.sub(r"\s+", " ", " ".join(kept)).strip()
