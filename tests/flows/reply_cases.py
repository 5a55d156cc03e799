"""The table of composed replies: every addressee × solution × variant × tone × language.

Shared by the table-driven suite (``test_drafts_table.py``) and the check that
every draft message is used. Each row names its case, the answers, the reply's
language and tone, the sign-off, and the greeting a native would write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

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

D = Decimal
F, Fr = Tone.FORMAL, Tone.FRIENDLY
REDO, PART = Solution.REDO, Solution.PART_WAYS
KEEP, KILL, CONT = PaymentVariant.KEEP_DEPOSIT, PaymentVariant.KILL_FEE, PaymentVariant.CONTINUE
DEDUCT, ABSORB = ContinueMode.DEDUCT, ContinueMode.ABSORB

#: Free-text facts as a user types them, in each language (written to the reader).
FACTS = {
    "en": {
        "delivery": "the logo and business cards",
        "problem_details": "you were hoping for warmer colours and a rounder typeface",
        "deadline": "by Friday, 12 December",
        "client_said": "Hi, this is not what we had in mind at all.",
    },
    "bg": {
        "delivery": "лого и визитки за сладкарницата",
        "problem_details": "очаквахте по-топли цветове и по-заоблен шрифт",
        "deadline": "до петък, 12 декември",
        "client_said": "Здравейте, това изобщо не е каквото си представяхме.",
    },
}


#: The details as said to an intermediary, and in the Bulgarian friendly tone.
DETAILS_VIA = {
    "en": "the client was hoping for warmer colours and a rounder typeface",
    "bg": "клиентът очакваше по-топли цветове и по-заоблен шрифт",
}
DETAILS_TI = "очакваше по-топли цветове и по-заоблен шрифт"


def facts(language: str, **overrides: object) -> Answers:
    """A direct case with every free-text fact typed in ``language``."""
    base = Answers(
        intermediary=Intermediary.DIRECT,
        channel=Channel.WRITING,
        problem=Problem.STYLE,
        currency="EUR",
        **FACTS[language],  # type: ignore[arg-type]
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# The money of each solution × variant (the amounts are checked independently in the suite).
REDO_CREDIT = {
    "solution": REDO,
    "payment_variant": CONT,
    "continue_mode": DEDUCT,
    "price": D(1200),
    "deposit": D(400),
    "unusable_amount": D(300),
}
REDO_EXCEEDS = {**REDO_CREDIT, "deposit": D(200)}
REDO_NO_DEPOSIT = {**REDO_CREDIT, "deposit": D(0)}
REDO_ALL = {**REDO_CREDIT, "deposit": D(300)}
REDO_ABSORB = {
    "solution": REDO,
    "payment_variant": CONT,
    "continue_mode": ABSORB,
    "price": D(1500),
    "deposit": D(500),
}
REDO_ABSORB_NONE = {**REDO_ABSORB, "deposit": D(0)}
PART_KEEP = {"solution": PART, "payment_variant": KEEP, "price": D(900), "deposit": D(300)}
PART_KEEP_UNKNOWN = {"solution": PART, "payment_variant": KEEP, "price": D(900)}
PART_REFUND = {
    "solution": PART,
    "payment_variant": KILL,
    "price": D(900),
    "deposit": D(300),
    "kill_fee_percent": D(30),
    "kill_fee_agreed": False,
}
PART_REFUND_AGREED = {**PART_REFUND, "kill_fee_agreed": True}
PART_INVOICE = {
    "solution": PART,
    "payment_variant": KILL,
    "price": D(2500),
    "deposit": D(500),
    "kill_fee_percent": D(40),
    "kill_fee_agreed": True,
}
PART_INVOICE_OPEN = {**PART_INVOICE, "kill_fee_agreed": False}
PART_ALL = {
    "solution": PART,
    "payment_variant": KILL,
    "price": D(3000),
    "deposit": D(0),
    "kill_fee_percent": D(50),
    "kill_fee_agreed": False,
    "currency": "USD",
}
PART_ALL_AGREED = {**PART_ALL, "kill_fee_agreed": True}
PART_EVEN = {
    "solution": PART,
    "payment_variant": KILL,
    "price": D(1000),
    "deposit": D(400),
    "kill_fee_percent": D(40),
    "kill_fee_agreed": False,
}
PART_SHARE_UNKNOWN = {"solution": PART, "payment_variant": KILL, "price": D(1000)}
#: The deposit skipped (unknown, not "none"): any deposit is set off, none is claimed.
PART_INVOICE_UNKNOWN = {**PART_INVOICE, "deposit": None}
PART_INVOICE_UNKNOWN_OPEN = {**PART_INVOICE_OPEN, "deposit": None}
REDO_DEDUCT_UNKNOWN = {**REDO_CREDIT, "deposit": None}
REDO_ABSORB_UNKNOWN = {**REDO_ABSORB, "deposit": None}
PART_NO_PRICE = {
    "solution": PART,
    "payment_variant": KILL,
    "kill_fee_percent": D(40),
    "kill_fee_agreed": True,
}
UNCLEAR = {"problem": Problem.UNCLEAR, "solution": None}

MONEY_BACK = {
    "en": "Honestly, we would like our money back.",
    "bg": "Честно казано, искаме си парите.",
}

PERSON_EN = {"client_name": "Maria Ivanova"}
PERSON_BG = {"client_name": "Мария Иванова"}
MAN_BG = {"client_name": "Георги Петров"}
COMPANY = {"client_name": "Nordlicht GmbH"}
COMPANY_BG = {"client_name": "Студио „Лале“ ООД"}
COMPANY_CONTACT = {"client_name": "Nordlicht GmbH", "contact_name": "Anna"}
COMPANY_CONTACT_BG = {"client_name": "Студио „Лале“ ООД", "contact_name": "Анна"}
AGENCY = {
    "intermediary": Intermediary.AGENCY,
    "client_name": "Nordlicht GmbH",
    "intermediary_contact": "Peter",
}
AGENCY_BG = {
    "intermediary": Intermediary.AGENCY,
    "client_name": "Студио „Лале“ ООД",
    "intermediary_contact": "Петя",
}
AGENCY_ANON = {"intermediary": Intermediary.AGENCY, "client_name": None}
COLLEAGUE = {
    "intermediary": Intermediary.FREELANCER,
    "client_name": "Brightline Logistics",
    "intermediary_contact": "Ivo",
}
COLLEAGUE_BG = {
    "intermediary": Intermediary.FREELANCER,
    "client_name": None,
    "intermediary_contact": "Иво",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One composed reply of the table and the greeting it must open with."""

    case: str
    answers: Answers
    language: str
    tone: Tone
    greeting: str
    signature: str | None = None

    @property
    def id(self) -> str:
        """The golden file's stem: ``<case>.<lang>.<tone>``."""
        return f"{self.case}.{self.language}.{self.tone.value}"


def _row(
    case: str,
    language: str,
    tone: Tone,
    greeting: str,
    *parts: dict[str, object],
    facts_in: str | None = None,
    signature: str | None = None,
) -> Row:
    overrides: dict[str, object] = {}
    written = facts_in or language
    if written == "bg" and tone is Tone.FRIENDLY:
        overrides["problem_details"] = DETAILS_TI
    for part in parts:
        overrides.update(part)
    to_team = overrides.get("client_name") == COMPANY_BG["client_name"]
    if (
        to_team
        and not overrides.get("contact_name")
        and overrides.get("problem_details") == (DETAILS_TI)
    ):
        # a Bulgarian letter to a whole team is "Вие": the user writes the details so too
        del overrides["problem_details"]
    if overrides.get("intermediary") in (Intermediary.AGENCY, Intermediary.FREELANCER):
        overrides.setdefault("problem_details", DETAILS_VIA[written])
        if overrides["problem_details"] in (DETAILS_TI, FACTS[written]["problem_details"]):
            overrides["problem_details"] = DETAILS_VIA[written]
    return Row(case, facts(facts_in or language, **overrides), language, tone, greeting, signature)


ROWS: tuple[Row, ...] = (
    # --- direct, a person
    _row("person-redo-credit", "en", F, "Dear Maria Ivanova,", PERSON_EN, REDO_CREDIT),
    _row("person-redo-credit", "en", Fr, "Hi Maria,", PERSON_EN, REDO_CREDIT, signature="Elena"),
    _row(
        "person-redo-credit",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_CREDIT,
        signature="Елена Костова, дизайнер",
    ),
    _row("person-redo-credit", "bg", Fr, "Здравей, Мария,", PERSON_BG, REDO_CREDIT),
    _row("man-redo-exceeds", "bg", F, "Здравейте, г-н Петров,", MAN_BG, REDO_EXCEEDS),
    _row("person-redo-exceeds", "en", F, "Dear Maria Ivanova,", PERSON_EN, REDO_EXCEEDS),
    _row("person-redo-no-deposit", "en", Fr, "Hi Maria,", PERSON_EN, REDO_NO_DEPOSIT),
    _row("person-redo-no-deposit", "bg", F, "Здравейте, г-жо Иванова,", PERSON_BG, REDO_NO_DEPOSIT),
    _row("person-redo-all", "en", F, "Dear Maria Ivanova,", PERSON_EN, REDO_ALL),
    _row("person-redo-all", "bg", Fr, "Здравей, Мария,", PERSON_BG, REDO_ALL),
    _row(
        "person-redo-absorb-after-call",
        "en",
        F,
        "Dear Maria Ivanova,",
        PERSON_EN,
        REDO_ABSORB,
        {"call_held": True},
        signature="Elena",
    ),
    _row(
        "person-redo-absorb-after-call",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_ABSORB,
        {"call_held": True},
    ),
    _row(
        "first-name-redo-absorb-none",
        "en",
        F,
        "Dear Maria,",
        {"client_name": "Maria"},
        REDO_ABSORB_NONE,
    ),
    _row(
        "first-name-redo-absorb-none",
        "bg",
        F,
        "Здравейте, Мария,",
        {"client_name": "Мария"},
        REDO_ABSORB_NONE,
    ),
    _row(
        "person-money-back-redo",
        "en",
        F,
        "Dear Maria Ivanova,",
        PERSON_EN,
        REDO_CREDIT,
        {"client_said": MONEY_BACK["en"]},
    ),
    _row(
        "person-money-back-redo",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_CREDIT,
        {"client_said": MONEY_BACK["bg"]},
    ),
    _row("person-part-keep", "en", F, "Dear Maria Ivanova,", PERSON_EN, PART_KEEP),
    _row("person-part-keep", "bg", Fr, "Здравей, Мария,", PERSON_BG, PART_KEEP),
    _row("person-part-keep-unknown", "en", Fr, "Hi Maria,", PERSON_EN, PART_KEEP_UNKNOWN),
    _row(
        "person-part-refund-proposed",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        PART_REFUND,
        {"currency": "BGN"},
    ),
    _row(
        "person-part-refund-proposed",
        "en",
        Fr,
        "Hi Maria,",
        PERSON_EN,
        PART_REFUND,
        {"currency": "BGN"},
    ),
    _row(
        "person-part-refund-agreed", "en", F, "Dear Maria Ivanova,", PERSON_EN, PART_REFUND_AGREED
    ),
    _row("person-part-even", "bg", F, "Здравейте, г-жо Иванова,", PERSON_BG, PART_EVEN),
    _row(
        "person-part-even-agreed",
        "en",
        Fr,
        "Hi Maria,",
        PERSON_EN,
        PART_EVEN,
        {"kill_fee_agreed": True},
    ),
    _row("person-unclear", "en", F, "Dear Maria Ivanova,", PERSON_EN, UNCLEAR),
    _row("person-unclear", "bg", Fr, "Здравей, Мария,", PERSON_BG, UNCLEAR),
    # --- direct, a company without and with a contact person
    _row("company-redo-credit", "en", F, "Dear Nordlicht team,", COMPANY, REDO_CREDIT),
    _row("company-redo-credit", "en", Fr, "Hi Nordlicht team,", COMPANY, REDO_CREDIT),
    _row("company-redo-credit", "bg", F, "Здравейте,", COMPANY_BG, REDO_CREDIT),
    # a whole team is "Вие" in Bulgarian even in the friendly tone
    _row(
        "company-part-invoice",
        "bg",
        Fr,
        "Здравейте,",
        COMPANY_BG,
        PART_INVOICE,
        {"client_said": MONEY_BACK["bg"]},
    ),
    _row(
        "company-part-invoice",
        "en",
        F,
        "Dear Nordlicht team,",
        COMPANY,
        PART_INVOICE,
        {"client_said": MONEY_BACK["en"]},
    ),
    _row(
        "company-contact-part-invoice-open",
        "en",
        F,
        "Dear Anna,",
        COMPANY_CONTACT,
        PART_INVOICE_OPEN,
    ),
    _row(
        "company-contact-part-invoice-open",
        "bg",
        Fr,
        "Здравей, Анна,",
        COMPANY_CONTACT_BG,
        PART_INVOICE_OPEN,
    ),
    _row(
        "company-contact-redo-exceeds",
        "bg",
        F,
        "Здравейте, Анна,",
        COMPANY_CONTACT_BG,
        REDO_EXCEEDS,
        signature="Елена",
    ),
    # --- through an agency, with and without a contact
    _row(
        "agency-part-invoice",
        "en",
        F,
        "Dear Peter,",
        AGENCY,
        PART_INVOICE,
        {"client_said": MONEY_BACK["en"]},
        signature="Elena Kostova",
    ),
    _row("agency-part-invoice", "en", Fr, "Hi Peter,", AGENCY, PART_INVOICE),
    _row(
        "agency-part-invoice",
        "bg",
        F,
        "Здравейте, Петя,",
        AGENCY_BG,
        PART_INVOICE,
        {"client_said": MONEY_BACK["bg"]},
    ),
    _row("agency-part-invoice", "bg", Fr, "Здравей, Петя,", AGENCY_BG, PART_INVOICE),
    _row(
        "agency-redo-credit",
        "en",
        F,
        "Dear Peter,",
        AGENCY,
        REDO_CREDIT,
        {"problem_details": "the client expected the texts in their own brand voice"},
    ),
    _row("agency-redo-credit", "bg", F, "Здравейте, Петя,", AGENCY_BG, REDO_CREDIT),
    _row(
        "agency-money-back-redo",
        "en",
        F,
        "Dear Peter,",
        AGENCY,
        REDO_ABSORB,
        {"client_said": MONEY_BACK["en"]},
    ),
    _row("agency-anon-part-keep", "en", F, "Hello,", AGENCY_ANON, PART_KEEP),
    _row("agency-anon-part-keep", "bg", Fr, "Здравей,", AGENCY_ANON, PART_KEEP),
    _row(
        "agency-anon-redo-absorb-after-call",
        "en",
        Fr,
        "Hi,",
        AGENCY_ANON,
        REDO_ABSORB,
        {"call_held": True},
    ),
    # details typed as said to the end client, in a letter to the agency: quoted as the
    # client's wish, never as if said to the agency ("Бихте искали…" to Петя)
    _row(
        "agency-details-said-to-the-client",
        "en",
        F,
        "Dear Peter,",
        AGENCY,
        REDO_CREDIT,
        {"problem_details": "you'd like warmer colours and a rounder typeface"},
    ),
    _row(
        "agency-details-said-to-the-client",
        "bg",
        F,
        "Здравейте, Петя,",
        AGENCY_BG,
        REDO_CREDIT,
        {"problem_details": "Бихте искали по-топли цветове и по-заоблен шрифт"},
    ),
    _row(
        "colleague-details-said-to-the-client",
        "bg",
        Fr,
        "Здравей, Иво,",
        COLLEAGUE_BG,
        PART_KEEP,
        {"problem_details": "искаш по-топли цветове"},
    ),
    # --- through another freelancer
    _row(
        "colleague-part-all-money-back",
        "en",
        F,
        "Dear Ivo,",
        COLLEAGUE,
        PART_ALL,
        {"client_said": MONEY_BACK["en"], "problem": Problem.BRIEF},
    ),
    _row("colleague-part-all-agreed", "en", Fr, "Hi Ivo,", COLLEAGUE, PART_ALL_AGREED),
    _row(
        "colleague-part-all-money-back",
        "bg",
        F,
        "Здравейте, Иво,",
        COLLEAGUE_BG,
        PART_ALL,
        {"client_said": MONEY_BACK["bg"], "problem": Problem.BRIEF},
    ),
    _row("colleague-redo-no-deposit", "bg", Fr, "Здравей, Иво,", COLLEAGUE_BG, REDO_NO_DEPOSIT),
    # --- shares not known yet
    _row(
        "person-part-share-unknown", "en", F, "Dear Maria Ivanova,", PERSON_EN, PART_SHARE_UNKNOWN
    ),
    _row("person-part-no-price", "bg", F, "Здравейте, г-жо Иванова,", PERSON_BG, PART_NO_PRICE),
    # --- a Bulgarian case answered in English: Cyrillic facts and names stay out
    _row("bg-facts-english-reply", "en", F, "Hello,", PERSON_BG, REDO_CREDIT, facts_in="bg"),
    _row("bg-facts-english-reply", "en", Fr, "Hi,", COMPANY_BG, PART_REFUND, facts_in="bg"),
    _row(
        "bg-facts-english-reply-agency",
        "en",
        F,
        "Dear Peter,",
        AGENCY,
        {"client_name": "Студио Лале"},
        PART_INVOICE,
        facts_in="bg",
    ),
    # … and an English case answered in Bulgarian: Latin facts stay out, Latin names stay in
    _row(
        "en-facts-bulgarian-reply",
        "bg",
        F,
        "Здравейте, Maria Ivanova,",
        PERSON_EN,
        REDO_CREDIT,
        facts_in="en",
    ),
    # --- every fact skipped
    _row(
        "all-skipped-part",
        "en",
        F,
        "Hello,",
        {
            "delivery": None,
            "problem_details": None,
            "deadline": None,
            "client_said": None,
            "problem": None,
            "intermediary": None,
            "channel": None,
        },
        PART_NO_PRICE,
    ),
    _row(
        "all-skipped-redo",
        "bg",
        F,
        "Здравейте,",
        {
            "delivery": None,
            "problem_details": None,
            "deadline": None,
            "client_said": None,
            "problem": None,
        },
        {"solution": REDO},
    ),
    # --- a contradictory pick (the flow prevents it): composed for the solution, no money
    _row(
        "contradiction-redo-kill-fee",
        "en",
        F,
        "Dear Maria Ivanova,",
        PERSON_EN,
        PART_REFUND,
        {"solution": REDO},
    ),
    _row(
        "contradiction-part-continue",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_CREDIT,
        {"solution": PART},
    ),
    # --- the deposit skipped: unknown, never "no deposit" nor an invented one (D16)
    _row(
        "person-part-unknown-deposit",
        "en",
        F,
        "Dear Maria Ivanova,",
        PERSON_EN,
        PART_INVOICE_UNKNOWN,
    ),
    _row(
        "person-part-unknown-deposit", "bg", Fr, "Здравей, Мария,", PERSON_BG, PART_INVOICE_UNKNOWN
    ),
    _row(
        "person-part-unknown-deposit-proposed",
        "en",
        Fr,
        "Hi Maria,",
        PERSON_EN,
        PART_INVOICE_UNKNOWN_OPEN,
    ),
    _row(
        "person-part-unknown-deposit-proposed",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        PART_INVOICE_UNKNOWN_OPEN,
    ),
    _row(
        "person-redo-deduct-unknown-deposit",
        "en",
        F,
        "Dear Maria Ivanova,",
        PERSON_EN,
        REDO_DEDUCT_UNKNOWN,
    ),
    _row(
        "person-redo-deduct-unknown-deposit", "en", Fr, "Hi Maria,", PERSON_EN, REDO_DEDUCT_UNKNOWN
    ),
    _row(
        "person-redo-deduct-unknown-deposit",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_DEDUCT_UNKNOWN,
    ),
    _row(
        "person-redo-deduct-unknown-deposit",
        "bg",
        Fr,
        "Здравей, Мария,",
        PERSON_BG,
        REDO_DEDUCT_UNKNOWN,
    ),
    _row(
        "person-redo-absorb-unknown-deposit", "en", Fr, "Hi Maria,", PERSON_EN, REDO_ABSORB_UNKNOWN
    ),
    _row(
        "person-redo-absorb-unknown-deposit",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        REDO_ABSORB_UNKNOWN,
    ),
    # --- a Bulgarian delivery typed with its article, as the question asks: no quotes
    _row(
        "person-delivery-with-article",
        "bg",
        F,
        "Здравейте, г-жо Иванова,",
        PERSON_BG,
        PART_KEEP,
        {"delivery": "брошурата от 8 страници"},
    ),
    # --- dollars in Bulgarian
    _row("person-part-usd", "bg", F, "Здравейте, г-жо Иванова,", PERSON_BG, PART_ALL_AGREED),
)
