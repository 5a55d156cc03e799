"""The local Redis of the tests (``TEST_REDIS_URL``): its URL, a key prefix per test.

Tests that need Redis skip with a clear reason when ``TEST_REDIS_URL`` is unset (e.g.
redis://127.0.0.1:6379/0; ``.ci/run`` sets it). Each test writes its keys under a
prefix of its own and deletes them afterwards, so tests never see each other's budgets.
"""

from __future__ import annotations

import os
import uuid

import pytest

TEST_REDIS_URL_ENV = "TEST_REDIS_URL"
TEST_REDIS_EXAMPLE = "redis://127.0.0.1:6379/0"


def redis_server_url() -> str:
    """The Redis of ``TEST_REDIS_URL``; skips the test (loudly) when it is unset."""
    raw = os.environ.get(TEST_REDIS_URL_ENV, "").strip()
    if not raw:
        pytest.skip(
            f"{TEST_REDIS_URL_ENV} is not set: the Redis send-budget tests need a real Redis "
            f"(e.g. {TEST_REDIS_URL_ENV}={TEST_REDIS_EXAMPLE}; .ci/run sets it)"
        )
    return raw


def unique_prefix() -> str:
    """A key prefix no other test uses."""
    return f"rc-test-{uuid.uuid4().hex[:12]}"


async def keys_under(url: str, prefix: str) -> list[str]:
    """Every key of ``url``'s Redis under ``prefix``."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    try:
        return [key async for key in client.scan_iter(match=f"{prefix}:*")]
    finally:
        await client.aclose()


async def delete_keys(url: str, prefix: str) -> None:
    """Delete every key under ``prefix`` (a test's clean-up)."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
