"""Plan versions: what changed between two versions of a plan, and a store of versions in a plan directory.

A re-plan (after a breakdown, a rush order or actuals) makes a new version of the same plan. The difference
to an earlier version is what ``Change``/``Cancel`` documents publish: operations that moved (old and new
machine and times), operations added, operations cancelled, and operations whose state changed (an order
released). Operations that did not change are never in a difference, whatever their state; released and
running work is pinned in every re-plan, so it shows up only if it truly changed.

A plan directory holds the current version as ``plan.json`` and every version as
``versions/plan.v<N>.json`` (:class:`PlanStore`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.exceptions import ValidationError
from planner.planning.plan import PLAN_FILE, Plan, PlannedOperation, ProductionOrder

logger = logging.getLogger(__name__)

VERSIONS_DIR = "versions"
_VERSION_FILE = re.compile(r"^plan\.v(\d+)\.json$")


@dataclass(frozen=True)
class OperationMove:
    """An operation that moved between two versions: its old and new machine and times."""

    order: str
    operation: str
    old_machine: str
    new_machine: str
    old_start: int
    new_start: int
    old_end: int
    new_end: int


@dataclass(frozen=True)
class StateChange:
    """An operation whose state changed (and nothing else)."""

    order: str
    operation: str
    old_state: str
    new_state: str


@dataclass(frozen=True)
class PlanDiff:
    """What changed from version ``old_version`` to ``new_version`` of a plan.

    Parameters
    ----------
    old_version, new_version
        The two versions compared.
    moved
        Operations in both versions on another machine or at other times.
    added
        Ids of operations only in the new version.
    cancelled
        Ids of operations of the old version that are gone or cancelled in the new one.
    restated
        Operations whose state alone changed (e.g. released).
    """

    old_version: int
    new_version: int
    moved: tuple[OperationMove, ...] = ()
    added: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    restated: tuple[StateChange, ...] = ()

    @property
    def changed(self) -> frozenset[str]:
        """Ids of the operations a ``Change`` document publishes (moved, added, restated)."""
        return frozenset(
            [m.operation for m in self.moved] + list(self.added) + [r.operation for r in self.restated]
        )

    @property
    def is_empty(self) -> bool:
        return not (self.moved or self.added or self.cancelled or self.restated)


def _index(plan: Plan) -> dict[str, tuple[ProductionOrder, PlannedOperation]]:
    return {op.id: (order, op) for order, op in plan.operations()}


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """The difference between two versions of a plan.

    Parameters
    ----------
    old, new
        Two versions of the same plan.

    Returns
    -------
    PlanDiff
        In the order of the new plan's operations (cancelled ones in the order of the old plan).

    Raises
    ------
    ValidationError
        When the two are versions of different plans.
    """
    if old.plan_id != new.plan_id:
        raise ValidationError(f"versions of different plans: {old.plan_id!r} and {new.plan_id!r}", "plan_id")
    before = _index(old)
    moved: list[OperationMove] = []
    added: list[str] = []
    restated: list[StateChange] = []
    cancelled: list[str] = []
    seen: set[str] = set()
    for order, op in new.operations():
        seen.add(op.id)
        previous = before.get(op.id)
        if op.state == "cancelled":
            if previous is not None and previous[1].state != "cancelled":
                cancelled.append(op.id)
            continue
        if previous is None or previous[1].state == "cancelled":
            added.append(op.id)
            continue
        old_op = previous[1]
        if (old_op.machine, old_op.start, old_op.end) != (op.machine, op.start, op.end):
            moved.append(
                OperationMove(
                    order.id, op.id, old_op.machine, op.machine, old_op.start, op.start, old_op.end, op.end
                )
            )
        elif old_op.state != op.state:
            restated.append(StateChange(order.id, op.id, old_op.state, op.state))
    for op_id, (_, old_op) in before.items():
        if op_id not in seen and old_op.state != "cancelled":
            cancelled.append(op_id)
    return PlanDiff(old.version, new.version, tuple(moved), tuple(added), tuple(cancelled), tuple(restated))


class PlanStore:
    """The versions of a plan in a plan directory: ``plan.json`` (current) and ``versions/plan.v<N>.json``.

    Parameters
    ----------
    directory
        The plan directory.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    @property
    def versions_dir(self) -> Path:
        return self.directory / VERSIONS_DIR

    def path_of(self, version: int) -> Path:
        return self.versions_dir / f"plan.v{version}.json"

    def current(self) -> Plan:
        """The current version (``plan.json``)."""
        return Plan.read(self.directory / PLAN_FILE)

    def versions(self) -> list[int]:
        """Every stored version, oldest first (the current one included)."""
        found = set()
        if self.versions_dir.is_dir():
            for path in self.versions_dir.iterdir():
                match = _VERSION_FILE.match(path.name)
                if match:
                    found.add(int(match.group(1)))
        if (self.directory / PLAN_FILE).exists():
            found.add(self.current().version)
        return sorted(found)

    def load(self, version: int) -> Plan:
        """A stored version.

        Raises
        ------
        ValidationError
            When the version is not stored.
        """
        path = self.path_of(version)
        if path.exists():
            return Plan.read(path)
        current = self.current()
        if current.version == version:
            return current
        known = ", ".join(str(v) for v in self.versions()) or "none"
        raise ValidationError(
            f"version {version} of plan {current.plan_id!r} is not stored in {self.directory} (stored: {known})",
            "version",
        )

    def save(self, plan: Plan) -> Path:
        """Store ``plan`` as its version and as the current plan; returns the path of the version file.

        Raises
        ------
        ValidationError
            When a different plan is already stored under that version (versions never change).
        """
        path = self.path_of(plan.version)
        if path.exists() and Plan.read(path) != plan:
            raise ValidationError(
                f"version {plan.version} of plan {plan.plan_id!r} is already stored and differs", "version"
            )
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        if (self.directory / PLAN_FILE).exists():
            current = self.current()
            if current.plan_id != plan.plan_id:
                raise ValidationError(
                    f"{self.directory} holds plan {current.plan_id!r}, not {plan.plan_id!r}", "plan_id"
                )
            if not self.path_of(current.version).exists():
                _write(current, self.path_of(current.version))
        _write(plan, path)
        plan.write(self.directory)
        logger.info("stored version %d of plan %s in %s", plan.version, plan.plan_id, self.directory)
        return path

    def commit(self, plan: Plan) -> Plan:
        """Store ``plan`` as the next version after the current one (version, previous version and time set)."""
        current = self.current()
        new = plan.replace(
            version=current.version + 1,
            previous_version=current.version,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.save(new)
        return new


def _write(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan.to_dict(), indent=1) + "\n")
