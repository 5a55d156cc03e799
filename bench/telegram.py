"""Telegram: our bot against a bare PTB echo bot, polling the same Bot API stand-in.

Three processes per run: the stand-in with the simulated users
(:mod:`bench.telegram_api`), and the bot under test — either the echo bot
(:mod:`bench.telegram_echo`) or ours (``rejection-coach telegram`` on a fresh
SQLite file). The users walk full scripted conversations with our bot (typing
facts, pressing the buttons of its keyboards); the echo bot gets the same
number of users typing. The figure is updates handled per second once warmed
up; the baseline is the echo bot at its best ``concurrent_updates``, which is
also reported.
"""

from __future__ import annotations

import json
import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench._common import (
    PYTHON,
    Measurement,
    NotAvailable,
    child_env,
    cpu_row,
    free_port,
    log_tail,
    not_run,
    read_json_line,
    start_process,
    stop_process,
    wait_for_port,
)
from bench.scripts import our_scripts

_LOGGER = logging.getLogger(__name__)

NAME = "telegram"
TOKEN = "4242:bench-token"
USERS = 64
WARMUP_SECONDS = 1.5
DURATION_SECONDS = 5.0
#: PTB ``concurrent_updates`` settings tried on both bots.
CONCURRENCY = (1, 4, 16, 64)
TARGET_RATIO = 0.8


def echo_scripts() -> list[dict[str, Any]]:
    """The echo bot's users: they type, one answer per message."""
    actions = [{"kind": "text", "text": f"hello {n}", "step": "", "messages": 1} for n in range(10)]
    return [{"language": "en", "actions": actions}]


def drive(
    *,
    bot_args: list[str],
    bot_env: dict[str, str],
    scripts: list[dict[str, Any]],
    workdir: Path,
    label: str,
    users: int = USERS,
    warmup: float = WARMUP_SECONDS,
    duration: float = DURATION_SECONDS,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """Start the stand-in, then the bot polling it; return the stand-in's report.

    ``cwd``: where the bot runs (another tree of the code, with ``PYTHONPATH`` in
    ``bot_env`` pointing there); the repository by default.
    """
    port = free_port()
    scripts_path = workdir / f"{label}-scripts.json"
    scripts_path.write_text(json.dumps(scripts))
    driver_log = workdir / f"{label}-driver.log"
    bot_log = workdir / f"{label}-bot.log"
    pid_file = workdir / f"{label}.pid"
    driver = start_process(
        [
            PYTHON,
            "-m",
            "bench.telegram_api",
            "--port",
            str(port),
            "--scripts",
            str(scripts_path),
            "--users",
            str(users),
            "--warmup",
            str(warmup),
            "--duration",
            str(duration),
            "--pid-file",
            str(pid_file),
        ],
        env=child_env(),
        log_path=driver_log,
    )
    bot: subprocess.Popen[bytes] | None = None
    try:
        wait_for_port(port, timeout=15, process=driver)
        env = dict(bot_env)
        env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{port}/bot"
        bot = start_process(
            [arg.replace("{base_url}", env["TELEGRAM_API_URL"]) for arg in bot_args],
            env=env,
            log_path=bot_log,
            cwd=cwd,
        )
        pid_file.write_text(f"{bot.pid}\n")
        try:
            driver.wait(timeout=warmup + duration + 60)
        except subprocess.TimeoutExpired:
            raise NotAvailable(f"{label}: the run did not finish in time") from None
    finally:
        if bot is not None:
            stop_process(bot)
        stop_process(driver)
    report = read_json_line(driver_log)
    if not report.get("started"):
        raise NotAvailable(f"{label}: the bot never polled: {log_tail(bot_log)}")
    if not report.get("updates"):
        raise NotAvailable(f"{label}: no update was answered: {log_tail(bot_log)}")
    _LOGGER.info(
        "%s: %.0f updates/s, p50 %.1f ms, p99 %.1f ms, %d stalls",
        label,
        report["updates_per_second"],
        report["p50_ms"],
        report["p99_ms"],
        report["stalls"],
    )
    return report


def _echo_run(concurrency: int, workdir: Path) -> dict[str, Any]:
    return drive(
        bot_args=[
            PYTHON,
            "-m",
            "bench.telegram_echo",
            "--base-url",
            "{base_url}",
            "--token",
            TOKEN,
            "--concurrency",
            str(concurrency),
        ],
        bot_env=child_env(),
        scripts=echo_scripts(),
        workdir=workdir,
        label=f"echo-c{concurrency}",
    )


def our_bot_env(*, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of ``rejection-coach telegram`` in a benchmark."""
    return child_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        **extra,
    )


def our_bot_command() -> list[str]:
    """``rejection-coach telegram`` through the venv's interpreter."""
    return [PYTHON, "-m", "bot", "telegram"]


def adapter_available() -> str | None:
    """None when our Telegram adapter is there, else why not."""
    try:
        import bot.channels.telegram.channel as adapter
    except ImportError as exc:
        return f"bot.channels.telegram.channel does not import ({exc})"
    if not callable(getattr(adapter, "run", None)):
        return "bot.channels.telegram.channel.run is not there yet"
    return None


def _our_run(concurrency: int, workdir: Path, *, database_url: str) -> dict[str, Any]:
    return drive(
        bot_args=[
            PYTHON,
            "-m",
            "bench.telegram_bot",
            "--concurrency",
            str(concurrency),
            "--no-rate-limit",
        ],
        bot_env=our_bot_env(database_url=database_url),
        scripts=our_scripts(),
        workdir=workdir,
        label=f"ours-c{concurrency}",
    )


def _rates(runs: dict[int, dict[str, Any]]) -> str:
    return ", ".join(f"{c}: {runs[c]['updates_per_second']:.0f}/s" for c in sorted(runs))


def run() -> list[Measurement]:
    """Echo bot and ours at each concurrency (alternating), then ours as shipped."""
    rows: list[Measurement] = []
    target = f"≥ {TARGET_RATIO:.1f}× echo"
    measure = "our bot, full conversations (polling, SQLite)"
    missing = adapter_available()
    if missing is None:
        try:
            our_scripts()
        except NotAvailable as exc:
            missing = str(exc)
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        workdir = Path(tmp)
        echo: dict[int, dict[str, Any]] = {}
        ours: dict[int, dict[str, Any]] = {}
        for concurrency in CONCURRENCY:
            try:
                echo[concurrency] = _echo_run(concurrency, workdir)
            except NotAvailable as exc:
                _LOGGER.warning("echo bot, concurrency %d: %s", concurrency, exc)
            if missing is None:
                url = f"sqlite+aiosqlite:///{workdir / f'coach-c{concurrency}.sqlite3'}"
                try:
                    ours[concurrency] = _our_run(concurrency, workdir, database_url=url)
                except NotAvailable as exc:
                    _LOGGER.warning("our bot, concurrency %d: %s", concurrency, exc)
                    missing = str(exc)
        if not echo:
            return [not_run(NAME, measure, "the echo bot did not run", target=target)]
        best_echo = max(echo, key=lambda c: echo[c]["updates_per_second"])
        echo_rate = echo[best_echo]["updates_per_second"]
        slowest = min(echo, key=lambda c: echo[c]["updates_per_second"])
        rows.append(
            Measurement(
                benchmark=NAME,
                measure="PTB echo bot at its best `concurrent_updates`",
                figure=echo_rate,
                unit="upd/s",
                baseline=echo[slowest]["updates_per_second"],
                baseline_label=f"its worst, concurrent_updates={slowest}",
                ratio=echo_rate / echo[slowest]["updates_per_second"],
                note=f"best concurrent_updates={best_echo}; {_rates(echo)}",
                details={"best_concurrency": best_echo, "runs": {str(c): echo[c] for c in echo}},
            )
        )
        if not ours:
            rows.append(not_run(NAME, measure, missing or "our bot did not run", target=target))
            return rows
        best = max(ours, key=lambda c: ours[c]["updates_per_second"])
        rate = ours[best]["updates_per_second"]
        ratio = rate / echo_rate
        rows.append(
            Measurement(
                benchmark=NAME,
                measure=f"{measure}, best `concurrent_updates`={best}, no flood limiter",
                figure=rate,
                unit="upd/s",
                baseline=echo_rate,
                baseline_label=f"PTB echo, concurrent_updates={best_echo}",
                ratio=ratio,
                target=target,
                met=ratio >= TARGET_RATIO,
                note=f"ours by concurrent_updates: {_rates(ours)}; at {best}: p50 "
                f"{ours[best]['p50_ms']:.0f} ms, p99 {ours[best]['p99_ms']:.0f} ms per update",
                details={"best_concurrency": best, "runs": {str(c): ours[c] for c in ours}},
            )
        )
        rows.append(
            cpu_row(
                benchmark=NAME,
                measure="bot CPU time per update (same runs)",
                ours=ours[best],
                baseline=echo[best_echo],
                baseline_label="PTB echo",
                target_ratio=TARGET_RATIO,
            )
        )
        try:
            shipped = drive(
                bot_args=our_bot_command(),
                bot_env=our_bot_env(
                    database_url=f"sqlite+aiosqlite:///{workdir / 'coach-shipped.sqlite3'}"
                ),
                scripts=our_scripts(),
                workdir=workdir,
                label="ours-shipped",
            )
        except NotAvailable as exc:
            rows.append(not_run(NAME, "our bot as shipped", str(exc)))
            return rows
        shipped_rate = shipped["updates_per_second"]
        rows.append(
            Measurement(
                benchmark=NAME,
                measure="our bot as shipped (`rejection-coach telegram`, AIORateLimiter on)",
                figure=shipped_rate,
                unit="upd/s",
                baseline=echo_rate,
                baseline_label=f"PTB echo, concurrent_updates={best_echo}",
                ratio=shipped_rate / echo_rate,
                note="capped on purpose: the limiter keeps every bot within Telegram's "
                f"~30 messages/s ({shipped['calls'].get('sendMessage', 0)} sendMessage calls)",
                details={"run": shipped},
            )
        )
    return rows
