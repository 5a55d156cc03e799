"""The app manifest lists what the adapter needs."""

from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "channels" / "slack" / "manifest.yml"


def test_manifest_has_scopes_events_command_interactivity_and_home() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    for scope in ("chat:write", "im:history", "im:read", "im:write", "users:read", "commands"):
        assert f"- {scope}" in lines, scope
    for event in ("message.im", "app_home_opened"):
        assert f"- {event}" in lines, event
    assert "- command: /coach" in lines
    assert "home_tab_enabled: true" in lines
    assert "messages_tab_enabled: true" in lines
    assert "is_enabled: true" in lines
    assert "socket_mode_enabled: true" in lines
    assert text.count("url: https://example.com/slack/events") == 3
    assert "\t" not in text
