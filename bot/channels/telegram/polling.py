"""Long polling that confirms an offset only after its updates are stored (issue 13).

Telegram forgets an update once the bot asks ``getUpdates`` for a later offset.
python-telegram-bot's updater asks for it on the next call, whatever happened to
the update in between — a worker that dies before working on a fetched update
loses it. This loop hands each batch to ``receive`` (which stores it in the
inbox) and moves the offset past the batch only when that succeeded; otherwise
the same updates are fetched again after a pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

_LOGGER = logging.getLogger(__name__)

#: Stores a batch of polled updates (with their JSON); whether they were taken.
Receive = Callable[[Sequence[tuple[Update, str]]], Awaitable[bool]]

#: The first pause after a failed ``getUpdates`` or store; doubled up to the cap.
FIRST_PAUSE_SECONDS = 0.5
MAX_PAUSE_SECONDS = 30.0
#: How long a stop waits to confirm the last batch.
CONFIRM_SECONDS = 5.0


#: The JSON of a fetched update as Telegram sent it, if the request kept it.
FetchedJson = Callable[[int], str | None]


def update_json(update: Update, fetched_json: FetchedJson | None = None) -> str:
    """The update as Telegram sent it: as fetched, else rebuilt (PTB keeps its fields)."""
    if fetched_json is not None:
        fetched = fetched_json(update.update_id)
        if fetched is not None:
            return fetched
    return json.dumps(update.to_dict(), ensure_ascii=False, separators=(",", ":"))


async def poll(
    bot: Bot,
    receive: Receive,
    *,
    timeout: float,
    poll_interval: float,
    allowed_updates: Sequence[str],
    fetched_json: FetchedJson | None = None,
) -> None:
    """Fetch updates until cancelled; confirm each batch only once ``receive`` took it.

    ``fetched_json``: the JSON of a fetched update as it came (:class:`PollingRequest`).
    """
    await bot.delete_webhook()
    offset: list[int | None] = [None]
    try:
        await _poll(bot, receive, offset, timeout, poll_interval, allowed_updates, fetched_json)
    except asyncio.CancelledError:
        # Confirm the last stored batch (as PTB's updater does on stop): else the
        # next start fetches it again (applied once, but stored twice).
        if offset[0] is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    bot.get_updates(offset=offset[0], limit=1, timeout=0), CONFIRM_SECONDS
                )
        raise


async def _poll(
    bot: Bot,
    receive: Receive,
    confirmed: list[int | None],
    timeout: float,
    poll_interval: float,
    allowed_updates: Sequence[str],
    fetched_json: FetchedJson | None,
) -> None:
    offset: int | None = None
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=timedelta(seconds=round(max(timeout, 0.0))),  # whole seconds
                allowed_updates=list(allowed_updates),
            )
        except TimedOut:
            continue
        except InvalidToken:
            raise
        except RetryAfter as error:
            retry_after = error.retry_after
            seconds = (
                retry_after.total_seconds()
                if isinstance(retry_after, timedelta)
                else float(retry_after)
            )
            await asyncio.sleep(seconds)
            continue
        except (Conflict, NetworkError, TelegramError) as error:
            _LOGGER.warning("getUpdates failed (%s); trying again", type(error).__name__)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_SECONDS)
            continue
        if updates:
            batch = [(update, update_json(update, fetched_json)) for update in updates]
            if not await receive(batch):
                # Not stored (the database is down): fetched again after the pause.
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
                continue
            offset = confirmed[0] = updates[-1].update_id + 1
        pause = FIRST_PAUSE_SECONDS
        if poll_interval:
            await asyncio.sleep(poll_interval)
