"""The coach: the one entry point of the platform-neutral conversation.

The engine (``bot/engine.py``) loads a :class:`~flows.io.UserContext`, calls
one of these pure methods, and does all I/O with the result. CONTRACT — the
signatures below are shared by the engine, the adapters and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.case import Case
from flows.io import FlowResult, Outgoing, ReminderKind, UserContext, UserInput


class Coach:
    """Moves cases through the shared ``transitions`` machine. Pure: no I/O."""

    def handle(self, user: UserContext, user_input: UserInput) -> FlowResult:
        """Apply one user input to the user's active case (creating one if needed)."""
        raise NotImplementedError

    def on_reminder(self, user: UserContext, kind: ReminderKind) -> FlowResult:
        """A scheduled reminder fell due: nudge the user and repeat the current question."""
        raise NotImplementedError

    def render_history(self, cases: Sequence[Case], *, language: str) -> list[Outgoing]:
        """``/cases``: the user's cases, newest first (``cases`` arrive newest first)."""
        raise NotImplementedError

    def render_export(self, case: Case | None, *, language: str) -> list[Outgoing]:
        """``/export``: the case as Markdown, in a :class:`~flows.io.Draft` of kind EXPORT."""
        raise NotImplementedError

    def after_delete(self, *, language: str) -> list[Outgoing]:
        """Confirmation that every stored row of the user was erased."""
        raise NotImplementedError

    def unavailable(self, *, language: str) -> list[Outgoing]:
        """"Temporarily unavailable, your answers are safe" (database down)."""
        raise NotImplementedError
