"""Events: retries, hostile names in the draft, files, commands in DMs and /coach."""

from __future__ import annotations

import asyncio

from bot.channels.slack import mrkdwn
from flows.case import Step
from flows.i18n import t
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import dm_channel
from tests.slack.conftest import Workspace
from tests.slack.drive import ENGLISH, drive_to

ALICE = "U0ALICE"
HOSTILE = "<!channel> <@U123> Smith & Sons ``` injected"


async def test_a_retried_event_is_processed_once(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    body = ev.dm_message(ALICE, "Acme", event_id="Ev0RETRY01")
    assert await workspace.send(ev.json_request(body)) == 200
    posts = len(workspace.api.calls_of("chat.postMessage"))
    homes = len(workspace.api.calls_of("views.publish"))
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.DELIVERY
    # Slack did not see our ack in time and retries the same event (a new signature).
    for attempt in ("1", "2"):
        retry = ev.json_request(body)
        headers = {"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"}
        assert await workspace.send(retry, headers=headers) == 200
    assert len(workspace.api.calls_of("chat.postMessage")) == posts
    assert len(workspace.api.calls_of("views.publish")) == homes
    again = await workspace.case(ALICE)
    assert again is not None and again.step is Step.DELIVERY
    assert again.answers.client_name == "Acme"


async def test_a_retried_event_is_dropped_by_a_second_worker_too(workspace: Workspace) -> None:
    # The dedupe lives in the database, not in the adapter's memory: a fresh adapter
    # on the same engine (another worker, or after a restart) drops the retry as well.
    from bot.channels.slack.channel import SlackChannel

    body = ev.dm_message(ALICE, "hi", event_id="Ev0RETRY02")
    assert await workspace.send(ev.json_request(body)) == 200
    posts = len(workspace.api.calls_of("chat.postMessage"))
    other = SlackChannel(
        engine=workspace.engine,
        token=workspace.api.token,
        signing_secret=ev.SIGNING_SECRET,
        api_url=workspace.api.base_url,
    )
    handler = other.aiohttp_handler()
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/slack/events", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        retry = ev.json_request(body)
        async with workspace.session.post(
            url, data=retry.body.encode(), headers={**retry.headers, "X-Slack-Retry-Num": "1"}
        ) as resp:
            assert resp.status == 200
        for _ in range(3):
            await workspace.settle()
        await other.drain()
    finally:
        await other.stop()
        await runner.cleanup()
    assert len(workspace.api.calls_of("chat.postMessage")) == posts


async def test_hostile_names_are_inert_in_the_draft(workspace: Workspace) -> None:
    # Slack sends what the user typed with & < > escaped, exactly like this:
    script = {**ENGLISH, Step.CLIENT_NAME: ("type", mrkdwn.escape(HOSTILE))}
    await workspace.say(ALICE, "hi")
    await drive_to(workspace, ALICE, script)
    case = await workspace.case(ALICE)
    assert case is not None and case.answers.client_name == HOSTILE
    everything = [
        text
        for call in workspace.api.calls
        if call.method in ("chat.postMessage", "chat.update")
        for text in [call.args.get("text", "")]
        + [b["text"]["text"] for b in call.args["blocks"] if b["type"] in ("section", "header")]
    ]
    joined = "\n".join(everything)
    assert "<!channel>" not in joined and "<@U123>" not in joined
    assert "&lt;!channel&gt;" in joined and "&lt;@U123&gt;" in joined
    codes = [
        b["text"]["text"]
        for call in workspace.api.calls_of("chat.postMessage")
        for b in call.args["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("```")
    ]
    draft = next(c for c in codes if "&lt;!channel&gt;" in c)
    assert draft.count("```") == 2, "a ``` in the name must not close the code block"
    assert "Smith &amp; Sons" in draft
    home = workspace.api.calls_of("views.publish")[-1].args["view"]
    assert "<!channel>" not in str(home)
    workspace.check_every_block()


async def test_typed_text_with_slack_escapes_is_stored_as_typed(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    # Slack escapes & < > in message events: the user typed "Smith & Sons <Ltd>".
    await workspace.say(ALICE, "Smith &amp; Sons &lt;Ltd&gt;")
    case = await workspace.case(ALICE)
    assert case is not None and case.answers.client_name == "Smith & Sons <Ltd>"


async def test_files_get_the_text_only_answer(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    before = await workspace.case(ALICE)
    body = ev.dm_message(ALICE, "", files=[{"id": "F1", "name": "screenshot.png"}])
    assert await workspace.send(ev.json_request(body)) == 200
    assert mrkdwn.escape(t("en", "coach-text-only")) in "\n".join(workspace.texts(ALICE))
    after = await workspace.case(ALICE)
    assert before is not None and after is not None and after.step is before.step


async def test_commands_typed_in_the_dm(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    await workspace.say(ALICE, "Acme")
    await workspace.say(ALICE, "/back")
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.CLIENT_NAME
    assert case.answers.client_name == "Acme"


async def test_coach_command_starts_and_takes_subcommands(workspace: Workspace) -> None:
    assert await workspace.command(ALICE) == 200
    case = await workspace.case(ALICE)
    assert case is not None
    assert workspace.dm(ALICE), "the coach wrote in the DM"
    assert workspace.api.calls_of("conversations.open")[0].args["users"] == ALICE
    assert await workspace.command(ALICE, "help") == 200
    assert "/restart" in "\n".join(workspace.texts(ALICE))
    assert await workspace.command(ALICE, "restart") == 200
    restarted = await workspace.case(ALICE)
    assert restarted is not None and restarted.id != case.id
    assert await workspace.command(ALICE, "cancel") == 200
    assert await workspace.case(ALICE) is None
    # Nothing was said in a channel.
    assert workspace.api.calls_of("response_url") == []
    assert {m.channel for m in workspace.api.posted()} == {dm_channel(ALICE)}


async def test_coach_command_in_a_channel_points_to_the_dm(workspace: Workspace) -> None:
    assert await workspace.command(ALICE, "", channel_id="C0PUBLIC") == 200
    # The pointer goes to the command's response_url: ephemeral, in any channel.
    [pointer] = workspace.api.calls_of("response_url")
    assert pointer.args["response_type"] == "ephemeral"
    assert pointer.args["text"] == t("en", "slack-dm-pointer")
    assert workspace.api.calls_of("chat.postEphemeral") == []
    assert {m.channel for m in workspace.api.posted()} == {dm_channel(ALICE)}


async def test_language_from_slack_locale_and_lang_switch(workspace: Workspace) -> None:
    workspace.api.locales[ALICE] = "bg-BG"
    await workspace.say(ALICE, "hi")
    assert mrkdwn.escape(t("bg", "coach-text-only"))  # catalog present
    first = "\n".join(workspace.texts(ALICE))
    assert any("\u0400" <= ch <= "\u04ff" for ch in first), "greeted in Bulgarian"
    await workspace.command(ALICE, "lang")
    texts = "\n".join(workspace.texts(ALICE))
    tokens = workspace.offered_tokens(ALICE)
    if "en" in tokens:
        await workspace.press(ALICE, "en")
        texts = "\n".join(workspace.texts(ALICE))
    assert mrkdwn.escape(t("en", "coach-lang-switched")) in texts
    assert await workspace.engine.language_of(workspace.key(ALICE)) == "en"


async def test_a_retry_racing_the_original_is_processed_once(workspace: Workspace) -> None:
    await workspace.say(ALICE, "hi")
    await workspace.press(ALICE, "calm")
    posts = len(workspace.api.calls_of("chat.postMessage"))
    body = ev.dm_message(ALICE, "Acme", event_id="Ev0RACE001")
    first, retry = ev.json_request(body), ev.json_request(body)
    statuses = await asyncio.gather(
        workspace.send(first),
        workspace.send(retry, headers={"X-Slack-Retry-Num": "1"}),
    )
    assert list(statuses) == [200, 200]
    await workspace.settle()
    case = await workspace.case(ALICE)
    assert case is not None and case.step is Step.DELIVERY
    # One answer, one question about the delivery: not two.
    assert len(workspace.api.calls_of("chat.postMessage")) == posts + 1
