"""The ``rejection-coach`` command line.

``rejection-coach [chat | telegram | slack | serve | db upgrade | diagram]``.
With no command it picks what is configured: Telegram when
``TELEGRAM_BOT_TOKEN`` is set, else Slack when ``SLACK_BOT_TOKEN`` is set,
else the terminal chat on the embedded SQLite database.

``--help`` must stay fast: this module imports only the standard library at
the top; settings, storage and the platform libraries are imported inside the
command that needs them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PROG = "rejection-coach"

#: Exit codes.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A problem the operator can fix (missing token, missing module …)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "A coach for freelancers whose client rejected delivered work "
            "(Telegram, Slack or this terminal; Bulgarian and English). With no "
            "command: Telegram if TELEGRAM_BOT_TOKEN is set, else Slack if "
            "SLACK_BOT_TOKEN is set, else the terminal chat."
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

    chat = commands.add_parser("chat", help="talk to the coach in this terminal")
    chat.add_argument(
        "--lang",
        choices=("bg", "en"),
        help="the coach's language (default: your last choice, else your locale)",
    )

    telegram = commands.add_parser("telegram", help="run the Telegram bot (TELEGRAM_BOT_TOKEN)")
    telegram.add_argument(
        "--webhook-url",
        metavar="URL",
        help="public HTTPS URL for webhook mode (default: TELEGRAM_WEBHOOK_URL; unset → polling)",
    )
    telegram.add_argument(
        "--listen-host", metavar="HOST", help="webhook listen address (TELEGRAM_LISTEN_HOST)"
    )
    telegram.add_argument(
        "--listen-port", metavar="PORT", type=int, help="webhook listen port (TELEGRAM_LISTEN_PORT)"
    )

    slack = commands.add_parser(
        "slack",
        help="run the Slack app (SLACK_BOT_TOKEN; Socket Mode with SLACK_APP_TOKEN, else HTTP)",
    )
    slack.add_argument("--host", metavar="HOST", help="HTTP mode listen address (HOST)")
    slack.add_argument("--port", metavar="PORT", type=int, help="HTTP mode port (PORT)")

    serve = commands.add_parser(
        "serve",
        help="one HTTP server: Telegram webhook, Slack events, /healthz, /metrics",
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
    configure_logging(level=level, secrets=settings.secrets())
    _LOGGER.debug("command %s", command)

    handlers: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
        "chat": _chat,
        "telegram": _telegram,
        "slack": _slack,
        "serve": _serve,
        "db": _db,
    }
    try:
        return handlers[command](settings, args)
    except CommandError as exc:
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
        return EXIT_USAGE if type(exc).__name__.endswith("ConfigError") else EXIT_FAILURE


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
    if args.command == "telegram":
        overrides |= {
            "telegram_webhook_url": args.webhook_url,
            "telegram_listen_host": args.listen_host,
            "telegram_listen_port": args.listen_port,
        }
    elif args.command in ("slack", "serve"):
        overrides |= {"host": args.host, "port": args.port}
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CommandError(f"invalid settings: {problems}") from None


def _default_command(settings: Settings) -> str:
    if settings.telegram_bot_token is not None:
        return "telegram"
    if settings.slack_bot_token is not None:
        return "slack"
    return "chat"


def _await_if_needed(result: Any) -> Any:
    import asyncio
    import inspect

    if inspect.isawaitable(result):
        return asyncio.run(_as_coroutine(result))
    return result


async def _as_coroutine(awaitable: Any) -> Any:
    return await awaitable


def _adapter_run(module_name: str, what: str) -> Callable[..., Any]:
    """Import ``module_name`` lazily and return its ``run``; explain clearly if absent."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise CommandError(f"the {what} is not available in this installation ({exc})") from None
    run = getattr(module, "run", None)
    if not callable(run):
        raise CommandError(f"the {what} is not available in this installation ({module_name}.run)")
    return run


def _call_run(run: Callable[..., Any], settings: Settings) -> int:
    result = _await_if_needed(run(settings=settings))
    return result if isinstance(result, int) else EXIT_OK


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.channels.console import run_console

    return asyncio.run(run_console(settings=settings, language=getattr(args, "lang", None)))


def _telegram(settings: Settings, args: argparse.Namespace) -> int:
    if settings.telegram_bot_token is None:
        raise CommandError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    if settings.telegram_webhook_url and settings.telegram_webhook_secret is None:
        raise CommandError("webhook mode needs TELEGRAM_WEBHOOK_SECRET (see .env.example)")
    return _call_run(_adapter_run("bot.channels.telegram", "Telegram adapter"), settings)


def _slack(settings: Settings, args: argparse.Namespace) -> int:
    if settings.slack_bot_token is None:
        raise CommandError("SLACK_BOT_TOKEN is not set (see .env.example)")
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        raise CommandError(
            "set SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET for HTTP mode"
        )
    return _call_run(_adapter_run("bot.channels.slack", "Slack adapter"), settings)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    return _call_run(_adapter_run("bot.serve", "webhook server"), settings)


def _db(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

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
