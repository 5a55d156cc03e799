"""The terminal chat: the coach through the shared engine, in a terminal or a pipe.

Buttons become numbered options (``[1] Label``); typing the number picks that
button, anything else is sent as text (the flow itself accepts a button's
label typed as text, in either language); ``/back`` and friends are commands.
Drafts are printed between two rule lines exactly as they are (no side
borders, no wrapping), so selecting them gives the letter; ``/copy`` writes the
latest one to a file under the user's data directory (and to the clipboard
when pyperclip and a clipboard are there). Reminders that fall due are printed
while the chat waits for input, with the terminal bell. Ctrl-D or Ctrl-C
leaves; the case lives in the database and resumes on the next start.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import platformdirs

from bot.channels.console.render import (
    PLATFORM,
    buttons_of,
    case_ref_of,
    console_key,
    parse_line,
    render_outgoing,
    render_reply,
    terminal_width,
    wrap,
)
from bot.channels.console.stdin import StdinLines
from bot.engine import EngineResult, IncomingMessage
from bot.engine.delivery import MODEL, REMINDER, Delivery, send_parts
from flows.i18n import normalise_language, t
from flows.io import Button, CommandInput, ConversationKey, Draft, Outgoing, Reply, UserInput

if TYPE_CHECKING:
    from aiohttp import web

    from bot.channels.base import ChannelFactory
    from bot.engine import Engine
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PROMPT = "> "
#: The terminal bell, rung when a reminder arrives.
BELL = "\a"
#: The console's own command: the latest draft to a file (and the clipboard).
COPY_COMMAND = "/copy"


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
        #: The latest message with options (shown again after /copy and under a reminder).
        self._question: Reply | None = None
        #: True until the first line is read: the start's question is on screen.
        self._at_start = False
        #: The user erased their data (/delete): the goodbye says nothing is stored.
        self._erased = False
        #: AI answers that arrived while a turn was printed (shown after its prompt).
        self._later: list[list[Outgoing]] = []
        #: True while /start is answered; reminders that fall due meanwhile wait in _early.
        self._starting = False
        self._early: list[list[Outgoing]] = []
        #: Where /copy writes (default: the user's data directory).
        self.copy_dir: Path | None = None

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
        # Replies go through the outbox too: what was composed but not yet printed when
        # the last session ended (Ctrl-C) is printed first. This terminal is the only
        # reader of its own rows, so a lease the last session left is void.
        self._engine.deliver_queued_with(self.name, self.deliver_queued)
        await self._engine.outbox.release(self._key)
        self._lines = StdinLines(self._stdin_fd)
        welcome = wrap(t(self._language, "console-welcome"), terminal_width(self._out))
        self._out.write("\n".join(welcome) + "\n")
        # A reminder may fall due while /start is answered (the delivery loop runs
        # beside it): it waits for the start's question and is shown with it.
        self._at_start = self._starting = True
        try:
            await self.send(CommandInput(name="start"))
        finally:
            self._starting = False
        early, self._early = self._early, []
        for outgoing in early:
            await self.deliver(self._key, outgoing)

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
            if line.strip().casefold() == COPY_COMMAND:
                await self.copy_latest_draft()
                continue
            user_input = parse_line(line, options=self._options)
            if user_input is None:
                continue
            self._waiting = False
            self._at_start = False
            await self.send(user_input)

    async def stop(self) -> None:
        """Stop reading and say goodbye on a fresh line."""
        if self._lines is not None:
            self._lines.close()
            self._lines = None
        self._waiting = False
        key = "console-goodbye-erased" if self._erased else "console-goodbye"
        goodbye = wrap(t(self._language, key), terminal_width(self._out))
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
        """Print the input prompt (then any AI answer that arrived during the last turn)."""
        self._out.write(PROMPT)
        self._out.flush()
        self._waiting = True
        later, self._later = self._later, []
        for outgoing in later:
            self.show_outgoing(outgoing)

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
        if result.case_known:
            self._erased = result.erased
        if result.queued:
            await self._engine.deliver_pending(self._key, up_to=result.outbox_id)
        else:
            self.show_outgoing(result.outgoing)
        return result

    async def deliver_queued(self, delivery: Delivery) -> None:
        """Print one outbox row (a step's replies, a reminder, an AI answer) in one go."""

        async def show(outgoing: list[Outgoing]) -> None:
            if delivery.origin == REMINDER:
                await self.deliver(delivery.key, outgoing)
            elif delivery.origin == MODEL and not self._waiting:
                # An AI answer that is ready while the step's own turn is still being
                # printed: shown as a turn of its own, right after the prompt.
                if delivery.key == self._key:
                    self._later.append(outgoing)
            elif delivery.origin == MODEL:
                await self.show_later(delivery.key, outgoing)
            elif delivery.key == self._key:
                self.show_outgoing(outgoing)

        await send_parts(delivery, [delivery.outgoing], show)

    def show_outgoing(self, outgoing: Sequence[Outgoing]) -> None:
        """Print replies and drafts; remember the options the next number refers to."""
        if not outgoing:
            return
        options = buttons_of(outgoing)
        if options is not None:
            self._options = options
            asked = [o for o in outgoing if isinstance(o, Reply) and o.buttons]
            self._question = asked[-1] if asked else None
        width = terminal_width(self._out)
        hint = "\n".join(wrap(t(self._language, "console-copy-hint"), width))
        blocks = []
        number = 1  # the options are numbered on across the messages, as buttons_of reads them
        for item in outgoing:  # the /copy hint right under each draft
            if isinstance(item, Draft):
                blocks += [render_outgoing([item], width=width), hint]
                continue
            blocks.append(render_reply(item, first_number=number, width=width))
            number += sum(len(row) for row in item.buttons)
        self.write("\n" + "\n\n".join(blocks))

    async def show_later(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Print replies that arrive after their update (the AI polish's answer)."""
        if key == self._key:
            self.show_outgoing(outgoing)

    async def deliver(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Print a reminder that fell due (the reminder scheduler's ``send``), with the bell.

        While the start's question ("Continue / New case") waits for its answer,
        only the reminder's note is shown and that question is asked again: one
        question on screen at a time.
        """
        if key != self._key:
            _LOGGER.warning("console reminder for another user skipped")
            return
        if self._starting:
            self._early.append(outgoing)  # the start's question is not on screen yet
            return
        heading = f"{BELL}⏰ {t(self._language, 'console-reminder')}"
        width = terminal_width(self._out)
        if self._at_start and self._question is not None:
            # The question on screen stays the last one; a reminder about another
            # (closed) case keeps its own buttons above it, numbered on.
            current = case_ref_of(self._question)
            kept = [
                o
                for o in outgoing
                if isinstance(o, Reply) and (not o.buttons or case_ref_of(o) != current)
            ]
            outgoing = [*kept, self._question]
        options = buttons_of(outgoing)
        if options is not None:
            self._options = options
            asked = [o for o in outgoing if isinstance(o, Reply) and o.buttons]
            self._question = asked[-1] if asked else None
        self.write(f"{heading}\n{render_outgoing(outgoing, width=width)}")

    async def copy_latest_draft(self) -> Path | None:
        """``/copy``: write the latest draft to a file (and the clipboard), print where."""
        self._waiting = False  # the loop shows the prompt again
        drafts = await self._engine.latest_drafts(self._key, limit=1)
        if not drafts:
            self.write("\n" + self._with_question(t(self._language, "console-copy-none")))
            return None
        draft = drafts[0]
        folder = self.copy_dir or Path(platformdirs.user_data_dir("rejection-coach")) / "drafts"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{draft.kind.value.replace('_', '-')}.txt"
            path.write_text(draft.text + "\n", encoding="utf-8")
        except OSError as error:
            _LOGGER.warning("writing a draft to a file failed: %s", type(error).__name__)
            self.write("\n" + self._with_question(t(self._language, "console-copy-failed")))
            return None
        said = t(self._language, "console-copied", path=str(path))
        if _to_clipboard(draft.text):
            said += "\n" + t(self._language, "console-copied-clipboard")
        self.write("\n" + self._with_question(said))
        return path

    def _with_question(self, text: str) -> str:
        """``text``, then the question on screen again (if there is one)."""
        if self._question is None:
            return text
        # Shown alone, the question numbers its options from 1 again: so do the numbers.
        self._options = [button for row in self._question.buttons for button in row]
        return text + "\n\n" + render_outgoing([self._question], width=terminal_width(self._out))


def _to_clipboard(text: str) -> bool:
    """Put ``text`` on the system clipboard when pyperclip (optional) and a clipboard exist."""
    try:
        import pyperclip  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    try:
        pyperclip.copy(text)
    except Exception as error:  # pyperclip.PyperclipException: no clipboard on this machine
        _LOGGER.info("no system clipboard: %s", type(error).__name__)
        return False
    return True


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
