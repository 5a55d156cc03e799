"""Errors shared by the command line, the channels and ``serve``."""

from __future__ import annotations


class ConfigError(ValueError):
    """The configuration cannot work (a missing token, a webhook without its secret …).

    The command line prints the message and exits with the usage code; nothing
    was started.
    """
