"""Same-work baselines: our bots against bare library bots making the same API calls.

The echo baselines (:mod:`bench.telegram`, :mod:`bench.slack`) make one call per
input where ours makes two to three, so their ratio mixes what the coach costs
with what the extra calls cost. Here the baselines make exactly our calls
(:mod:`bench.telegram_samework`: answer the press, edit the question, send the
next messages; :mod:`bench.slack_samework`: post, update, App Home publish),
replayed from a playbook of what our renderers produce for the same scripted
conversations (:mod:`bench.playbook`), against the same stand-ins and the same
simulated users. The figure is the bot process's CPU time per update (not wall
time: the machine is shared), ours beside theirs, measured alternately in one
run (``ROUNDS`` each, the lowest of each side counts). Target: ours ≤ 1.25 × theirs.

Beside the Telegram row, the *floors* (:mod:`bench.floor`) say whether that target
can be met at all: the target leaves the coach 25 % of the bare bot's CPU per
update for everything it adds, and these rows measure, each on its own, the pure
coach with our renderer, and the fewest inbox/outbox statements issue 13's own
rules allow — through the standard library's ``sqlite3``, and through SQLAlchemy
(the design card's storage) on each driver. A floor above 0.25 × the bare bot
means no code on top of it can meet the target.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench import slack as slack_bench
from bench import telegram as telegram_bench
from bench._common import PYTHON, Measurement, NotAvailable, child_env, not_run
from bench.scaling import database_url, dedicated_database
from bench.telegram_api import FIRST_USER_ID

_LOGGER = logging.getLogger(__name__)

NAME = "same work"
ROUNDS = 2
TARGET_RATIO = 1.25
CONCURRENCY = 4
#: Fewer users than the echo benchmarks' 64, and a longer window, so that each user
#: walks most of a conversation inside the window even when ours is slow: both sides
#: then measure the same mix of steps (a /start costs more than a typed fact).
USERS = 16
#: The share of the bare bot's CPU per update that ``ours ≤ 1.25 × theirs`` leaves to
#: everything the coach does on top of the library, its storage included.
ROOM = TARGET_RATIO - 1.0
#: Updates the storage floor (:mod:`bench.floor`) runs per measure.
FLOOR_UPDATES = 2000
WARMUP_SECONDS = 1.5
DURATION_SECONDS = 8.0


def _cheapest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    usable = [r for r in runs if r.get("bot_cpu_ms_per_update")]
    if not usable:
        raise NotAvailable("the bot's CPU time could not be read")
    return min(usable, key=lambda r: r["bot_cpu_ms_per_update"])


def _rounds(runs: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{r['bot_cpu_ms_per_update']:.2f}" for r in runs if r.get("bot_cpu_ms_per_update")
    )


def _row(
    *,
    measure: str,
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    label: str,
    extra_note: str = "",
) -> Measurement:
    target = f"≤ {TARGET_RATIO:.2f}× baseline"
    try:
        mine, base = _cheapest(ours), _cheapest(theirs)
    except NotAvailable as exc:
        return not_run(NAME, measure, str(exc), target=target)
    ratio = mine["bot_cpu_ms_per_update"] / base["bot_cpu_ms_per_update"]
    note = (
        f"platform API calls per update: ours {mine['api_calls_per_update']:.2f}, "
        f"theirs {base['api_calls_per_update']:.2f}; by round: ours {_rounds(ours)} ms, "
        f"theirs {_rounds(theirs)} ms; quiet steps: ours {mine['stalls']}, "
        f"theirs {base['stalls']}" + extra_note
    )
    return Measurement(
        benchmark=NAME,
        measure=measure,
        figure=mine["bot_cpu_ms_per_update"],
        unit="ms",
        baseline=base["bot_cpu_ms_per_update"],
        baseline_label=label,
        ratio=ratio,
        target=target,
        met=ratio <= TARGET_RATIO,
        note=note,
        details={"ours": ours, "theirs": theirs},
    )


def _telegram(workdir: Path) -> list[Measurement]:
    from bench.playbook import scripts_for, telegram_playbook

    measure = "Telegram: bot CPU per update, ours vs bare PTB making the same Bot API calls"
    missing = telegram_bench.adapter_available()
    if missing:
        return [not_run(NAME, measure, missing, target=f"≤ {TARGET_RATIO:.2f}× baseline")]
    book = telegram_playbook()
    book_path = workdir / "telegram-playbook.json"
    book_path.write_text(json.dumps(book))
    scripts = scripts_for(book)

    def bare(request: str, label: str) -> dict[str, Any]:
        return telegram_bench.drive(
            bot_args=[
                PYTHON,
                "-m",
                "bench.telegram_samework",
                "--base-url",
                "{base_url}",
                "--token",
                telegram_bench.TOKEN,
                "--playbook",
                str(book_path),
                "--first-user-id",
                str(FIRST_USER_ID),
                "--concurrency",
                str(CONCURRENCY),
                "--request",
                request,
            ],
            bot_env=child_env(),
            scripts=scripts,
            workdir=workdir,
            label=label,
            users=USERS,
            warmup=WARMUP_SECONDS,
            duration=DURATION_SECONDS,
        )

    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for round_ in range(ROUNDS):
        url = f"sqlite+aiosqlite:///{workdir / f'tg-samework-{round_}.sqlite3'}"
        ours.append(
            telegram_bench.drive(
                bot_args=[
                    PYTHON,
                    "-m",
                    "bench.telegram_bot",
                    "--concurrency",
                    str(CONCURRENCY),
                    "--no-rate-limit",
                ],
                bot_env=telegram_bench.our_bot_env(database_url=url),
                scripts=scripts,
                workdir=workdir,
                label=f"tg-ours-{round_}",
                users=USERS,
                warmup=WARMUP_SECONDS,
                duration=DURATION_SECONDS,
            )
        )
        theirs.append(bare("aiohttp", f"tg-bare-{round_}"))
    rows = [
        _row(
            measure=measure,
            ours=ours,
            theirs=theirs,
            label="bare PTB, same calls, same aiohttp backend",
            extra_note=f"; both concurrent_updates={CONCURRENCY}, SQLite for ours, "
            "no flood limiter on either",
        )
    ]
    try:
        rows.extend(_floors(workdir, _cheapest(theirs)["bot_cpu_ms_per_update"]))
    except NotAvailable as exc:
        rows.append(not_run(NAME, "storage floor", str(exc)))
    try:
        stock = bare("httpx", "tg-bare-httpx")
        base = _cheapest(theirs)["bot_cpu_ms_per_update"]
    except NotAvailable as exc:
        rows.append(not_run(NAME, "Telegram: bare PTB on its stock httpx backend", str(exc)))
    else:
        figure = stock.get("bot_cpu_ms_per_update")
        rows.append(
            Measurement(
                benchmark=NAME,
                measure="Telegram: bare PTB, same calls, on its stock httpx backend (context)",
                figure=figure,
                unit="ms",
                baseline=base,
                baseline_label="bare PTB on aiohttp",
                ratio=figure / base if figure else None,
                note="what PTB's default networking would cost for the same calls",
                details={"run": stock},
            )
        )
    return rows


def _floor(workdir: Path, *, url: str, mode: str, driver: str) -> dict[str, Any]:
    args = [
        PYTHON,
        "-m",
        "bench.floor",
        "--url",
        url,
        "--mode",
        mode,
        "--driver",
        driver,
        "--users",
        str(USERS),
        "--updates",
        str(FLOOR_UPDATES),
    ]
    try:
        done = subprocess.run(
            args, env=child_env(), capture_output=True, text=True, timeout=300, check=True
        )
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        raise NotAvailable(
            f"bench.floor {mode}/{driver} did not run ({type(exc).__name__})"
        ) from None


def _floors(workdir: Path, bare_ms: float) -> list[Measurement]:
    """The inbox and outbox statements alone (:mod:`bench.floor`), against the room left."""
    kinds = [
        ("coach", "none", "the pure coach and the Telegram renderer alone (no storage)"),
        ("sqlite3", "aiosqlite", "SQLite through the standard library's sqlite3 (no SQLAlchemy)"),
        ("sqlalchemy", "aiosqlite", "SQLite through SQLAlchemy on aiosqlite (our default)"),
        ("sqlalchemy", "inloop", "SQLite through SQLAlchemy on the in-loop driver"),
        ("sqlalchemy", "asyncpg", "PostgreSQL through SQLAlchemy on asyncpg"),
    ]
    rows: list[Measurement] = []
    for mode, driver, label in kinds:
        measure = (
            f"floor: {label}"
            if mode == "coach"
            else f"storage floor, issue 13's inbox and outbox statements alone: {label}"
        )
        target = f"≤ {ROOM:.2f}× bare PTB (the room the {TARGET_RATIO:.2f}× target leaves)"
        try:
            if driver == "asyncpg":
                name = f"rejection_coach_bench_{os.getpid()}_floor"
                with dedicated_database(database_url(), name) as url:
                    result = _floor(workdir, url=url, mode=mode, driver="aiosqlite")
            else:
                url = f"sqlite+aiosqlite:///{workdir / f'floor-{mode}-{driver}.sqlite3'}"
                result = _floor(
                    workdir, url=url, mode=mode, driver="aiosqlite" if mode == "coach" else driver
                )
        except Exception as exc:  # the server may be absent: the row says so
            rows.append(not_run(NAME, measure, f"{type(exc).__name__}: {exc}", target=target))
            continue
        figure = float(result["cpu_ms_per_update"])
        rows.append(
            Measurement(
                benchmark=NAME,
                measure=measure,
                figure=figure,
                unit="ms",
                baseline=bare_ms,
                baseline_label="bare PTB, same calls (the row above)",
                ratio=figure / bare_ms,
                target=target,
                met=figure / bare_ms <= ROOM,
                note=(
                    "the recorded conversations replayed through flows' Coach and "
                    "bot.channels.telegram.render, no storage, no HTTP"
                    if mode == "coach"
                    else f"{result['statements_per_update']:.2f} statements and "
                    f"{result['commits_per_update']:.2f} commits per update, no coach, no "
                    "platform library, no HTTP; the process's CPU time over "
                    f"{FLOOR_UPDATES} updates of {USERS} users"
                ),
                details={"run": result},
            )
        )
    return rows


def _slack(workdir: Path) -> list[Measurement]:
    from bench.playbook import scripts_for, slack_playbook

    measure = "Slack: app CPU per input, ours vs bare bolt making the same Web API calls"
    missing = slack_bench.adapter_available()
    if missing:
        return [not_run(NAME, measure, missing, target=f"≤ {TARGET_RATIO:.2f}× baseline")]
    book = slack_playbook()
    book_path = workdir / "slack-playbook.json"
    book_path.write_text(json.dumps(book))
    scripts = scripts_for(book)
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for round_ in range(ROUNDS):
        ours.append(
            slack_bench.drive(
                app_args=[PYTHON, "-m", "bench.slack_bot"],
                app_env=child_env(
                    DATABASE_URL=f"sqlite+aiosqlite:///{workdir / f'sl-samework-{round_}.sqlite3'}",
                    LOG_LEVEL="WARNING",
                ),
                scripts=scripts,
                done_on="views.publish",
                workdir=workdir,
                label=f"sl-ours-{round_}",
                users=USERS,
                warmup=WARMUP_SECONDS,
                duration=DURATION_SECONDS,
            )
        )
        theirs.append(
            slack_bench.drive(
                app_args=[
                    PYTHON,
                    "-m",
                    "bench.slack_samework",
                    "--port",
                    "{port}",
                    "--api-url",
                    "{api_url}",
                    "--playbook",
                    str(book_path),
                ],
                app_env=child_env(),
                scripts=scripts,
                done_on="views.publish",
                workdir=workdir,
                label=f"sl-bare-{round_}",
                users=USERS,
                warmup=WARMUP_SECONDS,
                duration=DURATION_SECONDS,
            )
        )
    return [
        _row(
            measure=measure,
            ours=ours,
            theirs=theirs,
            label="bare bolt AsyncApp, same calls",
            extra_note="; HTTP mode, SQLite for ours",
        )
    ]


def run() -> list[Measurement]:
    """Telegram, then Slack: ours and the same-work bare bot alternately."""
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="bench-samework-") as tmp:
        workdir = Path(tmp)
        for part, measure in (
            (_telegram, "Telegram: bot CPU per update, ours vs bare PTB"),
            (_slack, "Slack: app CPU per input, ours vs bare bolt"),
        ):
            try:
                rows.extend(part(workdir))
            except NotAvailable as exc:
                rows.append(
                    not_run(NAME, measure, str(exc), target=f"≤ {TARGET_RATIO:.2f}× baseline")
                )
    return rows
