"""Tests of `planner export`, `actuals`, `approve`, `release` and `dispatch`: files, versions, clean errors."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.interchange.actuals import work_performance_document
from planner.interchange.b2mml import read_schedule, xml_bytes
from planner.planning import Plan
from planner.planning.lifecycle import Actual
from planner.planning.versions import PlanStore

from .conftest import CREATED
from .fake_controller import FakeController


@pytest.fixture
def plan_dir(bike_plan: Plan, tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    bike_plan.write(folder)
    return folder


def _run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def _error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("fmt", ["b2mml-xml", "b2mml-json"])
def test_export_whole_plan_then_changes(fmt, plan_dir, bike_plan, tmp_path):
    """Tests that export writes Process documents, and with --since only Change documents of what changed."""
    out = tmp_path / "out"
    result = _run("export", plan_dir, "--format", fmt, "--validate", "--out", out)
    assert result.exit_code == 0, result.output
    ext = "xml" if fmt == "b2mml-xml" else "json"
    assert sorted(p.name for p in out.iterdir()) == [
        f"ProcessOperationsSchedule.{ext}",
        f"ProcessWorkSchedule.{ext}",
    ]
    assert set(read_schedule(out / f"ProcessOperationsSchedule.{ext}", bike_plan)) == {
        op.id for _, op in bike_plan.operations()
    }
    first = bike_plan.orders[0].id
    assert _run("approve", plan_dir, first).exit_code == 0
    result = _run("release", plan_dir, first)
    assert result.exit_code == 0, result.output
    assert "version 3" in result.output
    changes = tmp_path / "changes"
    result = _run("export", plan_dir, "--format", fmt, "--since", "2", "--validate", "--out", changes)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in changes.iterdir()) == [
        f"ChangeOperationsSchedule.{ext}",
        f"ChangeWorkSchedule.{ext}",
    ]
    current = PlanStore(plan_dir).current()
    entries = read_schedule(changes / f"ChangeOperationsSchedule.{ext}", current)
    assert set(entries) == {op.id for op in current.order(first).operations}
    assert {e.state for e in entries.values()} == {"released"}


def test_export_csv(plan_dir, tmp_path):
    """Tests that the csv format writes the four flat files."""
    result = _run("export", plan_dir, "--format", "csv", "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "inventory_targets.csv",
        "operations.csv",
        "production_orders.csv",
        "purchase_orders.csv",
    ]


def test_actuals_command_stores_a_new_version(plan_dir, bike_plan, tmp_path):
    """Tests that `planner actuals` records the actuals as the next version."""
    order = bike_plan.orders[0]
    op = order.operations[0]
    doc = work_performance_document(
        bike_plan, [Actual(order.id, op.id, op.machine, op.start, op.end + 30, 1.0)], CREATED
    )
    path = tmp_path / "actuals.xml"
    path.write_bytes(xml_bytes(doc))
    result = _run("actuals", path, "--plan", plan_dir)
    assert result.exit_code == 0, result.output
    assert "1 actuals (1 completed, 0 running)" in result.output
    current = PlanStore(plan_dir).current()
    assert current.version == 2
    assert current.order(order.id).operations[0].state == "completed"
    assert current.order(order.id).operations[0].end == op.end + 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not xml at all", "neither XML nor JSON"),
        ('<x xmlns="urn:other"/>', "namespace 'urn:other' is not B2MML"),
        (
            "order,operation,machine,actual_start,actual_end,quantity_done,scrap\nSO-2601,010,LATHE,0,5,1,\n",
            "line 2, column machine: unknown machine 'LATHE'",
        ),
        (
            "order,operation,machine,actual_start,actual_end,quantity_done,scrap\nSO-2601,010,SAW-01,10,5,1,\n",
            "line 2, column actual_end: ends",
        ),
    ],
)
def test_bad_actuals_exit_2_and_change_nothing(content, message, plan_dir, tmp_path):
    """Tests that bad actuals give one error line, exit code 2, and leave the plan directory as it was."""
    path = tmp_path / ("actuals.csv" if content.startswith("order") else "actuals.xml")
    path.write_text(content)
    before = {p: p.read_bytes() for p in plan_dir.rglob("*") if p.is_file()}
    result = _run("actuals", path, "--plan", plan_dir)
    assert result.exit_code == 2
    assert message in _error_line(result)
    assert {p: p.read_bytes() for p in plan_dir.rglob("*") if p.is_file()} == before


def test_bad_input_exit_2(plan_dir, bike_plan, tmp_path):
    """Tests clear one-line errors for unknown orders, illegal transitions, unknown versions and no plan."""
    first = bike_plan.orders[0].id
    result = _run("release", plan_dir, first)
    assert result.exit_code == 2
    assert "approve it before releasing" in _error_line(result)
    result = _run("approve", plan_dir, "SO-0000")
    assert result.exit_code == 2
    assert "unknown order id(s) 'SO-0000'" in _error_line(result)
    result = _run("export", plan_dir, "--format", "b2mml-xml", "--since", "9", "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert "version 9" in _error_line(result)
    result = _run("export", tmp_path / "nothing", "--format", "csv", "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert "no plan at" in _error_line(result)
    assert PlanStore(plan_dir).current() == bike_plan


def test_dispatch_command(plan_dir, bike_plan):
    """Tests that `planner dispatch` sends the released job orders of one machine to a real controller."""
    first = bike_plan.orders[0].id
    assert _run("approve", plan_dir, first).exit_code == 0
    assert _run("release", plan_dir, first).exit_code == 0
    machine = bike_plan.orders[0].operations[0].machine
    ready = threading.Event()
    stop = threading.Event()
    holder: dict = {}

    def serve() -> None:
        async def main_() -> None:
            async with FakeController([m.id for m in bike_plan.machines]) as controller:
                holder["c"] = controller
                holder["loop"] = asyncio.get_running_loop()
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.05)

        asyncio.run(main_())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        assert ready.wait(120)
        controller = holder["c"]
        result = _run("dispatch", plan_dir, "--endpoint", controller.endpoint, "--machine", machine)
        assert result.exit_code == 0, result.output
        assert f"{machine}: 1 stored" in result.output
        assert controller.held_ids(machine) == [bike_plan.orders[0].operations[0].id]
        assert all(not controller.held_ids(m.id) for m in bike_plan.machines if m.id != machine)
        result = _run("dispatch", plan_dir, "--endpoint", controller.endpoint, "--machine", "LATHE-9")
        assert result.exit_code == 2
        assert "unknown machine" in _error_line(result)
        # the saw finishes the job order 10 minutes late; --collect records it, then dispatches that version
        op = bike_plan.orders[0].operations[0]
        late = bike_plan.datetime_at(op.end + 10)
        finish = controller.finish(machine, op.id, bike_plan.datetime_at(op.start), late, 1.0)
        asyncio.run_coroutine_threadsafe(finish, holder["loop"]).result(30)
        result = _run(
            "dispatch", plan_dir, "--endpoint", controller.endpoint, "--machine", machine, "--collect"
        )
        assert result.exit_code == 0, result.output
        assert "1 job responses recorded; plan version 4" in result.output
        done = PlanStore(plan_dir).current().order(bike_plan.orders[0].id).operations[0]
        assert (done.state, done.end, done.quantity_done) == ("completed", op.end + 10, 1.0)
        assert f"{machine}: 1 cleared" in result.output  # then dispatched: the ended job order is cleared
        assert controller.held_ids(machine) == []
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
