"""A schedule: for every operation, its machine, start and end."""

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


@dataclass(frozen=True)
class Schedule:
    """All scheduled operations, sorted by job and operation."""

    operations: tuple[ScheduledOperation, ...]

    def __init__(self, operations: Iterable[ScheduledOperation]):
        object.__setattr__(self, "operations", tuple(sorted(operations)))

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
