"""The transactional inbox (issue 13): an update's inbox row goes with its step.

The engine deletes the row in the step's transaction (a duplicate's too) and claims
the sender's next waiting row for this worker in the same transaction.
"""

from __future__ import annotations

import json

from bot.engine import Engine, IncomingMessage
from bot.engine.results import InboxRef
from flows.coach import Coach
from flows.io import CommandInput, ConversationKey
from storage import Storage

KEY = ConversationKey("telegram", "", "8801")


async def _stored(engine: Engine, update_id: int) -> InboxRef:
    body = json.dumps({"update_id": update_id})
    accepted = await engine.inbox.accept(
        platform="telegram",
        body=body,
        content_type="application/json",
        identity=str(update_id),
        sender=KEY.user_id,
    )
    assert accepted.row_id is not None
    return InboxRef(accepted.row_id, engine.inbox.conversation_of("telegram", KEY.user_id))


async def _waiting(storage: Storage) -> int:
    async with storage.transaction(readonly=True) as tx:
        return (await tx.inbox_stats())[0]


async def test_the_row_goes_with_the_step_and_the_next_one_is_claimed(storage: Storage) -> None:
    engine = Engine(storage=storage, coach=Coach())
    first = await _stored(engine, 1)
    second = await _stored(engine, 2)  # behind the first: deferred
    assert await _waiting(storage) == 2

    result = await engine.handle(
        IncomingMessage(key=KEY, user_input=CommandInput("start"), update_id="1", inbox=first)
    )
    assert result.inbox_cleared and not result.duplicate
    assert result.inbox_next is not None and result.inbox_next.id == second.row_id
    assert json.loads(result.inbox_next.body) == {"update_id": 2}
    assert await _waiting(storage) == 1

    # The next one is a redelivery of the first: a duplicate, its row cleared all the same.
    again = await engine.handle(
        IncomingMessage(key=KEY, user_input=CommandInput("start"), update_id="1", inbox=second)
    )
    assert again.duplicate and again.inbox_cleared and again.inbox_next is None
    assert await _waiting(storage) == 0
