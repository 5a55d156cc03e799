"""Rendering to Telegram HTML: escaping, drafts in <pre>, splitting, keyboards."""

from __future__ import annotations

import pytest

from bot.channels.telegram.render import (
    MAX_TEXT_LENGTH,
    CallbackDataError,
    keyboard,
    render,
    render_draft,
    render_reply,
    text_length,
    truncate,
    with_chosen,
)
from flows.i18n import t
from flows.io import Button, Draft, DraftKind, Reply
from tests.helpers.standins.telegram import HtmlError, parse_html

HOSTILE = "<b>Acme & Co</pre> <a href='x'>"


def test_reply_text_and_title_are_escaped_and_title_is_bold() -> None:
    [message] = render_reply(Reply(text=f"Client: {HOSTILE}", title="R&D <team>"))

    text, entities = parse_html(message.html)
    assert text == f"R&D <team>\n\nClient: {HOSTILE}"
    assert entities == [{"type": "bold", "offset": 0, "length": len("R&D <team>")}]
    assert message.keyboard is None


def test_draft_is_its_own_message_in_pre() -> None:
    draft = Draft(
        kind=DraftKind.REPLY,
        text=f"Dear {HOSTILE},\n\nthanks.",
        language="en",
        title="Suggested reply",
    )

    [message] = render_draft(draft)

    text, entities = parse_html(message.html)
    assert text == f"Suggested reply\nDear {HOSTILE},\n\nthanks."
    pre = next(e for e in entities if e["type"] == "pre")
    assert text[pre["offset"] : pre["offset"] + pre["length"]] == draft.text


def test_buttons_go_under_the_last_part() -> None:
    buttons = ((Button("Yes", "rc:1:1:yes"), Button("No", "rc:1:1:no")),)
    messages = render_reply(Reply(text="\n\n".join(["x" * 3000] * 3), buttons=buttons))

    assert len(messages) == 3
    assert [m.keyboard is not None for m in messages] == [False, False, True]
    markup = messages[-1].keyboard
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["rc:1:1:yes", "rc:1:1:no"]
    ]


@pytest.mark.parametrize("paragraph", ["a & b < c > d " * 40, "Ж" * 700, "😀 " * 300])
def test_long_texts_split_on_paragraphs_each_part_valid(paragraph: str) -> None:
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(30))
    draft = Draft(kind=DraftKind.EXPORT, text=text, language="en", title="Case <1>")

    messages = render_draft(draft)

    assert len(messages) > 1
    parts = []
    for message in messages:
        assert text_length(message.html) <= MAX_TEXT_LENGTH
        plain, entities = parse_html(message.html)  # valid HTML on its own
        assert any(e["type"] == "pre" for e in entities)
        parts.append(plain)
    # Nothing lost or reordered: the parts are the paragraphs, split between them.
    assert parts[0].startswith("Case <1>\n")
    joined = "\n\n".join([parts[0].removeprefix("Case <1>\n"), *parts[1:]])
    assert joined == text


def test_a_single_overlong_paragraph_is_split_too() -> None:
    text = "&" * 10_000

    messages = render_reply(Reply(text=text))

    plain = "".join(parse_html(m.html)[0] for m in messages)
    assert plain == text
    assert all(text_length(m.html) <= MAX_TEXT_LENGTH for m in messages)


def test_a_text_that_fits_stays_exactly_as_written() -> None:
    text = "line one\nline two\n\n\nafter a wide gap\n\n• a\n• b"
    [message] = render_reply(Reply(text=text))
    assert parse_html(message.html)[0] == text


@pytest.mark.parametrize("data", ["", "x" * 65, "ж" * 33])
def test_callback_data_outside_1_to_64_bytes_is_refused(data: str) -> None:
    with pytest.raises(CallbackDataError):
        keyboard(((Button("Label", data),),))


def test_callback_data_of_exactly_64_bytes_is_fine() -> None:
    markup = keyboard(((Button("Label", "ж" * 32),),))
    assert markup is not None


def test_chosen_answer_is_appended_escaped() -> None:
    edited = with_chosen("<b>Q?</b>", label="Tom & <Jerry>", language="en")
    assert edited is not None
    text, _ = parse_html(edited)
    assert text == "Q?\n\n" + t("en", "tg-chosen", label="Tom & <Jerry>")


def test_chosen_answer_that_would_not_fit_is_left_out() -> None:
    assert with_chosen("x" * MAX_TEXT_LENGTH, label="Yes", language="bg") is None


def test_truncate_counts_utf16() -> None:
    assert truncate("😀" * 10, limit=5) == "😀😀…"
    assert truncate("short", limit=5) == "short"


@pytest.mark.parametrize(
    "source", ["a < b", "a & b", "<b>open", "<b>x</i>", "<script>x</script>", "x > y"]
)
def test_the_stand_in_refuses_html_telegram_refuses(source: str) -> None:
    with pytest.raises(HtmlError):
        parse_html(source)


def test_the_replies_of_one_step_share_a_message_drafts_stand_alone() -> None:
    yes = ((Button("Yes", "rc:1:1:yes"),),)
    draft = Draft(kind=DraftKind.REPLY, text="Dear client", language="en", title="Suggested reply")

    messages = render(
        [
            Reply(text="Great."),
            Reply(text="Here is a message to send:", title="Next"),
            draft,
            Reply(text="Ready?", buttons=yes),
            Reply(text="(after the buttons)"),
        ]
    )

    texts = [parse_html(m.html)[0] for m in messages]
    assert texts == [
        "Great.\n\nNext\n\nHere is a message to send:",
        "Suggested reply\nDear client",
        "Ready?",
        "(after the buttons)",
    ]
    assert [m.keyboard is not None for m in messages] == [False, False, True, False]
