"""The follow-up on Slack (issue 15): Done's buttons, "Did … answer?" in the DM, /coach stats."""

from __future__ import annotations

from datetime import timedelta

from bot.channels.slack import mrkdwn
from flows.case import CaseOutcome
from flows.i18n import t
from tests.helpers import slack_events as ev
from tests.slack.conftest import FakeClock, Workspace
from tests.slack.drive import BULGARIAN, ENGLISH, drive_to

ALICE = "U0ALICE"


def _all_text(workspace: Workspace) -> str:
    return "\n".join(workspace.texts(ALICE))


async def test_the_follow_up_in_the_dm_and_the_stats(
    workspace: Workspace, clock: FakeClock
) -> None:
    assert await workspace.say(ALICE, "hi") == 200
    await drive_to(workspace, ALICE, ENGLISH)
    await workspace.press(ALICE, "done")
    assert workspace.offered_tokens(ALICE) == ["fu.2d", "fu.7d", "fu.no"]
    await workspace.press(ALICE, "fu.2d")
    assert mrkdwn.escape(t("en", "outcome-will-ask-2d")) in _all_text(workspace)

    clock.advance(timedelta(days=2, minutes=1))
    assert await workspace.reminders.run_once() == 1
    asked = mrkdwn.escape(t("en", "outcome-ask-named", client="Acme & Sons"))
    assert asked in _all_text(workspace)
    assert set(workspace.offered_tokens(ALICE)) == {f"o.{outcome.value}" for outcome in CaseOutcome}

    await workspace.press(ALICE, "o.agreed")
    assert mrkdwn.escape(t("en", "outcome-amount-prompt")) in _all_text(workspace)
    assert await workspace.say(ALICE, "1 000 €") == 200
    assert mrkdwn.escape(t("en", "outcome-note-prompt")) in _all_text(workspace)
    assert await workspace.say(ALICE, "Paid *in full* <!channel>") == 200  # escaped like any input
    assert "<!channel>" not in _all_text(workspace)

    assert await workspace.command(ALICE, "stats") == 200
    text = _all_text(workspace)
    assert mrkdwn.escape(t("en", "outcome-stats-agreed", count=1)) in text
    assert "€1,000.00" in text
    # The App Home has the same stats, for this user only.
    home = workspace.api.calls_of("views.publish")[-1].args["view"]
    stats = next(b for b in home["blocks"] if b.get("block_id") == "home-stats")
    assert mrkdwn.escape(t("en", "outcome-stats-agreed", count=1)) in stats["text"]["text"]
    workspace.check_every_block()


async def test_a_follow_up_in_bulgarian_while_another_case_is_open(
    workspace: Workspace, clock: FakeClock
) -> None:
    workspace.api.locales[ALICE] = "bg-BG"
    assert await workspace.say(ALICE, "здравей") == 200
    await drive_to(workspace, ALICE, BULGARIAN)
    await workspace.press(ALICE, "done")
    assert await workspace.say(ALICE, "нов случай") == 200  # a new case, at the mood check
    open_case = await workspace.case(ALICE)
    assert open_case is not None

    clock.advance(timedelta(days=3, minutes=1))
    assert await workspace.reminders.run_once() == 1
    await workspace.press(ALICE, "o.no_answer")
    text = _all_text(workspace)
    assert mrkdwn.escape(t("bg", "outcome-no-answer")) in text
    assert any(t("bg", "draft-title-nudge") in m.text for m in workspace.dm(ALICE))
    after = await workspace.case(ALICE)
    assert after is not None
    assert (after.id, after.step, after.version) == (
        open_case.id,
        open_case.step,
        open_case.version,
    )
    # The open case's question is the latest keyboard again.
    assert "calm" in workspace.offered_tokens(ALICE)
    assert await workspace.send(ev.json_request(ev.app_home_opened(ALICE))) == 200
    workspace.check_every_block()
