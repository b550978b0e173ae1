"""Plans as B2MML V0701 documents (ISA-95), in XML and in B2MML-JSON.

Plan level: an ``OperationsSchedule`` with one ``OperationsRequest`` per production order (start, end,
priority, request state) and one ``SegmentRequirement`` per operation (earliest start, latest end, ISO 8601
duration, the machine as an ``EquipmentRequirement``, consumed and produced ``MaterialRequirement``\\s).
Dispatch level: a ``WorkSchedule`` with one ``WorkRequest`` per machine holding its ``JobOrder``\\s in start
order. Both are wrapped in a verb: ``Process`` (the whole plan), ``Change`` (operations moved, added or
restated since an earlier version) or ``Cancel`` (operations withdrawn since then).

A document is built once as B2MML-JSON (a dict: ``"@name"`` for attributes, ``"$"`` for text next to
attributes, lists for repeated elements) and turned into XML element by element with lxml
(:func:`to_xml`), so the XML and the JSON carry the same content. Calendar times come from the plan's time
origin and its UTC offset.

The Business To Manufacturing Markup Language (B2MML) is used courtesy of MESA International.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.interchange.errors import DocumentError
from planner.planning.plan import Plan, PlannedOperation, ProductionOrder
from planner.planning.versions import PlanDiff

B2MML_NS = "http://www.mesa.org/xml/B2MML"
RELEASE_ID = "V0701"
SENDER = "planner"
VERBS = ("Process", "Change", "Cancel")
LEVELS = ("OperationsSchedule", "WorkSchedule")

REQUEST_STATE = {
    "proposed": ("Forecast", None),
    "approved": ("Other", "Approved"),
    "released": ("Released", None),
    "running": ("Running", None),
    "completed": ("Completed", None),
    "closed": ("Closed", None),
    "cancelled": ("Cancelled", None),
}
"""Plan state -> B2MML ``RequestState`` (value, ``OtherValue``)."""

DISPATCH_STATUS = {
    "proposed": "Pending",
    "approved": "Waiting",
    "released": "Ready",
    "running": "Running",
    "completed": "Completed",
    "closed": "Closed",
    "cancelled": "Cancelled",
}
"""Plan state -> B2MML ``JobOrder/DispatchStatus``."""

_STATE_OF_REQUEST = {(v, o): k for k, (v, o) in REQUEST_STATE.items()}
_STATE_OF_DISPATCH = {v: k for k, v in DISPATCH_STATUS.items()}

Document = dict[str, Any]


# -- values ----------------------------------------------------------------------------------------------


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration (``PT1H30M``, ``P2DT4H``, ``PT0S``) of a number of seconds >= 0."""
    if seconds < 0:
        raise ValueError(f"a duration must be >= 0, got {seconds}")
    whole = int(seconds)
    frac = seconds - whole
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if secs or frac:
        time += f"{secs + frac:g}S"
    text = "P" + (f"{days}D" if days else "")
    if time:
        text += "T" + time
    return text if text != "P" else "PT0S"


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_iso_duration(text: str) -> float:
    """Seconds of an ISO 8601 duration of days, hours, minutes and seconds (as :func:`iso_duration` writes)."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration of days, hours, minutes, seconds: {text!r}")
    d, h, m, s = match.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0)


def _time(plan: Plan, t: int | float) -> str:
    return plan.datetime_at(t).isoformat()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _code(value: str, other: str | None = None) -> dict[str, str]:
    """A value of a code list: always in the ``{"$": ...}`` form, where B2MML-JSON checks the list."""
    return {"$": value, "@OtherValue": other} if other else {"$": value}


def _state(state: str) -> Any:
    return _code(*REQUEST_STATE[state])


def _quantity(value: float) -> list[dict[str, Any]]:
    return [{"QuantityString": _number(value), "DataType": _code("double")}]


# -- plan level ------------------------------------------------------------------------------------------


def _materials(op: PlannedOperation, order: ProductionOrder, last: bool) -> list[dict[str, Any]]:
    rows = [("Consumed", f.item, f.quantity) for f in op.consumes]
    produces = [("Produced", f.item, f.quantity) for f in op.produces]
    if last and not produces:
        # The last step of the routing yields the order's item.
        produces = [("Produced", order.item, order.quantity)]
    return [
        {
            "ID": f"{op.id}:{use}:{item}",
            "MaterialDefinitionID": [item],
            "MaterialUse": _code(use),
            "Quantity": _quantity(quantity),
        }
        for use, item, quantity in rows + produces
    ]


def _equipment(op: PlannedOperation) -> list[dict[str, Any]]:
    return [
        {
            "ID": f"{op.id}:equipment",
            "EquipmentID": [op.machine],
            "EquipmentUse": "Production",
            "Quantity": [{"QuantityString": "1", "DataType": _code("integer")}],
        }
    ]


def segment_requirement(plan: Plan, order: ProductionOrder, op: PlannedOperation) -> dict[str, Any]:
    """The ``SegmentRequirement`` of one operation."""
    last = op is order.operations[-1]
    segment: dict[str, Any] = {
        "ID": op.id,
        "Description": [op.name],
        "EarliestStartTime": _time(plan, op.start),
        "LatestEndTime": _time(plan, op.end),
        "OperationsType": _code("Production"),
        "ProcessSegmentID": op.name,
        "Duration": iso_duration((op.duration or 0) * plan.seconds_per_unit),
        "OperationsDefinitionID": order.item,
        "OperationsSegmentID": op.name,
        "SegmentState": _state(op.state),
    }
    if op.setup:
        segment["SegmentParameter"] = [
            {
                "ID": "SetupTime",
                "Value": [
                    {
                        "ValueString": iso_duration(op.setup * plan.seconds_per_unit),
                        "DataType": _code("duration"),
                    }
                ],
            }
        ]
    segment["EquipmentRequirement"] = _equipment(op)
    materials = _materials(op, order, last)
    if materials:
        segment["MaterialRequirement"] = materials
    return segment


def operations_request(
    plan: Plan,
    order: ProductionOrder,
    ops: Sequence[PlannedOperation] | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """The ``OperationsRequest`` of an order, with the ``SegmentRequirement``\\s of ``ops`` (default: all)."""
    ops = order.operations if ops is None else ops
    request: dict[str, Any] = {
        "ID": order.id,
        "Description": [f"{_number(order.quantity)} x {order.item}"],
        "Version": str(plan.version),
    }
    if order.start is not None:
        request["StartTime"] = _time(plan, order.start)
        request["EndTime"] = _time(plan, order.end or order.start)
    request["OperationsType"] = _code("Maintenance" if order.kind == "maintenance" else "Production")
    request["Priority"] = order.priority
    request["RequestState"] = _state(state or order.state)
    request["OperationsDefinitionID"] = order.item
    request["SegmentRequirement"] = [segment_requirement(plan, order, op) for op in ops]
    return request


def _schedule_times(plan: Plan, ops: Iterable[PlannedOperation]) -> dict[str, str]:
    ops = list(ops)
    if not ops:
        return {}
    return {
        "StartTime": _time(plan, min(op.start for op in ops)),
        "EndTime": _time(plan, max(op.end for op in ops)),
    }


def operations_schedule(
    plan: Plan,
    selection: Sequence[tuple[ProductionOrder, Sequence[PlannedOperation]]],
    state: str | None = None,
) -> dict[str, Any]:
    """An ``OperationsSchedule`` of some orders with some of their operations."""
    body: dict[str, Any] = {
        "ID": plan.plan_id,
        "Description": [f"{plan.plant or plan.plan_id}, plan version {plan.version}"],
        "Version": str(plan.version),
        "PublishedDate": plan.created or datetime.now(UTC).isoformat(timespec="seconds"),
        **_schedule_times(plan, (op for _, ops in selection for op in ops)),
        "OperationsType": _code("Production"),
        "OperationsRequest": [operations_request(plan, order, ops, state) for order, ops in selection],
    }
    return body


# -- dispatch level --------------------------------------------------------------------------------------


def job_order(
    plan: Plan, order: ProductionOrder, op: PlannedOperation, state: str | None = None
) -> dict[str, Any]:
    """The ``JobOrder`` of one operation."""
    state = state or op.state
    job: dict[str, Any] = {
        "ID": op.id,
        "Description": [f"{op.name} of {order.id} ({_number(order.quantity)} x {order.item})"],
        "Version": str(plan.version),
        "StartTime": _time(plan, op.start),
        "EndTime": _time(plan, op.end),
        "WorkType": _code("Production"),
        "WorkMasterID": op.name,
        "Priority": order.priority,
        "DispatchStatus": _code(DISPATCH_STATUS[state]),
        "JobOrderParameter": [
            {"ID": "OperationsRequestID", "Value": [{"ValueString": order.id, "DataType": _code("string")}]},
            {
                "ID": "Duration",
                "Value": [
                    {
                        "ValueString": iso_duration((op.duration or 0) * plan.seconds_per_unit),
                        "DataType": _code("duration"),
                    }
                ],
            },
            {
                "ID": "SetupTime",
                "Value": [
                    {
                        "ValueString": iso_duration(op.setup * plan.seconds_per_unit),
                        "DataType": _code("duration"),
                    }
                ],
            },
        ],
        "EquipmentRequirement": _equipment(op),
    }
    materials = _materials(op, order, op is order.operations[-1])
    if materials:
        job["MaterialRequirement"] = materials
    job["SegmentRequirementID"] = [op.id]
    return job


def work_schedule(
    plan: Plan,
    selection: Mapping[str, Sequence[tuple[ProductionOrder, PlannedOperation]]],
    state: str | None = None,
) -> dict[str, Any]:
    """A ``WorkSchedule``: one ``WorkRequest`` per machine of ``selection`` with its job orders in order."""
    requests = []
    for machine, pairs in selection.items():
        if not pairs:
            continue
        ops = [op for _, op in pairs]
        requests.append(
            {
                "ID": f"{plan.plan_id}:{machine}",
                "Description": [f"job orders of {machine}"],
                "Version": str(plan.version),
                "HierarchyScope": {
                    "EquipmentID": machine,
                    "EquipmentElementLevel": _code("WorkUnit"),
                },
                "WorkType": _code("Production"),
                **_schedule_times(plan, ops),
                "JobOrder": [job_order(plan, order, op, state) for order, op in pairs],
            }
        )
    all_ops = [op for pairs in selection.values() for _, op in pairs]
    return {
        "ID": plan.plan_id,
        "Description": [f"{plan.plant or plan.plan_id}, plan version {plan.version}, dispatch lists"],
        "Version": str(plan.version),
        "PublishedDate": plan.created or datetime.now(UTC).isoformat(timespec="seconds"),
        **_schedule_times(plan, all_ops),
        "WorkType": _code("Production"),
        "WorkRequest": requests,
    }


# -- the verbs -------------------------------------------------------------------------------------------


def _envelope(verb: str, noun: str, body: dict[str, Any], plan: Plan, created: str | None) -> Document:
    return {
        f"{verb}{noun}": {
            "@releaseID": RELEASE_ID,
            "ApplicationArea": {
                "Sender": {"LogicalID": SENDER, "ComponentID": plan.plant or plan.plan_id},
                "CreationDateTime": created or datetime.now(UTC).isoformat(timespec="seconds"),
                "BODID": f"{plan.plan_id}-v{plan.version}-{verb}{noun}",
            },
            "DataArea": {verb: {}, noun: [body]},
        }
    }


def _selected_orders(
    plan: Plan, keep: Iterable[str] | None, include_cancelled: bool = False
) -> list[tuple[ProductionOrder, list[PlannedOperation]]]:
    wanted = None if keep is None else set(keep)
    out = []
    for order in plan.orders:
        ops = [
            op
            for op in order.operations
            if (wanted is None or op.id in wanted) and (include_cancelled or op.state != "cancelled")
        ]
        if ops:
            out.append((order, ops))
    return out


def _cancelled_selection(
    old: Plan, new: Plan, diff: PlanDiff
) -> list[tuple[ProductionOrder, list[PlannedOperation]]]:
    """Cancelled operations as the new plan holds them, or as the old one did when they are gone."""
    wanted = set(diff.cancelled)
    in_new = {op.id for _, op in new.operations()}
    selection = _selected_orders(new, wanted & in_new, include_cancelled=True)
    gone = wanted - in_new
    if gone:
        selection += _selected_orders(old, gone, include_cancelled=True)
    return selection


def operations_schedule_document(
    plan: Plan,
    verb: str = "Process",
    *,
    previous: Plan | None = None,
    diff: PlanDiff | None = None,
    created: str | None = None,
) -> Document | None:
    """A plan-level document: ``ProcessOperationsSchedule`` or, against ``previous``, Change/Cancel.

    Parameters
    ----------
    plan
        The (current) plan.
    verb
        ``"Process"`` (the whole plan, cancelled work left out), ``"Change"`` (operations moved, added or
        restated since ``previous``) or ``"Cancel"`` (operations cancelled since ``previous``).
    previous, diff
        The earlier version and (optionally, to save computing it) the difference to it; required for
        Change and Cancel.
    created
        Creation time of the message (ISO 8601; default now).

    Returns
    -------
    dict or None
        The B2MML-JSON document; None for Change/Cancel when there is nothing to publish.
    """
    selection = _select(plan, verb, previous, diff)
    if selection is None:
        return None
    state = "cancelled" if verb == "Cancel" else None
    body = operations_schedule(plan, selection, state)
    return _envelope(verb, "OperationsSchedule", body, plan, created)


def work_schedule_document(
    plan: Plan,
    verb: str = "Process",
    *,
    previous: Plan | None = None,
    diff: PlanDiff | None = None,
    machines: Iterable[str] | None = None,
    created: str | None = None,
) -> Document | None:
    """A dispatch-level document: ``ProcessWorkSchedule`` or, against ``previous``, Change/Cancel.

    Parameters are those of :func:`operations_schedule_document`, and ``machines`` to limit the dispatch
    lists to some machines. Job orders are per machine in start order.
    """
    selection = _select(plan, verb, previous, diff)
    if selection is None:
        return None
    wanted = None if machines is None else set(machines)
    per_machine: dict[str, list[tuple[ProductionOrder, PlannedOperation]]] = {m.id: [] for m in plan.machines}
    for order, ops in selection:
        for op in ops:
            if wanted is None or op.machine in wanted:
                per_machine.setdefault(op.machine, []).append((order, op))
    for pairs in per_machine.values():
        pairs.sort(key=lambda pair: (pair[1].start, pair[1].end, pair[1].id))
    if not any(per_machine.values()):
        if verb == "Process":
            raise DocumentError(plan.plan_id, "", "no operations to dispatch on the machines asked for")
        return None
    state = "cancelled" if verb == "Cancel" else None
    body = work_schedule(plan, per_machine, state)
    return _envelope(verb, "WorkSchedule", body, plan, created)


def _select(
    plan: Plan, verb: str, previous: Plan | None, diff: PlanDiff | None
) -> list[tuple[ProductionOrder, list[PlannedOperation]]] | None:
    if verb not in VERBS:
        raise DocumentError(plan.plan_id, "", f"unknown verb {verb!r}; use one of {VERBS}")
    if verb == "Process":
        selection = _selected_orders(plan, None)
        if not selection:
            raise DocumentError(plan.plan_id, "", "the plan has no operations to publish")
        return selection
    if previous is None:
        raise DocumentError(plan.plan_id, "", f"a {verb} document needs the earlier version to compare with")
    if diff is None:
        from planner.planning.versions import diff_plans

        diff = diff_plans(previous, plan)
    if verb == "Change":
        selection = _selected_orders(plan, diff.changed)
    else:
        selection = _cancelled_selection(previous, plan, diff)
    return selection or None


# -- serialisation ---------------------------------------------------------------------------------------


def to_xml(doc: Document) -> Any:
    """The XML element tree (lxml) of a B2MML-JSON document, in the B2MML namespace."""
    from lxml import etree

    (name, body), *rest = doc.items()
    if rest:
        raise ValueError("a document has one root element")
    ns = f"{{{B2MML_NS}}}"
    root = etree.Element(ns + name, nsmap={None: B2MML_NS})

    def fill(elem: Any, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                if key == "$":
                    elem.text = _text(child)
                elif key.startswith("@"):
                    if not key.startswith("@xmlns"):
                        elem.set(key[1:], _text(child))
                elif isinstance(child, list):
                    for item in child:
                        fill(etree.SubElement(elem, ns + key), item)
                else:
                    fill(etree.SubElement(elem, ns + key), child)
        else:
            elem.text = _text(value)

    fill(root, body)
    return root


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def xml_bytes(doc: Document) -> bytes:
    """The document as pretty-printed UTF-8 XML with a declaration."""
    from lxml import etree

    return bytes(etree.tostring(to_xml(doc), xml_declaration=True, encoding="UTF-8", pretty_print=True))


def json_text(doc: Document) -> str:
    """The document as B2MML-JSON text."""
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def document_name(doc: Document) -> str:
    """The root element name, e.g. ``"ProcessOperationsSchedule"``."""
    return next(iter(doc))


def write_document(doc: Document, directory: str | Path, fmt: str, *, validate: bool = False) -> Path:
    """Write a document as ``<root>.xml`` (``fmt="xml"``) or ``<root>.json`` into ``directory``.

    Raises
    ------
    DocumentError
        With ``validate``, when the document is not valid against the schema (then nothing is written).
    """
    from planner.interchange.validate import validate_json, validate_xml

    folder = Path(directory)
    name = document_name(doc)
    if fmt == "xml":
        root = to_xml(doc)
        if validate:
            validate_xml(root, name)
        from lxml import etree

        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.xml"
        path.write_bytes(data)
    elif fmt == "json":
        if validate:
            validate_json(doc, name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.json"
        path.write_text(json_text(doc))
    else:
        raise DocumentError(name, "", f"unknown format {fmt!r}; use xml or json")
    return path


# -- reading schedules back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleEntry:
    """One operation as a schedule document states it (times in plan units)."""

    order: str
    operation: str
    machine: str
    start: int
    end: int
    state: str


def read_schedule(source: str | Path | Document, plan: Plan) -> dict[str, ScheduleEntry]:
    """The operations an ``OperationsSchedule`` or ``WorkSchedule`` document (XML or JSON) holds.

    Parameters
    ----------
    source
        A file (``.xml`` or ``.json``) or a B2MML-JSON document in memory.
    plan
        The plan whose time origin turns calendar times into plan times.

    Returns
    -------
    dict
        Per operation id, its order, machine, start, end and state.
    """
    from planner.interchange.documents import load_document

    root, name = load_document(source)
    out: dict[str, ScheduleEntry] = {}
    for schedule in root.all("OperationsSchedule"):
        for request in schedule.all("OperationsRequest"):
            order_id = request.text("ID")
            for seg in request.all("SegmentRequirement"):
                state = _request_state(seg.child("SegmentState"))
                equipment = seg.all("EquipmentRequirement")
                machine = equipment[0].all("EquipmentID")[0].value() if equipment else ""
                out[seg.text("ID")] = ScheduleEntry(
                    order_id,
                    seg.text("ID"),
                    machine,
                    seg.plan_time("EarliestStartTime", plan),
                    seg.plan_time("LatestEndTime", plan),
                    state,
                )
    for schedule in root.all("WorkSchedule"):
        for request in schedule.all("WorkRequest"):
            for job in request.all("JobOrder"):
                order_id = ""
                for param in job.all("JobOrderParameter"):
                    if param.text("ID") == "OperationsRequestID":
                        order_id = param.all("Value")[0].text("ValueString")
                machine = job.all("EquipmentRequirement")[0].all("EquipmentID")[0].value()
                status = job.text("DispatchStatus")
                out[job.text("ID")] = ScheduleEntry(
                    order_id,
                    job.text("ID"),
                    machine,
                    job.plan_time("StartTime", plan),
                    job.plan_time("EndTime", plan),
                    _STATE_OF_DISPATCH.get(status, "proposed"),
                )
    if not out:
        raise DocumentError(root.source, root.where, f"{name} holds no OperationsSchedule or WorkSchedule")
    return out


def _request_state(node: Any) -> str:
    if node is None:
        return "proposed"
    key = (node.value(), node.attr("OtherValue"))
    return _STATE_OF_REQUEST.get(key, _STATE_OF_REQUEST.get((key[0], None), "proposed"))
