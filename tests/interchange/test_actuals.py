"""Tests of actuals in: performance documents (XML, JSON) and CSV, and one clear error for bad input."""

from __future__ import annotations

import json

import pytest

from planner.interchange import b2mml
from planner.interchange.actuals import (
    operations_performance_document,
    read_actuals,
    work_performance_document,
)
from planner.interchange.errors import DocumentError
from planner.interchange.flatfiles import write_actuals_csv
from planner.interchange.validate import validate_json, validate_xml
from planner.planning.lifecycle import Actual

from .conftest import CREATED

KINDS = {
    "OperationsPerformance": operations_performance_document,
    "WorkPerformance": work_performance_document,
}


@pytest.fixture(scope="module")
def reported(released_plan):
    """Two operations of the first order done (one late, with scrap), the next one running on another mill."""
    order = released_plan.orders[0]
    cut, frame = order.operations[0], order.operations[1]
    spare = "CNC-B" if frame.machine == "CNC-A" else "CNC-A"
    return [
        Actual(order.id, cut.id, cut.machine, cut.start, cut.end + 7, quantity_done=1.0, scrap=0.5),
        Actual(order.id, frame.id, spare, frame.start + 10),
    ]


def _write(kind, fmt, plan, actuals, tmp_path):
    if fmt == "csv":
        return write_actuals_csv(plan, actuals, tmp_path / "actuals.csv")
    doc = KINDS[kind](plan, actuals, created=CREATED)
    return b2mml.write_document(doc, tmp_path, fmt, validate=True)


@pytest.mark.parametrize("kind", list(KINDS))
def test_performance_documents_validate(kind, released_plan, reported):
    """Tests that the performance documents are valid B2MML V0701 (XML and JSON)."""
    doc = KINDS[kind](released_plan, reported, created=CREATED)
    validate_json(doc)
    validate_xml(b2mml.to_xml(doc))


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("OperationsPerformance", "xml"),
        ("OperationsPerformance", "json"),
        ("WorkPerformance", "xml"),
        ("WorkPerformance", "json"),
        ("csv", "csv"),
    ],
)
def test_actuals_round_trip(kind, fmt, released_plan, reported, tmp_path):
    """Tests that actuals written as a document or CSV read back as the same records."""
    path = _write(kind, fmt, released_plan, reported, tmp_path)
    assert read_actuals(path, released_plan) == reported


def _xml(plan, actuals, tmp_path, edit):
    text = b2mml.xml_bytes(operations_performance_document(plan, actuals, created=CREATED)).decode()
    path = tmp_path / "bad.xml"
    path.write_text(edit(text))
    return path


def _line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_malformed_xml_is_one_clear_error(released_plan, reported, tmp_path):
    """Tests that each kind of bad XML gets one error naming the element and its line."""
    order = released_plan.orders[0]
    cut = order.operations[0]
    cases = [
        (lambda t: t.replace("</DataArea>", "</Data>"), r"line \d+: not well-formed XML", None),
        (
            lambda t: t.replace(b2mml.B2MML_NS, "http://www.mesa.org/xml/B2MML-V0600"),
            "line 2, element ProcessOperationsPerformance: namespace",
            None,
        ),
        (
            lambda t: t.replace(f"<OperationsRequestID>{order.id}<", "<OperationsRequestID>SO-0000<", 1),
            "element OperationsRequestID: unknown order 'SO-0000'",
            "SO-0000",
        ),
        (
            lambda t: t.replace(f"<EquipmentID>{cut.machine}<", "<EquipmentID>LATHE-9<"),
            "element EquipmentID: unknown machine 'LATHE-9'",
            "LATHE-9",
        ),
        (
            lambda t: t.replace(f"<SegmentRequirementID>{cut.id}<", "<SegmentRequirementID>SO-2601/999<"),
            "element SegmentRequirementID: unknown operation",
            "/999<",
        ),
        (
            lambda t: t.replace("<QuantityString>0.5<", "<QuantityString>-2<"),
            "element QuantityString: a quantity must be >= 0",
            ">-2<",
        ),
        (
            lambda t: t.replace(
                released_plan.datetime_at(cut.end + 7).isoformat(),
                released_plan.datetime_at(cut.start - 5).isoformat(),
            ),
            "element ActualEndTime: ends .* before it starts",
            "<ActualEndTime>",
        ),
        (
            lambda t: t.replace("<ActualStartTime>", "<Bogus/><ActualStartTime>", 1),
            r"element Bogus \(in SegmentResponse\): not valid B2MML V0701",
            "Bogus",
        ),
    ]
    for edit, message, needle in cases:
        path = _xml(released_plan, reported, tmp_path, edit)
        with pytest.raises(DocumentError, match=message) as err:
            read_actuals(path, released_plan)
        assert str(err.value).startswith(str(path))
        if needle:
            assert f"line {_line_of(path, needle)}," in str(err.value), str(err.value)


def test_not_a_document(released_plan, tmp_path):
    """Tests that a file that is neither XML nor JSON is one clear error."""
    path = tmp_path / "actuals.txt"
    path.write_text("order;operation\nSO-1;010\n")
    with pytest.raises(DocumentError, match="neither XML nor JSON"):
        read_actuals(path, released_plan)


def test_malformed_json_names_the_path(released_plan, reported, tmp_path):
    """Tests that bad B2MML-JSON actuals name the JSON path of the element."""
    doc = work_performance_document(released_plan, reported, created=CREATED)
    job = doc["ProcessWorkPerformance"]["DataArea"]["WorkPerformance"][0]["WorkResponse"][0]["JobResponse"][0]
    job["EquipmentActual"][0]["EquipmentID"] = ["LATHE-9"]
    where = "$.ProcessWorkPerformance.DataArea.WorkPerformance[0].WorkResponse[0].JobResponse[0].EquipmentActual[0].EquipmentID[0]"
    with pytest.raises(DocumentError, match="unknown machine 'LATHE-9'") as err:
        read_actuals(doc, released_plan)
    assert where in str(err.value)
    job["EquipmentActual"][0]["EquipmentID"] = [job["EquipmentActual"][0]["ID"].split(":")[0]]
    job["EquipmentActual"][0]["EquipmentID"] = [reported[0].machine]
    job["MaterialActual"][1]["Quantity"][0]["QuantityString"] = "-1"
    with pytest.raises(
        DocumentError, match=r"MaterialActual\[1\]\.Quantity\[0\]\.QuantityString: a quantity must be >= 0"
    ):
        read_actuals(doc, released_plan)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc, indent=1)[:-40])
    with pytest.raises(DocumentError, match=r"broken.json: line \d+: neither XML nor JSON"):
        read_actuals(path, released_plan)
    del job["JobOrderID"]
    job["MaterialActual"][1]["Quantity"][0]["QuantityString"] = "1"
    with pytest.raises(DocumentError, match=r"JobResponse\[0\]: JobResponse needs a JobOrderID"):
        read_actuals(doc, released_plan)


def test_malformed_csv_names_line_and_column(released_plan, reported, tmp_path):
    """Tests that bad CSV actuals name the line and column."""
    path = write_actuals_csv(released_plan, reported, tmp_path / "actuals.csv")
    good = path.read_text().splitlines()
    order, cut = released_plan.orders[0], released_plan.orders[0].operations[0]
    start = released_plan.datetime_at(cut.start).isoformat()
    cases = [
        (f"SO-0000,{cut.id},{cut.machine},{start},,,", "line 3, column order: unknown order 'SO-0000'"),
        (f"{order.id},999,{cut.machine},{start},,,", "line 3, column operation: unknown operation '999'"),
        (f"{order.id},010,LATHE,{start},,,", "line 3, column machine: unknown machine 'LATHE'"),
        (
            f"{order.id},010,{cut.machine},{start},2026-12-07T05:00:00+01:00,,",
            "line 3, column actual_end: ends",
        ),
        (f"{order.id},010,{cut.machine},{start},,-1,", "line 3, column quantity_done: must be a number >= 0"),
        (f"{order.id},010,{cut.machine},{start},,,-3", "line 3, column scrap: must be a number >= 0"),
        (f"{order.id},010,{cut.machine},yesterday,,,", "line 3, column actual_start: not a date and time"),
        (
            f"{order.id},010,{cut.machine},2026-12-07T06:00:00,,,",
            "line 3, column actual_start: .* needs a UTC offset",
        ),
    ]
    for row, message in cases:
        path.write_text("\n".join([good[0], good[1], row]) + "\n")
        with pytest.raises(DocumentError, match=message):
            read_actuals(path, released_plan)
    path.write_text("order,operation\nA,B\n")
    with pytest.raises(DocumentError, match="line 1: missing column"):
        read_actuals(path, released_plan)
    path.write_text(f"{good[0]}\n{order.id},010,{cut.machine},0,15,1,\n")  # plan times and suffixes work
    assert read_actuals(path, released_plan) == [Actual(order.id, cut.id, cut.machine, 0, 15, 1.0, None)]
