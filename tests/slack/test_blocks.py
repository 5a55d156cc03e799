"""Block Kit rendering: escaping, limits, and slack_sdk's own model validation."""

from __future__ import annotations

from bot.channels.slack import blocks
from flows.case import Step
from flows.i18n import catalog
from flows.io import Button, Draft, DraftKind, Reply
from tests.slack.blockkit import check_home_view, check_message_blocks

HOSTILE = "<!channel> <@U123> Smith & Sons ``` end"


def test_reply_with_title_text_and_buttons() -> None:
    reply = Reply(
        text="How do you feel?",
        title="Step 1",
        buttons=((Button("I'm calm", "rc:abc:1:calm"), Button("Upset", "rc:abc:1:upset")),),
    )
    [message] = blocks.render(reply)
    check_message_blocks(message.blocks)
    assert message.blocks[0]["text"]["text"] == "*Step 1*\nHow do you feel?"
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["rc:abc:1:calm", "rc:abc:1:upset"]
    assert message.text == "Step 1\nHow do you feel?"


def test_hostile_text_is_inert() -> None:
    [message] = blocks.render(Reply(text=HOSTILE, title=HOSTILE))
    check_message_blocks(message.blocks)
    rendered = message.blocks[0]["text"]["text"]
    assert "<!channel>" not in rendered and "<@U123>" not in rendered
    assert "&lt;!channel&gt;" in rendered and "&amp;" in rendered
    assert "<" not in message.text


def test_long_text_is_split_and_long_labels_truncated() -> None:
    long_label = "A very long answer label " * 10
    reply = Reply(
        text=("Paragraph " * 200 + "\n\n") * 10,
        buttons=((Button(long_label, "rc:abc:2:x"),),),
    )
    messages = blocks.render(reply)
    for message in messages:
        check_message_blocks(message.blocks)
    sections = [b for m in messages for b in m.blocks if b["type"] == "section"]
    assert len(sections) > 1
    [button] = [
        e for m in messages for b in m.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert button["text"]["text"].endswith("…") and len(button["text"]["text"]) == 75


def test_more_than_fifty_blocks_go_to_several_messages_buttons_last() -> None:
    reply = Reply(
        text="\n\n".join(["x" * 2900] * 60),
        buttons=tuple((Button(f"b{i}", f"rc:abc:3:b{i}"),) for i in range(4)),
    )
    messages = blocks.render(reply)
    assert len(messages) == 2
    for message in messages:
        check_message_blocks(message.blocks)
    assert all(b["type"] != "actions" for b in messages[0].blocks)
    assert sum(b["type"] == "actions" for b in messages[-1].blocks) == 4


def test_draft_in_code_blocks_with_fences_neutralised() -> None:
    draft = Draft(
        kind=DraftKind.REPLY, text=f"Dear {HOSTILE},\n\nThanks.", language="en", title="Reply"
    )
    [message] = blocks.render(draft)
    check_message_blocks(message.blocks)
    assert message.blocks[0]["text"]["text"] == "*Reply*"
    code = message.blocks[1]["text"]["text"]
    assert code.startswith("```\n") and code.endswith("\n```")
    inner = code[4:-4]
    assert "```" not in inner
    assert "&lt;!channel&gt; &lt;@U123&gt; Smith &amp; Sons" in inner


def test_long_draft_splits_into_several_code_blocks() -> None:
    draft = Draft(
        kind=DraftKind.EXPORT, text="line of text\n" * 1000, language="en", title="Export"
    )
    [message] = blocks.render(draft)
    check_message_blocks(message.blocks)
    codes = message.blocks[1:]
    assert len(codes) >= 4
    assert all(b["text"]["text"].startswith("```\n") for b in codes)


def test_answered_drops_buttons_and_shows_the_choice() -> None:
    [question] = blocks.render(
        Reply(text="Who pays?", buttons=((Button("Keep <deposit>", "rc:a:1:k"),),))
    )
    updated = blocks.answered(
        {"text": question.text, "blocks": question.blocks, "ts": "1.2"},
        chosen_label="Keep <deposit>",
        language="en",
    )
    check_message_blocks(updated.blocks)
    assert all(b["type"] != "actions" for b in updated.blocks)
    assert updated.blocks[-1]["elements"][0]["text"] == "Your answer: Keep &lt;deposit&gt;"


def test_home_view_with_and_without_a_case() -> None:
    for language in ("en", "bg"):
        empty = blocks.home_view(language=language, step_name=None, client=None, next_action=None)
        check_home_view(empty)
        full = blocks.home_view(
            language=language, step_name="Money", client=HOSTILE, next_action="enter the price"
        )
        check_home_view(full)
        case_text = full["blocks"][3]["text"]["text"]
        assert "&lt;!channel&gt;" in case_text
        action_ids = [e["action_id"] for e in full["blocks"][-1]["elements"]]
        assert action_ids == ["home-continue", "home-new-case", "home-language", "home-delete"]


def test_every_step_has_a_home_label_and_next_action() -> None:
    for language in ("en", "bg"):
        lang = catalog(language)
        for step in Step:
            assert lang.has(f"slack-step-{step.value}"), (language, step)
            assert lang.has(f"slack-next-{step.value}"), (language, step)
