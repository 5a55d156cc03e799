"""CPU per update of our Telegram bot in two configurations, side by side in one run.

Issue 13's budget: the inbox/outbox may cost at most 25 % more CPU per update
than the pipeline before it. This harness runs our bot (``bench.telegram_bot``,
the shipped :func:`bot.wiring.run_channel` path, polling, no flood limiter)
against the Bot API stand-in with the same scripted users, alternately in a
*baseline* and a *candidate* configuration, ``ROUNDS`` times each, on SQLite
and — when it answers — on PostgreSQL (a fresh database per run). The figure
is the bot process's CPU time per update (lowest round of each side); the
ratio candidate / baseline has the target ≤ 1.25.

The two configurations come from the environment:

- ``BENCH_PIPELINE_BASELINE_REF`` — a git commit (e.g. ``f506561``, main before
  the outbox): the baseline runs *that* code, exported with ``git archive``
  into a temporary directory (the repository is not touched), on the same
  virtual environment; the candidate is this tree.
- ``BENCH_PIPELINE_BASELINE_ENV`` / ``BENCH_PIPELINE_ENV`` — extra
  ``NAME=value`` settings (space-separated) for the baseline / the candidate,
  e.g. a switch that turns the outbox off and on.

With neither, both sides are this tree as it is: the row then measures the
pipeline against itself — the noise floor of the measure, not the cost of
anything — and says so (no target is judged).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import shlex
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import telegram as telegram_bench
from bench._common import PYTHON, ROOT, Measurement, NotAvailable, not_run
from bench.scaling import _admin, database_url, dedicated_database

_LOGGER = logging.getLogger(__name__)

NAME = "pipeline"
ROUNDS = 2
TARGET_RATIO = 1.25
CONCURRENCY = 4
#: A run whose steps went quiet this often did not answer the users: not a measure.
MAX_QUIET_SHARE = 0.1


@dataclass(slots=True)
class Config:
    """One side: which code runs (``root``) and with which extra settings."""

    label: str
    root: Path
    env: dict[str, str] = field(default_factory=dict)


def _settings(value: str) -> dict[str, str]:
    pairs = {}
    for item in shlex.split(value):
        name, sep, setting = item.partition("=")
        if not sep or not name:
            raise NotAvailable(f"not a NAME=value setting: {item!r}")
        pairs[name] = setting
    return pairs


def _export(ref: str, into: Path) -> Path:
    """The tree of commit ``ref``, extracted into ``into`` (read-only use of the repo)."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref],
            cwd=str(ROOT),
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise NotAvailable(f"cannot export commit {ref} ({type(exc).__name__})") from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    if not (into / "bench" / "telegram_bot.py").exists():
        raise NotAvailable(f"commit {ref} has no bench/telegram_bot.py")
    return into


def configurations(workdir: Path) -> tuple[Config, Config, bool]:
    """Baseline, candidate, and whether they differ at all."""
    ref = os.environ.get("BENCH_PIPELINE_BASELINE_REF", "").strip()
    env_a = _settings(os.environ.get("BENCH_PIPELINE_BASELINE_ENV", ""))
    env_b = _settings(os.environ.get("BENCH_PIPELINE_ENV", ""))
    if ref:
        baseline = Config(f"commit {ref}", _export(ref, workdir / "baseline-tree"), env_a)
    else:
        baseline = Config("this tree", ROOT, env_a)
    if env_a:
        baseline.label += " with " + " ".join(f"{k}={v}" for k, v in env_a.items())
    candidate = Config("this tree", ROOT, env_b)
    if env_b:
        candidate.label += " with " + " ".join(f"{k}={v}" for k, v in env_b.items())
    return baseline, candidate, bool(ref or env_a != env_b)


def _one(config: Config, *, database: str, workdir: Path, label: str) -> dict[str, Any]:
    from bench.playbook import scripts_for, telegram_playbook

    env = telegram_bench.our_bot_env(database_url=database, **config.env)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(config.root), os.environ.get("PYTHONPATH", "")) if p
    )
    report = telegram_bench.drive(
        bot_args=[
            PYTHON,
            "-m",
            "bench.telegram_bot",
            "--concurrency",
            str(CONCURRENCY),
            "--no-rate-limit",
        ],
        bot_env=env,
        scripts=scripts_for(telegram_playbook()),
        workdir=workdir,
        label=label,
        cwd=config.root,
    )
    if report["stalls"] > MAX_QUIET_SHARE * max(1, report["updates"]):
        raise NotAvailable(
            f"{config.label}: {report['stalls']} of {report['updates']} steps went unanswered "
            "in time, so its CPU per update is not the same work"
        )
    return report


@contextlib.contextmanager
def _sqlite(workdir: Path, label: str) -> Iterator[str]:
    yield f"sqlite+aiosqlite:///{workdir / f'{label}.sqlite3'}"


def _side_by_side(
    baseline: Config,
    candidate: Config,
    *,
    workdir: Path,
    backend: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "candidate": []}
    server = database_url()
    for round_ in range(ROUNDS):
        for side, config in (("baseline", baseline), ("candidate", candidate)):
            label = f"pipeline-{backend}-{side}-{round_}"
            name = f"rejection_coach_bench_{os.getpid()}_{label.replace('-', '_')}"
            database = (
                _sqlite(workdir, label) if backend == "sqlite" else dedicated_database(server, name)
            )
            with database as url:
                runs[side].append(_one(config, database=url, workdir=workdir, label=label))
    return runs["baseline"], runs["candidate"]


def _row(
    backend: str,
    baseline: Config,
    candidate: Config,
    differ: bool,
    runs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> Measurement:
    base_runs, cand_runs = runs
    base = min(base_runs, key=lambda r: r["bot_cpu_ms_per_update"] or float("inf"))
    cand = min(cand_runs, key=lambda r: r["bot_cpu_ms_per_update"] or float("inf"))
    measure = f"bot CPU per update, Telegram polling on {backend}: {candidate.label}"
    target = f"≤ {TARGET_RATIO:.2f}× baseline"
    if not base["bot_cpu_ms_per_update"] or not cand["bot_cpu_ms_per_update"]:
        return not_run(NAME, measure, "the bot's CPU time could not be read", target=target)
    ratio = cand["bot_cpu_ms_per_update"] / base["bot_cpu_ms_per_update"]

    def rounds(items: list[dict[str, Any]]) -> str:
        return ", ".join(f"{r['bot_cpu_ms_per_update']:.2f}" for r in items)

    note = f"by round: baseline {rounds(base_runs)} ms, candidate {rounds(cand_runs)} ms"
    if not differ:
        note = (
            "no second configuration given (BENCH_PIPELINE_BASELINE_REF / BENCH_PIPELINE_ENV): "
            "today's pipeline against itself — the noise floor of this measure, not the "
            "cost of an inbox/outbox; " + note
        )
    return Measurement(
        benchmark=NAME,
        measure=measure,
        figure=cand["bot_cpu_ms_per_update"],
        unit="ms",
        baseline=base["bot_cpu_ms_per_update"],
        baseline_label=baseline.label,
        ratio=ratio,
        target=target if differ else "",
        met=ratio <= TARGET_RATIO if differ else None,
        note=note,
        details={"baseline": base_runs, "candidate": cand_runs},
    )


def _postgres_reachable() -> str | None:
    try:
        asyncio.run(_admin(database_url(), "SELECT 1"))
    except NotAvailable as exc:
        return str(exc)
    except Exception as exc:
        return f"PostgreSQL unreachable ({type(exc).__name__})"
    return None


def run() -> list[Measurement]:
    """Baseline and candidate alternately, on SQLite, then on PostgreSQL."""
    target = f"≤ {TARGET_RATIO:.2f}× baseline"
    missing = telegram_bench.adapter_available()
    if missing:
        return [not_run(NAME, "bot CPU per update, two configurations", missing, target=target)]
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        workdir = Path(tmp)
        try:
            baseline, candidate, differ = configurations(workdir)
        except NotAvailable as exc:
            return [not_run(NAME, "bot CPU per update, two configurations", str(exc))]
        for backend in ("sqlite", "postgresql"):
            measure = f"bot CPU per update, Telegram polling on {backend}"
            if backend == "postgresql" and (reason := _postgres_reachable()):
                rows.append(not_run(NAME, measure, reason, target=target))
                continue
            try:
                runs = _side_by_side(baseline, candidate, workdir=workdir, backend=backend)
            except NotAvailable as exc:
                rows.append(not_run(NAME, measure, str(exc), target=target))
                continue
            rows.append(_row(backend, baseline, candidate, differ, runs))
    return rows
