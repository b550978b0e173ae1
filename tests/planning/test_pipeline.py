"""Tests of the whole pipeline on the small plant: forecast -> lot sizing -> energy-aware schedule -> plan."""

from __future__ import annotations

import dataclasses

import pytest

from planner.planning import Plan
from planner.planning.kpis import plan_kpis
from planner.planning.pipeline import make_plan, orders_from_rows
from planner.planning.plant import read_plant
from planner.plotting.plan_charts import power_profile
from planner.scheduling import check_solution
from tests.planning.conftest import FAST, SMALL_PLANT, short_history

ORDERS = [
    {
        "order_id": "SO-1",
        "product": "FRAME",
        "quantity": "4",
        "due": "2026-12-08T12:00",
        "options": "engraved;heavy",
    },
    {"order_id": "SO-2", "product": "BRACKET", "quantity": "6", "due": "2026-12-07T20:00", "priority": "5"},
]


@pytest.fixture(scope="module")
def result():
    plant = read_plant(SMALL_PLANT)
    return make_plan(plant, short_history(), orders_from_rows(ORDERS, plant), FAST)


def test_every_stage_is_kept_with_its_time(result):
    """Tests that the result keeps the forecast, lot-sizing, problem and schedule outputs and stage times."""
    assert set(result.seconds) == {"forecast", "lot_sizing", "jobs", "schedule", "plan", "total"}
    assert result.forecast is not None and set(result.forecast.forecast["unique_id"]) == {"FRAME", "BRACKET"}
    assert result.lot_result.plan is not None
    assert len(result.demand) == 3 * 5 and (result.demand["safety_stock"] >= 0).all()
    assert result.problem.num_jobs == len(result.jobs)
    assert result.schedule_result.schedule is not None
    assert result.blind_result is not None and result.blind_result.schedule is not None


def test_schedules_pass_the_independent_checker(result):
    """Tests that the planned schedule and the tariff-blind one both pass the scheduling checker."""
    for res in (result.schedule_result, result.blind_result):
        report = check_solution(result.problem, res.schedule)
        assert report.ok, report.violations[:3]


def test_power_limit_is_respected(result):
    """Tests that the summed power of running operations never exceeds the plant's 45 kW."""
    peak = max(kw for _, kw in power_profile(result.problem, result.schedule_result.schedule))
    assert peak <= 45 + 1e-9
    assert result.kpis["peak_power_kw"] <= 45 + 1e-9


def test_binding_power_limit_keeps_high_power_steps_apart():
    """Tests that a 30 kW limit forces the 30 kW paint booth to run alone, and the checker agrees."""
    plant = read_plant(SMALL_PLANT)
    plant = dataclasses.replace(plant, energy=dataclasses.replace(plant.energy, peak_kw=30.0))
    settings = dataclasses.replace(FAST, compare_tariff_blind=False)
    res = make_plan(plant, short_history(), orders_from_rows(ORDERS, plant), settings)
    schedule = res.schedule_result.schedule
    assert schedule is not None and check_solution(res.problem, schedule).ok
    profile = power_profile(res.problem, schedule)
    assert max(kw for _, kw in profile) <= 30 + 1e-9
    paint = res.problem.machine_name  # PAINT runs at 30 kW: nothing else may run at the same time
    ids = [paint(m) for m in range(res.problem.num_machines)]
    paint_ops = [s for s in schedule if ids[s.machine] == "PAINT" and s.end > s.start]
    others = [s for s in schedule if ids[s.machine] != "PAINT" and s.end > s.start]
    assert paint_ops
    for p in paint_ops:
        for o in others:
            # Resumable work may pause around a paint run, so compare running time only.
            assert not (o.start < p.end and p.start < o.end) or _paused_over(res.problem, o, p)


def _paused_over(data, op, other) -> bool:
    from planner.plotting.plan_charts import _running_segments

    job_op = data.jobs[op.job].operations[op.operation]
    windows = data.machines[op.machine].unavailable if job_op.resumable else ()
    return all(
        not (s < other.end and other.start < e) for s, e in _running_segments(op.start, op.end, windows)
    )


def test_plan_holds_orders_inventory_purchases_and_maintenance(result):
    """Tests the plan contract: lots and customer orders, targets per item and period, purchases, maintenance."""
    plan = result.plan
    assert Plan.from_dict(plan.to_dict()) == plan
    kinds = {o.id: o.kind for o in plan.orders}
    assert kinds["SO-1"] == "customer" and kinds["SO-2"] == "customer"
    so1 = plan.order("SO-1")
    assert [op.name for op in so1.operations] == ["cut", "mill", "engrave", "paint"]
    assert so1.options == ("engraved", "heavy")
    assert so1.operations[0].consumes[0].item == "TUBE" and so1.operations[0].consumes[0].quantity == 8
    scheduled = [o for o in plan.orders if o.operations]
    assert {o.id for o in scheduled} == {j.order_id for j in result.jobs}
    assert all(
        o.period is not None and o.period >= plant_periods(result) for o in plan.orders if not o.operations
    )
    assert len(plan.inventory) == 3 * 5
    for p in plan.purchases:
        assert p.item == "TUBE" and p.order_by == p.due - 1440 and p.period >= 1
    (task,) = plan.maintenance
    assert task.machine == "SAW" and task.start >= 480 and task.end <= 960 and task.end - task.start == 60


def plant_periods(result) -> int:
    return result.plant.horizon.num_schedule_periods


def test_kpis_are_those_of_the_plan(result):
    """Tests that the reported KPIs equal an independent recomputation from the plan and the checker."""
    unit_values = {p.id: p.stock.unit_value for p in result.plant.products}
    again = plan_kpis(result.plan, unit_values=unit_values, schedule_kpis=result.schedule_result.kpis)
    for key, value in again.items():
        assert result.kpis[key] == value, key
    assert result.kpis["makespan"] == result.schedule_result.kpis.makespan
    blind = result.blind_result.kpis
    assert result.kpis["blind_energy_cost"] == pytest.approx(blind.energy_cost, abs=1e-3)
    assert result.kpis["energy_saving"] == pytest.approx(
        blind.energy_cost - result.kpis["energy_cost"], abs=1e-3
    )
    assert result.kpis["makespan_tolerance"] == FAST.makespan_tolerance
