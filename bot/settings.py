"""Settings read from the environment and an optional ``.env`` file.

Every field maps to an upper-case environment variable of the same name
(``database_url`` ← ``DATABASE_URL``). Secrets are :class:`~pydantic.SecretStr`,
so they never appear in a ``repr`` or a log line. ``.env.example`` documents
every variable.

Each channel has its block of fields here; which of them are secrets (for
``_empty_is_unset`` and :meth:`Settings.secrets`) comes from the channel
registry, :data:`bot.channels.CHANNELS`. This module imports no platform
library and no database driver, so building :class:`Settings` stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels import CHANNELS
from bot.llm.settings import DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, LlmSettings
from flows.i18n import normalise_language

_LOGGER = logging.getLogger(__name__)

#: Telegram's own Bot API (PTB ``base_url``: the token is appended to it).
TELEGRAM_API_URL = "https://api.telegram.org/bot"
#: Slack's own Web API (slack_sdk ``base_url``).
SLACK_API_URL = "https://slack.com/api/"


#: Telegram accepts 1–256 characters A–Z, a–z, 0–9, "_" and "-" as the webhook secret token.
TELEGRAM_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")

#: The URL schemes redis-py connects with (``REDIS_URL``).
REDIS_URL_SCHEMES = frozenset({"redis", "rediss", "unix"})

#: Every settings field that holds a secret, from the channel registry.
SECRET_FIELDS: tuple[str, ...] = tuple(name for spec in CHANNELS.values() for name in spec.secrets)


def _default_database_url() -> str:
    """The embedded SQLite file in the per-user data directory (the storage's default)."""
    from storage import default_database_url

    return str(default_database_url())


class Settings(BaseSettings):
    """Configuration of every command (environment variables and ``.env``)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    # --- core
    database_url: str = Field(default_factory=_default_database_url)
    default_language: str = "en"
    log_level: str = "INFO"
    #: The level of the libraries' own loggers (PTB, bolt, aiohttp, SQLAlchemy …); unset =
    #: held at WARNING. UNSAFE when lower: their records carry message texts, names and ids.
    log_libraries: str | None = None
    reminder_interval_seconds: float = Field(default=5.0, gt=0)
    #: How long a worker holds an outbox row it is sending before another may take it.
    outbox_lease_seconds: float = Field(default=30.0, gt=0)
    #: The shared send budgets in Redis instead of PostgreSQL (the ``redis`` extra).
    redis_url: str | None = None
    #: The first part of every Redis key: one per deployment sharing a Redis server.
    redis_key_prefix: str = Field(default="rejection-coach", min_length=1, max_length=100)

    # --- Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_listen_host: str = "127.0.0.1"
    telegram_listen_port: int = Field(default=8443, ge=1, le=65535)
    #: Messages per second for the bot token, all workers together (Telegram allows 30).
    telegram_messages_per_second: float = Field(default=28.0, gt=0, le=30)
    telegram_concurrent_updates: int = Field(default=4, ge=1, le=1024)

    # --- Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL

    # --- HTTP server (Slack HTTP mode and `serve`)
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)

    # --- the optional AI polish (issue 16): unset base URL or model = no feature
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = Field(
        default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=MAX_TIMEOUT_SECONDS
    )

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        return normalise_language(value)

    @field_validator("log_level", "log_libraries")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator(*SECRET_FIELDS, mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `TELEGRAM_BOT_TOKEN=` in .env means "not configured", not "empty token".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked once, here: Telegram refuses any other secret_token in setWebhook.
        if value is not None and not TELEGRAM_SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        return value

    @field_validator("llm_base_url", "llm_api_key", "llm_model", mode="before")
    @classmethod
    def _empty_llm_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("llm_base_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        LlmSettings(base_url=value)  # raises for a URL that is not http(s)
        return value

    def llm(self) -> LlmSettings:
        """The model connection (:attr:`LlmSettings.enabled` says whether there is one)."""
        key = self.llm_api_key.get_secret_value() if self.llm_api_key is not None else None
        return LlmSettings(
            base_url=self.llm_base_url,
            api_key=key,
            model=self.llm_model,
            timeout_seconds=self.llm_timeout_seconds,
        )

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_redis_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_usable(cls, value: str | None) -> str | None:
        # Never echo the URL: it may hold a password.
        if value is None:
            return None
        if urlsplit(value).scheme not in REDIS_URL_SCHEMES:
            raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
        if importlib.util.find_spec("redis") is None:  # finds it without importing it
            raise ValueError(
                "REDIS_URL is set but the redis package is not installed: "
                "pip install 'rejection-coach[redis]' (or unset REDIS_URL)"
            )
        return value

    @field_validator("telegram_webhook_url", mode="before")
    @classmethod
    def _empty_url_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def secrets(self) -> list[str]:
        """Every configured secret value (for redacting logs)."""
        values = [getattr(self, name) for name in (*SECRET_FIELDS, "llm_api_key")]
        return [
            v.get_secret_value()
            for v in values
            if isinstance(v, SecretStr) and v.get_secret_value()
        ]


def update_id_key(settings: Settings) -> bytes:
    """The per-install HMAC key of stored update ids, derived from the configured secrets.

    Kept in the settings, not in the database: a copy of the database alone cannot
    test guessed ids against it. Every worker of one deployment has the same secrets,
    so they deduplicate alike; rotating a token changes the key (an update redelivered
    across the rotation may then be applied twice — rotate during a quiet minute).
    """
    material = "\x00".join(sorted(settings.secrets()))
    return hashlib.sha256(f"rejection-coach processed update ids\x00{material}".encode()).digest()


def load_settings(**overrides: object) -> Settings:
    """Read :class:`Settings` from the environment and ``.env``; ``overrides`` win."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
