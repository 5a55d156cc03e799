"""Telegram webhook under load on PostgreSQL: answer time, and delivery with a backlog.

``USERS`` (75) simulated users talk to ``rejection-coach serve`` workers through
the Telegram webhook (:mod:`bench.telegram_webhook_api`: the Bot API stand-in,
updates POSTed round-robin as a load balancer would), first to 1 worker, then
to 2, each run on a fresh PostgreSQL database, the workers exactly as shipped
(the flood limiter on). The users want far more than Telegram's ~30 messages/s,
so replies queue: a backlog. Three rows, 2 workers beside 1:

- **webhook answer p99** — from the POST to its HTTP answer. Target ≤ 100 ms:
  the webhook should answer once the update is stored, not after the
  rate-limited sends (issue 13's inbox/outbox). Today it answers after them.
- **sendMessage per second** over the measuring window, all workers together.
  Target ≥ 0.9 × 30: the workers keep the platform busy.
- **the busiest 1 s window** of sendMessage calls (sliding). Target ≤ 30: one
  rate limit for the bot token across all workers. With a limiter per worker
  (today), N workers may send N × 30 messages/s.

The limit is counted on what reached the stand-in, so the benchmark needs no
change when the sending moves to an outbox with a shared limiter.
``BENCH_REDIS_URL``, when set, is given to the workers as ``REDIS_URL``.
Runs only when PostgreSQL answers (as :mod:`bench.scaling`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import tempfile
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
from bench.scaling import _admin, database_url, dedicated_database

_LOGGER = logging.getLogger(__name__)

NAME = "webhook"
TOKEN = "4242:bench-token"
SECRET = "bench-webhook-secret-0123456789"
USERS = 75
WARMUP_SECONDS = 3.0
DURATION_SECONDS = 15.0
#: nginx's proxy_read_timeout in docs/deploy.md: an answer slower than this is lost.
ANSWER_TIMEOUT_SECONDS = 30.0
TARGET_P99_MS = 100.0
#: Telegram's documented limit for one bot token, and the share of it to keep busy.
LIMIT_PER_SECOND = 30
TARGET_SHARE = 0.9
#: The previous measure (issue 13): 75 users, 2 workers, p99 31 s.
PREVIOUS_P99_S = 31


def _telegram_scripts() -> list[dict[str, Any]]:
    from bench.playbook import scripts_for, telegram_playbook

    return scripts_for(telegram_playbook())


def _run(workers: int, url: str, workdir: Path) -> dict[str, Any]:
    from storage import upgrade

    asyncio.run(upgrade(url))
    api_port = free_port()
    ports = [free_port() for _ in range(workers)]
    label = f"webhook-{workers}"
    scripts_path = workdir / f"{label}.json"
    scripts_path.write_text(json.dumps(_telegram_scripts()))
    ready = workdir / f"{label}.ready"
    driver_log = workdir / f"{label}-driver.log"
    pid_file = workdir / f"{label}.pid"
    command = [
        PYTHON,
        "-m",
        "bench.telegram_webhook_api",
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
        "--answer-timeout",
        str(ANSWER_TIMEOUT_SECONDS),
        "--secret",
        SECRET,
        "--ready-file",
        str(ready),
        "--pid-file",
        str(pid_file),
    ]
    for port in ports:
        command += ["--webhook-url", f"http://127.0.0.1:{port}/telegram/webhook"]
    driver = start_process(command, env=child_env(), log_path=driver_log)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        wait_for_port(api_port, timeout=15, process=driver)
        extra = {}
        redis = os.environ.get("BENCH_REDIS_URL", "").strip()
        if redis:
            extra["REDIS_URL"] = redis
        env = child_env(
            DATABASE_URL=url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_WEBHOOK_URL="",
            TELEGRAM_API_URL=f"http://127.0.0.1:{api_port}/bot",
            SLACK_BOT_TOKEN="",
            SLACK_SIGNING_SECRET="",
            SLACK_APP_TOKEN="",
            LOG_LEVEL="WARNING",
            **extra,
        )
        processes += start_serve_workers(ports, env=env, workdir=workdir, label=label)
        pid_file.write_text("".join(f"{p.pid}\n" for p in processes))
        ready.touch()
        try:
            driver.wait(timeout=WARMUP_SECONDS + DURATION_SECONDS + ANSWER_TIMEOUT_SECONDS + 60)
        except subprocess.TimeoutExpired:
            raise NotAvailable(f"{label}: the run did not finish in time") from None
    finally:
        for process in processes:
            stop_process(process, timeout=10)
        stop_process(driver)
    report = read_json_line(driver_log)
    if not report.get("answers"):
        raise NotAvailable(
            f"{label}: no webhook answer: {log_tail(workdir / f'{label}-worker0.log')}"
        )
    _LOGGER.info(
        "%s: answer p50 %.0f ms p99 %.0f ms, %.1f sendMessage/s, busiest 1 s %d, %d updates",
        label,
        report["answer_p50_ms"],
        report["answer_p99_ms"],
        report["messages_per_second"],
        report["busiest_1s_window"],
        report["updates"],
    )
    return report


def _others(report: dict[str, Any]) -> str:
    calls = report.get("other_calls_per_second") or {}
    return ", ".join(f"{method} {rate:.1f}" for method, rate in sorted(calls.items())) or "none"


def _rows(one: dict[str, Any], two: dict[str, Any]) -> list[Measurement]:
    details = {"one": one, "two": two}
    p99, p99_one = two["answer_p99_ms"], one["answer_p99_ms"]
    rate, rate_one = two["messages_per_second"], one["messages_per_second"]
    peak, peak_one = two["busiest_1s_window"], one["busiest_1s_window"]
    floor = TARGET_SHARE * LIMIT_PER_SECOND
    over = (
        f"; above the {LIMIT_PER_SECOND}/s limit in {peak} of 1 s: the workers do not share "
        "one limit, so this rate is not one the platform would accept"
        if peak > LIMIT_PER_SECOND
        else ""
    )
    answers = (
        f"p50 {two['answer_p50_ms']:.0f} ms, max {two['answer_max_ms']:.0f} ms, "
        f"{two['answers']} answers, {two['unanswered_at_end']} unanswered at the end "
        f"(counted with their wait so far), {two['answer_timeouts']} over "
        f"{ANSWER_TIMEOUT_SECONDS:.0f} s, statuses {two['answer_status']}; "
        f"the previous measure was p99 {PREVIOUS_P99_S} s"
    )
    return [
        Measurement(
            benchmark=NAME,
            measure=f"Telegram webhook answer p99, {USERS} users, 2 `serve` workers (PostgreSQL)",
            figure=p99,
            unit="ms",
            baseline=p99_one,
            baseline_label="1 worker",
            ratio=p99 / p99_one if p99_one else None,
            target=f"≤ {TARGET_P99_MS:.0f} ms",
            met=p99 <= TARGET_P99_MS,
            note=answers,
            details=details,
        ),
        Measurement(
            benchmark=NAME,
            measure="sendMessage calls/s with a backlog, 2 workers together",
            figure=rate,
            unit="msg/s",
            baseline=rate_one,
            baseline_label="1 worker",
            ratio=rate / rate_one if rate_one else None,
            target=f"≥ {floor:.0f} msg/s ({TARGET_SHARE:.1f} × {LIMIT_PER_SECOND}), "
            f"never over {LIMIT_PER_SECOND} in 1 s",
            met=rate >= floor and peak <= LIMIT_PER_SECOND,
            note=f"{two['updates']} updates answered in {DURATION_SECONDS:.0f} s "
            f"(1 worker: {one['updates']}); besides, per second: {_others(two)} "
            f"(1 worker: {_others(one)}); sendMessage per second: "
            + ", ".join(str(n) for n in two["per_second"])
            + over,
        ),
        Measurement(
            benchmark=NAME,
            measure="busiest 1 s window of sendMessage calls, 2 workers together",
            figure=float(peak),
            unit="msg",
            baseline=float(peak_one),
            baseline_label="1 worker",
            ratio=peak / peak_one if peak_one else None,
            target=f"≤ {LIMIT_PER_SECOND} msg",
            met=peak <= LIMIT_PER_SECOND,
            note="sliding window over the stand-in's sendMessage arrivals; one limit for "
            "the bot token across all workers is the target, a limiter per worker "
            "allows workers × 30",
        ),
    ]


def run() -> list[Measurement]:
    """One worker, then two, each on a fresh database; three rows."""
    measures = (
        (f"Telegram webhook answer p99, {USERS} users, 2 `serve` workers", "≤ 100 ms"),
        ("sendMessage calls/s with a backlog, 2 workers", "≥ 27 msg/s, never over 30 in 1 s"),
        ("busiest 1 s window of sendMessage calls, 2 workers", f"≤ {LIMIT_PER_SECOND} msg"),
    )

    def missing(reason: str) -> list[Measurement]:
        return [not_run(NAME, measure, reason, target=target) for measure, target in measures]

    url = database_url()
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except NotAvailable as exc:
        return missing(str(exc))
    except Exception as exc:
        return missing(f"PostgreSQL unreachable ({type(exc).__name__})")
    try:
        import bot.channels.telegram.channel
        import bot.serve  # noqa: F401
    except ImportError as exc:
        return missing(f"the worker does not import ({exc})")
    results: dict[int, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
            for workers in (1, 2):
                name = f"rejection_coach_bench_webhook_{os.getpid()}_{workers}"
                with dedicated_database(url, name) as worker_url:
                    results[workers] = _run(workers, worker_url, Path(tmp))
    except NotAvailable as exc:
        return missing(str(exc))
    return _rows(results[1], results[2])
