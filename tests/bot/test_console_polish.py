"""The AI polish in the real terminal chat (issue 16): pexpect, the stand-in over HTTP.

With ``LLM_*`` pointing at the local OpenAI-compatible stand-in, the reply step
offers [✨ Polish with AI] and the polished draft arrives while the chat waits;
without them, the button is not there and ``openai`` is never imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from flows.i18n import t
from tests.bot.test_console import (
    ROOT,
    Chat,
    _conversation_to_the_reply,
    _flat,
    _framed,
)
from tests.helpers.openai_standin import (
    ADDED_SENTENCE,
    MODEL,
    ThreadedStandIn,
    error,
    polish_letter,
)

#: The login name of the person at the terminal: it must never reach the model.
LOGIN = "zxqvlogin"

#: Reports, at exit, whether the process imported ``openai``.
_SITECUSTOMIZE = """\
import atexit, os, sys

def _report():
    with open(os.environ["MODULES_REPORT"], "w", encoding="utf-8") as out:
        out.write("openai" if "openai" in sys.modules else "no-openai")

atexit.register(_report)
"""


def _chat(tmp_path: Path, *, lang: str, llm: dict[str, str]) -> tuple[Chat, Path]:
    """``python -m bot chat`` in a pseudo-terminal with ``llm`` in its environment."""
    home = tmp_path / "home"
    home.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    report = tmp_path / "modules.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "LLM_"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}",
        "USER": LOGIN,
        "LOGNAME": LOGIN,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": f"{site}{os.pathsep}{ROOT}",
        "MODULES_REPORT": str(report),
        **llm,
    }
    chat = Chat.__new__(Chat)  # the same reading helpers, our own environment
    chat.child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "chat", "--lang", lang],
        cwd=str(home),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
    )
    chat.transcript = []
    chat.first = chat.read_turn()
    return chat, report


def test_without_llm_settings_there_is_no_button_and_no_openai(tmp_path: Path) -> None:
    chat, report = _chat(tmp_path, lang="en", llm={})
    turn = _conversation_to_the_reply(chat, "en", price="1200", deposit="€400")

    assert t("en", "draft-title-reply") in turn.text
    assert t("en", "coach-btn-polish") not in turn.options
    chat.leave_with_ctrl_d()
    assert report.read_text(encoding="utf-8") == "no-openai"


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_with_a_model_the_terminal_shows_the_polished_draft(tmp_path: Path, lang: str) -> None:
    pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")
    with ThreadedStandIn(default=polish_letter()) as standin:
        llm = {"LLM_BASE_URL": standin.base_url, "LLM_MODEL": MODEL, "LLM_TIMEOUT_SECONDS": "10"}
        chat, report = _chat(tmp_path, lang=lang, llm=llm)
        deposit = "€400" if lang == "en" else "400 €"
        turn = _conversation_to_the_reply(chat, lang, price="1200", deposit=deposit)
        composed = _framed(turn, t(lang, "draft-title-reply"))

        working = chat.pick_number(turn, t(lang, "coach-btn-polish"))
        assert _flat(t(lang, "coach-polish-working")) in _flat(working.text)
        shown = chat.read_turn()  # printed when the model's answer arrives

        polished = _framed(shown, t(lang, "coach-polish-draft-title"))
        language = "Bulgarian" if lang == "bg" else "English"
        assert _flat(ADDED_SENTENCE[language]) in _flat(polished)
        assert "Maria Petrova" in polished
        assert t(lang, "coach-btn-polish-original") in shown.options

        back = chat.pick_number(shown, t(lang, "coach-btn-polish-original"))
        assert _flat(_framed(back, t(lang, "draft-title-reply"))) == _flat(composed)
        chat.leave_with_ctrl_d()

        assert len(standin.requests) == 1
        sent = standin.everything_sent()
        assert LOGIN not in sent
        assert "Maria Petrova" in sent  # the typed client's name is a fact the model keeps
    assert report.read_text(encoding="utf-8") == "openai"


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_failing_model_is_logged_to_the_chat_log_never_into_the_chat(
    tmp_path: Path, lang: str
) -> None:
    pytest.importorskip("openai", reason="the optional ai extra (openai) is not installed")
    with ThreadedStandIn(default=error(503)) as standin:
        llm = {"LLM_BASE_URL": standin.base_url, "LLM_MODEL": MODEL, "LLM_TIMEOUT_SECONDS": "10"}
        chat, _report = _chat(tmp_path, lang=lang, llm=llm)
        deposit = "€400" if lang == "en" else "400 €"
        turn = _conversation_to_the_reply(chat, lang, price="1200", deposit=deposit)
        chat.pick_number(turn, t(lang, "coach-btn-polish"))
        answered = chat.read_turn()  # printed when the model call has failed
        failures = ("busy", "error", "timeout")
        said = _flat(answered.text)
        assert any(_flat(t(lang, f"coach-polish-failed-{k}")) in said for k in failures), said
        chat.leave_with_ctrl_d()
        assert standin.requests  # the endpoint was really called, and failed

    screen = "\n".join(chat.transcript)
    assert "WARNING" not in screen and "bot.llm" not in screen
    log = (tmp_path / "home" / "data" / "rejection-coach" / "chat.log").read_text("utf-8")
    assert "WARNING bot.llm.polisher: model call polish: server_error" in log
