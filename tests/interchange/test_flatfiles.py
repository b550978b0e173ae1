"""Tests of the flat CSV files for ERPs."""

from __future__ import annotations

import csv
from datetime import datetime

from planner.interchange.flatfiles import write_changes_csv, write_csv
from planner.planning import InventoryTarget, PurchaseOrder
from planner.planning.versions import diff_plans


def _rows(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_flat_files(released_plan, tmp_path):
    """Tests that orders, operations, purchases and inventory targets are written with their columns."""
    plan = released_plan.replace(
        purchases=(PurchaseOrder("PO-1", "TUBE-SET", 40.0, due=1440, order_by=0),),
        inventory=(InventoryTarget("city", 0, 0, 1440, produce=5, inventory=2, demand=3),),
    )
    paths = write_csv(plan, tmp_path)
    assert [p.name for p in paths] == [
        "production_orders.csv",
        "operations.csv",
        "purchase_orders.csv",
        "inventory_targets.csv",
    ]
    orders = _rows(paths[0])
    assert [r["reference"] for r in orders] == [o.id for o in plan.orders]
    first = plan.orders[0]
    assert orders[0]["status"] == first.state
    assert datetime.fromisoformat(orders[0]["start"]) == plan.datetime_at(first.start)
    ops = _rows(paths[1])
    assert len(ops) == sum(len(o.operations) for o in plan.orders)
    assert {r["machine"] for r in ops} <= {m.id for m in plan.machines}
    with_setup = next(r for r, (_, op) in zip(ops, plan.operations(), strict=True) if op.setup)
    assert with_setup["setup"].startswith("PT")
    assert _rows(paths[2]) == [
        {
            "reference": "PO-1",
            "item": "TUBE-SET",
            "quantity": "40",
            "order_by": plan.datetime_at(0).isoformat(),
            "due": plan.datetime_at(1440).isoformat(),
            "period": "",
        }
    ]
    assert _rows(paths[3])[0]["produce"] == "5"


def test_changes_file(released_plan, replanned, tmp_path):
    """Tests that changes.csv lists the moved operations with old and new machine and times."""
    diff = diff_plans(released_plan, replanned)
    rows = _rows(write_changes_csv(released_plan, replanned, diff, tmp_path))
    assert {r["operation"] for r in rows} == {m.operation for m in diff.moved}
    assert {r["change"] for r in rows} == {"moved"}
    move = diff.moved[0]
    row = next(r for r in rows if r["operation"] == move.operation)
    assert datetime.fromisoformat(row["new_start"]) == replanned.datetime_at(move.new_start)
    assert datetime.fromisoformat(row["old_start"]) == released_plan.datetime_at(move.old_start)
