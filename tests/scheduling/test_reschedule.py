"""Tests of the stability terms and of rescheduling after disruptions."""

from __future__ import annotations

import pytest

from planner.exceptions import ValidationError
from planner.scheduling import (
    Job,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Schedule,
    ScheduledOperation,
    check_solution,
    solve,
)
from planner.scheduling.solvers.cpsat.shop import is_plain_shop


def _two_machine_shop(objective: Objective) -> ProblemData:
    """Two identical machines, three one-operation jobs, each planned on machine 0 one after another."""
    ops = []
    for k in range(3):
        ops.append(Operation((Mode(0, 4), Mode(1, 4)), planned_machine=0, planned_start=4 * k))
    jobs = tuple(Job((op,), f"J{k}") for k, op in enumerate(ops))
    return ProblemData((Machine("A"), Machine("B")), jobs, objective=objective)


def test_planned_placement_is_validated():
    """Tests that planned_machine and planned_start go together, name an eligible machine and are >= 0."""
    with pytest.raises(ValidationError, match="planned_start: planned_machine and planned_start go together"):
        Operation((Mode(0, 3),), planned_machine=0)
    with pytest.raises(ValidationError, match="planned_machine: machine 2 is not one of the modes"):
        Operation((Mode(0, 3),), planned_machine=2, planned_start=0)
    with pytest.raises(ValidationError, match="planned_start: must be an integer >= 0"):
        Operation((Mode(0, 3),), planned_machine=0, planned_start=-1)
    with pytest.raises(ValidationError, match="moved: weight must be an integer >= 0"):
        Objective(moved=-1)


def test_checker_counts_moves_and_shift():
    """Tests that the checker counts operations off their planned placement and sums the start shifts."""
    data = _two_machine_shop(Objective(makespan=1, moved=10, shift=1))
    schedule = Schedule(
        [
            ScheduledOperation(0, 0, 0, 0, 4),  # as planned
            ScheduledOperation(1, 0, 1, 4, 8),  # other machine, same start
            ScheduledOperation(2, 0, 1, 0, 4),  # other machine, 8 earlier
        ]
    )
    report = check_solution(data, schedule)
    assert report.ok
    assert report.kpis is not None
    assert (report.kpis.num_moved, report.kpis.total_shift) == (2, 8)
    assert report.objective == 8 + 10 * 2 + 8


def test_stability_terms_keep_the_plan_and_skip_the_fast_path():
    """Tests that a high moved weight keeps the planned sequence, a zero one spreads the jobs, and the
    plain-shop fast path is not taken while a stability term is active."""
    stable = _two_machine_shop(Objective(makespan=1, moved=100))
    assert not is_plain_shop(stable)
    assert is_plain_shop(stable.replace(objective=Objective()))
    result = solve(stable, time_limit=5, num_workers=1)
    assert result.schedule is not None and result.kpis is not None
    assert check_solution(stable, result.schedule).ok
    assert result.kpis.num_moved == 0 and result.kpis.makespan == 12
    assert result.objective == 12

    free = stable.replace(objective=Objective(makespan=1))
    spread = solve(free, time_limit=5, num_workers=1)
    assert spread.kpis is not None and spread.kpis.makespan == 8

    # with a cheap move, moving one job to B (makespan 8) beats keeping the plan (makespan 12)
    cheap = stable.replace(objective=Objective(makespan=10, moved=1, shift=1))
    best = solve(cheap, time_limit=5, num_workers=1)
    assert best.kpis is not None and best.status.value == "optimal"
    assert best.kpis.makespan == 8 and best.kpis.num_moved == 1
    assert best.objective == 10 * 8 + best.kpis.num_moved + best.kpis.total_shift


def test_lexicographic_stability():
    """Tests that the stability terms work as lexicographic stages too."""
    data = _two_machine_shop(Objective(lexicographic=("makespan", "moved", "shift")))
    result = solve(data, time_limit=5, num_workers=1)
    assert result.kpis is not None and result.schedule is not None
    assert check_solution(data, result.schedule).ok
    assert result.kpis.makespan == 8 and result.kpis.num_moved == 1
    assert Objective.parse("makespan=1,moved=5,shift=2") == Objective(makespan=1, moved=5, shift=2)
