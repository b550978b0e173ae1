"""Tests of the plan on odd or malformed input a new plant or an ERP export would give."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.exceptions import ValidationError
from planner.planning.pipeline import make_plan
from planner.planning.plant import plant_from_dict
from tests.planning.conftest import FAST, SMALL_PLANT


def _rows(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


def test_demand_with_a_date_that_is_no_date_names_the_row(small_plant):
    """Tests that a demand date like 'yesterday' is a ValidationError on demand.ds naming its row."""
    history = _rows(("FRAME", "2026-12-01", 3), ("FRAME", "yesterday", 4))
    with pytest.raises(ValidationError) as info:
        make_plan(small_plant, history, settings=FAST)
    assert info.value.violations[0].field == "demand.ds"
    assert "row 3 'yesterday'" in str(info.value)


def test_demand_with_irregular_dates_says_so(small_plant):
    """Tests that dates spaced neither daily nor weekly give a message about the spacing, not 'None'."""
    history = _rows(("FRAME", "2026-10-01", 3), ("FRAME", "2026-11-03", 3), ("FRAME", "2026-11-20", 1))
    with pytest.raises(ValidationError, match="irregularly spaced") as info:
        make_plan(small_plant, history, settings=FAST)
    assert "None" not in str(info.value)


def test_demand_past_the_plan_start_is_reported_before_the_spacing(small_plant):
    """Tests that a history running past the plan start says so even when its dates are irregular."""
    history = _rows(("FRAME", "2026-12-05", 3), ("FRAME", "2026-12-09", 3))
    with pytest.raises(ValidationError, match="past the plan start 2026-12-07"):
        make_plan(small_plant, history, settings=FAST)


def test_one_day_of_history_is_taken_as_daily(small_plant):
    """Tests that one date per product is read as a daily history (the forecast then judges its length)."""
    history = _rows(("FRAME", "2026-12-06", 3), ("BRACKET", "2026-12-06", 4))
    with pytest.raises(ValidationError) as info:
        make_plan(small_plant, history, settings=FAST)
    assert "too short" in str(info.value) and "coarser" not in str(info.value)


def _plant_doc() -> dict[str, Any]:
    return json.loads(SMALL_PLANT.read_text())


def test_a_step_whose_only_machine_never_opens_is_named():
    """Tests that a machine with no open shift makes the steps that need it a violation at their path."""
    doc = _plant_doc()
    doc["shift_patterns"]["never"] = {}
    doc["machines"][3]["calendar"] = {"shifts": "never"}
    with pytest.raises(ValidationError) as info:
        plant_from_dict(doc)
    fields = [v.field for v in info.value.violations]
    assert fields == ["products[0].routing[2].machines", "products[1].routing[1].machines"]
    assert "PAINT, closed throughout the horizon" in str(info.value)


def test_a_step_with_one_open_machine_is_fine():
    """Tests that closing one of two eligible machines is no violation (the other can run the step)."""
    doc = _plant_doc()
    doc["shift_patterns"]["never"] = {}
    doc["machines"][2]["calendar"] = {"shifts": "never"}
    plant = plant_from_dict(doc)
    assert plant.machines[2].open_minutes(0, plant.horizon.end) == 0


def test_a_power_limit_below_every_machine_of_a_step_names_the_step():
    """Tests that energy.peak_kw below every eligible machine's draw names the step, before planning."""
    doc = _plant_doc()
    doc["energy"]["peak_kw"] = 15
    with pytest.raises(ValidationError) as info:
        plant_from_dict(doc)
    # The mill step has CNC-2 at 12 kW, so only the two paint steps break the limit.
    assert [v.field for v in info.value.violations] == [
        "products[0].routing[2].machines",
        "products[1].routing[1].machines",
    ]
    assert "energy.peak_kw = 15 kW" in str(info.value) and "PAINT 30 kW" in str(info.value)


def test_the_cli_reports_a_power_limit_below_a_machine_with_exit_code_2(tmp_path):
    """Tests that `planner plan` on such a plant exits with code 2 and the step's path, no traceback."""
    doc = _plant_doc()
    doc["energy"]["peak_kw"] = 10
    bad = tmp_path / "plant.json"
    bad.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["plan", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "products[0].routing[1].machines" in result.output and "Traceback" not in result.output


def test_a_maintenance_window_before_the_horizon_is_dropped(caplog):
    """Tests that a maintenance window that closed before the horizon start is dropped with a warning."""
    doc = _plant_doc()
    doc["maintenance"][0].update(earliest="2026-11-01T08:00", latest="2026-11-01T16:00")
    plant = plant_from_dict(doc)
    assert plant.maintenance == ()
    assert "maintenance[0] (saw blade on SAW) ends before the horizon starts" in caplog.text


def test_a_maintenance_window_too_short_inside_the_horizon_is_still_an_error():
    """Tests that a window inside the horizon shorter than its task stays a violation at its path."""
    doc = _plant_doc()
    doc["maintenance"][0]["duration"] = 600
    with pytest.raises(ValidationError) as info:
        plant_from_dict(doc)
    assert info.value.violations[0].field == "maintenance[0].latest"


def test_an_operation_longer_than_every_open_window_is_explained(caplog):
    """Tests that a non-resumable step longer than every shift is named in a warning, and still checker-valid."""
    from planner.planning.pipeline import CustomerOrder
    from planner.scheduling import check_solution

    doc = _plant_doc()
    doc["products"][1]["routing"][1]["machines"][0]["fixed"] = 1200  # PAINT is open 16 h a day at most
    plant = plant_from_dict(doc)
    order = CustomerOrder("SO-1", "BRACKET", 3, plant.horizon.period)
    result = make_plan(plant, None, [order], FAST)
    assert "order 'SO-1' step 'paint' cannot be interrupted" in caplog.text
    assert "PAINT needs 1203 min, longest open 960 min" in caplog.text
    assert result.schedule_result.schedule is not None
    assert check_solution(result.problem, result.schedule_result.schedule).ok
