"""Prometheus metrics of a worker and the thin instrumentation around the engine.

Each :class:`Metrics` owns its own :class:`~prometheus_client.CollectorRegistry`
(not the process-global one), so several servers in one test process never
clash. :class:`InstrumentedEngine` is the engine every adapter calls, with
each update timed and counted by platform and outcome (a subclass: the
engine's code is untouched).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot.engine import Engine, EngineResult, IncomingMessage, ReminderDelivery
from flows.io import ChoiceOutcome

_LOGGER = logging.getLogger(__name__)

#: Outcome label values of ``rejection_coach_updates_total``.
OUTCOME_OK = "ok"
OUTCOME_DUPLICATE = "duplicate"
OUTCOME_STALE = "stale"
OUTCOME_UNAVAILABLE = "unavailable"
OUTCOME_ERROR = "error"

#: Step latency buckets in seconds: a step is milliseconds; a DB outage is seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The metrics one worker exposes on ``/metrics``."""

    def __init__(self) -> None:
        """Create the metrics in a fresh registry."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "rejection_coach_updates",
            "Updates handled, by platform and outcome (ok, duplicate, stale, unavailable, error).",
            ("platform", "outcome"),
            registry=self.registry,
        )
        self.step_latency = Histogram(
            "rejection_coach_step_seconds",
            "Time to handle one update through the engine (load, flow, save).",
            ("platform",),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.reminders_sent = Counter(
            "rejection_coach_reminders_sent",
            "Reminders claimed and handed to the platform for delivery.",
            ("platform",),
            registry=self.registry,
        )
        self.errors = Counter(
            "rejection_coach_errors",
            "Errors by where they happened (engine, webhook, reminders, prune, health).",
            ("where",),
            registry=self.registry,
        )
        self.database_up = Gauge(
            "rejection_coach_database_up",
            "1 when the last health check reached the database, else 0.",
            registry=self.registry,
        )

    def record_update(self, *, platform: str, outcome: str, seconds: float | None) -> None:
        """Count one handled update; ``seconds`` is observed when given."""
        self.updates.labels(platform=platform, outcome=outcome).inc()
        if seconds is not None:
            self.step_latency.labels(platform=platform).observe(seconds)

    def record_error(self, *, where: str) -> None:
        """Count one error."""
        self.errors.labels(where=where).inc()

    def render(self, *, accept: str = "") -> tuple[bytes, str]:
        """The exposition text for an ``Accept`` header, and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


#: Outcomes of the engine calls made while handling the current request (see
#: :func:`track_outcomes`); ``None`` outside a tracked request.
_OUTCOMES: ContextVar[list[str] | None] = ContextVar("rejection_coach_outcomes", default=None)


@contextlib.contextmanager
def track_outcomes() -> Iterator[list[str]]:
    """Collect the outcome of every engine call made inside the block (same task or children).

    The webhook uses it to answer non-2xx when the engine could only reply
    "temporarily unavailable": Telegram then delivers the update again.
    """
    outcomes: list[str] = []
    token = _OUTCOMES.set(outcomes)
    try:
        yield outcomes
    finally:
        _OUTCOMES.reset(token)


def outcome_of(result: EngineResult) -> str:
    """Classify an engine result for the ``outcome`` label."""
    if result.duplicate:
        return OUTCOME_DUPLICATE
    if result.unavailable:
        return OUTCOME_UNAVAILABLE
    if result.choice is ChoiceOutcome.STALE:
        return OUTCOME_STALE
    return OUTCOME_OK


class InstrumentedEngine(Engine):
    """The :class:`~bot.engine.Engine`, measured.

    Built exactly like the engine (same keyword arguments) plus ``metrics``.
    :meth:`handle` is timed and counted by platform and outcome;
    :meth:`claim_due_reminders` counts the reminders it hands out for
    delivery. Everything else is the engine's own code.
    """

    def __init__(self, *, metrics: Metrics, **engine_options: Any) -> None:
        """Create the engine with ``engine_options`` and report into ``metrics``."""
        super().__init__(**engine_options)
        self.metrics = metrics

    async def handle(self, message: IncomingMessage) -> EngineResult:
        """Handle the update (see :meth:`Engine.handle`); time and count it."""
        platform = message.key.platform
        started = time.perf_counter()
        try:
            result = await super().handle(message)
        except Exception:
            self.metrics.record_update(platform=platform, outcome=OUTCOME_ERROR, seconds=None)
            self.metrics.record_error(where="engine")
            _note(OUTCOME_ERROR)
            raise
        outcome = outcome_of(result)
        _note(outcome)
        seconds = time.perf_counter() - started
        # A duplicate or an outage is not a step: keep them out of the latency.
        timed = outcome in (OUTCOME_OK, OUTCOME_STALE)
        self.metrics.record_update(
            platform=platform, outcome=outcome, seconds=seconds if timed else None
        )
        if outcome == OUTCOME_UNAVAILABLE:
            self.metrics.record_error(where="engine")
        return result

    async def claim_due_reminders(
        self, *, platform: str, limit: int = 50
    ) -> list[ReminderDelivery]:
        """Claim due reminders (see :meth:`Engine.claim_due_reminders`); count them."""
        deliveries = await super().claim_due_reminders(platform=platform, limit=limit)
        if deliveries:
            self.metrics.reminders_sent.labels(platform=platform).inc(len(deliveries))
        return deliveries


def _note(outcome: str) -> None:
    outcomes = _OUTCOMES.get()
    if outcomes is not None:
        outcomes.append(outcome)
