"""Tests of re-planning a living plan: pins by state, breakdowns, actuals, cancellations, rush orders."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.exceptions import ValidationError
from planner.interchange.b2mml import operations_schedule_document, read_schedule
from planner.interchange.validate import validate_json
from planner.planning.lifecycle import Actual, approve, release
from planner.planning.plan import Plan, plan_from_schedule
from planner.planning.replan import (
    INSTANCE_FILE,
    PLANT_FILE,
    SCHEDULE_FILE,
    CancelOrder,
    MachineDown,
    RushOrderRequest,
    load_schedule_files,
    replan,
    write_schedule_files,
)
from planner.planning.versions import PlanStore
from planner.scheduling import Job, Machine, Mode, Objective, Operation, ProblemData, check_solution, solve

from .conftest import SMALL_PLANT

MACHINES = ("SAW", "CNC-1", "CNC-2", "PAINT")


def _problem() -> ProblemData:
    """Six orders of three steps (saw, one of two mills, paint) on the small plant's machine names."""
    jobs = []
    for k in range(6):
        ops = (
            Operation((Mode(0, 10 + k),), name="cut"),
            Operation((Mode(1, 30), Mode(2, 36)), name="mill"),
            Operation((Mode(3, 20),), name="paint"),
        )
        jobs.append(Job(ops, name=f"PO-{k + 1}", due=150 + 20 * k, family=k % 2))
    return ProblemData(
        tuple(Machine(name) for name in MACHINES),
        tuple(jobs),
        num_families=2,
        family_names=("white", "black"),
        objective=Objective(makespan=1, tardiness=1),
        name="tiny",
        time_unit="min",
        time_origin="2026-12-07T06:00:00+01:00",
    )


@pytest.fixture(scope="module")
def solved() -> tuple[ProblemData, Plan, object]:
    data = _problem()
    result = solve(data, time_limit=2.0, num_workers=1, seed=1)
    assert result.schedule is not None
    return data, plan_from_schedule(data, result.schedule, plan_id="tiny"), result.schedule


@pytest.fixture()
def plan_dir(tmp_path: Path, solved) -> Path:
    """A plan folder of the tiny problem with its scheduling files and the small plant (for rush orders)."""
    data, plan, schedule = solved
    out = tmp_path / "plan"
    plan.write(out)
    write_schedule_files(out, data, schedule, plan)
    shutil.copy(SMALL_PLANT, out / PLANT_FILE)
    return out


def _released(plan_dir: Path, orders: list[str]) -> Plan:
    store = PlanStore(plan_dir)
    return store.commit(release(approve(store.current(), orders), orders))


def _places(plan: Plan) -> dict[str, tuple[str, int, int]]:
    return {op.id: (op.machine, op.start, op.end) for _, op in plan.operations()}


def _check_stored(plan_dir: Path, plan: Plan) -> None:
    """The stored scheduling files describe ``plan``'s live work and pass the checker."""
    data, schedule, doc = load_schedule_files(plan_dir)
    assert doc["version"] == plan.version
    assert check_solution(data, schedule).ok
    places = _places(plan)
    for job in doc["jobs"]:
        for op in job["operations"]:
            machine, start, end = places[op["id"]]
            assert (data.machine_name(op["machine"]), op["start"], op["end"]) == (machine, start, end)


def test_plan_folder_of_the_pipeline_keeps_the_scheduling_problem(tmp_path, small_plant, history):
    """Tests that `write_plan_outputs` stores the instance, the id mapping and the plant next to plan.json."""
    from planner.planning.pipeline import make_plan
    from planner.planning.report import write_plan_outputs

    from .conftest import FAST

    result = make_plan(small_plant, history, (), replace(FAST, time_limit=1.0, lot_time_limit=2.0))
    files = write_plan_outputs(result, tmp_path / "p")
    for name in (INSTANCE_FILE, SCHEDULE_FILE, PLANT_FILE):
        assert (tmp_path / "p" / name).exists()
    assert files["instance"] == tmp_path / "p" / INSTANCE_FILE
    _check_stored(tmp_path / "p", result.plan)


def test_breakdown_keeps_released_and_running_work_and_publishes_only_moves(plan_dir):
    """Tests that a breakdown re-plan moves no running operation and no released one outside the breakdown,
    that released work the breakdown meets is moved off it, and that the Change document lists exactly the
    operations that moved."""
    before = _released(plan_dir, ["PO-1", "PO-2"])
    places = _places(before)
    first = min((op for _, op in before.operations()), key=lambda op: (op.start, op.id))
    now = first.start + 1
    # the first operation is running; the paint machine breaks down over the middle of the plan
    running = Actual(first.id.split("/")[0], first.id, first.machine, first.start)
    paint = sorted((op for _, op in before.operations() if op.machine == "PAINT"), key=lambda op: op.start)
    down = (paint[1].start, paint[1].start + 25)
    result = replan(
        plan_dir,
        [MachineDown("PAINT", *down), MachineDown(first.machine, now, first.end)],
        now=now,
        actuals=[running],
        time_limit=2.0,
        num_workers=1,
    )
    new = result.plan
    assert new.version == before.version + 1 and new.previous_version == before.version
    assert _places(new)[first.id] == places[first.id]  # running work stays, even on the broken machine
    assert result.dropped_breakdowns == ((first.machine, (now, first.end), None),)
    for order, op in new.operations():
        old = places[op.id]
        if order.state == "released" and op.id != first.id:
            overlaps = op.machine == "PAINT" and old[1] < down[1] and down[0] < old[2]
            if overlaps:
                assert not (op.start < down[1] and down[0] < op.end)  # moved off the breakdown
            elif op.start >= now:
                pred_moved = any(m.order == order.id and m.operation < op.id for m in result.diff.moved)
                if not pred_moved:
                    assert _places(new)[op.id] == old, op.id
        if op.machine == "PAINT" and op.state != "cancelled":
            assert not (op.start < down[1] and down[0] < op.end)
    moved = {op.id for _, op in new.operations() if _places(new)[op.id] != places[op.id]}
    assert moved == {m.operation for m in result.diff.moved}
    doc = operations_schedule_document(new, "Change", previous=before)
    assert doc is not None
    validate_json(doc, "ChangeOperationsSchedule")
    published = set(read_schedule(doc, new))
    restated = {r.operation for r in result.diff.restated}
    assert published - restated == moved
    assert first.id in restated  # it became running; its place did not change
    _check_stored(plan_dir, new)


def test_late_finish_pushes_the_successors_and_nothing_before(plan_dir):
    """Tests that an operation reported finished late moves its successors (routing and machine) later through
    the rescheduler and that nothing before it (done by its start, or elsewhere by the late finish) moves."""
    before = PlanStore(plan_dir).current()
    order = max(before.orders, key=lambda o: o.operations[1].start)
    op, succ = order.operations[1], order.operations[2]
    late_end = succ.start + 20
    result = replan(
        plan_dir,
        now=late_end,
        actuals=[Actual(order.id, op.id, op.machine, op.start, late_end, quantity_done=1.0)],
        time_limit=2.0,
        num_workers=1,
    )
    new = result.plan
    new_op = next(o for _, o in new.operations() if o.id == op.id)
    assert (new_op.start, new_op.end, new_op.state) == (op.start, late_end, "completed")
    assert new.order(order.id).quantity_done == 0.0  # only the last step yields the item
    assert next(o for _, o in new.operations() if o.id == succ.id).start >= late_end
    assert succ.id in {m.operation for m in result.diff.moved}
    places = _places(new)
    kept = 0
    for other_order, other in before.operations():
        if other_order.id == order.id and other.sequence >= op.sequence:
            continue  # the late operation and its routing successors
        # before it: done by its start, or on another machine and done by the late finish (= now)
        if other.end <= op.start or (other.machine != op.machine and other.end <= late_end):
            assert places[other.id] == (other.machine, other.start, other.end), other.id
            kept += 1
    assert kept
    _check_stored(plan_dir, new)


def test_cancelled_order_ends_cancelled_and_leaves_the_machines(plan_dir):
    """Tests that a cancelled order and its operations end cancelled and its work leaves the schedule."""
    before = PlanStore(plan_dir).current()
    victim = max(before.orders, key=lambda o: o.start or 0).id
    result = replan(plan_dir, [CancelOrder(victim)], now=0, time_limit=2.0, num_workers=1)
    order = result.plan.order(victim)
    assert order.state == "cancelled"
    assert {op.state for op in order.operations} == {"cancelled"}
    assert set(result.diff.cancelled) == {op.id for op in order.operations}
    _, _, doc = load_schedule_files(plan_dir)
    assert victim not in {job["order"] for job in doc["jobs"]}
    assert all(
        o.id != victim
        for machine in result.plan.by_machine().values()
        for o, op in machine
        if op.state != "cancelled"
    )
    # and a later re-plan keeps it out
    again = replan(plan_dir, [], now=1, time_limit=1.0, num_workers=1)
    assert again.plan.order(victim).state == "cancelled"


def test_rush_order_becomes_a_proposed_order_after_now(plan_dir):
    """Tests that a rush order gets the plant's routing, is proposed and starts no earlier than now."""
    now = 40
    result = replan(
        plan_dir,
        [RushOrderRequest("RUSH-1", "FRAME", 2, due="2026-12-07T10:00:00+01:00", priority=5)],
        now=now,
        time_limit=2.0,
        num_workers=1,
    )
    rush = result.plan.order("RUSH-1")
    assert rush.state == "proposed" and rush.kind == "customer" and rush.due == 240
    assert [op.name for op in rush.operations] == ["cut", "mill", "paint"]
    assert all(op.start >= now and op.state == "proposed" for op in rush.operations)
    assert set(result.diff.added) == {op.id for op in rush.operations}
    _check_stored(plan_dir, result.plan)


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (MachineDown("OVEN", 10, 20), "events[0].machine"),
        (MachineDown("SAW", 30, 20), "events[0].end"),
        (CancelOrder("PO-99"), "events[0].order"),
        (RushOrderRequest("PO-1", "FRAME", 1), "events[0].order"),
        (RushOrderRequest("R", "TUBE", 1), "events[0].item"),
    ],
)
def test_bad_events_name_the_field_and_store_nothing(plan_dir, event, field):
    """Tests that bad events raise an error naming the field and leave the plan directory as it was."""
    before = (plan_dir / "plan.json").read_text()
    with pytest.raises(ValidationError) as info:
        replan(plan_dir, [event], now=0, time_limit=1.0)
    assert field in str(info.value)
    assert (plan_dir / "plan.json").read_text() == before


def test_replan_command_prints_moves_and_the_new_version(plan_dir, tmp_path):
    """Tests that `planner replan` stores the next version and prints what moved; bad input exits 2."""
    rush = tmp_path / "rush.csv"
    rush.write_text("order_id,product,quantity,due\nRUSH-9,BRACKET,3,2026-12-07T12:00:00+01:00\n")
    runner = CliRunner()
    args = ["replan", str(plan_dir), "--breakdown", "PAINT,60,100", "--rush", str(rush), "--now", "5"]
    result = runner.invoke(main, [*args, "--time-limit", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert "RUSH-9" in result.output
    assert PlanStore(plan_dir).current().version == 2
    bad = runner.invoke(main, ["replan", str(plan_dir), "--breakdown", "OVEN,1,2", "--now", "5"])
    assert bad.exit_code == 2
    assert "OVEN" in bad.output
    assert PlanStore(plan_dir).current().version == 2


def test_actuals_command_reschedules_on_request(plan_dir, tmp_path):
    """Tests that `planner actuals --reschedule` re-plans the remaining work through the rescheduler."""
    before = PlanStore(plan_dir).current()
    order = before.orders[0]
    op, succ = order.operations[0], order.operations[1]
    path = tmp_path / "actuals.csv"
    late = succ.start + 15
    start, end = before.datetime_at(op.start).isoformat(), before.datetime_at(late).isoformat()
    path.write_text(
        "order,operation,machine,actual_start,actual_end,quantity_done,scrap\n"
        f"{order.id},{op.id},{op.machine},{start},{end},1,0\n"
    )
    result = CliRunner().invoke(
        main, ["actuals", str(path), "--plan", str(plan_dir), "--reschedule", "--time-limit", "1"]
    )
    assert result.exit_code == 0, result.output
    new = PlanStore(plan_dir).current()
    assert json.loads((plan_dir / SCHEDULE_FILE).read_text())["version"] == new.version
    assert next(o for _, o in new.operations() if o.id == succ.id).start >= late


def test_actual_on_another_eligible_machine_stays_where_it_ran(plan_dir):
    """Tests that an operation reported done on another eligible machine than planned is kept there, with its
    actual times, and that the rest is re-planned around it (the stored schedule passes the checker)."""
    before = PlanStore(plan_dir).current()
    order = min(before.orders, key=lambda o: o.operations[1].start)
    mill = order.operations[1]
    other = "CNC-2" if mill.machine == "CNC-1" else "CNC-1"
    end = mill.start + 40
    result = replan(
        plan_dir,
        now=end,
        actuals=[Actual(order.id, mill.id, other, mill.start, end)],
        time_limit=2.0,
        num_workers=1,
    )
    new_mill = next(o for _, o in result.plan.operations() if o.id == mill.id)
    assert (new_mill.machine, new_mill.start, new_mill.end, new_mill.state) == (
        other,
        mill.start,
        end,
        "completed",
    )
    for _, op in result.plan.operations():
        if op.machine == other and op.id != mill.id:
            assert op.end <= mill.start or op.start >= end, op.id  # nothing else overlaps where it ran
    _check_stored(plan_dir, result.plan)


def test_actual_on_a_machine_the_operation_cannot_use_is_refused(plan_dir):
    """Tests that an actual on a machine that is not eligible for the operation is refused, naming it."""
    before = PlanStore(plan_dir).current()
    order = before.orders[0]
    mill = order.operations[1]
    with pytest.raises(ValidationError, match="PAINT"):
        replan(
            plan_dir,
            now=mill.start + 40,
            actuals=[Actual(order.id, mill.id, "PAINT", mill.start, mill.start + 40)],
            time_limit=1.0,
            num_workers=1,
        )
    assert PlanStore(plan_dir).current().version == before.version
