"""Inline mode: ``@bot`` in any chat offers the asking user's own drafts, nobody else's."""

from __future__ import annotations

from flows.i18n import t
from tests.helpers.standins.telegram import BotApiStandIn
from tests.telegram.conftest import MakeUser
from tests.telegram.script import facts, play, to_reply


async def test_inline_query_offers_only_the_asking_users_drafts(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    ana = make_user(language_code="bg", first_name="Ана")
    ben = make_user(language_code="en", first_name="Ben")
    await play(ana, to_reply(client="Алфа ООД", language="bg"), language="bg")
    await play(ben, facts(client="Beta Ltd"), language="en")

    await ana.inline_query()
    await ben.inline_query()

    ana_answer, ben_answer = (c.params for c in api.calls_to("answerInlineQuery"))
    for answer in (ana_answer, ben_answer):
        assert answer["is_personal"] is True
        assert answer["cache_time"] == 0
    ana_texts = [r["input_message_content"]["message_text"] for r in ana_answer["results"]]
    ben_texts = [r["input_message_content"]["message_text"] for r in ben_answer["results"]]
    assert ana_texts and ben_texts
    assert all("Beta Ltd" not in text for text in ana_texts)
    assert all("Алфа ООД" not in text for text in ben_texts)
    assert any("Алфа ООД" in text for text in ana_texts)
    assert any("Beta Ltd" in text for text in ben_texts)
    # The newest first: Ana's suggested reply leads; each result is plain text to send as is.
    first = ana_answer["results"][0]
    assert first["type"] == "article"
    assert first["title"] == t("bg", "draft-title-reply")
    assert "parse_mode" not in first["input_message_content"]


async def test_inline_query_text_filters_the_drafts(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    ana = make_user(language_code="en")
    await play(ana, to_reply(client="Gamma"), language="en")

    await ana.inline_query("no such words anywhere")

    [answer] = [c.params for c in api.calls_to("answerInlineQuery")]
    assert answer["results"] == []


async def test_a_user_without_drafts_is_offered_the_coach(
    api: BotApiStandIn, make_user: MakeUser
) -> None:
    newcomer = make_user(language_code="bg")

    await newcomer.inline_query()

    [answer] = [c.params for c in api.calls_to("answerInlineQuery")]
    assert answer["results"] == []
    assert answer["button"] == {"text": t("bg", "tg-inline-start"), "start_parameter": "coach"}
