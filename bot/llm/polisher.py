"""The model call: one chat completion through the official ``openai`` SDK.

The SDK is imported on the first call, never at import time, so a process
without the ``ai`` extra (or with the feature off) never loads it. Every
failure becomes a typed :class:`PolishOutcome`; nothing is raised to the
caller, and nothing of the prompt or the completion is logged — only the
purpose, the outcome kind and the latency.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.llm.breaker import CircuitBreaker
from bot.llm.ratelimit import UserRateLimiter
from bot.llm.settings import LlmSettings
from flows.polish import ChatRequest

if TYPE_CHECKING:
    from openai import AsyncOpenAI

_LOGGER = logging.getLogger(__name__)


class OutcomeKind(StrEnum):
    """How a model call ended (a metrics label; never the text)."""

    OK = "ok"
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    CLIENT_ERROR = "client_error"
    CONNECTION_ERROR = "connection_error"
    REFUSAL = "refusal"
    EMPTY = "empty"
    INVALID = "invalid"
    CIRCUIT_OPEN = "circuit_open"
    USER_LIMITED = "user_limited"


#: Outcomes that say the endpoint is unwell: they count towards opening the breaker.
ENDPOINT_FAILURES = frozenset(
    {
        OutcomeKind.TIMEOUT,
        OutcomeKind.RATE_LIMITED,
        OutcomeKind.SERVER_ERROR,
        OutcomeKind.CLIENT_ERROR,
        OutcomeKind.CONNECTION_ERROR,
        OutcomeKind.INVALID,
    }
)


@dataclass(frozen=True, slots=True)
class PolishOutcome:
    """The result of one call: the model's text when ``kind`` is OK.

    ``text`` is kept out of ``repr`` so a stray log line cannot carry it.
    ``retry_after_seconds`` is set when the server, the breaker or the user's
    limit said how long to wait.
    """

    kind: OutcomeKind
    text: str | None = field(default=None, repr=False)
    latency_seconds: float = 0.0
    retry_after_seconds: float | None = None
    status_code: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the model returned text (still to be checked by ``flows.polish``)."""
        return self.kind is OutcomeKind.OK


Observer = Callable[[str, PolishOutcome], None]


class Polisher:
    """Calls an OpenAI-compatible chat-completions endpoint, guarded and bounded."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        breaker: CircuitBreaker | None = None,
        limiter: UserRateLimiter | None = None,
        observer: Observer | None = None,
        max_retries: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare the adapter; the SDK client is built on the first call.

        Args:
            settings: Where the endpoint is; must be :attr:`LlmSettings.enabled`.
            breaker: The circuit breaker (default: 3 failures open it for 3 minutes).
            limiter: The per-user limit (default: 10 calls per hour).
            observer: Called with ``(purpose, outcome)`` after every call, for metrics.
            max_retries: The SDK's own retries (0: the user is waiting; 1 at most).
            clock: Seconds, monotonic (latency, and the default breaker and limiter).

        Raises:
            ValueError: the settings leave the feature off, or ``max_retries`` > 1.
            RuntimeError: the ``openai`` package is not installed (the ``ai`` extra).
        """
        if not settings.enabled:
            raise ValueError("LLM_BASE_URL and LLM_MODEL must both be set")
        if importlib.util.find_spec("openai") is None:  # finds it without importing it
            raise RuntimeError("AI polish needs the openai package: pip install '.[ai]'")
        if not 0 <= max_retries <= 1:
            raise ValueError("max_retries must be 0 or 1")
        self._settings = settings
        self._clock = clock
        self._breaker = breaker or CircuitBreaker(clock=clock)
        self._limiter = limiter or UserRateLimiter(clock=clock)
        self._observer = observer
        self._max_retries = max_retries
        self._sdk: AsyncOpenAI | None = None

    @property
    def breaker(self) -> CircuitBreaker:
        """The circuit breaker guarding the endpoint."""
        return self._breaker

    def _client(self) -> AsyncOpenAI:
        if self._sdk is None:
            from openai import AsyncOpenAI  # the optional extra: imported on first use

            _quiet_sdk_logger()
            self._sdk = AsyncOpenAI(
                base_url=self._settings.base_url,
                api_key=self._settings.effective_api_key,
                timeout=self._settings.timeout_seconds,
                max_retries=self._max_retries,
            )
        return self._sdk

    async def aclose(self) -> None:
        """Close the SDK's HTTP connections (safe when none were opened)."""
        if self._sdk is not None:
            await self._sdk.close()
            self._sdk = None

    async def polish(self, request: ChatRequest, *, user_key: str) -> PolishOutcome:
        """Send ``request`` (a polish or a translation) and return how it went.

        Never raises (cancellation aside). ``user_key`` is an opaque key for
        the per-user limit; it is never sent to the endpoint.
        """
        if not self._limiter.allows(user_key):
            outcome = PolishOutcome(
                kind=OutcomeKind.USER_LIMITED,
                retry_after_seconds=self._limiter.retry_after(user_key),
            )
            return self._report(request, outcome)
        if not self._breaker.allow():
            outcome = PolishOutcome(
                kind=OutcomeKind.CIRCUIT_OPEN, retry_after_seconds=self._breaker.retry_after()
            )
            return self._report(request, outcome)
        self._limiter.record(user_key)
        started = self._clock()
        try:
            outcome = await self._call(request)
        except asyncio.CancelledError:
            self._breaker.abandon()
            raise
        outcome = dataclasses.replace(outcome, latency_seconds=self._clock() - started)
        if outcome.kind in ENDPOINT_FAILURES:
            self._breaker.record_failure(hold_seconds=outcome.retry_after_seconds)
        else:
            self._breaker.record_success()
        return self._report(request, outcome)

    async def _call(self, request: ChatRequest) -> PolishOutcome:
        import openai

        messages: list[Any] = [{"role": m.role, "content": m.content} for m in request.messages]
        assert self._settings.model is not None  # checked in __init__
        try:
            # The SDK's timeout bounds each phase; this bounds the whole call.
            async with asyncio.timeout(self._settings.timeout_seconds):
                completion = await self._client().chat.completions.create(
                    model=self._settings.model,
                    messages=messages,
                    temperature=request.temperature,
                )
        except (TimeoutError, openai.APITimeoutError):
            return PolishOutcome(kind=OutcomeKind.TIMEOUT)
        except openai.RateLimitError as exc:
            return PolishOutcome(
                kind=OutcomeKind.RATE_LIMITED,
                status_code=exc.status_code,
                retry_after_seconds=_retry_after(exc.response.headers),
            )
        except openai.APIStatusError as exc:
            kind = OutcomeKind.SERVER_ERROR if exc.status_code >= 500 else OutcomeKind.CLIENT_ERROR
            return PolishOutcome(kind=kind, status_code=exc.status_code)
        except openai.APIConnectionError:
            return PolishOutcome(kind=OutcomeKind.CONNECTION_ERROR)
        except Exception as exc:  # a malformed answer, or anything the SDK did not expect
            _LOGGER.warning("model answer unusable: %s", type(exc).__name__)
            return PolishOutcome(kind=OutcomeKind.INVALID)
        return _read(completion)

    def _report(self, request: ChatRequest, outcome: PolishOutcome) -> PolishOutcome:
        level = logging.INFO if outcome.kind not in ENDPOINT_FAILURES else logging.WARNING
        _LOGGER.log(
            level,
            "model call %s: %s in %.2f s",
            request.purpose.value,
            outcome.kind.value,
            outcome.latency_seconds,
        )
        if self._observer is not None:
            try:
                self._observer(request.purpose.value, outcome)
            except Exception:  # metrics must never break a reply
                _LOGGER.exception("the model-call observer failed")
        return outcome


def _read(completion: Any) -> PolishOutcome:
    """Map a completion to an outcome: text, refusal, empty or invalid."""
    choices = getattr(completion, "choices", None)
    if not choices:
        return PolishOutcome(kind=OutcomeKind.INVALID)
    choice = choices[0]
    message = getattr(choice, "message", None)
    if message is None:
        return PolishOutcome(kind=OutcomeKind.INVALID)
    if getattr(message, "refusal", None) or choice.finish_reason == "content_filter":
        return PolishOutcome(kind=OutcomeKind.REFUSAL)
    content = message.content
    if not isinstance(content, str) or not content.strip():
        return PolishOutcome(kind=OutcomeKind.EMPTY)
    if choice.finish_reason == "length":
        return PolishOutcome(kind=OutcomeKind.INVALID)  # cut off: never show half a letter
    return PolishOutcome(kind=OutcomeKind.OK, text=content)


def _quiet_sdk_logger() -> None:
    """Hold the SDK's logger at WARNING: before 3.x its DEBUG records carry request bodies.

    (openai 1.x and 2.x log "Request options" with the messages at DEBUG; also
    after ``OPENAI_LOG=debug``.) A level set higher by the operator is kept.
    """
    sdk_logger = logging.getLogger("openai")
    if sdk_logger.level < logging.WARNING:  # NOTSET or lower: it would pass DEBUG on
        sdk_logger.setLevel(logging.WARNING)


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (a number); else ``None``."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) / divisor
        except ValueError:
            continue
        if value >= 0:
            return value
    return None
