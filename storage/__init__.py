"""Persistence: SQLAlchemy 2 async models, the repository and Alembic migrations."""

from storage.db import DATABASE_ERRORS, create_engine, default_database_url
from storage.migrate import current_revision, head_revision, upgrade
from storage.records import CaseEventRecord, ClaimedReminder, ConflictError, StoredUser, utc_now
from storage.repository import Storage, StorageSession, prune_processed
from storage.transaction import StorageTransaction

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
    "upgrade",
    "utc_now",
]
