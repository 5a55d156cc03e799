"""A loud banner at the end of a run whose PostgreSQL (or Redis) tests were skipped.

The storage contract, the engine and the many-worker tests also run on PostgreSQL, but only
when ``TEST_DATABASE_URL`` names a server; without it they are skipped, and "63 skipped"
in the last line is easy to miss. This plugin counts those skips and says, just above the
final line, how to run them. The same for the Redis send-budget tests (``TEST_REDIS_URL``).
(The fixtures themselves live in ``tests/conftest.py``.)
"""

from __future__ import annotations

import pytest

_MARKER = "postgres"
_ENV = "TEST_DATABASE_URL"
_EXAMPLE = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


class _PostgresSkips:
    """Counts the tests skipped for want of PostgreSQL and prints the banner."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember every test skipped because no PostgreSQL server was given."""
        if report.skipped and (_MARKER in report.keywords or _ENV in _skip_reason(report)):
            self.skipped.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the banner, just above pytest's last line, when any were skipped."""
        if not self.skipped:
            return
        tr = terminalreporter
        tr.write_line("")
        title = f"{len(self.skipped)} PostgreSQL tests were SKIPPED"
        tr.write_sep("!", title, yellow=True, bold=True)
        tr.write_line(f"  {_ENV} is not set to a PostgreSQL server, so only SQLite was tested.")
        tr.write_line("  Run them too (each test creates and drops its own database):")
        tr.write_line(f"      {_ENV}={_EXAMPLE} make test", bold=True)
        tr.write_line("  .ci/run sets it and starts the local server when it is down.")
        tr.write_sep("!", yellow=True, bold=True)


_REDIS_ENV = "TEST_REDIS_URL"
_REDIS_EXAMPLE = "redis://127.0.0.1:6379/0"


class _RedisSkips:
    """Counts the tests skipped for want of Redis and prints their banner."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember every test skipped because no Redis server was given."""
        if report.skipped and _REDIS_ENV in _skip_reason(report):
            self.skipped.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the banner, just above pytest's last line, when any were skipped."""
        if not self.skipped:
            return
        tr = terminalreporter
        tr.write_line("")
        tr.write_sep("!", f"{len(self.skipped)} Redis tests were SKIPPED", yellow=True, bold=True)
        tr.write_line(f"  {_REDIS_ENV} is not set, so the REDIS_URL send budgets were not tested.")
        tr.write_line(f"      {_REDIS_ENV}={_REDIS_EXAMPLE} make test", bold=True)
        tr.write_line("  .ci/run sets it and starts the local Redis when it is down.")
        tr.write_sep("!", yellow=True, bold=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


def pytest_configure(config: pytest.Config) -> None:
    """Register the counter for this run."""
    config.pluginmanager.register(_PostgresSkips(), "rejection-coach-postgres-skips")
    config.pluginmanager.register(_RedisSkips(), "rejection-coach-redis-skips")
