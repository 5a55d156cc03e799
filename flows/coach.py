"""The coach: the one entry point of the platform-neutral conversation.

The engine (``bot/engine.py``) loads a :class:`~flows.io.UserContext`, calls
one of these pure methods, and does all I/O with the result. CONTRACT — the
signatures below are shared by the engine, the adapters and the tests.

Effects the engine carries out: :class:`~flows.io.ScheduleReminder`,
:class:`~flows.io.SetLanguage`, :class:`~flows.io.ShowHistory` (then
:meth:`Coach.render_history`), :class:`~flows.io.ExportCase` (then
:meth:`Coach.render_export`) and :class:`~flows.io.DeleteUserData` (then
:meth:`Coach.after_delete`). Those results carry no text of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal

from flows import callback
from flows.case import (
    CURRENCIES,
    LANGUAGES,
    MAX_TEXT_LENGTH,
    Answers,
    CallStatus,
    Case,
    CaseStatus,
    Channel,
    ContinueMode,
    Intermediary,
    Mood,
    PaymentVariant,
    Problem,
    Solution,
    Step,
    Tone,
)
from flows.drafts import compose_call_request, compose_contract_clause, compose_reply
from flows.i18n import normalise_language, t
from flows.io import (
    Button,
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    DeleteUserData,
    Draft,
    DraftKind,
    ExportCase,
    FlowResult,
    Outgoing,
    ReminderKind,
    Reply,
    ScheduleReminder,
    SetLanguage,
    ShowHistory,
    TextInput,
    UnsupportedInput,
    UserContext,
    UserInput,
)
from flows.machine import EDITABLE_STEPS, Event, edit_event, fire, jump_back, prompt_key
from flows.money import (
    AmountError,
    format_money,
    parse_amount,
    parse_percent,
    parse_share,
    validate_deposit,
    validate_price,
)
from flows.prompts import (
    COMMANDS,
    FOLLOW_UP_DELAY,
    SUGGESTED_PREFIX,
    TEXT_FIELDS,
    Choice,
    choices_for,
    current_answer_line,
    fact_lines,
    label_of,
    payment_amount_lines,
    problem_questions,
    settlement_lines,
)

_LOGGER = logging.getLogger(__name__)

#: Tokens of buttons valid at any step (their turn must still match).
_RESUME, _FRESH, _DELETE_YES, _DELETE_NO = "resume", "fresh", "del.yes", "del.no"
_GLOBAL_LABELS = {
    _RESUME: "coach-btn-continue",
    _FRESH: "coach-btn-new-case",
    _DELETE_YES: "coach-btn-delete-yes",
    _DELETE_NO: "coach-btn-delete-no",
}

_TEXT_FIELDS = TEXT_FIELDS

#: Longest fact value in the closing summary (the export has them in full).
_SUMMARY_VALUE_LIMIT = 160

#: The "keep my answer" button of a typed-answer step that holds one.
_KEEP = "keep"

_COOL_DOWN_DELAYS = {"r15": timedelta(minutes=15), "r60": timedelta(hours=1)}


class _Turn:
    """Working state of one call: language, the case, the result being built."""

    def __init__(self, language: str, case: Case | None) -> None:
        self.language = language
        self.case = case
        self.result = FlowResult(case=case)
        self.notes: list[str] = []

    def t(self, key: str, /, **args: object) -> str:
        return t(self.language, key, **args)

    def note(self, key: str, /, **args: object) -> None:
        self.notes.append(self.t(key, **args))

    def say(self, text: str, choices: Sequence[Sequence[Choice]] = ()) -> None:
        """Send ``text`` (after pending notes) with buttons for ``choices``."""
        body = "\n\n".join([*self.notes, text]) if text else "\n\n".join(self.notes)
        self.notes.clear()
        self.result.outgoing.append(Reply(text=body, buttons=self.buttons(choices)))

    def flush(self) -> None:
        if self.notes:
            self.say("")

    def draft(self, draft: Draft) -> None:
        self.flush()
        self.result.outgoing.append(draft)

    def buttons(self, choices: Sequence[Sequence[Choice]]) -> tuple[tuple[Button, ...], ...]:
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


class Coach:
    """Moves cases through the shared ``transitions`` machine. Pure: no I/O."""

    # ------------------------------------------------------------------ contract

    def handle(self, user: UserContext, user_input: UserInput) -> FlowResult:
        """Apply one user input to the user's active case (creating one if needed)."""
        case = user.active_case
        if case is not None and case.status is not CaseStatus.ACTIVE:
            case = None
        turn = _Turn(normalise_language(user.language), case)
        if isinstance(user_input, CommandInput):
            self._on_command(turn, user_input)
        elif isinstance(user_input, ChoiceInput):
            self._on_choice(turn, user_input.data)
        elif isinstance(user_input, TextInput):
            self._on_text(turn, user_input.text)
        elif isinstance(user_input, UnsupportedInput):
            self._on_unsupported(turn)
        turn.flush()
        return turn.result

    def on_reminder(self, user: UserContext, kind: ReminderKind) -> FlowResult:
        """A scheduled reminder fell due: nudge the user and repeat the current question."""
        case = user.active_case
        if case is not None and case.status is not CaseStatus.ACTIVE:
            case = None
        turn = _Turn(normalise_language(user.language), case)
        if case is None:
            turn.say(turn.t("coach-reminder-no-case"))
            return turn.result
        if kind is ReminderKind.COOL_DOWN and case.step is Step.COOL_DOWN:
            turn.note("coach-reminder-cool-down")
        elif kind is ReminderKind.FOLLOW_UP and case.step in (Step.TALK, Step.PROBLEM):
            turn.note("coach-reminder-follow-up")
        else:
            turn.note("coach-reminder-generic")
        self._ask(turn)
        return turn.result

    def render_history(self, cases: Sequence[Case], *, language: str) -> list[Outgoing]:
        """``/cases``: the user's cases, newest first (``cases`` arrive newest first)."""
        lang = normalise_language(language)
        if not cases:
            return [Reply(text=t(lang, "coach-history-empty"))]
        lines = []
        for number, case in enumerate(cases, start=1):
            client = case.answers.client_name or t(lang, "coach-history-no-client")
            if case.status is CaseStatus.DONE:
                # "ACME — closed (closed)" said it twice: a finished case has no step to show.
                lines.append(
                    t(
                        lang,
                        "coach-history-line-done",
                        number=number,
                        client=_one_line(client, 60),
                        status=t(lang, f"coach-status-{case.status.value}"),
                    )
                )
                continue
            lines.append(
                t(
                    lang,
                    "coach-history-line",
                    number=number,
                    client=_one_line(client, 60),
                    step=t(lang, f"coach-step-{_dash(case.step)}"),
                    status=t(lang, f"coach-status-{case.status.value}"),
                )
            )
        return [Reply(text="\n".join(lines), title=t(lang, "coach-history-title"))]

    def render_export(self, case: Case | None, *, language: str) -> list[Outgoing]:
        """``/export``: the case as Markdown, in a :class:`~flows.io.Draft` of kind EXPORT."""
        lang = normalise_language(language)
        if case is None:
            return [Reply(text=t(lang, "coach-export-none"))]
        title = t(lang, "coach-export-title")
        client = case.answers.client_name or t(lang, "coach-history-no-client")
        lines = [f"# {title}: {_one_line(client, 80)}", ""]
        status = t(lang, f"coach-status-{case.status.value}")
        step = t(lang, f"coach-step-{_dash(case.step)}")
        lines.append(f"- **{t(lang, 'coach-field-status')}:** {status}")
        lines.append(f"- **{t(lang, 'coach-field-step')}:** {step}")
        for label, value in fact_lines(case.answers, language=lang):
            value_lines = value.splitlines() or [""]
            if len(value_lines) == 1:
                lines.append(f"- **{label}:** {value_lines[0]}")
            else:
                lines.append(f"- **{label}:**")
                lines.extend(f"  > {v}" for v in value_lines)
        money = settlement_lines(case.answers, language=lang)
        if money:
            lines += ["", f"## {t(lang, 'coach-field-payment')}", ""]
            lines.extend(f"- {line}" for line in money)
        return [Draft(kind=DraftKind.EXPORT, text="\n".join(lines), language=lang, title=title)]

    def after_delete(self, *, language: str) -> list[Outgoing]:
        """Confirmation that every stored row of the user was erased."""
        return [Reply(text=t(normalise_language(language), "coach-after-delete"))]

    def unavailable(self, *, language: str) -> list[Outgoing]:
        """ "Temporarily unavailable, your answers are safe" (database down)."""
        return [Reply(text=t(normalise_language(language), "coach-unavailable"))]

    # ------------------------------------------------------------------ inputs

    def _on_text(self, turn: _Turn, text: str) -> None:
        if turn.case is None:
            self._new_case(turn)
            return
        if len(text) > MAX_TEXT_LENGTH:
            text = text[:MAX_TEXT_LENGTH]
            turn.note("coach-too-long", limit=MAX_TEXT_LENGTH)
        token = self._match_label(turn.case, text)
        if token is not None:
            self._apply(turn, token)
            return
        handler = _TEXT_HANDLERS.get(turn.case.step)
        cleaned = text.strip()
        if handler is not None and cleaned:
            handler(self, turn, cleaned)
            return
        if choices_for(turn.case) and handler is None:
            turn.note("coach-choose-button")
        self._ask(turn)

    def _on_unsupported(self, turn: _Turn) -> None:
        turn.note("coach-text-only")
        if turn.case is None:
            self._new_case(turn)
        else:
            self._ask(turn)

    def _on_choice(self, turn: _Turn, data: str) -> None:
        pressed = callback.decode(data)
        case = turn.case
        if (
            pressed is not None
            and case is None
            and pressed.case_ref == callback.NO_CASE_REF
            and pressed.choice in (_DELETE_YES, _DELETE_NO)
        ):
            self._accept(turn, pressed.choice, t(turn.language, _GLOBAL_LABELS[pressed.choice]))
            return
        if pressed is None or case is None:
            self._stale(turn)
            return
        if pressed.case_ref != callback.case_ref(case.id) or pressed.turn != case.turn:
            self._stale(turn)
            return
        label: str | None = None
        if pressed.choice in _GLOBAL_LABELS:
            label = turn.t(_GLOBAL_LABELS[pressed.choice])
        else:
            for row in choices_for(case):
                for choice in row:
                    if choice.token == pressed.choice:
                        label = label_of(choice, language=turn.language)
        if label is None:
            self._stale(turn)
            return
        self._accept(turn, pressed.choice, label)

    def _accept(self, turn: _Turn, token: str, label: str) -> None:
        turn.result.choice = ChoiceOutcome.ACCEPTED
        turn.result.chosen_label = label
        self._apply(turn, token)

    def _stale(self, turn: _Turn) -> None:
        turn.result.choice = ChoiceOutcome.STALE
        turn.note("coach-stale")
        if turn.case is None:
            turn.say(turn.t("coach-no-case"))
        else:
            self._ask(turn)

    def _match_label(self, case: Case, text: str) -> str | None:
        wanted = _normalise_label(text)
        if not wanted:
            return None
        for row in choices_for(case):
            for choice in row:
                for language in LANGUAGES:
                    if _normalise_label(label_of(choice, language=language)) == wanted:
                        return choice.token
        return None

    # ------------------------------------------------------------------ commands

    def _on_command(self, turn: _Turn, command: CommandInput) -> None:
        name = command.name.strip().lstrip("/").lower()
        handler = _COMMANDS.get(name)
        if handler is None:
            turn.note("coach-unknown-command")
            turn.note("coach-commands")
            if turn.case is not None:
                self._ask(turn)
            return
        handler(self, turn, command.args.strip())

    def _cmd_help(self, turn: _Turn, _args: str) -> None:
        turn.note("coach-help")
        turn.note("coach-commands")
        if turn.case is not None:
            self._ask(turn)

    def _cmd_start(self, turn: _Turn, _args: str) -> None:
        case = turn.case
        if case is None:
            self._new_case(turn)
            return
        if case.step in (Step.START, Step.CALM) and case.answers.mood is None:
            if case.step is Step.CALM:  # the START prompt is the greeting itself
                turn.say(turn.t("coach-start-prompt"))
            self._ask(turn)
            return
        if case.answers.client_name:
            text = turn.t("coach-unfinished-named", client=_one_line(case.answers.client_name, 60))
        else:
            text = turn.t("coach-unfinished")
        turn.say(
            text,
            [[Choice(_RESUME, _GLOBAL_LABELS[_RESUME]), Choice(_FRESH, _GLOBAL_LABELS[_FRESH])]],
        )

    def _cmd_back(self, turn: _Turn, _args: str) -> None:
        if turn.case is None:
            turn.say(turn.t("coach-no-case"))
            return
        if jump_back(turn.case):
            turn.note("coach-back-done")
            self._present(turn)
        else:
            turn.note("coach-back-none")
            self._ask(turn)

    def _cmd_restart(self, turn: _Turn, _args: str) -> None:
        self._restart(turn)

    def _cmd_cancel(self, turn: _Turn, _args: str) -> None:
        if turn.case is None:
            turn.say(turn.t("coach-cancel-none"))
            return
        self._close(turn, CaseStatus.CANCELLED)
        turn.say(turn.t("coach-cancelled"))

    def _cmd_lang(self, turn: _Turn, args: str) -> None:
        wanted = args.lower()
        if wanted[:2] in LANGUAGES:
            language = wanted[:2]
        else:
            language = "en" if turn.language == "bg" else "bg"
        turn.language = language
        turn.result.effects.append(SetLanguage(language=language))
        turn.note("coach-lang-switched")
        if turn.case is not None:
            self._ask(turn)

    def _cmd_cases(self, turn: _Turn, _args: str) -> None:
        turn.result.effects.append(ShowHistory())

    def _cmd_export(self, turn: _Turn, _args: str) -> None:
        turn.result.effects.append(ExportCase())

    def _cmd_delete(self, turn: _Turn, _args: str) -> None:
        turn.say(
            turn.t("coach-delete-confirm"),
            [
                [
                    Choice(_DELETE_YES, _GLOBAL_LABELS[_DELETE_YES]),
                    Choice(_DELETE_NO, _GLOBAL_LABELS[_DELETE_NO]),
                ]
            ],
        )

    # ------------------------------------------------------------------ cases

    def _new_case(self, turn: _Turn) -> None:
        case = Case()
        fire(case, Event.BEGIN)
        turn.case = case
        turn.result.case = case
        turn.say(turn.t("coach-start-prompt"))
        self._present(turn)

    def _restart(self, turn: _Turn) -> None:
        if turn.case is not None:
            self._close(turn, CaseStatus.CANCELLED)
            turn.note("coach-restarted")
        self._new_case(turn)

    def _close(self, turn: _Turn, status: CaseStatus) -> None:
        assert turn.case is not None
        turn.case.status = status
        turn.result.closed.append(turn.case)
        turn.case = None
        turn.result.case = None

    # ------------------------------------------------------------------ questions

    def _ask(self, turn: _Turn) -> None:
        """Repeat the current question with its buttons."""
        assert turn.case is not None
        case = turn.case
        text = turn.t(prompt_key(case.step))
        if case.step is Step.DEPOSIT and case.answers.price is not None:
            # The price shows the deposit's currency and its ceiling ("400 €" misled in USD).
            price = format_money(case.answers.price, case.answers.currency, language=turn.language)
            text = f"{text}\n{turn.t('coach-payment-price', price=price)}"
        current = current_answer_line(case.answers, case.step, language=turn.language)
        if current is not None:
            text = f"{text}\n\n{current}"
        if case.step is Step.PAYMENT:
            amounts = payment_amount_lines(case.answers, language=turn.language)
            if amounts:
                text = f"{text}\n\n" + "\n".join(amounts)
            text = f"{text}\n\n{turn.t('coach-payment-suggested')}"
        turn.say(text, choices_for(case))

    def _present(self, turn: _Turn) -> None:
        """Show the current step in full: its advice, drafts, then the question."""
        assert turn.case is not None
        case = turn.case
        answers = case.answers
        step = case.step
        if step is Step.COOL_DOWN:
            turn.note("coach-cool-down-tip")
        elif step is Step.TALK:
            turn.note(_talk_advice_key(answers))
            if _talk_needs_draft(answers):
                turn.draft(
                    compose_call_request(answers, language=_reply_language(turn), tone=answers.tone)
                )
        elif step is Step.PROBLEM:
            more = answers.problem is Problem.UNCLEAR and answers.unclear_rounds % 2 == 1
            intro = "coach-problem-more-intro" if more else "coach-problem-intro"
            questions = problem_questions(answers, language=turn.language, more=more)
            turn.notes.append("\n".join([turn.t(intro), *(f"• {q}" for q in questions)]))
        elif step is Step.REPLY:
            turn.note("coach-reply-tips")
            self._send_reply_draft(turn)
        elif step is Step.DONE:
            self._finish(turn)
            return
        self._ask(turn)

    def _send_reply_draft(self, turn: _Turn) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        if answers.reply_language is None:
            # The reply keeps the language it was first shown in: a later /lang changes
            # the coach's words, not a draft the user may already have copied.
            answers.reply_language = turn.language
        turn.draft(compose_reply(answers, language=_reply_language(turn), tone=answers.tone))

    def _finish(self, turn: _Turn) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        lines = [turn.t("coach-done-prompt")]
        facts = fact_lines(answers, language=turn.language)
        # A pasted 1 000-character message would bury the summary; /export keeps it whole.
        lines.extend(
            f"• {label}: {_one_line(value, _SUMMARY_VALUE_LIMIT)}" for label, value in facts
        )
        lines.extend(f"• {line}" for line in settlement_lines(answers, language=turn.language))
        turn.notes.append("\n".join(lines))
        turn.note("coach-done-tip")
        turn.draft(compose_contract_clause(answers, language=_reply_language(turn)))
        turn.say(turn.t("coach-done-bye"))
        self._close(turn, CaseStatus.DONE)

    def _move(self, turn: _Turn, trigger: str, *, present: bool = True) -> None:
        assert turn.case is not None
        fire(turn.case, trigger)
        if present:
            self._present(turn)
        else:
            self._ask(turn)

    # ------------------------------------------------------------------ choices

    def _apply(self, turn: _Turn, token: str) -> None:
        if token == _RESUME:
            self._present(turn)
            return
        if token == _FRESH:
            self._restart(turn)
            return
        if token == _DELETE_YES:
            turn.result.effects.append(DeleteUserData())
            turn.case = None
            turn.result.case = None
            return
        if token == _DELETE_NO:
            turn.note("coach-delete-kept")
            if turn.case is not None:
                self._ask(turn)
            else:
                turn.flush()
            return
        assert turn.case is not None
        action = _CHOICE_ACTIONS[turn.case.step]
        action(self, turn, token)

    def _choose_start(self, turn: _Turn, token: str) -> None:
        self._move(turn, Event.BEGIN)

    def _choose_calm(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token == "calm":
            turn.case.answers.mood = Mood.CALM
            turn.note("coach-calm-go")
            self._move(turn, Event.CALM)
        else:
            turn.case.answers.mood = Mood.UPSET
            self._move(turn, Event.UPSET)

    def _choose_cool_down(self, turn: _Turn, token: str) -> None:
        if token in _COOL_DOWN_DELAYS:
            turn.result.effects.append(
                ScheduleReminder(kind=ReminderKind.COOL_DOWN, delay=_COOL_DOWN_DELAYS[token])
            )
            turn.note(f"coach-cool-down-{token}")
            self._move(turn, Event.REMIND, present=False)
        else:
            turn.note("coach-calm-go")
            self._move(turn, Event.READY)

    def _choose_fact(self, turn: _Turn, token: str) -> None:
        # Free-text fact steps offer "skip" (leave it out) and, with an answer, "keep".
        assert turn.case is not None
        if token != _KEEP:
            setattr(turn.case.answers, _TEXT_FIELDS[turn.case.step], None)
        self._move(turn, Event.ANSWER)

    def _choose_intermediary(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        turn.case.answers.intermediary = None if token == "skip" else Intermediary(token)
        self._move(turn, Event.ANSWER)

    def _choose_channel(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        turn.case.answers.channel = None if token == "skip" else Channel(token)
        self._move(turn, Event.ANSWER)

    def _choose_currency(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token != "skip":
            turn.case.answers.currency = token.upper()
        self._move(turn, Event.ANSWER)

    def _choose_price(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token != _KEEP:
            turn.case.answers.price = None
        self._move(turn, Event.ANSWER)

    def _choose_deposit(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token != _KEEP:
            turn.case.answers.deposit = Decimal("0.00") if token == "none" else None
        self._move(turn, Event.ANSWER)

    def _choose_talk(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        status = {"arranged": CallStatus.ARRANGED, "follow": CallStatus.FOLLOW_UP}.get(
            token, CallStatus.SKIPPED
        )
        turn.case.answers.call_status = status
        if status is CallStatus.FOLLOW_UP:
            turn.result.effects.append(
                ScheduleReminder(kind=ReminderKind.FOLLOW_UP, delay=FOLLOW_UP_DELAY)
            )
            turn.note("coach-talk-follow-up-set")
        elif status is CallStatus.ARRANGED:
            turn.note("coach-talk-arranged")
        self._move(turn, Event.ANSWER)

    def _choose_problem(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        answers.problem = Problem(token)
        if answers.problem is Problem.UNCLEAR:
            answers.unclear_rounds += 1
            fire(turn.case, Event.UNCLEAR)
            if turn.case.step is Step.TALK:
                turn.note("coach-problem-unclear-talk")
            self._present(turn)
            return
        self._move(turn, Event.ANSWER)

    def _choose_solution(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token == "redo":
            turn.case.answers.solution = Solution.REDO
            turn.note("coach-solution-redo")
            self._move(turn, Event.REDO)
        else:
            turn.case.answers.solution = Solution.PART_WAYS
            turn.case.answers.deadline = None
            turn.note("coach-solution-part")
            self._move(turn, Event.PART_WAYS)

    def _choose_payment(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        answers.payment_variant = PaymentVariant(token)
        if answers.payment_variant is PaymentVariant.KEEP_DEPOSIT:
            self._note_settlement(turn)
            self._move(turn, Event.KEEP_DEPOSIT)
        elif answers.payment_variant is PaymentVariant.KILL_FEE:
            self._move(turn, Event.KILL_FEE)
        else:
            self._move(turn, Event.CONTINUE)

    def _choose_share(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        if token == "other":
            self._move(turn, Event.SHARE_OTHER)
            return
        turn.case.answers.kill_fee_percent = Decimal(token.removeprefix("p"))
        self._move(turn, Event.SHARE)

    def _choose_agreed(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        agreed = token == "yes"
        turn.case.answers.kill_fee_agreed = agreed
        self._note_settlement(turn)
        turn.note("coach-kill-fee-agreed-yes" if agreed else "coach-kill-fee-agreed-no")
        self._move(turn, Event.ANSWER)

    def _choose_continue_mode(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        mode = ContinueMode(token)
        turn.case.answers.continue_mode = mode
        if mode is ContinueMode.DEDUCT:
            self._move(turn, Event.DEDUCT)
        else:
            turn.case.answers.unusable_amount = None
            self._note_settlement(turn)
            self._move(turn, Event.ABSORB)

    def _choose_reply(self, turn: _Turn, token: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        if token == "tone":
            answers.tone = Tone.FRIENDLY if answers.tone is Tone.FORMAL else Tone.FORMAL
            turn.note(f"coach-reply-tone-{answers.tone.value}")
        elif token == "lang":
            answers.reply_language = "en" if _reply_language(turn) == "bg" else "bg"
            turn.note(f"coach-reply-language-{answers.reply_language}")
        elif token == "facts":
            self._move(turn, Event.CHANGE_FACTS)
            return
        else:
            self._move(turn, Event.FINISH)
            return
        fire(turn.case, Event.RETOUCH)
        self._send_reply_draft(turn)
        self._ask(turn)

    def _choose_edit(self, turn: _Turn, token: str) -> None:
        if token == "ret":
            self._move(turn, Event.BACK_TO_REPLY)
            return
        step = Step(token.removeprefix("e."))
        self._move(turn, edit_event(step), present=False)

    # ------------------------------------------------------------------ typed answers

    def _text_fact(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        setattr(turn.case.answers, _TEXT_FIELDS[turn.case.step], text)
        self._move(turn, Event.ANSWER)

    def _text_vent(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        turn.case.answers.vented.append(text)
        turn.note("coach-cool-down-vented")
        self._ask(turn)

    def _text_price(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        try:
            amount, currency = parse_amount(text)
            validate_price(amount)
        except AmountError as err:
            self._amount_error(turn, err)
            return
        if answers.deposit is not None and answers.deposit > amount:
            # The price is being typed (or edited): name the deposit it is below.
            deposit = format_money(answers.deposit, answers.currency, language=turn.language)
            turn.note("money-error-price-below-deposit", example=deposit)
            self._ask(turn)
            return
        if currency is not None and currency in CURRENCIES and currency != answers.currency:
            answers.currency = currency
            turn.note("coach-currency-set", currency=currency)
        answers.price = amount
        self._move(turn, Event.ANSWER)

    def _text_deposit(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        try:
            amount, currency = parse_amount(text)
            validate_deposit(amount, answers.price)
        except AmountError as err:
            if err.key == "money-error-deposit-above-price" and answers.price is not None:
                # Show the price as the user knows it: "1 200,50 лв.", not "1200.50".
                price = format_money(answers.price, answers.currency, language=turn.language)
                err = AmountError(err.key, price)
            self._amount_error(turn, err)
            return
        if currency is not None and currency != answers.currency:
            turn.note("coach-currency-mismatch", currency=answers.currency)
            self._ask(turn)
            return
        answers.deposit = amount
        self._move(turn, Event.ANSWER)

    def _text_percent(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        try:
            percent = parse_percent(text)
        except AmountError as err:
            self._amount_error(turn, err)
            return
        turn.case.answers.kill_fee_percent = percent
        self._move(turn, Event.ANSWER)

    def _text_unusable(self, turn: _Turn, text: str) -> None:
        assert turn.case is not None
        answers = turn.case.answers
        try:
            amount = parse_share(text, base=answers.price)
        except AmountError as err:
            self._amount_error(turn, err)
            return
        answers.unusable_amount = amount
        self._note_settlement(turn)
        self._move(turn, Event.ANSWER)

    def _amount_error(self, turn: _Turn, err: AmountError) -> None:
        turn.note(err.key, example=err.example)
        self._ask(turn)

    def _note_settlement(self, turn: _Turn) -> None:
        assert turn.case is not None
        lines = settlement_lines(turn.case.answers, language=turn.language)
        if lines:
            turn.notes.append("\n".join(lines))


# ---------------------------------------------------------------------- tables

_ChoiceAction = Callable[[Coach, _Turn, str], None]
_TextAction = Callable[[Coach, _Turn, str], None]
_Command = Callable[[Coach, _Turn, str], None]

_CHOICE_ACTIONS: dict[Step, _ChoiceAction] = {
    Step.START: Coach._choose_start,
    Step.CALM: Coach._choose_calm,
    Step.COOL_DOWN: Coach._choose_cool_down,
    Step.CLIENT_NAME: Coach._choose_fact,
    Step.DELIVERY: Coach._choose_fact,
    Step.CLIENT_SAID: Coach._choose_fact,
    Step.INTERMEDIARY: Coach._choose_intermediary,
    Step.CHANNEL: Coach._choose_channel,
    Step.CURRENCY: Coach._choose_currency,
    Step.PRICE: Coach._choose_price,
    Step.DEPOSIT: Coach._choose_deposit,
    Step.TALK: Coach._choose_talk,
    Step.PROBLEM: Coach._choose_problem,
    Step.PROBLEM_DETAILS: Coach._choose_fact,
    Step.SOLUTION: Coach._choose_solution,
    Step.DEADLINE: Coach._choose_fact,
    Step.PAYMENT: Coach._choose_payment,
    Step.KILL_FEE_SHARE: Coach._choose_share,
    Step.KILL_FEE_AGREED: Coach._choose_agreed,
    Step.CONTINUE_MODE: Coach._choose_continue_mode,
    Step.REPLY: Coach._choose_reply,
    Step.EDIT_FACTS: Coach._choose_edit,
}

_TEXT_HANDLERS: dict[Step, _TextAction] = {
    Step.START: Coach._choose_start,
    Step.COOL_DOWN: Coach._text_vent,
    Step.CLIENT_NAME: Coach._text_fact,
    Step.DELIVERY: Coach._text_fact,
    Step.CLIENT_SAID: Coach._text_fact,
    Step.PROBLEM_DETAILS: Coach._text_fact,
    Step.DEADLINE: Coach._text_fact,
    Step.PRICE: Coach._text_price,
    Step.DEPOSIT: Coach._text_deposit,
    Step.KILL_FEE_OTHER: Coach._text_percent,
    Step.UNUSABLE: Coach._text_unusable,
}

_COMMANDS: dict[str, _Command] = {
    "help": Coach._cmd_help,
    "start": Coach._cmd_start,
    "coach": Coach._cmd_start,
    "back": Coach._cmd_back,
    "restart": Coach._cmd_restart,
    "cancel": Coach._cmd_cancel,
    "lang": Coach._cmd_lang,
    "cases": Coach._cmd_cases,
    "export": Coach._cmd_export,
    "delete": Coach._cmd_delete,
}
assert set(COMMANDS) <= set(_COMMANDS)
assert set(_CHOICE_ACTIONS) | {Step.KILL_FEE_OTHER, Step.UNUSABLE, Step.DONE} == set(Step)
assert set(EDITABLE_STEPS) <= set(Step)


# ---------------------------------------------------------------------- helpers


def _reply_language(turn: _Turn) -> str:
    assert turn.case is not None
    return turn.case.answers.reply_language or turn.language


def _talk_advice_key(answers: Answers) -> str:
    if answers.intermediary is Intermediary.AGENCY:
        return "coach-talk-agency"
    if answers.intermediary is Intermediary.FREELANCER:
        return "coach-talk-freelancer"
    if answers.channel is Channel.WRITING:
        return "coach-talk-writing"
    return "coach-talk-direct"


def _talk_needs_draft(answers: Answers) -> bool:
    return answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER) or (
        answers.channel is Channel.WRITING
    )


def _normalise_label(text: str) -> str:
    return "".join(text.replace(SUGGESTED_PREFIX, "").split()).casefold()


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _dash(step: Step) -> str:
    return step.value.replace("_", "-")
