"""Prometheus metrics of a worker; they observe the engine (``Engine(observer=metrics)``).

Each :class:`Metrics` owns its own :class:`~prometheus_client.CollectorRegistry`
(not the process-global one), so several servers in one test process never
clash. As the engine's :class:`~bot.engine.EngineObserver`, it times and
counts each update by platform and outcome, and counts the reminders handed out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot.engine import EngineResult
from bot.llm import PolishOutcome
from flows.io import ChoiceOutcome
from storage.outbox import OutboxStats

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
        # The optional AI polish (issue 16): counts and latency only, never any text.
        self.llm_calls = Counter(
            "rejection_coach_llm_calls",
            "Model calls by purpose (polish, translate) and outcome (ok, timeout, ...).",
            ("purpose", "outcome"),
            registry=self.registry,
        )
        self.llm_failures = Counter(
            "rejection_coach_llm_failures",
            "Model calls that gave no text, by purpose and outcome.",
            ("purpose", "outcome"),
            registry=self.registry,
        )
        self.llm_latency = Histogram(
            "rejection_coach_llm_call_seconds",
            "Time of one model call that reached the endpoint.",
            ("purpose",),
            buckets=(0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0),
            registry=self.registry,
        )
        # The follow-up (issue 15): how cases end, by kind only — never a user id.
        self.outcomes = Counter(
            "rejection_coach_outcomes",
            "Outcomes users reported at the follow-up, by kind (agreed, parted, ...).",
            ("kind",),
            registry=self.registry,
        )
        # The outbox (issue 13): how deliveries end, and what waits (read at scrape time).
        self.outbox_sends = Counter(
            "rejection_coach_outbox_sends",
            "Outbox rows settled, by platform and outcome (sent, retry, failed).",
            ("platform", "outcome"),
            registry=self.registry,
        )
        self.outbox_retries = Counter(
            "rejection_coach_outbox_retries",
            "Sends that failed in a way worth retrying (5xx, timeout, network, 429).",
            ("platform",),
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "rejection_coach_outbox_pending",
            "Outbox rows waiting to be delivered (all workers), at the last scrape.",
            registry=self.registry,
        )
        self.outbox_failed = Gauge(
            "rejection_coach_outbox_failed",
            "Outbox rows given up after a permanent error (kept two days), at the last scrape.",
            registry=self.registry,
        )
        self.outbox_oldest_seconds = Gauge(
            "rejection_coach_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox row (0 when none), at the last scrape.",
            registry=self.registry,
        )
        self.inbox_pending = Gauge(
            "rejection_coach_inbox_pending",
            "Requests stored and acknowledged but not yet worked on (all workers).",
            registry=self.registry,
        )
        self.inbox_duplicates = Counter(
            "rejection_coach_inbox_duplicates",
            "Deliveries of a request still in the inbox: acknowledged, not stored again.",
            ("platform",),
            registry=self.registry,
        )
        self.inbox_oldest_seconds = Gauge(
            "rejection_coach_inbox_oldest_pending_seconds",
            "Age of the oldest request in the inbox (0 when none), at the last scrape.",
            registry=self.registry,
        )
        self.send_budget_fallbacks = Counter(
            "rejection_coach_send_budget_fallbacks",
            "Sends this worker paced alone because the shared send budget's store "
            "(postgresql, redis) failed.",
            ("store",),
            registry=self.registry,
        )
        self.send_slots_missed = Counter(
            "rejection_coach_send_slots_missed",
            "Send-budget slots this worker woke too late for and reserved again: its "
            "event loop or process was held up (a saturated worker).",
            ("platform",),
            registry=self.registry,
        )
        #: Reads the inbox for the two gauges above (set by ``serve``).
        self.inbox_source: Callable[[], Awaitable[tuple[int, datetime | None] | None]] | None = None
        #: Reads the outbox for the gauges above (set by ``serve``); ``None``: not shown.
        self.outbox_source: Callable[[], Awaitable[OutboxStats | None]] | None = None
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

    # ------------------------------------------------ the engine's observer (EngineObserver)

    def update_handled(self, *, platform: str, result: EngineResult, seconds: float) -> None:
        """Count the update by outcome; time it when it was a step."""
        outcome = outcome_of(result)
        # A duplicate or an outage is not a step: keep them out of the latency.
        timed = outcome in (OUTCOME_OK, OUTCOME_STALE)
        self.record_update(platform=platform, outcome=outcome, seconds=seconds if timed else None)
        if outcome == OUTCOME_UNAVAILABLE:
            self.record_error(where="engine")
        for kind in result.outcomes:
            self.outcomes.labels(kind=kind).inc()

    def update_failed(self, *, platform: str) -> None:
        """Count an update the engine raised on."""
        self.record_update(platform=platform, outcome=OUTCOME_ERROR, seconds=None)
        self.record_error(where="engine")

    def reminders_claimed(self, *, platform: str, count: int) -> None:
        """Count reminders handed to the platform."""
        self.reminders_sent.labels(platform=platform).inc(count)

    # ------------------------------------------------ the model calls' observer (issue 16)

    def model_called(self, purpose: str, outcome: PolishOutcome) -> None:
        """Count one model call (the :class:`~bot.llm.Polisher`'s observer); no text."""
        kind = outcome.kind.value
        self.llm_calls.labels(purpose=purpose, outcome=kind).inc()
        if not outcome.ok:
            self.llm_failures.labels(purpose=purpose, outcome=kind).inc()
        if outcome.latency_seconds > 0:
            self.llm_latency.labels(purpose=purpose).observe(outcome.latency_seconds)

    # ------------------------------------------------ the outbox's observer (issue 13)

    def outbox_settled(self, *, platform: str, outcome: str) -> None:
        """Count one settled outbox row (``sent``, ``retry``, ``failed``)."""
        self.outbox_sends.labels(platform=platform, outcome=outcome).inc()
        if outcome == "retry":
            self.outbox_retries.labels(platform=platform).inc()

    def inbox_duplicate(self, *, platform: str) -> None:
        """Count a delivery of a request the inbox holds already."""
        self.inbox_duplicates.labels(platform=platform).inc()

    def send_budget_fell_back(self, store: str) -> None:
        """Count one send paced locally because the shared budget's ``store`` failed."""
        self.send_budget_fallbacks.labels(store=store).inc()

    def send_slot_missed(self, platform: str) -> None:
        """Count one send slot of ``platform`` given up because the worker woke too late."""
        self.send_slots_missed.labels(platform=platform).inc()

    async def refresh(self, *, now: datetime | None = None) -> None:
        """Read the outbox's and inbox's depth and age for the gauges (a scrape); never raises."""
        moment = now or datetime.now(UTC)
        if self.inbox_source is not None:
            try:
                inbox = await self.inbox_source()
            except Exception as error:
                _LOGGER.warning("reading the inbox for /metrics failed: %s", type(error).__name__)
                inbox = None
            if inbox is not None:
                waiting, first = inbox
                self.inbox_pending.set(waiting)
                age = (moment - first).total_seconds() if first else 0.0
                self.inbox_oldest_seconds.set(max(0.0, age))
        if self.outbox_source is None:
            return
        try:
            stats = await self.outbox_source()
        except Exception as error:
            _LOGGER.warning("reading the outbox for /metrics failed: %s", type(error).__name__)
            return
        if stats is None:
            return
        self.outbox_pending.set(stats.pending)
        self.outbox_failed.set(stats.failed)
        oldest = stats.oldest_pending
        age = (moment - oldest).total_seconds() if oldest else 0.0
        self.outbox_oldest_seconds.set(max(0.0, age))

    def render(self, *, accept: str = "") -> tuple[bytes, str]:
        """The exposition text for an ``Accept`` header, and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


def outcome_of(result: EngineResult) -> str:
    """Classify an engine result for the ``outcome`` label."""
    if result.duplicate:
        return OUTCOME_DUPLICATE
    if result.unavailable:
        return OUTCOME_UNAVAILABLE
    if result.choice is ChoiceOutcome.STALE:
        return OUTCOME_STALE
    return OUTCOME_OK
