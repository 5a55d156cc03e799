"""The AI polish and translation: prompts and checks, no model involved."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal as D

import pytest

from flows.case import Answers, PaymentVariant, Solution, Tone
from flows.drafts import compose_reply
from flows.letter_text import find_amounts, in_language
from flows.polish import (
    MAX_POLISHED_CHARS,
    PolishFacts,
    PolishMode,
    PolishReason,
    RequestPurpose,
    build_polish_request,
    check_polished,
    facts_from_answers,
)
from flows.translate import (
    TranslatableFact,
    TranslateReason,
    build_translate_request,
    check_translation,
)

VENT = "VENTED-SECRET-he is the worst client ever"

EN_ORIGINAL = (
    "Dear Maria,\n\n"
    "Thank you for your honest feedback on the logo. I understand that the result is not "
    "what you expected.\n\n"
    "As agreed in our contract, 40% of the price (€1,200.00) is due for the work already "
    "done, which is €480.00. After deducting the deposit of €400.00, I will invoice the "
    "remaining €80.00.\n\n"
    "Please confirm whether these terms work for you.\n\nBest regards,\nIvan"
)
EN_GOOD = (
    "Dear Maria,\n\n"
    "Thank you for being honest about the logo. I can see it is not what you had in mind.\n\n"
    "As our contract says, 40% of the price (€1,200.00) covers the work already done: "
    "€480.00. Your deposit of €400.00 counts towards it, so I will invoice the remaining "
    "€80.00.\n\n"
    "Could you let me know whether this works for you?\n\nBest regards,\nIvan"
)
BG_ORIGINAL = (
    "Здравейте, г-жо Иванова,\n\n"
    "Благодаря Ви за откровеното мнение относно логото. Разбирам, че резултатът не "
    "отговаря на очакванията Ви.\n\n"
    "Съгласно договора ни за свършената работа се дължат 40\u00a0% от цената "
    "(1\u00a0200,00\u00a0€), т.е. 480,00\u00a0€. След като приспадна капарото от "
    "400,00\u00a0€, ще Ви издам фактура за остатъка — 80,00\u00a0€.\n\n"
    "Моля, потвърдете дали това Ви устройва. Новият срок е до 15.12.\n\nПоздрави,\nИван"
)
BG_GOOD = (
    "Здравейте, г-жо Иванова,\n\n"
    "Благодаря Ви, че споделихте откровено мнението си за логото. Разбирам, че не е "
    "това, което очаквахте.\n\n"
    "Според договора ни за свършената работа се дължат 40 % от цената (1 200,00 €), "
    "т.е. 480,00 €. Приспадам капарото от 400,00 € и ще Ви издам фактура за остатъка "
    "от 80,00 €.\n\n"
    "Ще се радвам да потвърдите, че това Ви устройва. Новият срок е до 15.12.\n\n"
    "Поздрави,\nИван"
)
EN_FACTS = PolishFacts(client_name="Maria", delivery="the logo", sign_off="Ivan")
BG_FACTS = PolishFacts(
    client_name="Иванова", delivery="логото", deadline="до 15.12.", sign_off="Иван"
)


def _check(
    polished: str,
    *,
    language: str = "en",
    original: str | None = None,
    facts: PolishFacts | None = None,
    mode: PolishMode = PolishMode.POLISH,
) -> PolishReason | None:
    source = (
        original if original is not None else (EN_ORIGINAL if language == "en" else BG_ORIGINAL)
    )
    chosen = facts if facts is not None else (EN_FACTS if language == "en" else BG_FACTS)
    verdict = check_polished(source, polished, facts=chosen, language=language, mode=mode)
    assert verdict.accepted is (verdict.reason is None)
    assert (verdict.text != "") is verdict.accepted
    return verdict.reason


# --------------------------------------------------------------------------- the request


def _case() -> Answers:
    return Answers(
        vented=[VENT],
        client_name="Maria Petrova",
        delivery="the logo and business cards",
        client_said="It is not what we are looking for.",
        problem_details="a more playful style",
        solution=Solution.PART_WAYS,  # the kill fee fits parting ways (a redo drops it)
        deadline="15 December",
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(40),
        kill_fee_agreed=True,
        price=D(1200),
        deposit=D(400),
    )


def test_polish_facts_have_no_field_for_vented_text_or_platform_identity() -> None:
    names = {f.name for f in dataclasses.fields(PolishFacts)}
    assert names == {
        "client_name",
        "contact_name",
        "intermediary_name",
        "sign_off",
        "delivery",
        "client_said",
        "details",
        "deadline",
        "amounts",
    }
    with pytest.raises(TypeError):
        PolishFacts(vented="x")  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        EN_FACTS.client_name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("language", ["en", "bg"])
def test_the_request_carries_the_letter_the_facts_and_strict_rules(language: str) -> None:
    answers = _case()
    reply = compose_reply(answers, language=language, tone=Tone.FORMAL).text
    facts = facts_from_answers(answers, reply_text=reply)
    request = build_polish_request(
        reply_text=reply, facts=facts, language=language, tone=Tone.FORMAL
    )
    assert request.purpose is RequestPurpose.POLISH
    assert [m.role for m in request.messages] == ["system", "user"]
    system, user = (m.content for m in request.messages)
    name = {"en": "English", "bg": "Bulgarian"}[language]
    assert f"Write only in {name}" in system
    for rule in (
        "exactly as written",
        "Keep the addressee",
        "Add no promise",
        "no legal claims",
        "Output only the letter",
    ):
        assert rule in system
    assert reply.replace("\u00a0", " ") in user.replace("\u00a0", " ")
    for fact in ("Maria Petrova", "the logo and business cards", "a more playful style"):
        assert fact in user
    assert "It is not what we are looking for." in user
    assert facts.amounts and all(a.replace("\u00a0", " ") in user for a in facts.amounts)
    everything = system + user
    assert "VENTED-SECRET" not in everything
    assert "worst client" not in everything


def test_bulgarian_tone_names_the_form_of_address() -> None:
    def user_text(tone: Tone) -> str:
        request = build_polish_request(
            reply_text=BG_ORIGINAL, facts=BG_FACTS, language="bg", tone=tone
        )
        return request.messages[1].content

    assert '"Вие"' in user_text(Tone.FORMAL)
    assert '"ти"' in user_text(Tone.FRIENDLY)
    system = build_polish_request(
        reply_text=BG_ORIGINAL, facts=BG_FACTS, language="bg", tone=Tone.FORMAL
    ).messages[0]
    assert "„…“" in system.content


def test_each_mode_asks_for_something_else() -> None:
    tasks = {
        build_polish_request(
            reply_text=EN_ORIGINAL, facts=EN_FACTS, language="en", tone=Tone.FRIENDLY, mode=mode
        )
        .messages[1]
        .content
        for mode in PolishMode
    }
    assert len(tasks) == len(PolishMode)


def test_facts_not_given_are_not_mentioned() -> None:
    request = build_polish_request(
        reply_text=EN_ORIGINAL, facts=PolishFacts(), language="en", tone=Tone.FORMAL
    )
    assert "Facts the freelancer gave" not in request.messages[1].content


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("40% of €1,200.00 is €480.00.", ("40%", "€1,200.00", "€480.00")),
        ("40\u00a0% от 1\u00a0200,00\u00a0€", ("40 %", "1 200,00 €")),
        ("остатъка — 80,00\u00a0лв.", ("80,00 лв.",)),
        ("1,200.00\u00a0BGN and $300.50", ("1,200.00 BGN", "$300.50")),
        ("1\u00a0200,00\u00a0щ.д. и £15", ("1 200,00 щ.д.", "£15")),
        ("no money here, only 15.12. and 5 pages", ()),
    ],
)
def test_find_amounts(text: str, amounts: tuple[str, ...]) -> None:
    assert find_amounts(text) == amounts


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize("currency", ["EUR", "BGN", "USD", "GBP"])
def test_every_amount_of_a_composed_reply_is_found(language: str, currency: str) -> None:
    answers = dataclasses.replace(_case(), currency=currency)
    reply = compose_reply(answers, language=language, tone=Tone.FORMAL).text
    found = find_amounts(reply)
    assert len(found) == 5  # the share, the price, the kept sum, the deposit, the remainder
    assert in_language(reply, language, names=("Maria Petrova",))


# --------------------------------------------------------------------------- accepted


@pytest.mark.parametrize("language", ["en", "bg"])
def test_a_good_rewrite_is_accepted(language: str) -> None:
    good = EN_GOOD if language == "en" else BG_GOOD
    assert _check(good, language=language) is None


def test_the_accepted_text_is_trimmed_with_plain_line_ends() -> None:
    verdict = check_polished(
        EN_ORIGINAL, "\n  " + EN_GOOD.replace("\n", "\r\n") + "  \n", facts=EN_FACTS, language="en"
    )
    assert verdict.accepted
    assert verdict.text == EN_GOOD


@pytest.mark.parametrize(("opening", "closing"), [('"', '"'), ("„", "“"), ("«", "»")])
def test_quotes_around_the_whole_letter_are_dropped(opening: str, closing: str) -> None:
    verdict = check_polished(
        EN_ORIGINAL, opening + EN_GOOD + closing, facts=EN_FACTS, language="en"
    )
    assert verdict.text == EN_GOOD


def test_a_date_shaped_amount_is_checked_as_an_amount() -> None:
    original = EN_ORIGINAL.replace("€80.00", "€5.50")
    polished = EN_GOOD.replace("€80.00", "€5.50")
    assert _check(polished, original=original) is None
    assert _check(polished.replace("€5.50", "€6.50"), original=original) is (
        PolishReason.MISSING_AMOUNT
    )


def test_no_break_spaces_lost_by_the_model_are_not_a_missing_amount() -> None:
    assert "\u00a0" not in BG_GOOD and "\u00a0" in BG_ORIGINAL
    assert _check(BG_GOOD, language="bg") is None


def test_a_cyrillic_name_may_stand_in_an_english_reply() -> None:
    facts = PolishFacts(client_name="Мария", sign_off="Ivan")
    original = EN_ORIGINAL.replace("Maria", "Мария")
    polished = EN_GOOD.replace("Maria", "Мария")
    assert _check(polished, original=original, facts=facts) is None


def test_a_latin_company_name_may_stand_in_a_bulgarian_reply() -> None:
    facts = PolishFacts(client_name="Nordlicht GmbH Digital Services")
    original = BG_ORIGINAL.replace("г-жо Иванова", "екип на Nordlicht GmbH Digital Services")
    polished = BG_GOOD.replace("г-жо Иванова", "екип на Nordlicht GmbH Digital Services")
    assert _check(polished, language="bg", original=original, facts=facts) is None


def test_an_amount_the_user_typed_in_a_fact_may_appear() -> None:
    facts = dataclasses.replace(EN_FACTS, details="they already paid €50.00 for fonts")
    polished = EN_GOOD.replace("Best regards", "Thanks for the €50.00 for fonts.\n\nBest regards")
    assert _check(polished, facts=facts) is None


# --------------------------------------------------------------------------- rejected


@pytest.mark.parametrize(
    ("polished", "reason"),
    [
        ("", PolishReason.EMPTY),
        ("   \n ", PolishReason.EMPTY),
        (EN_ORIGINAL, PolishReason.UNCHANGED),
        (EN_ORIGINAL.replace("\n\n", "\n\n  ").replace(" ", "  "), PolishReason.UNCHANGED),
        ("```\n" + EN_GOOD + "\n```", PolishReason.MARKDOWN),
        (EN_GOOD.replace("€80.00", "**€80.00**"), PolishReason.MARKDOWN),
        ("# Reply\n" + EN_GOOD, PolishReason.MARKDOWN),
        ("<<<\n" + EN_GOOD + "\n>>>", PolishReason.MARKDOWN),
        ("Here is the polished letter:\n\n" + EN_GOOD, PolishReason.PREFACE),
        ("Sure! " + EN_GOOD, PolishReason.PREFACE),
        (EN_GOOD.replace("Ivan", "{your_name}"), PolishReason.PLACEHOLDER),
        (EN_GOOD.replace("Ivan", "[Your name]"), PolishReason.PLACEHOLDER),
        (EN_GOOD.replace("Ivan", "<name>"), PolishReason.PLACEHOLDER),
        (EN_GOOD.replace("Ivan", "XXX"), PolishReason.PLACEHOLDER),
        (EN_GOOD + "\nLorem ipsum dolor sit amet.", PolishReason.PLACEHOLDER),
        ("Dear Maria, thanks. €1,200.00 €480.00 €400.00 €80.00 40% Ivan", PolishReason.TOO_SHORT),
        (EN_GOOD + ("\n\nI value our work together." * 20), PolishReason.TOO_LONG),
        (EN_GOOD.replace("Ivan", "Me"), PolishReason.MISSING_NAME),
        (
            EN_GOOD.replace("Dear Maria,", "Dear team,").replace("Best regards", "Maria, regards"),
            PolishReason.ADDRESSEE_CHANGED,
        ),
        (EN_GOOD.replace(" (€1,200.00)", ""), PolishReason.MISSING_AMOUNT),
        (EN_GOOD.replace("€80.00", "€90.00"), PolishReason.MISSING_AMOUNT),
        (EN_GOOD.replace("40%", "forty per cent"), PolishReason.MISSING_AMOUNT),
        (
            EN_GOOD.replace("Could you", "I can also refund €100.00. Could you"),
            PolishReason.NEW_AMOUNT,
        ),
        (EN_GOOD.replace("Thank you", "Благодаря, thank you"), PolishReason.WRONG_LANGUAGE),
    ],
)
def test_english_rejections(polished: str, reason: PolishReason) -> None:
    assert _check(polished) is reason


@pytest.mark.parametrize(
    ("polished", "reason"),
    [
        (BG_GOOD.replace("480,00 €", "480 €"), PolishReason.MISSING_AMOUNT),
        (BG_GOOD.replace("40 %", "40 на сто"), PolishReason.MISSING_AMOUNT),
        (BG_GOOD.replace("до 15.12.", "до средата на декември"), PolishReason.MISSING_DATE),
        (BG_GOOD.replace("Иван", "Ivan"), PolishReason.MISSING_NAME),
        ("Ето изгладеното писмо:\n\n" + BG_GOOD, PolishReason.PREFACE),
        (
            EN_GOOD.replace("Maria", "г-жо Иванова").replace("Ivan", "Иван"),
            PolishReason.MISSING_AMOUNT,
        ),
    ],
)
def test_bulgarian_rejections(polished: str, reason: PolishReason) -> None:
    assert _check(polished, language="bg") is reason


def test_an_english_rewrite_of_a_bulgarian_reply_is_the_wrong_language() -> None:
    original = BG_ORIGINAL
    english = (
        "Здравейте, г-жо Иванова,\n\nThank you for your honest opinion about the logo. I see "
        "it is not what you expected.\n\nUnder our contract 40 % of the price (1 200,00 €) "
        "is due, i.e. 480,00 €. After the deposit of 400,00 € I will invoice the rest: "
        "80,00 €.\n\nPlease confirm this works for you. The new deadline is 15.12.\n\n"
        "Поздрави,\nИван"
    )
    assert _check(english, language="bg", original=original) is PolishReason.WRONG_LANGUAGE


def test_a_date_in_the_letter_must_survive() -> None:
    original = EN_ORIGINAL.replace(
        "Please confirm", "The new version comes by 15.12.2026. Please confirm"
    )
    polished = EN_GOOD.replace("Could you", "The new version comes soon. Could you")
    kept = EN_GOOD.replace("Could you", "You will have it by 15.12.2026. Could you")
    assert _check(polished, original=original) is PolishReason.MISSING_DATE
    assert _check(kept, original=original) is None


def test_the_hard_length_cap_holds_whatever_the_original() -> None:
    long_original = EN_ORIGINAL + "\n\n" + ("A calm sentence about the work. " * 120)
    long_polished = EN_GOOD + "\n\n" + ("A calm sentence about our work. " * 120)
    assert len(long_polished) > MAX_POLISHED_CHARS
    assert _check(long_polished, original=long_original) is PolishReason.TOO_LONG


def test_shorter_mode_rejects_a_longer_text_and_accepts_a_short_one() -> None:
    longer = EN_GOOD + "\n\nI am very grateful for your patience and understanding."
    short = (
        "Dear Maria,\n\nThanks for your honesty about the logo.\n\n40% of the price "
        "(€1,200.00) is €480.00; minus your €400.00 deposit I will invoice €80.00.\n\n"
        "Does this work for you?\n\nBest regards,\nIvan"
    )
    assert _check(longer, mode=PolishMode.SHORTER) is PolishReason.TOO_LONG
    assert _check(short, mode=PolishMode.SHORTER) is None
    assert _check(short, mode=PolishMode.WARMER) is PolishReason.TOO_SHORT


def test_a_name_absent_from_the_composed_reply_is_not_required() -> None:
    facts = dataclasses.replace(EN_FACTS, intermediary_name="Blue Agency")
    assert _check(EN_GOOD, facts=facts) is None


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Thank you for the feedback", "en", True),
        ("Thank you, Мария", "en", False),
        ("Благодаря за мнението", "bg", True),
        ("Благодаря, thank you for the feedback", "bg", False),
        ("12 345,00 €", "bg", True),
        ("12 345,00 €", "en", True),
    ],
)
def test_in_language(text: str, language: str, expected: bool) -> None:
    assert in_language(text, language) is expected


# --------------------------------------------------------------------------- translation

SOURCES = {
    TranslatableFact.DELIVERY: "текстове за 5 страници",
    TranslatableFact.DEADLINE: "до петък",
}


def test_the_translate_request_sends_only_the_facts_as_json() -> None:
    request = build_translate_request({**SOURCES, TranslatableFact.DETAILS: "   "}, language="en")
    assert request.purpose is RequestPurpose.TRANSLATE
    assert request.temperature == 0.0
    system, user = (m.content for m in request.messages)
    assert "into English" in system and "JSON" in system
    assert json.loads(user) == {"delivery": "текстове за 5 страници", "deadline": "до петък"}


def test_a_good_translation_is_accepted() -> None:
    raw = json.dumps({"delivery": "texts for 5 pages", "deadline": "by Friday"})
    verdict = check_translation(raw, sources=SOURCES, language="en")
    assert verdict.accepted
    assert verdict.as_dict() == {
        TranslatableFact.DELIVERY: "texts for 5 pages",
        TranslatableFact.DEADLINE: "by Friday",
    }


def test_a_translation_in_a_markdown_fence_is_still_read() -> None:
    raw = '```json\n{"delivery": "texts for 5 pages", "deadline": "by Friday"}\n```'
    assert check_translation(raw, sources=SOURCES, language="en").accepted


def test_a_translation_into_bulgarian_may_keep_a_brand() -> None:
    sources = {TranslatableFact.DELIVERY: "a WordPress site with 3 pages"}
    raw = json.dumps({"delivery": "сайт на WordPress с 3 страници"}, ensure_ascii=False)
    assert check_translation(raw, sources=sources, language="bg").accepted


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Sure! Here are your facts.", TranslateReason.NOT_JSON),
        ('{"delivery": "texts for 5 pages", ', TranslateReason.NOT_JSON),
        ('["texts for 5 pages", "by Friday"]', TranslateReason.NOT_JSON),
        ('{"delivery": 5, "deadline": "by Friday"}', TranslateReason.NOT_JSON),
        ('{"delivery": "texts for 5 pages"}', TranslateReason.KEYS_CHANGED),
        (
            '{"delivery": "texts for 5 pages", "deadline": "by Friday", "vented": "x"}',
            TranslateReason.KEYS_CHANGED,
        ),
        ('{"delivery": "texts for 5 pages", "deadline": "  "}', TranslateReason.EMPTY_VALUE),
        (
            '{"delivery": "texts for five pages", "deadline": "by Friday"}',
            TranslateReason.MISSING_NUMBER,
        ),
        (
            '{"delivery": "texts for 5 pages", "deadline": "до петък"}',
            TranslateReason.WRONG_LANGUAGE,
        ),
        ('{"delivery": "texts for 5 pages", "deadline": "by [day]"}', TranslateReason.PLACEHOLDER),
        (
            json.dumps(
                {"delivery": "texts for 5 pages " + "and more " * 40, "deadline": "by Friday"}
            ),
            TranslateReason.TOO_LONG,
        ),
    ],
)
def test_translation_rejections(raw: str, reason: TranslateReason) -> None:
    verdict = check_translation(raw, sources=SOURCES, language="en")
    assert verdict.reason is reason
    assert not verdict.accepted and verdict.as_dict() == {}
