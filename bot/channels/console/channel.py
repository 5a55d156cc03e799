"""The terminal chat: the coach through the shared engine, in a terminal or a pipe.

Buttons become numbered options (``[1] Label``); typing the number picks that
button, anything else is sent as text (the flow itself accepts a button's
label typed as text, in either language); ``/back`` and friends are commands.
Suggested replies are printed in a box-drawing frame under their title.
Reminders that fall due are printed while the chat waits for input. Ctrl-D or
Ctrl-C leaves; the case lives in the database and resumes on the next start.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from bot.channels.console.render import (
    PLATFORM,
    buttons_of,
    console_key,
    parse_line,
    render_outgoing,
    terminal_width,
    wrap,
)
from bot.channels.console.stdin import StdinLines
from bot.engine import EngineResult, IncomingMessage
from flows.i18n import normalise_language, t
from flows.io import Button, CommandInput, ConversationKey, Outgoing, UserInput

if TYPE_CHECKING:
    from aiohttp import web

    from bot.channels.base import ChannelFactory
    from bot.engine import Engine
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PROMPT = "> "


class ConsoleChannel:
    """One terminal conversation with the engine (a channel without HTTP routes)."""

    name = PLATFORM

    def __init__(
        self,
        *,
        engine: Engine,
        key: ConversationKey,
        language: str,
        platform_language: str | None,
        out: TextIO,
        stdin_fd: int = 0,
        chosen_language: str | None = None,
        echo: bool = False,
    ) -> None:
        """Talk to ``engine`` as ``key``; read ``stdin_fd``, print to ``out``.

        ``chosen_language`` (``--lang``) is stored as the user's choice on
        :meth:`start`. ``echo`` repeats each line read after the prompt (input
        from a pipe is not echoed by a terminal, and the transcript should
        still read well).
        """
        self._engine = engine
        self._key = key
        self._language = language
        self._platform_language = platform_language
        self._chosen = chosen_language
        self._out = out
        self._stdin_fd = stdin_fd
        self._lines: StdinLines | None = None
        self._options: list[Button] = []
        self._waiting = False
        self._echo = echo

    @classmethod
    def from_settings(
        cls, *, settings: Settings, engine: Engine, options: argparse.Namespace | None = None
    ) -> ConsoleChannel:
        """The chat of the person at this terminal (``--lang`` from ``options``)."""
        language = getattr(options, "lang", None)
        chosen = normalise_language(language) if language else None
        platform_language = chosen or _locale_language() or settings.default_language
        return cls(
            engine=engine,
            key=console_key(),
            language=chosen or normalise_language(platform_language),
            platform_language=platform_language,
            out=sys.stdout,
            chosen_language=chosen,
            echo=not _is_tty(0),
        )

    @property
    def language(self) -> str:
        """The coach's language as last reported by the engine."""
        return self._language

    def routes(self) -> Sequence[web.RouteDef]:
        """The terminal has no HTTP routes."""
        return ()

    async def start(self) -> None:
        """Settle the language, greet, and start the conversation (``/start``)."""
        if self._chosen is not None:
            await self._engine.set_language(self._key, self._chosen)
        else:
            self._language = await self._engine.language_of(
                self._key, platform_language=self._platform_language
            )
        # The AI polish's answer (issue 16) is printed when it arrives, like a new turn.
        self._engine.deliver_model_answers_with(self.name, self.show_later)
        self._lines = StdinLines(self._stdin_fd)
        welcome = wrap(t(self._language, "console-welcome"), terminal_width(self._out))
        self._out.write("\n".join(welcome) + "\n")
        await self.send(CommandInput(name="start"))

    async def run(self) -> None:
        """Read lines until end of input (or cancellation)."""
        if self._lines is None:
            raise RuntimeError("ConsoleChannel.run() before start()")
        while True:
            self.show_prompt()
            line = await self._lines.get()
            if line is None:
                return
            if self._echo:
                self._out.write(line + "\n")
            user_input = parse_line(line, options=self._options)
            if user_input is None:
                continue
            self._waiting = False
            await self.send(user_input)

    async def stop(self) -> None:
        """Stop reading and say goodbye on a fresh line."""
        if self._lines is not None:
            self._lines.close()
            self._lines = None
        self._waiting = False
        goodbye = wrap(t(self._language, "console-goodbye"), terminal_width(self._out))
        self._out.write("\n" + "\n".join(goodbye) + "\n")
        self._out.flush()

    def write(self, text: str) -> None:
        """Print a block, keeping the prompt at the bottom when waiting for input."""
        if self._waiting:
            self._out.write("\n")
        self._out.write(text + "\n")
        if self._waiting:
            self._out.write(PROMPT)
        self._out.flush()

    def show_prompt(self) -> None:
        """Print the input prompt."""
        self._out.write(PROMPT)
        self._out.flush()
        self._waiting = True

    async def send(self, user_input: UserInput) -> EngineResult | None:
        """Send one input through the engine and print what comes back."""
        self._waiting = False
        message = IncomingMessage(
            key=self._key,
            user_input=user_input,
            update_id=None,
            platform_language=self._platform_language,
        )
        try:
            result = await self._engine.handle(message)
        except Exception as error:  # the engine answers database errors itself
            _LOGGER.error("console update failed: %s", type(error).__name__)
            _LOGGER.debug("console update failed", exc_info=True)
            self.write(t(self._language, "console-error"))
            return None
        self._language = result.language
        self.show_outgoing(result.outgoing)
        return result

    def show_outgoing(self, outgoing: Sequence[Outgoing]) -> None:
        """Print replies and drafts; remember the options the next number refers to."""
        if not outgoing:
            return
        options = buttons_of(outgoing)
        if options is not None:
            self._options = options
        self.write("\n" + render_outgoing(outgoing, width=terminal_width(self._out)))

    async def show_later(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Print replies that arrive after their update (the AI polish's answer)."""
        if key == self._key:
            self.show_outgoing(outgoing)

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Print a reminder that fell due (the reminder scheduler's ``send``)."""
        if key != self._key:
            _LOGGER.warning("console reminder for another user skipped")
            return
        heading = f"⏰ {t(self._language, 'console-reminder')}"
        options = buttons_of(outgoing)
        if options is not None:
            self._options = options
        self.write(f"{heading}\n{render_outgoing(outgoing, width=terminal_width(self._out))}")


CHANNEL: ChannelFactory = ConsoleChannel  # mypy checks the class against the contract


def _is_tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _locale_language() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return value.split(".")[0]
    return None


async def run(settings: Settings, options: argparse.Namespace | None = None) -> int:
    """``rejection-coach chat``: the terminal chat until Ctrl-D/Ctrl-C; return the exit code.

    A database that cannot be opened is explained in the chat's language
    (exit code 1) instead of a traceback.
    """
    from bot.wiring import open_runtime, run_channel

    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if callable(reconfigure):  # a non-UTF-8 terminal gets "?" instead of a crash
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")
    try:
        runtime_cm = open_runtime(settings=settings)
        runtime = await runtime_cm.__aenter__()
    except Exception as exc:
        language = getattr(options, "lang", None)
        fallback = normalise_language(language or _locale_language() or settings.default_language)
        _LOGGER.error("cannot open the database: %s", type(exc).__name__)
        stream.write(t(fallback, "console-no-database", reason=type(exc).__name__) + "\n")
        stream.flush()
        return 1
    try:
        channel = ConsoleChannel.from_settings(
            settings=settings, engine=runtime.engine, options=options
        )
        await run_channel(channel, runtime=runtime)
    finally:
        await runtime_cm.__aexit__(None, None, None)
    return 0
