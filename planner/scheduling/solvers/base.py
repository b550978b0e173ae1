"""The interface every scheduling backend implements, and the progress it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import Result
from planner.scheduling.solution import Schedule


@dataclass(frozen=True)
class Progress:
    """An improving solution, as reported to callbacks while a solve runs."""

    objective: float
    bound: float
    runtime: float
    num_solutions: int

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)


ProgressCallback = Callable[[Progress], None]


class Backend(Protocol):
    """A scheduling backend: solves a problem and can be asked from another thread to stop."""

    name: str

    def solve(
        self,
        data: ProblemData,
        *,
        time_limit: float,
        num_workers: int,
        seed: int,
        initial_solution: Schedule | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Solve ``data`` and return the best result found."""
        ...

    def stop(self) -> None:
        """Ask a running :meth:`solve` to return as soon as it can with its best solution."""
        ...
