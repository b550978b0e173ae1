"""Tests (hypothesis) that random small instances with setups, calendars, resumable work, maintenance and energy
always get checker-clean schedules."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.scheduling import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
    SolveStatus,
    check_solution,
    solve,
)


@st.composite
def problems(draw) -> ProblemData:
    num_machines = draw(st.integers(1, 3))
    num_families = draw(st.integers(1, 3))
    machines = []
    for _ in range(num_machines):
        setups = None
        if draw(st.booleans()):
            setups = tuple(
                tuple(0 if f == g else draw(st.integers(0, 6)) for g in range(num_families))
                for f in range(num_families)
            )
        windows = []
        t = draw(st.integers(0, 10))
        for _ in range(draw(st.integers(0, 2))):
            length = draw(st.integers(1, 8))
            windows.append((t, t + length))
            t += length + draw(st.integers(1, 10))
        initial = draw(st.one_of(st.none(), st.integers(0, num_families - 1)))
        machines.append(Machine(unavailable=tuple(windows), setup_times=setups, initial_family=initial))
    jobs = []
    for _ in range(draw(st.integers(1, 4))):
        ops = []
        for _ in range(draw(st.integers(1, 3))):
            eligible = draw(
                st.lists(st.integers(0, num_machines - 1), min_size=1, max_size=num_machines, unique=True)
            )
            ops.append(Operation(tuple(Mode(m, draw(st.integers(0, 9))) for m in eligible)))
        due = draw(st.one_of(st.none(), st.integers(0, 40)))
        jobs.append(
            Job(
                tuple(ops),
                release=draw(st.integers(0, 10)),
                due=due,
                weight=draw(st.integers(0, 3)),
                family=draw(st.integers(0, num_families - 1)),
            )
        )
    objective = draw(
        st.sampled_from(
            [
                Objective(),
                Objective(1, 1, 1),
                Objective(0, 1, 0),
                Objective(lexicographic=("setup", "makespan")),
            ]
        )
    )
    return ProblemData(tuple(machines), tuple(jobs), num_families=num_families, objective=objective)


@settings(
    max_examples=int(os.environ.get("PLANNER_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems())
def test_every_schedule_passes_the_checker(data):
    """Tests that both backends return complete schedules the checker accepts, CP-SAT no worse than dispatch."""
    heuristic = solve(data, solver="dispatch")
    assert heuristic.schedule is not None
    assert check_solution(data, heuristic.schedule).ok
    result = solve(data, time_limit=5, num_workers=1, seed=3)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    if not data.objective.lexicographic:
        assert result.objective <= heuristic.objective
        assert result.lower_bound <= result.objective


@st.composite
def energy_problems(draw) -> ProblemData:
    """Like :func:`problems`, plus resumable operations, power, idle power, maintenance and a tariff."""
    base = draw(problems())
    machines = tuple(
        Machine(
            m.name,
            m.unavailable,
            m.setup_times,
            m.initial_family,
            idle_power=draw(st.sampled_from([0.0, 1.5])),
        )
        for m in base.machines
    )
    jobs = []
    for job in base.jobs:
        ops = tuple(
            Operation(
                tuple(
                    Mode(mode.machine, mode.duration, float(draw(st.integers(0, 20)))) for mode in op.modes
                ),
                resumable=draw(st.booleans()),
            )
            for op in job.operations
        )
        jobs.append(Job(ops, release=job.release, due=job.due, weight=job.weight, family=job.family))
    maintenance = []
    for _ in range(draw(st.integers(0, 2))):
        earliest = draw(st.integers(0, 20))
        duration = draw(st.integers(1, 6))
        latest = draw(st.one_of(st.none(), st.integers(earliest + duration, earliest + duration + 30)))
        maintenance.append(
            MaintenanceTask(draw(st.integers(0, len(machines) - 1)), duration, earliest, latest)
        )
    energy = Energy(
        draw(st.integers(3, 12)),
        price=tuple(draw(st.lists(st.sampled_from([0.05, 0.1, 0.3, 1.0]), min_size=1, max_size=6))),
        co2=tuple(draw(st.lists(st.sampled_from([0.1, 0.4]), max_size=3))),
        peak_power=draw(st.one_of(st.none(), st.sampled_from([20.0, 25.0, 40.0]))),
        hours_per_unit=draw(st.sampled_from([1 / 60, 0.25])),
    )
    objective = draw(
        st.sampled_from(
            [
                Objective(),
                Objective(makespan=1, energy=5),
                Objective(makespan=1, tardiness=1, co2=3),
                Objective(makespan=0, energy=1),
                Objective(lexicographic=("makespan", "energy")),
            ]
        )
    )
    return base.replace(
        machines=machines,
        jobs=tuple(jobs),
        maintenance=tuple(maintenance),
        energy=energy,
        objective=objective,
    )


@settings(
    max_examples=int(os.environ.get("PLANNER_HYPOTHESIS_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(energy_problems())
def test_every_energy_schedule_passes_the_checker(data):
    """Tests that with the energy features both backends return checker-clean schedules or none at all."""
    heuristic = solve(data, solver="dispatch")
    if heuristic.schedule is not None:
        assert check_solution(data, heuristic.schedule).ok
    result = solve(data, time_limit=2, num_workers=1, seed=3)
    if heuristic.schedule is not None:
        assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    if result.schedule is None:
        return
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    assert report.objective == result.objective
    assert result.lower_bound <= result.objective + 1e-6
    if heuristic.objective is not None and not data.objective.lexicographic:
        assert result.objective <= heuristic.objective + 1e-6


@settings(
    max_examples=int(os.environ.get("PLANNER_HYPOTHESIS_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(energy_problems(), st.sampled_from([0.0, 0.1, 0.5]))
def test_energy_solve_within_a_tolerance_of_its_warm_start_passes_the_checker(data, tolerance):
    """Tests that a solve bounded at a tolerance of a feasible warm start always returns a schedule (never
    infeasible), within both bounds by the checker, and no worse than the warm start."""
    from planner.planning.pipeline import bounded

    start = solve(data, time_limit=1, num_workers=1, seed=3).schedule
    if start is None:
        return
    within = bounded(data, start, data, tolerance)
    result = solve(within, time_limit=1, num_workers=1, seed=3, initial_solution=start)
    assert result.schedule is not None and result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = check_solution(within, result.schedule)
    assert report.ok, report.violations
    assert report.kpis is not None and within.max_makespan is not None
    assert report.kpis.makespan <= within.max_makespan
    if not data.objective.lexicographic:
        assert result.objective <= check_solution(within, start).objective + 1e-6
