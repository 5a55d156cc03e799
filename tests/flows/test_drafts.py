"""The draft composer: call request, suggested reply and next-contract clause."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import flows.drafts.call as call_module
import flows.drafts.reply as reply_module
import flows.drafts.writer as writer_module
from flows.case import (
    Answers,
    Channel,
    ContinueMode,
    Intermediary,
    PaymentVariant,
    Problem,
    Solution,
    Tone,
)
from flows.drafts import (
    clause_percent,
    compose_call_request,
    compose_contract_clause,
    compose_reply,
)
from flows.i18n import message_placeables
from flows.io import Draft, DraftKind
from tests.flows.reply_cases import ROWS

D = Decimal
VENT = "VENTED-SECRET-7f3a"
LANGUAGES = ("bg", "en")
TONES = (Tone.FORMAL, Tone.FRIENDLY)
LOCALES = Path(__file__).resolve().parents[2] / "locales"

Composer = Callable[..., Draft]


def _full(**overrides: Any) -> Answers:
    """Every fact given: redo, deduct the unusable work from the deposit."""
    answers = Answers(
        vented=[f"this client is awful {VENT}", VENT],
        client_name="Maria Petrova",
        delivery="a logo and business cards for a café",
        client_said="It is not what we are looking for.",
        intermediary=Intermediary.DIRECT,
        channel=Channel.WRITING,
        currency="EUR",
        price=D(1200),
        deposit=D(400),
        problem=Problem.STYLE,
        problem_details="they want a more playful style and warmer colours",
        solution=Solution.REDO,
        deadline="15 December",
        payment_variant=PaymentVariant.CONTINUE,
        continue_mode=ContinueMode.DEDUCT,
        unusable_amount=D(150),
    )
    return replace(answers, **overrides)


# Scenarios covering every solution and every payment branch.
SCENARIOS: dict[str, Answers] = {
    "redo-deduct-left": _full(),
    "redo-deduct-all": _full(unusable_amount=D(400)),
    "redo-deduct-invoice": _full(unusable_amount=D(600)),
    "redo-deduct-no-deposit": _full(deposit=None),
    "redo-deduct-unknown": _full(unusable_amount=None),
    "redo-absorb": _full(continue_mode=ContinueMode.ABSORB),
    "redo-absorb-no-deposit": _full(continue_mode=ContinueMode.ABSORB, deposit=D(0)),
    "part-keep-deposit": _full(
        solution=Solution.PART_WAYS,
        problem=Problem.PLANS,
        payment_variant=PaymentVariant.KEEP_DEPOSIT,
    ),
    "part-keep-deposit-unknown": _full(
        solution=Solution.PART_WAYS, payment_variant=PaymentVariant.KEEP_DEPOSIT, deposit=None
    ),
    "part-kill-fee-invoice": _full(
        solution=Solution.PART_WAYS,
        problem=Problem.SCOPE,
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(40),
        kill_fee_agreed=True,
    ),
    "part-kill-fee-refund": _full(
        solution=Solution.PART_WAYS,
        problem=Problem.BRIEF,
        price=D(1000),
        deposit=D(600),
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(30),
        kill_fee_agreed=False,
    ),
    "part-kill-fee-even": _full(
        solution=Solution.PART_WAYS,
        price=D(1000),
        deposit=D(500),
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(50),
    ),
    "part-kill-fee-no-deposit": _full(
        solution=Solution.PART_WAYS,
        deposit=None,
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(35),
    ),
    "part-kill-fee-no-price": _full(
        solution=Solution.PART_WAYS,
        price=None,
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(40),
    ),
    "part-kill-fee-no-price-agreed": _full(
        solution=Solution.PART_WAYS,
        price=None,
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(40),
        kill_fee_agreed=True,
    ),
    "part-kill-fee-no-numbers": _full(
        solution=Solution.PART_WAYS, price=None, payment_variant=PaymentVariant.KILL_FEE
    ),
    "unclear-no-solution": _full(
        problem=Problem.UNCLEAR, solution=None, payment_variant=None, continue_mode=None
    ),
    "agency": _full(intermediary=Intermediary.AGENCY),
    "freelancer-unnamed": _full(intermediary=Intermediary.FREELANCER, client_name=None),
    "direct-calls": _full(channel=Channel.CALLS),
    "nothing": Answers(vented=[VENT]),
}

# Every optional fact the user may skip, one at a time.
SKIPPABLE = (
    "client_name",
    "delivery",
    "client_said",
    "intermediary",
    "channel",
    "price",
    "deposit",
    "problem",
    "problem_details",
    "solution",
    "deadline",
    "payment_variant",
    "kill_fee_percent",
    "kill_fee_agreed",
    "continue_mode",
    "unusable_amount",
)
for _name in SKIPPABLE:
    _skip: dict[str, Any] = {_name: None}
    SCENARIOS[f"skip-{_name}"] = replace(_full(), **_skip)
    SCENARIOS[f"skip-{_name}-kill-fee"] = replace(SCENARIOS["part-kill-fee-invoice"], **_skip)


def _compose_all(answers: Answers, language: str, tone: Tone) -> list[Draft]:
    return [
        compose_call_request(answers, language=language, tone=tone),
        compose_reply(answers, language=language, tone=tone),
        compose_contract_clause(answers, language=language),
    ]


def assert_clean(text: str) -> None:
    """No placeholders, no holes, no odd whitespace or punctuation."""
    assert text == text.strip()
    assert text
    for bad in ("{", "}", "None", "  ", "\n\n\n", " \n", "\n ", "()", "( ", " )"):
        assert bad not in text, (bad, text)
    assert not re.search(r"\$[A-Za-z_{]", text), text  # an unfilled $placeable
    assert not re.search(r"\s[.,;:!?]", text), text  # space before punctuation
    assert not re.search(r"[.,;:]{2}|,\.|\.,", text), text  # doubled punctuation
    # a sentence cut off at a line end (only the greeting ends with a comma)
    assert not re.search(r"[,:;]\n", text.split("\n", 1)[-1]), text
    assert not re.search(r":\s*\.", text), text  # an empty fact after a colon
    for line in text.split("\n"):
        if line:
            assert re.search(r"\w", line), line  # no line of bare punctuation


# --------------------------------------------------------------------------- every draft is clean


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_drafts_have_no_holes(scenario: str, language: str, tone: Tone) -> None:
    for draft in _compose_all(SCENARIOS[scenario], language, tone):
        assert_clean(draft.text)
        assert draft.language == language
        assert draft.title and draft.title == draft.title.strip()
        assert VENT not in draft.text
        assert "awful" not in draft.text
        assert "чернова" not in (draft.title + draft.text).lower()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_everything_skipped_still_reads_well(language: str, tone: Tone) -> None:
    answers = Answers(vented=[VENT])
    reply = compose_reply(answers, language=language, tone=tone)
    call = compose_call_request(answers, language=language, tone=tone)
    for draft in (reply, call):
        assert_clean(draft.text)
        # greeting, body and a closing at least
        assert draft.text.count("\n\n") >= 2
    assert reply.kind is DraftKind.REPLY
    assert call.kind is DraftKind.CALL_REQUEST
    # no payment terms without a variant
    assert "€" not in reply.text


def test_every_draft_message_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()
    real_t = writer_module.t

    def recording_t(language: str, key: str, /, **args: Any) -> str:
        used.add(key)
        return real_t(language, key, **args)

    for module in (writer_module, reply_module, call_module):
        monkeypatch.setattr(module, "t", recording_t)
    cases = [*SCENARIOS.values(), *(row.answers for row in ROWS)]
    for answers in cases:
        for language in LANGUAGES:
            for tone in TONES:
                _compose_all(answers, language, tone)
    compose_reply(_full(), language="en", tone=Tone.FORMAL, signature="Maria")
    compose_reply(_full(), language="en", tone=Tone.FRIENDLY, signature="Maria")
    keys = set(message_placeables((LOCALES / "en" / "drafts.ftl").read_text(encoding="utf-8")))
    assert keys - used == set()


# --------------------------------------------------------------------------- catalogs


def test_draft_catalogs_have_identical_keys_and_placeables() -> None:
    en = message_placeables((LOCALES / "en" / "drafts.ftl").read_text(encoding="utf-8"))
    bg = message_placeables((LOCALES / "bg" / "drafts.ftl").read_text(encoding="utf-8"))
    assert en == bg
    assert all(key.startswith("draft-") for key in en)


def test_bulgarian_drafts_use_typographic_quotes_only() -> None:
    source = (LOCALES / "bg" / "drafts.ftl").read_text(encoding="utf-8")
    body = "\n".join(line for line in source.splitlines() if not line.startswith("#"))
    assert '"' not in body


# --------------------------------------------------------------------------- the reply


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_reply_uses_the_given_facts(language: str, tone: Tone) -> None:
    answers = _full()
    text = compose_reply(answers, language=language, tone=tone).text
    first = "Maria" if tone is Tone.FRIENDLY else "Maria Petrova"
    assert text.splitlines()[0].rstrip(",").endswith(first)
    # English facts go into an English reply inside sentences, never into a Bulgarian one
    assert ("the logo and business cards for a café" in text) is (language == "en")
    assert ("15 December" in text) is (language == "en")
    # a note about the client in the third person is not a sentence of a letter to them
    assert "they want a more playful style" not in text
    # what the client said is theirs: the reply does not quote it back
    assert "It is not what we are looking for" not in text


@pytest.mark.parametrize(
    ("language", "keep", "invoice", "price"),
    [
        ("bg", "480,00\u00a0€", "80,00\u00a0€", "1\u00a0200,00\u00a0€"),
        ("en", "€480.00", "€80.00", "€1,200.00"),
    ],
)
def test_reply_flow_md_example_amounts_per_language(
    language: str, keep: str, invoice: str, price: str
) -> None:
    # FLOW.md: price 1 200 €, deposit 400 €, 40 % → keep 480 €, invoice 80 €
    answers = SCENARIOS["part-kill-fee-invoice"]
    for tone in TONES:
        text = compose_reply(answers, language=language, tone=tone).text
        assert keep in text
        assert invoice in text
        assert price in text
        assert ("40\u00a0%" if language == "bg" else "40%") in text


@pytest.mark.parametrize(("language", "refund"), [("bg", "300,00\u00a0€"), ("en", "€300.00")])
def test_reply_refund_case(language: str, refund: str) -> None:
    answers = SCENARIOS["part-kill-fee-refund"]
    text = compose_reply(answers, language=language, tone=Tone.FORMAL).text
    assert refund in text
    assert ("600,00\u00a0€" if language == "bg" else "€600.00") in text


def test_reply_amounts_follow_the_reply_language_not_the_currency() -> None:
    answers = replace(SCENARIOS["part-kill-fee-invoice"], currency="BGN")
    assert "480,00\u00a0лв." in compose_reply(answers, language="bg", tone=Tone.FORMAL).text
    assert "480.00\u00a0BGN" in compose_reply(answers, language="en", tone=Tone.FORMAL).text
    usd = replace(answers, currency="USD")
    assert "$480.00" in compose_reply(usd, language="en", tone=Tone.FORMAL).text


@pytest.mark.parametrize(
    ("scenario", "amounts"),
    [
        ("redo-deduct-left", ("€150.00", "€250.00")),
        ("redo-deduct-all", ("€400.00",)),
        ("redo-deduct-invoice", ("€600.00", "€400.00", "€200.00")),
        ("redo-deduct-no-deposit", ("€150.00",)),
        ("redo-absorb", ("€400.00",)),
        ("part-keep-deposit", ("€400.00",)),
        ("part-kill-fee-no-deposit", ("€420.00",)),  # 35 % of 1 200
        ("part-kill-fee-even", ("€500.00",)),
    ],
)
def test_reply_payment_amounts(scenario: str, amounts: tuple[str, ...]) -> None:
    text = compose_reply(SCENARIOS[scenario], language="en", tone=Tone.FORMAL).text
    for amount in amounts:
        assert amount in text


def test_reply_is_in_the_language_asked_for() -> None:
    answers = _full()
    english = compose_reply(answers, language="en", tone=Tone.FORMAL)
    bulgarian = compose_reply(answers, language="bg", tone=Tone.FORMAL)
    assert not re.search(r"[а-яА-Я]", english.text)
    assert len(re.findall(r"[а-яА-Я]", bulgarian.text)) > 200
    assert english.title == "Suggested reply"
    assert bulgarian.title == "Предложение за отговор"


_FORMAL_BG = re.compile(r"\b(Вие|Ви|Ваш|Ваша|Ваше|Ваши|Вас)\b")
_LOWER_FORMAL_BG = re.compile(r"\b(вие|ви|ваш|ваша|ваше|ваши|вас)\b")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bulgarian_formal_uses_capitalised_vie(scenario: str) -> None:
    answers = SCENARIOS[scenario]
    reply = compose_reply(answers, language="bg", tone=Tone.FORMAL).text
    call = compose_call_request(answers, language="bg", tone=Tone.FORMAL).text
    for text in (reply, call):
        assert _FORMAL_BG.search(text), text
        assert not _LOWER_FORMAL_BG.search(text), text
        assert not re.search(r"\b(ти|те|твоя|твоите)\b", text), text


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bulgarian_friendly_uses_ti(scenario: str) -> None:
    answers = SCENARIOS[scenario]
    reply = compose_reply(answers, language="bg", tone=Tone.FRIENDLY).text
    call = compose_call_request(answers, language="bg", tone=Tone.FRIENDLY).text
    for text in (reply, call):
        assert not _FORMAL_BG.search(text), text
        assert re.search(r"\b(ти|те)\b", text), text


def test_english_tones_differ() -> None:
    answers = _full()
    formal = compose_reply(answers, language="en", tone=Tone.FORMAL).text
    friendly = compose_reply(answers, language="en", tone=Tone.FRIENDLY).text
    assert formal.startswith("Dear Maria Petrova,")
    assert friendly.startswith("Hi Maria,")
    assert "I'll" in friendly and "I'll" not in formal
    formal_lines = formal.split("\n\n")
    friendly_lines = friendly.split("\n\n")
    assert formal_lines[-1] != friendly_lines[-1]


def test_reply_solution_and_next_step() -> None:
    redo = compose_reply(_full(), language="en", tone=Tone.FORMAL).text
    assert "acceptance criteria" in redo
    assert "new version" in redo
    parting = compose_reply(SCENARIOS["part-keep-deposit"], language="bg", tone=Tone.FORMAL).text
    assert "прекратим работата по проекта" in parting
    assert "критерии за приемане" not in parting
    unknown = compose_reply(SCENARIOS["unclear-no-solution"], language="en", tone=Tone.FORMAL)
    assert unknown.text.count("?") == 1  # one concrete next step: a short call


def test_bulgarian_reply_uses_glossary_terms() -> None:
    text = compose_reply(_full(), language="bg", tone=Tone.FORMAL).text
    # a letter says "нов вариант"; "ново изпълнение на задачата" is the article's bookish phrase
    answers = _full(delivery="лого и визитки", problem_details="искахте по-топли цветове")
    text = compose_reply(answers, language="bg", tone=Tone.FORMAL).text
    assert "ново изпълнение на задачата" not in text
    assert "нов вариант" in text
    assert "критерии за приемане" in text
    assert "капарото" in text


def test_facts_are_tidied_not_rewritten() -> None:
    answers = _full(
        client_name="  Maria\n Petrova, ",
        delivery="a logo\n\n and business cards!!",
        deadline="by 15 December.",
    )
    text = compose_reply(answers, language="en", tone=Tone.FORMAL).text
    assert text.startswith("Dear Maria Petrova,\n\n")
    assert "feedback on the logo and business cards." in text
    assert "the new version by 15 December." in text
    assert_clean(text)


def test_blank_facts_count_as_skipped() -> None:
    answers = _full(client_name="   ", delivery="\n", deadline=" . ")
    for language in LANGUAGES:
        text = compose_reply(answers, language=language, tone=Tone.FORMAL).text
        assert_clean(text)
        assert text.split("\n")[0] in {"Hello,", "Здравейте,"}


def test_vented_text_never_appears_even_when_it_matches_no_fact() -> None:
    answers = _full(vented=["I hate this job", "они са идиоти"])
    for language in LANGUAGES:
        for tone in TONES:
            for draft in _compose_all(answers, language, tone):
                assert "hate" not in draft.text
                assert "идиоти" not in draft.text


def test_skip_table_names_real_facts() -> None:
    names = {f.name for f in fields(Answers)}
    assert set(SKIPPABLE) <= names
    assert "vented" not in SKIPPABLE


# --------------------------------------------------------------------------- the call request


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_call_request_to_the_intermediary(language: str, tone: Tone) -> None:
    draft = compose_call_request(SCENARIOS["agency"], language=language, tone=tone)
    assert draft.kind is DraftKind.CALL_REQUEST
    # addressed to the intermediary: no greeting by the client's name …
    assert "Maria Petrova" not in draft.text.split("\n")[0]
    # … but the client is named in the body, and all three parties are proposed
    assert "Maria Petrova" in draft.text
    three = {"en": "the three of us", "bg": "клиентът и аз"}
    assert three[language] in draft.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_call_request_to_a_writing_only_client(language: str, tone: Tone) -> None:
    draft = compose_call_request(_full(), language=language, tone=tone)
    assert "Maria" in draft.text.split("\n")[0]
    words = {"en": ("video call", "written messages" if tone is Tone.FORMAL else "messages")}
    words["bg"] = ("видеоразговор", "писма" if tone is Tone.FORMAL else "съобщения")
    for word in words[language]:
        assert word in draft.text
    title = {"en": "Message asking for a call", "bg": "Съобщение с покана за разговор"}
    assert draft.title == title[language]


def test_call_request_for_a_client_already_on_calls_asks_soon() -> None:
    draft = compose_call_request(SCENARIOS["direct-calls"], language="en", tone=Tone.FORMAL)
    assert "talk it through with you soon" in draft.text
    assert "written messages" not in draft.text


# --------------------------------------------------------------------------- the contract clause


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(None, D(30)), (D(40), D(40)), (D(50), D(50)), (D(20), D(30)), (D(75), D(50))],
)
def test_clause_percent_stays_in_the_advised_range(
    percent: Decimal | None, expected: Decimal
) -> None:
    assert clause_percent(Answers(kill_fee_percent=percent)) == expected


@pytest.mark.parametrize(
    ("language", "percent", "words"),
    [
        ("en", "40%", ("acceptance criteria", "compensation for the work done", "deposit")),
        (
            "bg",
            "40\u00a0%",
            ("критериите за приемане", "компенсация за свършената работа", "капаро"),
        ),
    ],
)
def test_contract_clause(language: str, percent: str, words: tuple[str, ...]) -> None:
    draft = compose_contract_clause(_full(kill_fee_percent=D(40)), language=language)
    assert draft.kind is DraftKind.CONTRACT_CLAUSE
    assert percent in draft.text
    for word in words:
        assert word in draft.text
    assert_clean(draft.text)
    # personal facts have no place in a contract template
    assert "Maria" not in draft.text
    assert VENT not in draft.text
    title = {"en": "Clause for your next contract", "bg": "Клауза за следващия ти договор"}
    assert draft.title == title[language]


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize(
    "overrides",
    [
        # "… ще Ви издам фактура за 300,00 лв." — the amount ends the sentence.
        {"deposit": D(0), "unusable_amount": D(300)},
        # "Ще Ви изпратя фактура за 480,00 лв."
        {
            "deposit": D(0),
            "solution": Solution.PART_WAYS,
            "payment_variant": PaymentVariant.KILL_FEE,
            "kill_fee_percent": D(40),
            "continue_mode": None,
        },
    ],
)
def test_an_amount_in_leva_ends_a_sentence_with_one_full_stop(
    tone: Tone, overrides: dict[str, Any]
) -> None:
    answers = _full(currency="BGN", **overrides)
    text = compose_reply(answers, language="bg", tone=tone).text
    assert "лв." in text
    assert "лв.." not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tone", TONES)
def test_keeping_a_deposit_that_was_never_paid_is_not_claimed(language: str, tone: Tone) -> None:
    answers = _full(
        deposit=D(0),
        solution=Solution.PART_WAYS,
        payment_variant=PaymentVariant.KEEP_DEPOSIT,
        continue_mode=None,
    )
    text = compose_reply(answers, language=language, tone=tone).text
    deposit_word = "капаро" if language == "bg" else "deposit"
    assert deposit_word not in text.lower()
    # An unknown deposit (skipped) still gets the general sentence.
    unknown = compose_reply(replace(answers, deposit=None), language=language, tone=tone).text
    assert deposit_word in unknown.lower()
