"""The plan as flat CSV files for ERPs that import them, and actuals from a CSV file.

Files written by :func:`write_csv` (times are ISO 8601 with the plan's UTC offset):

- ``production_orders.csv``: reference, item, quantity, status, start, end, due, priority, kind;
- ``operations.csv``: order, operation, sequence, name, machine, setup (ISO 8601 duration), start, end,
  duration (ISO 8601), status;
- ``purchase_orders.csv``: reference, item, quantity, order_by, due, period;
- ``inventory_targets.csv``: item, period, period_start, period_end, produce, inventory, backlog,
  safety_stock, demand.

:func:`write_changes_csv` writes what changed since an earlier version (``changes.csv``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from planner.interchange.b2mml import iso_duration
from planner.interchange.errors import DocumentError
from planner.planning.lifecycle import Actual
from planner.planning.plan import Plan
from planner.planning.versions import PlanDiff

ACTUALS_COLUMNS = ("order", "operation", "machine", "actual_start", "actual_end", "quantity_done", "scrap")
"""Columns of an actuals CSV (``actual_end``, ``quantity_done`` and ``scrap`` may be empty)."""


def _time(plan: Plan, t: int | None) -> str:
    return "" if t is None else plan.datetime_at(t).isoformat()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_csv(plan: Plan, directory: str | Path) -> list[Path]:
    """Write the four flat files of a plan into ``directory``; returns their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    unit = plan.seconds_per_unit
    orders = [
        (
            o.id,
            o.item,
            _num(o.quantity),
            o.state,
            _time(plan, o.start),
            _time(plan, o.end),
            _time(plan, o.due),
            o.priority,
            o.kind,
        )
        for o in plan.orders
    ]
    ops = [
        (
            o.id,
            op.id,
            op.sequence,
            op.name,
            op.machine,
            iso_duration(op.setup * unit),
            _time(plan, op.start),
            _time(plan, op.end),
            iso_duration((op.duration or 0) * unit),
            op.state,
        )
        for o, op in plan.operations()
    ]
    purchases = [
        (
            p.id,
            p.item,
            _num(p.quantity),
            _time(plan, p.order_by),
            _time(plan, p.due),
            "" if p.period is None else p.period,
        )
        for p in plan.purchases
    ]
    targets = [
        (
            t.item,
            t.period,
            _time(plan, t.period_start),
            _time(plan, t.period_end),
            _num(t.produce),
            _num(t.inventory),
            _num(t.backlog),
            _num(t.safety_stock),
            _num(t.demand),
        )
        for t in plan.inventory
    ]
    return [
        _write_rows(
            folder / "production_orders.csv",
            ("reference", "item", "quantity", "status", "start", "end", "due", "priority", "kind"),
            orders,
        ),
        _write_rows(
            folder / "operations.csv",
            (
                "order",
                "operation",
                "sequence",
                "name",
                "machine",
                "setup",
                "start",
                "end",
                "duration",
                "status",
            ),
            ops,
        ),
        _write_rows(
            folder / "purchase_orders.csv",
            ("reference", "item", "quantity", "order_by", "due", "period"),
            purchases,
        ),
        _write_rows(
            folder / "inventory_targets.csv",
            (
                "item",
                "period",
                "period_start",
                "period_end",
                "produce",
                "inventory",
                "backlog",
                "safety_stock",
                "demand",
            ),
            targets,
        ),
    ]


def write_changes_csv(old: Plan, new: Plan, diff: PlanDiff, directory: str | Path) -> Path:
    """Write ``changes.csv``: one row per moved, added, cancelled or restated operation."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    before = {op.id: (o, op) for o, op in old.operations()}
    after = {op.id: (o, op) for o, op in new.operations()}
    rows: list[tuple[object, ...]] = []

    def row(kind: str, op_id: str) -> tuple[object, ...]:
        o_old = before.get(op_id)
        o_new = after.get(op_id)
        order = (o_new or o_old)[0].id  # type: ignore[index]
        old_op = o_old[1] if o_old else None
        new_op = o_new[1] if o_new else None
        return (
            kind,
            order,
            op_id,
            old_op.machine if old_op else "",
            new_op.machine if new_op else "",
            _time(old, old_op.start) if old_op else "",
            _time(new, new_op.start) if new_op else "",
            _time(old, old_op.end) if old_op else "",
            _time(new, new_op.end) if new_op else "",
            old_op.state if old_op else "",
            new_op.state if new_op else "",
        )

    rows += [row("moved", m.operation) for m in diff.moved]
    rows += [row("added", op_id) for op_id in diff.added]
    rows += [row("cancelled", op_id) for op_id in diff.cancelled]
    rows += [row("restated", r.operation) for r in diff.restated]
    return _write_rows(
        folder / "changes.csv",
        (
            "change",
            "order",
            "operation",
            "old_machine",
            "new_machine",
            "old_start",
            "new_start",
            "old_end",
            "new_end",
            "old_status",
            "new_status",
        ),
        rows,
    )


# -- actuals ---------------------------------------------------------------------------------------------


def _parse_time(text: str, plan: Plan, fail: object) -> int:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"not a date and time (ISO 8601) nor a plan time: {text!r}") from None  # type: ignore[operator]
    if moment.tzinfo is None:
        raise fail(f"{text!r} needs a UTC offset (e.g. +01:00 or Z)")  # type: ignore[operator]
    return plan.time_of(moment)


def _parse_quantity(text: str, fail: object) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise fail(f"not a number: {text!r}") from None  # type: ignore[operator]
    if not math.isfinite(value) or value < 0:
        raise fail(f"must be a number >= 0, got {text}")  # type: ignore[operator]
    return value


def read_actuals_csv(path: str | Path, plan: Plan) -> list[Actual]:
    """Actuals from a CSV file with the columns :data:`ACTUALS_COLUMNS` (a header line first).

    Times are ISO 8601 with a UTC offset, or integers in plan time units. ``operation`` is the operation
    id, or its suffix after the order (``020`` for ``SO-1/020``).

    Raises
    ------
    DocumentError
        At the first bad line, naming the line and the column: missing columns, unknown order, operation
        or machine, end before start, negative quantities, bad times.
    """
    label = str(path)
    ops = {op.id: (o, op) for o, op in plan.operations()}
    orders = {o.id for o in plan.orders}
    machines = {m.id for m in plan.machines}
    try:
        handle = Path(path).open(newline="")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise DocumentError(label, "", f"cannot read: {exc.strerror or exc}") from None
    actuals: list[Actual] = []
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in ACTUALS_COLUMNS if c not in header]
        if missing:
            raise DocumentError(
                label, "line 1", f"missing column(s) {', '.join(missing)}; need {ACTUALS_COLUMNS}"
            )
        for row in reader:
            line = reader.line_num

            def fail(message: str, column: str, line: int = line) -> DocumentError:
                return DocumentError(label, f"line {line}, column {column}", message)

            order = (row["order"] or "").strip()
            op_ref = (row["operation"] or "").strip()
            machine = (row["machine"] or "").strip()
            if order not in orders:
                raise fail(f"unknown order {order!r}", "order")
            op_id = op_ref if op_ref in ops else f"{order}/{op_ref}"
            if op_id not in ops:
                raise fail(f"unknown operation {op_ref!r} of order {order!r}", "operation")
            if ops[op_id][0].id != order:
                raise fail(f"operation {op_id!r} belongs to order {ops[op_id][0].id!r}", "operation")
            if machines and machine not in machines:
                raise fail(f"unknown machine {machine!r}", "machine")
            if not (row["actual_start"] or "").strip():
                raise fail("an actual start is required", "actual_start")
            start = _parse_time(row["actual_start"], plan, lambda m: fail(m, "actual_start"))
            end_text = (row["actual_end"] or "").strip()
            end = _parse_time(end_text, plan, lambda m: fail(m, "actual_end")) if end_text else None
            if end is not None and end < start:
                raise fail(
                    f"ends ({end_text}) before it starts ({row['actual_start'].strip()})", "actual_end"
                )
            done = _parse_quantity(row["quantity_done"] or "", lambda m: fail(m, "quantity_done"))
            scrap = _parse_quantity(row["scrap"] or "", lambda m: fail(m, "scrap"))
            actuals.append(Actual(order, op_id, machine, start, end, done, scrap))
    if not actuals:
        raise DocumentError(label, "", "no actuals in the file")
    return actuals


def write_actuals_csv(plan: Plan, actuals: Sequence[Actual], path: str | Path) -> Path:
    """Write actuals as :func:`read_actuals_csv` reads them."""
    rows = [
        (
            a.order,
            a.operation,
            a.machine,
            _time(plan, a.start),
            _time(plan, a.end),
            "" if a.quantity_done is None else _num(a.quantity_done),
            "" if a.scrap is None else _num(a.scrap),
        )
        for a in actuals
    ]
    return _write_rows(Path(path), ACTUALS_COLUMNS, rows)
