"""The one entry point to scheduling: :func:`solve`, and :class:`Solver` for solves that may be stopped."""

from __future__ import annotations

from typing import Any

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import Result
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers import make_backend
from planner.scheduling.solvers.base import ProgressCallback


class Solver:
    """A backend chosen by name that can be stopped from another thread.

    Parameters
    ----------
    name
        ``"cpsat"`` (default) or ``"dispatch"``.
    options
        Passed to the backend (for CP-SAT: ``parameters={...}`` of ``SatParameters``).
    """

    def __init__(self, name: str = "cpsat", **options: Any):
        self.name = name
        self._backend = make_backend(name, **options)

    def solve(
        self,
        data: ProblemData,
        *,
        time_limit: float = 10.0,
        num_workers: int = 2,
        seed: int = 1,
        initial_solution: Schedule | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Solve ``data``; see :func:`solve`."""
        if time_limit <= 0:
            from planner.exceptions import ValidationError

            raise ValidationError(f"must be > 0 seconds, got {time_limit}", "time_limit")
        if num_workers < 1:
            from planner.exceptions import ValidationError

            raise ValidationError(f"must be >= 1, got {num_workers}", "num_workers")
        return self._backend.solve(
            data,
            time_limit=time_limit,
            num_workers=num_workers,
            seed=seed,
            initial_solution=initial_solution,
            on_progress=on_progress,
        )

    def stop(self) -> None:
        """Ask a running solve to return with its best schedule so far (safe from any thread)."""
        self._backend.stop()


def solve(
    data: ProblemData,
    *,
    time_limit: float = 10.0,
    num_workers: int = 2,
    seed: int = 1,
    initial_solution: Schedule | None = None,
    solver: str = "cpsat",
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> Result:
    """Solve a scheduling problem.

    Parameters
    ----------
    data
        The problem.
    time_limit
        Wall-clock limit in seconds.
    num_workers
        Solver threads.
    seed
        Random seed (same seed, same workers and same machine give the same run for one worker).
    initial_solution
        A schedule to start from (warm start); need not be feasible.
    solver
        Backend name: ``"cpsat"`` or ``"dispatch"``.
    on_progress
        Called with every improving solution.
    options
        Passed to the backend.

    Returns
    -------
    Result
        Status, objective, bound, gap, runtime and the best schedule found, checked by the independent
        checker. Never raises for infeasible problems or time limits.
    """
    return Solver(solver, **options).solve(
        data,
        time_limit=time_limit,
        num_workers=num_workers,
        seed=seed,
        initial_solution=initial_solution,
        on_progress=on_progress,
    )
