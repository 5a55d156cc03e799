"""Block Kit rendering of the coach's neutral outputs (pure: no I/O).

Every :class:`~flows.io.Reply` becomes mrkdwn sections (title in bold, text
escaped) and one ``actions`` block per row of buttons; every
:class:`~flows.io.Draft` becomes its own message with the text in a ``` code
block. Everything is kept within Slack's limits, and every message carries a
plain-text ``text`` fallback for notifications and screen readers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.slack import mrkdwn
from flows.i18n import t
from flows.io import Draft, Outgoing, Reply

#: Slack's limits (docs.slack.dev Block Kit reference).
SECTION_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
VALUE_LIMIT = 2000
MESSAGE_BLOCK_LIMIT = 50
ACTIONS_ELEMENT_LIMIT = 25
HEADER_TEXT_LIMIT = 150
#: The fallback ``text`` is kept short: it is for notifications, the blocks carry the rest.
FALLBACK_LIMIT = 3000

#: ``action_id`` prefix of the coach's answer buttons (``choice-<row>-<column>``).
CHOICE_PREFIX = "choice-"
#: ``action_id`` prefix of the App Home buttons.
HOME_PREFIX = "home-"
#: App Home button → the coach command it sends.
HOME_COMMANDS: dict[str, str] = {
    "home-continue": "start",
    "home-new-case": "restart",
    "home-language": "lang",
    "home-delete": "delete",
}


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One ``chat.postMessage``: blocks and the plain-text fallback."""

    text: str
    blocks: list[dict[str, Any]]


def render(outgoing: Outgoing) -> list[SlackMessage]:
    """Render one neutral output as one or more Slack messages."""
    if isinstance(outgoing, Draft):
        return render_draft(outgoing)
    return render_reply(outgoing)


def render_reply(reply: Reply) -> list[SlackMessage]:
    """A coach message: bold title, escaped text, buttons as actions blocks."""
    body = mrkdwn.escape(reply.text)
    if reply.title:
        body = f"{mrkdwn.bold(reply.title)}\n{body}" if body else mrkdwn.bold(reply.title)
    sections = [_section(chunk) for chunk in mrkdwn.split(body, SECTION_TEXT_LIMIT) if chunk]
    actions = _actions(reply.buttons)
    fallback = _fallback(reply.title, reply.text)
    return _pack(sections, actions, fallback)


def render_draft(draft: Draft) -> list[SlackMessage]:
    """A copyable text: its title, then the text in ``` code blocks (split if long)."""
    fence_room = SECTION_TEXT_LIMIT - len("```\n\n```")
    chunks = mrkdwn.split(mrkdwn.escape_code(draft.text), fence_room)
    blocks = [_section(mrkdwn.bold(draft.title))]
    blocks += [_section(f"```\n{chunk}\n```") for chunk in chunks]
    return _pack(blocks, [], _fallback(draft.title, draft.text))


def answered(message: dict[str, Any], *, chosen_label: str, language: str) -> SlackMessage:
    """The question message after a press: the same text, no buttons, the answer below."""
    kept = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
    note = t(language, "slack-chosen", label=mrkdwn.truncate(chosen_label, 200))
    kept.append(
        {
            "type": "context",
            "block_id": "chosen",
            "elements": [{"type": "mrkdwn", "text": mrkdwn.escape(note)}],
        }
    )
    text = str(message.get("text") or note)
    return SlackMessage(text=text, blocks=kept[-MESSAGE_BLOCK_LIMIT:])


def home_view(
    *,
    language: str,
    step_name: str | None,
    client: str | None,
    next_action: str | None,
    stats: str | None = None,
) -> dict[str, Any]:
    """The App Home view: the active case (or none), the user's own stats, the four buttons."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": "home-title",
            "text": {
                "type": "plain_text",
                "text": _home_text(language, "slack-home-title", HEADER_TEXT_LIMIT),
            },
        },
        _section(_home_text(language, "slack-home-intro"), block_id="home-intro"),
        {"type": "divider"},
    ]
    if step_name is None:
        empty = _home_text(language, "slack-home-no-case")
        blocks.append(_section(empty, block_id="home-case"))
    else:
        lines = [
            _home_text(language, "slack-home-active-case", bold=True),
            mrkdwn.escape(t(language, "slack-home-step", step=step_name)),
        ]
        if client:
            lines.append(mrkdwn.escape(t(language, "slack-home-client", client=client)))
        if next_action:
            lines.append(mrkdwn.escape(t(language, "slack-home-next", action=next_action)))
        text = "\n".join(lines)
        blocks.append(_section(mrkdwn.split(text, SECTION_TEXT_LIMIT)[0], block_id="home-case"))
    if stats:
        # The user's own /stats (issue 15): how their cases ended.
        text = "\n".join(
            [_home_text(language, "outcome-stats-title", bold=True), mrkdwn.escape(stats)]
        )
        blocks.append({"type": "divider"})
        blocks.append(_section(mrkdwn.split(text, SECTION_TEXT_LIMIT)[0], block_id="home-stats"))
    buttons = [
        ("home-continue", "slack-home-continue", "primary"),
        ("home-new-case", "slack-home-new-case", None),
        ("home-language", "slack-home-language", None),
        ("home-delete", "slack-home-delete", "danger"),
    ]
    elements = []
    for action_id, key, style in buttons:
        element: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "text": {
                "type": "plain_text",
                "text": _home_text(language, key, BUTTON_TEXT_LIMIT),
                "emoji": True,
            },
            "value": action_id,
        }
        if style:
            element["style"] = style
        elements.append(element)
    blocks.append({"type": "actions", "block_id": "home-actions", "elements": elements})
    return {"type": "home", "blocks": blocks}


# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=64)
def _home_text(language: str, key: str, limit: int = 0, *, bold: bool = False) -> str:
    """A fixed App Home text, formatted once per language (the Home is published per step).

    ``limit``: a plain-text field cut to that length; otherwise escaped mrkdwn.
    """
    text = t(language, key)
    if limit:
        return mrkdwn.truncate(text, limit)
    return mrkdwn.bold(text) if bold else mrkdwn.escape(text)


def _section(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _actions(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for row_index, row in enumerate(rows):
        for start in range(0, len(row), ACTIONS_ELEMENT_LIMIT):
            part = row[start : start + ACTIONS_ELEMENT_LIMIT]
            elements = []
            for offset, button in enumerate(part):
                value = button.data
                if len(value) > VALUE_LIMIT:
                    # Never cut callback data: a cut value would be judged forged anyway.
                    continue
                elements.append(
                    {
                        "type": "button",
                        "action_id": f"{CHOICE_PREFIX}{row_index}-{start + offset}",
                        "text": {
                            "type": "plain_text",
                            "text": mrkdwn.truncate(button.label, BUTTON_TEXT_LIMIT) or "…",
                            "emoji": True,
                        },
                        "value": value,
                    }
                )
            if elements:
                blocks.append(
                    {
                        "type": "actions",
                        "block_id": f"choices-{row_index}-{start}",
                        "elements": elements,
                    }
                )
    return blocks


def _fallback(title: str | None, text: str) -> str:
    plain = f"{title}\n{text}" if title and text else (title or text)
    return mrkdwn.escape(mrkdwn.truncate(plain, FALLBACK_LIMIT)) or "…"


def _pack(
    blocks: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str
) -> list[SlackMessage]:
    """Spread blocks over messages of at most 50 blocks; the buttons stay together, last."""
    limit = MESSAGE_BLOCK_LIMIT
    pages = [blocks[s : s + limit] for s in range(0, len(blocks), limit)]
    for s in range(0, len(actions), limit):
        part = actions[s : s + limit]
        if pages and len(pages[-1]) + len(part) <= limit:
            pages[-1] = pages[-1] + part
        else:
            pages.append(part)
    return [SlackMessage(text=fallback, blocks=page) for page in pages if page]
