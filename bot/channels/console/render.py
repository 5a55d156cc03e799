"""How the terminal shows the coach: numbered options, framed drafts; how a line is read."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import TextIO

from flows import callback
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

PLATFORM = "console"
#: The character of the rule lines above and below a draft.
DRAFT_RULE = "─"
#: A number the label itself starts with ("1. The client leaves me the deposit"):
#: the terminal numbers its options already.
_LABEL_NUMBER = re.compile(r"^(★\s*)?\d+\.\s+")
#: Frame width bounds (characters, frame included).
_MIN_WIDTH = 40
_MAX_WIDTH = 100


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


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width``, keeping blank lines and each paragraph's indent."""
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


def option_label(label: str) -> str:
    """A button's label as a numbered option: without a number of its own ("1. …")."""
    return _LABEL_NUMBER.sub(lambda match: match.group(1) or "", label)


def render_reply(reply: Reply, *, first_number: int, width: int) -> str:
    """A coach message: title, text, then its buttons as ``[n] Label`` lines."""
    parts: list[str] = []
    if reply.title:
        parts.append(reply.title)
        parts.append("─" * min(len(reply.title), width))
    parts.extend(wrap(reply.text, width))
    number = first_number
    for row in reply.buttons:
        for button in row:
            parts.append(f"  [{number}] {option_label(button.label)}")
            number += 1
    return "\n".join(parts)


def render_draft(draft: Draft, *, width: int) -> str:
    """Copyable text between two rule lines, exactly as it is: no side borders, no wrapping.

    Selecting the lines between the rules with the mouse gives the letter itself.
    """
    title = draft.title
    top = f"── {title} " + "─" * max(width - len(title) - 4, 3)
    return "\n".join([top, draft.text, DRAFT_RULE * width])


def buttons_of(outgoing: Sequence[Outgoing]) -> list[Button] | None:
    """The buttons the next number refers to, or ``None`` if the output has no question.

    Every button of the output, in the order :func:`render_outgoing` numbers them
    (``/cases`` shows its "Reopen" options above the question it repeats); output
    with replies but no buttons at all clears the options (a free-text question).
    """
    found: list[Button] = []
    saw_reply = False
    for item in outgoing:
        if isinstance(item, Reply):
            saw_reply = True
            found += [button for row in item.buttons for button in row]
    if found:
        return found
    return [] if saw_reply else None


def render_outgoing(outgoing: Sequence[Outgoing], *, width: int) -> str:
    """Render everything one update produced, its options numbered on from 1 across it.

    One number names one option on screen: the "Reopen" options of ``/cases`` are
    [1], [2] … and the question repeated under them goes on from there
    (see :func:`buttons_of`).
    """
    blocks: list[str] = []
    number = 1
    for item in outgoing:
        if isinstance(item, Draft):
            blocks.append(render_draft(item, width=width))
        else:
            blocks.append(render_reply(item, first_number=number, width=width))
            number += sum(len(row) for row in item.buttons)
    return "\n\n".join(blocks)


def case_ref_of(reply: Reply) -> str | None:
    """The case reference the buttons of ``reply`` carry (``None`` without buttons)."""
    for row in reply.buttons:
        for button in row:
            pressed = callback.decode(button.data)
            if pressed is not None:
                return pressed.case_ref
    return None


def parse_line(line: str, *, options: Sequence[Button]) -> UserInput | None:
    """Turn one typed line into a user input (``None`` for an empty line; spaces are text).

    ``/name args`` is a command; a number of a shown option picks that button;
    anything else is text (the flow accepts a label typed as text).
    """
    text = line.strip()
    if not line.strip("\r\n"):
        return None  # just Enter
    if not text:
        return TextInput(text=line.strip("\r\n"))  # spaces only: the flow says it caught nothing
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return CommandInput(name=name.lower(), args=args.strip())
    if text.isdigit() and options:
        index = int(text)
        if 1 <= index <= len(options):
            return ChoiceInput(data=options[index - 1].data)
    return TextInput(text=line.rstrip("\r\n"))
