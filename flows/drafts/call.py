"""Step 3: the message asking for a call, to the intermediary or to the client."""

from __future__ import annotations

from flows.case import Answers, Channel, Tone
from flows.drafts.opening import open_letter
from flows.i18n import t
from flows.io import Draft, DraftKind


def compose_call_request(
    answers: Answers, *, language: str, tone: Tone, signature: str | None = None
) -> Draft:
    """Compose the step-3 message asking for a direct conversation.

    Through an agency or another freelancer: to the intermediary, proposing one
    call with all three parties (the end client named in the third person).
    Otherwise: a short message to the client asking for a phone or video call,
    or a meeting, soon.

    Args:
        answers: The case's answers (only the given facts are used).
        language: The language of the message (``"bg"`` or ``"en"``).
        tone: Formal ("Вие") or friendly ("ти").
        signature: The user's sign-off, on its own line at the end.
    """
    opening = open_letter(answers, language=language, tone=tone)
    to, writer, names, what = opening.to, opening.writer, opening.names, opening.what
    writer.paragraph(to.greeting)
    if to.via:
        writer.paragraph(
            writer.say("draft-call-via-intro", what=what, **names),
            writer.say("draft-call-via-why"),
        )
        writer.paragraph(
            writer.say("draft-call-via-proposal", **names),
            writer.say("draft-call-via-ask"),
        )
    else:
        why = (
            "draft-call-client-writing"
            if answers.channel is Channel.WRITING
            else "draft-call-client-soon"
        )
        writer.paragraph(writer.say("draft-call-client-thanks", what=what))
        writer.paragraph(writer.say(why), writer.say("draft-call-client-ask"))
    writer.paragraph(writer.say("draft-call-closing"))
    writer.sign_off(signature)
    return Draft(
        kind=DraftKind.CALL_REQUEST,
        text=writer.text(),
        language=language,
        title=t(language, "draft-title-call-request"),
    )
