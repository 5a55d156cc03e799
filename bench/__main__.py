"""``python -m bench`` (``make bench``): run every benchmark, print the table, write results.json.

Exits non-zero only when a benchmark crashes; a missed target or a piece that
is not there ("not run: …") is reported in the table, not as a failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench._common import ROOT, Measurement, NotAvailable, not_run

_LOGGER = logging.getLogger("bench")

#: Benchmark modules in the order they run (cheap ones first).
BENCHMARKS: tuple[str, ...] = (
    "startup",
    "engine",
    "telegram",
    "slack",
    "samework",
    "pipeline",
    "memory",
    "scaling",
    "webhook",
    "send_budget",
)
RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def _format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.2f} {unit}".strip()


def _format_ratio(row: Measurement) -> str:
    if row.ratio is None:
        return "—"
    return (
        f"{row.ratio:.2f}{row.ratio_label}"
        if row.ratio_label == "×"
        else f"{row.ratio:+.1f} {row.ratio_label}"
    )


def _met(row: Measurement) -> str:
    if row.status != "ok":
        return row.status
    if row.met is None:
        return ""
    return "yes" if row.met else "**MISSED**"


def render_table(rows: Sequence[Measurement]) -> str:
    """The results as a Markdown table (printed, and pasted into the README)."""
    header = "| Benchmark | Measure | Figure | Baseline | Ratio | Target | Met |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for row in rows:
        baseline = _format_value(row.baseline, row.unit)
        if row.baseline_label and row.baseline is not None:
            baseline = f"{baseline} ({row.baseline_label})"
        lines.append(
            "| "
            + " | ".join(
                (
                    row.benchmark,
                    row.measure,
                    _format_value(row.figure, row.unit),
                    baseline,
                    _format_ratio(row),
                    row.target or "—",
                    _met(row),
                )
            )
            + " |"
        )
    return "\n".join(lines)


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return ""
    return out.stdout.strip()


def _run_one(name: str) -> tuple[list[Measurement], bool]:
    """Run benchmark ``name``; return its rows and whether it crashed."""
    started = time.monotonic()
    try:
        module = importlib.import_module(f"bench.{name}")
        run: Callable[[], list[Measurement]] = module.run
        rows = run()
        crashed = False
    except NotAvailable as exc:
        rows, crashed = [not_run(name, "—", str(exc))], False
    except Exception as exc:
        _LOGGER.exception("benchmark %s crashed", name)
        rows, crashed = [Measurement(benchmark=name, measure="—", status=f"crashed: {exc!r}")], True
    _LOGGER.info("benchmark %s done in %.1f s", name, time.monotonic() - started)
    for row in rows:
        row.details.setdefault("seconds", round(time.monotonic() - started, 1))
    return rows, crashed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks; 1 if one crashed, else 0."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_PATH, help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("BENCH_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Libraries that log every step at INFO would drown the progress lines.
    for noisy in ("transitions", "httpx", "aiosqlite", "sqlalchemy", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    names = BENCHMARKS
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(BENCHMARKS))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
        names = tuple(n for n in BENCHMARKS if n in wanted)

    started = time.monotonic()
    rows: list[Measurement] = []
    crashed = False
    for name in names:
        _LOGGER.info("benchmark %s …", name)
        result, failed = _run_one(name)
        rows.extend(result)
        crashed = crashed or failed
    elapsed = time.monotonic() - started

    table = render_table(rows)
    print(table)
    print(f"\n{len(names)} benchmark(s) in {elapsed:.0f} s on {os.cpu_count()} CPU(s).")
    report: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "seconds": round(elapsed, 1),
        "benchmarks": list(names),
        "results": [row.to_json() for row in rows],
        "table": table,
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
