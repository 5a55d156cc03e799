"""Render the coach's neutral outputs as Telegram HTML messages with inline keyboards.

Every text from the flow is plain text: it is escaped here, so a client called
``<b>`` or ``</pre>`` can never inject markup. A :class:`~flows.io.Reply`
becomes its (bold) title and text with the buttons under the last message —
consecutive replies of one step share a message; a :class:`~flows.io.Draft`
becomes its own message with the text in ``<pre>``, so it can be copied with
one tap.

Telegram's limits are kept here: a message text is 1–4096 characters (counted
in UTF-16 code units, as Telegram counts them), so long texts are split on
paragraph boundaries, closing and reopening tags at every split so that each
message is valid HTML on its own; callback data is 1–64 bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from flows.i18n import t
from flows.io import Button, Draft, Outgoing, Reply

#: Longest message text Telegram accepts (UTF-16 code units).
MAX_TEXT_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
#: Longest callback data Telegram accepts (bytes).
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)

_PARAGRAPH = "\n\n"
_FALLBACK_TEXT = "…"


class CallbackDataError(ValueError):
    """A button's data does not fit Telegram's 1–64 byte callback data."""


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One ``sendMessage``: HTML text (already escaped) and an optional keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of plain text rendered inside ``tag`` (``None``: no tag).

    ``gap`` separates the block from the one before it in the same message.
    """

    text: str
    tag: str | None = None
    gap: str = _PARAGRAPH


def escape(text: str) -> str:
    """Escape plain text for Telegram's HTML parse mode (``&``, ``<``, ``>``)."""
    return html.escape(text, quote=False)


def text_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def render(outgoing: Sequence[Outgoing], *, limit: int = MAX_TEXT_LENGTH) -> list[TelegramMessage]:
    """Render the replies and drafts of one step as the Telegram messages to send, in order.

    Consecutive coach replies are sent as one message (one chat bubble, one
    request) up to and including the first one with buttons; a draft is always
    a message of its own, so it can be copied (or sent on) alone.
    """
    messages: list[TelegramMessage] = []
    pending: list[Reply] = []
    for item in outgoing:
        if isinstance(item, Draft):
            messages += render_replies(pending, limit=limit)
            pending = []
            messages += render_draft(item, limit=limit)
            continue
        pending.append(item)
        if item.buttons:
            messages += render_replies(pending, limit=limit)
            pending = []
    messages += render_replies(pending, limit=limit)
    return messages


def render_reply(reply: Reply, *, limit: int = MAX_TEXT_LENGTH) -> list[TelegramMessage]:
    """A coach message: bold title, text, the keyboard under the last part."""
    return render_replies([reply], limit=limit)


def render_replies(
    replies: Sequence[Reply], *, limit: int = MAX_TEXT_LENGTH
) -> list[TelegramMessage]:
    """Coach messages sent together: each (bold) title and text, the keyboard under the end.

    Only the last reply may carry buttons.
    """
    blocks: list[Block] = []
    for reply in replies:
        if reply.title:
            blocks.append(Block(reply.title, "b"))
        if reply.text:
            blocks.append(Block(reply.text))
    markup = keyboard(replies[-1].buttons) if replies else None
    chunks = split_blocks(blocks, limit=limit)
    if not chunks:
        if markup is None:
            return []
        chunks = [_FALLBACK_TEXT]
    out = [TelegramMessage(chunk) for chunk in chunks[:-1]]
    out.append(TelegramMessage(chunks[-1], markup))
    return out


def render_draft(draft: Draft, *, limit: int = MAX_TEXT_LENGTH) -> list[TelegramMessage]:
    """A copyable text: its bold title, then the text in ``<pre>``, as its own message(s)."""
    blocks = [Block(draft.title, "b"), Block(draft.text, "pre", gap="\n")]
    return [TelegramMessage(chunk) for chunk in split_blocks(blocks, limit=limit)]


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard from the flow's button rows; ``None`` when there are none.

    Raises:
        CallbackDataError: A button's data is empty or longer than 64 bytes.
    """
    built: list[list[InlineKeyboardButton]] = []
    for row in rows:
        buttons = []
        for button in row:
            check_callback_data(button.data)
            buttons.append(InlineKeyboardButton(button.label, callback_data=button.data))
        if buttons:
            built.append(buttons)
    return InlineKeyboardMarkup(built) if built else None


def check_callback_data(data: str) -> None:
    """Raise :class:`CallbackDataError` unless ``data`` is 1–64 bytes of UTF-8."""
    size = len(data.encode("utf-8"))
    if not 1 <= size <= MAX_CALLBACK_DATA:
        raise CallbackDataError(f"callback data of {size} bytes (allowed 1-{MAX_CALLBACK_DATA})")


def with_chosen(question_html: str, *, label: str, language: str) -> str | None:
    """The question's HTML with the chosen answer appended; ``None`` if it would be too long."""
    edited = question_html + _PARAGRAPH + escape(t(language, "tg-chosen", label=label))
    return edited if text_length(edited) <= MAX_TEXT_LENGTH else None


def truncate(text: str, *, limit: int) -> str:
    """Cut plain ``text`` to at most ``limit`` UTF-16 code units, ending with "…" if cut."""
    if text_length(text) <= limit:
        return text
    out = ""
    for char in text:
        if text_length(out + char) > limit - 1:
            break
        out += char
    return out.rstrip() + "…"


# --------------------------------------------------------------------------- splitting


@dataclass(slots=True)
class _Group:
    """Escaped paragraphs of one block inside one message."""

    block: int
    tag: str | None
    gap: str
    paragraphs: list[str]


def _open(tag: str | None) -> str:
    return f"<{tag}>" if tag else ""


def _close(tag: str | None) -> str:
    return f"</{tag}>" if tag else ""


def _join(groups: Sequence[_Group]) -> str:
    parts: list[str] = []
    for index, group in enumerate(groups):
        if index:
            parts.append(group.gap)
        parts.append(_open(group.tag) + _PARAGRAPH.join(group.paragraphs) + _close(group.tag))
    return "".join(parts)


def split_blocks(blocks: Sequence[Block], *, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Render blocks as HTML messages of at most ``limit`` UTF-16 units each.

    A text that fits stays one message, exactly as written. Otherwise it is split
    between paragraphs (then lines, then words, then characters for a single
    overlong paragraph); a tag open at a split is closed and opened again, so
    every message is valid HTML on its own. Empty blocks are left out.
    """
    messages: list[str] = []
    current: list[_Group] = []
    for index, block in enumerate(blocks):
        if not block.text.strip():
            continue
        budget = limit - text_length(_open(block.tag) + _close(block.tag))
        if budget < 1:
            raise ValueError("limit too small for the block's tags")
        for paragraph in block.text.split(_PARAGRAPH):
            for piece in _fit(paragraph, budget=budget):
                escaped = escape(piece)
                candidate = (
                    [*current[:-1], _extend(current[-1], escaped)]
                    if (current and current[-1].block == index)
                    else [*current, _Group(index, block.tag, block.gap, [escaped])]
                )
                if text_length(_join(candidate)) <= limit:
                    current = candidate
                    continue
                if current:
                    messages.append(_join(current))
                current = [_Group(index, block.tag, block.gap, [escaped])]
    if current:
        messages.append(_join(current))
    return [message for message in messages if message.strip()]


def _extend(group: _Group, escaped: str) -> _Group:
    return _Group(group.block, group.tag, group.gap, [*group.paragraphs, escaped])


_SEPARATORS = ("\n", " ")


def _fit(text: str, *, budget: int) -> list[str]:
    """Split plain ``text`` into pieces whose escaped length is at most ``budget``."""
    if text_length(escape(text)) <= budget:
        return [text]
    for separator in _SEPARATORS:
        if separator not in text:
            continue
        pieces: list[str] = []
        current = ""
        for part in re.split(f"({re.escape(separator)})", text):
            candidate = current + part
            if text_length(escape(candidate)) <= budget:
                current = candidate
                continue
            if current.strip():
                pieces.append(current)
            current = "" if part == separator else part
        if current.strip():
            pieces.append(current)
        return [piece for chunk in pieces for piece in _fit(chunk, budget=budget)]
    pieces = []
    current = ""
    for char in text:
        if text_length(escape(current + char)) > budget:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces
