"""Shared pieces of the benchmarks: results, timing helpers, child processes.

Every benchmark returns :class:`Measurement` rows. A row holds the figure, the
baseline measured side by side in the same run, their ratio, and the target
with whether it was met. A benchmark that cannot run records ``not run:
<reason>`` instead of raising.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger(__name__)

#: The repository root (bench/ lives directly under it).
ROOT = Path(__file__).resolve().parent.parent
#: The interpreter of the project's virtual environment (the one running us).
PYTHON = sys.executable
#: Loopback only: no benchmark traffic leaves the machine.
HOST = "127.0.0.1"


class NotAvailable(Exception):
    """A piece a benchmark needs is missing; the reason goes into the table."""


@dataclass(slots=True)
class Measurement:
    """One row of the results table.

    ``ratio`` is ``figure / baseline`` (or a difference when ``unit`` of the
    ratio says so); ``met`` is ``None`` when there is no target or the row
    did not run.
    """

    benchmark: str
    measure: str
    figure: float | None = None
    unit: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    ratio_label: str = "×"
    target: str = ""
    met: bool | None = None
    note: str = ""
    status: str = "ok"
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict of the row."""
        return asdict(self)


def not_run(benchmark: str, measure: str, reason: str, *, target: str = "") -> Measurement:
    """A row for a benchmark that could not run, with the reason."""
    return Measurement(
        benchmark=benchmark, measure=measure, target=target, status=f"not run: {reason}"
    )


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median, 0.0 for no values."""
    return statistics.median(values) if values else 0.0


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, *, timeout: float, process: subprocess.Popen[Any] | None = None
) -> None:
    """Wait until something listens on ``HOST:port``; raise NotAvailable on timeout/exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NotAvailable(f"process exited with code {process.returncode} before listening")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise NotAvailable(f"nothing listened on port {port} within {timeout:.0f} s")


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: ours, the repo on the path, no proxies."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["NO_PROXY"] = "*"
    env.setdefault("LOG_LEVEL", "WARNING")
    env.update(extra)
    return env


def start_process(
    args: Sequence[str], *, env: dict[str, str], log_path: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a child process in its own session, its output into ``log_path``."""
    log = log_path.open("wb")
    try:
        return subprocess.Popen(
            list(args),
            env=env,
            cwd=str(cwd or ROOT),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_process(process: subprocess.Popen[Any], *, timeout: float = 5.0) -> None:
    """Stop a child we started (SIGINT, then SIGTERM, then SIGKILL), by its own id."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def start_serve_workers(
    ports: Sequence[int], *, env: dict[str, str], workdir: Path, label: str
) -> list[subprocess.Popen[bytes]]:
    """Start one ``serve`` worker per port and wait until each listens.

    The started workers are appended to the returned list as they start, so a
    caller's cleanup can stop them even when a later one fails to come up
    (:class:`NotAvailable` with the tail of that worker's log).
    """
    processes: list[subprocess.Popen[bytes]] = []
    for index, port in enumerate(ports):
        processes.append(
            start_process(
                [PYTHON, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                log_path=workdir / f"{label}-worker{index}.log",
            )
        )
    for index, (port, process) in enumerate(zip(ports, processes, strict=True)):
        try:
            wait_for_port(port, timeout=30, process=process)
        except NotAvailable as exc:
            for started in processes:
                stop_process(started)
            log = log_tail(workdir / f"{label}-worker{index}.log")
            raise NotAvailable(f"serve worker: {exc}: {log}") from None
    return processes


@contextlib.contextmanager
def running(
    args: Sequence[str], *, env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a child process for the duration of a ``with`` block."""
    process = start_process(args, env=env, log_path=log_path)
    try:
        yield process
    finally:
        stop_process(process)


def log_tail(path: Path, *, lines: int = 5) -> str:
    """The last lines of a child's log, for a "not run" reason."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def read_json_line(path: Path) -> dict[str, Any]:
    """The last line of ``path`` that parses as a JSON object."""
    for line in reversed(path.read_text(errors="replace").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(line)
                if isinstance(value, dict):
                    return value
    raise NotAvailable(f"no result in {path.name}: {log_tail(path)}")


def run_coroutine_with_timeout(coro: Any, *, timeout: float) -> Any:
    """Run ``coro`` in a fresh event loop, bounded by ``timeout`` seconds."""

    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout=timeout)

    return asyncio.run(bounded())


def cpu_row(
    *,
    benchmark: str,
    measure: str,
    ours: dict[str, Any],
    baseline: dict[str, Any],
    baseline_label: str,
    target_ratio: float,
) -> Measurement:
    """CPU time of the bot per update, ours against the baseline's (noise-robust).

    Throughput on a free core is the inverse of this cost, so the throughput
    target ``≥ target_ratio × baseline`` becomes ``≤ 1/target_ratio × baseline`` here.
    """
    mine, theirs = ours.get("bot_cpu_ms_per_update"), baseline.get("bot_cpu_ms_per_update")
    limit = 1 / target_ratio
    target = f"≤ {limit:.2f}× baseline"
    if not mine or not theirs:
        return not_run(benchmark, measure, "the bot's CPU time could not be read", target=target)
    ratio = mine / theirs
    return Measurement(
        benchmark=benchmark,
        measure=measure,
        figure=mine,
        unit="ms",
        baseline=theirs,
        baseline_label=baseline_label,
        ratio=ratio,
        target=target,
        met=ratio <= limit,
        note=f"CPU-bound throughput would be {1 / ratio:.2f}× the baseline's"
        + _calls_note(ours, baseline),
    )


def _calls_note(ours: dict[str, Any], baseline: dict[str, Any]) -> str:
    mine, theirs = ours.get("api_calls_per_update"), baseline.get("api_calls_per_update")
    if not mine or not theirs:
        return ""
    return f"; platform API calls per update: {mine:.1f} against {theirs:.1f}"
