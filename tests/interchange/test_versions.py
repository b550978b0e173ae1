"""Tests of plan versions: differences between versions and the store in a plan directory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.exceptions import ValidationError
from planner.planning import PINNED_STATES
from planner.planning.lifecycle import approve, cancel, release
from planner.planning.versions import PlanStore, diff_plans


def test_diff_of_a_replan(released_plan, replanned):
    """Tests that the difference lists exactly what moved, with old and new machine and times, no pinned work."""
    diff = diff_plans(released_plan, replanned)
    before = {op.id: op for _, op in released_plan.operations()}
    after = {op.id: op for _, op in replanned.operations()}
    expected = {
        i
        for i in after
        if (after[i].machine, after[i].start, after[i].end)
        != (before[i].machine, before[i].start, before[i].end)
    }
    assert {m.operation for m in diff.moved} == expected
    for move in diff.moved:
        assert (move.old_machine, move.old_start, move.old_end) == (
            before[move.operation].machine,
            before[move.operation].start,
            before[move.operation].end,
        )
        assert (move.new_machine, move.new_start, move.new_end) == (
            after[move.operation].machine,
            after[move.operation].start,
            after[move.operation].end,
        )
        assert before[move.operation].state not in PINNED_STATES
    assert not diff.added and not diff.cancelled and not diff.restated
    assert (diff.old_version, diff.new_version) == (released_plan.version, replanned.version)


def test_diff_added_cancelled_restated(bike_plan):
    """Tests that added, cancelled and released operations are reported as such."""
    first, second = bike_plan.orders[0], bike_plan.orders[1]
    extra = replace(
        bike_plan.orders[2],
        id="SO-NEW",
        operations=tuple(
            replace(op, id=op.id.replace(bike_plan.orders[2].id, "SO-NEW"))
            for op in bike_plan.orders[2].operations
        ),
    )
    new = release(approve(bike_plan, [first.id]), [first.id])
    new = cancel(new, [second.id])
    new = new.replace(orders=(*new.orders, extra), version=2)
    diff = diff_plans(bike_plan, new)
    assert {r.operation for r in diff.restated} == {op.id for op in first.operations}
    assert {r.new_state for r in diff.restated} == {"released"}
    assert set(diff.cancelled) == {op.id for op in second.operations}
    assert set(diff.added) == {op.id for op in extra.operations}
    assert not diff.moved
    dropped = new.replace(orders=new.orders[1:])
    assert set(diff_plans(new, dropped).cancelled) == {op.id for op in first.operations}


def test_store_keeps_every_version(bike_plan, tmp_path):
    """Tests that the plan store keeps versions in versions/plan.vN.json and plan.json as the current one."""
    store = PlanStore(tmp_path)
    bike_plan.write(tmp_path)  # a plan directory as the planning pipeline writes it
    v2 = store.commit(approve(bike_plan, [bike_plan.orders[0].id]))
    assert v2.version == 2 and v2.previous_version == 1
    assert (tmp_path / "versions" / "plan.v1.json").exists()
    assert (tmp_path / "versions" / "plan.v2.json").exists()
    assert store.versions() == [1, 2]
    assert store.load(1) == bike_plan
    assert store.current() == v2 == store.load(2)
    with pytest.raises(ValidationError, match=r"version 7 .* is not stored"):
        store.load(7)
    with pytest.raises(ValidationError, match="already stored and differs"):
        store.save(bike_plan.replace(version=2))


def test_store_refuses_another_plan(bike_plan, tmp_path):
    """Tests that a plan directory holds versions of one plan only."""
    store = PlanStore(tmp_path)
    store.save(bike_plan)
    with pytest.raises(ValidationError, match="holds plan"):
        store.save(bike_plan.replace(plan_id="other", version=2))
