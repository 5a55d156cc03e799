"""Step 9: the short, polite nudge when the client has not answered the reply (issue 15)."""

from __future__ import annotations

from flows.case import Answers, Tone
from flows.drafts.opening import open_letter
from flows.i18n import t
from flows.io import Draft, DraftKind


def compose_nudge(
    answers: Answers, *, language: str, tone: Tone, signature: str | None = None
) -> Draft:
    """Compose a short reminder of the suggested reply, to whom the reply went.

    Same addressee, language and tone as the reply (the intermediary when one
    stands in between, the end client named in the third person); no pressure,
    one easy next step (a short answer, or a call).

    Args:
        answers: The case's answers (only the given facts; never ``vented``).
        language: The reply's language.
        tone: Formal ("Вие") or friendly ("ти").
        signature: The user's sign-off, on its own line at the end.
    """
    opening = open_letter(answers, language=language, tone=tone)
    to, writer, names, what = opening.to, opening.writer, opening.names, opening.what
    writer.paragraph(to.greeting)
    writer.paragraph(writer.say("draft-nudge-recap", what=what))
    if to.via:
        writer.paragraph(writer.say("draft-nudge-via-ask", **names))
    else:
        writer.paragraph(writer.say("draft-nudge-ask"))
    writer.paragraph(writer.say("draft-nudge-closing"))
    writer.sign_off(signature)
    return Draft(
        kind=DraftKind.NUDGE,
        text=writer.text(),
        language=language,
        title=t(language, "draft-title-nudge"),
    )
