"""Check Block Kit payloads with slack_sdk's models and Slack's documented limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

KNOWN = (ActionsBlock, ContextBlock, DividerBlock, HeaderBlock, SectionBlock)


def check_message_blocks(blocks: list[dict[str, Any]]) -> None:
    """Every block parses as a known slack_sdk model, validates, and keeps within limits."""
    assert 1 <= len(blocks) <= 50
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for raw in blocks:
        check_block(raw)
        block_id = raw.get("block_id")
        if block_id is not None:
            assert block_id not in block_ids, f"duplicate block_id {block_id}"
            block_ids.add(block_id)
        for element in raw.get("elements", []) if raw["type"] == "actions" else []:
            assert element["action_id"] not in action_ids, "duplicate action_id"
            action_ids.add(element["action_id"])


def check_block(raw: dict[str, Any]) -> None:
    """One block: parsed by ``Block.parse``, validated by ``to_dict``, limits checked."""
    block = Block.parse(raw)
    assert isinstance(block, KNOWN), f"unexpected block {raw.get('type')}"
    block.to_dict()  # runs slack_sdk's validators (text lengths, element counts, …)
    assert len(raw.get("block_id") or "") <= 255
    if isinstance(block, SectionBlock):
        text = raw["text"]["text"]
        assert 1 <= len(text) <= 3000
    if isinstance(block, ActionsBlock):
        assert 1 <= len(raw["elements"]) <= 25
        for element in raw["elements"]:
            button = ButtonElement(**{k: v for k, v in element.items() if k != "type"})
            button.to_dict()
            assert 1 <= len(element["text"]["text"]) <= 75
            assert 1 <= len(element["action_id"]) <= 255
            assert 1 <= len(element["value"]) <= 2000
    if isinstance(block, ContextBlock):
        for element in raw["elements"]:
            assert len(element["text"]) <= 3000


def check_home_view(view: dict[str, Any]) -> None:
    """An App Home view: type home, at most 100 valid blocks."""
    assert view["type"] == "home"
    assert 1 <= len(view["blocks"]) <= 100
    View(**view).to_dict()
    for raw in view["blocks"]:
        check_block(raw)
