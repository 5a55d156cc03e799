"""What the client's own pasted message asks for, found by keywords (both languages)."""

from __future__ import annotations

import re

#: Phrases asking for the money back, in English and Bulgarian (matched case-insensitively).
_REFUND = re.compile(
    r"\b(?:refund\w*|money back|reimburse\w*|pay (?:us |me )?back|return (?:the|our) money|"
    r"cancel the payment)\b"
    r"|парите\s+(?:си\s+)?(?:обратно|назад)|(?:върнете|възстановете|връщане)\s+(?:ни\s+|ми\s+)?"
    r"(?:парите|сумата|капарото|аванса)|искаме\s+си\s+парите|искам\s+си\s+парите"
    r"|възстановяване\s+на\s+(?:сумата|парите)",
    re.IGNORECASE,
)


def asks_for_refund(client_said: str | None) -> bool:
    """Whether the client's message asks for their money back ("refund", "искаме си парите")."""
    return bool(client_said) and _REFUND.search(client_said or "") is not None
