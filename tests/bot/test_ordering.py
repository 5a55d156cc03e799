"""KeyedLock: one key's holders run one at a time, in arrival order; other keys run alongside."""

from __future__ import annotations

import asyncio

from bot.ordering import KeyedLock


async def test_one_keys_holders_run_in_order_and_other_keys_alongside() -> None:
    order: KeyedLock[str] = KeyedLock()
    log: list[str] = []
    release = asyncio.Event()

    async def work(key: str, name: str, *, wait: bool = False) -> None:
        async with order.hold(key):
            log.append(f"{name} in")
            if wait:
                await release.wait()
            log.append(f"{name} out")

    first = asyncio.create_task(work("ana", "a1", wait=True))
    await asyncio.sleep(0)
    second = asyncio.create_task(work("ana", "a2"))
    other = asyncio.create_task(work("bob", "b1"))
    await other  # another key is not held up by ana's first input
    assert log == ["a1 in", "b1 in", "b1 out"]
    assert len(order) == 1  # bob was forgotten; ana is held and waited for

    release.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["a1 out", "a2 in", "a2 out"]
    assert len(order) == 0


async def test_a_failing_holder_releases_the_key() -> None:
    order: KeyedLock[int] = KeyedLock()

    async def fail() -> None:
        async with order.hold(1):
            raise RuntimeError("boom")

    results = await asyncio.gather(fail(), fail(), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert len(order) == 0
