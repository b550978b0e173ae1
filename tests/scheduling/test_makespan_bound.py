"""Tests of the hard bounds on makespan and tardiness (``ProblemData.max_makespan`` / ``max_tardiness``)."""

from __future__ import annotations

import random

import pytest

from planner.exceptions import ValidationError
from planner.formats.native import from_native_dict, to_native_dict
from planner.planning.pipeline import bounded
from planner.scheduling import Model, Objective, ProblemData, check_solution, solve


def night_shift_plant(num_jobs: int, seed: int) -> ProblemData:
    """Machines closed 16:00-06:00 for a week, one or two modes per operation, a day/night tariff."""
    rng = random.Random(seed)
    m = Model(name=f"night_j{num_jobs}_s{seed}", time_unit="min")
    shifts = [(d * 1440 + 960, d * 1440 + 1440 + 360) for d in range(7)]
    machines = [m.add_machine(f"M{i}", unavailable=shifts, idle_power=2.0) for i in range(3)]
    for j in range(num_jobs):
        job = m.add_job(f"J{j}", due=rng.randint(600, 3000))
        for _ in range(rng.randint(2, 5)):
            eligible = rng.sample(machines, rng.randint(1, 2))
            modes = [(e, rng.randint(10, 90), float(rng.randint(5, 40))) for e in eligible]
            m.add_operation(job, modes, resumable=rng.random() < 0.5)
    price = [0.10 if h % 24 < 6 or h % 24 >= 22 else 0.45 if 17 <= h % 24 < 20 else 0.32 for h in range(168)]
    m.set_energy(60, price=price, co2=[0.35])
    return m.data()


@pytest.fixture(scope="module")
def plant_and_blind():
    """The 8-job plant (seed 1: the energy-aware solve stretches it when unbounded) and its blind schedule."""
    base = night_shift_plant(8, 1)
    blind_data = base.replace(objective=Objective(makespan=1, tardiness=1))
    aware_data = base.replace(objective=Objective(makespan=1, tardiness=1, energy=10))
    blind = solve(blind_data, time_limit=2, num_workers=1, seed=1)
    assert blind.schedule is not None
    return aware_data, blind_data, blind.schedule


def test_checker_flags_a_schedule_past_either_bound(plant_and_blind):
    """Tests that the checker names the makespan and tardiness bounds a schedule breaks, and only those."""
    aware_data, _, schedule = plant_and_blind
    kpis = check_solution(aware_data, schedule).kpis
    assert kpis is not None
    tight = aware_data.replace(max_makespan=kpis.makespan - 1, max_tardiness=0)
    report = check_solution(tight, schedule)
    expected = {"makespan_bound"} | ({"tardiness_bound"} if kpis.total_weighted_tardiness else set())
    assert report.rules() == expected
    exact = aware_data.replace(max_makespan=kpis.makespan, max_tardiness=kpis.total_weighted_tardiness)
    assert check_solution(exact, schedule).ok


def test_bounds_must_be_integers_of_at_least_zero(plant_and_blind):
    """Tests that a negative bound is rejected with a message naming the field and the rule."""
    aware_data = plant_and_blind[0]
    with pytest.raises(ValidationError, match=r"max_makespan.*>= 0"):
        aware_data.replace(max_makespan=-1)
    with pytest.raises(ValidationError, match=r"max_tardiness.*integer"):
        aware_data.replace(max_tardiness=1.5)


def test_native_files_keep_the_bounds(plant_and_blind):
    """Tests that the bounds survive a round trip through the native instance format."""
    data = plant_and_blind[0].replace(max_makespan=500, max_tardiness=7)
    back = from_native_dict(to_native_dict(data))
    assert (back.max_makespan, back.max_tardiness) == (500, 7)
    assert from_native_dict(to_native_dict(plant_and_blind[0])).max_makespan is None


@pytest.mark.parametrize("tolerance", [0.0, 0.05])
def test_energy_aware_solve_stays_within_the_tolerance(plant_and_blind, tolerance):
    """Tests that the staged energy solve warm-started from the blind schedule ends within the bound, passes
    the checker on the bounded problem and costs no more energy than the blind schedule."""
    aware_data, blind_data, blind = plant_and_blind
    data = bounded(aware_data, blind, blind_data, tolerance)
    blind_kpis = check_solution(aware_data, blind).kpis
    assert blind_kpis is not None
    assert data.max_makespan == int(blind_kpis.makespan * (1 + tolerance))
    result = solve(data, time_limit=3, num_workers=1, seed=1, initial_solution=blind)
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations[:3]
    assert report.kpis is not None
    assert report.kpis.makespan <= data.max_makespan
    assert report.kpis.total_weighted_tardiness <= blind_kpis.total_weighted_tardiness * (1 + tolerance)
    assert report.kpis.energy_cost <= blind_kpis.energy_cost + 1e-9
    if tolerance == 0:
        assert report.kpis.makespan <= blind_kpis.makespan


def test_no_tolerance_leaves_the_problem_unbounded(plant_and_blind):
    """Tests that a tolerance of None adds no bounds."""
    aware_data, blind_data, blind = plant_and_blind
    data = bounded(aware_data, blind, blind_data, None)
    assert data.max_makespan is None and data.max_tardiness is None
