"""Concurrent processing keeps one user's updates in order, other users run meanwhile."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.channels.telegram.processing import PerUserUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": "U"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": user,
        "text": "hi",
    }
    return Update.de_json({"update_id": update_id, "message": message}, None)


async def test_one_users_updates_wait_for_each_other_other_users_do_not() -> None:
    processor = PerUserUpdateProcessor(8)
    log: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    first = asyncio.create_task(processor.process_update(_update(1, 10), work("a1", gate)))
    second = asyncio.create_task(processor.process_update(_update(2, 10), work("a2")))
    other = asyncio.create_task(processor.process_update(_update(3, 20), work("b1")))

    await other  # another user's update is not held up by user 10's slow one
    assert log == ["start a1", "start b1", "end b1"]

    gate.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor.current_concurrent_updates == 0


async def test_idle_users_are_forgotten() -> None:
    processor = PerUserUpdateProcessor(4)

    async def work() -> None:
        return None

    for update_id in range(50):
        await processor.process_update(_update(update_id, 1000 + update_id), work())

    assert processor.users_in_flight == 0


async def test_a_user_flooding_the_bot_does_not_take_the_other_users_slots() -> None:
    processor = PerUserUpdateProcessor(2)
    gate = asyncio.Event()
    done: list[str] = []

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    flood = [
        asyncio.create_task(processor.process_update(_update(n, 10), work(f"a{n}", gate)))
        for n in range(1, 6)
    ]
    other = asyncio.create_task(processor.process_update(_update(9, 20), work("b")))

    await other  # five waiting updates of user 10 hold one slot, not both
    assert done == ["b"]

    gate.set()
    await asyncio.gather(*flood)
    assert done == ["b", "a1", "a2", "a3", "a4", "a5"]
