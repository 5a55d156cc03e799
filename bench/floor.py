"""The floors: what the issue's inbox and outbox, and the pure coach, cost on their own.

``python -m bench.floor --url URL [--mode sqlalchemy|sqlite3|coach] [--driver aiosqlite|inloop]``
creates our schema in the database at ``URL`` (a fresh SQLite file or PostgreSQL
database), then, for ``--updates`` updates of ``--users`` users, runs only the
statements issue 13 makes every update cost — nothing else: no coach, no
platform library, no HTTP, no rendering. Per batch of ``--batch`` polled updates:

1. the inbox: one transaction inserting the batch's rows (before the offset is
   confirmed);
2. per update, the step's transaction: read the user's active case, write it
   back (version-checked), append its event, delete its inbox row, insert its
   outbox row — and the previous sent outbox row's delete rides along;

which is the fewest transactions and statements the issue's own rules allow
(our pipeline makes these and a few more). ``--mode sqlalchemy`` runs them
through SQLAlchemy Core on :func:`storage.db.create_engine` (the design card's
storage, with our pragmas and ``BEGIN IMMEDIATE``); ``--mode sqlite3`` through
the standard library's ``sqlite3`` directly, synchronously, as a reference of
what SQLite itself costs. ``--mode coach`` instead replays the benchmarks'
recorded conversations through the pure coach (:mod:`flows`) and our Telegram
renderer: no storage at all. It prints one JSON line: the process's CPU time
per update (all threads, after a warm-up), and the statements and commits made.

:mod:`bench.samework` runs it beside the bare library bots: a budget of
``ours ≤ 1.25 × theirs`` leaves the coach 25 % of the bare bot's CPU per update
for everything it does on top, storage included, so a floor above that 25 %
says the target cannot be met with the storage the issue prescribes; the coach's
floor is what is left of that room for everything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime
from typing import Any

#: A case's answers document of a realistic size (a mid-conversation case, about 1 KB).
_STATE: dict[str, Any] = {
    "language": "en",
    "answers": {
        "mood": "calm",
        "client_name": "Anna Novak",
        "work": "a landing page and two banners",
        "channel": "call",
        "feedback": "the colours feel too quiet and the hero image too small",
        "problem": "style",
        "details": "bolder colours, a larger hero image",
        "price": {"amount": "1500.00", "currency": "EUR"},
        "deposit": {"amount": "300.00", "currency": "EUR"},
    },
    "history": ["start", "mood", "client", "work", "channel", "feedback", "problem"],
    "turn": 7,
    "notes": "x" * 400,
}
#: An update's raw JSON of a realistic size (a Telegram message, about 600 bytes).
_BODY = json.dumps(
    {
        "update_id": 0,
        "message": {
            "message_id": 1,
            "from": {"id": 1, "is_bot": False, "first_name": "Ana", "language_code": "en"},
            "chat": {"id": 1, "type": "private", "first_name": "Ana"},
            "date": 1764680000,
            "text": "They said the colours feel too quiet and the hero image is too small.",
        },
    }
)
#: One outbox row's payload: the step's neutral outputs (about 1.5 KB).
_PAYLOAD = [{"kind": "reply", "key": "coach-ask-details", "args": {"x": "y" * 700}}] * 2

WARMUP_SHARE = 0.1

_SQL_INBOX = (
    "INSERT INTO inbox (platform, digest, body, content_type, received_at, attempts,"
    " claimed_until, claim_token, conversation)"
    " VALUES ('telegram', ?, ?, 'application/json', ?, 0, ?, ?, ?) RETURNING id"
)
_SQL_WRITE_CASE = (
    "UPDATE cases SET state = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?"
)
_SQL_EVENT = (
    "INSERT INTO case_events (case_id, user_id, seq, from_step, to_step, kind, created_at)"
    " VALUES (?, ?, ?, 'details', 'details', 'answer', ?)"
)
_SQL_OUTBOX = (
    "INSERT INTO outbox (platform, workspace, chat, user_id, origin, payload, parts_sent,"
    " status, attempts, created_at, next_attempt_at)"
    " VALUES ('telegram', '', ?, ?, 'reply', ?, 0, 'pending', 0, ?, ?) RETURNING id"
)


def _now() -> datetime:
    return datetime.now(UTC)


async def _run_sqlalchemy(
    url: str, *, driver: str, users: int, updates: int, batch: int
) -> dict[str, Any]:
    from sqlalchemy import bindparam, delete, insert, select, update

    from storage.db import create_engine
    from storage.models import Base, CaseEvent, CaseRow, InboxRow, OutboxRow, User

    engine = create_engine(url, sqlite_driver=driver if url.startswith("sqlite") else None)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            now = _now()
            for n in range(users):
                user_id = (
                    await conn.execute(
                        insert(User)
                        .values(
                            platform="telegram",
                            workspace="",
                            platform_user_id=str(n),
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(User.id)
                    )
                ).scalar_one()
                await conn.execute(
                    insert(CaseRow).values(
                        id=f"case{n:028d}",
                        user_id=user_id,
                        step="details",
                        status="active",
                        state=_STATE,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
        # Every statement built once, its values bound per call: SQLAlchemy's cheapest Core path.
        read_case = select(CaseRow.state, CaseRow.version, CaseRow.user_id).where(
            CaseRow.id == bindparam("case_id")
        )
        write_case = update(CaseRow).where(
            CaseRow.id == bindparam("case_id"), CaseRow.version == bindparam("old_version")
        )
        add_event = insert(CaseEvent)
        add_inbox = insert(InboxRow).returning(InboxRow.id)
        drop_inbox = delete(InboxRow).where(InboxRow.id == bindparam("row_id"))
        add_outbox = insert(OutboxRow).returning(OutboxRow.id)
        drop_outbox = delete(OutboxRow).where(OutboxRow.id == bindparam("row_id"))
        case_ids = [f"case{n:028d}" for n in range(users)]
        statements = commits = 0
        sent: int | None = None
        warmup = int(updates * WARMUP_SHARE)
        started = 0.0
        seq = 0
        for first in range(0, updates + warmup, batch):
            if first >= warmup and not started:
                started = time.process_time()
                statements = commits = 0
            now = _now()
            async with engine.begin() as conn:
                ids = []
                for n in range(first, first + batch):
                    ids.append(
                        (
                            await conn.execute(
                                add_inbox,
                                {
                                    "platform": "telegram",
                                    "digest": f"{n:064d}",
                                    "body": _BODY,
                                    "content_type": "application/json",
                                    "received_at": now,
                                    "attempts": 0,
                                    "claimed_until": now,
                                    "claim_token": "t" * 32,
                                    "conversation": str(n % users),
                                },
                            )
                        ).scalar_one()
                    )
                    statements += 1
            commits += 1
            for offset, inbox_id in enumerate(ids):
                n = first + offset
                case_id = case_ids[n % users]
                seq += 1
                async with engine.begin() as conn:
                    row = (await conn.execute(read_case, {"case_id": case_id})).one()
                    await conn.execute(
                        write_case,
                        {
                            "case_id": case_id,
                            "old_version": row.version,
                            "state": row.state,
                            "version": row.version + 1,
                            "updated_at": now,
                        },
                    )
                    await conn.execute(
                        add_event,
                        {
                            "case_id": case_id,
                            "user_id": row.user_id,
                            "seq": seq,
                            "from_step": "details",
                            "to_step": "details",
                            "kind": "answer",
                            "created_at": now,
                        },
                    )
                    await conn.execute(drop_inbox, {"row_id": inbox_id})
                    if sent is not None:
                        await conn.execute(drop_outbox, {"row_id": sent})
                        statements += 1
                    sent = (
                        await conn.execute(
                            add_outbox,
                            {
                                "platform": "telegram",
                                "workspace": "",
                                "chat": str(n % users),
                                "user_id": row.user_id,
                                "origin": "reply",
                                "payload": _PAYLOAD,
                                "parts_sent": 0,
                                "status": "pending",
                                "attempts": 0,
                                "created_at": now,
                                "next_attempt_at": now,
                            },
                        )
                    ).scalar_one()
                    statements += 5
                commits += 1
        cpu = time.process_time() - started
    finally:
        await engine.dispose()
    return {
        "cpu_ms_per_update": cpu * 1000 / updates,
        "statements_per_update": statements / updates,
        "commits_per_update": commits / updates,
    }


def _run_sqlite3(path: str, *, users: int, updates: int, batch: int) -> dict[str, Any]:
    """The same statements on the standard library's ``sqlite3``, synchronously."""
    from sqlalchemy import create_engine as create_sync_engine

    from storage.models import Base

    schema = create_sync_engine(f"sqlite:///{path}")
    Base.metadata.create_all(schema)
    schema.dispose()
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "secure_delete = ON",
    ):
        db.execute(f"PRAGMA {pragma}")
    now = _now().isoformat()
    state = json.dumps(_STATE)
    payload = json.dumps(_PAYLOAD)
    db.execute("BEGIN IMMEDIATE")
    for n in range(users):
        db.execute(
            "INSERT INTO users (id, platform, workspace, platform_user_id, created_at, updated_at)"
            " VALUES (?, 'telegram', '', ?, ?, ?)",
            (n + 1, str(n), now, now),
        )
        db.execute(
            "INSERT INTO cases (id, user_id, step, status, state, version, created_at, updated_at)"
            " VALUES (?, ?, 'details', 'active', ?, 1, ?, ?)",
            (f"case{n:028d}", n + 1, state, now, now),
        )
    db.execute("COMMIT")
    statements = commits = 0
    sent: int | None = None
    warmup = int(updates * WARMUP_SHARE)
    started = 0.0
    seq = 0
    for first in range(0, updates + warmup, batch):
        if first >= warmup and not started:
            started = time.process_time()
            statements = commits = 0
        now = _now().isoformat()
        db.execute("BEGIN IMMEDIATE")
        ids = []
        for n in range(first, first + batch):
            ids.append(
                db.execute(
                    _SQL_INBOX,
                    (f"{n:064d}", _BODY, now, now, "t" * 32, str(n % users)),
                ).fetchone()[0]
            )
            statements += 1
        db.execute("COMMIT")
        commits += 1
        for offset, inbox_id in enumerate(ids):
            n = first + offset
            case_id = f"case{n % users:028d}"
            seq += 1
            db.execute("BEGIN IMMEDIATE")
            loaded, version, user_id = db.execute(
                "SELECT state, version, user_id FROM cases WHERE id = ?", (case_id,)
            ).fetchone()
            db.execute(
                _SQL_WRITE_CASE,
                (json.dumps(json.loads(loaded)), version + 1, now, case_id, version),
            )
            db.execute(
                _SQL_EVENT,
                (case_id, user_id, seq, now),
            )
            db.execute("DELETE FROM inbox WHERE id = ?", (inbox_id,))
            if sent is not None:
                db.execute("DELETE FROM outbox WHERE id = ?", (sent,))
                statements += 1
            sent = db.execute(
                _SQL_OUTBOX,
                (str(n % users), user_id, payload, now, now),
            ).fetchone()[0]
            db.execute("COMMIT")
            statements += 5
            commits += 1
    cpu = time.process_time() - started
    db.close()
    return {
        "cpu_ms_per_update": cpu * 1000 / updates,
        "statements_per_update": statements / updates,
        "commits_per_update": commits / updates,
    }


def _run_coach(*, updates: int) -> dict[str, Any]:
    """The pure coach and the Telegram renderer alone, over the benchmarks' recorded scripts."""
    from bench.conversation import input_for
    from bench.scripts import make_coach, recordings
    from bot.channels.telegram.render import render
    from flows.case import CaseStatus
    from flows.io import Outgoing, UserContext

    coach = make_coach()
    scripts = recordings()
    done = 0
    started = 0.0
    warmup = int(updates * WARMUP_SHARE)
    while done < updates + warmup:
        for rec in scripts:
            case = None
            last: list[Outgoing] = []
            for action in rec.actions:
                if done == warmup:
                    started = time.process_time()
                result = coach.handle(
                    UserContext(language=rec.language, active_case=case), input_for(action, last)
                )
                last = list(result.outgoing)
                render(last)
                case = result.case
                if case is not None and case.status != CaseStatus.ACTIVE:
                    case = None
                done += 1
    cpu = time.process_time() - started
    measured = done - warmup
    return {"cpu_ms_per_update": cpu * 1000 / measured, "updates": measured}


def main() -> int:
    """Run the floor once and print its figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="sqlite+aiosqlite:///FILE or a PostgreSQL URL")
    parser.add_argument("--mode", choices=("sqlalchemy", "sqlite3", "coach"), default="sqlalchemy")
    parser.add_argument("--driver", choices=("aiosqlite", "inloop"), default="aiosqlite")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    if args.mode == "coach":
        result = _run_coach(updates=args.updates)
    elif args.mode == "sqlite3":
        path = args.url.split(":///", 1)[1]
        result = _run_sqlite3(path, users=args.users, updates=args.updates, batch=args.batch)
    else:
        result = asyncio.run(
            _run_sqlalchemy(
                args.url,
                driver=args.driver,
                users=args.users,
                updates=args.updates,
                batch=args.batch,
            )
        )
    if args.mode == "coach":
        driver = "none"
    else:
        driver = args.driver if args.url.startswith("sqlite") else "asyncpg"
    result.update(mode=args.mode, driver=driver)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
