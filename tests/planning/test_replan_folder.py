"""Tests that a plan folder of `planner plan` shows its current version after re-planning and actuals."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.planning.pipeline import make_plan
from planner.planning.replan import MachineDown, RushOrderRequest, replan
from planner.planning.report import write_plan_outputs
from planner.planning.versions import PlanStore

from .conftest import FAST, SMALL_PLANT, short_history


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """A plan folder of the small plant, written as `planner plan` writes it."""
    from planner.planning.plant import read_plant

    result = make_plan(read_plant(SMALL_PLANT), short_history(), (), replace(FAST, time_limit=1.0))
    out = tmp_path_factory.mktemp("planned") / "plan"
    write_plan_outputs(result, out)
    assert result.kpis.get("energy_saving") is not None
    return out


@pytest.fixture()
def folder(planned, tmp_path) -> Path:
    out = tmp_path / "plan"
    shutil.copytree(planned, out)
    return out


def _makespan(plan) -> int:
    return max(op.end for _, op in plan.operations())


def _assert_shows(folder: Path, before: dict[str, bytes]) -> None:
    """The charts and the report are rewritten for the current version and name it."""
    plan = PlanStore(folder).current()
    for name in ("gantt.html", "gantt.png", "report.html"):
        assert (folder / name).read_bytes() != before[name], f"{name} was not rewritten"
    report = (folder / "report.html").read_text()
    assert f"version {plan.version}, made {plan.created}" in report
    assert f"made from version {plan.previous_version}" in report
    # the tariff-blind comparison is of version 1's schedule: not shown as if it were this one's
    assert "Saved vs tariff-blind" not in report and "tariff-blind schedule belongs to version 1" in report
    scheduled = [o for o in plan.orders if o.operations]
    ops = sum(len(o.operations) for o in scheduled)
    assert f"{len(scheduled)} orders with {ops} operations scheduled" in report
    gantt = (folder / "gantt.html").read_text()
    assert re.search(rf"v{plan.version}: makespan {_makespan(plan)} min", gantt)
    operations = (folder / "operations.csv").read_text()
    for _, op in list(plan.operations())[:5]:
        assert op.id in operations


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("gantt.html", "gantt.png", "report.html")}


def test_replan_redraws_the_gantt_and_the_report(folder):
    """Tests that a breakdown and rush-order re-plan rewrites gantt.html/png and report.html for version 2,
    the report naming the version, the re-plan and the moves and counting the rush order, and the Gantt
    title the new makespan."""
    before = _snapshot(folder)
    plan = PlanStore(folder).current()
    busiest = max(
        {op.machine for _, op in plan.operations()},
        key=lambda m: sum(op.end - op.start for _, op in plan.operations() if op.machine == m),
    )
    first = min(op.start for _, op in plan.operations() if op.machine == busiest)
    events = [MachineDown(busiest, first, first + 240), RushOrderRequest("RUSH-1", "BRACKET", 3, due=900)]
    result = replan(folder, events, now=0, time_limit=1.0, num_workers=1)
    assert result.plan.version == 2 and "RUSH-1" in {o.id for o in result.plan.orders if o.operations}
    _assert_shows(folder, before)
    report = (folder / "report.html").read_text()
    assert f"({result.rescheduled.num_moved} operations moved)" in report


def test_actuals_command_redraws_the_gantt_and_the_report(folder, tmp_path):
    """Tests that `planner actuals` (shift only: successors of late work pushed) redraws the folder from
    the new version's operation times, which the stored schedule does not hold."""
    before = _snapshot(folder)
    plan = PlanStore(folder).current()
    order = next(o for o in plan.orders if len(o.operations) >= 2)
    op, succ = order.operations[0], order.operations[1]
    late = succ.start + 600
    path = tmp_path / "actuals.csv"
    path.write_text(
        "order,operation,machine,actual_start,actual_end,quantity_done,scrap\n"
        f"{order.id},{op.id},{op.machine},{plan.datetime_at(op.start).isoformat()},"
        f"{plan.datetime_at(late).isoformat()},1,0\n"
    )
    result = CliRunner().invoke(main, ["actuals", str(path), "--plan", str(folder), "--shift-only"])
    assert result.exit_code == 0, result.output
    new = PlanStore(folder).current()
    assert new.version == 2 and _makespan(new) >= late
    _assert_shows(folder, before)
