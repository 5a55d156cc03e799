"""The optional AI polish at the reply step (issue 16): buttons, request, the model's answer.

Pure: a press of [✨ Polish with AI], [Shorter] or [Warmer] emits a
:class:`~flows.io.PolishDraft` effect (the engine calls the model after the
step is saved); the engine feeds the outcome back as a
:class:`~flows.io.ModelAnswer`, which is checked (:func:`flows.polish.check_polished`)
before the polished text becomes the draft shown. The composed reply stays the
default and the fallback: every failure or rejection is a one-line notice.
The buttons exist only when a model is configured (``Answers.ai_available``).
"""

from __future__ import annotations

import dataclasses
import hashlib

from flows.case import Answers, Step
from flows.drafts import compose_reply
from flows.i18n import t
from flows.io import Draft, DraftKind, ModelAnswer, PolishDraft
from flows.letter_text import in_language
from flows.polish import (
    PolishFacts,
    PolishMode,
    PolishReason,
    RequestPurpose,
    build_polish_request,
    check_polished,
    facts_from_answers,
)
from flows.prompts import Choice
from flows.reply_facts import facts_for, keep_fact
from flows.translate import TranslatableFact, build_translate_request, check_translation
from flows.turn import Turn

POLISH, SHORTER, WARMER, COMPOSED = "polish", "shorter", "warmer", "composed"
TRANSLATE = "translate"
#: The reply step's tokens handled here.
TOKENS = frozenset({POLISH, SHORTER, WARMER, COMPOSED, TRANSLATE})
#: The answer field of each fact the model may translate.
TRANSLATABLE_FIELDS: dict[TranslatableFact, str] = {
    TranslatableFact.DELIVERY: "delivery",
    TranslatableFact.DETAILS: "problem_details",
    TranslatableFact.DEADLINE: "deadline",
}
#: The reply step's "show the reply again" trigger (``flows.steps.reply.RETOUCH``).
RETOUCH = "retouch"

#: The notice for each failed call (the ``ModelAnswer.kind``); anything else is "error".
_FAILURE_KEYS = {
    "timeout": "coach-polish-failed-timeout",
    "rate_limited": "coach-polish-failed-busy",
    "circuit_open": "coach-polish-failed-busy",
    "user_limited": "coach-polish-failed-limit",
    "refusal": "coach-polish-failed-refusal",
    "unavailable": "coach-polish-failed-unavailable",
}
#: The notice for each rejected text.
_REJECTED_KEYS = {
    PolishReason.MISSING_AMOUNT: "coach-polish-rejected-facts",
    PolishReason.NEW_AMOUNT: "coach-polish-rejected-facts",
    PolishReason.MISSING_DATE: "coach-polish-rejected-facts",
    PolishReason.MISSING_NAME: "coach-polish-rejected-facts",
    PolishReason.ADDRESSEE_CHANGED: "coach-polish-rejected-facts",
    PolishReason.WRONG_LANGUAGE: "coach-polish-rejected-language",
    PolishReason.TOO_SHORT: "coach-polish-rejected-length",
    PolishReason.TOO_LONG: "coach-polish-rejected-length",
}


def digest(text: str) -> str:
    """The sha256 of a composed reply (``Answers.polished_from``)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rows(answers: Answers) -> list[list[Choice]]:
    """The reply step's AI rows: [✨ Polish], or [Shorter] [Warmer] / [↩ Original reply]."""
    if answers.showing_polished:
        variants = [
            Choice(SHORTER, "coach-btn-polish-shorter"),
            Choice(WARMER, "coach-btn-polish-warmer"),
        ]
        back = [Choice(COMPOSED, "coach-btn-polish-original")]
        return [variants, back] if answers.ai_available else [back]
    if not answers.ai_available:
        return []
    row = [Choice(POLISH, "coach-btn-polish")]
    if answers.reply_language is not None and facts_to_translate(answers, answers.reply_language):
        row.append(Choice(TRANSLATE, "coach-btn-translate-facts"))
    return [row]


def translate_row(answers: Answers) -> list[list[Choice]]:
    """[✨ Translate my facts] beside the re-ask of a fact typed in the other language."""
    language = answers.reply_language
    if not answers.ai_available or language is None or not facts_to_translate(answers, language):
        return []
    return [[Choice(TRANSLATE, "coach-btn-translate-facts")]]


def facts_to_translate(answers: Answers, language: str) -> dict[TranslatableFact, str]:
    """The free-text facts not written in the script of ``language`` (the reply's).

    Shared with the re-ask of facts in the reply language (issue 11): the same
    test decides which facts are "in the other language".
    """
    found: dict[TranslatableFact, str] = {}
    # Facts already retyped (or left out) for this language are not asked again.
    view = facts_for(answers, language)
    for fact, name in TRANSLATABLE_FIELDS.items():
        value = getattr(view, name)
        if value and value.strip() and not in_language(value, language, fact=True):
            found[fact] = value
    return found


def shown_draft(answers: Answers, composed: Draft) -> Draft:
    """The draft the reply step shows: the polished one while it is current, else ``composed``.

    A change of tone, language or a fact changes the composed reply, so a
    polished text made from an older one is dropped and the composed reply shown.
    """
    if (
        answers.showing_polished
        and answers.polished
        and answers.polished_from == digest(composed.text)
    ):
        return Draft(
            kind=DraftKind.REPLY,
            text=answers.polished,
            language=composed.language,
            title=t(composed.language, "coach-polish-draft-title"),
        )
    answers.showing_polished = False
    return composed


def press(turn: Turn, token: str) -> bool:
    """A press of one of :data:`TOKENS`; returns whether the reply is shown again."""
    assert turn.case is not None
    answers = turn.case.answers
    if token == COMPOSED:
        answers.showing_polished = False
        turn.note("coach-polish-back")
        return True
    if token == TRANSLATE:
        sources = facts_to_translate(answers, turn.reply_language)
        if not sources:
            return True  # nothing left in the other language: show the reply again
        request = build_translate_request(sources, language=turn.reply_language)
        effect = PolishDraft(request=request, turn=turn.case.turn, mode=TRANSLATE)
        turn.result.effects.append(effect)
        turn.note("coach-translate-working")
        return False
    mode = PolishMode(token)
    _composed, base = _texts(turn)
    request = build_polish_request(
        reply_text=base,
        facts=_facts(answers, base),
        language=turn.reply_language,
        tone=answers.tone,
        mode=mode,
    )
    turn.result.effects.append(PolishDraft(request=request, turn=turn.case.turn, mode=mode.value))
    turn.note("coach-polish-working")
    return False


def on_answer(turn: Turn, answer: ModelAnswer) -> str | None:
    """The model's answer to a polish: the trigger to fire (the polished draft), or ``None``.

    An answer for another turn or step is dropped without a word (the user has
    moved on); a failure or a rejected text leaves a one-line notice and the
    composed reply stays.
    """
    case = turn.case
    if case is None or case.step is not Step.REPLY or answer.turn != case.turn:
        return None
    if answer.kind != "ok" or answer.text is None:
        turn.note(_FAILURE_KEYS.get(answer.kind, "coach-polish-failed-error"))
        return None
    answers = case.answers
    if answer.purpose == RequestPurpose.TRANSLATE.value:
        return _on_translation(turn, answers, answer.text)
    if answer.purpose != RequestPurpose.POLISH.value:
        return None
    composed, base = _texts(turn)
    try:
        mode = PolishMode(answer.mode)
    except ValueError:
        mode = PolishMode.POLISH
    verdict = check_polished(
        base, answer.text, facts=_facts(answers, base), language=turn.reply_language, mode=mode
    )
    if not verdict.accepted:
        assert verdict.reason is not None
        turn.note(_REJECTED_KEYS.get(verdict.reason, "coach-polish-rejected-form"))
        return None
    answers.polished = verdict.text
    answers.polished_from = digest(composed)
    answers.showing_polished = True
    turn.note("coach-polish-shown")
    return RETOUCH


def _on_translation(turn: Turn, answers: Answers, text: str) -> str | None:
    """Checked translated facts replace the typed ones; the reply is composed again."""
    sources = facts_to_translate(answers, turn.reply_language)
    if not sources:
        return None
    verdict = check_translation(text, sources=sources, language=turn.reply_language)
    if not verdict.accepted:
        turn.note("coach-translate-rejected")
        return None
    for fact, value in verdict.facts:
        # Kept beside the original, like a fact retyped by hand: switching back restores it.
        keep_fact(answers, turn.reply_language, TRANSLATABLE_FIELDS[fact], value)
    answers.showing_polished = False
    turn.note("coach-translate-done")
    return RETOUCH


def _texts(turn: Turn) -> tuple[str, str]:
    """The composed reply, and the text the model works on (the polished one while shown)."""
    assert turn.case is not None
    answers = turn.case.answers
    language = turn.reply_language
    composed = compose_reply(
        facts_for(answers, language),
        language=language,
        tone=answers.tone,
        signature=turn.signature or None,
    )
    shown = shown_draft(answers, composed)
    return composed.text, shown.text


def _facts(answers: Answers, base: str) -> PolishFacts:
    facts = facts_from_answers(facts_for(answers, answers.reply_language or "en"), reply_text=base)
    return dataclasses.replace(facts, contact_name=answers.contact_name)
