"""Prometheus metrics of a worker and the thin instrumentation around the engine.

Each :class:`Metrics` owns its own :class:`~prometheus_client.CollectorRegistry`
(not the process-global one), so several servers in one test process never
clash. :class:`InstrumentedEngine` wraps the engine every adapter calls: it
times each update and counts it by platform and outcome, without touching the
engine's code.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot.engine import Engine, EngineResult, IncomingMessage, ReminderDelivery
from flows.io import ChoiceOutcome, ConversationKey, Draft

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


def outcome_of(result: EngineResult) -> str:
    """Classify an engine result for the ``outcome`` label."""
    if result.duplicate:
        return OUTCOME_DUPLICATE
    if getattr(result, "unavailable", False):
        return OUTCOME_UNAVAILABLE
    if result.choice is ChoiceOutcome.STALE:
        return OUTCOME_STALE
    return OUTCOME_OK


class InstrumentedEngine(Engine):
    """An :class:`~bot.engine.Engine` that measures the engine it wraps.

    Every public method delegates to ``inner``; :meth:`handle` is timed and
    counted, :meth:`claim_due_reminders` counts the reminders it hands out.
    Anything else (attributes the wrapped engine has beyond the contract) is
    reached through ``__getattr__``.
    """

    def __init__(self, inner: Engine, *, metrics: Metrics) -> None:
        # No super().__init__(): this object holds no storage of its own.
        self._inner = inner
        self._metrics = metrics

    @property
    def inner(self) -> Engine:
        """The wrapped engine."""
        return self._inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def handle(self, message: IncomingMessage) -> EngineResult:
        """Handle through the wrapped engine; time and count the update."""
        platform = message.key.platform
        started = time.perf_counter()
        try:
            result = await self._inner.handle(message)
        except Exception:
            self._metrics.record_update(platform=platform, outcome=OUTCOME_ERROR, seconds=None)
            self._metrics.record_error(where="engine")
            raise
        outcome = outcome_of(result)
        seconds = time.perf_counter() - started
        # A duplicate or an outage is not a step: keep them out of the latency.
        timed = outcome in (OUTCOME_OK, OUTCOME_STALE)
        self._metrics.record_update(
            platform=platform, outcome=outcome, seconds=seconds if timed else None
        )
        if outcome == OUTCOME_UNAVAILABLE:
            self._metrics.record_error(where="engine")
        return result

    async def claim_due_reminders(
        self, *, platform: str, limit: int = 50
    ) -> list[ReminderDelivery]:
        """Claim through the wrapped engine; count what was claimed."""
        try:
            deliveries = await self._inner.claim_due_reminders(platform=platform, limit=limit)
        except Exception:
            self._metrics.record_error(where="reminders")
            raise
        if deliveries:
            self._metrics.reminders_sent.labels(platform=platform).inc(len(deliveries))
        return deliveries

    async def latest_drafts(self, key: ConversationKey, *, limit: int = 10) -> list[Draft]:
        """Delegate to the wrapped engine."""
        return await self._inner.latest_drafts(key, limit=limit)

    async def language_of(self, key: ConversationKey) -> str:
        """Delegate to the wrapped engine."""
        return await self._inner.language_of(key)
