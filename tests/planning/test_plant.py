"""Tests of the plant model: reading, calendars, changeovers, energy profiles, errors naming the JSON path."""

from __future__ import annotations

import copy
import json

import pytest

from planner.exceptions import ValidationError
from planner.planning.plant import parse_plant, plant_from_dict, read_plant
from tests.planning.conftest import SMALL_PLANT


def small_doc() -> dict:
    return json.loads(SMALL_PLANT.read_text())


def errors_of(doc: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        plant_from_dict(doc)
    return {v.field: v.description for v in info.value.violations}


def test_reads_small_plant(small_plant):
    """Tests that the small plant reads with its horizon, groups, families and maintenance in minutes."""
    h = small_plant.horizon
    assert (h.period, h.num_periods, h.schedule_minutes, h.num_schedule_periods) == (1440, 5, 2880, 2)
    assert small_plant.groups == {"SAW": ["SAW"], "cnc": ["CNC-1", "CNC-2"], "PAINT": ["PAINT"]}
    assert small_plant.families == ("white", "black")
    task = small_plant.maintenance[0]
    assert (task.machine, task.duration, task.earliest, task.latest) == ("SAW", 60, 480, 960)


def test_shift_pattern_and_closed_day_expand_to_closed_windows(small_plant):
    """Tests that two shifts 06-22 on weekdays plus a closed Wednesday give the right closed minutes."""
    paint = small_plant.machine("PAINT")
    # Mon 7 Dec 00:00 is minute 0; Wed 9 Dec is closed all day; Sat 12 Dec starts at minute 7200.
    assert paint.closed == ((0, 360), (1320, 1800), (2760, 4680), (5640, 6120), (7080, 7200))
    assert paint.open_minutes(0, 1440) == 960
    assert small_plant.machine("SAW").closed == ()


def test_overnight_shift_runs_past_midnight():
    """Tests that a shift 22:00-06:00 is open across midnight."""
    doc = small_doc()
    doc["machines"][0]["calendar"] = {"shifts": {"mon": [["22:00", "06:00"]]}}
    plant = plant_from_dict(doc)
    assert plant.machine("SAW").closed == ((0, 1320), (1800, 7200))


def test_changeover_matrix_defaults_and_overrides(small_plant):
    """Tests that a changeover entry fills the default, keeps 0 on the diagonal and applies overrides."""
    assert small_plant.setup_times == {"PAINT": ((0, 20), (45, 0))}


def test_daily_tariff_expands_over_the_horizon_in_local_time(small_plant):
    """Tests that a daily 24-value price pattern repeats hourly over the five days from local midnight."""
    energy = small_plant.energy
    assert energy is not None and energy.peak_kw == 45
    assert len(energy.price) == 5 * 24
    assert energy.price[7] == 0.30 and energy.price[24 + 7] == 0.30 and energy.price[17] == 0.40


def test_bad_json_names_the_line():
    """Tests that text that is not JSON is reported with its line."""
    with pytest.raises(ValidationError, match="line 2"):
        parse_plant('{"name": "x",\n oops}')


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["products"][0]["routing"][1]["machines"][0].update(machine="LASER"),
            "products[0].routing[1].machines[0].machine",
        ),
        (
            lambda d: d["products"][0]["routing"][0]["machines"][0].update(per_unit=-1),
            "products[0].routing[0].machines[0].per_unit",
        ),
        (lambda d: d["machines"][3]["calendar"].update(shifts="three_shifts"), "machines[3].calendar.shifts"),
        (lambda d: d["products"][0]["bom"][0].update(item="WHEEL"), "products[0].bom[0].item"),
        (lambda d: d["products"][0].update(family="green"), "products[0].family"),
        (
            lambda d: d["products"][0]["options"]["unpainted"].update(remove=["polish"]),
            "products[0].options.unpainted",
        ),
        (lambda d: d["maintenance"][0].update(machine="CNC-9"), "maintenance[0].machine"),
        (lambda d: d["horizon"].update(period="1 day"), "horizon.period"),
        (lambda d: d["horizon"].update(timezone="Mars/Olympus"), "horizon.timezone"),
        (lambda d: d["changeovers"][0]["times"].update(grey={"white": 5}), "changeovers[0].times.grey"),
        (lambda d: d["energy"]["price"].update(values=[0.1] * 23), "energy.price.values"),
        (lambda d: d["machines"].append(copy.deepcopy(d["machines"][0])), "machines[4].id"),
        (lambda d: d["products"][1].update(colour="red"), "products[1]"),
    ],
)
def test_bad_plant_files_name_the_json_path(change, path):
    """Tests that each kind of bad plant file gets an error naming the JSON path of the problem."""
    doc = small_doc()
    change(doc)
    found = errors_of(doc)
    assert path in found, found


def test_bom_cycle_is_rejected():
    """Tests that a bill of materials with a cycle is rejected."""
    doc = small_doc()
    doc["products"][2] = {"id": "TUBE", "routing": doc["products"][1]["routing"], "bom": [{"item": "FRAME"}]}
    found = errors_of(doc)
    assert "cycle" in found["products"]


def test_to_dict_is_a_copy_of_the_source(small_plant):
    """Tests that the plant keeps its source document and hands out copies of it."""
    doc = small_plant.to_dict()
    doc["name"] = "changed"
    assert small_plant.to_dict()["name"] == "small_plant"
    assert read_plant(SMALL_PLANT) == small_plant
