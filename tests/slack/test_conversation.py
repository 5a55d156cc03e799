"""Whole conversations on Slack, in English and Bulgarian, to the suggested reply."""

from __future__ import annotations

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from tests.helpers.standins.slack import StoredMessage
from tests.slack.conftest import Workspace, buttons_of
from tests.slack.drive import BULGARIAN, ENGLISH, drive_to

ALICE = "U0ALICE"
BOYAN = "U0BOYAN"


def _draft_messages(workspace: Workspace, user: str, title: str) -> list[StoredMessage]:
    """Messages whose first block is the bold draft title (a draft is its own message)."""
    heading = mrkdwn.bold(title)
    return [
        m
        for m in workspace.dm(user)
        if m.blocks and m.blocks[0].get("text", {}).get("text") == heading
    ]


def _code(message: StoredMessage) -> str:
    parts = []
    for block in message.blocks[1:]:
        text = block["text"]["text"]
        assert text.startswith("```\n") and text.endswith("\n```")
        parts.append(text[4:-4])
    return "\n".join(parts)


async def test_english_conversation_to_the_draft(workspace: Workspace) -> None:
    workspace.api.locales[ALICE] = "en-US"
    assert await workspace.say(ALICE, "hi") == 200
    seen = await drive_to(workspace, ALICE, ENGLISH)
    assert seen[0] is Step.CALM and seen[-1] is Step.REPLY

    # The language came from users.info with include_locale.
    info = workspace.api.calls_of("users.info")
    assert info and info[0].args["user"] == ALICE
    assert str(info[0].args["include_locale"]).lower() in ("1", "true")

    # The suggested reply is its own message, in a code block, with the amounts for en.
    [draft] = _draft_messages(workspace, ALICE, t("en", "draft-title-reply"))
    assert not buttons_of(draft)
    code = _code(draft)
    assert "Acme &amp; Sons" in code
    assert "€480.00" in code and "€80.00" in code

    # Every accepted press turned its question into the answer, without buttons.
    updates = workspace.api.calls_of("chat.update")
    presses = sum(1 for _kind, _ in ENGLISH.values() if _kind == "press")
    assert len(updates) >= presses - 1
    for call in updates:
        assert all(block["type"] != "actions" for block in call.args["blocks"])
        assert call.args["blocks"][-1]["type"] == "context"
        assert call.args["blocks"][-1]["elements"][0]["text"].startswith("Your answer: ")
    calm_label = mrkdwn.escape(t("en", "coach-btn-calm"))
    assert any(
        call.args["blocks"][-1]["elements"][0]["text"] == f"Your answer: {calm_label}"
        for call in updates
    )

    # The App Home followed every step.
    homes = workspace.api.calls_of("views.publish")
    assert len(homes) == len(seen)
    last_home = homes[-1].args["view"]
    case_block = next(b for b in last_home["blocks"] if b.get("block_id") == "home-case")
    assert t("en", "slack-step-reply") in case_block["text"]["text"]
    assert "Acme &amp; Sons" in case_block["text"]["text"]

    workspace.check_every_block()


async def test_bulgarian_conversation_to_the_draft(workspace: Workspace) -> None:
    workspace.api.locales[BOYAN] = "bg-BG"
    assert await workspace.say(BOYAN, "здравей") == 200
    first = "\n".join(workspace.texts(BOYAN))
    assert mrkdwn.escape(t("bg", "coach-calm-prompt")).split("\n")[0][:40] in first

    seen = await drive_to(workspace, BOYAN, BULGARIAN)
    assert Step.CONTINUE_MODE in seen and Step.UNUSABLE in seen

    [draft] = _draft_messages(workspace, BOYAN, t("bg", "draft-title-reply"))
    code = _code(draft)
    assert "Иванов и синове ООД" in code
    assert "Вие" in code or "Ви " in code  # formal by default
    assert "€" in code and "," in code  # Babel bg: "1 200,00 €"
    assert "€1" not in code

    # The buttons were Bulgarian too.
    labels = [
        element["text"]["text"]
        for call in workspace.api.calls_of("chat.postMessage")
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert t("bg", "coach-btn-calm") in labels

    homes = workspace.api.calls_of("views.publish")
    assert homes[-1].args["view"]["blocks"][0]["text"]["text"] == t("bg", "slack-home-title")
    workspace.check_every_block()


async def test_finishing_the_case_and_history(workspace: Workspace) -> None:
    assert await workspace.say(ALICE, "hi") == 200
    await drive_to(workspace, ALICE, ENGLISH)
    await workspace.press(ALICE, "done")
    assert await workspace.case(ALICE) is None
    # The next-contract clause is its own message too.
    assert _draft_messages(workspace, ALICE, t("en", "draft-title-contract-clause"))
    home = workspace.api.calls_of("views.publish")[-1].args["view"]
    case_block = next(b for b in home["blocks"] if b.get("block_id") == "home-case")
    assert case_block["text"]["text"] == mrkdwn.escape(t("en", "slack-home-no-case"))
    assert await workspace.command(ALICE, "cases") == 200
    assert await workspace.command(ALICE, "export") == 200
    workspace.check_every_block()
