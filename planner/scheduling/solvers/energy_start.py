"""Energy-frugal starting schedules: dispatch restricted to the modes that use little energy.

Dispatch picks the mode that finishes first, which on a plant with alternative machines of different
power often is the one that draws most. Restricted to the modes whose energy (power times duration) is
within a slack of the operation's most frugal mode, the same rule gives schedules that spend less energy
for a somewhat longer makespan; the checker's weighted objective picks the best of a few slacks and of plain
dispatch. On generated plants of 400 operations this alone saves 5-10 % of the energy cost, where CP-SAT
with the energy terms does not improve on plain dispatch within seconds.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
import time
from collections.abc import Callable, Iterator

from planner.scheduling.check import check_solution
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.dispatch import dispatch

logger = logging.getLogger(__name__)

SLACKS = (0.5, 0.75, 1.0, 0.35, 0.2, 1.5, 3.0, 0.1)
"""Energy slacks over the most frugal mode, in the order tried: a mode is kept when its energy is at most
(1 + slack) times the least (the best slack differs from plant to plant: 0.5 to 3 on generated ones)."""
MAX_RANDOM_SLACK = 2.0
"""Random slacks per operation, once the fixed ones are tried, are drawn from ``[0, MAX_RANDOM_SLACK]``."""
MAX_FAILED_DRAWS = 25
"""The random draws stop after this many candidates in a row without a better one."""


def frugal_modes(data: ProblemData, slack: float | Callable[[], float]) -> ProblemData:
    """``data`` with each unpinned operation's modes cut to those within ``slack`` of its least energy.

    ``slack`` may be a function drawn once per operation (random slacks for :func:`frugal_start`).

    Raises
    ------
    ValueError
        If ``slack`` is negative.
    """
    draw = slack if callable(slack) else None
    if draw is None and slack < 0:  # type: ignore[operator]
        raise ValueError(f"slack must be >= 0, got {slack}")
    jobs = []
    for job in data.jobs:
        ops = []
        for op in job.operations:
            if len(op.modes) > 1 and not op.pinned:
                used = [mode.power * mode.duration for mode in op.modes]
                least = min(used)
                limit = least * (1 + (draw() if draw is not None else slack)) + 1e-9  # type: ignore[operator]
                keep = tuple(
                    mode
                    for mode, e in zip(op.modes, used, strict=True)
                    if e <= limit or mode.machine == op.planned_machine
                )
                op = dataclasses.replace(op, modes=keep)
            ops.append(op)
        jobs.append(dataclasses.replace(job, operations=tuple(ops)))
    return data.replace(jobs=tuple(jobs))


def frugal_start(
    data: ProblemData,
    incumbent: Schedule | None = None,
    *,
    time_limit: float | None = None,
    seed: int = 1,
) -> Schedule | None:
    """The best of ``incumbent`` and dispatch on :func:`frugal_modes`: the slacks of :data:`SLACKS`, then (while
    time is left and until :data:`MAX_FAILED_DRAWS` in a row bring nothing) random slacks per operation,
    uniform in ``[0, MAX_RANDOM_SLACK]``.

    Parameters
    ----------
    data
        The problem; every candidate is judged by the checker on its full objective.
    incumbent
        A schedule to beat (e.g. plain dispatch), or None.
    time_limit
        Seconds after which no further candidate is built (the first slack always is); None tries the
        slacks of :data:`SLACKS` only.
    seed
        Of the random slacks.

    Returns
    -------
    Schedule or None
        The checker-clean candidate with the lowest objective (``incumbent`` on ties), None when there is none.
    """
    best, best_objective = None, float("inf")
    if incumbent is not None:
        report = check_solution(data, incumbent)
        if report.ok and report.objective is not None:
            best, best_objective = incumbent, report.objective
    if not any(len(op.modes) > 1 for _, _, op in data.operations()):
        return best
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    rng = random.Random(seed)
    slacks: Iterator[float | Callable[[], float]] = iter(SLACKS)
    if deadline is not None:
        slacks = itertools.chain(slacks, itertools.repeat(lambda: rng.uniform(0.0, MAX_RANDOM_SLACK)))
    since_better = 0
    for idx, slack in enumerate(slacks):
        if idx > 0 and deadline is not None and time.perf_counter() > deadline:
            break
        if since_better >= MAX_FAILED_DRAWS and idx >= len(SLACKS):
            break  # a small or settled problem: leave the time to CP-SAT
        since_better += 1
        candidate = dispatch(frugal_modes(data, slack))
        if candidate is None:
            continue
        report = check_solution(data, candidate)
        if report.ok and report.objective is not None and report.objective < best_objective - 1e-9:
            logger.debug("frugal dispatch (candidate %d): objective %.4f", idx, report.objective)
            best, best_objective = candidate, report.objective
            since_better = 0
    return best
