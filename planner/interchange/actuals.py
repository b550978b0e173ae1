"""Actuals from the shop floor: B2MML ``OperationsPerformance`` / ``WorkPerformance`` documents and CSV.

What each document element means:

- ``OperationsPerformance/OperationsResponse`` (one per order, ``OperationsRequestID`` = order id) with
  ``SegmentResponse``\\s (``SegmentRequirementID`` = operation id, ``ActualStartTime``, ``ActualEndTime``,
  ``EquipmentActual/EquipmentID`` = machine);
- ``WorkPerformance/WorkResponse/JobResponse`` (``JobOrderID`` = operation id, ``StartTime``, ``EndTime``,
  ``EquipmentActual/EquipmentID`` = machine);
- in both, ``MaterialActual`` with ``MaterialUse`` ``Produced`` is the good quantity done and with
  ``MaterialUse`` ``Other`` and ``OtherValue="Scrap"`` the scrap. No end time means the operation runs.

:func:`read_actuals` reads any of them (XML, JSON or CSV) and checks them against the plan; the first
problem raises one :class:`~planner.interchange.errors.DocumentError` naming the element and line (XML),
the JSON path, or the CSV line and column. Reading never changes a plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.interchange.b2mml import RELEASE_ID, SENDER, Document, _code, _number
from planner.interchange.documents import Node, load_document
from planner.interchange.errors import DocumentError
from planner.planning.lifecycle import Actual
from planner.planning.plan import Plan

PERFORMANCE_DOCUMENTS = ("OperationsPerformance", "WorkPerformance")


def _material_actuals(actual: Actual, item: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if actual.quantity_done is not None:
        rows.append(
            {
                "ID": f"{actual.operation}:Produced:{item}",
                "MaterialDefinitionID": [item],
                "MaterialUse": _code("Produced"),
                "Quantity": [{"QuantityString": _number(actual.quantity_done), "DataType": _code("double")}],
            }
        )
    if actual.scrap is not None:
        rows.append(
            {
                "ID": f"{actual.operation}:Scrap:{item}",
                "MaterialDefinitionID": [item],
                "MaterialUse": _code("Other", "Scrap"),
                "Quantity": [{"QuantityString": _number(actual.scrap), "DataType": _code("double")}],
            }
        )
    return rows


def _equipment_actual(actual: Actual) -> list[dict[str, Any]]:
    return [
        {"ID": f"{actual.operation}:equipment", "EquipmentID": [actual.machine], "EquipmentUse": "Production"}
    ]


def _header(verb: str, noun: str, plan: Plan, created: str | None) -> dict[str, Any]:
    return {
        "@releaseID": RELEASE_ID,
        "ApplicationArea": {
            "Sender": {"LogicalID": "mes", "ComponentID": plan.plant or plan.plan_id},
            "Receiver": [{"LogicalID": SENDER}],
            "CreationDateTime": created or datetime.now(UTC).isoformat(timespec="seconds"),
        },
    }


def operations_performance_document(
    plan: Plan, actuals: Sequence[Actual], created: str | None = None
) -> Document:
    """A ``ProcessOperationsPerformance`` document reporting ``actuals`` (as an MES would send it)."""
    by_order: dict[str, list[Actual]] = {}
    for actual in actuals:
        by_order.setdefault(actual.order, []).append(actual)
    responses = []
    for order_id, rows in by_order.items():
        item = plan.order(order_id).item
        segments = []
        for a in rows:
            seg: dict[str, Any] = {
                "ID": f"{a.operation}:response",
                "ActualStartTime": plan.datetime_at(a.start).isoformat(),
            }
            if a.end is not None:
                seg["ActualEndTime"] = plan.datetime_at(a.end).isoformat()
            seg["OperationsRequestID"] = [order_id]
            seg["SegmentRequirementID"] = [a.operation]
            seg["SegmentState"] = _code("Running" if a.end is None else "Completed")
            seg["EquipmentActual"] = _equipment_actual(a)
            materials = _material_actuals(a, item)
            if materials:
                seg["MaterialActual"] = materials
            segments.append(seg)
        responses.append(
            {"ID": f"{order_id}:response", "OperationsRequestID": [order_id], "SegmentResponse": segments}
        )
    body = {
        "ID": f"{plan.plan_id}:performance",
        "OperationsScheduleID": plan.plan_id,
        "OperationsResponse": responses,
    }
    return {
        "ProcessOperationsPerformance": {
            **_header("Process", "OperationsPerformance", plan, created),
            "DataArea": {"Process": {}, "OperationsPerformance": [body]},
        }
    }


def work_performance_document(plan: Plan, actuals: Sequence[Actual], created: str | None = None) -> Document:
    """A ``ProcessWorkPerformance`` document reporting ``actuals``: one ``WorkResponse`` per machine."""
    by_machine: dict[str, list[Actual]] = {}
    ops = {op.id: o for o, op in plan.operations()}
    for actual in actuals:
        by_machine.setdefault(actual.machine, []).append(actual)
    responses = []
    for machine, rows in by_machine.items():
        jobs = []
        for a in rows:
            job: dict[str, Any] = {
                "ID": f"{a.operation}:response",
                "StartTime": plan.datetime_at(a.start).isoformat(),
            }
            if a.end is not None:
                job["EndTime"] = plan.datetime_at(a.end).isoformat()
            job["JobOrderID"] = a.operation
            job["JobState"] = _code("Running" if a.end is None else "Completed")
            job["EquipmentActual"] = _equipment_actual(a)
            materials = _material_actuals(a, ops[a.operation].item)
            if materials:
                job["MaterialActual"] = materials
            jobs.append(job)
        responses.append({"ID": f"{plan.plan_id}:{machine}:response", "JobResponse": jobs})
    body = {
        "ID": f"{plan.plan_id}:work-performance",
        "WorkScheduleID": plan.plan_id,
        "WorkResponse": responses,
    }
    return {
        "ProcessWorkPerformance": {
            **_header("Process", "WorkPerformance", plan, created),
            "DataArea": {"Process": {}, "WorkPerformance": [body]},
        }
    }


# -- reading ---------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.ops = {op.id: o for o, op in plan.operations()}
        self.orders = {o.id for o in plan.orders}
        self.machines = {m.id for m in plan.machines}

    def order(self, node: Node) -> str:
        order_id = node.value().strip()
        if order_id not in self.orders:
            raise node.fail(
                f"unknown order {order_id!r} (not in plan {self.plan.plan_id!r} v{self.plan.version})"
            )
        return order_id

    def operation(self, node: Node, order_id: str | None) -> tuple[str, str]:
        op_id = node.value().strip()
        if op_id not in self.ops:
            raise node.fail(
                f"unknown operation {op_id!r} (not in plan {self.plan.plan_id!r} v{self.plan.version})"
            )
        owner = self.ops[op_id].id
        if order_id is not None and owner != order_id:
            raise node.fail(f"operation {op_id!r} belongs to order {owner!r}, not {order_id!r}")
        return owner, op_id

    def machine(self, response: Node) -> str:
        equipment = response.child("EquipmentActual")
        if equipment is None:
            raise response.fail(f"{response.name} needs an EquipmentActual naming the machine")
        node = equipment.child("EquipmentID")
        if node is None:
            raise equipment.fail("EquipmentActual needs an EquipmentID (the machine)")
        machine = node.value().strip()
        if self.machines and machine not in self.machines:
            raise node.fail(f"unknown machine {machine!r}")
        return machine

    def quantities(self, response: Node) -> tuple[float | None, float | None]:
        done: float | None = None
        scrap: float | None = None
        for material in response.all("MaterialActual"):
            use_node = material.child("MaterialUse")
            use = use_node.value().strip() if use_node is not None else ""
            other = (use_node.attr("OtherValue") or "").lower() if use_node is not None else ""
            total = 0.0
            for quantity in material.all("Quantity"):
                q = quantity.require("QuantityString")
                value = q.number()
                if value < 0:
                    raise q.fail(f"a quantity must be >= 0, got {q.value().strip()}")
                total += value
            if use == "Produced":
                done = (done or 0.0) + total
            elif use == "Other" and other == "scrap":
                scrap = (scrap or 0.0) + total
        return done, scrap

    def times(self, response: Node, start_name: str, end_name: str) -> tuple[int, int | None]:
        start_node = response.require(start_name)
        start_moment = start_node.moment()
        end_node = response.child(end_name)
        end_moment = end_node.moment() if end_node is not None else None
        if end_node is not None and end_moment is not None and end_moment < start_moment:
            raise end_node.fail(
                f"ends ({end_node.value().strip()}) before it starts ({start_node.value().strip()})"
            )
        start = self.plan.time_of(start_moment)
        end = self.plan.time_of(end_moment) if end_moment is not None else None
        if end is not None and end < start:  # both inside the same time unit
            end = start
        return start, end


def _from_operations_performance(root: Node, check: _Checker) -> list[Actual]:
    actuals = []
    for performance in root.all("OperationsPerformance"):
        for response in performance.all("OperationsResponse"):
            order_nodes = response.all("OperationsRequestID")
            order_id = check.order(order_nodes[0]) if order_nodes else None
            for seg in response.all("SegmentResponse"):
                seg_orders = seg.all("OperationsRequestID")
                seg_order = check.order(seg_orders[0]) if seg_orders else order_id
                op_nodes = seg.all("SegmentRequirementID")
                if not op_nodes:
                    raise seg.fail("SegmentResponse needs a SegmentRequirementID (the operation)")
                owner, op_id = check.operation(op_nodes[0], seg_order)
                machine = check.machine(seg)
                start, end = check.times(seg, "ActualStartTime", "ActualEndTime")
                done, scrap = check.quantities(seg)
                actuals.append(Actual(owner, op_id, machine, start, end, done, scrap))
    return actuals


def _from_work_performance(root: Node, check: _Checker) -> list[Actual]:
    actuals = []
    for performance in root.all("WorkPerformance"):
        for response in performance.all("WorkResponse"):
            for job in response.all("JobResponse"):
                owner, op_id = check.operation(job.require("JobOrderID"), None)
                machine = check.machine(job)
                start, end = check.times(job, "StartTime", "EndTime")
                done, scrap = check.quantities(job)
                actuals.append(Actual(owner, op_id, machine, start, end, done, scrap))
    return actuals


def read_actuals(source: str | Path | Mapping[str, Any], plan: Plan) -> list[Actual]:
    """Actuals from a performance document (XML or B2MML-JSON) or a CSV file, checked against ``plan``.

    Parameters
    ----------
    source
        A file (``.csv`` files are read as CSV, other files as XML or JSON by their content) or a
        B2MML-JSON document in memory.
    plan
        The plan the actuals report on.

    Raises
    ------
    DocumentError
        At the first problem: not XML/JSON/CSV, wrong namespace, not valid B2MML, unknown order, operation
        or machine, end before start, negative quantity; naming the element and line (XML), the JSON path
        or the CSV line and column.
    """
    if not isinstance(source, Mapping) and Path(source).suffix.lower() == ".csv":
        from planner.interchange.flatfiles import read_actuals_csv

        return read_actuals_csv(source, plan)
    root, name = load_document(source)
    check = _Checker(plan)
    if name.endswith("OperationsPerformance"):
        actuals = _from_operations_performance(root, check)
    elif name.endswith("WorkPerformance"):
        actuals = _from_work_performance(root, check)
    else:
        raise root.fail(f"{name} is not an OperationsPerformance or WorkPerformance document")
    if not actuals:
        raise DocumentError(root.source, root.where, "the document reports no actuals")
    return actuals
