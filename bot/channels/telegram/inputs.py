"""Telegram updates → the engine's inputs and keys (no I/O)."""

from __future__ import annotations

from telegram import Message

from flows.io import CommandInput, ConversationKey

PLATFORM = "telegram"

#: What a non-text message holds, checked in this order (an animation is also a document).
_UNSUPPORTED_KINDS: tuple[str, ...] = (
    "photo",
    "sticker",
    "voice",
    "video_note",
    "animation",
    "video",
    "audio",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)


def conversation_key(user_id: int) -> ConversationKey:
    """The engine's key of a Telegram user (private chat id == user id)."""
    return ConversationKey(PLATFORM, "", str(user_id))


def parse_command(
    message: Message, *, bot_username: str, any_target: bool = False
) -> CommandInput | None:
    """``/name@bot args`` → ``CommandInput(name, args)``; ``None`` if meant for another bot.

    ``any_target``: the private chat with this bot, where every message is meant for it
    (``/start@other_bot`` there is answered as ``/start``).
    """
    text = message.text or ""
    entity = message.entities[0]
    command = text[1 : entity.length]
    name, _, target = command.partition("@")
    if target and not any_target and target.lower() != bot_username.lower():
        return None
    return CommandInput(name=name.lower(), args=text[entity.length :].strip())


def unsupported_kind(message: Message) -> str:
    """What a non-text message holds (``photo``, ``sticker``, … or ``other``)."""
    for kind in _UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"
