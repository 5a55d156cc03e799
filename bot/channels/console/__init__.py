"""The coach in this terminal: ``rejection-coach chat`` (the default without tokens).

The channel itself is :mod:`bot.channels.console.channel` (rendering in
:mod:`~bot.channels.console.render`, input in :mod:`~bot.channels.console.stdin`);
this module is its registry entry and imports nothing heavy.
"""

from __future__ import annotations

import argparse

from bot.channels.base import ChannelSpec

__all__ = ["SPEC"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("bg", "en"),
        help="the coach's language (default: your last choice, else your locale)",
    )


SPEC = ChannelSpec(
    name="console",
    command="chat",
    help="talk to the coach in this terminal",
    module="bot.channels.console.channel",
    add_arguments=_add_arguments,
)
