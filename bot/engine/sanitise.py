"""Poison-input hygiene at the engine's entry: every platform's input passes here once.

Pure and deterministic (no I/O). PostgreSQL refuses U+0000 in ``text`` and JSONB and
any lone surrogate (U+D800–U+DFFF) in UTF-8; SQLite's driver cannot encode a lone
surrogate either. Other C0 controls are invisible in every client and only confuse
renderers. So the text, the button data, the command, the ids and the language code
of every :class:`~bot.engine.IncomingMessage` are cleaned before anything else sees them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.engine.results import IncomingMessage
from flows.io import ChoiceInput, CommandInput, ConversationKey, TextInput, UserInput

#: C0 controls except tab (U+0009) and newline (U+000A), and DEL; a lone CR becomes a newline.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Surrogate code points: in a Python ``str`` they can only be lone (never a valid pair).
_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(value: str) -> str:
    """Drop NUL and other C0 controls (keep newline and tab), lone surrogates → U+FFFD."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROLS.sub("", value)
    return _SURROGATES.sub(REPLACEMENT, value)


def clean_optional(value: str | None) -> str | None:
    """:func:`clean_text` of ``value``, ``None`` kept."""
    return None if value is None else clean_text(value)


def clean_input(user_input: UserInput) -> UserInput:
    """The same input with every free-text field cleaned."""
    if isinstance(user_input, TextInput):
        return TextInput(clean_text(user_input.text))
    if isinstance(user_input, ChoiceInput):
        return ChoiceInput(clean_text(user_input.data))
    if isinstance(user_input, CommandInput):
        return CommandInput(name=clean_text(user_input.name), args=clean_text(user_input.args))
    return user_input


def clean_message(message: IncomingMessage) -> IncomingMessage:
    """``message`` with its input, conversation key, update id and language code cleaned."""
    key = message.key
    return replace(
        message,
        key=ConversationKey(
            clean_text(key.platform), clean_text(key.workspace), clean_text(key.user_id)
        ),
        user_input=clean_input(message.user_input),
        update_id=clean_optional(message.update_id),
        platform_language=clean_optional(message.platform_language),
    )
