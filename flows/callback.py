"""Button data: which case, which turn and which choice a button stands for.

Every button the coach sends carries ``rc:<case>:<turn>:<choice>`` where
``<case>`` is the first 8 hex digits of the case id (``-`` when there is no
active case), ``<turn>`` is :attr:`flows.case.Case.turn` when the button was
sent and ``<choice>`` a short ASCII token. A press is accepted only when the
case and the turn still match, so presses on earlier messages and forged data
are told apart from the current question. The data always fits Telegram's
64-byte callback data limit; :func:`decode` never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Telegram's limit on callback data, in bytes (UTF-8).
MAX_DATA_BYTES = 64

#: How many hex digits of the case id a button carries.
CASE_REF_LENGTH = 8

#: The reference used when the user has no active case.
NO_CASE_REF = "-"

_TAG = "rc"
_CHOICE = re.compile(r"[a-z0-9_.]{1,32}")
_CASE_REF = re.compile(rf"[0-9a-f]{{{CASE_REF_LENGTH}}}|-")
_TURN = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class ButtonData:
    """The decoded content of one button's data."""

    case_ref: str
    turn: int
    choice: str


def case_ref(case_id: str | None) -> str:
    """Return the short reference of a case id (or of "no case")."""
    if not case_id:
        return NO_CASE_REF
    return case_id[:CASE_REF_LENGTH].lower()


def encode(*, case_id: str | None, turn: int, choice: str) -> str:
    """Build the data of a button; raise ``ValueError`` for an invalid choice or turn."""
    if not _CHOICE.fullmatch(choice):
        raise ValueError(f"invalid choice token {choice!r}")
    if turn < 0 or turn > 999_999_999:
        raise ValueError(f"turn out of range: {turn}")
    data = f"{_TAG}:{case_ref(case_id)}:{turn}:{choice}"
    if len(data.encode("utf-8")) > MAX_DATA_BYTES:  # pragma: no cover - guarded by the regexes
        raise ValueError("button data too long")
    return data


def decode(data: object) -> ButtonData | None:
    """Parse button data; return ``None`` for anything we did not produce."""
    if not isinstance(data, str) or len(data) > MAX_DATA_BYTES:
        return None
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != _TAG:
        return None
    ref, turn, choice = parts[1], parts[2], parts[3]
    if not (_CASE_REF.fullmatch(ref) and _TURN.fullmatch(turn) and _CHOICE.fullmatch(choice)):
        return None
    return ButtonData(case_ref=ref, turn=int(turn), choice=choice)
