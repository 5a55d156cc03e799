"""Money for step 6: parse amounts and format them with Babel (settling: :mod:`flows.settlement`).

Everything is :class:`~decimal.Decimal`, quantised to cents. Parsing accepts
both locales' habits ("1 200,50", "1.200,50 лв", "1,200.50", "€500",
"500 EUR", "$300", "лв. 50") and says *why* it rejects an input through
:class:`AmountError` — a Fluent key in ``locales/*/money.ftl`` plus an example
of a valid input, so the flow can re-prompt.
"""

from __future__ import annotations

import logging
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency
from babel.numbers import format_percent as babel_format_percent

_LOGGER = logging.getLogger(__name__)

CENT = Decimal("0.01")
#: The largest amount accepted (one billion): anything above is a typo.
MAX_AMOUNT = Decimal("1000000000")
#: The kill-fee share the article recommends, lowest and highest.
KILL_FEE_RANGE: tuple[Decimal, Decimal] = (Decimal(30), Decimal(50))

#: Example inputs shown with an error (language-neutral: both parse everywhere).
AMOUNT_EXAMPLE = "1200"
PERCENT_EXAMPLE = "35"
SHARE_EXAMPLE = "30 %"
SHARE_MONEY_EXAMPLE = "300"

_BABEL_LOCALES = {"bg": "bg_BG", "en": "en_US"}

# Space-like characters people (and Babel) put between digit groups.
_SPACE_CHARS = "\u00a0\u202f\u2009\u2007\u2002\u2003\t "
_SPACES = re.compile(f"[{_SPACE_CHARS}]+")
_MINUS_CHARS = "-\u2212\u2013\u2014"
# pre-text, the number (digits with separators inside), post-text.
_AMOUNT_SHAPE = re.compile(r"(?P<pre>[^\d]*?)(?P<num>\d(?:[\d .,']*\d)?)(?P<post>[^\d]*)")
_GROUP_SPLIT = re.compile(r"[ ']")

#: Currency words and signs, lower-case, mapped to ISO codes.
_CURRENCY_TOKENS: dict[str, str] = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "евро": "EUR",
    "лв.": "BGN",
    "лв": "BGN",
    "bgn": "BGN",
    "лев": "BGN",
    "лева": "BGN",
    "lv": "BGN",
    "lv.": "BGN",
    "lev": "BGN",
    "leva": "BGN",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "долар": "USD",
    "долара": "USD",
    "долари": "USD",
    "щ.д.": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "паунд": "GBP",
    "паунда": "GBP",
    "лири": "GBP",
}


class AmountError(ValueError):
    """An amount or percentage the coach cannot accept.

    Attributes:
        key: The Fluent message id (``locales/*/money.ftl``) explaining why;
            every such message takes one ``$example`` argument.
        example: A valid input to show with the explanation.
    """

    def __init__(self, key: str, example: str) -> None:
        """Create the error from its message key and an example input."""
        super().__init__(key)
        self.key = key
        self.example = example


# --------------------------------------------------------------------------- parsing


def parse_amount(text: str) -> tuple[Decimal, str | None]:
    """Parse an amount of money typed by the user.

    Args:
        text: Free text such as ``"1 200,50"``, ``"1.200,50 лв"``, ``"€500"``.

    Returns:
        The amount quantised to cents and the currency it names (``EUR``,
        ``BGN``, ``USD``, ``GBP``) or ``None`` when it names none.

    Raises:
        AmountError: empty, garbage, negative, more than two decimals, or
            larger than :data:`MAX_AMOUNT`.
    """
    cleaned = _SPACES.sub(" ", text or "").strip()
    if not cleaned:
        raise AmountError("money-error-empty", AMOUNT_EXAMPLE)
    match = _AMOUNT_SHAPE.fullmatch(cleaned)
    if match is None:
        raise AmountError("money-error-garbage", AMOUNT_EXAMPLE)
    pre = match.group("pre").strip().lower()
    post = match.group("post").strip().lower()
    negative = False
    if pre and pre[-1] in _MINUS_CHARS:
        negative, pre = True, pre[:-1].strip()
    elif pre and pre[0] in _MINUS_CHARS:
        negative, pre = True, pre[1:].strip()
    if post.endswith(".") and post not in _CURRENCY_TOKENS:
        post = post[:-1].strip()  # a sentence-ending full stop: "1200." / "500 €."
    currencies = {_currency_token(part) for part in (pre, post) if part}
    if None in currencies or len(currencies) > 1:
        raise AmountError("money-error-garbage", AMOUNT_EXAMPLE)
    if negative:
        raise AmountError("money-error-negative", AMOUNT_EXAMPLE)
    amount = _parse_number(match.group("num"))
    if amount > MAX_AMOUNT:
        raise AmountError("money-error-too-large", AMOUNT_EXAMPLE)
    currency = next(iter(currencies)) if currencies else None
    return amount.quantize(CENT), currency


def _currency_token(token: str) -> str | None:
    return _CURRENCY_TOKENS.get(token)


def parse_currency(text: str) -> str | None:
    """The ISO code of a typed currency word or sign (``"лв"``, ``"€"``, ``"dollars"``, ``"GBP"``).

    Returns ``None`` when the text names no currency (or more than a currency).
    """
    cleaned = _SPACES.sub(" ", text or "").strip().casefold()
    found = _CURRENCY_TOKENS.get(cleaned)
    if found is None and cleaned.endswith(".") and cleaned not in _CURRENCY_TOKENS:
        found = _CURRENCY_TOKENS.get(cleaned[:-1].strip())
    return found


def _parse_number(core: str) -> Decimal:
    """Parse digits with grouping and one decimal separator (no sign, no currency)."""
    spaced = bool(_GROUP_SPLIT.search(core))
    last_dot, last_comma = core.rfind("."), core.rfind(",")
    decimal_sep: str | None
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        head, _, tail = core.rpartition(sep)
        head_digits = _GROUP_SPLIT.sub("", head)
        if core.count(sep) > 1:
            decimal_sep = None  # "1.200.000": grouping only
        elif spaced:
            decimal_sep = sep  # "1 200,5": spaces group, so the mark is decimal
        elif len(tail) == 3 and 1 <= len(head_digits) <= 3 and not head_digits.startswith("0"):
            decimal_sep = None  # "1.200" / "1,200": thousands
        else:
            decimal_sep = sep
    else:
        decimal_sep = None

    if decimal_sep is None:
        integer, fraction = core, ""
    else:
        integer, _, fraction = core.rpartition(decimal_sep)
        if not fraction.isdigit() or decimal_sep in integer:
            raise AmountError("money-error-garbage", AMOUNT_EXAMPLE)
    group_marks = {" " if c == "'" else c for c in integer if not c.isdigit()}
    pieces = re.split(r"[ '.,]", integer)
    if len(group_marks) > 1 or (len(pieces) > 1 and not _valid_groups(pieces)):
        raise AmountError("money-error-garbage", AMOUNT_EXAMPLE)
    if len(fraction) > 2:
        raise AmountError("money-error-too-many-decimals", AMOUNT_EXAMPLE)
    digits = "".join(pieces)
    try:
        return Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
        raise AmountError("money-error-garbage", AMOUNT_EXAMPLE) from exc


def _valid_groups(pieces: list[str]) -> bool:
    first, rest = pieces[0], pieces[1:]
    return (
        1 <= len(first) <= 3 and first.isdigit() and all(len(p) == 3 and p.isdigit() for p in rest)
    )


def parse_percent(text: str) -> Decimal:
    """Parse a percentage between 1 and 100: ``"35"``, ``"35 %"``, ``"12,5"``.

    Raises:
        AmountError: ``money-error-percent-garbage`` or ``money-error-percent-range``.
    """
    cleaned = _SPACES.sub("", text or "").strip().lower()
    cleaned = cleaned.removesuffix("%").removesuffix("процента").removesuffix("percent")
    if not cleaned:
        raise AmountError("money-error-percent-garbage", PERCENT_EXAMPLE)
    negative = cleaned[0] in _MINUS_CHARS
    number = cleaned[1:] if negative else cleaned
    if not re.fullmatch(r"\d{1,3}(?:[.,]\d{1,2})?", number):
        if negative and re.fullmatch(r"\d+(?:[.,]\d+)?", number):
            raise AmountError("money-error-percent-range", PERCENT_EXAMPLE)
        raise AmountError("money-error-percent-garbage", PERCENT_EXAMPLE)
    value = Decimal(number.replace(",", "."))
    if negative or not Decimal(1) <= value <= Decimal(100):
        raise AmountError("money-error-percent-range", PERCENT_EXAMPLE)
    return value


def parse_share(text: str, *, base: Decimal | None) -> Decimal:
    """Parse how much of the delivered work is unusable, as an amount of money.

    Text with ``%`` is a share of ``base`` (the price); anything else is money
    (a bare number, or a number with a currency).

    Args:
        text: ``"30 %"``, ``"300"``, ``"300 €"``.
        base: The price of the order, needed for a percentage.

    Returns:
        The unusable amount, quantised to cents.

    Raises:
        AmountError: bad number, a percentage without a price, zero, or more
            than the price.
    """
    if "%" in (text or ""):
        percent = parse_percent(text)
        if base is None or base <= 0:
            raise AmountError("money-error-share-needs-price", SHARE_MONEY_EXAMPLE)
        return (base * percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    amount, _currency = parse_amount(text)
    if amount <= 0:
        raise AmountError("money-error-zero-share", SHARE_EXAMPLE)
    if base is not None and amount > base:
        raise AmountError("money-error-share-above-price", SHARE_EXAMPLE)
    return amount


# --------------------------------------------------------------------------- validation


def validate_price(price: Decimal) -> None:
    """Reject a zero or negative price of the order."""
    if price < 0:
        raise AmountError("money-error-negative", AMOUNT_EXAMPLE)
    if price == 0:
        raise AmountError("money-error-zero-price", AMOUNT_EXAMPLE)


def validate_deposit(deposit: Decimal, price: Decimal | None) -> None:
    """Reject a negative deposit or one above the price (zero means no deposit).

    For ``money-error-deposit-above-price`` the example is the price itself,
    written plainly (``"1200"``).
    """
    if deposit < 0:
        raise AmountError("money-error-negative", AMOUNT_EXAMPLE)
    if price is not None and deposit > price:
        raise AmountError("money-error-deposit-above-price", plain_amount(price))


def plain_amount(amount: Decimal) -> str:
    """Write an amount without grouping or currency: ``1200``, ``1200.5``."""
    text = format(amount.quantize(CENT), "f")
    return text.removesuffix(".00")


# --------------------------------------------------------------------------- formatting


def _babel_locale(language: str) -> str:
    return _BABEL_LOCALES.get(language, "en_US")


def format_money(amount: Decimal, currency: str, *, language: str) -> str:
    """Format an amount for ``language`` with Babel: ``1 200,00 €`` / ``€1,200.00``.

    Babel's own characters are kept (a no-break space in Bulgarian). In English
    a currency without a sign (BGN) is written after the number,
    ``1,200.00 BGN``, rather than glued in front of it. In Bulgarian the dollar
    is ``3 000,00 USD``: Babel's "щ.д." is bank jargon nobody writes to a client.
    """
    locale = _babel_locale(language)
    value = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if language != "bg" and currency == "BGN":
        return format_currency(value, currency, format="#,##0.00\u00a0¤", locale=locale)
    if language == "bg" and currency == "USD":
        return format_currency(value, currency, format="#,##0.00\u00a0¤¤", locale=locale)
    return format_currency(value, currency, locale=locale)


def format_percent(percent: Decimal, *, language: str) -> str:
    """Format a percentage given as 0–100: ``40 %`` (bg, no-break space) / ``40%`` (en)."""
    pattern = "#,##0.##\u00a0%" if language == "bg" else "#,##0.##%"
    return babel_format_percent(percent / Decimal(100), pattern, locale=_babel_locale(language))
