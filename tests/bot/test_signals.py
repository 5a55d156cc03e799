"""run_until_stopped: a signal stops every job; a job that ends or dies stops the others."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from bot.signals import run_until_stopped


async def test_sigterm_cancels_every_job() -> None:
    cancelled: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.append(name)

    async def send_sigterm() -> None:
        await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = asyncio.create_task(send_sigterm())
    await run_until_stopped(lambda: forever("a"), lambda: forever("b"))
    await sender
    assert sorted(cancelled) == ["a", "b"]


async def test_a_dying_job_stops_the_others_and_its_error_is_raised() -> None:
    others: list[str] = []

    async def dies() -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("the loop died")

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            others.append("cancelled")

    with pytest.raises(RuntimeError, match="the loop died"):
        await run_until_stopped(dies, forever)
    assert others == ["cancelled"]


async def test_a_job_that_ends_ends_the_run() -> None:
    async def ends() -> None:  # the terminal at end of input
        await asyncio.sleep(0)

    async def forever() -> None:
        await asyncio.Event().wait()

    await asyncio.wait_for(run_until_stopped(ends, forever), timeout=5)
