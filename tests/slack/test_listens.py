"""Issue 12 through the Slack Web API stand-in, both languages: free text at the mood check,
the vent erased on close, "ready" cancelling the cool-down reminder, typed yes at /delete."""

from __future__ import annotations

import json

import pytest

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from tests.slack.conftest import Workspace

ALICE = "U0ALICE"
LOCALES = {"en": "en-US", "bg": "bg-BG"}
LANGS = pytest.mark.parametrize("lang", ["en", "bg"])
MOOD = {"en": "honestly I'm furious", "bg": "бясна съм"}
VENT = "VENT-7d2e they never read the brief"


def _said_since(workspace: Workspace, user: str, index: int) -> str:
    return "\n".join(
        block["text"]["text"]
        for message in workspace.dm(user)[index:]
        for block in message.blocks
        if block.get("type") == "section"
    )


async def _stored_text(workspace: Workspace) -> str:
    async with workspace.storage.transaction(readonly=True) as tx:
        rows = await tx.connection.exec_driver_sql("SELECT state FROM cases")
        return "\n".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows)


@LANGS
async def test_free_text_at_the_mood_check_is_heard_and_erased_when_the_case_closes(
    workspace: Workspace, lang: str
) -> None:
    workspace.api.locales[ALICE] = LOCALES[lang]
    await workspace.say(ALICE, "hi")
    sent = len(workspace.dm(ALICE))

    await workspace.say(ALICE, MOOD[lang])

    said = _said_since(workspace, ALICE, sent)
    assert mrkdwn.escape(t(lang, "coach-mood-mirror-angry")) in said
    assert mrkdwn.escape(t(lang, "coach-choose-button")) not in said
    assert "ready" in workspace.offered_tokens(ALICE)  # the cool-down's buttons
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.COOL_DOWN
    await workspace.say(ALICE, VENT)
    stored = await _stored_text(workspace)
    assert "VENT-7d2e" in stored and MOOD[lang] in stored  # kept, privately, while open

    await workspace.say(ALICE, "/cancel")

    stored = await _stored_text(workspace)
    assert "VENT-7d2e" not in stored and MOOD[lang] not in stored
    workspace.check_every_block()


@LANGS
async def test_ready_cancels_the_cool_down_reminder_and_says_it_arrives_in_the_chat(
    workspace: Workspace, lang: str
) -> None:
    workspace.api.locales[ALICE] = LOCALES[lang]
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "upset")
    sent = len(workspace.dm(ALICE))
    await workspace.press(ALICE, "r15")
    said = _said_since(workspace, ALICE, sent)
    assert mrkdwn.escape(t(lang, "coach-reminder-where-chat")) in said
    assert (await workspace.rows())["reminders"] == 1

    await workspace.press(ALICE, "ready")

    assert (await workspace.rows())["reminders"] == 0


@pytest.mark.parametrize(("lang", "yes"), [("bg", "да"), ("en", "Yes!")])
async def test_typed_yes_at_delete_erases_everything(
    workspace: Workspace, lang: str, yes: str
) -> None:
    workspace.api.locales[ALICE] = LOCALES[lang]
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    await workspace.say(ALICE, "ACME Ltd")
    await workspace.say(ALICE, "/delete")
    sent = len(workspace.dm(ALICE))
    await workspace.say(ALICE, "hmm")
    assert mrkdwn.escape(t(lang, "coach-delete-confirm")) in _said_since(workspace, ALICE, sent)
    assert await workspace.case(ALICE) is not None

    sent = len(workspace.dm(ALICE))
    await workspace.say(ALICE, yes)

    assert mrkdwn.escape(t(lang, "coach-after-delete")) in _said_since(workspace, ALICE, sent)
    rows = await workspace.rows()
    assert rows["users"] == 0 and rows["cases"] == 0
