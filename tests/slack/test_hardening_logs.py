"""Red-team row 5.2 / P2 on Slack: a DEBUG log holds no personal data (issue 14, item 1).

A whole conversation through the real bolt ``AsyncApp`` against the Web API stand-in,
with logging configured as the CLI does it at ``LOG_LEVEL=DEBUG``: no typed text, no
client name, no Slack user or team id may appear in the log. (The red team found
Slack clean already — its loggers were held at INFO — so this one guards against a
regression, while the Telegram test reproduces the leak.)
"""

from __future__ import annotations

import io

from flows.case import Step
from tests.helpers.standins.slack import TEAM_ID
from tests.slack.conftest import Workspace
from tests.slack.drive import ENGLISH, drive_to
from tests.telegram.test_hardening_logs import debug_log

__all__ = ["debug_log"]

USER = "U0ZQXLOGUSER"


async def test_debug_log_of_a_whole_slack_conversation_has_no_personal_data(
    workspace: Workspace, debug_log: io.StringIO
) -> None:
    script = {
        **ENGLISH,
        Step.CLIENT_NAME: ("type", "Zqxclient Sons"),
        Step.DELIVERY: ("type", "zqxdelivery landing page"),
        Step.CLIENT_SAID: ("type", "Zqxquote not what we imagined."),
    }
    assert await workspace.say(USER, "hi") == 200
    seen = await drive_to(workspace, USER, script)
    assert seen[-1] is Step.REPLY

    log = debug_log.getvalue()
    assert "DEBUG" in log, "the log was not written at DEBUG"
    for marker in ("Zqxclient", "zqxdelivery", "Zqxquote", USER, TEAM_ID):
        assert marker not in log, f"{marker!r} leaked into the DEBUG log"
