"""The AI polish on Slack (issue 16): the real bolt app over HTTP against the Web API
stand-in, the real openai SDK against the OpenAI-compatible stand-in.

The press is acked at once; the model is called in the background (as ``serve``
wires it) and the polished draft is posted to the DM through the channel's ``deliver``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.slack import mrkdwn
from bot.engine import Engine
from bot.llm import LlmSettings, Polisher
from flows.coach import Coach
from flows.i18n import t
from storage import Storage
from tests.helpers.openai_standin import ADDED_SENTENCE, MODEL, OpenAIStandIn, polish_letter
from tests.helpers.standins.slack import TEAM_ID, SlackApiStandIn
from tests.slack.conftest import FakeClock, Workspace, serve_workspace
from tests.slack.drive import BULGARIAN, ENGLISH, drive_to

pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")

USER = "U0ZORNICA"


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    """The OpenAI-compatible stand-in, answering with the request's letter reworked."""
    server = OpenAIStandIn(default=polish_letter())
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def ai_workspace(
    slack_api: SlackApiStandIn,
    coach_storage: Storage,
    clock: FakeClock,
    standin: OpenAIStandIn,
) -> AsyncIterator[Workspace]:
    """The real Slack app with an engine whose polisher points at the stand-in."""
    polisher = Polisher(LlmSettings(base_url=standin.base_url, model=MODEL, timeout_seconds=5))
    engine = Engine(storage=coach_storage, coach=Coach(), clock=clock, polisher=polisher)
    async with serve_workspace(api=slack_api, storage=coach_storage, engine=engine) as ws:
        engine.deliver_model_answers_with(ws.adapter.name, ws.adapter.deliver)  # as serve does
        try:
            yield ws
        finally:
            await engine.aclose()


def _polished(workspace: Workspace, language: str) -> list[str]:
    heading = mrkdwn.bold(t(language, "coach-polish-draft-title"))
    return [
        "\n".join(block["text"]["text"] for block in m.blocks[1:])
        for m in workspace.dm(USER)
        if m.blocks and m.blocks[0].get("text", {}).get("text") == heading
    ]


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_the_button_and_the_polished_draft_on_slack(
    ai_workspace: Workspace, standin: OpenAIStandIn, language: str
) -> None:
    ai_workspace.api.locales[USER] = "bg-BG" if language == "bg" else "en-US"
    assert await ai_workspace.say(USER, "hi") == 200
    await drive_to(ai_workspace, USER, BULGARIAN if language == "bg" else ENGLISH)
    assert "polish" in ai_workspace.offered_tokens(USER)

    await ai_workspace.press(USER, "polish")
    await ai_workspace.engine.wait_for_model_calls()
    await ai_workspace.settle()

    [polished] = _polished(ai_workspace, language)
    assert mrkdwn.escape(ADDED_SENTENCE["Bulgarian" if language == "bg" else "English"]) in (
        polished
    )
    assert {"shorter", "warmer", "composed"} <= set(ai_workspace.offered_tokens(USER))
    ai_workspace.check_every_block()

    sent = standin.everything_sent()
    assert len(standin.requests) == 1
    assert USER not in sent and TEAM_ID not in sent


async def test_without_a_model_slack_offers_no_polish(workspace: Workspace) -> None:
    workspace.api.locales[USER] = "en-US"
    assert await workspace.say(USER, "hi") == 200
    await drive_to(workspace, USER, ENGLISH)
    assert "done" in workspace.offered_tokens(USER)
    assert "polish" not in workspace.offered_tokens(USER)
