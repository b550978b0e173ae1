"""Tests of the plan charts: the power profile beneath the Gantt chart and the chart files."""

from __future__ import annotations

from planner.plotting.plan_charts import (
    inventory_png_figure,
    plan_gantt_figure,
    plan_gantt_png_figure,
    power_profile,
    price_profile,
)
from planner.scheduling import Model, Schedule, ScheduledOperation
from tests.planning.test_kpis import hand_plan


def hand_problem():
    """A 10 kW operation 0-30 on M0 and a resumable 5 kW one 20-60 on M1 pausing over M1's window 30-40."""
    m = Model(time_unit="min", time_origin="2026-12-07T00:00:00+01:00")
    a = m.add_machine("M0")
    b = m.add_machine("M1", unavailable=[(30, 40)])
    j0 = m.add_job("A")
    m.add_operation(j0, [(a, 30, 10.0)])
    j1 = m.add_job("B")
    m.add_operation(j1, [(b, 30, 5.0)], resumable=True)
    m.set_energy(60, price=[0.1, 0.3], peak_power=20.0)
    schedule = Schedule([ScheduledOperation(0, 0, a, 0, 30), ScheduledOperation(1, 0, b, 20, 60)])
    return m.data(), schedule


def test_power_profile_counts_running_time_only():
    """Tests the step function: 10 kW, then 15 kW while both run, then 0 while B pauses, then 5 kW."""
    data, schedule = hand_problem()
    assert power_profile(data, schedule) == [(0, 10.0), (20, 15.0), (30, 0.0), (40, 5.0), (60, 0.0)]


def test_price_profile_follows_the_tariff_periods():
    """Tests that the price steps at every tariff period and the last value repeats."""
    data, _ = hand_problem()
    assert price_profile(data, 150) == [(0, 0.1), (60, 0.3), (120, 0.3)]


def test_charts_draw_the_energy_strip():
    """Tests that the interactive chart has a power trace and the price on a second axis, and PNGs render."""
    data, schedule = hand_problem()
    figure = plan_gantt_figure(data, schedule)
    names = [t.name for t in figure.data]
    assert "power kW" in names and "price / kWh" in names and "peak limit" in names
    assert len(plan_gantt_png_figure(data, schedule).axes) == 3
    assert inventory_png_figure(hand_plan()).axes
