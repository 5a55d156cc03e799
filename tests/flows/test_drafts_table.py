"""The table of composed replies (issue 11): each read as the client — or the agency — reads it.

Every row of :data:`tests.flows.reply_cases.ROWS` is composed and checked for
its greeting, form slots, one language, every amount of the settlement
(computed here by hand, not with the code under test), contradictions, what
the client asked for and the sign-off. The composed texts are kept as golden
files in ``tests/flows/golden/replies/<case>.<lang>.<tone>.txt`` so that a
reviewer reads every change of wording in the diff; rewrite them with
``UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from flows.case import Answers, ContinueMode, Intermediary, PaymentVariant, Solution, Tone
from flows.drafts import compose_call_request, compose_reply
from flows.drafts.reply import fitting_answers
from flows.drafts.signals import asks_for_refund
from flows.settlement import settle
from flows.text import fits_language, script_of
from tests.flows.reply_cases import FACTS, ROWS, Row

GOLDEN = Path(__file__).parent / "golden" / "replies"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")

#: Wording the review flagged: form slots, stiff or clerical phrases, bank jargon.
BANNED = (
    "In particular",
    "По-конкретно",
    "It concerns",
    "Става дума за:",
    "относно",
    "Както изглежда",
    "ново изпълнение на задачата",
    "щ.д.",
    "Очаквам отговора Ви",
    "take care of the rest",
    "погрижа за останалото",
    "telling me directly",
    "казахте директно",
    "каза направо",
    "I will fit in",
    "new deadline:",
    "нов срок:",
    "бих искал",
    "готов съм",
)
#: Sentences that belong to parting ways, and to going on together.
PARTING = {
    "en": (
        "return the difference",
        "end our work",
        "end my work",
        "stop our work",
        "stop my work",
        "paths cross",
        "team up again",
        "send you back",
    ),
    "bg": (
        "върна разликата",
        "разликата за връщане",
        "прекратим",
        "прекратя",
        "спрем работата",
        "спра работата",
        "сътрудничим отново",
        "да си партнираме",
    ),
}
CONTINUING = {
    "en": ("new version", "acceptance criteria", "first version", "start afresh", "start fresh"),
    "bg": (
        "нов вариант",
        "новия вариант",
        "критерии за приемане",
        "първия вариант",
        "отначало",
        "начисто",
    ),
}

_EN_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
_BG_SIGNS = {"EUR": "€", "BGN": "лв.", "USD": "USD", "GBP": "GBP"}


def money(amount: Decimal, currency: str, language: str) -> str:
    """An amount as a reader expects it (written out here, independently of flows.money)."""
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if language == "en":
        number = f"{value:,.2f}"
        if currency == "BGN":
            return f"{number}\u00a0BGN"
        return f"{_EN_SIGNS[currency]}{number}"
    number = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", "\u00a0")
    return f"{number}\u00a0{_BG_SIGNS[currency]}"


def expected_amounts(answers: Answers) -> list[Decimal]:
    """Every amount the settlement must name, worked out by hand from the facts."""
    answers = fitting_answers(answers)
    price, deposit = answers.price, answers.deposit or Decimal(0)
    variant = answers.payment_variant
    if answers.deposit is None and variant is not None:
        # skipped: unknown, so no deposit is counted, named or denied (D16)
        if variant is PaymentVariant.KILL_FEE:
            if price is None or answers.kill_fee_percent is None:
                return []
            return [price, price * answers.kill_fee_percent / 100]
        if variant is PaymentVariant.CONTINUE:
            assert price is not None
            if answers.continue_mode is ContinueMode.DEDUCT:
                assert answers.unusable_amount is not None
                return [answers.unusable_amount, price]
            return [price]
        return []
    if variant is PaymentVariant.KEEP_DEPOSIT:
        return [deposit] if deposit else []
    if variant is PaymentVariant.KILL_FEE:
        if price is None or answers.kill_fee_percent is None:
            return []
        keep = price * answers.kill_fee_percent / 100
        if deposit > keep:
            return [price, keep, deposit, deposit - keep]
        if keep > deposit:
            return [price, keep, *([deposit, keep - deposit] if deposit else [])]
        return [price, keep]
    if variant is PaymentVariant.CONTINUE:
        assert price is not None
        if answers.continue_mode is ContinueMode.ABSORB:
            return [deposit, price, price - deposit] if deposit else [price]
        unusable = answers.unusable_amount
        assert unusable is not None
        if not deposit:
            return [unusable, price]
        if unusable > deposit:
            return [unusable, deposit, unusable - deposit, price]
        if unusable < deposit:
            credit = deposit - unusable
            return [unusable, deposit, credit, price, price - credit]
        return [deposit, price]
    return []


def _alone(amount: str) -> str:
    """A pattern for ``amount`` not inside a larger one ("100,00 €" in "1 100,00 €")."""
    return rf"(?<![\d\u00a0,.]){re.escape(amount)}"


def _compose(row: Row) -> str:
    return compose_reply(
        row.answers, language=row.language, tone=row.tone, signature=row.signature
    ).text


def _names(row: Row) -> list[str]:
    answers = row.answers
    given = [answers.client_name, answers.contact_name, answers.intermediary_contact]
    return [n for n in given if n]


def _body(row: Row, text: str) -> str:
    """The letter without its sign-off lines (the user's own name may be in any script)."""
    if row.signature:
        text = text.rsplit("\n\n", 1)[0]
    return text


@pytest.fixture(scope="module")
def composed() -> dict[str, str]:
    return {row.id: _compose(row) for row in ROWS}


def test_the_table_covers_every_addressee_solution_variant_tone_and_language() -> None:
    assert len(ROWS) >= 40
    assert {r.answers.intermediary for r in ROWS} >= set(Intermediary)
    assert {r.answers.solution for r in ROWS} >= {Solution.REDO, Solution.PART_WAYS, None}
    assert {r.answers.payment_variant for r in ROWS} >= set(PaymentVariant)
    assert {(r.language, r.tone) for r in ROWS} == {
        (lang, tone) for lang in ("bg", "en") for tone in {r.tone for r in ROWS}
    }


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_greeting(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    assert text.split("\n")[0] == row.greeting
    assert text.split("\n")[1] == ""
    # a company is never greeted by its legal name
    for form in ("GmbH", "ООД", "Logistics,"):
        assert form not in text.split("\n")[0]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_no_form_slots_or_flagged_wording(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    for phrase in BANNED:
        assert phrase.casefold() not in text.casefold(), phrase
    for value in FACTS[row.language].values():
        assert f": {value}" not in text
        assert f":\u00a0{value}" not in text
    # no sentence introduces a pasted fact after a colon
    for fact in (row.answers.delivery, row.answers.problem_details, row.answers.deadline):
        if fact:
            assert not re.search(rf"\w: {re.escape(fact)}", text)
    # what the client wrote is theirs: never quoted back
    if row.answers.client_said:
        assert row.answers.client_said.rstrip(".!") not in text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_one_language_only(row: Row, composed: dict[str, str]) -> None:
    body = _body(row, composed[row.id])
    if row.language == "en":
        assert not CYRILLIC.search(body), body
        return
    for name in _names(row):
        body = body.replace(name, " ")
    body = re.sub(r"\b(?:USD|EUR|GBP|BGN)\b", " ", body)
    assert not LATIN.search(body), body


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_facts_in_the_letters_language_are_used_and_others_left_out(
    row: Row, composed: dict[str, str]
) -> None:
    text = composed[row.id]
    answers = fitting_answers(row.answers)
    delivery, deadline = answers.delivery, answers.deadline
    if delivery:
        core = delivery.removeprefix("the ")
        assert (core in text) is fits_language(delivery, row.language)
    if deadline and answers.solution is Solution.REDO:
        assert (deadline in text) is fits_language(deadline, row.language)
    elif deadline:
        assert deadline not in text  # a deadline belongs to a new version only


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_every_amount_of_the_settlement(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    amounts = expected_amounts(row.answers)
    currency = row.answers.currency
    for amount in amounts:
        assert re.search(_alone(money(amount, currency, row.language)), text), (amount, text)
    # nothing else looks like money; and no amount is said twice in one paragraph
    if not amounts:
        assert not re.search(r"\d[\d\u00a0,.]*\d{2}(?:\u00a0)?(?:€|лв|BGN|USD)|[€$£]\d", text)
    for paragraph in text.split("\n\n"):
        for amount in set(amounts):
            if amounts.count(amount) == 1:
                said = re.findall(_alone(money(amount, currency, row.language)), paragraph)
                assert len(said) <= 1, paragraph


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_no_contradictory_sentence(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id].casefold()
    solution = row.answers.solution
    if solution is Solution.REDO:
        for phrase in PARTING[row.language]:
            assert phrase.casefold() not in text, phrase
    if solution is Solution.PART_WAYS:
        for phrase in CONTINUING[row.language]:
            assert phrase.casefold() not in text, phrase
    # an unagreed share is asked about, never announced as an invoice
    answers = fitting_answers(row.answers)
    if answers.payment_variant is PaymentVariant.KILL_FEE and not answers.kill_fee_agreed:
        assert "?" in text
        assert "I will invoice" not in composed[row.id]
        assert "ще Ви издам фактура" not in composed[row.id]
    # "settled" is never followed by more to do
    if "we are settled" in text or "уредени" in text or "квит" in text:
        assert "?" not in text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_a_skipped_deposit_is_neither_denied_nor_invented(
    row: Row, composed: dict[str, str]
) -> None:
    answers = fitting_answers(row.answers)
    if answers.deposit is not None or answers.payment_variant is None:
        return
    text = composed[row.id]
    for denial in ("no deposit", "without a deposit", "без капаро", "нямаше капаро", "няма капаро"):
        assert denial not in text.casefold(), text
    if answers.payment_variant is not PaymentVariant.KEEP_DEPOSIT and settle(answers):
        # with amounts, any deposit is named as a possibility, never as paid
        said = text.casefold()
        assert any(w in said for w in ("any deposit", "ако има", "ако вече има")), text
        assert "deposit of" not in text and "капарото от" not in text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_addressee_and_the_end_client(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    via = row.answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER)
    if via:
        client = row.answers.client_name
        if client and fits_language(client, row.language, name=True):
            assert client in text  # named in the third person …
            assert client not in text.split("\n")[0]  # … and not greeted
        else:
            assert any(ref in text for ref in ("your client", "клиента Ви", "клиента ти"))
        assert "you expected" not in text
    else:
        assert "your client" not in text and "клиента Ви" not in text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_what_the_client_asked_for_and_the_call(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    first = text.split("\n\n")[1]
    if asks_for_refund(row.answers.client_said) and row.answers.solution is not None:
        assert "money back" in text or "парите си обратно" in text
    if row.answers.call_held:
        assert any(w in first for w in ("conversation", "chat", "разговора"))
    else:
        assert not any(w in first for w in ("our conversation", "the chat", "за разговора"))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_sign_off_comes_last(row: Row, composed: dict[str, str]) -> None:
    lines = composed[row.id].split("\n")
    if row.signature:
        assert lines[-1] == row.signature
        assert lines[-2] in {"Kind regards,", "Best,", "С уважение,", "Поздрави,"}
    else:
        assert lines[-1].endswith((".", "!", "?"))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_formal_bulgarian_capitalises_vie_and_friendly_uses_ti(
    row: Row, composed: dict[str, str]
) -> None:
    if row.language != "bg":
        return
    text = composed[row.id]
    lower_vie = re.search(r"\b(?:вие|ви|вас|ваш\w*)\b", text)
    assert lower_vie is None, text
    has_vie = re.search(r"\b(?:Вие|Ви|Вас|Ваш\w*)\b", text) is not None
    has_ti = re.search(r"\b(?:ти|те|теб|твой\w*|твоя\w*)\b", text) is not None
    assert not (has_vie and has_ti), text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_golden_reply(row: Row, composed: dict[str, str]) -> None:
    text = composed[row.id]
    parts = [text]
    answers = row.answers
    if answers.intermediary is not Intermediary.DIRECT or answers.channel is not None:
        call = compose_call_request(
            answers, language=row.language, tone=row.tone, signature=row.signature
        ).text
        parts.append("--- call request ---\n" + call)
    content = "\n\n".join(parts) + "\n"
    path = GOLDEN / f"{row.id}.txt"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with UPDATE_GOLDEN=1"
    assert path.read_text(encoding="utf-8") == content


# --------------------------------------------------------------------------- the pure helpers


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Maria", "latin"),
        ("Мария", "cyrillic"),
        ("лого за WordPress", "mixed"),
        ("1 200 €, 🎉", "none"),
        ("", "none"),
        ("Ćevapi Łódź", "latin"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


@pytest.mark.parametrize(
    ("text", "language", "name", "fits"),
    [
        ("the logo", "en", False, True),
        ("логото", "en", False, False),
        ("Мария", "en", True, False),
        ("логото", "bg", False, True),
        ("лого за WordPress сайт", "bg", False, True),
        ("the logo", "bg", False, False),
        ("Nordlicht GmbH", "bg", True, True),
        ("до 15.12.", "bg", False, True),
        ("15.12.", "en", False, True),
    ],
)
def test_fits_language(text: str, language: str, name: bool, fits: bool) -> None:
    assert fits_language(text, language, name=name) is fits


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("We'd like our money back.", True),
        ("Please issue a refund.", True),
        ("Can you reimburse the deposit?", True),
        ("Искаме си парите.", True),
        ("Върнете ни парите, моля.", True),
        ("Искаме парите си обратно", True),
        ("Моля, възстановете сумата.", True),
        ("It's not what we had in mind.", False),
        ("Не е това, което си представяхме.", False),
        ("The money is fine, the colours are not.", False),
        (None, False),
    ],
)
def test_asks_for_refund(said: str | None, asks: bool) -> None:
    assert asks_for_refund(said) is asks


@pytest.mark.parametrize(
    ("given", "language", "tone", "greeting"),
    [
        # a Latin surname's ending says nothing sure about gender ("Casanova"): no title
        ({"client_name": "Marco Casanova"}, "en", "formal", "Dear Marco Casanova,"),
        ({"client_name": "Maria Ivanova"}, "bg", "formal", "Здравейте, Maria Ivanova,"),
        ({"client_name": "Мария Иванова"}, "bg", "formal", "Здравейте, г-жо Иванова,"),
        ({"client_name": "Анна Ковалска"}, "bg", "formal", "Здравейте, г-жо Ковалска,"),
        ({"client_name": "Иван Петров"}, "bg", "friendly", "Здравей, Иван,"),
        ({"client_name": "Анна Мюлер"}, "bg", "formal", "Здравейте, Анна Мюлер,"),
        ({"client_name": "Мария Иванова"}, "en", "formal", "Hello,"),
        ({"client_name": "„Акме“ ООД"}, "en", "formal", "Hello,"),
        ({"client_name": "ACME Ltd"}, "en", "friendly", "Hi ACME team,"),
        ({"client_name": "Studio Lale"}, "en", "formal", "Dear Studio Lale team,"),
        ({"client_name": "ACME Ltd", "contact_name": "Мария"}, "en", "formal", "Dear ACME team,"),
        (
            {"client_name": "ACME Ltd", "contact_name": "Maria Petrova"},
            "en",
            "formal",
            "Dear Maria,",
        ),
        (
            {"intermediary": Intermediary.AGENCY, "intermediary_contact": "Иво"},
            "en",
            "formal",
            "Hello,",
        ),
        (
            {"intermediary": Intermediary.FREELANCER, "intermediary_contact": "Иво Петров"},
            "bg",
            "formal",
            "Здравейте, Иво,",
        ),
        # the client's name never greets the reader through an intermediary
        ({"intermediary": Intermediary.AGENCY, "client_name": "Maria"}, "en", "friendly", "Hi,"),
    ],
)
def test_greeting_forms(given: dict[str, object], language: str, tone: str, greeting: str) -> None:
    answers = Answers(**given)  # type: ignore[arg-type]
    text = compose_reply(answers, language=language, tone=Tone(tone)).text
    assert text.split("\n")[0] == greeting


@pytest.mark.parametrize(
    ("delivery", "what"),
    [
        ("логото и визитките", "за логото и визитките."),
        ("брошурата от 8 страници", "за брошурата от 8 страници."),
        ("„текстовете за сайта“", "за текстовете за сайта."),
        ("лого и визитки", "за работата по „лого и визитки“."),
        ("брошура", "за работата по „брошура“."),
        ("сто банера", "за работата по „сто банера“."),
    ],
)
def test_a_bulgarian_delivery_with_its_article_is_not_quoted(delivery: str, what: str) -> None:
    answers = Answers(delivery=delivery)
    text = compose_reply(answers, language="bg", tone=Tone.FORMAL).text
    assert what in text.split("\n\n")[1]
