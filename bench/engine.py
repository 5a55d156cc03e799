"""Engine: full conversations through flow + SQLite, against the flow alone.

The baseline is the pure Coach walking the same conversations with each case
kept in memory (no storage). The engine run replays exactly those actions for
many users, interleaved round-robin so every step loads its case from the
database, one step at a time on one event loop (one core). Figures: steps per
second and p50/p99 latency of one step; each beside the flow alone.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import Measurement, NotAvailable, not_run, percentile
from bench.conversation import Recording, input_for, record_many
from bench.scripts import make_coach

_LOGGER = logging.getLogger(__name__)

NAME = "engine"
USERS = 400
BATCH = 20
WARMUP_USERS = 6
MAX_SECONDS = 15.0
TARGET_STEPS_PER_SECOND = 1000.0
TARGET_P99_MS = 5.0


def _flow_alone(users: int) -> list[Recording]:
    coach = make_coach()
    try:
        record_many(coach=coach, count=WARMUP_USERS)
        gc.collect()
        return record_many(coach=coach, count=users)
    except NotImplementedError:
        raise NotAvailable("the Coach is not implemented yet") from None


async def _engine_run(recordings: list[Recording], database_url: str) -> dict[str, Any]:
    try:
        from bot.settings import load_settings
        from bot.wiring import open_runtime
    except ImportError as exc:
        raise NotAvailable(f"the engine wiring does not import ({exc})") from None
    from bot.engine import IncomingMessage
    from flows.io import ConversationKey, Outgoing

    settings = load_settings(database_url=database_url, log_level="WARNING")
    latencies: list[float] = []
    divergences = 0
    users_done = 0
    async with open_runtime(settings=settings) as runtime:
        engine = runtime.engine

        async def step(user: int, index: int, rec: Recording, last: list[Outgoing]) -> float:
            nonlocal divergences
            action = rec.actions[index]
            message = IncomingMessage(
                key=ConversationKey(platform="bench", workspace="", user_id=f"u{user}"),
                user_input=input_for(action, last),
                update_id=f"{user}-{index}",
                platform_language=rec.language,
            )
            started = time.perf_counter()
            try:
                result = await engine.handle(message)
            except NotImplementedError:
                raise NotAvailable("the engine is not implemented yet") from None
            elapsed = time.perf_counter() - started
            if len(result.outgoing) != action.messages:
                divergences += 1
            last[:] = result.outgoing
            return elapsed

        # warm-up users: caches, connection pool, prepared statements
        warm = recordings[:WARMUP_USERS]
        for user, rec in enumerate(warm):
            last: list[Outgoing] = []
            for index in range(len(rec.actions)):
                await step(-1 - user, index, rec, last)
        divergences = 0
        gc.collect()

        # Users in batches of BATCH, interleaved round-robin inside a batch (each
        # step loads its case from the database), batches until USERS or the time bound.
        deadline = time.monotonic() + MAX_SECONDS
        started = time.perf_counter()
        for first in range(0, len(recordings), BATCH):
            if time.monotonic() > deadline:
                _LOGGER.info("engine run stopped at the time bound after %d users", first)
                break
            batch = recordings[first : first + BATCH]
            outgoing: list[list[Outgoing]] = [[] for _ in batch]
            for index in range(max(len(rec.actions) for rec in batch)):
                for offset, rec in enumerate(batch):
                    if index < len(rec.actions):
                        user = first + offset
                        latencies.append(await step(user, index, rec, outgoing[offset]))
            users_done = first + len(batch)
        wall = time.perf_counter() - started
    return {
        "latencies": latencies,
        "wall": wall,
        "divergences": divergences,
        "users": users_done,
    }


def run(*, users: int = USERS) -> list[Measurement]:
    """Flow alone, then the engine on a fresh SQLite file; three rows."""
    rows_if_missing = [
        ("steps/s", f"≥ {TARGET_STEPS_PER_SECOND:,.0f} steps/s"),
        ("p99 step latency", f"≤ {TARGET_P99_MS:.0f} ms"),
    ]
    try:
        recordings = _flow_alone(users)
        with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'coach.sqlite3'}"
            engine = asyncio.run(_engine_run(recordings, url))
    except NotAvailable as exc:
        return [
            not_run(NAME, measure, str(exc), target=target) for measure, target in rows_if_missing
        ]

    flow_latencies = [lat for rec in recordings for lat in rec.latencies]
    flow_rate = len(flow_latencies) / sum(flow_latencies)
    engine_latencies: list[float] = engine["latencies"]
    engine_rate = len(engine_latencies) / engine["wall"]
    steps = len(engine_latencies)
    final_steps = sorted({rec.final_step for rec in recordings})
    note = (
        f"{steps} steps, {engine['users']} users, {len(recordings[0].actions)}–"
        f"{max(len(r.actions) for r in recordings)} steps per conversation, "
        f"ending at {', '.join(final_steps)}"
    )
    if engine["divergences"]:
        note += f"; {engine['divergences']} steps answered differently from the recording"
    _LOGGER.info("engine %.0f steps/s, flow alone %.0f steps/s", engine_rate, flow_rate)
    rows = [
        Measurement(
            benchmark=NAME,
            measure="steps/s, flow + SQLite (one core)",
            figure=engine_rate,
            unit="steps/s",
            baseline=flow_rate,
            baseline_label="flow alone",
            ratio=engine_rate / flow_rate,
            target=f"≥ {TARGET_STEPS_PER_SECOND:,.0f} steps/s",
            met=engine_rate >= TARGET_STEPS_PER_SECOND,
            note=note,
            details={
                "steps": steps,
                "users": engine["users"],
                "divergences": engine["divergences"],
            },
        )
    ]
    for pct, target_ms in ((50.0, None), (99.0, TARGET_P99_MS)):
        ours = percentile(engine_latencies, pct) * 1000
        bare = percentile(flow_latencies, pct) * 1000
        rows.append(
            Measurement(
                benchmark=NAME,
                measure=f"p{pct:.0f} step latency, flow + SQLite",
                figure=ours,
                unit="ms",
                baseline=bare,
                baseline_label="flow alone",
                ratio=ours / bare if bare else None,
                target=f"≤ {target_ms:.0f} ms" if target_ms else "",
                met=ours <= target_ms if target_ms else None,
            )
        )
    return rows
