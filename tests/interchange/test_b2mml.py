"""Tests of the B2MML documents: validity against the shipped schemas, content, round trips, changes only."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from planner.interchange import b2mml
from planner.interchange.b2mml import (
    iso_duration,
    operations_schedule_document,
    parse_iso_duration,
    read_schedule,
    to_xml,
    work_schedule_document,
    write_document,
)
from planner.interchange.errors import DocumentError
from planner.interchange.validate import validate_json, validate_xml
from planner.planning import PINNED_STATES, Plan
from planner.planning.lifecycle import cancel
from planner.planning.versions import diff_plans

from .conftest import CREATED

NS = {"b": b2mml.B2MML_NS}
BUILDERS = {"OperationsSchedule": operations_schedule_document, "WorkSchedule": work_schedule_document}


@pytest.fixture(scope="module")
def versions(released_plan: Plan, replanned: Plan) -> tuple[Plan, Plan]:
    """Version 1 (released work) and version 2 (re-plan after a breakdown, one proposed order cancelled)."""
    proposed = [o.id for o in replanned.orders if o.state == "proposed"]
    return released_plan, cancel(replanned, proposed[-1:])


def _document(level: str, verb: str, versions: tuple[Plan, Plan]) -> dict:
    old, new = versions
    if verb == "Process":
        doc = BUILDERS[level](new, created=CREATED)
    else:
        doc = BUILDERS[level](new, verb, previous=old, created=CREATED)
    assert doc is not None
    return doc


@pytest.mark.parametrize("level", ["OperationsSchedule", "WorkSchedule"])
@pytest.mark.parametrize("verb", ["Process", "Change", "Cancel"])
def test_every_document_validates(level, verb, versions):
    """Tests that plan- and dispatch-level documents, whole and changes, are valid B2MML V0701 XML and JSON."""
    doc = _document(level, verb, versions)
    assert b2mml.document_name(doc) == f"{verb}{level}"
    validate_json(doc)
    root = to_xml(doc)
    validate_xml(root)
    # what goes over the wire parses back into a valid document
    validate_xml(etree.fromstring(b2mml.xml_bytes(doc)))
    validate_json(json.loads(b2mml.json_text(doc)))


def test_validation_rejects_what_the_schema_forbids(bike_plan):
    """Tests that the validators have teeth: a missing required ID and a misplaced element are reported."""
    doc = operations_schedule_document(bike_plan, created=CREATED)
    seg = doc["ProcessOperationsSchedule"]["DataArea"]["OperationsSchedule"][0]["OperationsRequest"][0][
        "SegmentRequirement"
    ][0]
    del seg["EquipmentRequirement"][0]["ID"]
    with pytest.raises(DocumentError, match="'ID' is a required property"):
        validate_json(doc)
    with pytest.raises(
        DocumentError, match=r"line \d+, element EquipmentID \(in EquipmentRequirement\).*Tag .*ID. expected"
    ):
        validate_xml(etree.fromstring(b2mml.xml_bytes(doc)))
    doc = operations_schedule_document(bike_plan, created=CREATED)
    request = doc["ProcessOperationsSchedule"]["DataArea"]["OperationsSchedule"][0]["OperationsRequest"][0]
    request["RequestState"] = {"$": "Approved"}  # not an ISA-95 request state
    with pytest.raises(DocumentError):
        validate_json(doc)
    with pytest.raises(DocumentError, match="RequestState"):
        validate_xml(to_xml(doc))


def test_plan_level_content(bike_plan):
    """Tests that each order is an OperationsRequest and each operation a SegmentRequirement with its data."""
    root = to_xml(operations_schedule_document(bike_plan, created=CREATED))
    requests = root.findall(".//b:OperationsRequest", NS)
    assert [r.findtext("b:ID", namespaces=NS) for r in requests] == [o.id for o in bike_plan.orders]
    order = bike_plan.orders[0]
    request = requests[0]
    assert request.findtext("b:Priority", namespaces=NS) == str(order.priority)
    assert request.findtext("b:RequestState", namespaces=NS) == "Forecast"
    segments = request.findall("b:SegmentRequirement", NS)
    assert [s.findtext("b:ID", namespaces=NS) for s in segments] == [op.id for op in order.operations]
    for seg, op in zip(segments, order.operations, strict=True):
        start = datetime.fromisoformat(seg.findtext("b:EarliestStartTime", namespaces=NS))
        assert start == bike_plan.datetime_at(op.start)
        assert seg.findtext("b:EarliestStartTime", namespaces=NS).endswith("+01:00")  # the plant's offset
        assert parse_iso_duration(seg.findtext("b:Duration", namespaces=NS)) == op.duration * 60
        equipment = seg.find("b:EquipmentRequirement", NS)
        assert equipment.findtext("b:ID", namespaces=NS)
        assert equipment.findtext("b:EquipmentID", namespaces=NS) == op.machine
    cut = segments[0].findall("b:MaterialRequirement", NS)
    assert [
        (m.findtext("b:MaterialUse", namespaces=NS), m.findtext("b:MaterialDefinitionID", namespaces=NS))
        for m in cut
    ] == [("Consumed", "TUBE-SET")]
    last = segments[-1].findall("b:MaterialRequirement", NS)
    uses = {
        m.findtext("b:MaterialUse", namespaces=NS): m.findtext("b:Quantity/b:QuantityString", namespaces=NS)
        for m in last
    }
    assert uses == {"Consumed": "1", "Produced": "1"}


def test_dispatch_lists_per_machine_in_start_order(bike_plan):
    """Tests that the WorkSchedule has one WorkRequest per machine with its job orders in start order."""
    root = to_xml(work_schedule_document(bike_plan, created=CREATED))
    lists = bike_plan.by_machine()
    requests = root.findall(".//b:WorkRequest", NS)
    assert [r.findtext("b:HierarchyScope/b:EquipmentID", namespaces=NS) for r in requests] == [
        m for m, ops in lists.items() if ops
    ]
    for request in requests:
        machine = request.findtext("b:HierarchyScope/b:EquipmentID", namespaces=NS)
        jobs = request.findall("b:JobOrder", NS)
        assert [j.findtext("b:ID", namespaces=NS) for j in jobs] == [op.id for _, op in lists[machine]]
        starts = [datetime.fromisoformat(j.findtext("b:StartTime", namespaces=NS)) for j in jobs]
        assert starts == sorted(starts)


def test_machine_filter(bike_plan):
    """Tests that the dispatch document can be limited to some machines."""
    doc = work_schedule_document(bike_plan, machines=["PAINT-01"], created=CREATED)
    requests = doc["ProcessWorkSchedule"]["DataArea"]["WorkSchedule"][0]["WorkRequest"]
    assert [r["HierarchyScope"]["EquipmentID"] for r in requests] == ["PAINT-01"]


@pytest.mark.parametrize("level", ["OperationsSchedule", "WorkSchedule"])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_export_import_gives_the_same_schedule(level, fmt, released_plan, tmp_path):
    """Tests that a document written to a file reads back as the plan's schedule: machines, times, states."""
    doc = BUILDERS[level](released_plan, created=CREATED)
    path = write_document(doc, tmp_path, fmt, validate=True)
    entries = read_schedule(path, released_plan)
    expected = {
        op.id: (order.id, op.machine, op.start, op.end, op.state)
        for order, op in released_plan.operations()
        if op.state != "cancelled"
    }
    assert {k: (e.order, e.machine, e.start, e.end, e.state) for k, e in entries.items()} == expected
    assert {e.state for e in entries.values()} >= {"proposed", "released", "running"}


def test_change_document_holds_only_moved_work_and_never_pinned_work(versions):
    """Tests that a re-plan's Change document holds exactly the operations that moved, none released or running."""
    old, new = versions
    before = {op.id: (op.machine, op.start, op.end) for _, op in old.operations()}
    moved = {
        op.id
        for _, op in new.operations()
        if op.state != "cancelled" and before[op.id] != (op.machine, op.start, op.end)
    }
    pinned = {op.id for _, op in old.operations() if op.state in PINNED_STATES}
    assert moved, "the breakdown must move some work"
    assert pinned, "some work must be released"
    for level in BUILDERS:
        doc = _document(level, "Change", versions)
        published = set(read_schedule(doc, new))
        assert published == moved
        assert not published & pinned
        for entry in read_schedule(doc, new).values():
            op = next(op for _, op in new.operations() if op.id == entry.operation)
            assert (entry.machine, entry.start, entry.end) == (op.machine, op.start, op.end)


def test_cancel_document_holds_the_cancelled_order(versions):
    """Tests that the Cancel document holds exactly the cancelled order's operations, in state Cancelled."""
    _old, new = versions
    cancelled = [o for o in new.orders if o.state == "cancelled"]
    assert len(cancelled) == 1
    for level in BUILDERS:
        entries = read_schedule(_document(level, "Cancel", versions), new)
        assert set(entries) == {op.id for op in cancelled[0].operations}
        assert {e.state for e in entries.values()} == {"cancelled"}


def test_nothing_to_publish(released_plan):
    """Tests that Change/Cancel against the same version publish nothing."""
    assert diff_plans(released_plan, released_plan).is_empty
    for build in BUILDERS.values():
        assert build(released_plan, "Change", previous=released_plan) is None
        assert build(released_plan, "Cancel", previous=released_plan) is None


def test_change_needs_the_earlier_version(bike_plan):
    """Tests that a Change document without the version to compare with is a clear error."""
    with pytest.raises(DocumentError, match="earlier version"):
        operations_schedule_document(bike_plan, "Change")
    with pytest.raises(DocumentError, match="unknown verb"):
        operations_schedule_document(bike_plan, "Sync")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "PT0S"), (60, "PT1M"), (5400, "PT1H30M"), (86400 + 7200, "P1DT2H"), (61.5, "PT1M1.5S")],
)
def test_iso_duration(seconds, text):
    """Tests that durations are written in ISO 8601."""
    assert iso_duration(seconds) == text
    assert parse_iso_duration(text) == seconds


@given(st.integers(min_value=0, max_value=10**8))
def test_iso_duration_round_trip(seconds):
    """Tests that every whole number of seconds survives writing and reading as ISO 8601."""
    assert parse_iso_duration(iso_duration(seconds)) == seconds


@st.composite
def small_plans(draw):
    """Random small plans: any states, times, setups, quantities, offsets and time units."""
    from planner.planning import STATES, PlanMachine, PlannedOperation, ProductionOrder

    machines = [f"M{i}" for i in range(draw(st.integers(1, 3)))]
    orders = []
    for j in range(draw(st.integers(1, 4))):
        ops = []
        t = draw(st.integers(0, 50))
        for k in range(draw(st.integers(1, 3))):
            duration = draw(st.integers(0, 90))
            start = t + draw(st.integers(0, 30))
            ops.append(
                PlannedOperation(
                    f"O{j}/{k}",
                    k,
                    draw(st.sampled_from(["cut", "weld", "paint"])),
                    draw(st.sampled_from(machines)),
                    start,
                    start + duration,
                    setup=draw(st.integers(0, 20)),
                    state=draw(st.sampled_from(STATES[:-1])),
                )
            )
            t = start + duration
        quantity = draw(st.sampled_from([1.0, 2.5, 40.0]))
        orders.append(
            ProductionOrder(f"O{j}", "ITEM", quantity, tuple(ops), priority=draw(st.integers(0, 9)))
        )
    offset = draw(st.sampled_from(["+00:00", "+01:00", "-05:30"]))
    return Plan(
        plan_id="random",
        time_origin=f"2026-03-29T00:30:00{offset}",
        time_unit=draw(st.sampled_from(["min", "s", "h"])),
        machines=tuple(PlanMachine(m) for m in machines),
        orders=tuple(orders),
        created=CREATED,
    )


@settings(max_examples=10, deadline=None)
@given(small_plans())
def test_random_plans_validate_and_round_trip(plan):
    """Tests that random plans give valid documents (XML and JSON) that read back as the same schedule."""
    expected = {op.id: (o.id, op.machine, op.start, op.end, op.state) for o, op in plan.operations()}
    for build in BUILDERS.values():
        doc = build(plan, created=CREATED)
        validate_json(doc)
        root = etree.fromstring(b2mml.xml_bytes(doc))
        validate_xml(root)
        for source in (doc, json.loads(b2mml.json_text(doc))):
            got = read_schedule(source, plan)
            assert {k: (e.order, e.machine, e.start, e.end, e.state) for k, e in got.items()} == expected
