"""Start-up: ``rejection-coach --help`` wall time against ``python -c pass``.

Both commands run alternately in the same loop, so load on the machine hits
both alike; the figure is the difference of the medians (target ≤ 0.25 s),
with the ratio beside it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path

from bench._common import PYTHON, ROOT, Measurement, child_env, median, not_run

_LOGGER = logging.getLogger(__name__)

NAME = "start-up"
RUNS = 11
TARGET_EXTRA_SECONDS = 0.25


def _command() -> list[str] | None:
    script = Path(PYTHON).parent / "rejection-coach"
    if script.exists():
        return [str(script), "--help"]
    found = shutil.which("rejection-coach")
    return [found, "--help"] if found else None


def _wall_time(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(
        args, env=env, cwd=str(ROOT), capture_output=True, timeout=30, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{args[0]} exited with {completed.returncode}")
    return elapsed


def run(*, runs: int = RUNS) -> list[Measurement]:
    """Measure both commands ``runs`` times each (after one warm-up run each)."""
    command = _command()
    target = f"≤ +{TARGET_EXTRA_SECONDS:.2f} s"
    if command is None:
        return [
            not_run(NAME, "--help wall time", "rejection-coach is not installed", target=target)
        ]
    env = child_env()
    baseline_args = [PYTHON, "-c", "pass"]
    try:
        _wall_time(command, env)
        _wall_time(baseline_args, env)
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(runs):
            bare.append(_wall_time(baseline_args, env))
            ours.append(_wall_time(command, env))
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        return [not_run(NAME, "--help wall time", str(exc), target=target)]
    ours_median, bare_median = median(ours), median(bare)
    extra = ours_median - bare_median
    _LOGGER.info("start-up: --help %.3f s, python -c pass %.3f s", ours_median, bare_median)
    return [
        Measurement(
            benchmark=NAME,
            measure="`rejection-coach --help` (median wall time)",
            figure=ours_median,
            unit="s",
            baseline=bare_median,
            baseline_label="`python -c pass`",
            ratio=ours_median / bare_median if bare_median else None,
            target=target,
            met=extra <= TARGET_EXTRA_SECONDS,
            note=f"+{extra:.3f} s over the bare interpreter ({runs} runs each, medians)",
            details={"ours_s": ours, "baseline_s": bare, "extra_s": extra},
        )
    ]
