"""The coach: the one entry point of the platform-neutral conversation.

The engine (``bot/engine.py``) loads a :class:`~flows.io.UserContext`, calls
one of these pure methods, and does all I/O with the result. CONTRACT — the
signatures below are shared by the engine, the adapters and the tests.

A "Reopen" press from ``/cases`` names a case other than the active one: the engine
loads it first (:meth:`Coach.case_named_by`, :mod:`flows.reopen`).

Effects the engine carries out: :class:`~flows.io.ScheduleReminder`,
:class:`~flows.io.SetLanguage`, :class:`~flows.io.ShowHistory` (then
:meth:`Coach.render_history`), :class:`~flows.io.ExportCase` (then
:meth:`Coach.render_export`) and :class:`~flows.io.DeleteUserData` (then
:meth:`Coach.after_delete`). Those results carry no text of their own.
:class:`~flows.io.PolishDraft` (the optional AI polish, issue 16): the engine
calls the model after the step is saved and hands the outcome back as a
:class:`~flows.io.ModelAnswer` input (:mod:`flows.polishing`).

The coach only dispatches: an input goes to a command (:mod:`flows.commands`)
or to the current step's spec (:mod:`flows.steps`), whose answer is the
trigger the machine fires (:mod:`flows.machine`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows import callback, commands, followup, polishing, reopen, stats, summary
from flows.answers import has_letters, is_blank, yes_no
from flows.case import LANGUAGES, Case, CaseStatus, FollowUp, Step, new_case_id
from flows.i18n import normalise_language, t
from flows.io import (
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    Draft,
    FlowResult,
    ModelAnswer,
    Outgoing,
    ReminderKind,
    Reply,
    TextInput,
    UnsupportedInput,
    UserContext,
    UserInput,
)
from flows.machine import advance
from flows.prompts import SUGGESTED_PREFIX, label_of
from flows.steps import STEPS, ask, choices_for
from flows.turn import Turn


class Coach:
    """Moves cases through the shared ``transitions`` machine. Pure: no I/O."""

    def __init__(self, new_case_id: Callable[[], str] = new_case_id) -> None:
        """``new_case_id`` gives the id of each new case (random by default)."""
        self._new_case_id = new_case_id

    # ------------------------------------------------------------------ contract

    def handle(self, user: UserContext, user_input: UserInput) -> FlowResult:
        """Apply one user input to the user's active case (creating one if needed).

        An input that answers the follow-up of ``user.follow_up_case`` (issue 15)
        goes to that closed case instead; the active case is left as it is.
        """
        answered = self._on_follow_up(user, user_input)
        if answered is not None:
            return answered
        left = self._leave_follow_up(user)
        turn = self._turn(user)
        if turn.case is not None and not isinstance(user_input, TextInput):
            turn.case.answers.pending = None  # a press or a command leaves a confirmation
        if isinstance(user_input, CommandInput):
            commands.run(turn, user_input)
        elif isinstance(user_input, ChoiceInput):
            self._on_choice(turn, user_input.data, user.named_case)
        elif isinstance(user_input, TextInput):
            self._on_text(turn, user_input.text)
        elif isinstance(user_input, ModelAnswer):
            trigger = polishing.on_answer(turn, user_input)
            if trigger == polishing.ASK_AGAIN:
                ask(turn)
            elif trigger is not None:
                advance(turn, trigger)
        elif isinstance(user_input, UnsupportedInput):
            turn.note("coach-text-only")
            if turn.case is None:
                commands.new_case(turn)
            else:
                ask(turn)
        turn.flush()
        if left is not None:
            turn.result.follow_up = left
        return turn.result

    def on_reminder(self, user: UserContext, kind: ReminderKind) -> FlowResult:
        """A scheduled reminder fell due: nudge the user and repeat the current question.

        The follow-up of a closed case (:attr:`ReminderKind.OUTCOME`, issue 15) asks
        "Did … answer?" about ``user.follow_up_case``, then the active case's
        question again (if there is one), untouched.
        """
        if kind is ReminderKind.OUTCOME:
            closed = user.follow_up_case
            if closed is None or closed.follow_up is None:
                return FlowResult(case=user.active_case)
            turn = self._follow_up_turn(user, closed)
            followup.ask(turn)
            return self._after_follow_up(user, turn)
        turn = self._turn(user)
        case = turn.case
        if case is None:
            turn.say(turn.t("coach-reminder-no-case"))
            return turn.result
        if kind is ReminderKind.COOL_DOWN and case.step is Step.COOL_DOWN:
            turn.note("coach-reminder-cool-down")
        elif kind is ReminderKind.FOLLOW_UP and case.step is Step.TALK:
            turn.note("coach-reminder-follow-up")
        else:
            turn.note("coach-reminder-generic")
        turn.flush()  # the nudge on its own, then the question (a terminal may show just the nudge)
        ask(turn)
        return turn.result

    def case_named_by(self, user_input: UserInput) -> str | None:
        """The reference of a case of the user's (not the active one) ``user_input`` acts on.

        A "Reopen" press from ``/cases`` names a cancelled case: the engine loads the
        user's case with this reference into :attr:`~flows.io.UserContext.named_case`
        before :meth:`handle`. ``None`` for every other input.
        """
        return reopen.case_ref_named_by(user_input)

    def render_history(self, cases: Sequence[Case], *, language: str) -> list[Outgoing]:
        """``/cases``: the user's cases, newest first (``cases`` arrive newest first)."""
        return summary.history(cases, language=normalise_language(language))

    def render_export(
        self, case: Case | None, *, language: str, reply: Draft | None = None
    ) -> list[Outgoing]:
        """``/export``: the case as Markdown, in a :class:`~flows.io.Draft` of kind EXPORT.

        ``reply`` is the latest suggested reply of the case, shown at the end.
        """
        return summary.export(case, language=normalise_language(language), reply=reply)

    def current_question(self, case: Case | None, *, language: str) -> list[Outgoing]:
        """The active case's question again (after /cases and /export); nothing without one."""
        if case is None or case.status is not CaseStatus.ACTIVE:
            return []
        turn = Turn(normalise_language(language), case, self._new_case_id)
        ask(turn)
        return turn.result.outgoing

    def after_delete(self, *, language: str) -> list[Outgoing]:
        """Confirmation that every stored row of the user was erased."""
        return [Reply(text=t(normalise_language(language), "coach-after-delete"))]

    def unavailable(self, *, language: str) -> list[Outgoing]:
        """ "Temporarily unavailable, your answers are safe" (database down)."""
        return [Reply(text=t(normalise_language(language), "coach-unavailable"))]

    def render_stats(self, cases: Sequence[Case], *, language: str) -> list[Outgoing]:
        """``/stats``: the user's own cases — how many, how they ended, money, days."""
        return [stats.render(cases, language=normalise_language(language))]

    # --------------------------------------------------------------- follow-up

    def _on_follow_up(self, user: UserContext, user_input: UserInput) -> FlowResult | None:
        """The input answers the closed case's follow-up: its result; else ``None``."""
        closed, active = user.follow_up_case, _active(user)
        if closed is None or closed.status is not CaseStatus.DONE or closed.follow_up is None:
            return None
        if isinstance(user_input, ChoiceInput):
            pressed = callback.decode(user_input.data)
            if pressed is None or pressed.case_ref != callback.case_ref(closed.id):
                return None
            if active is not None and pressed.case_ref == callback.case_ref(active.id):
                return None
            turn = self._follow_up_turn(user, closed)
            label = None
            if pressed.turn == closed.turn:
                label = followup.label(closed.follow_up, pressed.choice, language=turn.language)
            if label is None:
                turn.result.choice = ChoiceOutcome.STALE
                turn.note("coach-stale")
                turn.flush()
            else:
                turn.result.choice = ChoiceOutcome.ACCEPTED
                turn.result.chosen_label = label
                followup.press(turn, pressed.choice, typed_ok=active is None, now=user.now)
            return self._after_follow_up(user, turn)
        typed = (FollowUp.ASKED, FollowUp.AMOUNT, FollowUp.NOTE)
        if active is None and isinstance(user_input, TextInput) and closed.follow_up in typed:
            turn = self._follow_up_turn(user, closed)
            followup.on_text(turn, user_input.text, now=user.now)
            return self._after_follow_up(user, turn)
        return None

    def _leave_follow_up(self, user: UserContext) -> Case | None:
        """Any other input leaves the follow-up's typed question; the case, if it changed."""
        closed = user.follow_up_case
        if closed is None or closed.follow_up not in (FollowUp.AMOUNT, FollowUp.NOTE):
            return None
        turn = self._follow_up_turn(user, closed)
        followup.leave(turn)
        return closed

    def _follow_up_turn(self, user: UserContext, closed: Case) -> Turn:
        surface = user.surface if user.surface in ("chat", "terminal") else "chat"
        return Turn(
            normalise_language(user.language),
            closed,
            self._new_case_id,
            surface=surface,
            signature=user.signature,
        )

    def _after_follow_up(self, user: UserContext, turn: Turn) -> FlowResult:
        """The follow-up's result: the closed case saved, then the active question again."""
        follow_up = turn.result
        active = _active(user)
        result = FlowResult(
            case=active,
            outgoing=list(follow_up.outgoing),
            effects=list(follow_up.effects),
            choice=follow_up.choice,
            chosen_label=follow_up.chosen_label,
            follow_up=turn.case,
            outcomes=list(follow_up.outcomes),
        )
        if active is not None:
            active.answers.ai_available = user.ai_available
            result.outgoing += self.current_question(active, language=user.language)
        return result

    # ------------------------------------------------------------------ inputs

    def _turn(self, user: UserContext) -> Turn:
        case = user.active_case
        if case is not None and case.status is not CaseStatus.ACTIVE:
            case = None
        if case is not None:
            case.answers.ai_available = user.ai_available
            case.answers.signature = user.signature
        surface = user.surface if user.surface in ("chat", "terminal") else "chat"
        return Turn(
            normalise_language(user.language),
            case,
            self._new_case_id,
            surface=surface,
            signature=user.signature,
        )

    def _on_text(self, turn: Turn, text: str) -> None:
        if turn.case is None:
            commands.new_case(turn)
            return
        if turn.case.answers.pending is not None:
            commands.answer_pending(turn, text)
            return
        if is_blank(text):
            turn.note("coach-blank")
            ask(turn)
            return
        spec = STEPS[turn.case.step]
        token = _match_label(turn.case, text) or _yes_no_token(turn.case, text)
        if token is not None:
            self._apply(turn, token)
            return
        cleaned = text.strip()
        if len(cleaned) > spec.max_length:
            cleaned = cleaned[: spec.max_length].rstrip()
            turn.note("coach-too-long", limit=spec.max_length)
        if spec.on_text is not None:
            if spec.needs_letters and not has_letters(cleaned):
                turn.note("coach-name-needs-letters")
                ask(turn)
                return
            advance(turn, spec.on_text(turn, cleaned))
            return
        if _is_yes_no(turn.case):
            turn.note("coach-yes-or-no")
        elif choices_for(turn.case):
            turn.note("coach-choose-button")
        ask(turn)

    def _on_choice(self, turn: Turn, data: str, named_case: Case | None) -> None:
        pressed = callback.decode(data)
        if pressed is not None and pressed.choice == reopen.REOPEN:
            reopen.reopen(turn, pressed_ref=pressed.case_ref, target=named_case)
            return
        case = turn.case
        if (
            pressed is not None
            and case is None
            and pressed.case_ref == callback.NO_CASE_REF
            and pressed.choice in (commands.DELETE_YES, commands.DELETE_NO)
        ):
            self._accept(turn, pressed.choice, turn.t(commands.GLOBAL_LABELS[pressed.choice]))
            return
        if pressed is None or case is None:
            self._stale(turn)
            return
        if pressed.case_ref != callback.case_ref(case.id) or pressed.turn != case.turn:
            self._stale(turn)
            return
        label: str | None = None
        if pressed.choice in commands.GLOBAL_LABELS:
            label = turn.t(commands.GLOBAL_LABELS[pressed.choice])
        else:
            for row in choices_for(case):
                for choice in row:
                    if choice.token == pressed.choice:
                        label = label_of(choice, language=turn.language)
        if label is None:
            self._stale(turn)
            return
        self._accept(turn, pressed.choice, label)

    def _accept(self, turn: Turn, token: str, label: str) -> None:
        turn.result.choice = ChoiceOutcome.ACCEPTED
        turn.result.chosen_label = label
        self._apply(turn, token)

    def _stale(self, turn: Turn) -> None:
        turn.result.choice = ChoiceOutcome.STALE
        turn.note("coach-stale")
        if turn.case is None:
            turn.say(turn.t("coach-no-case"))
        else:
            ask(turn)

    def _apply(self, turn: Turn, token: str) -> None:
        if commands.apply_global(turn, token):
            return
        assert turn.case is not None
        on_press = STEPS[turn.case.step].on_press
        assert on_press is not None, turn.case.step
        advance(turn, on_press(turn, token))


def _active(user: UserContext) -> Case | None:
    """The user's active case, if it really is active."""
    case = user.active_case
    return case if case is not None and case.status is CaseStatus.ACTIVE else None


def _match_label(case: Case, text: str) -> str | None:
    """The token of the button whose label (in any language) was typed, if any."""
    wanted = _normalise_label(text)
    if not wanted:
        return None
    for row in choices_for(case):
        for choice in row:
            for language in LANGUAGES:
                if _normalise_label(label_of(choice, language=language)) == wanted:
                    return choice.token
    return None


def _is_yes_no(case: Case) -> bool:
    """Whether the case's current question is a yes/no one (its buttons are "yes" and "no")."""
    tokens = {choice.token for row in choices_for(case) for choice in row}
    return {"yes", "no"} <= tokens


def _yes_no_token(case: Case, text: str) -> str | None:
    """At a yes/no question (its buttons are "yes" and "no"), the token a typed yes/no names."""
    if not _is_yes_no(case):
        return None
    answer = yes_no(text)
    if answer is None:
        return None
    return "yes" if answer else "no"


def _normalise_label(text: str) -> str:
    return "".join(text.replace(SUGGESTED_PREFIX, "").split()).casefold()
