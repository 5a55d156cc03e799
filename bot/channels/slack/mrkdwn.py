"""Slack ``mrkdwn`` text: escaping plain text, splitting it to Slack's limits, reading user text.

Slack's own rule (docs.slack.dev "Formatting text"): in any text field only
``&``, ``<`` and ``>`` need escaping, as ``&amp;``, ``&lt;`` and ``&gt;``.
Once escaped, ``<!channel>`` or ``<@U123>`` typed by a user are inert text.
"""

from __future__ import annotations

import re

#: A zero-width space: breaks a run of backticks so user text cannot close a code block.
_ZWSP = "\u200b"

_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Escape plain text for mrkdwn: ``&``, ``<`` and ``>`` become entities."""
    for raw, entity in _ESCAPES:
        text = text.replace(raw, entity)
    return text


def escape_code(text: str) -> str:
    """Escape text for the inside of a ``` code block (also breaks any ``` run)."""
    text = escape(text)
    while "```" in text:
        text = text.replace("```", f"`{_ZWSP}``")
    return text


def bold(text: str) -> str:
    """Escaped ``text`` in bold (asterisks inside are dropped so the bold cannot break)."""
    return f"*{escape(text.replace('*', ''))}*"


def split(text: str, limit: int) -> list[str]:
    """Split (already escaped) ``text`` into chunks of at most ``limit`` characters.

    Prefers paragraph boundaries, then line breaks, then spaces; a hard cut
    never falls inside an ``&amp;``-style entity.
    """
    if limit < 8:
        raise ValueError("limit too small")
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            pos = window.rfind(separator)
            if pos > limit // 4:
                cut = pos
                break
        if cut > 0:
            chunks.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip("\n ")
            continue
        tail = _ENTITY_TAIL.search(window)
        cut = tail.start() if tail is not None and tail.start() > 0 else limit
        chunks.append(rest[:cut])
        rest = rest[cut:]
    if rest or not chunks:
        chunks.append(rest)
    return [c for c in chunks if c] or [""]


def truncate(text: str, limit: int) -> str:
    """Cut plain ``text`` to ``limit`` characters, ending with … when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def from_slack(text: str) -> str:
    """Turn the ``text`` of a Slack message event back into what the user typed.

    Slack sends ``&amp; &lt; &gt;`` escaped and wraps links and mentions in
    ``<…>``: ``<https://x|label>`` → ``label``, ``<@U1>`` → ``@U1``,
    ``<!channel>`` → ``@channel``.
    """

    def _plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label
        if target.startswith(("@", "#")):
            return target
        if target.startswith("!"):
            return "@" + target[1:].split("^", 1)[0]
        return target

    text = _SLACK_LINK.sub(_plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
