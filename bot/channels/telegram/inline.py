"""Inline mode: ``@bot …`` in any chat offers the user's own latest drafts to send there."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.constants import InlineQueryLimit

from bot.channels.telegram.inputs import conversation_key
from bot.channels.telegram.render import MAX_TEXT_LENGTH, truncate
from bot.engine import Engine
from flows.i18n import t
from flows.io import DraftKind

#: Drafts offered in inline mode.
INLINE_RESULTS = 10
#: Deep-link payload of the "open a private chat" button (t.me/<bot>?start=…).
DEEP_LINK_PAYLOAD = "coach"

_INLINE_KINDS = frozenset({DraftKind.REPLY, DraftKind.CALL_REQUEST, DraftKind.CONTRACT_CLAUSE})
_DESCRIPTION_LENGTH = 100

#: The coach language of a user: (user id, Telegram language code) → language.
LanguageOf = Callable[[int, str | None], Awaitable[str]]


async def answer_inline_query(
    query: InlineQuery, *, engine: Engine, language_of: LanguageOf
) -> None:
    """Answer ``query`` with the asking user's drafts matching its text (newest first).

    Without any, a button opens the private chat with the bot instead.
    """
    key = conversation_key(query.from_user.id)
    drafts = [
        draft
        for draft in await engine.latest_drafts(key, limit=INLINE_RESULTS)
        if draft.kind in _INLINE_KINDS
    ]
    needle = query.query.strip().casefold()
    if needle:
        drafts = [d for d in drafts if needle in f"{d.title}\n{d.text}".casefold()]
    results = [
        InlineQueryResultArticle(
            id=f"draft-{index}",
            title=truncate(draft.title, limit=_DESCRIPTION_LENGTH),
            description=truncate(" ".join(draft.text.split()), limit=_DESCRIPTION_LENGTH),
            input_message_content=InputTextMessageContent(
                truncate(draft.text, limit=MAX_TEXT_LENGTH)
            ),
        )
        for index, draft in enumerate(drafts[: int(InlineQueryLimit.RESULTS)])
    ]
    button = None
    if not results:
        language = await language_of(query.from_user.id, query.from_user.language_code)
        button = InlineQueryResultsButton(
            text=t(language, "tg-inline-start"), start_parameter=DEEP_LINK_PAYLOAD
        )
    await query.answer(results, cache_time=0, is_personal=True, button=button)
