"""Durable plans: every version of every plan, in the job store's database (SQLite or PostgreSQL).

A version holds the plan JSON (:meth:`planner.planning.Plan.to_dict`) and the context it came from (the
plant document and the scheduling instance, what a re-plan needs). Versions never change; a new version is
inserted with the next number, and the unique ``(plan_id, version)`` key makes two servers that re-plan
the same plan at once fail one of them (:class:`PlanConflict`) instead of losing an update.

:class:`DbPlanStore` is the :class:`planner.planning.versions.PlanStore` interface over one plan id, so the
domain code (exports, actuals, lifecycle) works on a database as on a plan directory.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from planner.exceptions import PlannerError
from planner.store.tables import PlanRow

if TYPE_CHECKING:
    from planner.planning.plan import Plan

logger = logging.getLogger(__name__)


class PlanNotFound(PlannerError, LookupError):
    """No plan (or no such version of it) is stored."""

    def __init__(self, plan_id: str, version: int | None = None, known: list[int] | None = None):
        self.plan_id = plan_id
        self.version = version
        if version is None:
            message = f"no plan with id {plan_id!r}"
        else:
            stored = ", ".join(map(str, known or [])) or "none"
            message = f"plan {plan_id!r} has no version {version} (stored: {stored})"
        super().__init__(message)


class PlanConflict(PlannerError):
    """Another writer stored the same version first (re-read the plan and try again)."""


@dataclass(frozen=True)
class PlanVersion:
    """One stored version: the plan JSON, its context and where it came from. ``created_at`` is UTC."""

    plan_id: str
    version: int
    previous_version: int | None
    plan: dict[str, Any]
    context: dict[str, Any] | None
    job_id: str
    reason: str
    created_at: datetime


def _version(row: PlanRow) -> PlanVersion:
    return PlanVersion(
        plan_id=row.plan_id,
        version=row.version,
        previous_version=row.previous_version,
        plan=row.plan,
        context=row.context,
        job_id=row.job_id,
        reason=row.reason,
        created_at=row.created_at.replace(tzinfo=UTC),
    )


class PlanRepository:
    """Plan versions in a SQL database (the job store's engine; the schema comes with its migrations).

    Parameters
    ----------
    engine
        The store's engine (:attr:`planner.store.JobStore.engine`).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(
        self,
        plan: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
        job_id: str = "",
        reason: str = "",
    ) -> PlanVersion:
        """Store a version (``plan["plan_id"]``, ``plan["version"]``).

        Raises
        ------
        PlanConflict
            When that version is already stored.
        """
        row = PlanRow(
            plan_id=str(plan["plan_id"]),
            version=int(plan["version"]),
            previous_version=plan.get("previous_version"),
            job_id=job_id,
            reason=reason[:200],
            plan=plan,
            context=context,
            created_at=datetime.now(UTC).replace(tzinfo=None),
        )
        with self._sessions() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise PlanConflict(
                    f"version {row.version} of plan {row.plan_id!r} was stored meanwhile; read it and retry"
                ) from None
            stored = _version(row)
        logger.info("stored version %d of plan %s (%s)", stored.version, stored.plan_id, reason or "new")
        return stored

    def versions(self, plan_id: str) -> list[int]:
        """Stored versions of ``plan_id``, oldest first (empty when there is no such plan)."""
        with self._sessions() as session:
            rows = session.execute(
                select(PlanRow.version).where(PlanRow.plan_id == plan_id).order_by(PlanRow.version)
            ).all()
        return [int(r.version) for r in rows]

    def get(self, plan_id: str, version: int = 0) -> PlanVersion:
        """A stored version (0: the latest).

        Raises
        ------
        PlanNotFound
            For an unknown plan id or version.
        """
        with self._sessions() as session:
            if version:
                query = select(PlanRow).where(PlanRow.plan_id == plan_id, PlanRow.version == version)
            else:
                latest = select(func.max(PlanRow.version)).where(PlanRow.plan_id == plan_id).scalar_subquery()
                query = select(PlanRow).where(PlanRow.plan_id == plan_id, PlanRow.version == latest)
            row = session.execute(query).scalar_one_or_none()
            if row is not None:
                return _version(row)
        known = self.versions(plan_id)
        if not known:
            raise PlanNotFound(plan_id)
        raise PlanNotFound(plan_id, version, known)

    def context(self, plan_id: str, version: int = 0) -> dict[str, Any]:
        """The context of a version, or of the nearest earlier version that has one (empty when none)."""
        for v in reversed(self.versions(plan_id)):
            if version and v > version:
                continue
            found = self.get(plan_id, v)
            if found.context:
                return found.context
        return {}


class DbPlanStore:
    """The :class:`~planner.planning.versions.PlanStore` interface over one plan in a :class:`PlanRepository`.

    Parameters
    ----------
    repository
        Where the versions are.
    plan_id
        The plan.
    reason
        Stored with versions this store commits (e.g. ``"release"``).
    """

    def __init__(self, repository: PlanRepository, plan_id: str, reason: str = ""):
        self.repository = repository
        self.plan_id = plan_id
        self.reason = reason
        self.context: dict[str, Any] | None = None
        """Context stored with the next saved version (None: none of its own)."""

    def current(self) -> Plan:
        """The latest version."""
        from planner.planning.plan import Plan

        return Plan.from_dict(self.repository.get(self.plan_id).plan)

    def versions(self) -> list[int]:
        """Every stored version, oldest first."""
        return self.repository.versions(self.plan_id)

    def load(self, version: int) -> Plan:
        """A stored version (raises :class:`PlanNotFound`)."""
        from planner.planning.plan import Plan

        return Plan.from_dict(self.repository.get(self.plan_id, version).plan)

    def save(self, plan: Plan) -> None:
        """Store ``plan`` as its version (raises :class:`PlanConflict` when that version exists)."""
        if plan.plan_id != self.plan_id:
            raise PlanConflict(f"this store holds plan {self.plan_id!r}, not {plan.plan_id!r}")
        self.repository.add(plan.to_dict(), context=self.context, reason=self.reason)

    def commit(self, plan: Plan) -> Plan:
        """Store ``plan`` as the next version after the current one (version, previous version, time set)."""
        current = self.current()
        new = plan.replace(
            version=current.version + 1,
            previous_version=current.version,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.save(new)
        return new
