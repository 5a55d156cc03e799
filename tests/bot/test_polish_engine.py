"""The AI polish through the engine (issue 16): the real openai SDK against the local stand-in.

The conversation is driven like an adapter drives it; the stand-in records every
request, so the tests assert on exactly what left the process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.engine import Engine
from bot.llm import LlmSettings, Polisher
from bot.metrics import Metrics
from flows.case import Step
from flows.coach import Coach
from flows.i18n import t
from flows.io import ChoiceInput, ConversationKey, Draft, ModelAnswer, Outgoing, Reply
from flows.reply_facts import facts_for
from storage import Storage
from tests.helpers.engine_helpers import (
    BULGARIAN_PATH,
    ENGLISH_PATH,
    Conversation,
    Script,
    Type,
    buttons_of,
    message,
    press,
)
from tests.helpers.openai_standin import (
    ADDED_SENTENCE,
    MODEL,
    OpenAIStandIn,
    error,
    polish_letter,
    rewrite,
    slow,
)

pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")

#: A user id that must never reach the model.
USER = ConversationKey(platform="telegram", workspace="", user_id="7712345")
VENT = "VENTED-SECRET I can't stand these people"


@pytest.fixture
async def standin() -> AsyncIterator[OpenAIStandIn]:
    """The OpenAI-compatible stand-in on a loopback port."""
    server = OpenAIStandIn()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def metrics() -> Metrics:
    """The worker's metrics, fed by the polisher's observer."""
    return Metrics()


@pytest.fixture
async def ai_engine(
    storage: Storage, standin: OpenAIStandIn, metrics: Metrics
) -> AsyncIterator[Engine]:
    """An engine with the polisher pointed at the stand-in (2 s timeout)."""
    settings = LlmSettings(base_url=standin.base_url, model=MODEL, timeout_seconds=2.0)
    engine = Engine(
        storage=storage,
        coach=Coach(),
        polisher=Polisher(settings, observer=metrics.model_called),
    )
    try:
        yield engine
    finally:
        await engine.aclose()


def _script(base: Script) -> Script:
    """``base`` up to the reply, venting first when the path cools down."""
    actions = dict(base.actions)
    if Step.COOL_DOWN in actions:
        actions[Step.COOL_DOWN] = [Type(VENT), *actions[Step.COOL_DOWN]]
    return Script(language=base.language, actions=actions, stop_at=Step.REPLY)


async def _to_the_reply(engine: Engine, storage: Storage, base: Script) -> Conversation:
    conversation = Conversation(key=USER, script=_script(base))
    await conversation.start(engine)
    while await conversation.step(engine, storage):
        pass
    case = await conversation.active_case(storage)
    assert case is not None and case.step is Step.REPLY
    return conversation


def _tokens(outgoing: list[Outgoing]) -> list[str]:
    from flows import callback

    return [d.choice for b in buttons_of(outgoing) if (d := callback.decode(b.data))]


def _last_tokens(outgoing: list[Outgoing]) -> list[str]:
    """The choice tokens of the last question (what the user can press now)."""
    replies = [item for item in outgoing if isinstance(item, Reply) and item.buttons]
    return _tokens([replies[-1]]) if replies else []


def _press_now(outgoing: list[Outgoing], token: str) -> ChoiceInput:
    """The press of ``token`` on the last question (earlier ones may be stale)."""
    replies = [item for item in outgoing if isinstance(item, Reply) and item.buttons]
    return press([replies[-1]], token)


def _drafts(outgoing: list[Outgoing]) -> list[Draft]:
    return [item for item in outgoing if isinstance(item, Draft)]


def _said(outgoing: list[Outgoing], language: str, key: str) -> bool:
    return any(t(language, key) in item.text for item in outgoing if isinstance(item, Reply))


async def test_without_a_model_the_reply_step_has_no_polish_button(storage: Storage) -> None:
    engine = Engine(storage=storage, coach=Coach())
    conversation = await _to_the_reply(engine, storage, ENGLISH_PATH)
    assert "tone" in _tokens(conversation.last)
    assert "polish" not in _tokens(conversation.last)


@pytest.mark.parametrize("base", [ENGLISH_PATH, BULGARIAN_PATH], ids=["en", "bg"])
async def test_polish_shows_a_marked_ai_draft_and_the_original_is_one_press_away(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn, base: Script
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, base)
    language = base.language
    composed = _drafts(conversation.last)[-1]
    assert "polish" in _tokens(conversation.last)
    standin.script(polish_letter())

    result = await conversation.send(ai_engine, _press_now(conversation.last, "polish"))

    assert _said(result.outgoing, language, "coach-polish-working")
    assert _said(result.outgoing, language, "coach-polish-shown")
    polished = _drafts(result.outgoing)[-1]
    assert polished.title == t(language, "coach-polish-draft-title")
    assert ADDED_SENTENCE["Bulgarian" if language == "bg" else "English"] in polished.text
    assert polished.text != composed.text
    assert {"shorter", "warmer", "composed"} <= set(_last_tokens(result.outgoing))
    assert "polish" not in _last_tokens(result.outgoing)
    case = await conversation.active_case(storage)
    assert case is not None and case.answers.showing_polished
    assert case.answers.polished == polished.text

    # What left the process: the composed reply and the typed facts, never the vented
    # text nor the user's id.
    sent = standin.everything_sent()
    assert len(standin.requests) == 1
    assert composed.text.split("\n")[0] in standin.requests[0].messages[1]["content"]
    assert "VENTED-SECRET" not in sent
    assert USER.user_id not in sent

    back = await conversation.send(ai_engine, _press_now(conversation.last, "composed"))
    assert _said(back.outgoing, language, "coach-polish-back")
    assert _drafts(back.outgoing)[-1].text == composed.text
    assert "polish" in _last_tokens(back.outgoing)


async def test_shorter_works_on_the_polished_text(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    standin.script(polish_letter(), error(500))
    await conversation.send(ai_engine, _press_now(conversation.last, "polish"))
    polished = _drafts(conversation.last)[-1].text

    result = await conversation.send(ai_engine, _press_now(conversation.last, "shorter"))

    assert "Make the letter shorter" in standin.requests[1].messages[1]["content"]
    assert polished in standin.requests[1].messages[1]["content"]
    # A 500 is the endpoint being unwell: "not available right now", not "could not use it".
    assert _said(result.outgoing, "en", "coach-polish-failed-busy")
    assert not _drafts(result.outgoing)
    # The notice never stands alone: the reply step's buttons come with it.
    assert {"shorter", "warmer", "composed"} <= set(_last_tokens(result.outgoing))
    case = await conversation.active_case(storage)
    assert case is not None and case.answers.showing_polished  # the polished draft stays


async def test_a_rewrite_that_drops_an_amount_is_rejected_and_the_composed_reply_stays(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    standin.script(polish_letter(drop_amounts=True))

    result = await conversation.send(ai_engine, _press_now(conversation.last, "polish"))

    assert _said(result.outgoing, "en", "coach-polish-rejected-facts")
    assert not _drafts(result.outgoing)
    case = await conversation.active_case(storage)
    assert case is not None and not case.answers.showing_polished
    assert case.answers.polished is None


@pytest.mark.parametrize(
    ("answer", "notice", "kind"),
    [
        (error(500), "coach-polish-failed-busy", "server_error"),
        (error(400), "coach-polish-failed-error", "client_error"),
        (slow(6.0), "coach-polish-failed-timeout", "timeout"),
        (error(429, retry_after="1"), "coach-polish-failed-busy", "rate_limited"),
    ],
    ids=["500", "400", "timeout", "429"],
)
async def test_a_failed_call_is_a_one_line_notice(
    ai_engine: Engine,
    storage: Storage,
    standin: OpenAIStandIn,
    metrics: Metrics,
    answer: object,
    notice: str,
    kind: str,
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    standin.script(answer)  # type: ignore[arg-type]

    result = await conversation.send(ai_engine, _press_now(conversation.last, "polish"))

    assert _said(result.outgoing, "en", notice)
    assert not _drafts(result.outgoing)
    # The notice comes with the reply step's question, so its buttons stay usable.
    assert {"polish", "done"} <= set(_last_tokens(result.outgoing))
    failures = metrics.registry.get_sample_value(
        "rejection_coach_llm_failures_total", {"purpose": "polish", "outcome": kind}
    )
    assert failures == 1.0


async def test_a_change_of_tone_makes_the_polished_draft_stale(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn, metrics: Metrics
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    standin.script(polish_letter())
    await conversation.send(ai_engine, _press_now(conversation.last, "polish"))
    polished = _drafts(conversation.last)[-1]
    assert polished.title == t("en", "coach-polish-draft-title")

    result = await conversation.send(ai_engine, _press_now(conversation.last, "tone"))

    draft = _drafts(result.outgoing)[-1]
    assert draft.title == t("en", "draft-title-reply")
    assert "polish" in _last_tokens(result.outgoing)
    calls = metrics.registry.get_sample_value(
        "rejection_coach_llm_calls_total", {"purpose": "polish", "outcome": "ok"}
    )
    assert calls == 1.0


async def test_an_answer_for_a_past_turn_is_dropped(ai_engine: Engine, storage: Storage) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    stale = ModelAnswer(purpose="polish", kind="ok", text="Dear Acme, hello.", turn=1)

    result = await ai_engine.handle(message(USER, stale, update_id=None))

    assert result.outgoing == []
    case = await conversation.active_case(storage)
    assert case is not None and not case.answers.showing_polished


async def test_with_a_sender_the_call_runs_after_the_update_and_is_delivered(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    delivered: list[tuple[ConversationKey, list[Outgoing]]] = []

    async def send(key: ConversationKey, outgoing: list[Outgoing]) -> None:
        delivered.append((key, outgoing))

    ai_engine.deliver_model_answers_with(USER.platform, send)
    standin.script(polish_letter())

    result = await conversation.send(ai_engine, _press_now(conversation.last, "polish"))

    assert _said(result.outgoing, "en", "coach-polish-working")  # acked at once
    assert not _drafts(result.outgoing)
    await ai_engine.wait_for_model_calls()
    assert len(delivered) == 1
    key, outgoing = delivered[0]
    assert key == USER
    assert _drafts(outgoing)[-1].title == t("en", "coach-polish-draft-title")


async def test_translate_my_facts_when_the_reply_is_in_the_other_language(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    assert "translate" not in _last_tokens(conversation.last)  # facts and reply agree
    await conversation.send(ai_engine, _press_now(conversation.last, "lang"))  # reply in bg
    assert "translate" in _last_tokens(conversation.last)
    standin.script(rewrite('{"delivery": "целева страница", "deadline": "следващия петък"}'))

    result = await conversation.send(ai_engine, _press_now(conversation.last, "translate"))

    request = standin.requests[0].messages
    assert "Bulgarian" in request[0]["content"]
    assert json.loads(request[1]["content"]) == {
        "delivery": "A landing page",
        "deadline": "next Friday",
    }
    assert _said(result.outgoing, "en", "coach-translate-done")
    assert "целева страница" in _drafts(result.outgoing)[-1].text
    assert "translate" not in _last_tokens(result.outgoing)
    case = await conversation.active_case(storage)
    assert case is not None
    # Kept beside the originals, like facts retyped by hand (switching back restores them).
    bulgarian = facts_for(case.answers, "bg")
    assert (bulgarian.delivery, bulgarian.deadline) == ("целева страница", "следващия петък")
    assert case.answers.delivery == "A landing page"


async def test_a_translation_with_other_keys_is_rejected_and_the_facts_stay(
    ai_engine: Engine, storage: Storage, standin: OpenAIStandIn
) -> None:
    conversation = await _to_the_reply(ai_engine, storage, ENGLISH_PATH)
    await conversation.send(ai_engine, _press_now(conversation.last, "lang"))
    standin.script(rewrite('{"delivery": "целева страница"}'))

    result = await conversation.send(ai_engine, _press_now(conversation.last, "translate"))

    assert _said(result.outgoing, "en", "coach-translate-rejected")
    case = await conversation.active_case(storage)
    assert case is not None and case.answers.delivery == "A landing page"
