"""The draft composer: texts the user copies and sends (steps 3, 7 and 8).

A draft is built from sentence-level messages in ``locales/*/drafts.ftl``: a
sentence is included only when the facts it needs are known, so skipped facts
leave no holes, placeholders or dangling punctuation. Only what the user told
the coach is used — never ``Answers.vented`` — and a free-text fact in the
other language's script is left out rather than pasted. The draft's language
is passed by the caller and is independent of the coach's language; amounts
are formatted for the draft's language.

Modules: :mod:`~flows.drafts.addressee` (whom and how to greet),
:mod:`~flows.drafts.facts_text` (facts inside sentences),
:mod:`~flows.drafts.money_text` (settlement outcomes as sentences),
:mod:`~flows.drafts.signals` (what the client asked for),
:mod:`~flows.drafts.call`, :mod:`~flows.drafts.reply`, :mod:`~flows.drafts.clause`.
"""

from __future__ import annotations

from flows.drafts.call import compose_call_request
from flows.drafts.clause import clause_percent, compose_contract_clause
from flows.drafts.money_text import _PAYMENT_SENTENCES
from flows.drafts.reply import compose_reply

__all__ = [
    "_PAYMENT_SENTENCES",
    "clause_percent",
    "compose_call_request",
    "compose_contract_clause",
    "compose_reply",
]
