"""Tests that placed maintenance and the energy KPIs reach the output files (CSV and result JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.exceptions import FormatError
from planner.formats.native import write_native
from planner.scheduling import Model, Schedule, ScheduledMaintenance, ScheduledOperation, check_solution
from planner.scheduling.output import read_maintenance_csv, read_schedule_csv, write_maintenance_csv


def test_maintenance_csv_round_trip(tmp_path: Path) -> None:
    """Tests that the maintenance CSV has the header task,machine,start,end and reads back equal."""
    schedule = Schedule(
        [ScheduledOperation(0, 0, 0, 0, 5)],
        [ScheduledMaintenance(1, 0, 9, 12), ScheduledMaintenance(0, 1, 0, 4)],
    )
    path = write_maintenance_csv(schedule, tmp_path / "x.maintenance.csv")
    assert path.read_text().splitlines() == ["task,machine,start,end", "0,1,0,4", "1,0,9,12"]
    assert read_maintenance_csv(path) == list(schedule.maintenance)


def test_maintenance_csv_errors_name_the_line(tmp_path: Path) -> None:
    """Tests that a bad value in a maintenance CSV names file and line."""
    path = tmp_path / "bad.csv"
    path.write_text("task,machine,start,end\n0,0,-3,2\n")
    with pytest.raises(FormatError, match=r"bad\.csv:2"):
        read_maintenance_csv(path)


def test_solve_writes_maintenance_and_energy_kpis(tmp_path: Path) -> None:
    """Tests that planner solve writes <name>.maintenance.csv and the energy KPIs into result.json."""
    m = Model(name="plant", time_unit="min")
    oven = m.add_machine("oven", unavailable=[(30, 60)], idle_power=1.0)
    for j in range(2):
        m.add_operation(m.add_job(f"J{j}"), [(oven, 20, 12.0)], resumable=True)
    m.add_maintenance(oven, 10, earliest=0, latest=40, name="clean")
    m.set_energy(30, price=[0.2, 0.05, 0.3], co2=[0.4], peak_power=50.0)
    m.set_objective(makespan=1, energy=10)
    data = m.data()
    path = tmp_path / "plant.json"
    write_native(data, path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["solve", str(path), "--time-limit", "5", "--workers", "1", "--seed", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    schedule = read_schedule_csv(out / "plant.schedule.csv")
    placed = read_maintenance_csv(out / "plant.maintenance.csv")
    assert len(placed) == 1 and placed[0].task == 0 and placed[0].end <= 40
    report = check_solution(data, Schedule(schedule.operations, placed))
    assert report.ok, report.violations
    document = json.loads((out / "plant.result.json").read_text())
    kpis = document["kpis"]
    assert report.kpis is not None
    assert kpis["energy_kwh"] == pytest.approx(report.kpis.energy_kwh, abs=1e-6)
    assert kpis["energy_cost"] == pytest.approx(report.kpis.energy_cost, abs=1e-6)
    assert kpis["co2_kg"] == pytest.approx(report.kpis.co2_kg, abs=1e-6)
    assert 0 < kpis["peak_power"] <= 50.0
    assert document["maintenance"] == [
        {"task": 0, "name": "clean", "machine": 0, "start": placed[0].start, "end": placed[0].end}
    ]
