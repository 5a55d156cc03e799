"""Small text helpers shared by the coach's messages (one copy each)."""

from __future__ import annotations


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def dash(value: str) -> str:
    """A step or enum value as it appears in a message key: ``client_name`` → ``client-name``."""
    return value.replace("_", "-")
