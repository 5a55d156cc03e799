"""Steps 7–8: the suggested reply (tone, language, change facts) and the closing."""

from __future__ import annotations

from flows import followup, polishing
from flows.case import Answers, CaseStatus, Step, Tone
from flows.drafts import compose_contract_clause, compose_reply
from flows.io import SetSignature
from flows.prompts import Choice
from flows.reply_facts import (
    NAME_FACTS,
    SIGNATURE,
    facts_for,
    forget_fact,
    keep_fact,
    missing_fact,
)
from flows.steps.spec import SKIP, Edge, StepSpec, edit_event
from flows.text import dash, one_line
from flows.turn import Turn

RETOUCH, CHANGE_FACTS, FINISH = "retouch", "change_facts", "finish"
BACK_TO_REPLY = "back_to_reply"

#: The longest sign-off kept (one line: a name, maybe a role).
SIGNATURE_LIMIT = 80


def clean_signature(text: str) -> str:
    """A typed sign-off on one line, bounded; ``""`` when nothing is left."""
    return one_line(text, SIGNATURE_LIMIT).strip()


def set_signature(turn: Turn, text: str) -> None:
    """Remember the user's sign-off (``""``: none) for this turn and after."""
    turn.signature = text
    if turn.case is not None:
        turn.case.answers.signature = text
        forget_fact(turn.case.answers, SIGNATURE)  # a Latin spelling of the old one is stale
    turn.result.effects.append(SetSignature(text=text))


def _missing(answers: Answers) -> str | None:
    """The fact to retype in the reply's language before the reply is shown, if any."""
    if answers.reply_language is None:
        return None
    return missing_fact(answers, answers.reply_language)


def asks_sign_off(signature: str | None) -> bool:
    """Whether the first suggested reply is followed by the sign-off question.

    Only a user who never answered it (no stored sign-off, not even ``""``) is
    asked; channel test scripts use this to know whether to answer it.
    """
    return signature is None


def _asks_signature(answers: Answers) -> bool:
    """Whether the reply step asks the user's sign-off (once, after the first reply)."""
    return answers.asking_signature and _missing(answers) is None


def _reply_choices(answers: Answers) -> list[list[Choice]]:
    if _missing(answers) is not None:
        # Retype the fact, leave it out, or (with a model configured) translate them all.
        translate = polishing.translate_row(answers)
        return [[Choice(SKIP, "coach-btn-leave-out")], *translate]
    if _asks_signature(answers):
        return [[Choice(SKIP, "coach-btn-skip")]]  # one question on screen at a time
    friendly = answers.tone is Tone.FORMAL
    tone_key = "coach-btn-tone-friendly" if friendly else "coach-btn-tone-formal"
    # Name the language the button switches to, once the reply has one.
    current = answers.reply_language
    lang_key = (
        "coach-btn-other-language"
        if current is None
        else f"coach-btn-reply-in-{'en' if current == 'bg' else 'bg'}"
    )
    return [
        [Choice("tone", tone_key), Choice("lang", lang_key)],
        *polishing.rows(answers),  # the optional AI polish (issue 16)
        [Choice("facts", "coach-btn-change-facts")],
        [Choice("done", "coach-btn-done")],
    ]


def _send_reply_draft(turn: Turn) -> None:
    assert turn.case is not None
    answers = turn.case.answers
    if answers.reply_language is None:
        # The reply keeps the language it was first shown in: a later /lang changes
        # the coach's words, not a draft the user may already have copied.
        answers.reply_language = turn.language
    language = turn.reply_language
    view = facts_for(answers, language)  # a Cyrillic sign-off retyped for English too
    composed = compose_reply(
        view, language=language, tone=answers.tone, signature=view.signature or None
    )
    turn.draft(polishing.shown_draft(answers, composed))


def _enter_reply(turn: Turn, source: Step | None) -> None:
    assert turn.case is not None
    answers = turn.case.answers
    if answers.reply_language is None:
        answers.reply_language = turn.language
    if source is not Step.REPLY:  # not again after a change of tone or language
        turn.note("coach-reply-tips")
    if _missing(answers) is None:  # else the question asks for the fact first
        _send_reply_draft(turn)
        # Never said how they sign: asked once, right after the first reply is shown,
        # so the inputs up to that reply do not grow (issue 11).
        answers.asking_signature = asks_sign_off(turn.signature)


def _reply_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    field = _missing(answers)
    if field is None:
        if _asks_signature(answers):
            return turn.t("coach-signoff-prompt")
        return turn.t(spec.prompt_key)
    value = str(getattr(answers, field))
    if field == SIGNATURE:
        return turn.t("coach-signature-latin-prompt", value=value)
    if field in NAME_FACTS:
        return turn.t("coach-reply-name-prompt", value=value)
    fact = turn.t(f"coach-step-{dash(field)}")
    return turn.t("coach-reply-fact-prompt", language=turn.reply_language, fact=fact, value=value)


def _type_reply(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    field = _missing(answers)
    if field is None and _asks_signature(answers):
        signature = clean_signature(text)
        if not signature:
            return None  # nothing left of it: asked again
        answers.asking_signature = False
        set_signature(turn, signature)
        turn.note("coach-signature-kept", signature=signature)
        return RETOUCH  # the reply again, signed, with the step's buttons
    if field is None:
        turn.note("coach-choose-button")
        return None
    keep_fact(answers, turn.reply_language, field, text)
    return RETOUCH


def _press_reply(turn: Turn, token: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    if token in polishing.TOKENS:
        return RETOUCH if polishing.press(turn, token) else None
    field = _missing(answers)
    if token == SKIP and field is not None:
        keep_fact(answers, turn.reply_language, field, None)  # leave it out
        return RETOUCH
    if token == SKIP and _asks_signature(answers):
        answers.asking_signature = False
        set_signature(turn, "")  # never asked again
        turn.note("coach-signoff-skipped")
        return None  # the reply step's own question and buttons
    if token == "tone":
        answers.tone = Tone.FRIENDLY if answers.tone is Tone.FORMAL else Tone.FORMAL
        turn.note(f"coach-reply-tone-{answers.tone.value}")
        return RETOUCH
    if token == "lang":
        answers.reply_language = "en" if turn.reply_language == "bg" else "bg"
        turn.note(f"coach-reply-language-{answers.reply_language}")
        return RETOUCH
    if token == "facts":
        return CHANGE_FACTS
    return FINISH


def _edit_choices(_answers: Answers) -> list[list[Choice]]:
    # The menu lists the registry's editable steps; imported here, as the registry
    # imports this module.
    from flows.steps import EDITABLE

    items = [Choice(spec.edit_token, spec.edit_key) for spec in EDITABLE]
    rows = [items[i : i + 2] for i in range(0, len(items), 2)]
    return [*rows, [Choice("ret", "coach-btn-back-to-reply")]]


def _press_edit(_turn: Turn, token: str) -> str:
    if token == "ret":
        return BACK_TO_REPLY
    return edit_event(Step(token.removeprefix("e.")))


def _enter_done(turn: Turn, _source: Step | None) -> None:
    from flows.summary import closing_summary  # the summary reads the registry

    assert turn.case is not None
    answers = turn.case.answers
    turn.notes.append(closing_summary(answers, language=turn.language))
    turn.note("coach-done-tip")
    # The clause in the reply's language and, when it differs, in the coach's (D28).
    for language in dict.fromkeys((turn.reply_language, turn.language)):
        turn.draft(compose_contract_clause(answers, language=language))
    # Then when to ask how it went (issue 15): in 3 days unless the user picks otherwise.
    followup.offer_at_done(turn, turn.t("coach-done-bye"))
    turn.close(CaseStatus.DONE)


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.REPLY,
        edges=(
            Edge(RETOUCH, Step.REPLY),
            Edge(CHANGE_FACTS, Step.EDIT_FACTS),
            Edge(FINISH, Step.DONE),
        ),
        choices=_reply_choices,
        on_press=_press_reply,
        on_text=_type_reply,
        on_enter=_enter_reply,
        question=_reply_question,
    ),
    # The edges to each editable step are added from the registry (flows.steps).
    StepSpec(
        step=Step.EDIT_FACTS,
        edges=(Edge(BACK_TO_REPLY, Step.REPLY),),
        choices=_edit_choices,
        on_press=_press_edit,
    ),
    StepSpec(step=Step.DONE, on_enter=_enter_done, asks=False),
)
