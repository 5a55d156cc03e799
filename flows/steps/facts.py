"""Step 2, the facts: who the client is, what was delivered, what they said, how you talk."""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from flows.case import Answers, Channel, Intermediary, Step
from flows.i18n import t
from flows.prompts import Choice
from flows.reply_facts import written_in
from flows.steps.spec import (
    ANSWER,
    SKIP,
    Choices,
    Edge,
    Fact,
    Press,
    StepSpec,
    text_fact,
)
from flows.turn import Turn

#: Words that make a client's name a company's: legal forms and trade words (casefolded).
_COMPANY_WORDS = frozenset(
    word.casefold()
    for word in [
        "GmbH",
        "Ltd",
        "LLC",
        "Inc",
        "Corp",
        "PLC",
        "AG",
        "SA",
        "SRL",
        "BV",
        "ООД",
        "ЕООД",
        "АД",
        "ЕАД",
        "ЕТ",
        "ГмбХ",
        "studio",
        "agency",
        "company",
        "group",
        "media",
        "labs",
        "студио",
        "агенция",
        "компания",
        "груп",
        "фирма",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_QUOTES = '„“”"«»'


def names_a_company(answers: Answers) -> bool:
    """Guard: the client's name looks like a company's, so a contact person is worth asking.

    A legal form or a trade word ("GmbH", "ООД", "Studio"), quotes („Акме“), an
    all-capitals word ("ACME") or a digit or "&" say company; "Maria Ivanova" does not.
    """
    name = answers.client_name or ""
    words = _WORD.findall(name)
    if any(word.casefold() in _COMPANY_WORDS for word in words):
        return True
    if any(ch in name for ch in _QUOTES) or any(ch.isdigit() or ch == "&" for ch in name):
        return True
    return any(len(word) >= 3 and word.isupper() for word in words)


def has_intermediary(answers: Answers) -> bool:
    """Guard: an agency or a colleague stands in between, so their contact is worth asking."""
    return answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER)


def _preselect_reply_language(spec: StepSpec) -> StepSpec:
    """The client's message sets the reply's language by its script, said once (step 2)."""
    base = spec.on_text
    assert base is not None

    def on_text(turn: Turn, text: str) -> str | None:
        assert turn.case is not None
        trigger = base(turn, text)
        answers = turn.case.answers
        language = written_in(text)
        if answers.reply_language is None and language is not None and language != turn.language:
            answers.reply_language = language
            other = "bg" if language == "en" else "en"
            button = turn.t(f"coach-btn-reply-in-{other}")
            turn.note(f"coach-reply-preselected-{language}", button=button)
        return trigger

    return replace(spec, on_text=on_text)


def _enum_choices(options: type[StrEnum]) -> Choices:
    def choices(_answers: Answers) -> list[list[Choice]]:
        rows = [[Choice(o.value, f"coach-btn-{o.value}")] for o in options]
        return [*rows, [Choice(SKIP, "coach-btn-skip")]]

    return choices


def _enum_press(field: str, options: type[StrEnum]) -> Press:
    def press(turn: Turn, token: str) -> str:
        assert turn.case is not None
        setattr(turn.case.answers, field, None if token == SKIP else options(token))
        return ANSWER

    return press


def _enum_fact(field: str) -> Fact:
    def fact(answers: Answers, language: str) -> str | None:
        value = getattr(answers, field)
        # A noun phrase for the summary, not the button's answer ("Contact: Direct").
        return None if value is None else t(language, f"coach-fact-{value.value}")

    return fact


def _enum_fact_step(
    step: Step, field: str, options: type[StrEnum], then: tuple[Edge, ...]
) -> StepSpec:
    return StepSpec(
        step=step,
        edges=then,
        choices=_enum_choices(options),
        on_press=_enum_press(field, options),
        field=field,
        answered=lambda _a: False,
        field_label=f"coach-field-{field}",
        fact=_enum_fact(field),
        editable=True,
        returns_when_editing=True,
    )


SPECS: tuple[StepSpec, ...] = (
    text_fact(
        Step.CLIENT_NAME,
        field="client_name",
        then=(
            Edge(ANSWER, Step.CONTACT_NAME, guard=names_a_company),
            Edge(ANSWER, Step.DELIVERY),
        ),
        field_label="coach-field-client",
        editable=True,
    ),
    text_fact(
        Step.CONTACT_NAME,
        field="contact_name",
        then=(Edge(ANSWER, Step.DELIVERY),),
        field_label="coach-field-contact-name",
        editable=True,
    ),
    text_fact(
        Step.DELIVERY,
        field="delivery",
        then=(Edge(ANSWER, Step.CLIENT_SAID),),
        field_label="coach-field-delivery",
        editable=True,
    ),
    _preselect_reply_language(
        text_fact(
            Step.CLIENT_SAID,
            field="client_said",
            then=(Edge(ANSWER, Step.INTERMEDIARY),),
            field_label="coach-field-client-said",
            editable=True,
        )
    ),
    _enum_fact_step(
        Step.INTERMEDIARY,
        "intermediary",
        Intermediary,
        then=(
            Edge(ANSWER, Step.INTERMEDIARY_CONTACT, guard=has_intermediary),
            Edge(ANSWER, Step.CHANNEL),
        ),
    ),
    text_fact(
        Step.INTERMEDIARY_CONTACT,
        field="intermediary_contact",
        then=(Edge(ANSWER, Step.CHANNEL),),
        field_label="coach-field-intermediary-contact",
        editable=True,
    ),
    # The currency comes with the price ("1 200 лв", "€500"); its own question is
    # only in "Change facts".
    _enum_fact_step(Step.CHANNEL, "channel", Channel, then=(Edge(ANSWER, Step.PRICE),)),
)
