"""The terminal chat: rendering and input parsing, then the real program in a pseudo-terminal."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from bot.channels.console.render import (
    buttons_of,
    parse_line,
    render_draft,
    render_outgoing,
)
from bot.channels.console.stdin import StdinLines
from flows.i18n import t
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


def test_an_empty_line_is_ignored_and_spaces_are_sent() -> None:
    assert parse_line("", options=[]) is None
    assert parse_line("   ", options=[]) == TextInput(text="   ")  # "I didn't catch that"
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


def test_options_are_numbered_on_across_the_messages_of_one_update() -> None:
    history = Reply(
        text="1. Acme (cancelled)\n2. Lale (cancelled)",
        buttons=((Button("Reopen case 1", "c7:reopen"),), (Button("Reopen case 2", "c8:reopen"),)),
    )

    text = render_outgoing([history, MOOD], width=80)
    options = buttons_of([history, MOOD]) or []

    numbered = [line.strip() for line in text.splitlines() if line.startswith("  [")]
    assert numbered == [
        "[1] Reopen case 1",
        "[2] Reopen case 2",
        "[3] I'm calm, let's go",
        "[4] I'm still upset",
    ]
    assert parse_line("2", options=options) == ChoiceInput(data="c8:reopen")
    assert parse_line("3", options=options) == ChoiceInput(data="c1:calm")


def test_a_draft_is_printed_between_rules_exactly_as_it_is() -> None:
    body = "Dear Maria,\n\n" + "Thank you for your detailed feedback on the logo. " * 4 + "\n\nIvan"
    draft = Draft(kind=DraftKind.REPLY, text=body, language="en", title="Suggested reply")

    lines = render_draft(draft, width=60).splitlines()

    assert lines[0].startswith("── Suggested reply ") and len(lines[0]) == 60
    assert lines[-1] == "─" * 60
    # No side borders and no hard wraps: what the mouse selects is the letter.
    assert "\n".join(lines[1:-1]) == body


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


# --------------------------------------------------------------------------- the real program

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "\r\n> "
_OPTION = re.compile(r"^  \[(\d+)\] (.+?)\s*$", re.MULTILINE)


@dataclass
class Turn:
    """What the chat printed before it asked for the next line."""

    text: str
    options: dict[str, int]


class Chat:
    """The real ``python -m bot chat`` in a pseudo-terminal."""

    def __init__(
        self,
        *,
        database: Path,
        home: Path,
        lang: str | None,
        user: str,
        command: tuple[str, ...] = ("chat",),
        locale: str | None = None,
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
        env |= {
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "USER": user,
            "LOGNAME": user,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "REMINDER_INTERVAL_SECONDS": "0.2",
        }
        if locale is not None:  # the terminal's locale only (LANG), as `LANG=… make run`
            del env["LC_ALL"]
            env |= {"LANG": locale, "PYTHONIOENCODING": "utf-8"}
            env.pop("LC_MESSAGES", None)
        args = ["-m", "bot", *command] + (["--lang", lang] if lang else [])
        self.child = pexpect.spawn(
            sys.executable,
            args,
            cwd=str(home),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 100),
        )
        self.transcript: list[str] = []
        self.first = self.read_turn()

    def read_turn(self) -> Turn:
        self.child.expect_exact(PROMPT)
        text = self.child.before.replace("\r\n", "\n")
        self.transcript.append(text)
        matches = list(_OPTION.finditer(text))
        # The options of the last question: the last run starting at [1].
        starts = [i for i, m in enumerate(matches) if m.group(1) == "1"]
        last = matches[starts[-1] :] if starts else []
        return Turn(text=text, options={m.group(2): int(m.group(1)) for m in last})

    def type(self, line: str) -> Turn:
        self.child.sendline(line)
        return self.read_turn()

    def pick_number(self, turn: Turn, label: str) -> Turn:
        assert label in turn.options, (label, turn.options)
        return self.type(str(turn.options[label]))

    def leave_with_ctrl_d(self) -> str:
        self.child.sendeof()
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus == 0, self.child.before
        return str(self.child.before).replace("\r\n", "\n")


@pytest.fixture
def chat_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def _option(turn: Turn, text: str) -> str:
    """The label shown for an option whose text contains ``text`` (e.g. without the ★)."""
    found = [label for label in turn.options if text in label]
    assert len(found) == 1, (text, turn.options)
    return found[0]


#: What the terminal user types at the sign-off question.
SIGN_OFF = {"en": "Elena Kostova", "bg": "Елена Костова"}


def _conversation_to_the_reply(chat: Chat, lang: str, *, price: str, deposit: str) -> Turn:
    """Calm → facts → call → problem → part ways → kill fee 40 % agreed → the suggested reply."""

    def btn(name: str) -> str:
        return t(lang, f"coach-btn-{name}")

    turn = chat.first
    assert btn("calm") in turn.options and btn("upset") in turn.options
    # A label typed in other letter case picks the button too.
    turn = chat.type(btn("calm").upper())
    assert btn("skip") in turn.options  # the client's name, skippable
    turn = chat.type("Maria Petrova")
    turn = chat.type("a logo" if lang == "en" else "лого")
    turn = chat.type(
        "It is not what we imagined" if lang == "en" else "Не е това, което си представяхме"
    )
    turn = chat.pick_number(turn, btn("direct"))
    turn = chat.pick_number(turn, btn("writing"))
    turn = chat.type(price)
    turn = chat.type(deposit)
    assert "── " + t(lang, "draft-title-call-request") + " " in turn.text
    turn = chat.type(btn("call-arranged"))
    turn = chat.pick_number(turn, btn("problem-brief"))
    turn = chat.type("a darker palette" if lang == "en" else "по-тъмни цветове")
    turn = chat.pick_number(turn, btn("part-ways"))
    # The terminal numbers the options itself: the labels' own "2." is not shown twice.
    assert not any(label[:1].isdigit() for label in turn.options), turn.options
    turn = chat.pick_number(turn, _option(turn, btn("pay-kill-fee").split(". ", 1)[1]))
    turn = chat.type(btn("share-40"))
    turn = chat.pick_number(turn, btn("yes"))
    # A new user: the first reply asks the sign-off once; typed, the reply comes again, signed.
    assert t(lang, "coach-signoff-prompt") in _flat(turn.text)
    turn = chat.type(SIGN_OFF[lang])
    assert SIGN_OFF[lang] in turn.text
    return turn


def _flat(text: str) -> str:
    """Text with all line wrapping and runs of spaces collapsed."""
    return " ".join(text.split())


def _framed(turn: Turn, title: str) -> str:
    """The text printed between a draft's rule lines, exactly."""
    lines = turn.text.replace("\r\n", "\n").split("\n")
    top = next(i for i, line in enumerate(lines) if line.startswith(f"── {title} "))
    bottom = next(i for i in range(top + 1, len(lines)) if set(lines[i]) == {"─"})
    return "\n".join(lines[top + 1 : bottom])


def test_english_conversation_reaches_the_suggested_reply(tmp_path: Path, chat_home: Path) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang="en", user="ana")

    assert _flat(t("en", "console-welcome")) in _flat(chat.first.text)
    turn = _conversation_to_the_reply(chat, "en", price="1200", deposit="€400")

    reply = _framed(turn, t("en", "draft-title-reply"))
    assert "Maria Petrova" in reply
    assert "€1,200.00" in reply and "€480.00" in reply and "€80.00" in reply
    assert "{" not in reply and "$" not in reply
    assert t("en", "coach-btn-done") in turn.options

    goodbye = chat.leave_with_ctrl_d()
    assert _flat(t("en", "console-goodbye")) in _flat(goodbye)


def test_bulgarian_conversation_reaches_the_suggested_reply(
    tmp_path: Path, chat_home: Path
) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang="bg", user="ivan")

    assert _flat(t("bg", "console-welcome")) in _flat(chat.first.text)
    turn = _conversation_to_the_reply(chat, "bg", price="1 200", deposit="400 €")

    reply = _framed(turn, t("bg", "draft-title-reply"))
    assert "Maria Petrova" in reply
    # Babel's Bulgarian format: no-break spaces as the group separator and before €.
    assert "1\xa0200,00\xa0€" in reply and "480,00\xa0€" in reply and "80,00\xa0€" in reply
    assert "€1" not in reply
    assert t("bg", "coach-btn-done") in turn.options

    goodbye = chat.leave_with_ctrl_d()
    assert _flat(t("bg", "console-goodbye")) in _flat(goodbye)


def test_ctrl_d_leaves_and_the_next_start_resumes_the_case(tmp_path: Path, chat_home: Path) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang="en", user="ana")
    turn = chat.pick_number(chat.first, t("en", "coach-btn-calm"))
    turn = chat.type("Maria Petrova")
    question = turn.text.strip().splitlines()[-2]  # "What did you deliver? …" before [1] Skip
    chat.leave_with_ctrl_d()

    again = Chat(database=database, home=chat_home, lang=None, user="ana")
    assert t("en", "coach-btn-continue") in again.first.options
    assert "Maria Petrova" in again.first.text
    turn = again.pick_number(again.first, t("en", "coach-btn-continue"))
    assert question in turn.text
    again.leave_with_ctrl_d()


def test_with_no_command_and_no_tokens_the_terminal_chat_starts(
    tmp_path: Path, chat_home: Path
) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang=None, user="ana", command=())

    # Quiet until the first prompt: the welcome is the first thing on screen, and no log
    # line (migrations, warnings) comes before or after it.
    assert _flat(chat.first.text).startswith(_flat(t("en", "console-welcome")))
    for noise in ("INFO", "WARNING", "ERROR", "alembic", "Traceback"):
        assert noise not in chat.first.text, noise
    assert t("en", "coach-btn-calm") in chat.first.options
    chat.leave_with_ctrl_d()


def test_lang_bg_opens_the_chat_in_bulgarian(tmp_path: Path, chat_home: Path) -> None:
    # The README's `LANG=bg_BG.UTF-8 make run`: no --lang, the terminal's locale decides.
    chat = Chat(
        database=tmp_path / "coach.db",
        home=chat_home,
        lang=None,
        user="ana",
        command=(),
        locale="bg_BG.UTF-8",
    )

    assert _flat(chat.first.text).startswith(_flat(t("bg", "console-welcome")))
    assert t("bg", "coach-btn-calm") in chat.first.options
    chat.leave_with_ctrl_d()


def test_ctrl_c_leaves_cleanly_with_a_goodbye(tmp_path: Path, chat_home: Path) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang="bg", user="ivan")

    chat.child.sendintr()
    chat.child.expect(pexpect.EOF)
    chat.child.close()

    output = str(chat.child.before)
    assert chat.child.exitstatus == 0
    assert chat.child.signalstatus is None
    assert _flat(t("bg", "console-goodbye")) in _flat(output)
    assert "Traceback" not in output


def test_a_number_that_is_not_an_option_repeats_the_question(
    tmp_path: Path, chat_home: Path
) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang="en", user="ana")

    turn = chat.type("7")

    assert t("en", "coach-btn-calm") in turn.options  # still the mood check
    turn = chat.pick_number(turn, t("en", "coach-btn-upset"))
    assert t("en", "coach-btn-ready") in turn.options
    chat.leave_with_ctrl_d()


def test_a_reminder_that_falls_due_appears_while_the_chat_waits(
    tmp_path: Path, chat_home: Path
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang="en", user="ana")
    turn = chat.pick_number(chat.first, t("en", "coach-btn-upset"))
    remind = _option(turn, "15")
    chat.pick_number(turn, remind)
    with sqlite3.connect(database) as connection:
        scheduled = connection.execute(
            "UPDATE reminders SET due_at = '2000-01-01 00:00:00.000000' WHERE sent_at IS NULL"
        ).rowcount
    assert scheduled == 1

    # Nothing is typed: the reminder arrives by itself and the prompt comes back.
    turn = chat.read_turn()

    assert "⏰ " + t("en", "console-reminder") in turn.text
    assert t("en", "coach-btn-ready") in turn.options
    chat.leave_with_ctrl_d()


def test_piped_input_without_a_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}",
        "USER": "pipe",
        "LOGNAME": "pipe",
        "PYTHONPATH": str(ROOT),
    }
    lines = "1\nMaria Petrova\n/back\n"

    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--lang", "en"],
        input=lines,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "> Maria Petrova\n" in result.stdout  # piped lines are echoed after the prompt
    assert result.stdout.count(t("en", "coach-btn-skip")) >= 3  # name, delivery, name again
    assert _flat(result.stdout).endswith(_flat(t("en", "console-goodbye")))
    assert result.stderr == ""


def test_sigterm_also_says_goodbye(tmp_path: Path, chat_home: Path) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang="en", user="ana")

    chat.child.kill(signal.SIGTERM)
    chat.child.expect(pexpect.EOF)
    chat.child.close()

    assert chat.child.exitstatus == 0
    assert _flat(t("en", "console-goodbye")) in _flat(str(chat.child.before))


def test_a_database_that_cannot_be_opened_is_explained(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    missing = tmp_path / "no" / "such" / "folder" / "coach.db"
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{missing}", "PYTHONPATH": str(ROOT)}

    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--lang", "en"],
        input="",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    expected = t("en", "console-no-database", reason="OperationalError")
    assert expected in result.stdout
    assert "Traceback" not in result.stderr
