"""Tests of `planner plan`: the plan folder, the KPI table and errors on bad input."""

from __future__ import annotations

import json

from click.testing import CliRunner

from planner.cli import main
from planner.planning import Plan
from tests.planning.conftest import SMALL_PLANT, short_history


def test_plan_command_writes_the_plan_folder(tmp_path):
    """Tests that `planner plan` writes plan.json, CSVs, charts and the report, and prints the KPIs."""
    demand = tmp_path / "demand.csv"
    short_history(days=56).to_csv(demand, index=False)
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,product,quantity,due,options\nSO-7,FRAME,3,2026-12-08T18:00,unpainted\n")
    scenario = tmp_path / "what_if.json"
    scenario.write_text(
        json.dumps({"scenarios": [{"name": "dear", "changes": [{"type": "tariff", "scale": 3}]}]})
    )
    out = tmp_path / "plan"
    args = [
        "plan",
        str(SMALL_PLANT),
        "--demand",
        str(demand),
        "--orders",
        str(orders),
        "--scenario",
        str(scenario),
        "--time-limit",
        "2",
        "--lot-time-limit",
        "5",
        "--workers",
        "1",
        "--makespan-tolerance",
        "0",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for name in (
        "plan.json",
        "orders.csv",
        "operations.csv",
        "inventory.csv",
        "purchases.csv",
        "gantt.html",
        "gantt.png",
        "inventory.png",
        "report.html",
        "scenarios.csv",
    ):
        assert (out / name).is_file(), name
    plan = Plan.read(out)
    assert plan.kpis["makespan_tolerance"] == 0.0
    assert [op.name for op in plan.order("SO-7").operations] == ["cut", "mill"]
    assert "On time in full" in result.output and "report.html" in result.output
    report = (out / "report.html").read_text()
    assert "data:image/png;base64," in report and "What-if scenarios" in report and "<script" not in report


def test_bad_plant_file_names_the_json_path(tmp_path):
    """Tests that a plant with an unknown machine in a routing fails with exit code 2 and the JSON path."""
    doc = json.loads(SMALL_PLANT.read_text())
    doc["products"][1]["routing"][0]["machines"][0]["machine"] = "LASER"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["plan", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "products[1].routing[0].machines[0].machine" in result.output


def test_makespan_tolerance_must_be_a_number_or_none(tmp_path):
    """Tests that a negative or non-numeric --makespan-tolerance fails with exit code 2 before planning."""
    for bad in ("-0.1", "soon"):
        result = CliRunner().invoke(
            main, ["plan", str(SMALL_PLANT), "--makespan-tolerance", bad, "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2 and "makespan-tolerance" in result.output, result.output
