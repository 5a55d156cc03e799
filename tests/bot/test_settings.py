"""Settings from the environment and ``.env``; secrets never reach a log line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import _default_command
from bot.logging_setup import _NOISY_LOGGERS, RedactSecrets, configure_logging
from bot.settings import SLACK_API_URL, TELEGRAM_API_URL, Settings, load_settings

ENV_NAMES = (
    "DATABASE_URL",
    "DEFAULT_LANGUAGE",
    "LOG_LEVEL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "HOST",
    "PORT",
)


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) and none of our variables set."""
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def test_defaults_point_at_the_real_platforms_and_a_local_sqlite_file(clean_env: Path) -> None:
    settings = load_settings()

    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("coach.db")
    assert settings.telegram_api_url == TELEGRAM_API_URL == "https://api.telegram.org/bot"
    assert settings.slack_api_url == SLACK_API_URL
    assert settings.telegram_bot_token is None and settings.slack_bot_token is None
    assert settings.default_language == "en"
    assert settings.log_level == "INFO"
    assert _default_command(settings) == "chat"


def test_dotenv_is_read_and_the_environment_wins(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=4000\nDEFAULT_LANGUAGE=bg-BG\nLOG_LEVEL=debug\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PORT", "5000")

    settings = load_settings()

    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-dotenv"
    assert settings.port == 5000
    assert settings.default_language == "bg"
    assert settings.log_level == "DEBUG"
    assert _default_command(settings) == "slack"


def test_empty_values_as_in_env_example_count_as_unset(clean_env: Path) -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    (clean_env / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")

    settings = load_settings()

    assert settings.telegram_bot_token is None
    assert settings.telegram_webhook_url is None
    assert settings.database_url.endswith("coach.db")
    assert _default_command(settings) == "chat"


def test_env_example_documents_every_setting() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    documented = {
        line.split("=", 1)[0].strip()
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "=" in line
    }

    expected = {
        str(field.validation_alias or name).upper() for name, field in Settings.model_fields.items()
    }
    assert documented == expected


def test_readme_configuration_table_lists_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]

    for name, field in Settings.model_fields.items():
        variable = str(field.validation_alias or name).upper()
        assert f"`{variable}`" in table, variable


def test_telegram_token_wins_over_slack_for_the_default_command(clean_env: Path) -> None:
    settings = load_settings(telegram_bot_token="123:abc", slack_bot_token="xoxb-1")

    assert _default_command(settings) == "telegram"


def test_secrets_stay_out_of_repr(clean_env: Path) -> None:
    settings = load_settings(
        telegram_bot_token="123:very-secret", slack_signing_secret="sig-secret"
    )

    assert "very-secret" not in repr(settings)
    assert "sig-secret" not in str(settings)
    assert sorted(settings.secrets()) == ["123:very-secret", "sig-secret"]


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "0"), ("LOG_LEVEL", "chatty"), ("TELEGRAM_LISTEN_PORT", "x")]
)
def test_invalid_values_are_rejected(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        load_settings()


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord(
        "httpx",
        logging.WARNING,
        __file__,
        1,
        "POST %s failed",
        ("https://x/bot123:tok/getMe",),
        None,
    )

    assert RedactSecrets(["123:tok"]).filter(record)

    assert record.getMessage() == "POST https://x/bot***/getMe failed"


def test_configure_logging_redacts_and_quiets_http_clients(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging(level="INFO", secrets=["xoxb-secret"])
        logging.getLogger("bot.test").warning("token is %s", "xoxb-secret")
        logging.getLogger("httpx").info("HTTP Request: POST https://api/bot-token/getMe")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)

    err = capsys.readouterr().err
    assert "token is ***" in err
    assert "xoxb-secret" not in err
    assert "HTTP Request" not in err


def _restore_root(saved: tuple[list[logging.Handler], int]) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_the_chat_logs_to_its_file_and_nothing_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    log_file = tmp_path / "data" / "rejection-coach" / "chat.log"
    try:
        configure_logging(level="WARNING", secrets=["xoxb-secret"], log_file=log_file)
        logging.getLogger("bot.llm.polisher").warning("model call %s: %s", "polish", "timeout")
        logging.getLogger("bot.test").warning("token is %s", "xoxb-secret")
        logging.getLogger("bot.test").info("not at WARNING")
    finally:
        _restore_root(saved)

    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    written = log_file.read_text(encoding="utf-8")
    assert "WARNING bot.llm.polisher: model call polish: timeout" in written
    assert "token is ***" in written and "xoxb-secret" not in written
    assert "not at WARNING" not in written


def test_a_chat_log_that_cannot_be_written_leaves_only_errors_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging(level="WARNING", log_file=blocker / "chat.log")
        logging.getLogger("bot.test").warning("a warning stays out of the chat")
        logging.getLogger("bot.test").error("an error is still shown")
    finally:
        _restore_root(saved)

    err = capsys.readouterr().err
    assert "a warning stays out of the chat" not in err
    assert "ERROR bot.test: an error is still shown" in err
