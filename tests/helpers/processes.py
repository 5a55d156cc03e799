"""Start and stop real ``rejection-coach serve`` worker processes for tests.

Every wait is bounded in time; :func:`stop_worker` always ends the process
(SIGTERM, then SIGKILL). A worker's output goes to a log file the test can
print when something fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Worker:
    """One running ``serve`` process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL of the worker's HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything the worker printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None


def start_worker(
    *, name: str, env: dict[str, str], log_dir: Path, port: int | None = None
) -> Worker:
    """Start ``python -m bot serve --port N`` with ``env`` added to the environment."""
    port = port or free_port()
    log_path = log_dir / f"{name}.log"
    full_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Worker(name=name, port=port, process=process, log_path=log_path)


async def http_status(url: str, *, timeout: float = 6.0) -> int | None:
    """The HTTP status of a GET, or ``None`` when nothing answers."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url) as response,
        ):
            await response.read()
            return response.status
    except (TimeoutError, aiohttp.ClientError, OSError):
        return None


async def wait_for_health(worker: Worker, *, expect: int = 200, timeout: float = 30.0) -> None:
    """Wait until ``GET /healthz`` answers ``expect``; raise with the worker's log if not.

    Async, so stand-ins served by the test's own event loop keep answering.
    """
    deadline = time.monotonic() + timeout
    status: int | None = None
    while time.monotonic() < deadline:
        if not worker.alive():
            raise RuntimeError(
                f"worker {worker.name} exited with {worker.process.returncode}:\n{worker.log()}"
            )
        status = await http_status(f"{worker.url}/healthz")
        if status == expect:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(
        f"worker {worker.name}: /healthz answered {status}, not {expect}, "
        f"within {timeout} s:\n{worker.log()}"
    )


async def stop_worker(worker: Worker, *, timeout: float = 15.0) -> int | None:
    """SIGTERM the worker and wait (async); SIGKILL it if it does not exit in time."""
    if worker.alive():
        with contextlib.suppress(ProcessLookupError):
            worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while worker.alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    if worker.alive():
        kill_worker(worker)
    return worker.process.returncode


def kill_worker(worker: Worker) -> None:
    """SIGKILL the worker (a crash: no clean-up runs) and reap it."""
    if worker.alive():
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(timeout=10)
