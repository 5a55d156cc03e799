"""The ``rejection-coach`` command line.

``rejection-coach [telegram | slack | chat | serve | db upgrade | diagram]``.
With no command it runs the first channel the settings configure, in
registry order: Telegram when ``TELEGRAM_BOT_TOKEN`` is set, else Slack when
``SLACK_BOT_TOKEN`` is set, else the terminal chat on the embedded SQLite
database.

The channel subcommands come from :data:`bot.channels.CHANNELS` (its entries
import only the standard library). ``--help`` must stay fast: settings,
storage and the platform libraries are imported inside the command that needs
them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.channels import CHANNELS
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.channels.base import ChannelSpec
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PROG = "rejection-coach"

#: Exit codes.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(ConfigError):
    """A problem the operator can fix on the command line (invalid settings …)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "A coach for freelancers whose client rejected delivered work "
            "(Bulgarian and English). With no command: the first configured of "
            + ", ".join(spec.command for spec in CHANNELS.values())
            + " (the terminal chat needs nothing)."
        ),
        epilog="Settings come from the environment and .env (see .env.example).",
    )
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        help="DEBUG, INFO, WARNING or ERROR (default: LOG_LEVEL or INFO)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: DATABASE_URL or a SQLite file in your data directory)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in CHANNELS.values():
        spec.add_arguments(commands.add_parser(spec.command, help=spec.help))

    serve = commands.add_parser(
        "serve",
        help="one HTTP server for the configured channels' webhooks ("
        + ", ".join(spec.name for spec in CHANNELS.values() if spec.check_served is not None)
        + "), /healthz, /metrics",
    )
    serve.add_argument("--host", metavar="HOST", help="listen address (HOST)")
    serve.add_argument("--port", metavar="PORT", type=int, help="listen port (PORT)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("upgrade", help="apply the database migrations")

    commands.add_parser("diagram", help="print the conversation's state diagram (Mermaid)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    # PTB 22: durations as ``timedelta`` (PTB 23's behaviour); without it PTB warns
    # (PTBDeprecationWarning) each time it builds a RetryAfter for a 429. Set here,
    # in the entry point, not as a side effect of importing the Telegram channel.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "diagram":
        return _diagram()

    try:
        settings = _load_settings(args)
    except CommandError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from bot.logging_setup import configure_logging

    command = args.command or _default_command(settings)
    # The terminal chat shares the terminal with the user: only warnings there.
    level = settings.log_level if command != "chat" or args.log_level else "WARNING"
    configure_logging(level=level, secrets=settings.secrets(), library_level=settings.log_libraries)
    _LOGGER.debug("command %s", command)

    try:
        if command == "serve":
            return _serve(settings)
        if command == "db":
            return _db(settings)
        return _run_channel(_by_command(command), settings, args)
    except ConfigError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        # Start-up failures (database unreachable, port taken, bad token …): one clear
        # line, secrets redacted; the traceback only with --log-level DEBUG.
        _LOGGER.debug("%s failed", command, exc_info=True)
        message = _redact(f"{type(exc).__name__}: {exc}", settings.secrets())
        print(f"{PROG} {command}: {message}", file=sys.stderr)
        return EXIT_FAILURE


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _load_settings(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    from bot.settings import load_settings

    overrides: dict[str, object] = {
        "log_level": args.log_level,
        "database_url": args.database_url,
    }
    if args.command == "serve":
        overrides |= {"host": args.host, "port": args.port}
    elif args.command is not None and args.command != "db":
        overrides |= _by_command(args.command).overrides(args)
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CommandError(f"invalid settings: {problems}") from None


def _by_command(command: str) -> ChannelSpec:
    return next(spec for spec in CHANNELS.values() if spec.command == command)


def _default_command(settings: Settings) -> str:
    """The first channel the settings configure (the terminal chat needs nothing)."""
    return next(spec.command for spec in CHANNELS.values() if spec.configured(settings))


def _run_channel(spec: ChannelSpec, settings: Settings, args: argparse.Namespace) -> int:
    spec.check(settings)
    return asyncio.run(spec.runner()(settings, args))


def _serve(settings: Settings) -> int:
    from bot.serve import run

    return asyncio.run(run(settings=settings))


def _db(settings: Settings) -> int:
    from bot.wiring import upgrade_database

    revision = asyncio.run(upgrade_database(settings=settings))
    print(f"{PROG}: database schema is up to date (revision {revision})")
    return EXIT_OK


def _diagram() -> int:
    try:
        from flows.diagram import mermaid
    except ImportError as exc:
        print(f"{PROG}: the diagram generator is not available ({exc})", file=sys.stderr)
        return EXIT_USAGE
    text = mermaid()
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
