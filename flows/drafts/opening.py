"""What every letter starts from: its addressee, its writer, the names and the work."""

from __future__ import annotations

from dataclasses import dataclass

from flows.case import Answers, Tone
from flows.drafts.addressee import Addressee, addressee
from flows.drafts.facts_text import delivery_phrase, is_definite_bg
from flows.drafts.writer import Writer


@dataclass(frozen=True, slots=True)
class Opening:
    """The parts the call request and the suggested reply share."""

    to: Addressee
    writer: Writer
    #: The client's name and its subject form, for the messages that name them.
    names: dict[str, str]
    #: "the work" or "the work on „…“": what the letter is about.
    what: str


def open_letter(answers: Answers, *, language: str, tone: Tone) -> Opening:
    """The addressee, a writer in its tone, the client's names and the delivered work."""
    to = addressee(answers, language=language, tone=tone)
    writer = Writer(language, to.tone)
    delivery = delivery_phrase(answers.delivery, language)
    if delivery is None:
        what = writer.say("draft-work")
    elif language == "bg" and is_definite_bg(delivery):
        what = delivery  # "мнението Ви за логото и визитките"
    else:
        what = writer.plain("draft-work-named", delivery=delivery)
    return Opening(
        to=to,
        writer=writer,
        names={"client": to.client, "subject": to.client_subject},
        what=what,
    )
