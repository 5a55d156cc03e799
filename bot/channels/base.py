"""The contract every channel (platform) implements, and its registry entry.

A channel *holds* its SDK object (PTB ``Application``, bolt ``AsyncApp``, the
terminal) and translates in both directions; it reaches storage and the
state machine only through the :class:`~bot.engine.Engine`. Two halves:

- :class:`ChannelSpec` — the cheap registry entry (standard library only, so
  ``--help`` stays fast): its name, its CLI subcommand and options, whether
  the settings configure it, the checks its settings must pass, its secrets,
  and the module that holds the heavy part.
- :class:`Channel` — the running adapter, built by that module's
  ``from_settings``: HTTP routes for ``serve``, start/stop, ``deliver`` for
  replies outside of an update (due reminders), and ``run`` to receive on its
  own (long polling, Socket Mode, the terminal) when it is not behind ``serve``.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aiohttp import web

    from bot.engine import Engine
    from bot.settings import Settings
    from flows.io import ConversationKey, Outgoing


class Channel(Protocol):
    """A running channel, as ``serve`` and the command line see it."""

    #: The platform name (``ConversationKey.platform``, reminders, metrics labels).
    name: str

    def routes(self) -> Sequence[web.RouteDef]:
        """The HTTP routes ``serve`` mounts for this channel (none for the terminal).

        ``serve`` asks for them before :meth:`start`, so a channel whose platform
        must be told where to post (Telegram's webhook) can do so on start.
        """
        ...

    async def start(self) -> None:
        """Connect to the platform; nothing is received before this."""
        ...

    async def stop(self) -> None:
        """Finish the work already accepted, then close every connection."""
        ...

    async def run(self) -> None:
        """Receive on its own (polling, Socket Mode, own HTTP server, stdin) until cancelled."""
        ...

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Send replies to ``key`` outside of an update (a due reminder).

        Raises when the platform did not take them, so the reminder is tried again.
        """
        ...


class ChannelFactory(Protocol):
    """What a channel module's ``CHANNEL`` class offers to the composition root."""

    def from_settings(
        self, *, settings: Settings, engine: Engine, options: argparse.Namespace | None = None
    ) -> Channel:
        """Build the channel from the settings (and its command-line options)."""
        ...


#: A channel module's ``run(settings, options)``: the channel on its own until stopped;
#: returns the exit code.
StandaloneRun = Callable[["Settings", "argparse.Namespace | None"], Coroutine[Any, Any, int]]


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A channel without options of its own."""


def _no_overrides(args: argparse.Namespace) -> dict[str, object]:
    return {}


def _always(settings: Settings) -> bool:
    return True


def _no_check(settings: Settings) -> None:
    """Nothing to check."""


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One line of the channel registry (see :data:`bot.channels.CHANNELS`).

    Args:
        name: the platform name (also the key in the registry).
        command: the CLI subcommand that runs this channel on its own.
        help: the subcommand's one-line help.
        module: the module with ``CHANNEL`` (a :class:`ChannelFactory`); imported
            only when the channel is used.
        add_arguments: adds the subcommand's options to its parser.
        overrides: settings overrides taken from those options.
        configured: whether the settings turn this channel on (its token is set).
        check: raises :class:`~bot.errors.ConfigError` when the settings cannot
            run the channel on its own.
        check_served: the same for running behind ``serve``; ``None``: ``serve``
            never mounts this channel (the terminal).
        secrets: the settings fields that hold secrets (never logged).
    """

    name: str
    command: str
    help: str
    module: str
    add_arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
    overrides: Callable[[argparse.Namespace], dict[str, object]] = _no_overrides
    configured: Callable[[Settings], bool] = _always
    check: Callable[[Settings], None] = _no_check
    check_served: Callable[[Settings], None] | None = None
    secrets: tuple[str, ...] = field(default=())

    def load(self) -> ChannelFactory:
        """Import the channel's module and return its ``CHANNEL`` class."""
        factory: ChannelFactory = importlib.import_module(self.module).CHANNEL
        return factory

    def runner(self) -> StandaloneRun:
        """Import the channel's module and return its ``run`` (the CLI subcommand)."""
        run: StandaloneRun = importlib.import_module(self.module).run
        return run
