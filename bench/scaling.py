"""Scaling: updates/s with 2 ``rejection-coach serve`` workers against 1, on PostgreSQL.

Runs only when PostgreSQL answers: ``BENCH_DATABASE_URL``, else
``TEST_DATABASE_URL``, else the local default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``. Each run gets its own
database, created and migrated here and dropped afterwards. The Slack Web
API stand-in (:mod:`bench.slack_api`, its own process) POSTs the users'
signed events and button presses to the workers' ``/slack/events``
round-robin — the load balancer's job — and an input is done when the worker
refreshed the user's App Home, its last call. (Slack, not Telegram: every
Telegram worker holds PTB's flood limiter, ~30 messages/s each, which would
be measured instead of the workers.) The CPU time used by the workers,
PostgreSQL and the load generator is recorded, because on this 2-core machine
they share the cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import (
    PYTHON,
    Measurement,
    NotAvailable,
    child_env,
    free_port,
    log_tail,
    not_run,
    read_json_line,
    start_process,
    start_serve_workers,
    stop_process,
    wait_for_port,
)
from bench.scripts import our_scripts

_LOGGER = logging.getLogger(__name__)

NAME = "scaling"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
USERS = 64
WARMUP_SECONDS = 2.0
DURATION_SECONDS = 6.0
TARGET_RATIO = 1.3


def database_url() -> str:
    """The PostgreSQL server to use (an admin connection to create databases)."""
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return DEFAULT_URL


def _asyncpg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise NotAvailable(f"{parsed.get_backend_name()} is not PostgreSQL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn(url)), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def dedicated_database(url: str, name: str) -> Any:
    """Create database ``name`` on the server of ``url``; drop it afterwards."""
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(url, name)
    finally:
        try:
            asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:
            _LOGGER.warning("could not drop database %s: %s", name, type(exc).__name__)


def _cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle (all cores, every process)."""
    import psutil

    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _postgres_pids() -> list[int]:
    import psutil

    pids = []
    for process in psutil.process_iter(["name"]):
        if (process.info.get("name") or "").startswith("postgres"):
            pids.append(process.pid)
    return pids


def _run(workers: int, url: str, workdir: Path) -> dict[str, Any]:
    from storage import upgrade

    asyncio.run(upgrade(url))
    api_port = free_port()
    ports = [free_port() for _ in range(workers)]
    label = f"workers-{workers}"
    scripts_path = workdir / f"{label}.json"
    scripts_path.write_text(json.dumps(our_scripts()))
    ready = workdir / f"{label}.ready"
    driver_log = workdir / f"{label}-driver.log"
    command = [
        PYTHON,
        "-m",
        "bench.slack_api",
        "--port",
        str(api_port),
        "--scripts",
        str(scripts_path),
        "--users",
        str(USERS),
        "--warmup",
        str(WARMUP_SECONDS),
        "--duration",
        str(DURATION_SECONDS),
        "--secret",
        SECRET,
        "--ready-file",
        str(ready),
        "--done-on",
        "views.publish",
        "--pid-file",
        str(workdir / f"{label}.pid"),
    ]
    for port in ports:
        command += ["--events-url", f"http://127.0.0.1:{port}/slack/events"]
    driver = start_process(command, env=child_env(), log_path=driver_log)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        wait_for_port(api_port, timeout=15, process=driver)
        env = child_env(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
            SLACK_APP_TOKEN="",
            TELEGRAM_BOT_TOKEN="",
            TELEGRAM_WEBHOOK_SECRET="",
            TELEGRAM_WEBHOOK_URL="",
            LOG_LEVEL="WARNING",
        )
        processes += start_serve_workers(ports, env=env, workdir=workdir, label=label)
        (workdir / f"{label}.pid").write_text("".join(f"{p.pid}\n" for p in processes))
        groups = {
            "workers": [p.pid for p in processes],
            "postgresql": _postgres_pids(),
            "load generator": [driver.pid],
        }
        before = {name: _cpu_seconds(pids) for name, pids in groups.items()}
        machine_before = _machine_busy_seconds()
        started = time.monotonic()
        ready.touch()
        try:
            driver.wait(timeout=WARMUP_SECONDS + DURATION_SECONDS + 60)
        except subprocess.TimeoutExpired:
            raise NotAvailable(f"{label}: the run did not finish in time") from None
        wall = time.monotonic() - started
        groups["postgresql"] = _postgres_pids()  # backends come and go
        cores = {
            name: max(0.0, _cpu_seconds(pids) - before.get(name, 0.0)) / wall
            for name, pids in groups.items()
            if name != "load generator"
        }
        cores["whole machine"] = (_machine_busy_seconds() - machine_before) / wall
    finally:
        for process in processes:
            stop_process(process, timeout=10)
        stop_process(driver)
    report = read_json_line(driver_log)
    if not report.get("updates"):
        raise NotAvailable(
            f"{label}: no update was handled: {log_tail(workdir / f'{label}-worker0.log')}"
        )
    if report.get("total_s"):
        cores["load generator"] = report["cpu_s"] / report["total_s"]
    report["cores_used"] = {name: round(value, 2) for name, value in cores.items()}
    _LOGGER.info(
        "%s: %.0f updates/s, p50 %.0f ms, %d errors, cores %s",
        label,
        report["updates_per_second"],
        report["p50_ms"],
        report["errors"],
        report["cores_used"],
    )
    return report


def run() -> list[Measurement]:
    """One worker, then two, each on a fresh database; one row with the ratio."""
    target = f"≥ {TARGET_RATIO:.1f}× one worker"
    measure = "inputs/s, 2 `serve` workers (PostgreSQL, signed Slack events)"
    url = database_url()
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except NotAvailable as exc:
        return [not_run(NAME, measure, str(exc), target=target)]
    except Exception as exc:
        return [
            not_run(NAME, measure, f"PostgreSQL unreachable ({type(exc).__name__})", target=target)
        ]
    try:
        import bot.serve  # noqa: F401
    except ImportError as exc:
        return [not_run(NAME, measure, f"bot.serve does not import ({exc})", target=target)]
    results: dict[int, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
            for workers in (1, 2):
                name = f"rejection_coach_bench_{os.getpid()}_{workers}"
                with dedicated_database(url, name) as worker_url:
                    results[workers] = _run(workers, worker_url, Path(tmp))
    except NotAvailable as exc:
        return [not_run(NAME, measure, str(exc), target=target)]
    one, two = results[1], results[2]
    ratio = two["updates_per_second"] / one["updates_per_second"]
    cores = ", ".join(f"{k} {v:.2f}" for k, v in two["cores_used"].items())
    return [
        Measurement(
            benchmark=NAME,
            measure=measure,
            figure=two["updates_per_second"],
            unit="inputs/s",
            baseline=one["updates_per_second"],
            baseline_label="1 worker",
            ratio=ratio,
            target=target,
            met=ratio >= TARGET_RATIO,
            note=f"CPU cores busy with 2 workers: {cores} (of 2); "
            f"p50 {two['p50_ms']:.0f} ms vs {one['p50_ms']:.0f} ms",
            details={"one": one, "two": two},
        )
    ]
