"""Tests of the plan RPCs through a real server: CreatePlan, GetPlan, ExportPlan, ReleaseOrders,
ReportActuals, Reschedule and CompareScenarios, with a restart in between."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import planning_pb2 as ppb
from planner.exceptions import ValidationError
from planner.planning import Plan
from planner.planning.plant import read_plant
from tests.planning.conftest import SMALL_PLANT, short_history
from tests.service.conftest import config, terminal

SETTINGS = ppb.PlanSettings(
    time_limit_seconds=2,
    lot_time_limit_seconds=3,
    num_workers=1,
    seed=1,
    forecast_models=["snaive", "naive"],
    forecast_default="snaive",
)
ORDERS_CSV = (
    "order_id,product,quantity,due,options,priority\n"
    "SO-1,FRAME,4,2026-12-08T12:00,engraved;heavy,\n"
    "SO-2,BRACKET,6,2026-12-07T20:00,,5\n"
)


def history_file() -> Any:
    from planner.api.v1 import forecasting_pb2 as fpb

    frame = short_history(days=42)
    return fpb.TableFile(format="csv", content=frame.to_csv(index=False).encode(), name="history")


def create_request(**changes: Any) -> pb.CreatePlanRequest:
    values: dict[str, Any] = {
        "plant": SMALL_PLANT.read_bytes(),
        "history_file": history_file(),
        "orders": ppb.CustomerOrders(csv=ORDERS_CSV.encode()),
        "settings": SETTINGS,
    }
    values.update(changes)
    return pb.CreatePlanRequest(**values)


def violations(exc: grpc.RpcError) -> list[tuple[str, str]]:
    status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    out = []
    for detail in status.details if status else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            out += [(v.field, v.description) for v in bad.field_violations]
    return out


def eligible(plant: Any, order: dict[str, Any]) -> list[set[str]]:
    """Per routing step of an order, the machines that may run it."""
    steps = plant.product(order["item"]).routing_for(tuple(order.get("options") or ()))
    return [{mode.machine for mode in step.modes} for step in steps]


def test_bad_plant_json_names_the_path(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a plant breaking the schema is INVALID_ARGUMENT with its JSON path under ``plant``."""
    doc = json.loads(SMALL_PLANT.read_text())
    doc["machines"][2]["idle_power"] = "lots"
    with pytest.raises(grpc.RpcError) as info:
        stub.CreatePlan(create_request(plant=json.dumps(doc).encode()), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [f for f, _ in violations(info.value)]
    assert "plant.machines[2].idle_power" in fields, fields
    with pytest.raises(grpc.RpcError) as info:
        stub.CreatePlan(create_request(plant=b"{not json"), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(info.value)[0][0] == "plant"


def test_bad_order_names_the_row(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that an order of an unknown product is INVALID_ARGUMENT naming the order's field."""
    orders = ppb.CustomerOrders(csv=b"order_id,product,quantity,due\nX,NOPE,1,2026-12-08\n")
    with pytest.raises(grpc.RpcError) as info:
        stub.CreatePlan(create_request(orders=orders), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(info.value)[0][0] == "orders.csv[row 2].product"


def test_unknown_plan_is_not_found(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that GetPlan, ExportPlan and ReleaseOrders of an unknown plan id are NOT_FOUND."""
    calls = [
        lambda: stub.GetPlan(pb.GetPlanRequest(plan_id="nope"), timeout=5),
        lambda: stub.ExportPlan(pb.ExportPlanRequest(plan_id="nope", format=pb.EXPORT_FORMAT_CSV), timeout=5),
        lambda: stub.ReleaseOrders(
            pb.ReleaseOrdersRequest(plan_id="nope", order_ids=["A"], action=pb.ORDER_ACTION_APPROVE),
            timeout=5,
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        assert "nope" in (info.value.details() or "")


def test_plan_end_to_end_through_the_server(tmp_path: Path) -> None:
    """Tests the whole plan over gRPC: a CreatePlan job accepted by one server and run by the next,
    watched to its end, reports every stage and the scheduler's solutions; GetPlan has every order's operations on eligible machines in start order;
    ExportPlan documents validate; ReleaseOrders makes versions and refuses illegal changes; the plan
    survives a restart; ReportActuals records actuals and refuses a bad document without a new version."""
    from planner.service import create_server

    plant = read_plant(SMALL_PLANT)
    api_only = create_server(config(tmp_path, run_jobs=False)).start()
    try:
        with grpc.insecure_channel(api_only.address) as channel:
            stub = pb_grpc.PlannerServiceStub(channel)
            started = stub.CreatePlan(create_request(request_id="plan-1"), timeout=30)
            assert started.job.kind == pb.JOB_KIND_PLAN and not started.existing
            assert started.job.state == pb.JOB_STATE_QUEUED
    finally:
        api_only.stop(0)

    server = create_server(config(tmp_path)).start()  # the accepted job is run by the next server
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.PlannerServiceStub(channel)
            again = stub.CreatePlan(create_request(request_id="plan-1"), timeout=30)
            assert again.existing and again.job.job_id == started.job.job_id

            events = list(stub.WatchJob(pb.WatchJobRequest(job_id=started.job.job_id), timeout=120))
            job = events[-1].job
            assert terminal(job) and job.state == pb.JOB_STATE_SUCCEEDED, job.error
            stages = [
                e.progress.stage for e in events if e.HasField("progress") and not e.progress.num_solutions
            ]
            assert stages == ["forecast", "lot_sizing", "jobs", "schedule", "plan"]
            solutions = [e.progress for e in events if e.HasField("progress") and e.progress.num_solutions]
            assert solutions and all(p.stage == "schedule" for p in solutions)
            summary = job.plan_result
            assert summary.version == 1 and summary.plan_id == started.job.job_id
            assert summary.num_operations > 0 and summary.kpis.schedule_status in ("optimal", "feasible")
            plan_id = summary.plan_id

            view = stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id), timeout=10).plan
            doc = json.loads(view.plan_json)
            scheduled = [o for o in doc["orders"] if o["operations"]]
            assert {"SO-1", "SO-2"} <= {o["id"] for o in scheduled}
            for order in scheduled:
                allowed = eligible(plant, order)
                assert len(order["operations"]) == len(allowed), order["id"]
                for op, machines in zip(order["operations"], allowed, strict=True):
                    assert op["machine"] in machines, (order["id"], op["id"], op["machine"])
            dispatched = {e.operation_id for d in view.dispatch for e in d.entries}
            assert dispatched == {op["id"] for o in scheduled for op in o["operations"]}
            for machine in view.dispatch:
                starts = [e.start_units for e in machine.entries]
                assert starts == sorted(starts), machine.machine_id
                for entry in machine.entries:
                    assert entry.end.ToSeconds() - entry.start.ToSeconds() == 60 * (
                        entry.end_units - entry.start_units
                    )
            assert view.inventory and {t.item for t in view.inventory} >= {"FRAME", "BRACKET"}
            assert any(p.item == "TUBE" for p in view.purchases) or not view.purchases

            for fmt, start in ((pb.EXPORT_FORMAT_B2MML_XML, b"<?xml"), (pb.EXPORT_FORMAT_B2MML_JSON, b"{")):
                docs = stub.ExportPlan(
                    pb.ExportPlanRequest(plan_id=plan_id, format=fmt), timeout=30
                ).documents
                assert len(docs) == 2 and all(d.content.lstrip().startswith(start) for d in docs)
            _validate_xml(
                stub.ExportPlan(
                    pb.ExportPlanRequest(plan_id=plan_id, format=pb.EXPORT_FORMAT_B2MML_XML), timeout=30
                ).documents
            )
            csvs = stub.ExportPlan(
                pb.ExportPlanRequest(plan_id=plan_id, format=pb.EXPORT_FORMAT_CSV), timeout=30
            )
            assert "operations.csv" in {d.name for d in csvs.documents}

            with pytest.raises(grpc.RpcError) as info:
                stub.ReleaseOrders(
                    pb.ReleaseOrdersRequest(
                        plan_id=plan_id, order_ids=["SO-1"], action=pb.ORDER_ACTION_RELEASE
                    ),
                    timeout=10,
                )
            assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "SO-1" in info.value.details() and "proposed" in info.value.details()
            for action, version in ((pb.ORDER_ACTION_APPROVE, 2), (pb.ORDER_ACTION_RELEASE, 3)):
                done = stub.ReleaseOrders(
                    pb.ReleaseOrdersRequest(plan_id=plan_id, order_ids=["SO-1"], action=action), timeout=10
                )
                assert done.plan.version == version and done.plan.previous_version == version - 1
            changes = stub.ExportPlan(
                pb.ExportPlanRequest(plan_id=plan_id, format=pb.EXPORT_FORMAT_B2MML_XML, since_version=1),
                timeout=30,
            ).documents
            assert changes and all(d.name.startswith("Change") for d in changes)
    finally:
        server.stop(0)

    server = create_server(config(tmp_path)).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.PlannerServiceStub(channel)
            view = stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id), timeout=10).plan
            assert view.summary.version == 3
            released = {e.operation_id for d in view.dispatch for e in d.entries if e.state == "released"}
            plan = Plan.from_dict(json.loads(view.plan_json))
            assert released == {op.id for op in plan.order("SO-1").operations}
            first = stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id, version=1), timeout=10).plan
            assert first.summary.version == 1
            with pytest.raises(grpc.RpcError) as info:
                stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id, version=9), timeout=10)
            assert info.value.code() == grpc.StatusCode.NOT_FOUND

            plan = _reschedule_after_breakdown(stub, plan_id, plan)

            with pytest.raises(grpc.RpcError) as info:
                stub.ReportActuals(
                    pb.ReportActualsRequest(plan_id=plan_id, document=b"<OperationsPerformance><oops"),
                    timeout=10,
                )
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            (field, text), *_ = violations(info.value)
            assert field == "document" and "line" in text, text
            assert stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id), timeout=10).plan.summary.version == 4

            op = plan.order("SO-1").operations[0]
            late = op.end + 30
            csv = (
                "order,operation,machine,actual_start,actual_end,quantity_done,scrap\n"
                f"SO-1,{op.id},{op.machine},{plan.datetime_at(op.start).isoformat()},"
                f"{plan.datetime_at(late).isoformat()},4,0\n"
            )
            reported = stub.ReportActuals(
                pb.ReportActualsRequest(plan_id=plan_id, csv=csv.encode()), timeout=10
            )
            assert reported.plan.version == 5 and reported.num_actuals == 1
            after = Plan.from_dict(
                json.loads(stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id), timeout=10).plan.plan_json)
            )
            done = after.order("SO-1").operations[0]
            assert done.state == "completed" and done.end == late
            successor = after.order("SO-1").operations[1]
            assert successor.start >= late
    finally:
        server.stop(0)


def _validate_xml(documents: Any) -> None:
    from lxml import etree

    from planner.interchange.validate import validate_xml

    for doc in documents:
        validate_xml(etree.fromstring(doc.content), doc.name)


def _reschedule_after_breakdown(stub: pb_grpc.PlannerServiceStub, plan_id: str, plan: Plan) -> Plan:
    """A breakdown under the first proposed operation: it moves off the window, released work stays."""
    released = {op.id: op for op in plan.order("SO-1").operations}
    victim = min(
        (op for order, op in plan.operations() if order.id != "SO-1" and op.state != "cancelled"),
        key=lambda op: (op.start, op.id),
    )
    request = pb.RescheduleRequest(
        plan_id=plan_id,
        events=[
            ppb.PlanEvent(
                breakdown=ppb.BreakdownEvent(
                    machine_id=victim.machine,
                    start=_stamp(plan.datetime_at(victim.start)),
                    end=_stamp(plan.datetime_at(victim.end)),
                )
            )
        ],
        now=_stamp(plan.origin),
        time_limit_seconds=2,
    )
    answer = stub.Reschedule(request, timeout=60)
    assert answer.plan.version == 4 and answer.changes.old_version == 3
    assert victim.id in {m.operation_id for m in answer.changes.moved}
    assert not released.keys() & {m.operation_id for m in answer.changes.moved}
    new = Plan.from_dict(
        json.loads(stub.GetPlan(pb.GetPlanRequest(plan_id=plan_id), timeout=10).plan.plan_json)
    )
    assert {op.id: op for op in new.order("SO-1").operations} == released
    for _, op in new.operations():
        if op.machine == victim.machine and op.state != "cancelled":
            assert op.end <= victim.start or op.start >= victim.end, op.id
    return new


def _stamp(moment: Any) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def test_compare_scenarios_side_by_side(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that CompareScenarios returns the base and each scenario's KPIs side by side, and that bad
    scenario JSON is INVALID_ARGUMENT naming ``scenarios``."""
    scenarios = {
        "scenarios": [
            {
                "name": "no CNC-2",
                "description": "CNC-2 out",
                "changes": [{"type": "remove_machine", "machine": "CNC-2"}],
            }
        ]
    }
    request = pb.CompareScenariosRequest(
        plant=SMALL_PLANT.read_bytes(),
        history_file=history_file(),
        orders=ppb.CustomerOrders(csv=ORDERS_CSV.encode()),
        scenarios=json.dumps(scenarios).encode(),
        settings=SETTINGS,
    )
    rows = stub.CompareScenarios(request, timeout=120).scenarios
    assert [r.scenario for r in rows] == ["base", "no CNC-2"]
    assert rows[1].description == "CNC-2 out"
    for row in rows:
        assert row.kpis.schedule_status in ("optimal", "feasible")
        assert row.kpis.all["makespan"] == row.kpis.makespan > 0
    bad = pb.CompareScenariosRequest(plant=SMALL_PLANT.read_bytes(), scenarios=b"{oops", settings=SETTINGS)
    with pytest.raises(grpc.RpcError) as info:
        stub.CompareScenarios(bad, timeout=30)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(info.value)[0][0] == "scenarios"


def test_cli_submit_plan_writes_a_plan_folder(server: Any, tmp_path: Path) -> None:
    """Tests that `planner submit-plan --wait --out` prints the job id and writes a plan folder that
    `planner export --validate` accepts, and that `planner jobs wait --out` writes the same plan."""
    from click.testing import CliRunner

    from planner.cli import main

    demand, orders = tmp_path / "demand.csv", tmp_path / "orders.csv"
    short_history(days=42).to_csv(demand, index=False)
    orders.write_text(ORDERS_CSV)
    out = tmp_path / "plan"
    args = ["--time-limit", "2", "--lot-time-limit", "3", "--workers", "1"]
    args += ["--forecast-model", "snaive", "--forecast-model", "naive", "--server", server.address]
    submit = ["submit-plan", str(SMALL_PLANT), "--demand", str(demand), "--orders", str(orders)]
    runner = CliRunner()
    result = runner.invoke(
        main,
        [*submit, *args, "--wait", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    job_id = result.stdout.splitlines()[0]
    plan = Plan.read(out)
    assert plan.plan_id == job_id and plan.version == 1
    assert (out / "versions" / "plan.v1.json").exists() and (out / "operations.csv").exists()
    exported = runner.invoke(
        main, ["export", str(out), "--format", "b2mml-xml", "--validate", "--out", str(tmp_path / "docs")]
    )
    assert exported.exit_code == 0, exported.output
    again = tmp_path / "again"
    waited = runner.invoke(
        main,
        ["jobs", "wait", job_id, "--out", str(again), "--server", server.address],
        catch_exceptions=False,
    )
    assert waited.exit_code == 0, waited.output
    assert Plan.read(again) == plan


@pytest.mark.parametrize(
    ("given", "expected"), [(None, 0.10), (0.0, 0.0), (0.05, 0.05), (float("inf"), None)]
)
def test_plan_settings_carry_the_makespan_tolerance(tmp_path, given, expected):
    """Tests that a request's tolerance reaches the pipeline settings through their JSON form: absent is the
    default, infinity is no bound, and a negative one is refused naming the field."""
    from planner.service.plan_tasks import resolve_settings, settings_from_dict

    values = resolve_settings({"makespan_tolerance": given}, config(tmp_path))
    json.dumps(values, allow_nan=False)  # stored as plain JSON
    assert settings_from_dict(values).makespan_tolerance == expected
    with pytest.raises(ValidationError, match=r"settings\.makespan_tolerance"):
        resolve_settings({"makespan_tolerance": -0.5}, config(tmp_path))
