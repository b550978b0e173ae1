"""Tests that the solvers return optimal or feasible schedules that the checker accepts."""

from __future__ import annotations

import itertools
import threading
import time

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
    Solver,
    SolveStatus,
    check_solution,
    solve,
)
from planner.scheduling.solvers.dispatch import dispatch, makespan_lower_bound

from .conftest import instance


def assert_checked(data, result):
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    assert report.objective == result.objective
    assert result.kpis == report.kpis


@pytest.mark.parametrize(("name", "optimum"), [("ft06", 55), ("la01", 666), ("mk01", 40)])
def test_known_optima_are_proven(name, optimum):
    """Tests that ft06 = 55, la01 = 666 and mk01 = 40 are solved to proven optimality."""
    data = instance(name)
    result = solve(data, time_limit=60, num_workers=2, seed=1)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == optimum
    assert result.lower_bound == optimum
    assert result.gap == 0
    assert_checked(data, result)


@pytest.mark.parametrize("objective", ["makespan", "tardiness", "setup", "makespan=1,tardiness=2,setup=1"])
def test_objectives_with_setups_and_calendars(small_setup_problem, objective):
    """Tests that every objective on a problem with changeovers, a closed window and releases is solved."""
    data = small_setup_problem.replace(objective=Objective.parse(objective))
    result = solve(data, time_limit=10, num_workers=1)
    assert result.status == SolveStatus.OPTIMAL
    assert_checked(data, result)
    heuristic = solve(data, solver="dispatch")
    assert heuristic.objective is not None and result.objective is not None
    assert result.objective <= heuristic.objective


def test_lexicographic_keeps_the_first_term_optimal(small_setup_problem):
    """Tests that lexicographic tardiness-then-makespan keeps the best tardiness and then shortens the plan."""
    tard_only = solve(
        small_setup_problem.replace(objective=Objective(makespan=0, tardiness=1)),
        time_limit=10,
        num_workers=1,
    )
    lex = solve(
        small_setup_problem.replace(objective=Objective(lexicographic=("tardiness", "makespan"))),
        time_limit=10,
        num_workers=1,
    )
    assert lex.status == SolveStatus.OPTIMAL
    assert lex.kpis is not None and tard_only.kpis is not None
    assert lex.kpis.total_weighted_tardiness == tard_only.kpis.total_weighted_tardiness
    assert lex.objective == tard_only.objective
    assert lex.kpis.makespan <= tard_only.kpis.makespan


def test_setups_are_minimised():
    """Tests that minimising setup time groups the jobs of one family on a machine."""
    setup = ((0, 10), (10, 0))
    jobs = tuple(Job((Operation((Mode(0, 2),)),), family=f) for f in (0, 1, 0, 1, 0, 1))
    data = ProblemData((Machine("M", setup_times=setup),), jobs, num_families=2, objective=Objective(0, 0, 1))
    result = solve(data, time_limit=10, num_workers=1)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 10
    assert_checked(data, result)


def test_pinned_operations_stay_and_conflicting_pins_are_infeasible():
    """Tests that pinned operations keep their place, and two pins on one slot make the problem infeasible."""
    pinned = Operation((Mode(0, 5), Mode(1, 5)), pinned_machine=1, pinned_start=3)
    jobs = (Job((Operation((Mode(0, 2),)), pinned)), Job((Operation((Mode(1, 4),)),)))
    data = ProblemData((Machine(), Machine()), jobs)
    result = solve(data, time_limit=5, num_workers=1)
    assert_checked(data, result)
    assert result.schedule is not None
    sop = result.schedule.get(0, 1)
    assert sop is not None and (sop.machine, sop.start) == (1, 3)

    clash = Operation((Mode(1, 4),), pinned_machine=1, pinned_start=4)
    bad = data.replace(jobs=(jobs[0], Job((clash,))))
    result = solve(bad, time_limit=5, num_workers=1)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule is None


def test_warm_start_and_progress_callback():
    """Tests that a warm start is accepted and every improving solution reaches the callback."""
    data = instance("ft06")
    start = dispatch(data)
    assert start is not None
    seen = []
    result = solve(data, time_limit=20, num_workers=1, initial_solution=start, on_progress=seen.append)
    assert result.objective == 55
    assert seen, "no progress reported"
    assert seen[-1].objective == 55
    assert all(a.objective >= b.objective for a, b in itertools.pairwise(seen))


def test_stop_from_another_thread_keeps_best_schedule():
    """Tests that stop() ends a long solve early and the best schedule so far comes back checked."""
    data = instance("ft10")
    solver = Solver("cpsat")
    timer = threading.Timer(1.0, solver.stop)
    timer.start()
    started = time.perf_counter()
    result = solver.solve(data, time_limit=120, num_workers=2)
    elapsed = time.perf_counter() - started
    timer.cancel()
    assert elapsed < 60, "stop() did not end the solve"
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert_checked(data, result)


def test_dispatch_is_feasible_and_bounded():
    """Tests that the dispatching rule's schedule is feasible and not below the lower bound."""
    for name in ("ft06", "la01", "mk01"):
        data = instance(name)
        result = solve(data, solver="dispatch")
        assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
        assert_checked(data, result)
        assert result.objective is not None and result.objective >= makespan_lower_bound(data)


def test_bad_solver_arguments_are_named():
    """Tests that an unknown solver and a non-positive time limit give errors naming the argument."""
    data = instance("ft06")
    with pytest.raises(ValidationError, match="solver"):
        solve(data, solver="magic")
    with pytest.raises(ValidationError, match="time_limit"):
        solve(data, time_limit=0)


def test_infeasible_initial_solution_is_only_a_hint():
    """Tests that a broken warm start does not break the solve."""
    data = instance("ft06")
    broken = Schedule([])
    result = solve(data, time_limit=10, num_workers=1, initial_solution=broken)
    assert result.objective == 55
