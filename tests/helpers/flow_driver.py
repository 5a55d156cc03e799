"""A collecting driver for the pure coach: type, press buttons by label, run commands.

Like Rasa's ``CollectingOutputChannel``: every :class:`~flows.io.FlowResult` is
kept, the active case is carried from one input to the next (as the engine
would), ``SetLanguage`` effects switch the driver's language and ``SetSignature``
effects change the user's sign-off.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flows.case import Case, Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import (
    Button,
    ChoiceInput,
    CommandInput,
    Draft,
    Effect,
    FlowResult,
    Outgoing,
    ReminderKind,
    Reply,
    SetLanguage,
    SetSignature,
    TextInput,
    UnsupportedInput,
    UserContext,
    UserInput,
)


@dataclass
class FlowDriver:
    """Feeds inputs to one :class:`Coach` for one user and records what came back."""

    language: str = "en"
    coach: Coach = field(default_factory=Coach)
    case: Case | None = None
    results: list[FlowResult] = field(default_factory=list)
    closed: list[Case] = field(default_factory=list)
    keyboard: Reply | None = None
    #: The user's stored sign-off (``/signature``): ``None`` never set — then the
    #: first suggested reply asks it. By default the user has answered it already
    #: (skipped), so a test about another step walks on; the sign-off tests pass ``None``.
    signature: str | None = ""
    #: Every case of the user as the engine would have stored it, oldest first.
    stored: dict[str, Case] = field(default_factory=dict)

    # ------------------------------------------------------------------ inputs

    def send(self, user_input: UserInput) -> FlowResult:
        """Send any input; keep the result, the case and the latest keyboard.

        A case the input names (a "Reopen" press) is looked up among this user's
        stored cases, a copy of it handed over, as the engine would load it.
        """
        ref = self.coach.case_named_by(user_input)
        named = None
        if ref is not None:
            found = [case for case in self.stored.values() if case.id.startswith(ref)]
            named = copy.deepcopy(found[0]) if len(found) == 1 else None
        result = self.coach.handle(
            UserContext(
                language=self.language,
                active_case=self.case,
                signature=self.signature,
                named_case=named,
            ),
            user_input,
        )
        self._record(result)
        return result

    def text(self, text: str) -> FlowResult:
        """Type ``text``."""
        return self.send(TextInput(text))

    def command(self, name: str, args: str = "") -> FlowResult:
        """Run ``/name args``."""
        return self.send(CommandInput(name, args))

    def unsupported(self, kind: str = "photo") -> FlowResult:
        """Send a photo, sticker, …"""
        return self.send(UnsupportedInput(kind))

    def data(self, data: str) -> FlowResult:
        """Press a button with raw (maybe forged) data."""
        return self.send(ChoiceInput(data))

    def press(self, label: str) -> FlowResult:
        """Press the button labelled ``label`` (★ ignored) on the latest keyboard."""
        return self.data(self.button(label).data)

    def press_key(self, key: str, **args: object) -> FlowResult:
        """Press the button whose label is message ``key`` in the current language."""
        return self.press(t(self.language, key, **args))

    def reminder(self, kind: ReminderKind) -> FlowResult:
        """Deliver a due reminder."""
        result = self.coach.on_reminder(
            UserContext(language=self.language, active_case=self.case), kind
        )
        self._record(result)
        return result

    def history(self) -> Reply:
        """``/cases`` as the engine renders it (newest first); its buttons become the keyboard."""
        newest_first = list(reversed(self.stored.values()))
        rendered = self.coach.render_history(newest_first, language=self.language)
        reply = rendered[0]
        assert isinstance(reply, Reply)
        if reply.buttons:
            self.keyboard = reply
        return reply

    def skip_reply_facts(self) -> int:
        """Leave out every fact the reply asks to retype in its language; return how many."""
        skipped = 0
        leave_out = t(self.language, "coach-btn-leave-out")
        while self.keyboard is not None and leave_out in self.labels():
            self.press(leave_out)
            skipped += 1
        return skipped

    # ------------------------------------------------------------------ looking

    def button(self, label: str) -> Button:
        """The button labelled ``label`` on the latest keyboard (AssertionError if absent)."""
        assert self.keyboard is not None, "no keyboard was sent yet"
        for row in self.keyboard.buttons:
            for button in row:
                if button.label.removeprefix("★ ") == label or button.label == label:
                    return button
        labels = [b.label for row in self.keyboard.buttons for b in row]
        raise AssertionError(f"no button {label!r} in {labels}")

    def labels(self) -> list[str]:
        """Labels of the latest keyboard."""
        assert self.keyboard is not None
        return [b.label for row in self.keyboard.buttons for b in row]

    @property
    def last(self) -> FlowResult:
        """The latest result."""
        return self.results[-1]

    def replies(self, result: FlowResult | None = None) -> list[Reply]:
        """Replies of ``result`` (default: the latest)."""
        return [o for o in (result or self.last).outgoing if isinstance(o, Reply)]

    def drafts(self, result: FlowResult | None = None) -> list[Draft]:
        """Drafts of ``result`` (default: the latest)."""
        return [o for o in (result or self.last).outgoing if isinstance(o, Draft)]

    def text_of(self, result: FlowResult | None = None) -> str:
        """All reply texts of ``result`` joined (drafts excluded)."""
        return "\n\n".join(r.text for r in self.replies(result))

    def said(self, key: str, **args: object) -> bool:
        """Whether the latest replies contain message ``key`` rendered in the current language."""
        return t(self.language, key, **args) in self.text_of()

    def effects(self, result: FlowResult | None = None) -> list[Effect]:
        """Effects of ``result`` (default: the latest)."""
        return list((result or self.last).effects)

    def all_outgoing(self) -> list[Outgoing]:
        """Everything ever sent."""
        return [o for r in self.results for o in r.outgoing]

    # ------------------------------------------------------------------ internals

    def _record(self, result: FlowResult) -> None:
        self.results.append(result)
        self.case = result.case
        self.closed.extend(result.closed)
        for case in [*result.closed, *([result.case] if result.case is not None else [])]:
            self.stored[case.id] = case  # keeps its place: storage lists by creation
        for effect in result.effects:
            if isinstance(effect, SetLanguage):
                self.language = effect.language
            elif isinstance(effect, SetSignature):
                self.signature = effect.text
        for out in result.outgoing:
            if isinstance(out, Reply) and out.buttons:
                self.keyboard = out


# ---------------------------------------------------------------------- routes

#: How to reach each step from its parent with typical answers:
#: step -> (parent step, ("text", typed) | ("key", button label key)).
ROUTES: dict[Step, tuple[Step | None, tuple[str, str]]] = {
    Step.CALM: (None, ("text", "hello")),
    Step.COOL_DOWN: (Step.CALM, ("key", "coach-btn-upset")),
    Step.CLIENT_NAME: (Step.CALM, ("key", "coach-btn-calm")),
    Step.CONTACT_NAME: (Step.CLIENT_NAME, ("text", "ACME Ltd")),
    Step.DELIVERY: (Step.CONTACT_NAME, ("text", "Maria")),
    Step.CLIENT_SAID: (Step.DELIVERY, ("text", "a logo and business cards")),
    # "said" is typed in the driver's language: its script pre-selects the reply's language.
    Step.INTERMEDIARY: (Step.CLIENT_SAID, ("said", "")),
    Step.INTERMEDIARY_CONTACT: (Step.INTERMEDIARY, ("key", "coach-btn-agency")),
    Step.CHANNEL: (Step.INTERMEDIARY_CONTACT, ("text", "Petra")),
    Step.PRICE: (Step.CHANNEL, ("key", "coach-btn-writing")),
    Step.DEPOSIT: (Step.PRICE, ("text", "1 200")),
    Step.TALK: (Step.DEPOSIT, ("text", "400")),
    Step.PROBLEM: (Step.TALK, ("key", "coach-btn-call-arranged")),
    Step.PROBLEM_DETAILS: (Step.PROBLEM, ("key", "coach-btn-problem-brief")),
    Step.SOLUTION: (Step.PROBLEM_DETAILS, ("text", "They wanted a calmer palette")),
    Step.DEADLINE: (Step.SOLUTION, ("key", "coach-btn-redo")),
    Step.PAYMENT: (Step.DEADLINE, ("text", "by Friday")),
    Step.PAYMENT_CONFIRM: (Step.PAYMENT, ("key", "coach-btn-pay-kill-fee")),
    Step.KILL_FEE_SHARE: (Step.PAYMENT_CONFIRM, ("key", "coach-btn-confirm-part-ways")),
    Step.KILL_FEE_OTHER: (Step.KILL_FEE_SHARE, ("key", "coach-btn-share-other")),
    Step.KILL_FEE_AGREED: (Step.KILL_FEE_OTHER, ("text", "35")),
    Step.CONTINUE_MODE: (Step.PAYMENT, ("key", "coach-btn-pay-continue")),
    Step.UNUSABLE: (Step.CONTINUE_MODE, ("key", "coach-btn-deduct")),
    Step.REPLY: (Step.KILL_FEE_AGREED, ("key", "coach-btn-yes")),
    Step.EDIT_FACTS: (Step.REPLY, ("key", "coach-btn-change-facts")),
    Step.CURRENCY: (Step.EDIT_FACTS, ("key", "coach-btn-edit-currency")),
    Step.DONE: (Step.REPLY, ("key", "coach-btn-done")),
}

#: Steps a conversation can stand at (START only exists for a stored fresh case).
ACTIVE_STEPS: tuple[Step, ...] = tuple(s for s in Step if s not in (Step.START, Step.DONE))


#: The route's free-text facts as a Bulgarian user types them: a reply in the
#: coach's language then asks nothing again (see :mod:`flows.reply_facts`).
BG_FACTS = {
    "a logo and business cards": "логото и визитките",
    "They wanted a calmer palette": "искате по-спокойни цветове",
    "by Friday": "до петък",
}


def localised(text: str, language: str) -> str:
    """A route's free-text fact as typed by a user of ``language``."""
    return BG_FACTS.get(text, text) if language == "bg" else text


def client_said(language: str) -> str:
    """The client's message as typed in ``language`` (so the reply stays in that language)."""
    return "Не е това, което търсим" if language == "bg" else "It is not what we are looking for"


def act(driver: FlowDriver, action: tuple[str, str]) -> FlowResult:
    """Perform one route action: type text or press a button by label key."""
    kind, value = action
    if kind == "said":
        return driver.text(client_said(driver.language))
    if kind == "text":
        return driver.text(localised(value, driver.language))
    return driver.press_key(value)


def drive_to(driver: FlowDriver, step: Step) -> FlowDriver:
    """Walk a fresh driver to ``step`` along :data:`ROUTES`; return it."""
    if step is Step.START:
        driver.case = Case()
        return driver
    parent, action = ROUTES[step]
    if parent is not None:
        drive_to(driver, parent)
    act(driver, action)
    if step is not Step.DONE:
        assert driver.case is not None and driver.case.step is step, (step, driver.case)
    return driver
