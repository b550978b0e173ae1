"""Tests that the plan KPIs match a hand-checked case."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from planner.planning import InventoryTarget, Plan, PlanMachine, PlannedOperation, ProductionOrder
from planner.planning.kpis import energy_saving, plan_kpis


def hand_plan() -> Plan:
    """Two machines; A is on time (ends 50, due 60); B is 30 late (ends 130, due 100); C has no operations."""
    a = ProductionOrder(
        "A",
        "X",
        5,
        (
            PlannedOperation("A/010", 0, "cut", "M1", 0, 20),
            PlannedOperation("A/020", 1, "mill", "M2", 20, 50, setup=5),
        ),
        due=60,
    )
    b = ProductionOrder(
        "B",
        "Y",
        2,
        (
            PlannedOperation("B/010", 0, "cut", "M1", 30, 70, setup=10),
            PlannedOperation("B/020", 1, "mill", "M2", 80, 130, duration=40),
        ),
        due=100,
    )
    c = ProductionOrder("C", "X", 3, (), due=200, period=3)
    inventory = (
        InventoryTarget("X", 0, 0, 100, inventory=10, backlog=0),
        InventoryTarget("Y", 0, 0, 100, inventory=4, backlog=1),
        InventoryTarget("X", 1, 100, 200, inventory=6, backlog=0),
        InventoryTarget("Y", 1, 100, 200, inventory=0, backlog=3),
    )
    return Plan(
        "P",
        "2026-12-07T00:00:00+01:00",
        machines=(PlanMachine("M1"), PlanMachine("M2")),
        orders=(a, b, c),
        inventory=inventory,
    )


def test_kpis_of_a_hand_checked_plan():
    """Tests OTIF, tardiness, makespan, utilisation, setups, inventory value and backlog by hand."""
    kpis = plan_kpis(hand_plan(), unit_values={"X": 10.0, "Y": 2.5})
    assert kpis["num_orders_with_due"] == 2
    assert kpis["otif_pct"] == 50.0
    assert kpis["total_tardiness"] == 30 and kpis["max_tardiness"] == 30 and kpis["num_late_orders"] == 1
    assert kpis["makespan"] == 130
    # M1 processes 20 + 40 = 60, M2 30 + 40 (B pauses 10) = 70, over a makespan of 130.
    assert kpis["utilisation"] == {
        "M1": pytest.approx(60 / 130, abs=1e-4),
        "M2": pytest.approx(70 / 130, abs=1e-4),
    }
    assert kpis["setup_time"] == 15
    # Period 0: 10*10 + 4*2.5 = 110; period 1: 6*10 = 60.
    assert kpis["inventory_value_mean"] == 85.0 and kpis["inventory_value_end"] == 60.0
    assert kpis["backlog_end"] == 3 and kpis["backlog_unit_periods"] == 4
    assert kpis["energy_cost"] is None


def test_energy_kpis_come_from_the_schedule_checker():
    """Tests that the energy figures are taken from the scheduler's KPIs."""
    sched = SimpleNamespace(energy_kwh=12.5, energy_cost=3.25, peak_power=40.0, co2_kg=4.0)
    kpis = plan_kpis(hand_plan(), schedule_kpis=sched)
    assert (kpis["energy_kwh"], kpis["energy_cost"], kpis["peak_power_kw"], kpis["co2_kg"]) == (
        12.5,
        3.25,
        40.0,
        4.0,
    )


def test_energy_saving_against_tariff_blind_at_a_makespan_tolerance():
    """Tests the saving, its percentage and whether the aware makespan stays within the tolerance."""
    aware = SimpleNamespace(energy_cost=80.0, co2_kg=10.0, makespan=105)
    blind = SimpleNamespace(energy_cost=100.0, co2_kg=12.0, makespan=100)
    out = energy_saving(aware, blind, 0.10)
    assert out["energy_saving"] == 20.0 and out["energy_saving_pct"] == 20.0
    assert out["makespan_ratio"] == 1.05 and out["saving_within_tolerance"] is True
    assert energy_saving(aware, blind, 0.01)["saving_within_tolerance"] is False
