"""Hostile user text reaches Telegram escaped: as written, never as markup."""

from __future__ import annotations

import pytest

from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver
from tests.telegram.conftest import MakeUser
from tests.telegram.script import entity_text, play, to_reply


@pytest.mark.parametrize(
    "client",
    ["<b>Evil</b> Corp", "Tom & Jerry Ltd", "</pre><b>x", "&amp; &lt;x&gt; Co", "<a href='x'>"],
)
async def test_hostile_client_names_are_escaped_in_every_message(
    api: BotApiStandIn, make_user: MakeUser, polling_deliver: Deliver, client: str
) -> None:
    user = make_user(language_code="en", deliver=polling_deliver)

    received = await play(user, to_reply(client=client), language="en")

    # Telegram accepted every message (the stand-in parses HTML as strictly as Telegram).
    assert api.failed_calls() == []
    reply = next(m for m in received if entity_text(m, "bold") == [t("en", "draft-title-reply")])
    # The name appears literally inside the copyable block, and made no markup of its own.
    assert client in entity_text(reply, "pre")[0]
    assert {e["type"] for e in reply["entities"]} == {"bold", "pre"}
    for message in user.bot_messages():
        assert {e["type"] for e in message.get("entities", [])} <= {"bold", "pre"}
    sent = [c.text for c in api.calls_to("sendMessage") if "Evil" in c.text or "Jerry" in c.text]
    assert all("<b>Evil" not in text for text in sent)
