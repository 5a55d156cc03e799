"""Scripts of full conversations for the platform benchmarks (recorded once per run)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from bench._common import NotAvailable
from bench.conversation import Recording, record_many

_LOGGER = logging.getLogger(__name__)

#: Distinct recorded conversations (languages × paths); users cycle through them.
RECORDINGS = 12


def make_coach() -> Any:
    """The pure Coach, or NotAvailable when the flow has not landed."""
    try:
        from flows.coach import Coach
    except ImportError as exc:
        raise NotAvailable(f"flows.coach does not import ({exc})") from None
    return Coach()


@functools.cache
def recordings(count: int = RECORDINGS) -> tuple[Recording, ...]:
    """``count`` recorded conversations through the pure Coach."""
    coach = make_coach()
    try:
        return tuple(record_many(coach=coach, count=count))
    except NotImplementedError:
        raise NotAvailable("the Coach is not implemented yet") from None


def our_scripts() -> list[dict[str, Any]]:
    """The recordings as JSON for a driver process."""
    return [
        {"language": rec.language, "actions": [a.to_json() for a in rec.actions]}
        for rec in recordings()
    ]
