"""Slack events, commands and actions → the coach's neutral inputs."""

from __future__ import annotations

import pytest

from bot.channels.slack import inputs
from flows.io import ChoiceInput, CommandInput, TextInput, UnsupportedInput


def _event(**extra: object) -> dict[str, object]:
    event: dict[str, object] = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "hello",
        "channel": "D1",
    }
    event.update(extra)
    return event


def test_a_person_in_a_dm_is_coached() -> None:
    assert inputs.is_user_dm(_event(), bot_user_id="UBOT")


@pytest.mark.parametrize(
    "extra",
    [
        {"channel_type": "channel"},
        {"channel_type": "mpim"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"subtype": "bot_message", "bot_id": "B1"},
        {"bot_id": "B1"},
        {"user": "UBOT"},
        {"user": None},
    ],
)
def test_other_messages_are_ignored(extra: dict[str, object]) -> None:
    assert not inputs.is_user_dm(_event(**extra), bot_user_id="UBOT")


def test_text_and_commands_in_a_dm() -> None:
    assert inputs.message_input(_event(text="Acme &amp; Co")) == TextInput("Acme & Co")
    assert inputs.message_input(_event(text="/back")) == CommandInput("back")
    assert inputs.message_input(_event(text="/LANG bg")) == CommandInput("lang", "bg")
    assert inputs.message_input(_event(text="/ not a command")) == TextInput("/ not a command")


def test_files_are_unsupported() -> None:
    event = _event(subtype="file_share", files=[{"id": "F1"}], text="")
    assert inputs.message_input(event) == UnsupportedInput("file")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", CommandInput("start")),
        ("   ", CommandInput("start")),
        ("help", CommandInput("help")),
        ("Back", CommandInput("back")),
        ("restart", CommandInput("restart")),
        ("lang bg", CommandInput("lang", "bg")),
        ("delete", CommandInput("delete")),
        ("dance", CommandInput("dance")),
    ],
)
def test_slash_command(text: str, command: CommandInput) -> None:
    assert inputs.slash_command_input({"text": text}) == command


def test_actions() -> None:
    assert inputs.action_input({"action_id": "choice-0-1", "value": "rc:x"}) == ChoiceInput("rc:x")
    assert inputs.action_input({"action_id": "home-continue"}) == CommandInput("start")
    assert inputs.action_input({"action_id": "home-new-case"}) == CommandInput("restart")
    assert inputs.action_input({"action_id": "home-language"}) == CommandInput("lang")
    assert inputs.action_input({"action_id": "home-delete"}) == CommandInput("delete")
    assert inputs.action_input({"action_id": "choice-0-0"}) is None
