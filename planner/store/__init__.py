"""Persistence: durable jobs, their events and results (SQLite by default, PostgreSQL by URL).

The schema is managed by Alembic migrations shipped in ``planner/store/migrations``; :class:`JobStore`
upgrades the database when it opens it.
"""

from planner.store.jobs import (
    JobEvent,
    JobNotFound,
    JobRecord,
    JobState,
    JobStore,
    QueueFull,
    create_store_engine,
)
from planner.store.migrate import upgrade

__all__ = [
    "JobEvent",
    "JobNotFound",
    "JobRecord",
    "JobState",
    "JobStore",
    "QueueFull",
    "create_store_engine",
    "upgrade",
]
