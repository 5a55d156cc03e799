"""The platforms the coach talks on: one folder per channel, one line per channel here.

The command line (its subcommands and the default command), ``serve`` (what it
mounts) and the settings (which fields are secrets) iterate :data:`CHANNELS`;
none of them names a platform. Importing this package stays cheap: each
channel's ``__init__`` holds only its :class:`~bot.channels.base.ChannelSpec`;
the platform library is imported when the channel is built.
"""

from __future__ import annotations

from bot.channels import console, slack, telegram
from bot.channels.base import Channel, ChannelFactory, ChannelSpec

__all__ = ["CHANNELS", "Channel", "ChannelFactory", "ChannelSpec"]

#: Every channel, in the order the default command tries them (the first configured wins).
CHANNELS: dict[str, ChannelSpec] = {
    spec.name: spec
    for spec in (
        telegram.SPEC,
        slack.SPEC,
        console.SPEC,
    )
}
