"""Tests of OPC UA dispatch against a real asyncua server implementing ISA-95 Job Control receivers."""

from __future__ import annotations

import asyncio

import pytest

from planner.interchange.opcua import (
    DispatchError,
    collect_actuals,
    dispatch,
    held_job_orders,
    released_order,
)
from planner.planning import PINNED_STATES, Plan
from planner.planning.lifecycle import apply_actuals, approve, cancel, release

from .fake_controller import FakeController, free_port


def _assert_holds_released(controller: FakeController, plan: Plan) -> None:
    for machine in (m.id for m in plan.machines):
        assert controller.held_ids(machine) == released_order(plan, machine), machine
        starts = [h.order.StartTime for h in controller.receivers[machine].jobs]
        assert starts == sorted(starts), machine


def test_controller_holds_exactly_the_released_job_orders(released_plan, replanned):
    """Tests dispatch after a plan, after a re-plan (withdrawn, new, running work) and after actuals."""
    # the re-plan cancels one released order and releases one more
    withdrawn = next(o for o in replanned.orders if o.state == "released" and o.id != replanned.orders[0].id)
    extra = next(o for o in replanned.orders if o.state == "proposed")
    v2 = cancel(replanned, [withdrawn.id])
    v2 = release(approve(v2, [extra.id]), [extra.id])

    async def scenario() -> None:
        async with FakeController([m.id for m in released_plan.machines]) as controller:
            # 1. the first plan
            report = await dispatch(released_plan, controller.endpoint, timeout=10)
            _assert_holds_released(controller, released_plan)
            assert sum(len(m.stored) for m in report.machines.values()) == sum(
                1 for _, op in released_plan.operations() if op.state in PINNED_STATES
            )
            again = await dispatch(released_plan, controller.endpoint, timeout=10)
            assert all(not (m.stored or m.updated or m.cancelled) for m in again.machines.values())

            # the machine starts one job order of the order the re-plan will withdraw
            running_op = withdrawn.operations[0]
            held = controller.receivers[running_op.machine].find(running_op.id)
            held.state = "Running"
            await controller._publish(controller.receivers[running_op.machine])

            # 2. the re-plan
            report = await dispatch(v2, controller.endpoint, timeout=10)
            _assert_holds_released(controller, v2)
            aborted = {j for m in report.machines.values() for j in m.aborted}
            cancelled = {j for m in report.machines.values() for j in m.cancelled}
            assert aborted == {running_op.id}
            assert {op.id for op in withdrawn.operations} - {running_op.id} <= cancelled
            assert ("Abort", running_op.id) in controller.receivers[running_op.machine].calls
            assert {op.id for op in extra.operations} <= {
                j for m in report.machines.values() for j in m.stored
            }

            # 3. a machine finishes a job order late: its response comes back as an actual
            order = v2.orders[0]
            first = next(op for op in order.operations if op.state in PINNED_STATES)
            late_end = first.end + 120
            await controller.finish(
                first.machine, first.id, v2.datetime_at(first.start), v2.datetime_at(late_end), order.quantity
            )
            actuals = await collect_actuals(v2, controller.endpoint, timeout=10)
            assert [(a.operation, a.machine, a.start, a.end, a.quantity_done) for a in actuals] == [
                (first.id, first.machine, first.start, late_end, order.quantity)
            ]
            v3 = apply_actuals(v2, actuals, late_end)
            report = await dispatch(v3, controller.endpoint, timeout=10)
            _assert_holds_released(controller, v3)
            assert first.id in report.machines[first.machine].cleared
            updated = {j for m in report.machines.values() for j in m.updated}
            moved = {
                b.id
                for (_, a), (_, b) in zip(v2.operations(), v3.operations(), strict=True)
                if a.start != b.start and b.state == "released"
            }
            assert moved and updated == moved

            listed = await held_job_orders(controller.endpoint, timeout=10)
            assert {m: [j.id for j in jobs] for m, jobs in listed.items()} == {
                m.id: released_order(v3, m.id) for m in v3.machines
            }

            with pytest.raises(DispatchError, match="unknown machine"):
                await dispatch(v3, controller.endpoint, machines=["LATHE-9"], timeout=10)

    asyncio.run(asyncio.wait_for(scenario(), timeout=180))


def test_unreachable_controller_is_a_clear_error(released_plan):
    """Tests that a controller that does not answer is one clear error, not a hang."""
    endpoint = f"opc.tcp://127.0.0.1:{free_port()}/nobody/"
    with pytest.raises(DispatchError, match="cannot connect"):
        asyncio.run(asyncio.wait_for(dispatch(released_plan, endpoint, timeout=2), timeout=30))


def test_a_line_receiver_gets_the_job_orders_of_its_machines(released_plan):
    """Tests that one receiver serving a line holds its machines' job orders merged in start order."""
    line = ["ASSY-1", "ASSY-2"]

    async def scenario() -> None:
        async with FakeController(["SAW-01"], lines={"ASSY-LINE": line}) as controller:
            await dispatch(released_plan, controller.endpoint, machines=["ASSY-1"], timeout=10)
            assert controller.held_ids("ASSY-LINE") == released_order(released_plan, "ASSY-1")
            report = await dispatch(released_plan, controller.endpoint, timeout=10)
            assert set(report.machines) == {"SAW-01", "ASSY-1+ASSY-2"}
            merged = sorted(
                (
                    op
                    for _, op in released_plan.operations()
                    if op.machine in line and op.state in PINNED_STATES
                ),
                key=lambda op: (op.start, op.end, op.id),
            )
            assert controller.held_ids("ASSY-LINE") == [op.id for op in merged]
            assert controller.held_ids("SAW-01") == released_order(released_plan, "SAW-01")
            # withdrawing an order on ASSY-1 alone leaves ASSY-2's job orders where they are
            victim = next(op for op in merged if op.machine == "ASSY-1")
            order = next(o for o, op in released_plan.operations() if op.id == victim.id)
            v2 = cancel(released_plan, [order.id])
            await dispatch(v2, controller.endpoint, machines=["ASSY-1"], timeout=10)
            withdrawn = {o.id for o in order.operations if o.machine == "ASSY-1"}
            assert controller.held_ids("ASSY-LINE") == [op.id for op in merged if op.id not in withdrawn]
            await dispatch(v2, controller.endpoint, timeout=10)  # now the whole line
            assert controller.held_ids("ASSY-LINE") == [
                op.id for op in merged if op.id not in {o.id for o in order.operations}
            ]

    asyncio.run(asyncio.wait_for(scenario(), timeout=180))
