"""Engine: full conversations through flow + SQLite, against the flow alone.

The baseline is the pure Coach walking the same conversations with each case
kept in memory (no storage). The engine run replays exactly those actions for
many users, interleaved round-robin so every step loads its case from the
database, one step at a time on one event loop (one core). Figures: steps per
second and p50/p99 latency of one step; each beside the flow alone.

The engine runs on a fresh SQLite file each time, alternately on the default
driver (stock aiosqlite, the main rows) and on the opt-in in-loop driver
(``SQLITE_DRIVER=inloop``, whose rows have the stock driver as baseline);
the fastest of ``ROUNDS`` runs of each counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import tempfile
import time
from collections.abc import Iterator
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
#: Runs per driver, alternating (stock, in-loop, stock, …); the fastest of each
#: counts, so a burst of load from elsewhere on the machine skews the ratio less.
ROUNDS = 2


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
    cpu: list[float] = []
    divergences = 0
    users_done = 0
    statements = 0
    async with open_runtime(settings=settings) as runtime:
        engine = runtime.engine
        from sqlalchemy import event

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(runtime.storage.engine.sync_engine, "before_cursor_execute", count)

        async def step(user: int, index: int, rec: Recording, last: list[Outgoing]) -> None:
            nonlocal divergences
            action = rec.actions[index]
            message = IncomingMessage(
                key=ConversationKey(platform="bench", workspace="", user_id=f"u{user}"),
                user_input=input_for(action, last),
                update_id=f"{user}-{index}",
                platform_language=rec.language,
            )
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                result = await engine.handle(message)
            except NotImplementedError:
                raise NotAvailable("the engine is not implemented yet") from None
            latencies.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if len(result.outgoing) != action.messages:
                divergences += 1
            last[:] = result.outgoing

        # warm-up users: caches, connection pool, prepared statements
        warm = recordings[:WARMUP_USERS]
        for user, rec in enumerate(warm):
            last: list[Outgoing] = []
            for index in range(len(rec.actions)):
                await step(-1 - user, index, rec, last)
        divergences = 0
        latencies.clear()
        cpu.clear()
        statements = 0
        gc.collect()

        # Users in batches of BATCH, interleaved round-robin inside a batch (each
        # step loads its case from the database), batches until USERS or the time bound.
        deadline = time.monotonic() + MAX_SECONDS
        started, started_cpu = time.perf_counter(), time.process_time()
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
                        await step(user, index, rec, outgoing[offset])
            users_done = first + len(batch)
        wall = time.perf_counter() - started
        cpu_total = time.process_time() - started_cpu
    return {
        "latencies": latencies,
        "cpu": cpu,
        "cpu_total": cpu_total,
        "statements": statements,
        "wall": wall,
        "divergences": divergences,
        "users": users_done,
    }


@contextlib.contextmanager
def _sqlite_driver(name: str) -> Iterator[None]:
    from storage.db import SQLITE_DRIVER_ENV

    before = os.environ.get(SQLITE_DRIVER_ENV)
    os.environ[SQLITE_DRIVER_ENV] = name
    try:
        yield
    finally:
        if before is None:
            del os.environ[SQLITE_DRIVER_ENV]
        else:
            os.environ[SQLITE_DRIVER_ENV] = before


def _engine_on(recordings: list[Recording], driver: str) -> dict[str, Any]:
    with (
        _sqlite_driver(driver),
        tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp,
    ):
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'coach.sqlite3'}"
        return asyncio.run(_engine_run(recordings, url))


def _driver_rows(stock: dict[str, Any], inloop: dict[str, Any]) -> list[Measurement]:
    """The in-loop driver against stock aiosqlite, same conversations, same run."""
    stock_rate = len(stock["latencies"]) / stock["wall"]
    inloop_rate = len(inloop["latencies"]) / inloop["wall"]
    stock_cpu = len(stock["cpu"]) / max(stock["cpu_total"], 1e-9)
    inloop_cpu = len(inloop["cpu"]) / max(inloop["cpu_total"], 1e-9)
    stock_p99 = percentile(stock["latencies"], 99) * 1000
    inloop_p99 = percentile(inloop["latencies"], 99) * 1000
    _LOGGER.info(
        "engine on the in-loop driver %.0f steps/s, on stock aiosqlite %.0f steps/s",
        inloop_rate,
        stock_rate,
    )
    note = (
        f"{len(inloop['latencies'])} steps of {inloop['users']} users on SQLITE_DRIVER=inloop "
        f"(opt-in) against {len(stock['latencies'])} steps of {stock['users']} on the default"
    )
    return [
        Measurement(
            benchmark=NAME,
            measure="steps/s, in-loop SQLite driver (wall clock, one event loop)",
            figure=inloop_rate,
            unit="steps/s",
            baseline=stock_rate,
            baseline_label="stock aiosqlite",
            ratio=inloop_rate / stock_rate,
            note=note,
            details={"steps": len(inloop["latencies"]), "divergences": inloop["divergences"]},
        ),
        Measurement(
            benchmark=NAME,
            measure="steps per CPU-second, in-loop SQLite driver",
            figure=inloop_cpu,
            unit="steps/s",
            baseline=stock_cpu,
            baseline_label="stock aiosqlite",
            ratio=inloop_cpu / stock_cpu,
        ),
        Measurement(
            benchmark=NAME,
            measure="p99 step latency, in-loop SQLite driver",
            figure=inloop_p99,
            unit="ms",
            baseline=stock_p99,
            baseline_label="stock aiosqlite",
            ratio=inloop_p99 / stock_p99 if stock_p99 else None,
        ),
    ]


def run(*, users: int = USERS) -> list[Measurement]:
    """Flow alone, then the engine on stock aiosqlite and on the in-loop driver; seven rows."""
    rows_if_missing = [
        ("steps/s", f"≥ {TARGET_STEPS_PER_SECOND:,.0f} steps/s"),
        ("p99 step latency", f"≤ {TARGET_P99_MS:.0f} ms"),
    ]
    try:
        recordings = _flow_alone(users)
        runs: dict[str, list[dict[str, Any]]] = {"aiosqlite": [], "inloop": []}
        for _ in range(ROUNDS):
            for driver, done in runs.items():
                done.append(_engine_on(recordings, driver))
        engine, inloop = (
            max(done, key=lambda r: len(r["latencies"]) / r["wall"]) for done in runs.values()
        )
    except NotAvailable as exc:
        return [
            not_run(NAME, measure, str(exc), target=target) for measure, target in rows_if_missing
        ]

    flow_latencies = [lat for rec in recordings for lat in rec.latencies]
    flow_cpu = [lat for rec in recordings for lat in rec.cpu]
    flow_rate = len(flow_latencies) / sum(flow_latencies)
    flow_cpu_rate = len(flow_cpu) / max(sum(flow_cpu), 1e-9)
    engine_latencies: list[float] = engine["latencies"]
    steps = len(engine_latencies)
    engine_rate = steps / engine["wall"]
    engine_cpu_rate = steps / max(engine["cpu_total"], 1e-9)
    final_steps = sorted({rec.final_step for rec in recordings})
    lengths = [len(rec.actions) for rec in recordings]
    note = (
        f"{steps} steps of {engine['users']} users, {min(lengths)}–{max(lengths)} steps per "
        f"conversation, ending at {', '.join(final_steps)}"
    )
    if engine["statements"]:
        note += f"; {engine['statements'] / steps:.1f} SQL statements per step"
    if engine["divergences"]:
        note += f"; {engine['divergences']} steps answered differently from the recording"
    _LOGGER.info(
        "engine %.0f steps/s (%.0f per CPU-second), flow alone %.0f steps/s",
        engine_rate,
        engine_cpu_rate,
        flow_rate,
    )
    target = f"≥ {TARGET_STEPS_PER_SECOND:,.0f} steps/s"
    cpu_p99 = percentile(engine["cpu"], 99) * 1000
    rows = [
        Measurement(
            benchmark=NAME,
            measure="steps/s, flow + SQLite on stock aiosqlite (wall clock, one event loop)",
            figure=engine_rate,
            unit="steps/s",
            baseline=flow_rate,
            baseline_label="flow alone",
            ratio=engine_rate / flow_rate,
            target=target,
            met=engine_rate >= TARGET_STEPS_PER_SECOND,
            note=note,
            details={
                "steps": steps,
                "users": engine["users"],
                "divergences": engine["divergences"],
            },
        ),
        Measurement(
            benchmark=NAME,
            measure="steps per CPU-second, flow + SQLite on stock aiosqlite (one core's worth)",
            figure=engine_cpu_rate,
            unit="steps/s",
            baseline=flow_cpu_rate,
            baseline_label="flow alone",
            ratio=engine_cpu_rate / flow_cpu_rate,
            target=target,
            met=engine_cpu_rate >= TARGET_STEPS_PER_SECOND,
            note="CPU time of the process (event loop and aiosqlite's threads): what one free "
            "core would do, whatever else the machine runs",
        ),
    ]
    for pct, target_ms in ((50.0, None), (99.0, TARGET_P99_MS)):
        ours = percentile(engine_latencies, pct) * 1000
        bare = percentile(flow_latencies, pct) * 1000
        rows.append(
            Measurement(
                benchmark=NAME,
                measure=f"p{pct:.0f} step latency, flow + SQLite on stock aiosqlite",
                figure=ours,
                unit="ms",
                baseline=bare,
                baseline_label="flow alone",
                ratio=ours / bare if bare else None,
                target=f"≤ {target_ms:.0f} ms" if target_ms else "",
                met=ours <= target_ms if target_ms else None,
                note=f"CPU time per step: p99 {cpu_p99:.2f} ms" if target_ms else "",
            )
        )
    return rows + _driver_rows(engine, inloop)
