"""Optional AI polish and translation of the reply (issue 16): the model adapter.

Importing this package never imports ``openai``: the SDK is loaded on the first
:meth:`Polisher.polish` call. The prompts and the checks are pure and live in
``flows/polish.py`` and ``flows/translate.py``; this package only makes the
call, guards it (a circuit breaker, a per-user limit, one overall timeout) and
maps every failure to a typed :class:`PolishOutcome`.

Wiring plan (for the integrator, after the flows/bot/storage refactor)::

    pyproject.toml
        [project.optional-dependencies] ai = ["openai>=1.109,<4"] (tested with 1.109.1,
        2.54.0 and 3.57.0); add "openai>=1.109,<4" to dev too, so CI runs
        tests/bot/test_llm.py; add "bot.llm" to [tool.setuptools] packages.
    bot/settings.py
        llm_base_url: str | None, llm_api_key: SecretStr | None, llm_model: str | None,
        llm_timeout_seconds: float = Field(20.0, gt=0, le=300); empty = unset (add them
        to the empty-is-unset validators); llm_api_key in secrets(); a method
        llm() -> LlmSettings. Document the four in .env.example and the README.
    bot/logging_setup.py
        add "openai" to _NOISY_LOGGERS (the adapter already holds it at WARNING on
        first use: openai 1.x/2.x log request bodies at DEBUG).
    flows/io.py
        Effect += PolishDraft(request: ChatRequest, turn: int)   # flows.polish.ChatRequest
        UserInput += ModelAnswer(purpose: str, kind: str, text: str | None, turn: int)
        UserContext += ai_available: bool = False
    flows/case.py (Answers)
        polished: str | None = None       # the accepted polished text
        polished_from: str | None = None  # sha256 of the composed reply it was made from
        showing_polished: bool = False
    the reply step (flows/steps/reply.py after the split; today Coach._choose_reply)
        keyboard, only when context.ai_available: [✨ Polish with AI] (token "polish");
        while the polished draft is shown: [Shorter] [Warmer] [↩ Original reply]
        (tokens "shorter", "warmer", "composed").
        "polish"/"shorter"/"warmer": note coach-polish-working, effect
        PolishDraft(build_polish_request(reply_text=compose_reply(...).text,
        facts=facts_from_answers(answers, reply_text=...), language=reply language,
        tone=answers.tone, mode=...), turn=case.turn).
        ModelAnswer (drop it when its turn is not case.turn or the step is not the
        reply): kind "ok" -> check_polished(...); accepted -> Draft(kind=REPLY,
        title=draft-title-reply-polished) + coach-polish-shown; rejected ->
        polish-rejected-<reason>; any other kind -> polish-failed-<kind>. The
        composed reply stays in every failure. A change of tone, language or a
        fact makes polished_from stale: the composed reply is shown again.
        "translate" (where issue 11 re-asks a fact typed in the other language):
        PolishDraft(flows.translate.build_translate_request(...)); ModelAnswer ->
        flows.translate.check_translation;
        accepted -> the translated facts replace the typed ones.
    bot/engine.py
        Engine(..., polisher: Polisher | None). Never call the model inside the
        step's transaction: after it commits (the "working" note is already in
        the outgoing messages), for each PolishDraft:
            outcome = await polisher.polish(effect.request, user_key=opaque(key))
        then run the same pipeline again with
            ModelAnswer(purpose, outcome.kind.value, outcome.text, effect.turn)
        (its own transaction and version check, no update id). Telegram webhook
        and Slack: do it in a background task so the request is acked at once.
        opaque(key) = bot.llm.opaque_key(key.platform, key.workspace, key.user_id);
        it is never sent anywhere.
        UserContext.ai_available = polisher is not None.
    bot/wiring.py (and serve/cli)
        polisher = Polisher(settings.llm(), observer=metrics_hook) if
        settings.llm().enabled else None; await polisher.aclose() on shutdown.
    channels
        nothing new: the button is a Button, the polished text a Draft.
    bot/metrics.py
        coach_llm_calls_total{purpose,outcome}, coach_llm_call_seconds{purpose}
        (histogram), coach_llm_checks_total{purpose,verdict} (accepted or the
        rejection reason), coach_llm_breaker_open (gauge); fed by the observer.
"""

from __future__ import annotations

from bot.llm.breaker import BreakerState, CircuitBreaker
from bot.llm.polisher import ENDPOINT_FAILURES, OutcomeKind, Polisher, PolishOutcome
from bot.llm.ratelimit import UserRateLimiter, opaque_key
from bot.llm.settings import LOCAL_API_KEY, LlmSettings

__all__ = [
    "ENDPOINT_FAILURES",
    "LOCAL_API_KEY",
    "BreakerState",
    "CircuitBreaker",
    "LlmSettings",
    "OutcomeKind",
    "PolishOutcome",
    "Polisher",
    "UserRateLimiter",
    "opaque_key",
]
