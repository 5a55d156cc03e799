"""Every kind of message the coach sends, rendered for Slack and checked with slack_sdk.

Walks the other branches of the flow (an agency and the call-request draft,
the other payment variants and their sub-choices, the reply's buttons, the
fact editor's rows, history, export, help, a long text) in both languages,
then validates every block of every ``chat.postMessage``, ``chat.update`` and
``views.publish`` the app made.
"""

from __future__ import annotations

import pytest

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from flows.reply_facts import missing_fact
from tests.slack.conftest import Workspace
from tests.slack.drive import ENGLISH, Action, drive_to

USER = "U0BLOCKS"

KEEP_DEPOSIT: dict[Step, Action] = {
    **ENGLISH,
    Step.INTERMEDIARY: ("press", "agency"),
    Step.INTERMEDIARY_CONTACT: ("type", "Petra"),
    Step.CHANNEL: ("press", "calls"),
    Step.PRICE: ("type", "1.200,50 лв"),
    Step.DEPOSIT: ("type", "500"),
    Step.TALK: ("press", "follow"),
    Step.PROBLEM: ("press", "style"),
    Step.PROBLEM_DETAILS: ("type", "The tone is too formal for their audience."),
    Step.SOLUTION: ("press", "redo"),
    Step.DEADLINE: ("type", "next Friday"),
    Step.PAYMENT: ("press", "keep_deposit"),
    Step.PAYMENT_CONFIRM: ("press", "yes"),
}

OTHER_SHARE: dict[Step, Action] = {
    **ENGLISH,
    Step.INTERMEDIARY: ("press", "freelancer"),
    Step.INTERMEDIARY_CONTACT: ("press", "skip"),
    Step.PRICE: ("type", "1200 USD"),
    Step.DEPOSIT: ("press", "none"),
    Step.TALK: ("press", "skip"),
    Step.PROBLEM: ("press", "plans"),
    Step.KILL_FEE_SHARE: ("press", "other"),
    Step.KILL_FEE_OTHER: ("type", "35%"),
    Step.KILL_FEE_AGREED: ("press", "no"),
}

ABSORB: dict[Step, Action] = {
    **ENGLISH,
    Step.CLIENT_NAME: ("press", "skip"),
    Step.DELIVERY: ("press", "skip"),
    Step.CLIENT_SAID: ("press", "skip"),
    Step.PRICE: ("type", "£1,200"),
    Step.PROBLEM: ("press", "scope"),
    Step.SOLUTION: ("press", "redo"),
    Step.PAYMENT: ("press", "continue"),
    Step.CONTINUE_MODE: ("press", "absorb"),
}


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize(
    "script", [KEEP_DEPOSIT, OTHER_SHARE, ABSORB], ids=["keep", "share", "absorb"]
)
async def test_every_branch_renders_valid_blocks(
    workspace: Workspace, language: str, script: dict[Step, Action]
) -> None:
    workspace.api.locales[USER] = "bg-BG" if language == "bg" else "en-GB"
    assert await workspace.say(USER, "hi") == 200
    await drive_to(workspace, USER, script)
    # The reply's own buttons: tone, the other language, the fact editor and back.
    await workspace.press(USER, "tone")
    await workspace.press(USER, "lang")
    # Facts typed in the other language are asked again in the reply's: skipped here.
    while (case := await workspace.case(USER)) is not None and missing_fact(
        case.answers, case.answers.reply_language or language
    ):
        await workspace.press(USER, "skip")
    await workspace.press(USER, "facts")
    case = await workspace.case(USER)
    assert case is not None and case.step is Step.EDIT_FACTS
    await workspace.press(USER, "ret")
    await workspace.command(USER, "help")
    await workspace.command(USER, "export")
    await workspace.command(USER, "cases")
    await workspace.command(USER, "unknown")
    await workspace.press(USER, "done")
    await workspace.say(USER, "x" * 5000)  # longer than the flow keeps
    workspace.check_every_block()
    assert len(workspace.api.calls_of("chat.postMessage")) > 20


async def test_upset_path_and_venting_render_valid_blocks(workspace: Workspace) -> None:
    await workspace.say(USER, "hi")
    await workspace.press(USER, "upset")
    await workspace.say(USER, "I am so angry at them <!here> & everyone")
    vented = "\n".join(workspace.texts(USER))
    assert "<!here>" not in vented
    await workspace.press(USER, "ready")
    case = await workspace.case(USER)
    assert case is not None and case.step is Step.CLIENT_NAME
    assert mrkdwn.escape(t("en", "coach-cool-down-vented-1")) in vented
    workspace.check_every_block()
