"""Tests of the plan lifecycle: approve and release with clear errors, actuals that move the plan."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from planner.exceptions import ValidationError
from planner.planning import Plan
from planner.planning.lifecycle import (
    Actual,
    LifecycleError,
    apply_actuals,
    approve,
    can_change,
    cancel,
    release,
    transition,
)


def _check_sequences(plan: Plan) -> None:
    """An independent check: routing order holds and no two operations overlap on a machine."""
    per_machine = defaultdict(list)
    for order in plan.orders:
        for a, b in zip(order.operations, order.operations[1:], strict=False):
            assert a.end <= b.start, (a.id, b.id)
        for op in order.operations:
            per_machine[op.machine].append(op)
    for ops in per_machine.values():
        ops.sort(key=lambda op: op.start)
        for a, b in itertools.pairwise(ops):
            assert a.end <= b.start, (a.id, b.id)


def test_transitions():
    """Tests the lifecycle's legal and illegal state changes."""
    assert can_change("proposed", "approved")
    assert can_change("approved", "released")
    assert can_change("released", "running")
    assert can_change("running", "completed")
    assert can_change("completed", "closed")
    assert can_change("running", "cancelled")
    assert not can_change("proposed", "released")
    assert not can_change("completed", "cancelled")
    assert not can_change("closed", "proposed")
    assert not can_change("cancelled", "approved")


def test_approve_then_release_moves_orders_and_operations(bike_plan):
    """Tests that approving and releasing orders moves them and their operations along."""
    ids = [bike_plan.orders[0].id, bike_plan.orders[3].id]
    approved = approve(bike_plan, ids)
    released = release(approved, ids)
    for order in released.orders:
        want = "released" if order.id in ids else "proposed"
        assert order.state == want
        assert {op.state for op in order.operations} == {want}
    assert all(o.state == "proposed" for o in bike_plan.orders)  # the input is untouched


def test_illegal_transitions_name_order_and_states(bike_plan):
    """Tests that releasing a proposed order, re-approving and unknown ids are clear errors."""
    first = bike_plan.orders[0].id
    with pytest.raises(LifecycleError, match=f"order '{first}' is proposed; approve it before releasing"):
        release(bike_plan, [first])
    approved = approve(bike_plan, [first])
    with pytest.raises(LifecycleError, match=f"order '{first}' is approved; it cannot become approved"):
        approve(approved, [first])
    with pytest.raises(LifecycleError, match="unknown order id"):
        approve(bike_plan, ["SO-9999"])
    with pytest.raises(LifecycleError, match="no order ids"):
        approve(bike_plan, [])
    done = cancel(bike_plan, [first])
    with pytest.raises(LifecycleError, match="cancelled; it cannot become released"):
        transition(done, [first], "released")


def test_late_finish_pushes_successors_and_nothing_before(released_plan):
    """Tests that an operation reported finished late pushes its successors, and nothing before it moves."""
    ops = {op.id: (order, op) for order, op in released_plan.operations()}
    # a middle operation of a long order, on the weld cell
    order = max(released_plan.orders, key=lambda o: len(o.operations))
    late, successor = order.operations[2], order.operations[3]
    delay = successor.start - late.end + 60  # finishes an hour after its successor was to start
    actual = Actual(order.id, late.id, late.machine, late.start, late.end + delay, quantity_done=1.0)
    now = late.end + delay
    after = apply_actuals(released_plan, [actual], now)
    new = {op.id: op for _, op in after.operations()}
    assert new[late.id].end == late.end + delay
    assert new[late.id].state == "completed"
    assert new[successor.id].start >= late.end + delay > successor.start
    for op_id, (_, op) in ops.items():
        if op.start < late.end and op_id != late.id:
            assert (new[op_id].start, new[op_id].end, new[op_id].machine) == (op.start, op.end, op.machine), (
                op_id
            )
        assert new[op_id].start >= op.start  # nothing moves earlier
        assert new[op_id].end - new[op_id].start == op.end - op.start or op_id == late.id
    _check_sequences(after)
    assert after.order(order.id).state == "running"


def test_actuals_record_machine_quantities_and_states(released_plan):
    """Tests that actuals record the machine used, the quantity done, and the order's state."""
    order = released_plan.orders[0]
    actuals = [
        Actual(order.id, op.id, op.machine, op.start, op.end, quantity_done=order.quantity, scrap=0.0)
        for op in order.operations
    ]
    other = released_plan.orders[1]
    frame = other.operations[1]
    spare = "CNC-B" if frame.machine == "CNC-A" else "CNC-A"
    actuals.append(Actual(other.id, frame.id, spare, frame.start))  # running on the other mill
    after = apply_actuals(released_plan, actuals, now=frame.start + 5)
    assert after.order(order.id).state == "completed"
    assert after.order(order.id).quantity_left == 0
    moved = next(op for op in after.order(other.id).operations if op.id == frame.id)
    assert (moved.machine, moved.state) == (spare, "running")
    assert after.order(other.id).state == "running"


def test_running_work_ends_no_earlier_than_now(released_plan):
    """Tests that an operation still running at ``now`` after its planned end is extended to ``now``."""
    order = released_plan.orders[0]
    op = order.operations[0]
    after = apply_actuals(released_plan, [Actual(order.id, op.id, op.machine, op.start)], now=op.end + 30)
    assert after.order(order.id).operations[0].end == op.end + 30


def test_bad_actuals_change_nothing(released_plan):
    """Tests that actuals with unknown ids or machines are rejected naming the field."""
    op = released_plan.orders[0].operations[0]
    with pytest.raises(ValidationError, match=r"actuals\[0\]\.machine: unknown machine 'LATHE'"):
        apply_actuals(released_plan, [Actual(released_plan.orders[0].id, op.id, "LATHE", 0, 5)], 5)
    with pytest.raises(ValidationError, match="unknown operation"):
        apply_actuals(released_plan, [Actual("SO-1", "SO-1/999", op.machine, 0, 5)], 5)
    with pytest.raises(ValidationError, match="end: must be >= start"):
        Actual("SO-1", "SO-1/010", "SAW-01", 10, 5)
    with pytest.raises(ValidationError, match="quantity_done: must be a number >= 0"):
        Actual("SO-1", "SO-1/010", "SAW-01", 0, 5, quantity_done=-1)


def test_reschedule_seam(released_plan):
    """Tests that apply_actuals hands the shifted plan and ``now`` to a rescheduler when given one."""
    seen = []

    def reschedule(plan, now):
        seen.append((plan.version, now))
        return plan.replace(kpis={"rescheduled_at": now})

    op = released_plan.orders[0].operations[0]
    after = apply_actuals(
        released_plan,
        [Actual(released_plan.orders[0].id, op.id, op.machine, op.start)],
        7,
        reschedule=reschedule,
    )
    assert seen == [(released_plan.version, 7)]
    assert after.kpis == {"rescheduled_at": 7}
