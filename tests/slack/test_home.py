"""The App Home tab, its buttons, /delete, and reminders delivered to the DM."""

from __future__ import annotations

from datetime import timedelta

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import dm_channel
from tests.slack.conftest import FakeClock, Workspace

ALICE = "U0ALICE"


def _case_text(view: dict[str, object]) -> str:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    block = next(b for b in blocks if b.get("block_id") == "home-case")
    return str(block["text"]["text"])


async def test_home_opened_without_a_case(workspace: Workspace) -> None:
    assert await workspace.send(ev.json_request(ev.app_home_opened(ALICE))) == 200
    [publish] = workspace.api.calls_of("views.publish")
    assert publish.args["user_id"] == ALICE
    view = publish.args["view"]
    assert _case_text(view) == mrkdwn.escape(t("en", "slack-home-no-case"))
    buttons = [e["action_id"] for e in view["blocks"][-1]["elements"]]
    assert buttons == ["home-continue", "home-new-case", "home-language", "home-delete"]
    # Opening the Messages tab publishes nothing.
    assert await workspace.send(ev.json_request(ev.app_home_opened(ALICE, tab="messages"))) == 200
    assert len(workspace.api.calls_of("views.publish")) == 1
    assert not any((await workspace.rows()).values()), "looking at the Home stores nothing"
    workspace.check_every_block()


async def test_home_shows_the_active_case_after_each_step(workspace: Workspace) -> None:
    workspace.api.locales[ALICE] = "bg-BG"
    await workspace.say(ALICE, "здравей")
    await workspace.press(ALICE, "calm")
    await workspace.say(ALICE, "Иванов ООД")
    homes = workspace.api.calls_of("views.publish")
    assert len(homes) == 3
    steps = [_case_text(call.args["view"]) for call in homes]
    assert t("bg", "slack-step-calm") in steps[0]
    assert t("bg", "slack-step-client_name") in steps[1]
    # A company's name: the optional contact-person question comes next.
    assert t("bg", "slack-step-contact_name") in steps[2]
    assert t("bg", "slack-home-client", client="Иванов ООД") in steps[2]
    assert t("bg", "slack-next-contact_name") in steps[2]
    assert await workspace.send(ev.json_request(ev.app_home_opened(ALICE))) == 200
    assert _case_text(workspace.api.calls_of("views.publish")[-1].args["view"]) == steps[2]
    workspace.check_every_block()


async def test_home_buttons_continue_new_case_and_language(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    first = await workspace.case(ALICE)
    assert first is not None

    assert await workspace.send(ev.home_action(ALICE, action_id="home-continue")) == 200
    assert workspace.dm(ALICE)[-1].channel == dm_channel(ALICE)
    continued = await workspace.case(ALICE)
    assert continued is not None and continued.id == first.id

    assert await workspace.send(ev.home_action(ALICE, action_id="home-new-case")) == 200
    fresh = await workspace.case(ALICE)
    assert fresh is not None and fresh.id != first.id

    posts = len(workspace.api.calls_of("chat.postMessage"))
    assert await workspace.send(ev.home_action(ALICE, action_id="home-language")) == 200
    assert len(workspace.api.calls_of("chat.postMessage")) > posts
    # No chat.update for Home buttons: there is no question message to edit.
    assert all(
        c.args["channel"] == dm_channel(ALICE) for c in workspace.api.calls_of("chat.update")
    )
    workspace.check_every_block()


async def test_delete_from_the_home_erases_everything(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    await workspace.say(ALICE, "Acme")
    assert (await workspace.rows())["cases"] == 1
    assert await workspace.send(ev.home_action(ALICE, action_id="home-delete")) == 200
    assert mrkdwn.escape(t("en", "coach-delete-confirm")) in "\n".join(workspace.texts(ALICE))
    await workspace.press(ALICE, "del.yes")
    assert mrkdwn.escape(t("en", "coach-after-delete")) in "\n".join(workspace.texts(ALICE))
    rows = await workspace.rows()
    for table in ("users", "cases", "case_events", "reminders", "drafts"):
        assert rows.get(table, 0) == 0, (table, rows)
    home = workspace.api.calls_of("views.publish")[-1].args["view"]
    assert _case_text(home) == mrkdwn.escape(t("en", "slack-home-no-case"))


async def test_a_reminder_arrives_in_the_dm(workspace: Workspace, clock: FakeClock) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "upset")
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.COOL_DOWN
    await workspace.press(ALICE, "r15")
    posts = len(workspace.api.calls_of("chat.postMessage"))
    workspace.reminders.start()
    clock.advance(timedelta(minutes=16))
    reminder = mrkdwn.escape(t("en", "coach-reminder-cool-down"))
    await workspace.api.wait_for(
        lambda api: any(
            reminder in block["text"]["text"]
            for call in api.calls_of("chat.postMessage")[posts:]
            for block in call.args["blocks"]
            if block["type"] == "section"
        )
    )
    new = workspace.api.calls_of("chat.postMessage")[posts:]
    assert {call.args["channel"] for call in new} == {dm_channel(ALICE)}
    workspace.check_every_block()


async def test_home_button_of_a_new_user_opens_the_dm(workspace: Workspace) -> None:
    assert await workspace.send(ev.home_action(ALICE, action_id="home-new-case")) == 200
    [opened] = workspace.api.calls_of("conversations.open")
    assert opened.args["users"] == ALICE
    assert workspace.dm(ALICE), "the coach started in the DM"
    case = await workspace.case(ALICE)
    assert case is not None
    workspace.check_every_block()


async def test_a_burst_of_steps_ends_with_the_latest_home(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    before = len(workspace.api.calls_of("views.publish"))
    # Three answers typed quickly: each is acknowledged at once, the work follows.
    for text in ("Maria Ivanova", "a logo and a landing page", "This is not what we imagined."):
        request = ev.json_request(ev.dm_message(ALICE, text))
        async with workspace.session.post(
            workspace.url, data=request.body.encode(), headers=request.headers
        ) as response:
            assert response.status == 200
    await workspace.settle()
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.INTERMEDIARY
    homes = workspace.api.calls_of("views.publish")[before:]
    # Refreshes asked for while one was being published may be merged, never lost:
    # the last App Home shows the newest step.
    assert 1 <= len(homes) <= 3
    last = _case_text(homes[-1].args["view"])
    assert t("en", "slack-step-intermediary") in last
    assert "Maria Ivanova" in last
    workspace.check_every_block()
