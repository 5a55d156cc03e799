"""The model adapter (bot/llm) driven through the real openai SDK over HTTP.

The SDK talks to ``tests/helpers/openai_standin.py`` on 127.0.0.1; nothing is
mocked. Each scenario runs end to end: the prompt from ``flows.polish``, the
call through :class:`Polisher`, the answer through ``check_polished``.
Tests that need the SDK skip only when the optional ``openai`` package is
missing (it is part of the ``dev`` extra, so CI runs them).
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path
from types import ModuleType

import pytest

from bot.llm import (
    LOCAL_API_KEY,
    BreakerState,
    CircuitBreaker,
    LlmSettings,
    OutcomeKind,
    Polisher,
    PolishOutcome,
    UserRateLimiter,
    opaque_key,
)
from flows.case import Answers, PaymentVariant, Solution, Tone
from flows.drafts import compose_reply
from flows.polish import (
    ChatRequest,
    PolishReason,
    build_polish_request,
    check_polished,
    facts_from_answers,
)
from flows.translate import TranslatableFact, build_translate_request, check_translation
from tests.helpers.openai_standin import (
    MODEL,
    OpenAIStandIn,
    Scripted,
    error,
    not_json,
    refusal,
    rewrite,
    slow,
)

ROOT = Path(__file__).resolve().parents[2]
VENT = "VENTED-7f3a: honestly this client is an idiot"
USER_ID = "314159265"
USER_KEY = f"opaque-key-of-{USER_ID}"


class FakeClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def sdk() -> ModuleType:
    """The real openai SDK (the optional ``ai`` extra)."""
    return pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")


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
def clock() -> FakeClock:
    """The clock of the breaker and the rate limit."""
    return FakeClock()


def _settings(standin: OpenAIStandIn, **overrides: object) -> LlmSettings:
    values: dict[str, object] = {
        "base_url": standin.base_url,
        "model": MODEL,
        "timeout_seconds": 5.0,
    }
    values.update(overrides)
    return LlmSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def polisher(
    sdk: ModuleType, standin: OpenAIStandIn, clock: FakeClock
) -> AsyncIterator[Polisher]:
    """A polisher on the stand-in: 3 failures open the breaker for 180 s, 10 calls/hour."""
    adapter = Polisher(_settings(standin), clock=clock)
    try:
        yield adapter
    finally:
        await adapter.aclose()


def _answers() -> Answers:
    return Answers(
        vented=[VENT],
        client_name="Acme Ltd",
        delivery="the logo",
        client_said="This is not what we are looking for.",
        solution=Solution.PART_WAYS,
        payment_variant=PaymentVariant.KILL_FEE,
        kill_fee_percent=D(40),
        kill_fee_agreed=True,
        price=D(1200),
        deposit=D(400),
    )


def _case(language: str = "en") -> tuple[str, ChatRequest, Answers]:
    answers = _answers()
    if language == "bg":
        answers.client_name = "Студио Лале"
        answers.delivery = "логото"
        answers.client_said = "Не е това, което търсим."
    composed = compose_reply(answers, language=language, tone=Tone.FORMAL).text
    facts = facts_from_answers(answers, reply_text=composed)
    request = build_polish_request(
        reply_text=composed, facts=facts, language=language, tone=Tone.FORMAL
    )
    return composed, request, answers


EN_PHRASE = "I understand that the result is not what you expected."
BG_PHRASE = "Разбирам, че резултатът не отговаря на очакванията Ви."


def _good(composed: str, language: str) -> str:
    if language == "en":
        assert EN_PHRASE in composed
        return composed.replace(EN_PHRASE, "I can see it is not what you had in mind.")
    assert BG_PHRASE in composed
    return composed.replace(BG_PHRASE, "Разбирам, че не е това, което очаквахте.")


def _verdict(composed: str, outcome: PolishOutcome, answers: Answers, language: str) -> object:
    assert outcome.text is not None
    return check_polished(
        composed,
        outcome.text,
        facts=facts_from_answers(answers, reply_text=composed),
        language=language,
    )


# --------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize("language", ["en", "bg"])
async def test_a_good_rewrite_is_accepted(
    polisher: Polisher, standin: OpenAIStandIn, language: str
) -> None:
    composed, request, answers = _case(language)
    standin.script(rewrite(_good(composed, language)))
    outcome = await polisher.polish(request, user_key=USER_KEY)
    assert outcome.kind is OutcomeKind.OK
    verdict = check_polished(
        composed,
        outcome.text or "",
        facts=facts_from_answers(answers, reply_text=composed),
        language=language,
    )
    assert verdict.accepted, verdict.reason
    assert verdict.text == _good(composed, language).replace("\u00a0", " ")
    assert polisher.breaker.state is BreakerState.CLOSED


async def test_what_is_sent_is_the_letter_and_the_facts_never_the_vent_or_ids(
    polisher: Polisher, standin: OpenAIStandIn
) -> None:
    composed, request, _ = _case()
    standin.script(rewrite(_good(composed, "en")))
    await polisher.polish(request, user_key=USER_KEY)
    [sent] = standin.requests
    assert sent.path == "/v1/chat/completions"
    assert set(sent.body) == {"model", "messages", "temperature"}
    assert sent.body["model"] == MODEL
    assert [m["role"] for m in sent.messages] == ["system", "user"]
    assert "Acme Ltd" in sent.messages[1]["content"]
    assert "This is not what we are looking for." in sent.messages[1]["content"]
    everything = standin.everything_sent()
    assert "VENTED-7f3a" not in everything
    assert "idiot" not in everything
    assert USER_ID not in everything
    assert USER_KEY not in everything
    assert sent.headers["Authorization"] == f"Bearer {LOCAL_API_KEY}"


async def test_an_openai_key_from_the_environment_is_never_sent(
    polisher: Polisher, standin: OpenAIStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    await polisher.polish(_case()[1], user_key=USER_KEY)
    assert standin.requests[0].headers["Authorization"] == f"Bearer {LOCAL_API_KEY}"
    assert "sk-from-the-environment" not in standin.everything_sent()


async def test_a_configured_api_key_is_sent_as_a_bearer_token(
    sdk: ModuleType, standin: OpenAIStandIn
) -> None:
    adapter = Polisher(_settings(standin, api_key="sk-test-123"))
    try:
        await adapter.polish(_case()[1], user_key=USER_KEY)
    finally:
        await adapter.aclose()
    assert standin.requests[0].headers["Authorization"] == "Bearer sk-test-123"


async def test_a_rewrite_that_drops_an_amount_is_rejected(
    polisher: Polisher, standin: OpenAIStandIn
) -> None:
    composed, request, answers = _case()
    dropped = _good(composed, "en").replace(" of €1,200.00", "")
    standin.script(rewrite(dropped))
    outcome = await polisher.polish(request, user_key=USER_KEY)
    assert outcome.kind is OutcomeKind.OK
    verdict = _verdict(composed, outcome, answers, "en")
    assert getattr(verdict, "reason", None) is PolishReason.MISSING_AMOUNT


async def test_a_rewrite_in_the_wrong_language_is_rejected(
    polisher: Polisher, standin: OpenAIStandIn
) -> None:
    composed, request, answers = _case()
    bulgarian = (
        "Здравейте, екип на Acme Ltd,\n\n"
        "Благодаря Ви за откровеното мнение за логото. Разбирам, че не е това, което "
        "очаквахте, и оценявам, че ми го казахте директно.\n\n"
        "Тъй като не мога да предложа точно това, което търсите сега, смятам, че е по-честно "
        "да прекратим работата по проекта, като запазим добрите отношения.\n\n"
        "Съгласно договора ни за свършената работа се дължат 40% от цената (€1,200.00), "
        "т.е. €480.00. След като приспадна капарото от €400.00, ще Ви издам фактура за "
        "остатъка от €80.00.\n\n"
        "Моля, потвърдете дали това Ви устройва.\n\nБлагодаря Ви за възможността."
    )
    standin.script(rewrite(bulgarian))
    outcome = await polisher.polish(request, user_key=USER_KEY)
    verdict = _verdict(composed, outcome, answers, "en")
    assert getattr(verdict, "reason", None) is PolishReason.WRONG_LANGUAGE


async def test_a_translation_round_trip(polisher: Polisher, standin: OpenAIStandIn) -> None:
    sources = {TranslatableFact.DELIVERY: "текстове за 5 страници"}
    request = build_translate_request(sources, language="en")
    standin.script(rewrite('```json\n{"delivery": "texts for 5 pages"}\n```'))
    outcome = await polisher.polish(request, user_key=USER_KEY)
    assert outcome.kind is OutcomeKind.OK
    verdict = check_translation(outcome.text or "", sources=sources, language="en")
    assert verdict.as_dict() == {TranslatableFact.DELIVERY: "texts for 5 pages"}
    assert standin.requests[0].body["temperature"] == 0.0


async def test_a_timeout_is_an_outcome_not_an_exception(
    sdk: ModuleType, standin: OpenAIStandIn
) -> None:
    adapter = Polisher(_settings(standin, timeout_seconds=0.3))
    standin.script(slow(30))
    try:
        outcome = await adapter.polish(_case()[1], user_key=USER_KEY)
    finally:
        await adapter.aclose()
    assert outcome.kind is OutcomeKind.TIMEOUT
    assert outcome.text is None
    assert 0.2 <= outcome.latency_seconds < 5


@pytest.mark.parametrize(
    ("answer", "kind", "status"),
    [
        (error(500), OutcomeKind.SERVER_ERROR, 500),
        (error(503), OutcomeKind.SERVER_ERROR, 503),
        (error(400), OutcomeKind.CLIENT_ERROR, 400),
        (error(401), OutcomeKind.CLIENT_ERROR, 401),
        (error(404), OutcomeKind.CLIENT_ERROR, 404),
        (error(429, retry_after="7"), OutcomeKind.RATE_LIMITED, 429),
    ],
)
async def test_http_errors_become_typed_outcomes(
    polisher: Polisher, standin: OpenAIStandIn, answer: Scripted, kind: OutcomeKind, status: int
) -> None:
    standin.script(answer)
    outcome = await polisher.polish(_case()[1], user_key=USER_KEY)
    assert outcome.kind is kind
    assert outcome.status_code == status
    assert len(standin.requests) == 1  # max_retries=0: the user is waiting


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (refusal(), OutcomeKind.REFUSAL),
        (Scripted(content="x", finish_reason="content_filter"), OutcomeKind.REFUSAL),
        (rewrite(""), OutcomeKind.EMPTY),
        (rewrite("   \n"), OutcomeKind.EMPTY),
        (Scripted(content="Dear Acme, thank you for", finish_reason="length"), OutcomeKind.INVALID),
        (Scripted(choices=False), OutcomeKind.INVALID),
        (not_json(), OutcomeKind.INVALID),
    ],
)
async def test_answers_without_a_usable_letter(
    polisher: Polisher, standin: OpenAIStandIn, answer: Scripted, kind: OutcomeKind
) -> None:
    standin.script(answer)
    outcome = await polisher.polish(_case()[1], user_key=USER_KEY)
    assert outcome.kind is kind
    assert outcome.text is None


async def test_a_refusal_does_not_count_against_the_endpoint(
    polisher: Polisher, standin: OpenAIStandIn
) -> None:
    standin.script(refusal(), refusal(), refusal(), refusal())
    for _ in range(4):
        outcome = await polisher.polish(_case()[1], user_key=USER_KEY)
        assert outcome.kind is OutcomeKind.REFUSAL
    assert polisher.breaker.state is BreakerState.CLOSED


async def test_an_endpoint_that_is_down_is_a_connection_error(sdk: ModuleType) -> None:
    server = OpenAIStandIn()
    await server.start()
    url = server.base_url
    await server.close()  # nothing listens there any more
    adapter = Polisher(LlmSettings(base_url=url, model=MODEL, timeout_seconds=2))
    try:
        outcome = await adapter.polish(_case()[1], user_key=USER_KEY)
    finally:
        await adapter.aclose()
    assert outcome.kind is OutcomeKind.CONNECTION_ERROR


async def test_one_sdk_retry_when_asked(sdk: ModuleType, standin: OpenAIStandIn) -> None:
    composed = _case()[0]
    standin.script(error(500, retry_after="0"), rewrite(_good(composed, "en")))
    adapter = Polisher(_settings(standin), max_retries=1)
    try:
        outcome = await adapter.polish(_case()[1], user_key=USER_KEY)
    finally:
        await adapter.aclose()
    assert outcome.kind is OutcomeKind.OK
    assert len(standin.requests) == 2


# --------------------------------------------------------------------------- the breaker


async def test_the_breaker_opens_after_three_failures_and_recovers(
    polisher: Polisher, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    request = _case()[1]
    standin.script(error(500), error(502), error(500))
    kinds = [(await polisher.polish(request, user_key=USER_KEY)).kind for _ in range(3)]
    assert kinds == [OutcomeKind.SERVER_ERROR] * 3
    assert polisher.breaker.state is BreakerState.OPEN

    refused = await polisher.polish(request, user_key=USER_KEY)
    assert refused.kind is OutcomeKind.CIRCUIT_OPEN
    assert refused.retry_after_seconds == pytest.approx(180)
    assert len(standin.requests) == 3  # the open breaker sent nothing

    clock.advance(181)
    assert polisher.breaker.state is BreakerState.HALF_OPEN
    standin.script(rewrite(_good(_case()[0], "en")))
    probe = await polisher.polish(request, user_key="another-user")
    assert probe.kind is OutcomeKind.OK
    assert polisher.breaker.state is BreakerState.CLOSED
    assert len(standin.requests) == 4


async def test_a_failed_probe_opens_the_breaker_again(
    polisher: Polisher, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    request = _case()[1]
    standin.script(error(500), error(500), error(500), error(500))
    for _ in range(3):
        await polisher.polish(request, user_key=USER_KEY)
    clock.advance(181)
    probe = await polisher.polish(request, user_key="u2")
    assert probe.kind is OutcomeKind.SERVER_ERROR
    assert polisher.breaker.state is BreakerState.OPEN
    assert (await polisher.polish(request, user_key="u3")).kind is OutcomeKind.CIRCUIT_OPEN


async def test_retry_after_holds_the_breaker_open_at_once(
    polisher: Polisher, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    standin.script(error(429, retry_after="30"))
    outcome = await polisher.polish(_case()[1], user_key=USER_KEY)
    assert outcome.kind is OutcomeKind.RATE_LIMITED
    assert outcome.retry_after_seconds == 30
    assert (await polisher.polish(_case()[1], user_key="u2")).kind is OutcomeKind.CIRCUIT_OPEN
    clock.advance(31)
    assert polisher.breaker.state is BreakerState.HALF_OPEN
    assert len(standin.requests) == 1


async def test_a_cancelled_probe_frees_the_half_open_slot(
    polisher: Polisher, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    request = _case()[1]
    standin.script(error(500), error(500), error(500), slow(30))
    for _ in range(3):
        await polisher.polish(request, user_key=USER_KEY)
    clock.advance(181)
    task = asyncio.create_task(polisher.polish(request, user_key="u2"))
    while len(standin.requests) < 4:
        await asyncio.sleep(0.01)
    assert not polisher.breaker.allow()  # the probe is out: nobody else goes
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert polisher.breaker.allow()


def test_breaker_unit_transitions() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, open_seconds=60, clock=clock)
    assert breaker.allow() and breaker.retry_after() is None
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED  # a success in between resets the count
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.advance(60)
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_server_cannot_hold_the_breaker_open_for_ever() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(max_hold_seconds=600, clock=clock)
    breaker.record_failure(hold_seconds=86_400)
    assert breaker.retry_after() == 600


# --------------------------------------------------------------------------- the rate limit


async def test_the_per_user_limit(
    sdk: ModuleType, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    limiter = UserRateLimiter(limit=2, window_seconds=3600, clock=clock)
    adapter = Polisher(_settings(standin), limiter=limiter, clock=clock)
    request = _case()[1]
    standin.default = rewrite(_good(_case()[0], "en"))
    try:
        first = [(await adapter.polish(request, user_key="alice")).kind for _ in range(2)]
        clock.advance(600)
        limited = await adapter.polish(request, user_key="alice")
        other = await adapter.polish(request, user_key="bob")
        clock.advance(3001)
        again = await adapter.polish(request, user_key="alice")
    finally:
        await adapter.aclose()
    assert first == [OutcomeKind.OK, OutcomeKind.OK]
    assert limited.kind is OutcomeKind.USER_LIMITED
    assert limited.retry_after_seconds == pytest.approx(3000)
    assert other.kind is OutcomeKind.OK
    assert again.kind is OutcomeKind.OK
    assert len(standin.requests) == 4  # the limited call never left the process


async def test_calls_refused_by_the_breaker_do_not_use_the_users_quota(
    sdk: ModuleType, standin: OpenAIStandIn, clock: FakeClock
) -> None:
    breaker = CircuitBreaker(failure_threshold=1, clock=clock)
    breaker.record_failure()
    limiter = UserRateLimiter(limit=1, clock=clock)
    adapter = Polisher(_settings(standin), breaker=breaker, limiter=limiter, clock=clock)
    try:
        refused = await adapter.polish(_case()[1], user_key="alice")
    finally:
        await adapter.aclose()
    assert refused.kind is OutcomeKind.CIRCUIT_OPEN
    assert limiter.allows("alice")
    assert standin.requests == []


def test_the_opaque_key_is_stable_and_reveals_no_id() -> None:
    key = opaque_key("telegram", "", USER_ID)
    assert key == opaque_key("telegram", "", USER_ID)
    assert key != opaque_key("slack", "", USER_ID)
    assert key != opaque_key("telegram", USER_ID, "")
    assert USER_ID not in key and len(key) == 32


def test_the_limiter_forgets_the_least_recent_keys() -> None:
    clock = FakeClock()
    limiter = UserRateLimiter(limit=1, max_keys=2, clock=clock)
    for key in ("a", "b", "c"):
        limiter.record(key)
    assert limiter.allows("a")  # forgotten: memory stays bounded
    assert not limiter.allows("b") and not limiter.allows("c")


def test_the_limiter_says_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = UserRateLimiter(limit=1, clock=clock)
    assert limiter.retry_after("a") is None
    limiter.record("a")
    assert limiter.retry_after("a") == 3600


# --------------------------------------------------------------------------- logs, metrics


async def test_logs_carry_no_prompt_and_no_completion(
    polisher: Polisher, standin: OpenAIStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    composed, request, _ = _case()
    good = _good(composed, "en")
    standin.script(rewrite(good), error(500))
    with caplog.at_level(logging.DEBUG):
        await polisher.polish(request, user_key=USER_KEY)
        await polisher.polish(request, user_key=USER_KEY)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "model call polish: ok in" in text
    assert "model call polish: server_error in" in text
    for secret in ("Acme Ltd", "I can see it is not", "€480.00", USER_KEY, "VENTED"):
        assert secret not in text
    assert "I can see" not in repr(PolishOutcome(kind=OutcomeKind.OK, text=good))
    # openai 1.x/2.x log request bodies at DEBUG: the adapter holds the SDK's logger higher.
    assert logging.getLogger("openai").getEffectiveLevel() >= logging.WARNING


async def test_the_observer_sees_every_outcome_and_cannot_break_a_call(
    sdk: ModuleType, standin: OpenAIStandIn
) -> None:
    seen: list[tuple[str, OutcomeKind]] = []

    def observe(purpose: str, outcome: PolishOutcome) -> None:
        seen.append((purpose, outcome.kind))
        raise RuntimeError("metrics backend down")

    adapter = Polisher(_settings(standin), observer=observe)
    standin.script(error(500))
    try:
        outcome = await adapter.polish(_case()[1], user_key=USER_KEY)
    finally:
        await adapter.aclose()
    assert outcome.kind is OutcomeKind.SERVER_ERROR
    assert seen == [("polish", OutcomeKind.SERVER_ERROR)]


# --------------------------------------------------------------------------- settings, import


def test_settings_from_the_environment() -> None:
    settings = LlmSettings.from_env(
        {
            "LLM_BASE_URL": "http://127.0.0.1:11434/v1",
            "LLM_MODEL": "llama3.1",
            "LLM_API_KEY": "  ",
            "LLM_TIMEOUT_SECONDS": "7.5",
        }
    )
    assert settings.enabled
    assert settings.api_key is None and settings.effective_api_key == LOCAL_API_KEY
    assert settings.timeout_seconds == 7.5
    assert LlmSettings.from_env({}).timeout_seconds == 20


@pytest.mark.parametrize(
    "env",
    [{}, {"LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, {"LLM_MODEL": "llama3.1"}],
)
def test_unset_base_url_or_model_is_feature_off(env: dict[str, str]) -> None:
    settings = LlmSettings.from_env(env)
    assert not settings.enabled
    with pytest.raises(ValueError, match="must both be set"):
        Polisher(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LLM_TIMEOUT_SECONDS": "soon"}, "number of seconds"),
        ({"LLM_TIMEOUT_SECONDS": "0"}, "above 0"),
        ({"LLM_TIMEOUT_SECONDS": "9999"}, "at most"),
        ({"LLM_BASE_URL": "ftp://example.org/v1"}, "http"),
    ],
)
def test_bad_settings_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LlmSettings.from_env(env)


def test_the_api_key_stays_out_of_repr() -> None:
    settings = LlmSettings(base_url="https://api.openai.com/v1", api_key="sk-secret", model="m")
    assert "sk-secret" not in repr(settings)
    assert settings.secrets() == ["sk-secret"]


def test_importing_bot_llm_does_not_import_openai() -> None:
    script = (
        "import importlib.util, sys\n"
        "import bot.llm, flows.polish\n"
        "from bot.llm import LlmSettings, Polisher\n"
        "settings = LlmSettings.from_env({'LLM_BASE_URL': 'http://127.0.0.1:9/v1',"
        " 'LLM_MODEL': 'm'})\n"
        "if importlib.util.find_spec('openai') is not None:\n"
        "    Polisher(settings)\n"
        "assert 'openai' not in sys.modules, 'openai was imported'\n"
        "print('clean')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"
