"""Where a bot's CPU per update goes: the same-work Telegram run under cProfile.

``python -m bench.profile_bot [--side ours|bare] [--driver aiosqlite|inloop]``
runs one round of :mod:`bench.samework`'s Telegram setup (same stand-in, same
16 users, ``concurrent_updates`` 4) with the bot process profiled by cProfile
on its event-loop thread only, in thread CPU time, between ``--start`` and
``--stop`` seconds after it started (start-up and imports left out). It prints
the stand-in's figures and the profile's CPU by package (``telegram``,
``sqlalchemy``, ``flows/case.py`` …) and writes the raw profile for
``python -m pstats``. Not part of ``make bench``: cProfile slows Python calls
several-fold, so read the shares, not the times. With ``--driver aiosqlite``
the SQL runs on aiosqlite's threads, which the profile does not see.
"""

from __future__ import annotations

import argparse
import collections
import json
import pstats
import sys
import tempfile
from pathlib import Path

from bench import telegram as telegram_bench
from bench._common import PYTHON, child_env
from bench.telegram_api import FIRST_USER_ID

#: The bot runs this, which profiles the module named after it (see :func:`profiled`).
_WRAPPER = "bench.profile_bot"


def _category(filename: str, name: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    for root in ("/bot/", "/flows/", "/storage/", "/bench/"):
        if root in filename:
            tail = root.strip("/") + "/" + filename.split(root, 1)[1]
            return "/".join(tail.split("/")[:2])
    if "/lib/python" in filename:
        return "stdlib:" + filename.split("/lib/python", 1)[1].split("/")[1]
    return "builtin:" + name[:40]


def breakdown(profile: Path, *, top: int = 25) -> list[tuple[str, float, float]]:
    """``(category, seconds, share)`` of a profile's own time, largest first."""
    stats = pstats.Stats(str(profile))
    totals: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        totals[_category(filename, name)] += entry[2]
    whole = sum(totals.values()) or 1.0
    return [(key, value, value / whole) for key, value in totals.most_common(top)]


def profiled(module: str, *, out: str, start: float, stop: float) -> None:
    """Run ``module`` as ``__main__``, profiled from ``start`` to ``stop`` seconds (SIGALRM)."""
    import cProfile
    import runpy
    import signal
    import time

    profile = cProfile.Profile(time.thread_time)
    state = {"on": False, "done": False}

    def on_alarm(_signum: int, _frame: object) -> None:
        if not state["on"]:
            state["on"] = True
            profile.enable()
            signal.setitimer(signal.ITIMER_REAL, stop - start)
        elif not state["done"]:
            state["done"] = True
            profile.disable()
            profile.dump_stats(out)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, start)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def main() -> int:
    """Profile one side of the same-work Telegram run and print the breakdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--side", choices=("ours", "bare"), default="ours")
    parser.add_argument("--driver", choices=("aiosqlite", "inloop"), default="aiosqlite")
    parser.add_argument("--start", type=float, default=6.0)
    parser.add_argument("--stop", type=float, default=14.0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--wrapped", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.wrapped:  # inside the bot process: ``--wrapped OUT MODULE ARGS…``
        out, module, *rest = args.wrapped
        sys.argv = [module, *rest]
        profiled(module, out=out, start=args.start, stop=args.stop)
        return 0

    from bench.playbook import scripts_for, telegram_playbook

    workdir = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    out = args.out or workdir / f"{args.side}.prof"
    book = telegram_playbook()
    book_path = workdir / "telegram-playbook.json"
    book_path.write_text(json.dumps(book))
    wrap = [PYTHON, "-m", _WRAPPER, "--start", str(args.start), "--stop", str(args.stop)]
    wrap += ["--wrapped", str(out)]
    if args.side == "ours":
        bot_args = [*wrap, "bench.telegram_bot", "--concurrency", "4", "--no-rate-limit"]
        url = f"sqlite+aiosqlite:///{workdir / 'profile.sqlite3'}"
        env = telegram_bench.our_bot_env(database_url=url, SQLITE_DRIVER=args.driver)
    else:
        bot_args = [*wrap, "bench.telegram_samework", "--base-url", "{base_url}"]
        bot_args += ["--token", telegram_bench.TOKEN, "--playbook", str(book_path)]
        bot_args += ["--first-user-id", str(FIRST_USER_ID), "--concurrency", "4"]
        bot_args += ["--request", "aiohttp"]
        env = child_env()
    report = telegram_bench.drive(
        bot_args=bot_args,
        bot_env=env,
        scripts=scripts_for(book),
        workdir=workdir,
        label=f"profile-{args.side}",
        users=16,
        warmup=3.0,
        duration=args.stop + 1.0,
    )
    figures = ("updates_per_second", "bot_cpu_ms_per_update", "api_calls_per_update")
    print(json.dumps({key: report.get(key) for key in figures}))
    if not out.exists():
        print(f"no profile written (the bot stopped before {args.stop} s?)", file=sys.stderr)
        return 1
    for key, seconds, share in breakdown(out):
        print(f"{seconds:8.3f} s {100 * share:5.1f} %  {key}")
    print(f"profile: {out}  (python -m pstats {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
