"""The coach takes new case ids from an injected source; the shared text helpers."""

from __future__ import annotations

from itertools import count

from flows.coach import Coach
from flows.io import CommandInput, UserContext
from flows.text import dash, one_line


def test_new_cases_take_their_ids_from_the_injected_source() -> None:
    numbers = count(1)
    coach = Coach(new_case_id=lambda: f"{next(numbers):032x}")
    first = coach.handle(UserContext(language="en", active_case=None), CommandInput("start"))
    assert first.case is not None and first.case.id == f"{1:032x}"
    again = coach.handle(
        UserContext(language="en", active_case=first.case), CommandInput("restart")
    )
    assert again.case is not None and again.case.id == f"{2:032x}"
    assert [c.id for c in again.closed] == [f"{1:032x}"]


def test_one_line_and_dash() -> None:
    assert one_line("a\n  b\tc", 10) == "a b c"
    assert one_line("abcdefghij", 5) == "abcd…"
    assert dash("kill_fee_share") == "kill-fee-share"
