"""Tests that what-if changes take effect on the plant, the demand and the planned schedule."""

from __future__ import annotations

import json

import pytest

from planner.exceptions import ValidationError
from planner.planning.pipeline import JobInfo, _scheduling_problem
from planner.planning.scenarios import Scenario, apply_scenario, compare_scenarios, scenarios_from_dict
from tests.planning.conftest import FAST, short_history


def frame_job(plant, options=()):
    frame = plant.product("FRAME")
    return JobInfo("J", "FRAME", 5, "production", 2880, 1, tuple(options), frame.routing_for(options))


def eligible(plant, options=()) -> list[list[str]]:
    data = _scheduling_problem(plant, [frame_job(plant, options)])
    return [[data.machine_name(m.machine) for m in op.modes] for op in data.jobs[0].operations]


def test_removing_a_machine_changes_routing_eligibility(small_plant):
    """Tests that without CNC-1 the mill step can only run on CNC-2."""
    assert eligible(small_plant)[1] == ["CNC-1", "CNC-2"]
    changed, _ = apply_scenario(small_plant, Scenario("x", ({"type": "remove_machine", "machine": "CNC-1"},)))
    assert "CNC-1" not in changed.machine_ids
    assert eligible(changed)[1] == ["CNC-2"]
    # Engraving runs only on CNC-1: the option is withdrawn.
    assert "engraved" not in changed.product("FRAME").options


def test_removing_the_only_machine_of_a_step_is_an_error(small_plant):
    """Tests that removing the saw (the only machine of 'cut') is refused, naming the scenario and change."""
    with pytest.raises(ValidationError) as info:
        apply_scenario(small_plant, Scenario("no saw", ({"type": "remove_machine", "machine": "SAW"},)))
    assert info.value.violations[0].field == "scenario 'no saw'.changes[0]"


def test_added_machine_like_another_takes_its_steps(small_plant):
    """Tests that a machine added like CNC-2 becomes eligible wherever CNC-2 is, at its times."""
    change = {"type": "add_machine", "machine": {"id": "CNC-3"}, "like": "CNC-2"}
    changed, _ = apply_scenario(small_plant, Scenario("x", (change,)))
    assert changed.machine("CNC-3").group == "cnc"
    assert eligible(changed)[1] == ["CNC-1", "CNC-2", "CNC-3"]


def test_extra_shift_opens_the_machine(small_plant):
    """Tests that a Saturday shift on the paint booth opens Saturday 06:00-14:00 (minutes 7560-8040)."""
    change = {"type": "add_shift", "machines": ["PAINT"], "days": ["sat"], "shift": ["06:00", "14:00"]}
    changed, _ = apply_scenario(small_plant, Scenario("x", (change,)))
    assert small_plant.machine("PAINT").open_minutes(7200, 7200) == 0
    # The horizon ends Saturday 00:00 (5 daily periods), so extend it to see Saturday.
    doc = changed.to_dict()
    doc["horizon"]["num_periods"] = 6
    from planner.planning.plant import plant_from_dict

    longer = plant_from_dict(doc)
    assert longer.machine("PAINT").open_minutes(7200, 8640) == 480


def test_tariff_and_power_limit_changes_reach_the_scheduling_problem(small_plant):
    """Tests that a doubled tariff and a new power limit end up in the scheduling problem's energy data."""
    changes = ({"type": "tariff", "scale": 2.0}, {"type": "power_limit", "peak_kw": 33})
    changed, _ = apply_scenario(small_plant, Scenario("x", changes))
    data = _scheduling_problem(changed, [frame_job(changed)])
    assert data.energy.peak_power == 33
    assert data.energy.price[7] == pytest.approx(2 * small_plant.energy.price[7])


def test_demand_scaling_scales_the_forecast_of_chosen_products(small_plant):
    """Tests that scaling FRAME's demand by 1.5 multiplies its point forecast and quantiles, not BRACKET's."""
    import pandas as pd

    demand = pd.DataFrame(
        [
            {"item": i, "period": 0, "demand": 10.0, "q10": 6.0, "q50": 10.0, "q90": 14.0}
            for i in ("FRAME", "BRACKET")
        ]
    )
    change = {"type": "scale_demand", "products": ["FRAME"], "factor": 1.5}
    _, scaled = apply_scenario(small_plant, Scenario("x", (change,)), demand)
    rows = scaled.set_index("item")
    assert rows.loc["FRAME", "demand"] == 15.0 and rows.loc["FRAME", "q90"] == 21.0
    assert rows.loc["BRACKET", "demand"] == 10.0


def test_bad_scenario_files_name_the_path():
    """Tests that scenario files with unknown change types or missing keys name the JSON path."""
    doc = {"scenarios": [{"name": "a", "changes": [{"type": "teleport"}, {"type": "scale_demand"}]}]}
    with pytest.raises(ValidationError) as info:
        scenarios_from_dict(doc)
    fields = [v.field for v in info.value.violations]
    assert fields == ["scenarios[0].changes[0].type", "scenarios[0].changes[1].factor"]


def test_compare_scenarios_plans_each_and_removing_a_machine_takes_effect(small_plant):
    """Tests that the comparison plans base and scenario and the scenario's schedule never uses CNC-1."""
    scenarios = scenarios_from_dict(
        json.loads(
            '{"scenarios": [{"name": "no CNC-1", "changes": [{"type": "remove_machine", "machine": "CNC-1"}]}]}'
        )
    )
    settings = type(FAST)(**{**FAST.__dict__, "compare_tariff_blind": False})
    out = compare_scenarios(small_plant, short_history(), scenarios, settings=settings)
    assert list(out.results) == ["base", "no CNC-1"]
    scen = out.results["no CNC-1"]
    assert all(op.machine != "CNC-1" for _, op in scen.plan.operations())
    assert scen.forecast is out.results["base"].forecast
    table = out.table()
    assert [row["scenario"] for row in table] == ["base", "no CNC-1"] and "energy_cost" in table[0]


def test_makespan_tolerance_change_sets_the_scenario_settings(small_plant):
    """Tests that a makespan_tolerance change reaches the scenario's settings (null: unbounded), leaves the
    plant as it is, and that a negative tolerance is refused naming the field."""
    from planner.planning.scenarios import scenario_settings

    (loose, free) = scenarios_from_dict(
        {
            "scenarios": [
                {"name": "20 %", "changes": [{"type": "makespan_tolerance", "tolerance": 0.2}]},
                {"name": "free", "changes": [{"type": "makespan_tolerance", "tolerance": None}]},
            ]
        }
    )
    assert scenario_settings(FAST, loose).makespan_tolerance == 0.2
    assert scenario_settings(FAST, free).makespan_tolerance is None
    assert apply_scenario(small_plant, loose)[0] == small_plant
    with pytest.raises(ValidationError) as info:
        scenarios_from_dict(
            {"scenarios": [{"name": "x", "changes": [{"type": "makespan_tolerance", "tolerance": -1}]}]}
        )
    assert [v.field for v in info.value.violations] == ["scenarios[0].changes[0].tolerance"]


def test_scenarios_keep_the_tolerance_without_reporting_the_saving(small_plant, monkeypatch):
    """Tests that a scenario at tolerance 0 is solved within the bounds of its own tariff-blind solve (which
    runs as the reference of the bounds though scenarios report no saving)."""
    import planner.planning.pipeline as pipeline

    bounds = []
    original = pipeline.bounded

    def spy(data, blind, blind_data, tolerance):
        out = original(data, blind, blind_data, tolerance)
        bounds.append((tolerance, out.max_makespan, blind.makespan))
        return out

    monkeypatch.setattr(pipeline, "bounded", spy)
    scenarios = scenarios_from_dict(
        {"scenarios": [{"name": "tight", "changes": [{"type": "makespan_tolerance", "tolerance": 0}]}]}
    )
    settings = type(FAST)(**{**FAST.__dict__, "compare_tariff_blind": False, "makespan_tolerance": None})
    out = compare_scenarios(small_plant, short_history(), scenarios, settings=settings)
    assert all(t == 0 for t, _, _ in bounds)  # the unbounded base solved no tariff-blind reference
    tight = out.results["tight"]
    assert tight.blind_result is None and "energy_saving" not in tight.kpis
    scenario_bounds = [(t, b, m) for t, b, m in bounds if t == 0]
    assert scenario_bounds and all(b == m for _, b, m in scenario_bounds)
    assert tight.schedule_result.kpis.makespan <= scenario_bounds[-1][1]
