"""A schedule: for every operation, its machine, start and end; and where each maintenance task goes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ScheduledOperation:
    """Operation ``operation`` of job ``job`` runs on ``machine`` from ``start`` to ``end``."""

    job: int
    operation: int
    machine: int
    start: int
    end: int


@dataclass(frozen=True, order=True)
class ScheduledMaintenance:
    """Maintenance task ``task`` (index into ``ProblemData.maintenance``) on ``machine`` from ``start`` to ``end``."""

    task: int
    machine: int
    start: int
    end: int


@dataclass(frozen=True)
class Schedule:
    """All scheduled operations, sorted by job and operation, and the placed maintenance, sorted by task."""

    operations: tuple[ScheduledOperation, ...]
    maintenance: tuple[ScheduledMaintenance, ...]

    def __init__(
        self,
        operations: Iterable[ScheduledOperation],
        maintenance: Iterable[ScheduledMaintenance] = (),
    ):
        object.__setattr__(self, "operations", tuple(sorted(operations)))
        object.__setattr__(self, "maintenance", tuple(sorted(maintenance)))

    def __iter__(self) -> Iterator[ScheduledOperation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, job: int, operation: int) -> ScheduledOperation | None:
        for op in self.operations:
            if op.job == job and op.operation == operation:
                return op
        return None

    def as_dict(self) -> dict[tuple[int, int], ScheduledOperation]:
        return {(op.job, op.operation): op for op in self.operations}

    def by_machine(self) -> dict[int, list[ScheduledOperation]]:
        """Operations per machine, in start order."""
        out: dict[int, list[ScheduledOperation]] = {}
        for op in sorted(self.operations, key=lambda o: (o.start, o.end)):
            out.setdefault(op.machine, []).append(op)
        return out

    @property
    def makespan(self) -> int:
        return max((op.end for op in self.operations), default=0)
