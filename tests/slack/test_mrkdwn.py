"""mrkdwn escaping, splitting to limits, and reading Slack's message text."""

from __future__ import annotations

import pytest

from bot.channels.slack import mrkdwn


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("Smith & Sons", "Smith &amp; Sons"),
        ("&amp;", "&amp;amp;"),
        ("plain", "plain"),
    ],
)
def test_escape_makes_mentions_inert(raw: str, escaped: str) -> None:
    assert mrkdwn.escape(raw) == escaped


def test_escape_code_breaks_backtick_fences() -> None:
    escaped = mrkdwn.escape_code("a ``` b ```` c")
    assert "```" not in escaped
    assert escaped.replace("\u200b", "") == "a ``` b ```` c"


def test_bold_cannot_be_broken_by_asterisks() -> None:
    assert mrkdwn.bold("*Acme* <x>") == "*Acme &lt;x&gt;*"


def test_split_prefers_paragraphs_and_keeps_limit() -> None:
    text = "\n\n".join(["word " * 100] * 20)
    chunks = mrkdwn.split(text, 3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert len(chunks) > 1
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_split_never_cuts_an_entity() -> None:
    text = mrkdwn.escape("&" * 5000)
    chunks = mrkdwn.split(text, 3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert all(c.startswith("&amp;") and c.endswith("&amp;") for c in chunks)
    assert "".join(chunks) == text


def test_truncate_ends_with_ellipsis() -> None:
    assert mrkdwn.truncate("x" * 80, 75) == "x" * 74 + "…"
    assert mrkdwn.truncate("short", 75) == "short"


@pytest.mark.parametrize(
    ("slack_text", "typed"),
    [
        ("Smith &amp; Sons &lt;b&gt;", "Smith & Sons <b>"),
        ("see <https://acme.example|Acme site>", "see Acme site"),
        ("<https://acme.example>", "https://acme.example"),
        ("ask <@U123>", "ask @U123"),
        ("<!channel> hi", "@channel hi"),
        ("1 200,50 лв", "1 200,50 лв"),
    ],
)
def test_from_slack_recovers_what_was_typed(slack_text: str, typed: str) -> None:
    assert mrkdwn.from_slack(slack_text) == typed
