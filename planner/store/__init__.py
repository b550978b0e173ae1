"""Persistence: durable jobs, their events and results, and plan versions (SQLite by default, PostgreSQL by URL).

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
from planner.store.plans import DbPlanStore, PlanConflict, PlanNotFound, PlanRepository, PlanVersion

__all__ = [
    "DbPlanStore",
    "JobEvent",
    "JobNotFound",
    "JobRecord",
    "JobState",
    "JobStore",
    "PlanConflict",
    "PlanNotFound",
    "PlanRepository",
    "PlanVersion",
    "QueueFull",
    "create_store_engine",
    "upgrade",
]
