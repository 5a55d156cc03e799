"""The turn collector: what one call of the coach is building (language, case, result).

A :class:`Turn` lives for one input. Steps and commands write into it — notes
that go before the next message, replies with buttons, drafts, effects — and
the coach returns its :class:`~flows.io.FlowResult`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows import callback
from flows.case import Case, CaseStatus
from flows.i18n import t
from flows.io import Button, Draft, FlowResult, Reply
from flows.prompts import Choice, label_of


class Turn:
    """Working state of one call: language, the case, the result being built."""

    def __init__(
        self,
        language: str,
        case: Case | None,
        new_case_id: Callable[[], str],
        *,
        surface: str = "chat",
        signature: str | None = None,
    ) -> None:
        """Start a turn in ``language`` on ``case`` (``None``: the user has no active case).

        ``surface`` is where the user reads the coach ("chat" or "terminal"):
        it decides how the coach says where a reminder arrives.
        """
        self.language = language
        self.surface = surface
        #: The user's sign-off for drafts (``None`` never asked, ``""`` skipped).
        self.signature = signature
        self.case = case
        self.new_case_id = new_case_id
        self.result = FlowResult(case=case)
        self.notes: list[str] = []

    def t(self, key: str, /, **args: object) -> str:
        """Message ``key`` in the turn's language."""
        return t(self.language, key, **args)

    def note(self, key: str, /, **args: object) -> None:
        """Queue message ``key`` to go before the next message."""
        self.notes.append(self.t(key, **args))

    def say(self, text: str, choices: Sequence[Sequence[Choice]] = ()) -> None:
        """Send ``text`` (after pending notes) with buttons for ``choices``."""
        body = "\n\n".join([*self.notes, text]) if text else "\n\n".join(self.notes)
        self.notes.clear()
        self.result.outgoing.append(Reply(text=body, buttons=self.buttons(choices)))

    def flush(self) -> None:
        """Send the pending notes, if any."""
        if self.notes:
            self.say("")

    def draft(self, draft: Draft) -> None:
        """Send a draft (after pending notes)."""
        self.flush()
        self.result.outgoing.append(draft)

    def buttons(self, choices: Sequence[Sequence[Choice]]) -> tuple[tuple[Button, ...], ...]:
        """Render ``choices`` as buttons bound to the case's current turn."""
        case_id = self.case.id if self.case is not None else None
        turn = self.case.turn if self.case is not None else 0
        rows = []
        for row in choices:
            rows.append(
                tuple(
                    Button(
                        label=label_of(choice, language=self.language),
                        data=callback.encode(case_id=case_id, turn=turn, choice=choice.token),
                    )
                    for choice in row
                )
            )
        return tuple(r for r in rows if r)

    def open_case(self, case: Case) -> None:
        """Make ``case`` the user's active case."""
        self.case = case
        self.result.case = case

    def close(self, status: CaseStatus) -> None:
        """Close the active case with ``status``; the user has no active case afterwards."""
        assert self.case is not None
        self.case.status = status
        self.case.answers.vented.clear()  # what the user vented is erased with the case
        self.case.answers.pending = None
        self.result.closed.append(self.case)
        self.case = None
        self.result.case = None

    def reminder_where(self) -> str:
        """Where and when a reminder arrives on this surface (one sentence)."""
        return self.t(f"coach-reminder-where-{self.surface}")

    @property
    def reply_language(self) -> str:
        """The language of the suggested reply: chosen for the case, else the coach's."""
        assert self.case is not None
        return self.case.answers.reply_language or self.language
