"""Tests of the schedule stage's construct-then-improve path and its fallback when CP-SAT finds nothing."""

from __future__ import annotations

import dataclasses

import pytest

import planner.scheduling
from planner.exceptions import ValidationError
from planner.planning.pipeline import PlanSettings, bounded, make_plan
from planner.planning.plant import read_plant
from planner.scheduling import Result, SolveStatus, check_solution
from tests.planning.conftest import FAST, SMALL_PLANT, short_history


@pytest.fixture()
def no_cpsat(monkeypatch):
    """CP-SAT that finds nothing in time (what a 5,000-operation model does in a short limit)."""
    calls = []

    def solve(data, **kwargs):
        calls.append(data.num_operations)
        return Result(SolveStatus.UNKNOWN, None, 0.0, 0.01, solver="cpsat")

    monkeypatch.setattr(planner.scheduling, "solve", solve)
    return calls


def _assert_valid(res):
    for sched in (res.schedule_result, res.blind_result):
        assert sched is not None and sched.schedule is not None
        report = check_solution(res.problem, sched.schedule)
        assert report.ok, report.violations[:3]
        assert len(sched.schedule) == res.problem.num_operations


@pytest.mark.parametrize("large_schedule", [0, 10_000])
def test_schedule_stage_returns_a_checker_valid_plan_when_cpsat_finds_nothing(no_cpsat, large_schedule):
    """Tests that with CP-SAT returning no schedule both paths (large and small) plan every operation by dispatch."""
    plant = read_plant(SMALL_PLANT)
    settings = dataclasses.replace(FAST, large_schedule=large_schedule)
    res = make_plan(plant, short_history(), (), settings)
    assert no_cpsat, "CP-SAT was not asked"
    _assert_valid(res)
    assert res.blind_result is not None and res.blind_result.stats["fallback"] == "dispatch"
    assert res.blind_result.status == SolveStatus.FEASIBLE
    scheduled = {o.id for o in res.plan.orders if o.operations}
    assert scheduled == {job.name for job in res.problem.jobs}


def test_large_schedule_re_times_for_energy_without_losing_makespan():
    """Tests that the large path's energy-aware schedule costs no more and ends no later than the tariff-blind one."""
    plant = read_plant(SMALL_PLANT)
    res = make_plan(plant, short_history(), (), dataclasses.replace(FAST, large_schedule=0))
    _assert_valid(res)
    aware, blind = res.schedule_result.kpis, res.blind_result.kpis
    assert aware is not None and blind is not None
    assert aware.energy_cost <= blind.energy_cost + 1e-9
    assert aware.makespan <= blind.makespan
    assert res.schedule_result.stats["energy_pass"] == "re-timing"


def test_large_schedule_must_not_be_negative():
    """Tests that a negative large_schedule is rejected with a message naming the field and the rule."""
    with pytest.raises(ValidationError, match=r"large_schedule.*>= 0"):
        PlanSettings(large_schedule=-1)


def _steep(plant):
    """The small plant with a 20 times dearer tariff and a heavy energy weight."""
    energy = dataclasses.replace(plant.energy, price=tuple(20 * p for p in plant.energy.price))
    return dataclasses.replace(plant, energy=energy, objective={**plant.objective, "energy": 100})


@pytest.mark.parametrize("large_schedule", [0, 10_000])
@pytest.mark.parametrize("tolerance", [0.0, 0.10])
def test_energy_aware_schedule_keeps_the_makespan_tolerance(large_schedule, tolerance):
    """Tests that on both paths the energy-aware plan ends within (1 + tolerance) x the tariff-blind makespan,
    is no tardier beyond the same factor, passes the checker with those bounds and costs no more energy."""
    plant = _steep(read_plant(SMALL_PLANT))
    settings = dataclasses.replace(FAST, large_schedule=large_schedule, makespan_tolerance=tolerance)
    res = make_plan(plant, short_history(), (), settings)
    _assert_valid(res)
    assert res.problem.max_makespan is None  # the bounds belong to the solve, not to the plan's problem
    blind, aware = res.blind_result, res.schedule_result
    within = bounded(res.problem, blind.schedule, res.problem, tolerance)
    report = check_solution(within, aware.schedule)
    assert report.ok, report.violations[:3]
    assert aware.kpis.makespan <= (1 + tolerance) * blind.kpis.makespan
    assert aware.kpis.total_weighted_tardiness <= (1 + tolerance) * blind.kpis.total_weighted_tardiness
    assert aware.kpis.energy_cost <= blind.kpis.energy_cost + 1e-9
    if tolerance == 0:
        assert aware.kpis.makespan <= blind.kpis.makespan
    assert res.kpis["makespan_tolerance"] == tolerance and res.kpis["saving_within_tolerance"] is True


def test_unbounded_tolerance_is_none_and_reported_so():
    """Tests that an infinite tolerance means none, a negative one is rejected, and the KPIs say unbounded."""
    assert PlanSettings(makespan_tolerance=float("inf")).makespan_tolerance is None
    with pytest.raises(ValidationError, match=r"makespan_tolerance.*>= 0"):
        PlanSettings(makespan_tolerance=-0.1)
    res = make_plan(
        read_plant(SMALL_PLANT), short_history(), (), dataclasses.replace(FAST, makespan_tolerance=None)
    )
    _assert_valid(res)
    assert res.kpis["makespan_tolerance"] is None and res.kpis["saving_within_tolerance"] is None


def test_a_dearer_energy_aware_schedule_gives_way_to_the_tariff_blind_one():
    """Tests that when the 'energy-aware' schedule costs more energy than the tariff-blind one (here the two
    swapped), the cheaper schedule is kept, flagged and no longer claimed optimal."""
    from planner.planning.pipeline import _no_dearer

    plant = _steep(read_plant(SMALL_PLANT))
    res = make_plan(plant, short_history(), (), dataclasses.replace(FAST, makespan_tolerance=None))
    aware, blind = res.schedule_result, res.blind_result
    assert aware.kpis.energy_cost < blind.kpis.energy_cost  # the steep tariff makes the aware one cheaper
    within = bounded(res.problem, aware.schedule, res.problem, 10.0)
    kept = _no_dearer(within, blind, aware)
    assert kept.schedule is aware.schedule and kept.kpis.energy_cost == aware.kpis.energy_cost
    assert kept.status == SolveStatus.FEASIBLE and "tariff-blind" in kept.stats["fallback"]
    assert _no_dearer(within, aware, blind) is aware
