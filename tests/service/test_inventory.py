"""Tests that PlanInventory and StartPlanInventory plan lot sizes through a real server: inline problems,
Trigeiro files, over-tight plans with backlog, demand from a finished forecast job, and bad requests."""

from __future__ import annotations

from typing import Any

import grpc
import numpy as np
import pytest

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import inventory_pb2 as ipb
from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.client import PlannerClient
from planner.formats.trigeiro import read_trigeiro
from planner.inventory import Item, LotSizingData, Plan, Resource, check_plan, solve
from tests.service.conftest import ROOT
from tests.service.test_forecast import CHEAP, csv_file, m3, violations, wait_job

TINY_DAT = ROOT / "tests" / "inventory" / "data" / "tiny.DAT"
BOM_JSON = ROOT / "tests" / "inventory" / "data" / "bom.json"
OPTIONS = ipb.PlanInventoryOptions(time_limit_seconds=20, num_threads=1)


def two_items(capacity: float = 100) -> ipb.LotSizingProblem:
    """Two items on one press over 4 periods (the lot-sizing tests' ``two_items``)."""
    return ipb.LotSizingProblem(
        name="two_items",
        resources=[ipb.LotSizingResource(name="press", capacity=[capacity])],
        items=[
            ipb.LotSizingItem(
                name="A",
                demand=[40, 30, 50, 20],
                holding_cost=1,
                setup_cost=60,
                setup_time=10,
                unit_time=1,
                resource="press",
            ),
            ipb.LotSizingItem(
                name="B",
                demand=[20, 40, 10, 30],
                holding_cost=2,
                setup_cost=50,
                setup_time=5,
                unit_time=1,
                resource="press",
            ),
        ],
    )


def two_items_data(capacity: float = 100, **item_changes: Any) -> LotSizingData:
    return LotSizingData(
        (
            Item(
                "A",
                (40, 30, 50, 20),
                holding_cost=1,
                setup_cost=60,
                setup_time=10,
                unit_time=1,
                **item_changes,
            ),
            Item(
                "B",
                (20, 40, 10, 30),
                holding_cost=2,
                setup_cost=50,
                setup_time=5,
                unit_time=1,
                **item_changes,
            ),
        ),
        (Resource("press", (capacity,) * 4),),
        name="two_items",
    )


def plan_of(result: ipb.PlanInventoryResult) -> Plan:
    plan = PlannerClient.to_plan(result)
    assert plan is not None
    return plan  # type: ignore[no-any-return]


@pytest.mark.parametrize("backend", [ipb.LOT_SIZING_BACKEND_ORTOOLS, ipb.LOT_SIZING_BACKEND_PULP])
def test_plan_inventory_inline_matches_the_library(stub: pb_grpc.PlannerServiceStub, backend: int) -> None:
    """Tests that an inline problem is planned to the optimum solve() finds, with a plan the checker passes
    (in the response and recomputed here), for both backends."""
    options = ipb.PlanInventoryOptions(backend=backend, time_limit_seconds=20, num_threads=1)
    result = stub.PlanInventory(
        pb.PlanInventoryRequest(problem=two_items(), options=options), timeout=60
    ).result
    data = two_items_data()
    local = solve(data, time_limit=20, num_threads=1)
    assert result.status == ipb.PLAN_STATUS_OPTIMAL and local.objective is not None
    assert result.objective == pytest.approx(local.objective) and result.gap == pytest.approx(0.0, abs=1e-6)
    assert result.backend == ("ortools" if backend == ipb.LOT_SIZING_BACKEND_ORTOOLS else "pulp")
    assert result.check.ok and not result.check.violations and not result.shortfalls
    check = check_plan(data, plan_of(result))
    assert check.ok and check.costs.total == pytest.approx(result.objective)
    assert result.costs.total == pytest.approx(result.objective)
    assert result.costs.setup + result.costs.holding == pytest.approx(result.costs.total)
    assert [i.item for i in result.items] == ["A", "B"] and result.num_periods == 4
    assert list(result.resources[0].capacity) == [100] * 4
    assert np.allclose(result.resources[0].load, check.load[0])


def test_plan_inventory_trigeiro_file(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a Trigeiro .DAT file sent as bytes is planned like the file read locally."""
    file = ipb.LotSizingFile(content=TINY_DAT.read_bytes(), name="tiny")
    result = stub.PlanInventory(
        pb.PlanInventoryRequest(problem_file=file, options=OPTIONS), timeout=60
    ).result
    data = read_trigeiro(TINY_DAT)
    local = solve(data, time_limit=20, num_threads=1)
    assert result.instance_name == "tiny" and result.status == ipb.PLAN_STATUS_OPTIMAL
    assert result.objective == pytest.approx(local.objective)
    assert result.check.ok and check_plan(data, plan_of(result)).ok


def test_plan_inventory_bom_as_json_file_and_inline(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a two-level problem (a bought component consumed with a lead time) is planned alike from
    its native JSON bytes and inline, to the library's optimum, with the component ordered ahead."""
    from planner.formats.lotsizing_native import read_lotsizing_json
    from planner.service.convert import lotsizing_to_proto

    data = read_lotsizing_json(BOM_JSON)
    local = solve(data, time_limit=20, num_threads=1)
    file = ipb.LotSizingFile(content=BOM_JSON.read_bytes(), name="bom")
    from_file = stub.PlanInventory(
        pb.PlanInventoryRequest(problem_file=file, options=OPTIONS), timeout=60
    ).result
    inline = stub.PlanInventory(
        pb.PlanInventoryRequest(problem=lotsizing_to_proto(data), options=OPTIONS), timeout=60
    ).result
    for result in (from_file, inline):
        assert result.status == ipb.PLAN_STATUS_OPTIMAL and result.check.ok
        assert result.objective == pytest.approx(local.objective)
        parent, component = result.items
        assert list(parent.produce) == [0, 10] and component.produce[0] == pytest.approx(20)


def test_over_tight_plan_is_answered_with_backlog_and_explained(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that without enough capacity the policy's backlog penalty gives the least-bad plan, with the
    shortfall listed and explained, and that it is exactly the library's plan for the same data."""
    request = pb.PlanInventoryRequest(
        problem=two_items(capacity=50), policy=ipb.PlanningPolicy(backlog_penalty=20), options=OPTIONS
    )
    result = stub.PlanInventory(request, timeout=60).result
    data = two_items_data(capacity=50, backlog_penalty=20)
    local = solve(data, time_limit=20, num_threads=1)
    assert result.status == ipb.PLAN_STATUS_OPTIMAL and result.objective == pytest.approx(local.objective)
    assert result.costs.backlog > 0 and result.check.ok
    unmet = sum(s.quantity for s in result.shortfalls if s.kind == "unmet")
    assert unmet > 0 and any("unmet" in line for line in result.explanation)
    assert any("capacity is fully used" in line for line in result.explanation)
    # 240 units of demand against 200 hours minus setup times: at least 40 units stay open.
    assert unmet >= 40 - 1e-6
    without = stub.PlanInventory(
        pb.PlanInventoryRequest(problem=two_items(capacity=50), options=OPTIONS), timeout=60
    )
    assert without.result.status == ipb.PLAN_STATUS_INFEASIBLE and without.result.explanation
    assert not without.result.items and not without.result.HasField("objective")


def test_inline_quantiles_give_demand_and_safety_stock(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that an item with demand quantiles plans for the median and holds q90 - q50 as safety stock
    at a 0.9 service level."""
    problem = two_items()
    del problem.items[0].demand[:]
    problem.items[0].demand_quantiles.add(level=0.1, values=[20, 20, 30, 10])
    problem.items[0].demand_quantiles.add(level=0.5, values=[40, 30, 50, 20])
    problem.items[0].demand_quantiles.add(level=0.9, values=[55, 45, 65, 35])
    problem.items[0].safety_stock_penalty = 5
    request = pb.PlanInventoryRequest(
        problem=problem, policy=ipb.PlanningPolicy(service_level=0.9), options=OPTIONS
    )
    result = stub.PlanInventory(request, timeout=60).result
    item = result.items[0]
    assert list(item.demand) == [40, 30, 50, 20] and list(item.safety_stock) == [15, 15, 15, 15]
    assert list(result.items[1].safety_stock) == [0, 0, 0, 0]  # B has no quantiles: no safety stock
    assert result.check.ok and any("0.9 quantile minus the median" in n for n in result.notes)


def finished_forecast(stub: pb_grpc.PlannerServiceStub) -> pb.JobInfo:
    request = pb.StartForecastRequest(
        history_file=csv_file(m3("N2000", "N2500")), options=fpb.ForecastOptions(horizon=6, **CHEAP)
    )
    job = wait_job(stub, stub.StartForecast(request, timeout=30).job.job_id)
    assert job.state == pb.JOB_STATE_SUCCEEDED, job.error
    return job


def forecast_problem(num_periods: int = 0) -> ipb.LotSizingProblem:
    return ipb.LotSizingProblem(
        name="from-forecast",
        num_periods=num_periods,
        resources=[ipb.LotSizingResource(name="line", capacity=[30000])],
        items=[
            ipb.LotSizingItem(
                name="N2000",
                holding_cost=1,
                setup_cost=4000,
                unit_time=1,
                resource="line",
                backlog_penalty=50,
            ),
            ipb.LotSizingItem(
                name="N2500",
                holding_cost=1,
                setup_cost=4000,
                unit_time=1,
                resource="line",
                backlog_penalty=50,
            ),
            ipb.LotSizingItem(name="spare", holding_cost=1, setup_cost=10, unit_time=1, resource="line"),
        ],
    )


def test_plan_inventory_from_a_forecast_job(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that the series of a finished forecast job supply the demand of the items of the same name
    (point forecast; or a quantile), with safety stock q(service level) - q50 from the forecast quantiles."""
    job = finished_forecast(stub)
    series = {s.unique_id: s for s in job.forecast_result.series}
    levels = list(job.forecast_result.quantiles)
    request = pb.PlanInventoryRequest(
        problem=forecast_problem(),
        forecast_demand=ipb.ForecastDemand(forecast_job_id=job.job_id),
        policy=ipb.PlanningPolicy(service_level=0.9),
        options=OPTIONS,
    )
    result = stub.PlanInventory(request, timeout=60).result
    assert result.num_periods == 6 and result.status == ipb.PLAN_STATUS_OPTIMAL and result.check.ok
    q90, q50 = levels.index(0.9), levels.index(0.5)
    for item in result.items[:2]:
        points = series[item.item].points
        assert np.allclose(item.demand, [p.yhat for p in points])
        expected = [max(0.0, p.quantiles[q90] - p.quantiles[q50]) for p in points]
        assert np.allclose(item.safety_stock, expected) and max(expected) > 0
    assert list(result.items[2].demand) == [0] * 6  # no series named "spare": its own (zero) demand
    assert sum(job.job_id in note for note in result.notes) == 4
    # A quantile as demand, over fewer periods than the forecast has.
    request.problem.CopyFrom(forecast_problem(num_periods=4))
    request.policy.CopyFrom(ipb.PlanningPolicy(demand_quantile=0.9))
    result = stub.PlanInventory(request, timeout=60).result
    assert result.num_periods == 4
    assert np.allclose(result.items[0].demand, [p.quantiles[q90] for p in series["N2000"].points[:4]])
    # The same as a durable job: demand resolved at submission.
    start = pb.StartPlanInventoryRequest(
        problem=forecast_problem(),
        forecast_demand=request.forecast_demand,
        options=OPTIONS,
        request_id="inv-1",
    )
    inv = wait_job(stub, stub.StartPlanInventory(start, timeout=30).job.job_id)
    assert inv.kind == pb.JOB_KIND_INVENTORY and inv.state == pb.JOB_STATE_SUCCEEDED, inv.error
    assert inv.inventory_result.check.ok and len(inv.inventory_result.items) == 3
    assert np.allclose(inv.inventory_result.items[1].demand, [p.yhat for p in series["N2500"].points])
    stored = stub.GetJob(pb.GetJobRequest(job_id=inv.job_id, include_instance=True), timeout=10).job
    assert [i.name for i in stored.lotsizing_problem.items] == ["N2000", "N2500", "spare"]
    assert np.allclose(stored.lotsizing_problem.items[0].demand, [p.yhat for p in series["N2000"].points])
    listed = stub.ListJobs(pb.ListJobsRequest(kind=pb.JOB_KIND_INVENTORY), timeout=10).jobs
    assert [j.job_id for j in listed] == [inv.job_id]
    assert listed[0].inventory_result.HasField("objective") and not listed[0].inventory_result.items


def test_forecast_demand_errors(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests the errors of a forecast as demand source: unknown job NOT_FOUND, a job of another kind or
    without matching series INVALID_ARGUMENT naming the field, a forecast too short for the plan."""
    job = finished_forecast(stub)
    schedule_job = stub.StartPlanInventory(
        pb.StartPlanInventoryRequest(problem=two_items(), options=OPTIONS), timeout=30
    )
    cases = [
        ("nope", forecast_problem(), grpc.StatusCode.NOT_FOUND),
        (schedule_job.job.job_id, forecast_problem(), grpc.StatusCode.INVALID_ARGUMENT),
        (job.job_id, two_items(), grpc.StatusCode.INVALID_ARGUMENT),
        (job.job_id, forecast_problem(num_periods=8), grpc.StatusCode.INVALID_ARGUMENT),
    ]
    for job_id, problem, code in cases:
        request = pb.PlanInventoryRequest(
            problem=problem, forecast_demand=ipb.ForecastDemand(forecast_job_id=job_id), options=OPTIONS
        )
        with pytest.raises(grpc.RpcError) as info:
            stub.PlanInventory(request, timeout=30)
        assert info.value.code() == code, (job_id, info.value.details())
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            assert "forecast_demand.forecast_job_id" in violations(info.value)


def bad(change: Any) -> ipb.LotSizingProblem:
    problem = two_items()
    change(problem)
    return problem


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({}, "problem"),
        ({"problem": bad(lambda p: setattr(p.items[1], "resource", "oven"))}, "problem.items[1].resource"),
        ({"problem": bad(lambda p: setattr(p.items[1], "name", "A"))}, "problem.items[1].name"),
        ({"problem": bad(lambda p: p.items[0].demand.__setitem__(2, -1))}, "problem.items[0].demand[2]"),
        (
            {"problem": bad(lambda p: p.items[0].demand_quantiles.add(level=1.5, values=[1, 1, 1, 1]))},
            "problem.items[0].demand_quantiles[0].level",
        ),
        ({"problem": two_items(), "policy": ipb.PlanningPolicy(service_level=1.2)}, "policy.service_level"),
        (
            {"problem": two_items(), "options": ipb.PlanInventoryOptions(time_limit_seconds=-1)},
            "options.time_limit_seconds",
        ),
        ({"problem_file": ipb.LotSizingFile(content=b"1 2\nx")}, "problem_file.content"),
        ({"problem_file": ipb.LotSizingFile(format="xls", content=b"1")}, "problem_file.format"),
    ],
)
def test_bad_plan_requests_name_the_field(
    stub: pb_grpc.PlannerServiceStub, request_fields: dict[str, Any], field: str
) -> None:
    """Tests that bad lot-sizing requests are INVALID_ARGUMENT with the field path, unary and as jobs."""
    for method, message in (
        (stub.PlanInventory, pb.PlanInventoryRequest),
        (stub.StartPlanInventory, pb.StartPlanInventoryRequest),
    ):
        with pytest.raises(grpc.RpcError) as info:
            method(message(**request_fields), timeout=30)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        found = violations(info.value)
        assert any(f.startswith(field) for f in found), found


def test_client_plan_inventory(server: Any) -> None:
    """Tests the Python client's plan_inventory() and start_plan_inventory() on a Trigeiro file."""
    with PlannerClient(server.address) as client:
        result = client.plan_inventory(TINY_DAT, time_limit=20, num_threads=1, backend="pulp")
        job = client.start_plan_inventory(TINY_DAT, time_limit=20, num_threads=1)
        done = client.wait(job.job_id, timeout=120)
    assert result.status == ipb.PLAN_STATUS_OPTIMAL and result.backend == "pulp" and result.check.ok
    assert done.inventory_result.objective == pytest.approx(result.objective)


def test_lost_sales_where_the_model_has_them(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that lost sales are planned (lost demand listed, the plan checked) when the lot-sizing model
    knows them, and refused with the field named when it does not (never silently ignored)."""
    from planner.service.convert import _has_lost_sales

    problem = two_items(capacity=50)
    for item in problem.items:
        item.lost_sales_penalty = 30
    request = pb.PlanInventoryRequest(problem=problem, options=OPTIONS)
    if not _has_lost_sales():
        with pytest.raises(grpc.RpcError) as info:
            stub.PlanInventory(request, timeout=60)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "problem.items[0].lost_sales_penalty" in violations(info.value)
        return
    result = stub.PlanInventory(request, timeout=60).result
    assert result.status == ipb.PLAN_STATUS_OPTIMAL and result.check.ok
    lost = sum(sum(i.lost) for i in result.items)
    assert lost >= 40 - 1e-6 and result.costs.lost_sales == pytest.approx(30 * lost)
    assert any(s.kind == "lost" for s in result.shortfalls)
