"""Golden transcripts: whole conversations through the pure coach, compared byte for byte.

Each scenario is played in English and Bulgarian through :class:`FlowDriver`;
everything the coach sends (texts, button labels and data, drafts, effects,
the step reached) is written to ``tests/flows/golden/<scenario>-<lang>.txt``.
A refactor must leave these files unchanged; a change of wording or flow shows
up in the diff. Rewrite them with ``UPDATE_GOLDEN=1``.

Case ids are random, so the case reference inside button data is replaced by
``C1``, ``C2`` … in order of appearance.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from flows import callback
from flows.case import Case, Step
from flows.i18n import t
from flows.io import (
    DeleteUserData,
    Draft,
    ExportCase,
    FlowResult,
    Outgoing,
    ReminderKind,
    Reply,
    ShowHistory,
)
from flows.reply_facts import CALL_FACTS, REPLY_FACTS, missing_fact
from tests.helpers.flow_driver import FlowDriver

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

#: One action: ("type", text) | ("press", label key) | ("cmd", "name args") |
#: ("label", key): type a button's label | ("data", raw data) |
#: ("token", choice token) | ("remind", kind) | ("photo", "") | ("save", name) |
#: ("old", name): press the first button of a keyboard saved earlier |
#: ("new-user", "") a user who never said how they sign (the first reply asks it) |
#: ("sign", "") type the sign-off in the conversation's language.
Action = tuple[str, str]

#: The sign-off a user types after the first reply ("sign").
SIGN_OFF = {"en": "Elena Kostova", "bg": "Елена Костова"}


class Recorder:
    """Plays actions on a :class:`FlowDriver` and writes what came back."""

    def __init__(self, language: str) -> None:
        self.driver = FlowDriver(language=language)
        self.lines: list[str] = []
        self.refs: dict[str, str] = {}
        self.saved: dict[str, str] = {}
        self.history: list[Case] = []

    # ------------------------------------------------------------ playing

    def play(self, actions: Sequence[Action]) -> str:
        for kind, value in actions:
            if kind == "retype":
                self._retype()
                continue
            self.lines.append(f">>> {kind}: {value}")
            result = self._act(kind, value)
            if result is not None:
                self._result(result)
        return "\n".join(self.lines) + "\n"

    def _retype(self) -> None:
        """Type each fact the reply asks again in its language (see ``RETYPED``)."""
        while (case := self.driver.case) is not None and case.answers.reply_language:
            fields = CALL_FACTS if case.step is Step.TALK else REPLY_FACTS
            field = missing_fact(case.answers, case.answers.reply_language, fields)
            if field is None:
                return
            text = RETYPED[case.answers.reply_language][field]
            self.lines.append(f">>> type: {text}")
            self._result(self.driver.text(text))

    def _act(self, kind: str, value: str) -> FlowResult | None:
        d = self.driver
        if kind == "type":
            return d.text(value)
        if kind == "press":
            return d.press_key(value)
        if kind == "label":
            return d.text(t(d.language, value))
        if kind == "cmd":
            name, _, args = value.partition(" ")
            return d.command(name, args)
        if kind == "data":
            return d.data(value)
        if kind == "token":
            assert d.keyboard is not None
            for row in d.keyboard.buttons:
                for button in row:
                    pressed = callback.decode(button.data)
                    if pressed is not None and pressed.choice == value:
                        return d.data(button.data)
            raise AssertionError(f"no button with token {value!r}")
        if kind == "remind":
            return d.reminder(ReminderKind(value))
        if kind == "photo":
            return d.unsupported()
        if kind == "save":
            assert d.keyboard is not None
            self.saved[value] = d.keyboard.buttons[0][0].data
            self.lines.append(f"    (saved {self._data(self.saved[value])})")
            return None
        if kind == "old":
            return d.data(self.saved[value])
        if kind == "new-user":
            d.signature = None
            return None
        if kind == "sign":
            return d.text(SIGN_OFF[d.language])
        raise AssertionError(kind)

    # ------------------------------------------------------------ writing

    def _result(self, result: FlowResult) -> None:
        self.history.extend(result.closed)
        if result.choice is not None:
            self.lines.append(f"choice: {result.choice.value} {result.chosen_label!r}")
        self._outgoing(result.outgoing)
        for effect in result.effects:
            shown = effect
            if getattr(effect, "case_id", None):  # a closed case's reminder: its random id
                shown = replace(effect, case_id=self._ref(effect.case_id))  # type: ignore[type-var]
            self.lines.append(f"effect: {shown!r}")
            language = self.driver.language
            if isinstance(effect, ShowHistory):
                cases = [*([self.driver.case] if self.driver.case else []), *self.history[::-1]]
                self._outgoing(self.driver.coach.render_history(cases, language=language))
            elif isinstance(effect, ExportCase):
                self._outgoing(self.driver.coach.render_export(self.driver.case, language=language))
            elif isinstance(effect, DeleteUserData):
                self.history.clear()
                self._outgoing(self.driver.coach.after_delete(language=language))
        for case in result.closed:
            self.lines.append(f"closed: {self._ref(case.id)} {case.status.value}")
        if result.case is None:
            self.lines.append("= no case")
        else:
            now = result.case
            self.lines.append(f"= {self._ref(now.id)} step={now.step.value} turn={now.turn}")
        self.lines.append("")

    def _outgoing(self, outgoing: Sequence[Outgoing]) -> None:
        for out in outgoing:
            if isinstance(out, Reply):
                title = f" title={out.title!r}" if out.title else ""
                self.lines.append(f"--- reply{title}")
                self.lines.extend(f"| {line}" for line in out.text.split("\n"))
                for row in out.buttons:
                    self.lines.append(
                        "  " + "  ".join(f"[{b.label}]({self._data(b.data)})" for b in row)
                    )
            elif isinstance(out, Draft):
                self.lines.append(
                    f"--- draft kind={out.kind.value} lang={out.language} title={out.title!r}"
                )
                self.lines.extend(f"| {line}" for line in out.text.split("\n"))

    def _ref(self, case_id: str) -> str:
        ref = callback.case_ref(case_id)
        return self.refs.setdefault(ref, f"C{len(self.refs) + 1}")

    def _data(self, data: str) -> str:
        parts = data.split(":")
        if len(parts) == 4 and parts[1] != callback.NO_CASE_REF:
            parts[1] = self.refs.setdefault(parts[1], f"C{len(self.refs) + 1}")
        return ":".join(parts)


# ---------------------------------------------------------------- scenario pieces


def T(text: str) -> Action:
    return ("type", text)


def P(key: str) -> Action:
    return ("press", key)


def C(command: str) -> Action:
    return ("cmd", command)


SKIP = P("coach-btn-skip")
KEEP = P("coach-btn-keep")

#: What the user retypes when the reply's language differs from a fact's ("retype").
RETYPED = {
    "en": {
        "delivery": "the logo and business cards",
        "problem_details": "you'd like a calmer palette",
        "deadline": "by Friday",
        "client_name": "Akme Ltd",
        "contact_name": "Maria",
        "intermediary_contact": "Petra",
        "signature": "Elena Kostova",
    },
    "bg": {
        "delivery": "логото и визитките",
        "problem_details": "искате по-спокойни цветове",
        "deadline": "до петък",
    },
}
RETYPE: Action = ("retype", "")

#: Start and say calm.
CALM: list[Action] = [T("hello"), P("coach-btn-calm")]


def facts(
    *,
    name: str = "ACME Ltd",
    contact: str | None = "Maria",
    delivery: str = "a logo and business cards",
    said: str = "It is not what we are looking for, the style feels off",
    via: str = "coach-btn-direct",
    via_contact: str | None = "Petra",
    channel: str = "coach-btn-writing",
    price: str | None = "1 200",
    deposit: str | None = "400",
) -> list[Action]:
    """Answer every fact from the client's name to the deposit (the price names its currency)."""
    out: list[Action] = [T(name) if name else SKIP]
    if name:  # every name used here is a company's: the contact person is asked
        out.append(T(contact) if contact else SKIP)
    out.append(T(delivery) if delivery else SKIP)
    out.append(T(said) if said else SKIP)
    out.append(P(via))
    if via != "coach-btn-direct":  # an agency or a colleague: their contact is asked
        out.append(T(via_contact) if via_contact else SKIP)
    out.append(P(channel))  # the currency comes with the price
    out.append(T(price) if price is not None else SKIP)
    if deposit == "none":
        out.append(P("coach-btn-no-deposit"))
    else:
        out.append(T(deposit) if deposit is not None else SKIP)
    return out


TALK_PROBLEM: list[Action] = [
    P("coach-btn-call-arranged"),
    P("coach-btn-problem-brief"),
    T("They wanted a calmer palette"),
]

PART = [P("coach-btn-part-ways")]


def kill_fee(share: str, agreed: bool) -> list[Action]:
    out: list[Action] = [*PART, P("coach-btn-pay-kill-fee")]
    if share.isdigit():
        out.append(P(f"coach-btn-share-{share}"))
    else:
        out += [P("coach-btn-share-other"), T(share)]
    out.append(P("coach-btn-yes" if agreed else "coach-btn-no"))
    return out


DONE = [P("coach-btn-done")]

SCENARIOS: dict[str, list[Action]] = {
    "calm-direct-redo-keep-deposit": [
        ("new-user", ""),
        *CALM,
        *facts(),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        T("by Friday"),
        P("coach-btn-pay-keep-deposit"),
        P("coach-btn-back-to-options"),
        P("coach-btn-pay-keep-deposit"),
        T("yes"),
        ("sign", ""),  # the first reply asks the sign-off once
        P("coach-btn-tone-friendly"),
        ("token", "lang"),
        RETYPE,
        P("coach-btn-tone-formal"),
        ("token", "lang"),
        *DONE,
    ],
    "upset-cool-down-skip-everything": [
        ("new-user", ""),
        T("hi"),
        P("coach-btn-upset"),
        T("I am so angry, they wasted two weeks of my time"),
        ("photo", ""),
        P("coach-btn-remind-15"),
        ("remind", "cool_down"),
        P("coach-btn-remind-60"),
        ("remind", "follow_up"),
        P("coach-btn-ready"),
        SKIP,
        SKIP,
        SKIP,
        SKIP,
        SKIP,
        SKIP,
        SKIP,
        SKIP,
        P("coach-btn-problem-style"),
        SKIP,
        P("coach-btn-redo"),
        SKIP,
        P("coach-btn-pay-keep-deposit"),
        P("coach-btn-confirm-part-ways"),
        SKIP,  # no sign-off: never asked again
        *DONE,
    ],
    "agency-writing-still-unclear-loops": [
        *CALM,
        *facts(via="coach-btn-agency", said="I imagined something warmer"),
        P("coach-btn-follow-up"),
        ("remind", "follow_up"),
        P("coach-btn-talked-now"),
        P("coach-btn-problem-unclear"),
        P("coach-btn-problem-unclear"),
        P("coach-btn-call-arranged"),
        P("coach-btn-problem-unclear"),
        P("coach-btn-problem-unclear"),
        P("coach-btn-call-arranged"),
        P("coach-btn-problem-scope"),
        T("They need twice the pages"),
        *kill_fee("30", True),
        *DONE,
    ],
    "colleague-calls-kill-fee-40-refund": [
        *CALM,
        *facts(via="coach-btn-freelancer", channel="coach-btn-calls", deposit="600", contact=None),
        P("coach-btn-call-arranged"),
        P("coach-btn-problem-plans"),
        SKIP,
        *kill_fee("40", False),
        *DONE,
    ],
    "direct-calls-kill-fee-50-settled": [
        *CALM,
        *facts(channel="coach-btn-calls", price="800", deposit="400"),
        SKIP,
        P("coach-btn-problem-brief"),
        SKIP,
        *kill_fee("50", True),
        *DONE,
    ],
    "kill-fee-other-no-deposit-bgn": [
        *CALM,
        *facts(price="1 200,50 лв", deposit="none"),
        *TALK_PROBLEM,
        *PART,
        P("coach-btn-pay-kill-fee"),
        P("coach-btn-share-other"),
        T("lots"),
        T("150"),
        T("35 %"),
        P("coach-btn-yes"),
        *DONE,
    ],
    "kill-fee-no-price": [
        *CALM,
        *facts(price=None, deposit=None),
        *TALK_PROBLEM,
        *kill_fee("30", False),
        *DONE,
    ],
    "kill-fee-invoice-rest-usd": [
        *CALM,
        *facts(price="$2000", deposit="200"),
        *TALK_PROBLEM,
        *kill_fee("50", False),
        *DONE,
    ],
    "continue-deduct-percent": [
        *CALM,
        *facts(),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        T("next Friday"),
        P("coach-btn-pay-continue"),
        P("coach-btn-deduct"),
        T("nonsense"),
        T("25%"),
        *DONE,
    ],
    "continue-deduct-money-exceeds-deposit": [
        *CALM,
        *facts(price="1200 pounds", deposit="100"),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        SKIP,
        P("coach-btn-pay-continue"),
        P("coach-btn-deduct"),
        T("300"),
        *DONE,
    ],
    "continue-deduct-all-of-deposit": [
        *CALM,
        *facts(deposit="300"),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        SKIP,
        P("coach-btn-pay-continue"),
        P("coach-btn-deduct"),
        T("300"),
        *DONE,
    ],
    "continue-deduct-no-deposit": [
        *CALM,
        *facts(deposit="none"),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        SKIP,
        P("coach-btn-pay-continue"),
        P("coach-btn-deduct"),
        T("200"),
        *DONE,
    ],
    "continue-deduct-no-price": [
        *CALM,
        *facts(price=None, deposit=None),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        SKIP,
        P("coach-btn-pay-continue"),
        P("coach-btn-deduct"),
        T("30%"),
        T("200"),
        *DONE,
    ],
    "continue-absorb-with-and-without-deposit": [
        *CALM,
        *facts(),
        *TALK_PROBLEM,
        P("coach-btn-redo"),
        T("in two weeks"),
        P("coach-btn-pay-continue"),
        P("coach-btn-absorb"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-deposit"),
        P("coach-btn-no-deposit"),
        *DONE,
    ],
    "keep-deposit-no-deposit": [
        *CALM,
        *facts(deposit="none"),
        *TALK_PROBLEM,
        *PART,
        P("coach-btn-pay-keep-deposit"),
        *DONE,
    ],
    "change-every-fact-and-keep": [
        *CALM,
        *facts(),
        *TALK_PROBLEM,
        *PART,
        P("coach-btn-pay-keep-deposit"),
        P("coach-btn-change-facts"),
        P("coach-btn-back-to-reply"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-client-name"),
        KEEP,
        P("coach-btn-change-facts"),
        P("coach-btn-edit-client-name"),
        T("Nordlicht GmbH"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-contact-name"),
        T("Anna"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-delivery"),
        SKIP,
        P("coach-btn-change-facts"),
        P("coach-btn-edit-client-said"),
        T("We expected something bolder"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-intermediary"),
        P("coach-btn-agency"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-channel"),
        P("coach-btn-calls"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-currency"),
        P("coach-btn-currency-bgn"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-price"),
        T("300"),
        T("1500 EUR"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-price"),
        KEEP,
        P("coach-btn-change-facts"),
        P("coach-btn-edit-deposit"),
        T("2000"),
        T("100 USD"),
        T("500"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-deposit"),
        KEEP,
        P("coach-btn-change-facts"),
        P("coach-btn-edit-problem"),
        P("coach-btn-problem-style"),
        KEEP,
        P("coach-btn-change-facts"),
        P("coach-btn-edit-solution"),
        P("coach-btn-redo"),
        T("within a week"),
        P("coach-btn-pay-continue"),
        P("coach-btn-absorb"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-solution"),
        P("coach-btn-part-ways"),
        P("coach-btn-pay-keep-deposit"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-payment"),
        P("coach-btn-pay-continue"),
        P("coach-btn-confirm-continue"),
        P("coach-btn-deduct"),
        T("250"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-payment"),
        P("coach-btn-pay-kill-fee"),
        P("coach-btn-confirm-part-ways"),
        P("coach-btn-share-other"),
        T("45"),
        P("coach-btn-no"),
        *DONE,
    ],
    "back-and-commands": [
        C("back"),
        C("help"),
        C("start"),
        C("start"),
        C("back"),
        P("coach-btn-calm"),
        T("ACME Ltd"),
        C("back"),
        C("back"),
        C("back"),
        P("coach-btn-calm"),
        KEEP,
        C("help"),
        C("frobnicate"),
        C("start"),
        P("coach-btn-continue"),
        C("start"),
        P("coach-btn-new-case"),
        C("cases"),
        P("coach-btn-calm"),
        T("Studio Lale"),
        C("export"),
        C("lang"),
        C("lang en"),
        C("lang bg"),
        C("restart"),
        T("Да."),  # typed yes to "start a new case?"
        C("cancel"),
        C("cancel"),
        C("back"),
        C("cases"),
        C("export"),
        C("delete"),
        P("coach-btn-delete-no"),
        C("delete"),
        P("coach-btn-delete-yes"),
        C("cases"),
        T("again"),
    ],
    "back-through-edit-and-payment": [
        *CALM,
        *facts(),
        *TALK_PROBLEM,
        *kill_fee("other", True)[:-2],
        C("back"),
        C("back"),
        P("coach-btn-pay-continue"),
        P("coach-btn-confirm-continue"),
        P("coach-btn-absorb"),
        P("coach-btn-change-facts"),
        P("coach-btn-edit-price"),
        C("back"),
        P("coach-btn-edit-client-name"),
        T("Acme"),
        C("export"),
        C("back"),
        KEEP,
        *DONE,
        C("export"),
        C("cases"),
    ],
    "stale-and-forged-buttons": [
        T("hello"),
        ("save", "calm"),
        P("coach-btn-calm"),
        ("old", "calm"),
        ("data", "rc:deadbeef:1:calm"),
        ("data", "garbage"),
        ("data", "rc:-:0:del.yes"),
        ("data", "rc:-:0:calm"),
        T("ACME"),
        ("save", "skip"),
        SKIP,
        ("old", "skip"),
        C("cancel"),
        ("old", "calm"),
        ("data", "rc:-:0:del.no"),
        C("delete"),
        ("save", "del"),
        C("restart"),
        ("old", "del"),
    ],
    "bad-input": [
        T("   "),
        T("what is this"),  # free text at the mood check: still upset, so the cool-down
        ("label", "coach-btn-ready"),
        T("   "),
        T("🙂"),  # a name with no letters is asked again
        C("delete"),
        T("maybe"),  # neither yes nor no: the confirmation again
        T("NO!"),
        T("x" * 1200),
        T("lots of stuff"),
        SKIP,
        ("label", "coach-btn-direct"),
        T("maybe by email"),
        P("coach-btn-writing"),
        T("1200 yen"),
        T("free"),
        T("-5"),
        T("0"),
        T("12,34,56"),
        T("1200 EUR"),
        T("5000"),
        T("abc"),
        T("£100"),
        T("300"),
        RETYPE,  # Bulgarian: the call request asks "lots of stuff" again, in Bulgarian
        T("what now"),
        ("photo", ""),
        P("coach-btn-call-arranged"),
        T("hmm"),
        P("coach-btn-problem-brief"),
        T("   "),
        T("They wanted a calmer palette"),
        T("maybe"),
        P("coach-btn-part-ways"),
        T("whatever"),
        P("coach-btn-pay-continue"),
        T("perhaps"),
        T("Yes!"),
        P("coach-btn-deduct"),
        T("150%"),
        T("5000"),
        T("-3"),
        T("10 %"),
        T("anything"),
        *DONE,
    ],
}

#: Cyrillic variants of the typed facts for the Bulgarian runs.
BG_TEXT = {
    "ACME Ltd": "Акме ООД",
    "a logo and business cards": "лого и визитки",
    "It is not what we are looking for, the style feels off": (
        "Не е това, което търсим, стилът не е нашият"
    ),
    "They wanted a calmer palette": "Искат по-спокойни цветове",
    "I imagined something warmer": "Представях си нещо по-топло",
    "They need twice the pages": "Трябват им двойно повече страници",
    "by Friday": "до петък",
    "next Friday": "следващия петък",
    "in two weeks": "до две седмици",
    "within a week": "до седмица",
    "We expected something bolder": "Очаквахме нещо по-смело",
    "Nordlicht GmbH": "Нордлихт ГмбХ",
    "Studio Lale": "Студио Лале",
    "Maria": "Мария",
    "Anna": "Анна",
}


def _localise(actions: Sequence[Action], language: str) -> list[Action]:
    if language != "bg":
        return list(actions)
    return [(k, BG_TEXT.get(v, v)) if k == "type" else (k, v) for k, v in actions]


CASES = [(name, lang) for name in SCENARIOS for lang in ("en", "bg")]


@pytest.mark.parametrize(("name", "language"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_transcript_matches_golden(name: str, language: str) -> None:
    transcript = Recorder(language).play(_localise(SCENARIOS[name], language))
    path = GOLDEN / f"{name}-{language}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(transcript, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert transcript == path.read_text(encoding="utf-8")


def test_every_golden_file_has_a_scenario() -> None:
    expected = {f"{n}-{lang}.txt" for n, lang in CASES}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected
