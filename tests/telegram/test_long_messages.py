"""Long texts are split under Telegram's limit, every part accepted, nothing lost."""

from __future__ import annotations

from bot.channels.telegram.channel import TelegramChannel
from flows.io import Button, Draft, DraftKind, Reply
from tests.helpers.standins.telegram import BotApiStandIn, utf16_length


async def test_a_long_draft_and_reply_are_sent_in_valid_parts(
    api: BotApiStandIn, adapter: TelegramChannel
) -> None:
    paragraph = "Условия & срокове <важно> — 1 200,00 € 😀 " * 12
    text = "\n\n".join(f"{n}. {paragraph}" for n in range(40))
    button = Button("OK", "rc:0123abcd:7:ok")

    sent = await adapter.send(
        chat_id=42,
        outgoing=[
            Draft(kind=DraftKind.EXPORT, text=text, language="bg", title="Случай </pre>"),
            Reply(text=text, title="Обобщение", buttons=((button,),)),
        ],
    )

    calls = api.calls_to("sendMessage")
    assert len(calls) == len(sent) > 4
    assert api.failed_calls() == []
    messages = api.chat_messages(42)
    assert all(utf16_length(m["text"]) <= 4096 for m in messages)
    # Only the very last part carries the keyboard.
    assert [("reply_markup" in m) for m in messages] == [False] * (len(messages) - 1) + [True]
    # The draft's parts, put back together, are the draft.
    draft_parts = [m for m in messages if any(e["type"] == "pre" for e in m.get("entities", []))]
    pre_texts = [_entity(m, "pre") for m in draft_parts]
    assert "\n\n".join(pre_texts) == text


def _entity(message: dict[str, object], kind: str) -> str:
    text = str(message["text"]).encode("utf-16-le")
    entities = message.get("entities", [])
    assert isinstance(entities, list)
    [entity] = [e for e in entities if e["type"] == kind]
    return text[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode(
        "utf-16-le"
    )
