"""/cases reopens a cancelled case through the Slack Web API stand-in, both languages (issue 12)."""

from __future__ import annotations

import pytest

from bot.channels.slack import mrkdwn
from flows import callback
from flows.case import CaseStatus, Step
from flows.i18n import t
from flows.reopen import REOPEN
from tests.helpers.standins.slack import StoredMessage
from tests.slack.conftest import PressableButton, Workspace, buttons_of, token_of

ALICE = "U0ALICE"
MALLORY = "U0MALLORY"


def _reopen_buttons(workspace: Workspace, user: str) -> list[PressableButton]:
    """The Reopen buttons of the latest message that has any."""
    for message in reversed(workspace.dm(user)):
        found = [b for b in buttons_of(message) if token_of(b.value) == REOPEN]
        if found:
            return found
    raise AssertionError("no Reopen button was offered")


def _text(message: StoredMessage) -> str:
    return "\n".join(
        block["text"]["text"] for block in message.blocks if block.get("type") == "section"
    )


async def _two_cases(workspace: Workspace, user: str) -> None:
    """ACME Ltd cancelled at the contact person, then Studio Lale open at the same step."""
    await workspace.say(user, "hi")
    await workspace.press(user, "calm")
    await workspace.say(user, "ACME Ltd")
    await workspace.say(user, "/cancel")
    await workspace.say(user, "hello")
    await workspace.press(user, "calm")
    await workspace.say(user, "Studio Lale")


@pytest.mark.parametrize(("lang", "locale"), [("en", "en-US"), ("bg", "bg-BG")])
async def test_the_reopen_button_of_cases_reopens_the_case_and_cancels_the_open_one(
    workspace: Workspace, lang: str, locale: str
) -> None:
    workspace.api.locales[ALICE] = locale
    await _two_cases(workspace, ALICE)
    assert await workspace.say(ALICE, "/cases") == 200
    [button] = _reopen_buttons(workspace, ALICE)
    assert button.label == t(lang, "coach-btn-reopen", number=2)
    sent = len(workspace.dm(ALICE))

    assert await workspace.press_button(ALICE, button) == 200

    case = await workspace.case(ALICE)
    assert case is not None and case.answers.client_name == "ACME Ltd"
    assert case.step is Step.CONTACT_NAME and case.status is CaseStatus.ACTIVE
    said = "\n".join(_text(m) for m in workspace.dm(ALICE)[sent:])
    reopened = t(lang, "coach-reopened-named", client="ACME Ltd")
    assert mrkdwn.escape(reopened) in said
    assert mrkdwn.escape(t(lang, "coach-reopen-previous-cancelled")) in said
    assert not buttons_of(button.message)  # the /cases message was marked answered
    note = button.message.blocks[-1]["elements"][0]["text"]
    chosen = t(lang, "coach-reopen-chosen", client="ACME Ltd")
    assert note == mrkdwn.escape(t(lang, "slack-chosen", label=chosen))

    # A second press of the same button is refused and changes nothing.
    sent = len(workspace.dm(ALICE))
    assert await workspace.press_button(ALICE, button) == 200
    said = "\n".join(_text(m) for m in workspace.dm(ALICE)[sent:])
    assert mrkdwn.escape(t(lang, "coach-reopen-refused")) in said
    assert await workspace.case(ALICE) == case

    # The case that closed has a Reopen button of its own now.
    await workspace.say(ALICE, "/cases")
    [other] = _reopen_buttons(workspace, ALICE)
    assert other.label == t(lang, "coach-btn-reopen", number=1)
    workspace.check_every_block()


async def test_a_forged_reopen_press_for_another_users_case_changes_nothing(
    workspace: Workspace,
) -> None:
    await _two_cases(workspace, ALICE)
    alice = await workspace.storage.find_user(workspace.key(ALICE))
    assert alice is not None
    async with workspace.storage.transaction(readonly=True) as tx:
        alices_cases = await tx.list_cases(user_id=alice.id)
    (target,) = [c for c in alices_cases if c.status is CaseStatus.CANCELLED]
    await workspace.say(MALLORY, "hi")
    offered = [b for m in workspace.dm(MALLORY) for b in buttons_of(m)]
    [calm] = [b for b in offered if token_of(b.value) == "calm"]
    before = await workspace.case(MALLORY)
    forged = PressableButton(
        message=calm.message,
        action_id=calm.action_id,
        block_id=calm.block_id,
        label=calm.label,
        value=callback.encode(case_id=target.id, turn=target.turn, choice=REOPEN),
    )
    sent = len(workspace.dm(MALLORY))

    assert await workspace.press_button(MALLORY, forged) == 200

    said = "\n".join(_text(m) for m in workspace.dm(MALLORY)[sent:])
    assert mrkdwn.escape(t("en", "coach-reopen-refused")) in said
    assert await workspace.case(MALLORY) == before
    async with workspace.storage.transaction(readonly=True) as tx:
        assert await tx.list_cases(user_id=alice.id) == alices_cases
