"""The baseline: a bare slack-bolt echo ``AsyncApp`` in HTTP mode (its own process).

``python -m bench.slack_echo --port P --api-url URL`` (token and signing
secret from ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET``) answers every
direct message with the same text through ``say``. Nothing else: no storage,
no App Home — the cost of bolt itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = logging.getLogger("bench.slack_echo")


def build_app(*, api_url: str) -> AsyncApp:
    """The echo app: every message event answered with its text."""
    token = os.environ["SLACK_BOT_TOKEN"]
    client = AsyncWebClient(token=token, base_url=api_url)
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.event("message")
    async def echo(event: dict[str, Any], say: AsyncSay) -> None:
        await say(text=str(event.get("text") or ""))

    return app


def main() -> int:
    """Serve the echo app until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    build_app(api_url=args.api_url).start(port=args.port, path="/slack/events", host="127.0.0.1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
