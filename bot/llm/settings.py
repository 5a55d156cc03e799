"""Settings of the optional model connection (``LLM_*`` environment variables).

Unset ``LLM_BASE_URL`` or ``LLM_MODEL`` means the feature does not exist: no
button, no client library imported, the composed replies alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Sent as the API key to servers that need none (Ollama, llama.cpp, vLLM by
#: default): the SDK refuses to build a client without one.
LOCAL_API_KEY = "not-needed"
DEFAULT_TIMEOUT_SECONDS = 20.0
MAX_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """Where the OpenAI-compatible chat-completions endpoint is, and how long to wait.

    Attributes:
        base_url: The API root, e.g. ``http://127.0.0.1:11434/v1`` (Ollama).
        api_key: The key, or ``None`` for local servers (kept out of ``repr``).
        model: The model name the server knows, e.g. ``llama3.1``.
        timeout_seconds: The whole call's bound, connection included.
    """

    base_url: str | None
    api_key: str | None = field(default=None, repr=False)
    model: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        """Reject a timeout out of range and a base URL that is not http(s)."""
        if not 0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            raise ValueError(
                f"LLM_TIMEOUT_SECONDS must be above 0 and at most {MAX_TIMEOUT_SECONDS:g}"
            )
        if self.base_url and urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError("LLM_BASE_URL must start with http:// or https://")

    @property
    def enabled(self) -> bool:
        """Whether the feature exists: a base URL and a model are both set."""
        return bool(self.base_url and self.model)

    @property
    def effective_api_key(self) -> str:
        """The key to send: the configured one, else a dummy for local servers."""
        return self.api_key or LOCAL_API_KEY

    def secrets(self) -> list[str]:
        """The configured secret values (for redacting logs)."""
        return [self.api_key] if self.api_key else []

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LlmSettings:
        """Read ``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_MODEL``, ``LLM_TIMEOUT_SECONDS``.

        Empty values count as unset.

        Raises:
            ValueError: a timeout that is not a number or out of range, or a
                base URL that is not http(s).
        """
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            raw = env.get(name, "").strip()
            return raw or None

        timeout_text = value("LLM_TIMEOUT_SECONDS")
        try:
            timeout = float(timeout_text) if timeout_text else DEFAULT_TIMEOUT_SECONDS
        except ValueError as exc:
            raise ValueError("LLM_TIMEOUT_SECONDS must be a number of seconds") from exc
        return cls(
            base_url=value("LLM_BASE_URL"),
            api_key=value("LLM_API_KEY"),
            model=value("LLM_MODEL"),
            timeout_seconds=timeout,
        )
