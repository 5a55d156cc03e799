"""Memory: resident memory of the running bot with 10 000 against 100 stored cases.

For each size a fresh SQLite file is filled with that many users, each with an
active case half-way through the conversation (bulk inserts through the
storage models). Then our Telegram bot (:mod:`bench.telegram_bot`) polls the
Bot API stand-in, whose users come back to their cases with ``/start`` — every
update from the next stored user, so the big run touches thousands of
different cases. The bot's RSS (psutil) is sampled during the traffic; the
figure is the peak with 10 000 cases, the baseline the peak with 100. Nothing
per case may stay in memory: growth ≤ 10 MB.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import tempfile
import threading
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
    stop_process,
    wait_for_port,
)
from bench.scripts import make_coach
from bench.telegram import TOKEN, adapter_available, our_bot_env

_LOGGER = logging.getLogger(__name__)

NAME = "memory"
SIZES = (100, 10_000)
USERS = 32
WARMUP_SECONDS = 1.0
DURATION_SECONDS = 8.0
TARGET_GROWTH_MB = 10.0
FIRST_USER_ID = 100_000  # as bench.telegram_api
BATCH = 1000


def _sample_case(language: str) -> tuple[Any, int]:
    """A case half-way through (at the call step), and how many messages /start gives then."""
    from bench.conversation import input_for, record
    from flows.case import Step
    from flows.io import CommandInput, Outgoing, UserContext

    coach = make_coach()
    recording = record(coach=coach, language=language, variant=1)
    case = None
    outgoing: list[Outgoing] = []
    for action in recording.actions:
        context = UserContext(language=language, active_case=case)
        result = coach.handle(context, input_for(action, outgoing))
        case, outgoing = result.case, list(result.outgoing)
        if case is not None and case.step in (Step.TALK, Step.PROBLEM):
            break
    if case is None:
        raise NotAvailable("could not build a sample case")
    again = coach.handle(UserContext(language=language, active_case=case), CommandInput("start"))
    return case, len(again.outgoing)


async def _prefill(database_url: str, *, count: int, case: Any) -> None:
    """Migrate, then insert ``count`` Telegram users with one active case each."""
    from sqlalchemy import insert, select

    from flows.case import new_case_id
    from storage import Storage, upgrade, utc_now
    from storage.models import CaseRow, User

    await upgrade(database_url)
    storage = Storage(database_url)
    try:
        now = utc_now()
        state = case.to_dict()
        for first in range(0, count, BATCH):
            ids = [str(FIRST_USER_ID + n) for n in range(first, min(count, first + BATCH))]
            async with storage.transaction() as tx:
                conn = tx.connection
                await conn.execute(
                    insert(User),
                    [
                        {
                            "platform": "telegram",
                            "workspace": "",
                            "platform_user_id": uid,
                            "language": None,
                            "platform_language": "en",
                            "created_at": now,
                            "updated_at": now,
                        }
                        for uid in ids
                    ],
                )
                rows = await conn.execute(
                    select(User.id).where(
                        User.platform == "telegram", User.platform_user_id.in_(ids)
                    )
                )
                await conn.execute(
                    insert(CaseRow),
                    [
                        {
                            "id": new_case_id(),
                            "user_id": user_id,
                            "step": case.step.value,
                            "status": case.status.value,
                            "state": state,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for (user_id,) in rows
                    ],
                )
    finally:
        await storage.dispose()


def _rss_sampler(pid: int, stop: threading.Event, samples: list[int]) -> None:
    import psutil

    try:
        process = psutil.Process(pid)
        while not stop.wait(0.2):
            samples.append(process.memory_info().rss)
    except psutil.Error:
        return


def _measure(size: int, workdir: Path, *, case: Any, messages: int) -> dict[str, Any]:
    database_url = f"sqlite+aiosqlite:///{workdir / f'coach-{size}.sqlite3'}"
    started = time.monotonic()
    asyncio.run(_prefill(database_url, count=size, case=case))
    prefill_s = time.monotonic() - started
    port = free_port()
    scripts = [
        {
            "language": "en",
            "actions": [{"kind": "command", "text": "start", "step": "", "messages": messages}],
        }
    ]
    scripts_path = workdir / f"memory-{size}.json"
    scripts_path.write_text(json.dumps(scripts))
    driver_log, bot_log = workdir / f"memory-{size}-driver.log", workdir / f"memory-{size}-bot.log"
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
            str(USERS),
            "--rotate-users",
            str(size),
            "--warmup",
            str(WARMUP_SECONDS),
            "--duration",
            str(DURATION_SECONDS),
        ],
        env=child_env(),
        log_path=driver_log,
    )
    bot: subprocess.Popen[bytes] | None = None
    samples: list[int] = []
    stop = threading.Event()
    try:
        wait_for_port(port, timeout=15, process=driver)
        env = our_bot_env(database_url=database_url)
        env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{port}/bot"
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        bot = start_process(
            [PYTHON, "-m", "bench.telegram_bot", "--concurrency", "16", "--no-rate-limit"],
            env=env,
            log_path=bot_log,
        )
        sampler = threading.Thread(target=_rss_sampler, args=(bot.pid, stop, samples))
        sampler.start()
        try:
            driver.wait(timeout=WARMUP_SECONDS + DURATION_SECONDS + 60)
        except subprocess.TimeoutExpired:
            raise NotAvailable(f"{size} cases: the run did not finish in time") from None
        finally:
            stop.set()
            sampler.join()
    finally:
        if bot is not None:
            stop_process(bot)
        stop_process(driver)
    report = read_json_line(driver_log)
    if not report.get("updates") or not samples:
        raise NotAvailable(f"{size} cases: no update was answered: {log_tail(bot_log)}")
    report.update(
        peak_rss_mb=max(samples) / 2**20,
        final_rss_mb=samples[-1] / 2**20,
        prefill_s=round(prefill_s, 1),
    )
    _LOGGER.info(
        "%d cases: peak RSS %.1f MB, final %.1f MB, %d updates",
        size,
        report["peak_rss_mb"],
        report["final_rss_mb"],
        report["updates"],
    )
    return report


def run() -> list[Measurement]:
    """Both sizes, one row: peak RSS with 10 000 cases against 100."""
    target = f"≤ +{TARGET_GROWTH_MB:.0f} MB"
    measure = f"bot RSS with {SIZES[1]:,} stored cases"
    missing = adapter_available()
    if missing:
        return [not_run(NAME, measure, missing, target=target)]
    try:
        case, messages = _sample_case("en")
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
            small = _measure(SIZES[0], Path(tmp), case=case, messages=messages)
            big = _measure(SIZES[1], Path(tmp), case=case, messages=messages)
    except NotAvailable as exc:
        return [not_run(NAME, measure, str(exc), target=target)]
    growth = big["peak_rss_mb"] - small["peak_rss_mb"]
    return [
        Measurement(
            benchmark=NAME,
            measure=measure + " (peak)",
            figure=big["peak_rss_mb"],
            unit="MB",
            baseline=small["peak_rss_mb"],
            baseline_label=f"{SIZES[0]} cases",
            ratio=big["peak_rss_mb"] / small["peak_rss_mb"],
            target=target,
            met=growth <= TARGET_GROWTH_MB,
            note=f"{growth:+.1f} MB; the traffic came back to up to "
            f"{min(big['updates'], SIZES[1]):,} different cases against {SIZES[0]} "
            f"({big['updates']:,} and {small['updates']:,} updates)",
            details={"small": small, "big": big, "growth_mb": growth},
        )
    ]
