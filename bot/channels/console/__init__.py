"""The terminal chat: the coach through the shared engine, in a terminal or a pipe.

Buttons become numbered options (``[1] Label``); typing the number picks that
button, anything else is sent as text (the flow itself accepts a button's
label typed as text, in either language); ``/back`` and friends are commands.
Suggested replies are printed in a box-drawing frame under their title.
Reminders that fall due are printed while the chat waits for input. Ctrl-D or
Ctrl-C leaves; the case lives in the database and resumes on the next start.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import getpass
import logging
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from bot.engine import EngineResult, IncomingMessage
from bot.signals import stop_on_signals
from flows.i18n import normalise_language, t
from flows.io import (
    Button,
    ChoiceInput,
    CommandInput,
    ConversationKey,
    Draft,
    Outgoing,
    Reply,
    TextInput,
    UserInput,
)

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

PLATFORM = "console"
PROMPT = "> "
#: Frame width bounds (characters, frame included).
_MIN_WIDTH = 40
_MAX_WIDTH = 100


# --------------------------------------------------------------------------- rendering


def console_key() -> ConversationKey:
    """The conversation key of the person at this terminal (their OS user name)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return ConversationKey(platform=PLATFORM, workspace="", user_id=user)


def terminal_width(stream: TextIO) -> int:
    """Width to render for: the terminal's, bounded to a readable range."""
    columns = 80
    with contextlib.suppress(AttributeError, ValueError, OSError):
        if stream.isatty():
            columns = os.get_terminal_size(stream.fileno()).columns
        else:
            columns = shutil.get_terminal_size((80, 24)).columns
    return max(_MIN_WIDTH, min(_MAX_WIDTH, columns))


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        if not paragraph.strip():
            lines.append("")
            continue
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=width,
                subsequent_indent=indent,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
    return lines


def render_reply(reply: Reply, *, first_number: int, width: int) -> str:
    """A coach message: title, text, then its buttons as ``[n] Label`` lines."""
    parts: list[str] = []
    if reply.title:
        parts.append(reply.title)
        parts.append("─" * min(len(reply.title), width))
    parts.extend(_wrap(reply.text, width))
    number = first_number
    for row in reply.buttons:
        for button in row:
            parts.append(f"  [{number}] {button.label}")
            number += 1
    return "\n".join(parts)


def render_draft(draft: Draft, *, width: int) -> str:
    """Copyable text inside a box-drawing frame with the title in the top edge."""
    lines = _wrap(draft.text, max(width - 4, 20))
    title = draft.title
    inner = max(max((len(line) for line in lines), default=0), len(title) + 3)
    top = f"┌─ {title} " + "─" * max(inner - len(title) - 1, 1) + "┐"
    body = [f"│ {line.ljust(inner)} │" for line in lines]
    bottom = "└" + "─" * (inner + 2) + "┘"
    return "\n".join([top, *body, bottom])


def buttons_of(outgoing: Sequence[Outgoing]) -> list[Button] | None:
    """The buttons the next number refers to, or ``None`` if the output has no question.

    The options of the last message that has buttons win; output with replies
    but no buttons at all clears the options (a free-text question).
    """
    found: list[Button] | None = None
    saw_reply = False
    for item in outgoing:
        if isinstance(item, Reply):
            saw_reply = True
            if item.buttons:
                found = [button for row in item.buttons for button in row]
    if found is not None:
        return found
    return [] if saw_reply else None


def render_outgoing(outgoing: Sequence[Outgoing], *, width: int) -> str:
    """Render everything one update produced; numbers run across the messages."""
    blocks: list[str] = []
    # A number picks from the LAST message with buttons (see buttons_of); an earlier
    # keyboard in the same batch (rare) is still shown and can be picked by its label.
    for item in outgoing:
        if isinstance(item, Draft):
            blocks.append(render_draft(item, width=width))
        else:
            blocks.append(render_reply(item, first_number=1, width=width))
    return "\n\n".join(blocks)


def parse_line(line: str, *, options: Sequence[Button]) -> UserInput | None:
    """Turn one typed line into a user input (``None`` for an empty line).

    ``/name args`` is a command; a number of a shown option picks that button;
    anything else is text (the flow accepts a label typed as text).
    """
    text = line.strip()
    if not text:
        return None
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return CommandInput(name=name.lower(), args=args.strip())
    if text.isdigit() and options:
        index = int(text)
        if 1 <= index <= len(options):
            return ChoiceInput(data=options[index - 1].data)
    return TextInput(text=line.rstrip("\r\n"))


# --------------------------------------------------------------------------- input


class StdinLines:
    """Lines from a file descriptor without blocking the event loop.

    Uses ``loop.add_reader`` (terminals and pipes); falls back to a reader
    thread for descriptors epoll cannot watch (a regular file). Reads raw bytes
    with ``os.read`` — never ``sys.stdin`` — and decodes UTF-8 incrementally.
    ``None`` from :meth:`get` means end of input.
    """

    def __init__(self, fd: int) -> None:
        """Watch ``fd`` (usually 0)."""
        self._fd = fd
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._loop = asyncio.get_running_loop()
        self._watching = False
        self._eof = False
        try:
            self._loop.add_reader(fd, self._on_readable)
            self._watching = True
        except (PermissionError, ValueError, OSError):
            thread = threading.Thread(target=self._thread_main, name="console-stdin", daemon=True)
            thread.start()

    async def get(self) -> str | None:
        """The next line without its newline, or ``None`` at end of input."""
        return await self._queue.get()

    def close(self) -> None:
        """Stop watching the descriptor."""
        if self._watching:
            self._loop.remove_reader(self._fd)
            self._watching = False

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        self._feed(chunk)

    def _thread_main(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            self._loop.call_soon_threadsafe(self._feed, chunk)
            if not chunk:
                return

    def _feed(self, chunk: bytes) -> None:
        if self._eof:
            return
        if not chunk:
            self._pending += self._decoder.decode(b"", final=True)
            if self._pending:
                self._queue.put_nowait(self._pending)
                self._pending = ""
            self._eof = True
            self.close()
            self._queue.put_nowait(None)
            return
        self._pending += self._decoder.decode(chunk)
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            self._queue.put_nowait(line.rstrip("\r"))


# --------------------------------------------------------------------------- the chat


class Console:
    """One terminal conversation with the engine."""

    def __init__(
        self,
        *,
        engine: Engine,
        key: ConversationKey,
        language: str,
        platform_language: str | None,
        out: TextIO,
        echo: bool = False,
    ) -> None:
        """Talk to ``engine`` as ``key``; print to ``out``.

        ``echo`` repeats each line read after the prompt (input from a pipe is
        not echoed by a terminal, and the transcript should still read well).
        """
        self._engine = engine
        self._key = key
        self._language = language
        self._platform_language = platform_language
        self._out = out
        self._options: list[Button] = []
        self._waiting = False
        self._echo = echo

    @property
    def language(self) -> str:
        """The coach's language as last reported by the engine."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        self._language = value

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

    async def deliver_reminder(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        """Print a reminder that fell due (the reminder scheduler's ``send``)."""
        if key != self._key:
            _LOGGER.warning("console reminder for another user skipped")
            return
        heading = f"⏰ {t(self._language, 'console-reminder')}"
        options = buttons_of(outgoing)
        if options is not None:
            self._options = options
        self.write(f"{heading}\n{render_outgoing(outgoing, width=terminal_width(self._out))}")

    async def run(self, lines: StdinLines, stop: asyncio.Event) -> None:
        """Greet, then read lines until end of input or ``stop``."""
        welcome = _wrap(t(self._language, "console-welcome"), terminal_width(self._out))
        self._out.write("\n".join(welcome) + "\n")
        await self.send(CommandInput(name="start"))
        while True:
            self.show_prompt()
            line_task = asyncio.ensure_future(lines.get())
            stop_task = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait(
                {line_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
            )
            if stop_task not in done:
                stop_task.cancel()
            if line_task not in done:
                line_task.cancel()
                return
            line = line_task.result()
            if line is None:
                return
            if self._echo:
                self._out.write(line + "\n")
            user_input = parse_line(line, options=self._options)
            if user_input is None:
                continue
            self._waiting = False
            await self.send(user_input)

    def goodbye(self) -> None:
        """The localised goodbye, on a fresh line."""
        self._waiting = False
        goodbye = _wrap(t(self._language, "console-goodbye"), terminal_width(self._out))
        self._out.write("\n" + "\n".join(goodbye) + "\n")
        self._out.flush()


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


async def run_console(
    *,
    settings: Settings,
    language: str | None = None,
    stdin_fd: int = 0,
    out: TextIO | None = None,
) -> int:
    """Run the terminal chat until Ctrl-D/Ctrl-C; return the exit code.

    Args:
        settings: where the database is, the default language.
        language: ``--lang``; switches the coach's language for this user.
        stdin_fd: the descriptor to read lines from.
        out: where to print (default ``sys.stdout``).
    """
    from bot.wiring import open_runtime

    stream = out or sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if callable(reconfigure):  # a non-UTF-8 terminal gets "?" instead of a crash
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")
    key = console_key()
    chosen = normalise_language(language) if language else None
    platform_language = chosen or _locale_language() or settings.default_language
    fallback = chosen or normalise_language(platform_language)
    try:
        runtime_cm = open_runtime(settings=settings)
        runtime = await runtime_cm.__aenter__()
    except Exception as exc:
        _LOGGER.error("cannot open the database: %s", type(exc).__name__)
        stream.write(t(fallback, "console-no-database", reason=type(exc).__name__) + "\n")
        stream.flush()
        return 1
    try:
        console = Console(
            engine=runtime.engine,
            key=key,
            language=fallback,
            platform_language=platform_language,
            out=stream,
            echo=not _is_tty(stdin_fd),
        )
        if chosen is not None:
            await runtime.set_language(key=key, language=chosen)
        else:
            console.language = await runtime.stored_language(key=key) or fallback
        stop = asyncio.Event()
        lines = StdinLines(stdin_fd)
        with stop_on_signals(stop):
            async with runtime.reminders(platform=PLATFORM, send=console.deliver_reminder):
                try:
                    await console.run(lines, stop)
                finally:
                    lines.close()
        console.goodbye()
    finally:
        await runtime_cm.__aexit__(None, None, None)
    return 0
