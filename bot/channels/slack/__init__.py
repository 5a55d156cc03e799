"""The coach on Slack (bolt ``AsyncApp``): ``rejection-coach slack``.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed); otherwise
HTTP mode on ``--port``/``PORT``, with events, interactivity and ``/coach`` all
at ``POST /slack/events`` (also behind ``serve``), every request's signature
checked by bolt. The channel itself is :mod:`bot.channels.slack.channel`; this
module is its registry entry and imports no platform library.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.channels.base import ChannelSpec
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["EVENTS_PATH", "SPEC", "SlackConfigError"]

#: Where Slack sends events, interactions and the slash command in HTTP mode.
EVENTS_PATH = "/slack/events"


class SlackConfigError(ConfigError):
    """The Slack settings cannot work (missing token, neither Socket Mode nor signing secret)."""


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", metavar="HOST", help="HTTP mode listen address (HOST)")
    parser.add_argument("--port", metavar="PORT", type=int, help="HTTP mode port (PORT)")


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {"host": args.host, "port": args.port}


def _configured(settings: Settings) -> bool:
    return settings.slack_bot_token is not None


def _check(settings: Settings) -> None:
    if settings.slack_bot_token is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set (see .env.example)")
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        raise SlackConfigError(
            "set SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET for HTTP mode"
        )


def _check_served(settings: Settings) -> None:
    if settings.slack_signing_secret is None:
        raise SlackConfigError("the Slack endpoint needs SLACK_SIGNING_SECRET (see .env.example)")


SPEC = ChannelSpec(
    name="slack",
    command="slack",
    help="run the Slack app (SLACK_BOT_TOKEN; Socket Mode with SLACK_APP_TOKEN, else HTTP)",
    module="bot.channels.slack.channel",
    add_arguments=_add_arguments,
    overrides=_overrides,
    configured=_configured,
    check=_check,
    check_served=_check_served,
    secrets=("slack_bot_token", "slack_app_token", "slack_signing_secret"),
)
