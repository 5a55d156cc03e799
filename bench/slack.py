"""Slack: our app against a bare bolt echo ``AsyncApp``, signed events over HTTP.

Per run, two processes: the Web API stand-in with the simulated users
(:mod:`bench.slack_api`, which POSTs signed ``message.im`` events and
``block_actions`` presses) and the app under test in HTTP mode — the echo app
(:mod:`bench.slack_echo`) or ours (``rejection-coach slack`` via
:mod:`bench.slack_bot`, its send budget off, on a fresh SQLite file). Our users
walk full scripted conversations; a step of ours is
over when the App Home was refreshed (the last call of every input), a step
of the echo app when it posted its answer. Figure: inputs handled per second.
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
from bench.telegram import echo_scripts

_LOGGER = logging.getLogger(__name__)

NAME = "slack"
TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
USERS = 64
WARMUP_SECONDS = 2.0
DURATION_SECONDS = 6.0
TARGET_RATIO = 0.8


def drive(
    *,
    app_args: list[str],
    app_env: dict[str, str],
    scripts: list[dict[str, Any]],
    done_on: str,
    workdir: Path,
    label: str,
    users: int = USERS,
    warmup: float = WARMUP_SECONDS,
    duration: float = DURATION_SECONDS,
) -> dict[str, Any]:
    """Start the stand-in, then the app; let the users loose; return the report."""
    api_port, app_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}/api/"
    scripts_path = workdir / f"{label}-scripts.json"
    scripts_path.write_text(json.dumps(scripts))
    ready = workdir / f"{label}.ready"
    driver_log, app_log = workdir / f"{label}-driver.log", workdir / f"{label}-app.log"
    pid_file = workdir / f"{label}.pid"
    driver = start_process(
        [
            PYTHON,
            "-m",
            "bench.slack_api",
            "--port",
            str(api_port),
            "--scripts",
            str(scripts_path),
            "--events-url",
            f"http://127.0.0.1:{app_port}/slack/events",
            "--secret",
            SECRET,
            "--ready-file",
            str(ready),
            "--done-on",
            done_on,
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
    app: subprocess.Popen[bytes] | None = None
    try:
        wait_for_port(api_port, timeout=15, process=driver)
        env = dict(app_env)
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api_url,
            HOST="127.0.0.1",
            PORT=str(app_port),
        )
        args = [a.replace("{port}", str(app_port)).replace("{api_url}", api_url) for a in app_args]
        app = start_process(args, env=env, log_path=app_log)
        pid_file.write_text(f"{app.pid}\n")
        try:
            wait_for_port(app_port, timeout=30, process=app)
        except NotAvailable as exc:
            raise NotAvailable(f"{label}: {exc}: {log_tail(app_log)}") from None
        ready.touch()
        try:
            driver.wait(timeout=warmup + duration + 60)
        except subprocess.TimeoutExpired:
            raise NotAvailable(f"{label}: the run did not finish in time") from None
    finally:
        if app is not None:
            stop_process(app)
        stop_process(driver)
    report = read_json_line(driver_log)
    if not report.get("updates"):
        raise NotAvailable(f"{label}: no event was answered: {log_tail(app_log)}")
    _LOGGER.info(
        "%s: %.0f inputs/s, p50 %.1f ms, p99 %.1f ms, %d quiet, %d errors",
        label,
        report["updates_per_second"],
        report["p50_ms"],
        report["p99_ms"],
        report["stalls"],
        report["errors"],
    )
    return report


def adapter_available() -> str | None:
    """None when our Slack adapter is there, else why not."""
    try:
        import bot.channels.slack.channel as adapter
    except ImportError as exc:
        return f"bot.channels.slack.channel does not import ({exc})"
    if not callable(getattr(adapter, "run", None)):
        return "bot.channels.slack.channel.run is not there yet"
    return None


def run() -> list[Measurement]:
    """The echo app, then ours; one row with the ratio."""
    target = f"≥ {TARGET_RATIO:.1f}× echo"
    measure = "our app, full conversations (HTTP mode, SQLite)"
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
        workdir = Path(tmp)
        try:
            echo = drive(
                app_args=[
                    PYTHON,
                    "-m",
                    "bench.slack_echo",
                    "--port",
                    "{port}",
                    "--api-url",
                    "{api_url}",
                ],
                app_env=child_env(),
                scripts=echo_scripts(),
                done_on="chat.postMessage",
                workdir=workdir,
                label="echo",
            )
        except NotAvailable as exc:
            return [not_run(NAME, measure, f"echo app: {exc}", target=target)]
        missing = adapter_available()
        if missing:
            return [not_run(NAME, measure, missing, target=target)]
        try:
            ours = drive(
                app_args=[PYTHON, "-m", "bench.slack_bot"],
                app_env=child_env(
                    DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'coach.sqlite3'}",
                    LOG_LEVEL="WARNING",
                ),
                scripts=our_scripts(),
                done_on="views.publish",
                workdir=workdir,
                label="ours",
            )
        except NotAvailable as exc:
            return [not_run(NAME, measure, str(exc), target=target)]
    rate, base = ours["updates_per_second"], echo["updates_per_second"]
    ratio = rate / base
    return [
        Measurement(
            benchmark=NAME,
            measure=measure,
            figure=rate,
            unit="inputs/s",
            baseline=base,
            baseline_label="bolt echo AsyncApp",
            ratio=ratio,
            target=target,
            met=ratio >= TARGET_RATIO,
            note=f"p50 {ours['p50_ms']:.0f} ms, p99 {ours['p99_ms']:.0f} ms per input "
            f"(echo: p50 {echo['p50_ms']:.0f} ms); {ours['errors']} HTTP errors",
            details={"ours": ours, "echo": echo},
        ),
        cpu_row(
            benchmark=NAME,
            measure="app CPU time per input (same runs)",
            ours=ours,
            baseline=echo,
            baseline_label="bolt echo",
            target_ratio=TARGET_RATIO,
        ),
    ]
