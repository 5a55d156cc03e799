"""The same-work baseline: a bare bolt ``AsyncApp`` making our app's Web API calls.

``python -m bench.slack_samework --port P --api-url URL --playbook FILE`` (token and
signing secret from ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET``) serves HTTP
mode and, for every input, makes the calls our app makes for that step of the
user's script (:mod:`bench.playbook`): for a direct message, ``chat.postMessage``
of each rendered message; for a button press, ``ack()``, ``chat.update`` of the
question (its blocks without the buttons, the chosen answer below) at the same
time as the posts; then ``views.publish`` of the App Home. No coach, no storage,
no state machine: one counter per user says where in the script they are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = logging.getLogger("bench.slack_samework")


class Replayer:
    """Where each user is in their script, and the calls of their next input."""

    def __init__(self, playbook: list[list[dict[str, Any]]], client: AsyncWebClient) -> None:
        self.playbook = playbook
        self.client = client
        self.position: dict[str, int] = {}

    def next_entry(self, user_id: str) -> dict[str, Any]:
        """The playbook entry of ``user_id``'s next input (user ``UB<n>`` walks script n)."""
        index = int(user_id.removeprefix("UB") or 0)
        script = self.playbook[index % len(self.playbook)]
        position = self.position.get(user_id, 0)
        self.position[user_id] = (position + 1) % len(script)
        return script[position]

    async def post(self, channel: str, entry: dict[str, Any]) -> None:
        """Post the step's messages, in order."""
        for message in entry["messages"]:
            await self.client.chat_postMessage(
                channel=channel, text=message["text"], blocks=message["blocks"]
            )

    async def on_message(self, event: dict[str, Any]) -> None:
        """A direct message: the step's posts, then the App Home."""
        user = str(event.get("user") or "")
        if event.get("channel_type") != "im" or not user or event.get("bot_id"):
            return
        entry = self.next_entry(user)
        await self.post(str(event["channel"]), entry)
        await self.client.views_publish(user_id=user, view=entry["home"])

    async def on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A press: ack, update the question and post the next messages at once, the App Home."""
        await ack()
        user = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or "")
        message = body.get("message") or {}
        action = (body.get("actions") or [{}])[0]
        label = str((action.get("text") or {}).get("text") or "")
        entry = self.next_entry(user)
        kept = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
        kept.append(
            {
                "type": "context",
                "block_id": "chosen",
                "elements": [{"type": "mrkdwn", "text": f"✓ {label}"}],
            }
        )
        await asyncio.gather(
            self.client.chat_update(
                channel=channel, ts=str(message.get("ts")), text=message.get("text"), blocks=kept
            ),
            self.post(channel, entry),
        )
        await self.client.views_publish(user_id=user, view=entry["home"])


def build_app(*, api_url: str, playbook: list[list[dict[str, Any]]]) -> AsyncApp:
    """The replaying app: every DM and every button press."""
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url)
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    replayer = Replayer(playbook, client)
    app.event("message")(replayer.on_message)
    app.action(re.compile(".*"))(replayer.on_action)
    return app


def main() -> int:
    """Serve the app until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--playbook", required=True, help="JSON file (bench.playbook)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    playbook = json.loads(Path(args.playbook).read_text())
    build_app(api_url=args.api_url, playbook=playbook).start(
        port=args.port, path="/slack/events", host="127.0.0.1"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
