"""Tests of the plan contract: validation, calendar time, JSON round trip, plans from schedules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from planner.exceptions import ValidationError
from planner.planning import Plan, PlanMachine, PlannedOperation, ProductionOrder, plan_from_schedule
from planner.scheduling import Model, solve


def small_plan() -> Plan:
    ops = (
        PlannedOperation("SO-1/010", 0, "cut", "SAW", 0, 30),
        PlannedOperation("SO-1/020", 1, "weld", "WELD", 40, 90, setup=10),
    )
    return Plan(
        plan_id="P",
        time_origin="2026-12-07T06:00:00+01:00",
        machines=(PlanMachine("SAW"), PlanMachine("WELD")),
        orders=(ProductionOrder("SO-1", "BIKE", 2.0, ops, due=100),),
    )


def test_round_trip(tmp_path):
    """Tests that a plan written to plan.json reads back equal."""
    plan = small_plan()
    plan.write(tmp_path)
    assert Plan.read(tmp_path) == plan


def test_calendar_time():
    """Tests that plan times map to calendar time from the origin with its offset."""
    plan = small_plan()
    moment = plan.datetime_at(90)
    assert moment == datetime(2026, 12, 7, 6, 0, tzinfo=timezone(timedelta(hours=1))) + timedelta(minutes=90)
    assert plan.time_of(moment) == 90


def test_violations_name_the_field():
    """Tests that bad plans are rejected with the field path and the rule."""
    bad = PlannedOperation("SO-1/010", 0, "cut", "LATHE", 50, 30)
    with pytest.raises(ValidationError) as err:
        Plan(
            plan_id="P",
            time_origin="2026-12-07T06:00:00",
            machines=(PlanMachine("SAW"),),
            orders=(ProductionOrder("SO-1", "BIKE", -1, (bad,), state="shipped"),),
        )
    fields = {v.field for v in err.value.violations}
    assert {
        "time_origin",
        "orders[0].quantity",
        "orders[0].state",
        "orders[0].operations[0].end",
        "orders[0].operations[0].machine",
    } <= fields


def test_by_machine_is_in_start_order():
    """Tests that the dispatch list of each machine is in start order."""
    plan = small_plan()
    lists = plan.by_machine()
    assert [op.id for _, op in lists["WELD"]] == ["SO-1/020"]
    assert set(lists) == {"SAW", "WELD"}


def test_plan_from_schedule_keeps_times_and_setups():
    """Tests that a solved schedule becomes a plan with the same times and the changeovers it implies."""
    m = Model("demo", time_unit="min", time_origin="2026-12-07T06:00:00+00:00")
    a, b = m.add_family("a"), m.add_family("b")
    mill = m.add_machine("mill", setup_times=[[0, 7], [7, 0]])
    j1 = m.add_job("SO-1", family=a)
    m.add_operation(j1, [(mill, 10)])
    j2 = m.add_job("SO-2", family=b)
    m.add_operation(j2, [(mill, 10)])
    data = m.data()
    result = solve(data, time_limit=5, num_workers=1)
    assert result.schedule is not None
    plan = plan_from_schedule(data, result.schedule)
    ops = sorted((op for _, op in plan.operations()), key=lambda op: op.start)
    assert [op.setup for op in ops] == [0, 7]
    assert ops[1].start - ops[0].end >= 7
    assert {o.id for o in plan.orders} == {"SO-1", "SO-2"}
