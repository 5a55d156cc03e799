"""Red-team P8 ("a 1-char webhook secret is accepted"): a short secret is refused at start.

Issue 14, item 7: a ``TELEGRAM_WEBHOOK_SECRET`` shorter than 16 characters can be
guessed; both ``rejection-coach telegram`` in webhook mode and ``serve`` refuse it
with a message that names the variable and the minimum, and call no Bot API.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import serve
from bot.channels.telegram import MIN_WEBHOOK_SECRET_LENGTH, TelegramConfigError
from bot.channels.telegram.channel import run
from bot.settings import Settings
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import sqlite_url


def _settings(api: BotApiStandIn, tmp_path: Path, secret: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(api.token),
        telegram_api_url=api.base_url,
        telegram_webhook_url="https://example.org/hook",
        telegram_webhook_secret=SecretStr(secret),
        database_url=sqlite_url(tmp_path / "secret.db"),
    )


@pytest.mark.parametrize("secret", ["x", "a" * (MIN_WEBHOOK_SECRET_LENGTH - 1)])
async def test_webhook_mode_refuses_a_short_secret(
    api: BotApiStandIn, tmp_path: Path, secret: str
) -> None:
    with pytest.raises(TelegramConfigError, match="at least 16 characters"):
        await run(_settings(api, tmp_path, secret))
    assert api.calls == []


async def test_serve_refuses_a_short_secret_with_a_clear_message(
    api: BotApiStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await serve.run(settings=_settings(api, tmp_path, "short_secret"))

    assert code == serve.EXIT_FAILURE
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_SECRET" in err and "at least 16 characters" in err
    assert "short_secret" not in err
    assert api.calls == []
