"""The floors of ``bench.floor`` run the statements they say they run, on our schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import floor


def test_the_sqlite3_floor_makes_seven_statements_and_a_commit_and_a_quarter(
    tmp_path: Path,
) -> None:
    result = floor._run_sqlite3(str(tmp_path / "f.db"), users=4, updates=40, batch=4)
    assert result["statements_per_update"] == pytest.approx(7.0)
    assert result["commits_per_update"] == pytest.approx(1.25)
    assert result["cpu_ms_per_update"] > 0


@pytest.mark.parametrize("driver", ["aiosqlite", "inloop"])
def test_the_sqlalchemy_floor_makes_the_same_statements_on_both_drivers(
    tmp_path: Path, driver: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"
    result = asyncio.run(floor._run_sqlalchemy(url, driver=driver, users=4, updates=40, batch=4))
    assert result["statements_per_update"] == pytest.approx(7.0)
    assert result["commits_per_update"] == pytest.approx(1.25)


def test_the_floors_leave_the_inbox_and_the_outbox_as_a_worker_would(tmp_path: Path) -> None:
    """Every inbox row is deleted by its step; one outbox row is left (the last, unsent)."""
    import sqlite3

    path = tmp_path / "f.db"
    floor._run_sqlite3(str(path), users=4, updates=40, batch=4)
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM case_events").fetchone()[0] == 44
    finally:
        db.close()


def test_the_coach_floor_replays_the_recorded_conversations() -> None:
    result = floor._run_coach(updates=50)
    assert result["updates"] >= 50
    assert result["cpu_ms_per_update"] > 0
