"""`make test` says loudly when the PostgreSQL tests were skipped (the root conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest

@pytest.mark.postgres
def test_on_postgres():
    pytest.skip("TEST_DATABASE_URL is not set")

def test_on_sqlite():
    assert True
"""


def _run(tmp_path: Path, source: str) -> str:
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    postgres: x\n")
    (tmp_path / "test_sample.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_skipped_postgres_tests_get_a_banner_above_the_last_line(tmp_path: Path) -> None:
    lines = _run(tmp_path, SAMPLE).rstrip().splitlines()
    banner = next(i for i, line in enumerate(lines) if "1 PostgreSQL tests were SKIPPED" in line)
    assert any("TEST_DATABASE_URL=postgresql+asyncpg://" in line for line in lines[banner:])
    assert lines[-1].startswith("1 passed, 1 skipped")
    assert banner >= len(lines) - 8


def test_no_banner_when_nothing_was_skipped(tmp_path: Path) -> None:
    out = _run(tmp_path, SAMPLE.split("@pytest.mark.postgres")[0] + "def test_x():\n    pass\n")
    assert "SKIPPED" not in out
    assert "1 passed" in out


def test_skipped_redis_tests_get_their_own_banner(tmp_path: Path) -> None:
    source = (
        "import pytest\n\n"
        "def test_on_redis():\n"
        "    pytest.skip('TEST_REDIS_URL is not set: the Redis send-budget tests need it')\n\n"
        "def test_plain():\n"
        "    assert True\n"
    )
    lines = _run(tmp_path, source).rstrip().splitlines()
    banner = next(i for i, line in enumerate(lines) if "1 Redis tests were SKIPPED" in line)
    assert any("TEST_REDIS_URL=redis://" in line for line in lines[banner:])
    assert not any("PostgreSQL tests were SKIPPED" in line for line in lines)
    assert lines[-1].startswith("1 passed, 1 skipped")
