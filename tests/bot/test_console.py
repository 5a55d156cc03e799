"""The terminal chat: rendering and input parsing, then the real program in a pseudo-terminal."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bot.console import (
    StdinLines,
    buttons_of,
    parse_line,
    render_draft,
    render_outgoing,
)
from flows.io import (
    Button,
    ChoiceInput,
    CommandInput,
    Draft,
    DraftKind,
    Reply,
    TextInput,
)

MOOD = Reply(
    text="How do you feel now?",
    buttons=((Button("I'm calm, let's go", "c1:calm"), Button("I'm still upset", "c1:upset")),),
    title="Calm",
)


# --------------------------------------------------------------------------- parsing


def test_a_number_picks_the_button_with_that_number() -> None:
    options = buttons_of([MOOD])
    assert options is not None

    assert parse_line("2", options=options) == ChoiceInput(data="c1:upset")
    assert parse_line(" 1 ", options=options) == ChoiceInput(data="c1:calm")


def test_a_number_outside_the_options_is_text() -> None:
    options = buttons_of([MOOD]) or []

    assert parse_line("3", options=options) == TextInput(text="3")
    assert parse_line("0", options=options) == TextInput(text="0")
    assert parse_line("1200", options=[]) == TextInput(text="1200")


def test_a_label_is_sent_as_text_for_the_flow_to_match() -> None:
    assert parse_line("i'm still upset", options=buttons_of([MOOD]) or []) == TextInput(
        text="i'm still upset"
    )


def test_slash_commands_become_commands() -> None:
    assert parse_line("/Back", options=[]) == CommandInput(name="back")
    assert parse_line("/lang bg", options=[]) == CommandInput(name="lang", args="bg")


def test_an_empty_line_is_ignored() -> None:
    assert parse_line("   ", options=[]) is None
    assert parse_line("/", options=[]) == TextInput(text="/")


def test_options_come_from_the_last_question_and_a_free_text_question_clears_them() -> None:
    note = Reply(text="Noted.")
    draft = Draft(kind=DraftKind.REPLY, text="Hello", language="en", title="Suggested reply")

    assert buttons_of([MOOD, note]) == [b for row in MOOD.buttons for b in row]
    assert buttons_of([note]) == []
    assert buttons_of([draft]) is None


# --------------------------------------------------------------------------- rendering


def test_buttons_are_numbered_options_under_the_text() -> None:
    text = render_outgoing([MOOD], width=80)

    assert text.splitlines() == [
        "Calm",
        "────",
        "How do you feel now?",
        "  [1] I'm calm, let's go",
        "  [2] I'm still upset",
    ]


def test_a_draft_is_framed_with_its_title_and_keeps_every_word() -> None:
    body = "Dear Maria,\n\n" + "Thank you for your detailed feedback on the logo. " * 4 + "\n\nIvan"
    draft = Draft(kind=DraftKind.REPLY, text=body, language="en", title="Suggested reply")

    lines = render_draft(draft, width=60).splitlines()

    assert lines[0].startswith("┌─ Suggested reply ")
    assert lines[0].endswith("┐") and lines[-1].startswith("└") and lines[-1].endswith("┘")
    assert len({len(line) for line in lines}) == 1  # a closed rectangle
    assert all(len(line) <= 60 for line in lines)
    inside = [line[2:-2].rstrip() for line in lines[1:-1]]
    assert all(line.startswith("│ ") and line.endswith(" │") for line in lines[1:-1])
    assert " ".join(" ".join(inside).split()) == " ".join(body.split())


def test_a_bulgarian_amount_is_never_split_across_lines() -> None:
    amount = "1\xa0200,00\xa0€"
    text = "Договорихме " + amount + " за цялата поръчка. " * 3
    draft = Draft(kind=DraftKind.REPLY, text=text, language="bg", title="Предложение за отговор")

    framed = render_draft(draft, width=44)

    assert amount in framed


# --------------------------------------------------------------------------- input


async def _collect(lines: StdinLines) -> list[str | None]:
    out: list[str | None] = []
    while True:
        line = await asyncio.wait_for(lines.get(), timeout=10)
        out.append(line)
        if line is None:
            return out


async def test_lines_from_a_pipe_with_utf8_split_across_chunks() -> None:
    read_fd, write_fd = os.pipe()
    lines = StdinLines(read_fd)
    payload = "Здравей\n/back\r\nпоследен ред без край".encode()
    loop = asyncio.get_running_loop()

    def writer() -> None:
        os.write(write_fd, payload[:3])  # cuts "З" (2 bytes) in half
        os.write(write_fd, payload[3:])
        os.close(write_fd)

    try:
        await loop.run_in_executor(None, writer)
        got = await _collect(lines)
    finally:
        lines.close()
        os.close(read_fd)

    assert got == ["Здравей", "/back", "последен ред без край", None]


async def test_lines_from_a_regular_file(tmp_path: Path) -> None:
    script = tmp_path / "answers.txt"
    script.write_text("1\nАна\n", encoding="utf-8")
    fd = os.open(script, os.O_RDONLY)
    try:
        lines = StdinLines(fd)
        got = await _collect(lines)
        lines.close()
    finally:
        os.close(fd)

    assert got == ["1", "Ана", None]
