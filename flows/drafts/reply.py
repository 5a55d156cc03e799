"""Step 7: the suggested reply, to the client or to the intermediary."""

from __future__ import annotations

from dataclasses import replace

from flows.case import Answers, PaymentVariant, Problem, Solution, Tone
from flows.drafts.facts_text import deadline_phrase, details_sentence, speaks_to_the_client
from flows.drafts.money_text import payment_text
from flows.drafts.opening import open_letter
from flows.drafts.signals import asks_for_refund
from flows.i18n import t
from flows.io import Draft, DraftKind

_PROBLEM_KEYS: dict[Problem, str] = {
    Problem.BRIEF: "draft-reply-problem-brief",
    Problem.STYLE: "draft-reply-problem-style",
    Problem.SCOPE: "draft-reply-problem-scope",
    Problem.PLANS: "draft-reply-problem-plans",
    Problem.UNCLEAR: "draft-reply-problem-unclear",
}

#: The payment variants that fit each solution (FLOW.md step 6).
_FITTING: dict[Solution, frozenset[PaymentVariant]] = {
    Solution.REDO: frozenset({PaymentVariant.CONTINUE}),
    Solution.PART_WAYS: frozenset({PaymentVariant.KEEP_DEPOSIT, PaymentVariant.KILL_FEE}),
}


def fitting_answers(answers: Answers) -> Answers:
    """The answers with a payment variant that contradicts the solution set aside.

    The flow never lets such a pair through; a case stored before it did (or a
    bug) still gets a reply that follows the solution and does not talk money,
    rather than a letter that contradicts itself — or none at all.
    """
    variant, solution = answers.payment_variant, answers.solution
    if variant is None or solution is None or variant in _FITTING[solution]:
        return answers
    return replace(answers, payment_variant=None)


def compose_reply(
    answers: Answers, *, language: str, tone: Tone, signature: str | None = None
) -> Draft:
    """Compose the step-7 suggested reply.

    To the intermediary when one stands in between (the end client in the
    third person), else to the client: thanks for the feedback (and for the
    call, once it took place), their view acknowledged, their own request for
    the money back answered, the clarified problem, the solution, complete
    payment terms from :func:`flows.settlement.settle`, one next step, and
    the user's sign-off. Facts in the other language are left out.

    Args:
        answers: The case's answers (only the given facts; never ``vented``).
        language: The reply's language, independent of the coach's language.
        tone: Formal ("Вие") or friendly ("ти").
        signature: The user's sign-off, on its own line at the end.
    """
    answers = fitting_answers(answers)
    opening = open_letter(answers, language=language, tone=tone)
    to, writer, names, what = opening.to, opening.writer, opening.names, opening.what
    refund = asks_for_refund(answers.client_said)

    writer.paragraph(to.greeting)
    if to.via:
        thanks = "draft-reply-thanks-call-via" if answers.call_held else "draft-reply-thanks-via"
        acknowledge = "draft-reply-acknowledge-via"
    else:
        thanks = "draft-reply-thanks-call" if answers.call_held else "draft-reply-thanks"
        acknowledge = "draft-reply-acknowledge"
    asked_refund = None
    if refund and answers.solution is Solution.PART_WAYS:
        asked_refund = writer.say(
            "draft-reply-refund-asked-via" if to.via else "draft-reply-refund-asked", **names
        )
    details = details_sentence(answers.problem_details, language, direct=not to.via)
    if details and to.via and speaks_to_the_client(details):
        # Said to the end client ("You'd like…"): to the agency it is the client's wish,
        # quoted as the writer would put it to them — never as if said to the agency.
        quoted = details.rstrip(".")
        details = writer.say("draft-reply-details-via-quoted", details=quoted, **names)
    writer.paragraph(
        writer.say(thanks, what=what, **names),
        writer.say(acknowledge, **names),
        asked_refund,
        writer.say(_PROBLEM_KEYS[answers.problem]) if answers.problem else None,
        details,
    )
    pay = payment_text(writer, answers)
    if answers.solution is Solution.REDO:
        clarified = answers.problem is not None or answers.problem_details is not None
        if refund:
            redo = "draft-reply-redo-instead-via" if to.via else "draft-reply-redo-instead"
        else:
            redo = "draft-reply-redo-clarified" if clarified else "draft-reply-redo"
        deadline = deadline_phrase(answers.deadline, language)
        writer.paragraph(
            writer.say(redo, **names),
            writer.say("draft-reply-criteria"),
            writer.say("draft-reply-deadline", deadline=deadline) if deadline else None,
        )
        writer.paragraph(*pay.sentences)
        writer.paragraph(writer.say("draft-reply-closing"))
    elif answers.solution is Solution.PART_WAYS:
        writer.paragraph(
            writer.say("draft-reply-part-ways-via" if to.via else "draft-reply-part-ways", **names)
        )
        writer.paragraph(*pay.sentences, pay.next_step)
        writer.paragraph(writer.say("draft-reply-goodbye"))
    else:
        writer.paragraph(writer.say("draft-reply-next-call"))
        writer.paragraph(writer.say("draft-reply-closing"))
    writer.sign_off(signature)
    return Draft(
        kind=DraftKind.REPLY,
        text=writer.text(),
        language=language,
        title=t(language, "draft-title-reply"),
    )
