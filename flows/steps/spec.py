"""What a step is: one :class:`StepSpec` holds everything the flow knows about it.

A spec names its step's question, buttons, what a press or a typed answer does
(each returns the trigger to fire, or ``None`` to ask again), what it shows on
entry, the answer field it fills, how the summary shows that answer, and
whether it can be changed from "Change facts". :mod:`flows.machine` builds the
``transitions`` graph from the specs' edges; the key families of every step
are checked in both locales (:func:`flows.machine.check_graph`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.case import MAX_TEXT_LENGTH, Answers, Step
from flows.i18n import t
from flows.prompts import Choice, quote
from flows.reply_facts import forget_fact
from flows.text import dash
from flows.turn import Turn

#: A press of one of the step's buttons: returns the trigger to fire, ``None`` to ask again.
Press = Callable[[Turn, str], str | None]
#: A typed answer (stripped, never empty): returns the trigger to fire, ``None`` to ask again.
Typed = Callable[[Turn, str], str | None]
#: Presentation on entering the step (advice, drafts), before its question is asked.
#: The second argument is the step the case came from (``None``: shown again).
Enter = Callable[[Turn, Step | None], None]
#: The buttons of the step for the case's answers.
Choices = Callable[[Answers], list[list[Choice]]]
#: The summary value of the step's answer in a language (``None``: not known).
Fact = Callable[[Answers, str], str | None]

#: The "answered, go on" trigger of most steps.
ANSWER = "answer"
#: The model callback of the "Change facts" edges.
START_EDITING = "start_editing"

SKIP = "skip"
KEEP = "keep"

#: Free-text limits of the typed facts that want less than :data:`MAX_TEXT_LENGTH`
#: (the delivery is "a few words"); the user is told when an answer is cut.
TEXT_LIMITS: dict[str, int] = {"delivery": 150}
#: Typed facts that are names: an answer with no letter at all ("🙂") is asked again.
NAME_FIELDS: frozenset[str] = frozenset({"client_name", "contact_name"})


@dataclass(frozen=True, slots=True)
class Edge:
    """A transition out of a step: ``trigger`` leads to ``dest`` when ``guard`` holds.

    A guard is a pure function of the answers; its name labels the diagram.
    """

    trigger: str
    dest: Step
    guard: Callable[[Answers], bool] | None = None
    #: A model callback run after the move (named as the machine's model method).
    after: str | None = None


def _no_choices(_answers: Answers) -> list[list[Choice]]:
    return []


@dataclass(frozen=True, slots=True)
class StepSpec:
    """Everything about one step of the conversation."""

    step: Step
    #: Transitions out of the step, in the order their guards are tried.
    edges: tuple[Edge, ...] = ()
    choices: Choices = _no_choices
    on_press: Press | None = None
    on_text: Typed | None = None
    on_enter: Enter | None = None
    #: The full question text (default: :func:`standard_question`).
    question: Callable[[Turn, StepSpec], str] | None = None
    #: The answer field the step fills (``None``: it fills none or several).
    field: str | None = None
    #: Whether the field holds an answer to keep (default: the field is truthy).
    answered: Callable[[Answers], bool] | None = None
    #: The field's value in "your answer so far" (default: quoted).
    current: Fact | None = None
    #: The summary's label key (``coach-field-…``) and value of the step's answer.
    field_label: str | None = None
    fact: Fact | None = None
    #: Offered in "Change facts" (in registry order).
    editable: bool = False
    #: While a fact is edited, answering this step returns straight to the reply.
    returns_when_editing: bool = False
    #: Whether the question is asked after the presentation (not for the closing step).
    asks: bool = True
    #: The longest typed answer kept (longer ones are cut, and the user is told).
    max_length: int = MAX_TEXT_LENGTH
    #: A typed answer must hold a letter (names): "🙂" is asked again.
    needs_letters: bool = False

    @property
    def prompt_key(self) -> str:
        """``coach-<step>-prompt``: the step's question."""
        return f"coach-{dash(self.step.value)}-prompt"

    @property
    def name_key(self) -> str:
        """``coach-step-<step>``: the step's name in /cases and /export."""
        return f"coach-step-{dash(self.step.value)}"

    @property
    def edit_key(self) -> str:
        """``coach-btn-edit-<step>``: the step's button in "Change facts"."""
        return f"coach-btn-edit-{dash(self.step.value)}"

    @property
    def edit_token(self) -> str:
        """The choice token of the step's button in "Change facts"."""
        return f"e.{self.step.value}"

    def has_answer(self, answers: Answers) -> bool:
        """Whether the step already holds an answer (after /back or "Change facts")."""
        if self.answered is not None:
            return self.answered(answers)
        return self.field is not None and bool(getattr(answers, self.field))

    def key_families(self) -> list[str]:
        """Every locale key the step needs (checked in each language when the graph is built)."""
        keys = [self.prompt_key, self.name_key]
        keys += [f"slack-step-{self.step.value}", f"slack-next-{self.step.value}"]
        if self.editable:
            keys.append(self.edit_key)
        if self.field_label is not None:
            keys.append(self.field_label)
        return keys


def is_editing(answers: Answers) -> bool:
    """Guard: a fact is being edited from the reply step."""
    return answers.editing


def edit_event(step: Step) -> str:
    """Name of the trigger that opens ``step`` from the "Change facts" menu."""
    return f"edit_{step.value}"


def keep_and_skip(answered: Callable[[Answers], bool]) -> Choices:
    """Buttons of a typed step: "keep my answer" when it holds one, then "skip"."""

    def choices(answers: Answers) -> list[list[Choice]]:
        keep = [[Choice(KEEP, "coach-btn-keep")]] if answered(answers) else []
        return [*keep, [Choice(SKIP, "coach-btn-skip")]]

    return choices


def text_fact(
    step: Step,
    *,
    field: str,
    then: tuple[Edge, ...],
    field_label: str,
    editable: bool = False,
) -> StepSpec:
    """The spec of a free-text fact: typed into ``field``, skippable, kept on "keep"."""

    def answered(answers: Answers) -> bool:
        return bool(getattr(answers, field))

    def on_press(turn: Turn, token: str) -> str:
        assert turn.case is not None
        if token != KEEP:
            setattr(turn.case.answers, field, None)
            forget_fact(turn.case.answers, field)
        return ANSWER

    def on_text(turn: Turn, text: str) -> str:
        assert turn.case is not None
        setattr(turn.case.answers, field, text)
        forget_fact(turn.case.answers, field)  # a translation of the old text is stale
        return ANSWER

    def fact(answers: Answers, _language: str) -> str | None:
        value = getattr(answers, field)
        return str(value) if value else None

    return StepSpec(
        step=step,
        edges=then,
        choices=keep_and_skip(answered),
        on_press=on_press,
        on_text=on_text,
        field=field,
        answered=answered,
        field_label=field_label,
        fact=fact,
        editable=editable,
        returns_when_editing=True,
        max_length=TEXT_LIMITS.get(field, MAX_TEXT_LENGTH),
        needs_letters=field in NAME_FIELDS,
    )


def standard_question(
    turn: Turn,
    spec: StepSpec,
    *,
    after_prompt: Sequence[str] = (),
    after_answer: Sequence[str] = (),
) -> str:
    """The step's prompt, extra lines, the "your answer so far" line, extra paragraphs."""
    assert turn.case is not None
    answers = turn.case.answers
    text = "\n".join([turn.t(spec.prompt_key), *after_prompt])
    if spec.has_answer(answers):
        value = spec.current(answers, turn.language) if spec.current is not None else None
        if value is None:
            value = quote(str(getattr(answers, spec.field or "")))
        text = f"{text}\n\n{t(turn.language, 'coach-current-answer', answer=value)}"
    return "\n\n".join([text, *after_answer])
