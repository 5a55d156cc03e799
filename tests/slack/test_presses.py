"""Buttons: accepted presses edit the question; stale, forged and double presses change nothing."""

from __future__ import annotations

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from tests.helpers import slack_events as ev
from tests.slack.conftest import PressableButton, Workspace, buttons_of, token_of
from tests.slack.drive import ENGLISH, drive_to

ALICE = "U0ALICE"
STALE = mrkdwn.escape(t("en", "coach-stale"))


async def _start(workspace: Workspace) -> PressableButton:
    assert await workspace.say(ALICE, "hi") == 200
    [calm] = [b for m in workspace.dm(ALICE) for b in buttons_of(m) if token_of(b.value) == "calm"]
    return calm


async def test_accepted_press_updates_the_question(workspace: Workspace) -> None:
    calm = await _start(workspace)
    assert await workspace.press_button(ALICE, calm) == 200
    [update] = workspace.api.calls_of("chat.update")
    assert update.args["channel"] == calm.message.channel
    assert update.args["ts"] == calm.message.ts
    assert not buttons_of(calm.message)  # the stand-in keeps the updated message
    note = calm.message.blocks[-1]["elements"][0]["text"]
    assert note == mrkdwn.escape(t("en", "slack-chosen", label=calm.label))
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.CLIENT_NAME
    workspace.check_every_block()


async def test_double_press_is_processed_once(workspace: Workspace) -> None:
    calm = await _start(workspace)
    assert await workspace.press_button(ALICE, calm) == 200
    after_first = await workspace.case(ALICE)
    posts = len(workspace.api.calls_of("chat.postMessage"))
    # The user's client had not refreshed yet: a second press of the same button.
    assert await workspace.press_button(ALICE, calm) == 200
    after_second = await workspace.case(ALICE)
    assert after_first is not None and after_second is not None
    assert (after_second.step, after_second.turn) == (after_first.step, after_first.turn)
    assert after_second.answers == after_first.answers
    new_texts = [
        block["text"]["text"]
        for call in workspace.api.calls_of("chat.postMessage")[posts:]
        for block in call.args["blocks"]
        if block["type"] == "section"
    ]
    assert any(STALE in text for text in new_texts)
    assert len(workspace.api.calls_of("chat.update")) == 1


async def test_the_same_press_delivered_twice_is_dropped(workspace: Workspace) -> None:
    calm = await _start(workspace)
    request = ev.block_action(
        ALICE,
        calm.message,
        action_id=calm.action_id,
        block_id=calm.block_id,
        value=calm.value,
        action_ts="1700000100.000001",
    )
    assert await workspace.send(request) == 200
    calls = len(workspace.api.calls)
    # Slack (or a proxy) delivers exactly the same request again.
    assert await workspace.send(request) == 200
    assert len(workspace.api.calls) == calls
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.CLIENT_NAME


async def test_stale_press_from_an_earlier_message(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await drive_to(workspace, ALICE, ENGLISH, until=Step.CHANNEL)
    before = await workspace.case(ALICE)
    updates = len(workspace.api.calls_of("chat.update"))
    # A button of an earlier question, still shown in an old client.
    old = workspace.api.calls_of("chat.postMessage")
    intermediary = next(
        (call, element)
        for call in old
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if token_of(element["value"]) == "agency"
    )
    call, element = intermediary
    message = next(m for m in workspace.dm(ALICE) if m.ts == _ts_of(workspace, call))
    stale = PressableButton(
        message=message,
        action_id=element["action_id"],
        block_id="choices",
        label=element["text"]["text"],
        value=element["value"],
    )
    assert await workspace.press_button(ALICE, stale) == 200
    after = await workspace.case(ALICE)
    assert before is not None and after is not None
    assert (after.step, after.turn, after.answers) == (before.step, before.turn, before.answers)
    assert len(workspace.api.calls_of("chat.update")) == updates
    last_texts = workspace.texts(ALICE)[-3:]
    assert any(STALE in text for text in last_texts)
    # …and the current question is asked again, with its buttons.
    assert "writing" in workspace.offered_tokens(ALICE)


async def test_forged_presses_change_nothing(workspace: Workspace) -> None:
    calm = await _start(workspace)
    before = await workspace.case(ALICE)
    for value in ("rc:00000000:1:calm", "rc:zz:1:calm", "garbage", "x" * 2000, ""):
        forged = PressableButton(
            message=calm.message,
            action_id=calm.action_id,
            block_id=calm.block_id,
            label=calm.label,
            value=value,
        )
        assert await workspace.press_button(ALICE, forged) == 200
    after = await workspace.case(ALICE)
    assert before is not None and after is not None
    assert (after.step, after.turn, after.answers) == (before.step, before.turn, before.answers)
    assert workspace.api.calls_of("chat.update") == []
    assert any(STALE in text for text in workspace.texts(ALICE))
    workspace.check_every_block()


async def test_press_in_a_signed_payload_with_a_bad_signature_is_refused(
    workspace: Workspace,
) -> None:
    calm = await _start(workspace)
    request = ev.block_action(
        ALICE, calm.message, action_id=calm.action_id, value=calm.value, secret="wrong"
    )
    calls = len(workspace.api.calls)
    assert await workspace.send(request) == 401
    assert len(workspace.api.calls) == calls
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.CALM
    assert buttons_of(calm.message)  # the question still offers its buttons


def _ts_of(workspace: Workspace, call: object) -> str:
    """The ts the stand-in gave the message a chat.postMessage call created."""
    index = workspace.api.calls_of("chat.postMessage").index(call)  # type: ignore[arg-type]
    return workspace.api.posted()[index].ts
