"""Persistence: SQLAlchemy 2 async models, the repository and Alembic migrations."""

from storage.db import DATABASE_ERRORS, create_engine, default_database_url
from storage.migrate import current_revision, head_revision, schema_is_current, upgrade
from storage.repository import (
    CaseEventRecord,
    ClaimedReminder,
    ConflictError,
    Storage,
    StorageSession,
    StorageTransaction,
    StoredUser,
    prune_processed,
    utc_now,
)

__all__ = [
    "DATABASE_ERRORS",
    "CaseEventRecord",
    "ClaimedReminder",
    "ConflictError",
    "Storage",
    "StorageSession",
    "StorageTransaction",
    "StoredUser",
    "create_engine",
    "current_revision",
    "default_database_url",
    "head_revision",
    "prune_processed",
    "schema_is_current",
    "upgrade",
    "utc_now",
]
