"""The ``rejection-coach`` command line, run as a real process where it matters."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ("chat", "telegram", "slack", "serve", "db", "diagram")
PLATFORM_MODULES = ("telegram", "slack_bolt", "slack_sdk", "sqlalchemy", "aiohttp", "pydantic")


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.pop("DATABASE_URL", None)
    env["HOME"] = str(tmp_path)  # the default SQLite file lands in a temporary data dir
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.update(extra)
    return env


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_every_subcommand_without_importing_platform_libraries(tmp_path: Path) -> None:
    probe = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        f"loaded = [m for m in {PLATFORM_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)\n"
    )
    env = _clean_env(tmp_path, PYTHONPATH=str(ROOT))
    result = _run(["-c", probe], cwd=tmp_path, env=env)

    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
    for name in SUBCOMMANDS:
        assert f"    {name}" in result.stdout


def test_python_m_bot_help_works(tmp_path: Path) -> None:
    result = _run(["-m", "bot", "--help"], cwd=ROOT, env=_clean_env(tmp_path))

    assert result.returncode == 0
    assert result.stdout.startswith("usage: rejection-coach")
    assert "db" in result.stdout and "diagram" in result.stdout


def test_chat_help_offers_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["chat", "--help"])

    assert exit_info.value.code == 0
    assert "{bg,en}" in capsys.readouterr().out


def test_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["chat", "--lang", "de"])

    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_db_requires_a_subcommand() -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["db"])

    assert exit_info.value.code == 2


def test_db_upgrade_creates_the_schema_on_a_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "coach.db"
    env = _clean_env(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{database}")

    result = _run(["-m", "bot", "db", "upgrade"], cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)})

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "users", "cases"} <= tables

    again = _run(["-m", "bot", "db", "upgrade"], cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr


def test_database_url_option_wins_over_the_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.db"
    env = _clean_env(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'env.db'}")
    args = ["-m", "bot", "--database-url", f"sqlite+aiosqlite:///{chosen}", "db", "upgrade"]

    result = _run(args, cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)})

    assert result.returncode == 0, result.stderr
    assert chosen.exists()
    assert not (tmp_path / "env.db").exists()


def test_an_unreachable_database_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://coach:s3cret-pw@127.0.0.1:1/coach"  # nothing listens on port 1
    env = _clean_env(tmp_path, PYTHONPATH=str(ROOT), SLACK_BOT_TOKEN="xoxb-never-shown")

    result = _run(["-m", "bot", "--database-url", url, "db", "upgrade"], cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("rejection-coach db: ")
    assert "s3cret-pw" not in result.stderr and "xoxb-never-shown" not in result.stderr


def test_telegram_without_a_token_explains_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)

    code = main(["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "telegram"])

    assert code == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


def test_slack_needs_socket_mode_or_signing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    code = main(["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "slack"])

    assert code == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "SLACK_SIGNING_SECRET" in err
    assert "xoxb-test-token" not in err


def test_invalid_setting_is_reported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "not-a-port")

    code = main(["db", "upgrade"])

    assert code == 2
    assert "PORT" in capsys.readouterr().err


def test_diagram_prints_the_committed_mermaid_diagram(tmp_path: Path) -> None:
    result = _run(["-m", "bot", "diagram"], cwd=ROOT, env=_clean_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "stateDiagram" in result.stdout
    assert result.stdout == (ROOT / "docs" / "flow.mmd").read_text(encoding="utf-8")


def test_readme_embeds_the_current_diagram() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    diagram = (ROOT / "docs" / "flow.mmd").read_text(encoding="utf-8")

    assert f"```mermaid\n{diagram.rstrip()}\n```" in readme, "run `make diagram`"
