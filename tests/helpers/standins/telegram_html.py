"""Telegram HTML as the Bot API parses it: only Telegram's tags, every ``<``, ``>`` and
``&`` outside a tag escaped, every tag closed; text and entity offsets in UTF-16 units."""

from __future__ import annotations

import html
import re
from typing import Any

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:=\"([^\"]*)\"|='([^']*)')?")
_CHAR_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Telegram would refuse this HTML ("can't parse entities")."""


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(text, entities)`` the way the Bot API does.

    Raises:
        HtmlError: an unsupported or unclosed tag, or a bare ``<``, ``>`` or ``&``.
    """
    text: list[str] = []
    length = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG.match(source, index)
            if match is None:
                raise HtmlError(f"Unexpected '<' at byte offset {index}")
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _ENTITY_OF_TAG:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {index}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise HtmlError(f'Unmatched end tag "</{name}>" at byte offset {index}')
                _, start, attributes = stack.pop()
                if length > start:
                    entity: dict[str, Any] = {
                        "type": _ENTITY_OF_TAG[name],
                        "offset": start,
                        "length": length - start,
                    }
                    if name == "a":
                        entity["url"] = attributes.get("href", "")
                    entities.append(entity)
            else:
                attributes = {
                    m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "")
                    for m in _ATTRIBUTE.finditer(raw_attributes)
                }
                stack.append((name, length, attributes))
            index = match.end()
            continue
        if char == "&":
            match = _CHAR_REFERENCE.match(source, index)
            if match is None:
                raise HtmlError(f"Character '&' is reserved (byte offset {index})")
            if match.group(1):
                decoded = _NAMED[match.group(1)]
            else:
                decoded = chr(int(match.group(2)) if match.group(2) else int(match.group(3), 16))
            text.append(decoded)
            length += utf16_length(decoded)
            index = match.end()
            continue
        if char == ">":
            raise HtmlError(f"Character '>' is reserved (byte offset {index})")
        text.append(char)
        length += utf16_length(char)
        index += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities
