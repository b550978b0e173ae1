"""Tests that the flexible job-shop tabu search changes machines and sequences and never breaks feasibility."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.scheduling import Job, Machine, Mode, Operation, ProblemData, Schedule, check_solution
from planner.scheduling.solution import ScheduledOperation
from planner.scheduling.solvers.dispatch import dispatch

from .conftest import SHARED, fjsp_from_text

pytest.importorskip("numba")

from planner.scheduling.solvers.tabu import FlexibleTabuSearch
from planner.scheduling.solvers.tabu.flexible import warm_up_flexible

EXAMPLES = int(os.environ.get("PLANNER_HYPOTHESIS_EXAMPLES", "60"))


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    warm_up_flexible()


@st.composite
def flexible_shops(draw) -> ProblemData:
    num_machines = draw(st.integers(1, 4))
    jobs = []
    for _ in range(draw(st.integers(1, 5))):
        ops = []
        for _ in range(draw(st.integers(1, 4))):
            eligible = draw(
                st.lists(st.integers(0, num_machines - 1), min_size=1, max_size=num_machines, unique=True)
            )
            ops.append(Operation(tuple(Mode(m, draw(st.integers(0, 9))) for m in eligible)))
        jobs.append(Job(tuple(ops)))
    return ProblemData(tuple(Machine() for _ in range(num_machines)), tuple(jobs))


def _modes_respected(data: ProblemData, schedule: Schedule) -> bool:
    """Every operation on one of its own machines, for that machine's duration."""
    for sop in schedule:
        mode = data.jobs[sop.job].operations[sop.operation].mode_on(sop.machine)
        if mode is None or sop.end - sop.start != mode.duration:
            return False
    return True


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flexible_shops(), st.integers(0, 1000), st.integers(1, 3000), st.sampled_from([None, 50]))
def test_flexible_tabu_schedules_pass_the_checker(
    data: ProblemData, seed: int, iterations: int, max_stall: int | None
) -> None:
    """Tests that on random small flexible shops every returned schedule is checker-clean, uses eligible
    machines only and is never longer than the start, also when restarts with random moves come every 50
    iterations (the default period is longer than these runs)."""
    start = dispatch(data)
    assert start is not None
    search = FlexibleTabuSearch(data, start, seed=seed, max_stall=max_stall)
    assert search.max_stall == (max_stall or max(25_000, 100 * data.num_operations))
    previous = start.makespan
    for _ in range(3):
        best = search.run_slice(iterations)
        assert best <= previous
        previous = best
        schedule = search.schedule()
        report = check_solution(data, schedule)
        assert report.ok, report.violations
        assert _modes_respected(data, schedule)
        assert schedule.makespan == best


def _cpsat_optimum(data: ProblemData) -> int:
    from planner.scheduling import SolveStatus, solve

    result = solve(data, time_limit=20, num_workers=1, seed=1, preset="textbook")
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective is not None
    return int(result.objective)


def _random_shop(rng: random.Random) -> ProblemData:
    num_machines = rng.randint(2, 3)
    jobs = []
    for _ in range(rng.randint(3, 4)):
        ops = []
        for _ in range(rng.randint(2, 3)):
            eligible = rng.sample(range(num_machines), rng.randint(1, num_machines))
            ops.append(Operation(tuple(Mode(m, rng.randint(1, 9)) for m in eligible)))
        jobs.append(Job(tuple(ops)))
    return ProblemData(tuple(Machine() for _ in range(num_machines)), tuple(jobs))


def test_flexible_tabu_finds_the_cpsat_optimum_on_tiny_shops() -> None:
    """Tests that on 12 random tiny flexible shops the tabu search never beats CP-SAT's proven optimum
    and reaches it on all of them."""
    rng = random.Random(7)
    reached = 0
    for _ in range(12):
        data = _random_shop(rng)
        optimum = _cpsat_optimum(data)
        start = dispatch(data)
        assert start is not None
        search = FlexibleTabuSearch(data, start, seed=1, lower_bound=optimum)
        best = search.run_slice(20_000)
        assert best >= optimum
        assert check_solution(data, search.schedule()).ok
        reached += best == optimum
    assert reached == 12


def test_flexible_tabu_moves_operations_to_other_machines() -> None:
    """Tests that a schedule with everything on machine 0 is spread over the machines each operation may
    use: 6 operations of 5 on two machines take 15, and the operation only machine 0 can run stays there."""
    machines = (Machine("M0"), Machine("M1"))
    jobs = [Job((Operation((Mode(0, 5), Mode(1, 5))),)) for _ in range(5)]
    jobs.append(Job((Operation((Mode(0, 5),)),)))  # only machine 0
    data = ProblemData(machines, tuple(jobs))
    start = Schedule(ScheduledOperation(j, 0, 0, 5 * j, 5 * j + 5) for j in range(6))
    assert check_solution(data, start).ok and start.makespan == 30
    search = FlexibleTabuSearch(data, start, seed=2)
    assert search.run_slice(2_000) == 15
    schedule = search.schedule()
    assert check_solution(data, schedule).ok
    assert schedule.makespan == 15
    assert next(s for s in schedule if s.job == 5).machine == 0
    assert sum(1 for s in schedule if s.machine == 1) == 3


def test_flexible_tabu_reaches_mk01_optimum_from_dispatch() -> None:
    """Tests that the tabu search turns the dispatching rule's mk01 schedule into the optimum 40."""
    data = fjsp_from_text((SHARED / "fjsp" / "mk01.fjs").read_text(), "mk01")
    start = dispatch(data)
    assert start is not None and start.makespan > 40
    search = FlexibleTabuSearch(data, start, seed=1, lower_bound=40)
    for _ in range(200):
        if search.run_slice(5_000) <= 40:
            break
    schedule = search.schedule()
    assert check_solution(data, schedule).ok
    assert schedule.makespan == 40 and search.proven


def test_hybrid_runs_the_flexible_tabu_search_on_mk02() -> None:
    """Tests that the default solve of a flexible shop runs the flexible tabu search beside CP-SAT and
    returns a checker-clean schedule within one of the optimum 26 (CP-SAT alone: 27 at 10 s)."""
    from planner.scheduling import solve

    data = fjsp_from_text((SHARED / "fjsp" / "mk02.fjs").read_text(), "mk02")
    result = solve(data, time_limit=20, num_workers=2, seed=1)
    assert result.stats.get("path") == "shop"
    assert result.stats.get("tabu_iterations", 0) > 0
    assert result.schedule is not None and check_solution(data, result.schedule).ok
    assert result.objective is not None and 26 <= result.objective <= 27
