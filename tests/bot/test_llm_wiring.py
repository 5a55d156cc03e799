"""The LLM_* settings and the composition of the optional AI polish (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.llm import OutcomeKind, Polisher, PolishOutcome
from bot.metrics import Metrics
from bot.settings import Settings, load_settings
from bot.wiring import build_polisher

LLM_NAMES = ("LLM_BASE_URL", "LLM_API_KEY", "LLM_MODEL", "LLM_TIMEOUT_SECONDS")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No .env and none of the LLM_* variables set."""
    monkeypatch.chdir(tmp_path)
    for name in LLM_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def test_unset_means_no_feature(clean_env: Path) -> None:
    settings = load_settings()

    assert not settings.llm().enabled
    assert settings.llm_timeout_seconds == 20
    assert build_polisher(settings=settings) is None


def test_empty_values_count_as_unset(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_BASE_URL", " ")
    monkeypatch.setenv("LLM_MODEL", "")
    monkeypatch.setenv("LLM_API_KEY", "")

    settings = Settings()

    assert settings.llm_base_url is None and settings.llm_api_key is None
    assert build_polisher(settings=settings) is None


def test_set_builds_a_polisher_and_the_key_is_a_secret(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")
    monkeypatch.setenv("LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("LLM_MODEL", "llama3.1")
    monkeypatch.setenv("LLM_API_KEY", "sk-test-secret")
    monkeypatch.setenv("LLM_TIMEOUT_SECONDS", "7.5")

    settings = Settings()

    llm = settings.llm()
    assert llm.enabled and llm.model == "llama3.1" and llm.timeout_seconds == 7.5
    assert "sk-test-secret" in settings.secrets()
    assert "sk-test-secret" not in repr(settings)
    assert isinstance(build_polisher(settings=settings), Polisher)


@pytest.mark.parametrize("url", ["ftp://example.org/v1", "127.0.0.1:11434"])
def test_a_base_url_that_is_not_http_is_refused(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("LLM_BASE_URL", url)

    with pytest.raises(ValueError, match="LLM_BASE_URL"):
        Settings()


def test_metrics_count_calls_and_failures_without_text() -> None:
    metrics = Metrics()

    metrics.model_called(
        "polish", PolishOutcome(kind=OutcomeKind.OK, text="secret letter", latency_seconds=0.4)
    )
    metrics.model_called("polish", PolishOutcome(kind=OutcomeKind.TIMEOUT, latency_seconds=20.0))
    metrics.model_called("translate", PolishOutcome(kind=OutcomeKind.CIRCUIT_OPEN))

    sample = metrics.registry.get_sample_value
    assert sample("rejection_coach_llm_calls_total", {"purpose": "polish", "outcome": "ok"}) == 1
    assert (
        sample("rejection_coach_llm_failures_total", {"purpose": "polish", "outcome": "timeout"})
        == 1
    )
    assert (
        sample(
            "rejection_coach_llm_failures_total",
            {"purpose": "translate", "outcome": "circuit_open"},
        )
        == 1
    )
    assert sample("rejection_coach_llm_call_seconds_count", {"purpose": "polish"}) == 2
    body, _ = metrics.render()
    assert b"secret letter" not in body
