"""Builders for engine tests: a settable clock, messages, and a scripted conversation driver.

The driver talks to the engine like an adapter does: it reads the buttons of
the last replies, presses the one whose choice token the script names for the
case's current step, or types the scripted text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from bot.engine import Engine, EngineResult, IncomingMessage
from flows import callback
from flows.case import Answers, Case, Step
from flows.io import (
    Button,
    ChoiceInput,
    CommandInput,
    ConversationKey,
    Outgoing,
    Reply,
    TextInput,
    UserInput,
)
from flows.steps import STEPS
from storage import Storage


class FakeClock:
    """A clock the test moves by hand (timezone-aware UTC)."""

    def __init__(self, start: datetime = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.now += delta


_UPDATE_IDS = count(1)


def message(
    key: ConversationKey,
    user_input: UserInput,
    *,
    update_id: str | None = None,
    platform_language: str | None = None,
) -> IncomingMessage:
    """An incoming message with a fresh update id unless one is given."""
    return IncomingMessage(
        key=key,
        user_input=user_input,
        update_id=update_id if update_id is not None else f"u{next(_UPDATE_IDS)}",
        platform_language=platform_language,
    )


def buttons_of(outgoing: Sequence[Outgoing]) -> list[Button]:
    """Every button of the replies, in order."""
    return [b for item in outgoing if isinstance(item, Reply) for row in item.buttons for b in row]


def press(outgoing: Sequence[Outgoing], token: str) -> ChoiceInput:
    """The press of the button whose choice token is ``token``; fails if it is not offered."""
    for button in buttons_of(outgoing):
        data = callback.decode(button.data)
        if data is not None and data.choice == token:
            return ChoiceInput(data=button.data)
    offered = [d.choice for b in buttons_of(outgoing) if (d := callback.decode(b.data))]
    raise AssertionError(f"no button {token!r} offered; offered: {offered}")


def texts_of(outgoing: Sequence[Outgoing]) -> list[str]:
    """The texts of the replies and drafts (what the user reads)."""
    return [item.text for item in outgoing]


@dataclass(frozen=True, slots=True)
class Press:
    """Script action: press the button with this choice token."""

    token: str


@dataclass(frozen=True, slots=True)
class Type:
    """Script action: type this text."""

    text: str


Action = Press | Type


@dataclass(slots=True)
class Script:
    """What to do at each step; a list is consumed one action per visit."""

    language: str
    actions: Mapping[Step, Sequence[Action]]
    stop_at: Step = Step.DONE


#: Bulgarian: cool-down, an agency, BGN, "still unclear", part ways, a custom
#: kill fee, then change a fact from the reply.
BULGARIAN_PATH = Script(
    language="bg",
    actions={
        Step.START: [Press("go")],
        Step.CALM: [Press("upset")],
        Step.COOL_DOWN: [Press("r15"), Press("ready")],
        Step.CLIENT_NAME: [Type("Акме ООД"), Type("„Акме“ АД")],
        Step.CONTACT_NAME: [Type("Мария")],
        Step.DELIVERY: [Type("Лого и визитки")],
        Step.CLIENT_SAID: [Type("Не е това, което си представях.")],
        Step.INTERMEDIARY: [Press("agency")],
        Step.INTERMEDIARY_CONTACT: [Type("Петя")],
        Step.CHANNEL: [Press("writing")],
        Step.PRICE: [Type("1 200,50 лв")],  # the price names the currency
        Step.DEPOSIT: [Type("400")],
        Step.TALK: [Press("arranged"), Press("arranged")],
        Step.PROBLEM: [Press("unclear"), Press("style")],
        Step.PROBLEM_DETAILS: [Type("Искат по-строг стил.")],
        Step.SOLUTION: [Press("part")],
        # "Continue together" after parting ways is confirmed first; "no" goes back.
        Step.PAYMENT: [Press("continue"), Press("kill_fee")],
        Step.PAYMENT_CONFIRM: [Press("no")],
        Step.KILL_FEE_SHARE: [Press("other")],
        Step.KILL_FEE_OTHER: [Type("35")],
        Step.KILL_FEE_AGREED: [Press("no")],
        Step.REPLY: [Press("facts"), Press("done")],
        Step.EDIT_FACTS: [Press("e.client_name")],
    },
)

#: English: calm, direct, redo with a deadline, continue together and deduct, then
#: the currency changed from the reply.
ENGLISH_PATH = Script(
    language="en",
    actions={
        Step.START: [Press("go")],
        Step.CALM: [Press("calm")],
        Step.CLIENT_NAME: [Type("Acme Ltd")],
        Step.DELIVERY: [Type("A landing page")],
        Step.CLIENT_SAID: [Press("skip")],
        Step.INTERMEDIARY: [Press("direct")],
        Step.CHANNEL: [Press("calls")],
        Step.PRICE: [Type("1200")],
        Step.DEPOSIT: [Type("€400")],
        Step.TALK: [Press("follow"), Press("talked")],
        Step.PROBLEM: [Press("brief")],
        Step.PROBLEM_DETAILS: [Press("skip")],
        Step.SOLUTION: [Press("redo")],
        Step.DEADLINE: [Type("next Friday")],
        Step.PAYMENT: [Press("continue")],
        Step.CONTINUE_MODE: [Press("deduct")],
        Step.UNUSABLE: [Type("25%")],
        Step.REPLY: [Press("facts"), Press("tone"), Press("done")],
        # The currency question lives in "Change facts"; typed as a word.
        Step.EDIT_FACTS: [Press("e.currency")],
        Step.CURRENCY: [Type("euro")],
    },
)


#: The sign-off a scripted new user types when the first reply asks it.
SIGN_OFF = {"en": "Elena Kostova", "bg": "Елена Костова"}


def _asks_sign_off(case: Case | None) -> bool:
    """A new user's first reply: the sign-off question, answered before the script goes on."""
    return case is not None and case.step is Step.REPLY and case.answers.asking_signature


@dataclass(slots=True)
class Observation:
    """What one message did: the step and answers stored after it, and the texts shown."""

    step_before: Step | None
    step_after: Step | None
    answers_after: dict[str, object] | None
    texts: list[str]


@dataclass(slots=True)
class Conversation:
    """A scripted conversation of one user, driven through any engine."""

    key: ConversationKey
    script: Script
    visits: dict[Step, int] = field(default_factory=dict)
    last: list[Outgoing] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    @property
    def platform_language(self) -> str:
        """The language code the platform reports for this user."""
        return "bg-BG" if self.script.language == "bg" else "en-GB"

    async def active_case(self, storage: Storage) -> Case | None:
        """The user's active case as stored."""
        async with storage.transaction(readonly=True) as tx:
            user = await tx.find_user(self.key)
            return None if user is None else await tx.load_active_case(user_id=user.id)

    async def send(self, engine: Engine, user_input: UserInput) -> EngineResult:
        """Send one input and remember the replies."""
        result = await engine.handle(
            message(self.key, user_input, platform_language=self.platform_language)
        )
        assert not result.unavailable, "the database failed during a scripted conversation"
        self.last = list(result.outgoing)
        return result

    async def start(self, engine: Engine) -> EngineResult:
        """``/start``."""
        return await self.send(engine, CommandInput(name="start"))

    def next_input(self, step: Step) -> UserInput:
        """The scripted input for the current step (one action per visit)."""
        actions = self.script.actions.get(step)
        if not actions:
            # An optional step the script does not name is skipped, if the registry offers it.
            if any(c.token == "skip" for row in STEPS[step].choices(Answers()) for c in row):
                return press(self.last, "skip")
            raise AssertionError(f"the script has no action for step {step.value}")
        visit = self.visits.get(step, 0)
        self.visits[step] = visit + 1
        action = actions[min(visit, len(actions) - 1)]
        if isinstance(action, Type):
            return TextInput(text=action.text)
        return press(self.last, action.token)

    async def step(self, engine: Engine, storage: Storage) -> bool:
        """Answer the current question; ``False`` once the script's last step is reached."""
        case = await self.active_case(storage)
        before = case.step if case is not None else None
        if before is None or (before is self.script.stop_at and not _asks_sign_off(case)):
            return False
        if _asks_sign_off(case):
            # A new user: the first reply asks the sign-off once (not a scripted visit);
            # typed, the reply comes again, signed, so the latest messages hold it.
            user_input: UserInput = TextInput(text=SIGN_OFF[self.script.language])
        else:
            user_input = self.next_input(before)
        result = await self.send(engine, user_input)
        after_case = await self.active_case(storage)
        self.observations.append(
            Observation(
                step_before=before,
                step_after=after_case.step if after_case is not None else None,
                answers_after=after_case.answers.to_dict() if after_case is not None else None,
                texts=texts_of(result.outgoing),
            )
        )
        if after_case is None:
            return False
        return after_case.step is not self.script.stop_at or _asks_sign_off(after_case)

    def steps_seen(self) -> set[Step]:
        """Every step the conversation was at before or after a message."""
        seen: set[Step] = set()
        for obs in self.observations:
            seen.update(s for s in (obs.step_before, obs.step_after) if s is not None)
        return seen
