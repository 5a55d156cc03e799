"""The terminal shows a due follow-up at the next start, the current question kept (issue 15).

A case finished earlier has its "How did it go?" due; another case is in progress.
The real ``python -m bot chat`` in a pseudo-terminal shows the follow-up with its
own numbered options and, under it, the start's question — both answerable.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Engine
from flows.case import Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import ConversationKey
from storage import Storage, upgrade
from tests.bot.test_console import Chat, _flat
from tests.helpers.engine_helpers import BULGARIAN_PATH, ENGLISH_PATH, Conversation
from tests.helpers.loops import run_in_own_loop
from tests.helpers.storage_helpers import sqlite_url

SCRIPTS = {"en": ENGLISH_PATH, "bg": BULGARIAN_PATH}
CLIENTS = {"en": "Acme Ltd", "bg": "„Акме“ АД"}


async def _one_done_one_open(database: Path, user: str, language: str) -> None:
    """A finished case with its follow-up due now, and a second case at its second question."""
    await upgrade(sqlite_url(database))
    storage = Storage(sqlite_url(database))
    try:
        engine = Engine(storage=storage, coach=Coach())
        key = ConversationKey(platform="console", workspace="", user_id=user)
        finished = Conversation(key=key, script=SCRIPTS[language])
        await finished.start(engine)
        while await finished.step(engine, storage):
            pass
        script = replace(SCRIPTS[language], stop_at=Step.CLIENT_NAME)
        second = Conversation(key=key, script=script)
        await second.start(engine)
        while await second.step(engine, storage):
            pass
    finally:
        await storage.dispose()
    with sqlite3.connect(database) as connection:
        due = connection.execute(
            "UPDATE reminders SET due_at = '2000-01-01 00:00:00.000000' "
            "WHERE kind = 'outcome' AND sent_at IS NULL"
        ).rowcount
    assert due == 1


@pytest.mark.parametrize("language", ["en", "bg"])
def test_a_due_follow_up_shows_at_the_next_start_without_hiding_the_question(
    tmp_path: Path, language: str
) -> None:
    database = tmp_path / "coach.db"
    home = tmp_path / "home"
    home.mkdir()
    run_in_own_loop(_one_done_one_open(database, "ana", language))

    chat = Chat(database=database, home=home, lang=language, user="ana")
    asked = t(language, "outcome-ask-named", client=CLIENTS[language])
    turn = chat.first if asked in _flat(chat.first.text) else chat.read_turn()

    assert asked in _flat(turn.text)
    # Both keyboards are live: the follow-up's and, last, the start's question.
    assert t(language, "outcome-btn-agreed") in turn.options
    assert t(language, "coach-btn-continue") in turn.options
    # Numbered on: [1]–[5] the follow-up, then the start's [Continue] [New case].
    assert turn.options[t(language, "outcome-btn-agreed")] == 1
    assert turn.options[t(language, "coach-btn-continue")] == 6
    assert _flat(turn.text).rfind(t(language, "coach-btn-continue")) > _flat(turn.text).find(asked)

    answered = chat.pick_number(turn, t(language, "outcome-btn-agreed"))
    assert t(language, "outcome-agreed") in _flat(answered.text)
    assert _flat(t(language, "outcome-saved")) in _flat(answered.text)
    # The case in progress is where it was: its question follows.
    assert _flat(t(language, "coach-client-name-prompt"))[:30] in _flat(answered.text)

    stats = chat.type("/stats")
    assert t(language, "outcome-stats-agreed", count=1) in _flat(stats.text)
    assert t(language, "outcome-stats-active", count=1) in _flat(stats.text)
    chat.leave_with_ctrl_d()
