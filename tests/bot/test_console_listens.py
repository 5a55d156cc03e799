"""Issue 12 through the real terminal chat in a pseudo-terminal, in both languages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from flows.case import Step
from flows.i18n import t
from flows.machine import prompt_key
from flows.steps import STEPS
from tests.bot.test_console import Chat, Turn, _flat, _framed, _option, chat_home

__all__ = ["chat_home"]  # the fixture, shared with the console tests

LANGS = pytest.mark.parametrize("lang", ["en", "bg"])


def _rows(database: Path) -> str:
    """Every row of every table of the SQLite file, as text."""
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return "\n".join(
            repr(row) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')
        )


@LANGS
def test_free_text_at_the_mood_check_is_heard_and_kept_private_until_the_case_closes(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    mood = "honestly I'm furious" if lang == "en" else "бясна съм"

    turn = chat.type(mood)

    assert _flat(t(lang, "coach-mood-mirror-angry")) in _flat(turn.text)
    assert _flat(t(lang, "coach-choose-button")) not in _flat(turn.text)
    assert t(lang, "coach-btn-ready") in turn.options  # the cool-down
    reframe = _flat(t(lang, "coach-calm-prompt").split("\n")[0])
    assert _flat("\n".join(chat.transcript)).count(reframe) == 1  # never twice
    turn = chat.type("VENT-7c1d " + ("they never read the brief" if lang == "en" else "ужас"))
    assert _flat(t(lang, "coach-cool-down-vented-2")) in _flat(turn.text)
    assert "VENT-7c1d" in _rows(database)
    chat.type("/cancel")
    assert "VENT-7c1d" not in _rows(database) and "бясна" not in _rows(database)
    chat.leave_with_ctrl_d()


@LANGS
def test_ready_cancels_the_cool_down_reminder_and_says_where_it_would_arrive(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    turn = chat.pick_number(chat.first, t(lang, "coach-btn-upset"))
    turn = chat.pick_number(turn, _option(turn, "15"))
    assert _flat(t(lang, "coach-reminder-where-terminal")) in _flat(turn.text)
    chat.pick_number(turn, t(lang, "coach-btn-ready"))
    with sqlite3.connect(database) as connection:
        pending = connection.execute("SELECT count(*) FROM reminders").fetchone()[0]
    assert pending == 0
    chat.leave_with_ctrl_d()


@LANGS
def test_a_reminder_rings_the_bell_and_an_overdue_one_keeps_the_start_question(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    turn = chat.pick_number(chat.first, t(lang, "coach-btn-upset"))
    chat.pick_number(turn, _option(turn, "15"))
    chat.leave_with_ctrl_d()
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE reminders SET due_at = '2000-01-01 00:00:00.000000'")

    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    turn = chat.first
    if "⏰" not in turn.text:  # the reminder may come right after the first prompt
        turn = chat.read_turn()
    assert "\a⏰ " + t(lang, "console-reminder") in turn.text  # with the bell
    # One question on screen: still "Continue / New case", not the cool-down's buttons.
    assert list(turn.options) == [t(lang, "coach-btn-continue"), t(lang, "coach-btn-new-case")]
    chat.leave_with_ctrl_d()


@pytest.mark.parametrize(("lang", "yes"), [("bg", "да"), ("en", "Yes!")])
def test_typed_yes_at_delete_erases_everything_and_the_goodbye_says_so(
    tmp_path: Path, chat_home: Path, lang: str, yes: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    turn = chat.pick_number(chat.first, t(lang, "coach-btn-calm"))
    chat.type("ACME Ltd")
    turn = chat.type("/delete")
    turn = chat.type("hmm")
    assert _flat(t(lang, "coach-delete-confirm")) in _flat(turn.text)  # asked again
    assert "ACME" in _rows(database)
    turn = chat.type(yes)
    assert _flat(t(lang, "coach-after-delete")) in _flat(turn.text)
    assert "ACME" not in _rows(database)
    goodbye = chat.leave_with_ctrl_d()
    assert _flat(t(lang, "console-goodbye-erased")) in _flat(goodbye)


@pytest.mark.parametrize(("lang", "yes", "no"), [("bg", "Да.", "не"), ("en", "YES", "No!")])
def test_typed_yes_or_no_at_delete_works_without_an_open_case(
    tmp_path: Path, chat_home: Path, lang: str, yes: str, no: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    chat.pick_number(chat.first, t(lang, "coach-btn-calm"))
    chat.type("ACME Ltd")
    chat.type("/cancel")  # no open case: the question must still be answerable by typing
    chat.type("/delete")
    turn = chat.type("hmm")
    assert _flat(t(lang, "coach-delete-confirm")) in _flat(turn.text)  # asked again
    assert _flat(t(lang, "coach-start-prompt")) not in _flat(turn.text)  # no case started
    turn = chat.type(no)
    assert _flat(t(lang, "coach-delete-kept")) in _flat(turn.text)
    assert "ACME" in _rows(database)
    chat.type("/cancel")
    chat.type("/delete")
    turn = chat.type(yes)
    assert _flat(t(lang, "coach-after-delete")) in _flat(turn.text)
    assert "ACME" not in _rows(database)
    goodbye = chat.leave_with_ctrl_d()
    assert _flat(t(lang, "console-goodbye-erased")) in _flat(goodbye)


@LANGS
def test_a_draft_prints_without_borders_and_copy_writes_it_to_a_file(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")

    def btn(name: str) -> str:
        return t(lang, f"coach-btn-{name}")

    turn = chat.pick_number(chat.first, btn("calm"))
    turn = chat.type("Maria Petrova")
    turn = chat.type("a logo" if lang == "en" else "лого")
    turn = chat.pick_number(turn, btn("skip"))
    turn = chat.pick_number(turn, btn("direct"))
    turn = chat.pick_number(turn, btn("writing"))
    turn = chat.type("1200")
    turn = chat.type("400")
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT text FROM drafts").fetchone()
    # Byte for byte: what is between the rules is the draft itself.
    assert _framed(turn, t(lang, "draft-title-call-request")) == stored
    assert _flat(t(lang, "console-copy-hint")) in _flat(turn.text)

    turn = chat.type("/copy")

    path = chat_home / "data" / "rejection-coach" / "drafts" / "call-request.txt"
    assert _flat(t(lang, "console-copied", path=str(path))) in _flat(turn.text)
    assert path.read_text(encoding="utf-8") == stored + "\n"
    assert t(lang, "coach-btn-call-arranged") in turn.options  # the question again
    chat.leave_with_ctrl_d()


def _statuses(database: Path) -> dict[str, tuple[str, str]]:
    """Each stored case's client name → (status, step)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, step, state FROM cases").fetchall()
    found = {}
    for status, step, state in rows:
        client = json.loads(state)["answers"].get("client_name") or ""
        found[client] = (status, step)
    return found


@LANGS
def test_cases_reopens_a_cancelled_case_by_its_number_and_cancels_the_open_one(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    database = tmp_path / "coach.db"
    chat = Chat(database=database, home=chat_home, lang=lang, user="ana")
    turn = chat.pick_number(chat.first, t(lang, "coach-btn-calm"))
    chat.type("ACME Ltd")  # the contact person's question comes next
    chat.type("/cancel")
    turn = chat.type("hello")  # a second case
    turn = chat.pick_number(turn, t(lang, "coach-btn-calm"))
    chat.type("Studio Lale")

    turn = chat.type("/cases")
    # 1. Studio Lale (open), 2. ACME Ltd (cancelled): [1] reopens ACME, then the question.
    reopen = t(lang, "coach-btn-reopen", number=2)
    assert turn.options[reopen] == 1, turn.options
    assert t(lang, "coach-btn-skip") in turn.options  # the repeated question, numbered on
    turn = chat.pick_number(turn, reopen)

    assert _flat(t(lang, "coach-reopened-named", client="ACME Ltd")) in _flat(turn.text)
    assert _flat(t(lang, "coach-reopen-previous-cancelled")) in _flat(turn.text)
    assert _flat(t(lang, "coach-contact-name-prompt")) in _flat(turn.text)
    assert _statuses(database) == {
        "ACME Ltd": ("active", "contact_name"),
        "Studio Lale": ("cancelled", "contact_name"),
    }
    turn = chat.type("Maria")  # the reopened case goes on from where it was
    assert _statuses(database)["ACME Ltd"] == ("active", "delivery")

    # The case that closed can be reopened in turn.
    turn = chat.type("/cases")
    turn = chat.pick_number(turn, t(lang, "coach-btn-reopen", number=1))
    assert _flat(t(lang, "coach-reopened-named", client="Studio Lale")) in _flat(turn.text)
    assert _statuses(database)["Studio Lale"] == ("active", "contact_name")
    assert _statuses(database)["ACME Ltd"] == ("cancelled", "delivery")
    chat.leave_with_ctrl_d()


@LANGS
def test_typed_answers_are_forgiving_and_the_question_always_comes_back(
    tmp_path: Path, chat_home: Path, lang: str
) -> None:
    """Blank and letterless answers, a cut delivery, /restart asked first, the follow-up
    pause with [We talked now], and /export then the question again."""
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang=lang, user="ana")

    def said(turn_text: str, key: str, **args: object) -> bool:
        return _flat(t(lang, key, **args)) in _flat(turn_text)

    turn = chat.pick_number(chat.first, t(lang, "coach-btn-calm"))
    turn = chat.type("   ")
    assert said(turn.text, "coach-blank") and said(turn.text, prompt_key(Step.CLIENT_NAME))
    turn = chat.type("🙂")
    assert said(turn.text, "coach-name-needs-letters")
    assert said(turn.text, prompt_key(Step.CLIENT_NAME))
    turn = chat.type("Maria Petrova")
    assert said(turn.text, prompt_key(Step.DELIVERY))
    limit = STEPS[Step.DELIVERY].max_length
    turn = chat.type(("logo " if lang == "en" else "лого ") * 60)
    assert limit < 300 and said(turn.text, "coach-too-long", limit=limit)

    turn = chat.type("/restart")
    assert said(turn.text, "coach-restart-confirm")
    turn = chat.type("hmm")
    assert said(turn.text, "coach-yes-or-no") and said(turn.text, "coach-restart-confirm")
    turn = chat.type("не" if lang == "bg" else "No.")
    assert said(turn.text, "coach-restart-kept")
    assert said(turn.text, prompt_key(Step.CLIENT_SAID))  # the same case, the question again

    turn = chat.pick_number(turn, t(lang, "coach-btn-skip"))
    turn = chat.pick_number(turn, t(lang, "coach-btn-direct"))
    turn = chat.pick_number(turn, t(lang, "coach-btn-writing"))
    turn = chat.type("1200")
    turn = chat.type("400")
    turn = chat.pick_number(turn, t(lang, "coach-btn-follow-up"))
    assert said(turn.text, "coach-talk-follow-up-set")
    assert said(turn.text, "coach-reminder-where-terminal")
    assert list(turn.options) == [t(lang, "coach-btn-talked-now"), t(lang, "coach-btn-skip")]

    turn = chat.type("/export")
    assert "── " + t(lang, "coach-export-title") + " " in turn.text
    assert list(turn.options) == [t(lang, "coach-btn-talked-now"), t(lang, "coach-btn-skip")]
    turn = chat.pick_number(turn, t(lang, "coach-btn-talked-now"))
    assert said(turn.text, "coach-talk-talked")
    chat.leave_with_ctrl_d()


def _to_the_price(chat: Chat, lang: str) -> Turn:
    turn = chat.pick_number(chat.first, t(lang, "coach-btn-calm"))
    chat.type("Maria Petrova")
    turn = chat.type("a logo" if lang == "en" else "лого")
    turn = chat.pick_number(turn, t(lang, "coach-btn-skip"))
    turn = chat.pick_number(turn, t(lang, "coach-btn-direct"))
    turn = chat.pick_number(turn, t(lang, "coach-btn-writing"))
    assert _flat(t(lang, prompt_key(Step.PRICE))) in _flat(turn.text)
    return turn


@pytest.mark.parametrize(
    ("lang", "price", "shown"),
    [("en", "1,200.50 dollars", "$1,200.50"), ("bg", "1 200,50 лева", "1\u00a0200,50\u00a0лв.")],
)
def test_a_currency_word_is_understood_and_a_skipped_deposit_stays_unknown(
    tmp_path: Path, chat_home: Path, lang: str, price: str, shown: str
) -> None:
    chat = Chat(database=tmp_path / "coach.db", home=chat_home, lang=lang, user="ana")
    _to_the_price(chat, lang)
    turn = chat.type(price)
    assert shown in turn.text  # in the locale's own format
    turn = chat.pick_number(turn, t(lang, "coach-btn-skip"))  # the deposit: not "none"
    turn = chat.type("/export")
    exported = _framed(turn, t(lang, "coach-export-title"))
    assert shown in exported
    assert t(lang, "coach-btn-no-deposit") not in exported
    assert t(lang, "coach-payment-no-deposit") not in exported
    chat.leave_with_ctrl_d()

    # Without a currency the coach says which one it assumes.
    chat = Chat(database=tmp_path / "other.db", home=chat_home, lang=lang, user="ana")
    _to_the_price(chat, lang)
    turn = chat.type("1200")
    assert _flat(t(lang, "coach-currency-assumed", currency="EUR")) in _flat(turn.text)
    chat.leave_with_ctrl_d()
