"""Tests that SolveSchedule, ValidateInstance, health and reflection work over a real channel, and that bad
input, unknown jobs and exceeded limits get the right status codes with details."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import scheduling_pb2 as spb
from planner.scheduling import check_solution
from planner.service import Limits, convert
from tests.service.conftest import FT06, FT10, file_source, tiny_problem, wait_for


def field_violations(error: grpc.RpcError) -> list[tuple[str, str]]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "the error carries no rich status"
    out: list[tuple[str, str]] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.extend((v.field, v.description) for v in bad.field_violations)
    return out


def call_error(function: Any, *args: Any, **kwargs: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        function(*args, **kwargs)
    return info.value  # type: ignore[return-value]


def test_solve_inline_instance(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that an inline instance is solved to optimality and the schedule passes the checker."""
    data = tiny_problem()
    request = pb.SolveScheduleRequest(
        instance=convert.problem_to_proto(data), options=spb.SolveOptions(time_limit_seconds=5, num_workers=1)
    )
    response = stub.SolveSchedule(request, timeout=30)
    result = response.result
    assert result.status == spb.SOLVE_STATUS_OPTIMAL
    assert result.objective == 6
    assert result.kpis.makespan == 6
    assert result.instance_name == "tiny" and result.time_unit == "min"
    assert result.time_origin.ToJsonString() == "2026-12-07T06:00:00Z"
    schedule = convert.result_from_proto(result).schedule
    assert schedule is not None
    report = check_solution(data, schedule)
    assert report.ok, report.violations


def test_solve_instance_file(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that an instance file's bytes are solved (ft06, known optimum 55)."""
    request = pb.SolveScheduleRequest(
        instance_file=file_source(FT06, "jssp"),
        options=spb.SolveOptions(time_limit_seconds=20, num_workers=2),
    )
    result = stub.SolveSchedule(request, timeout=60).result
    assert result.status == spb.SOLVE_STATUS_OPTIMAL
    assert result.objective == 55
    assert len(result.schedule) == 36
    assert result.gap == 0


def test_deadline_clamps_time_limit_and_returns_feasible(
    server: Any, stub: pb_grpc.PlannerServiceStub
) -> None:
    """Tests that a solve asked for 60 s under a 2.5 s deadline answers in time with the best schedule so far."""
    request = pb.SolveScheduleRequest(
        instance_file=file_source(FT10), options=spb.SolveOptions(time_limit_seconds=60, num_workers=1)
    )
    result = stub.SolveSchedule(request, timeout=2.5).result
    assert result.status in (spb.SOLVE_STATUS_FEASIBLE, spb.SOLVE_STATUS_OPTIMAL)
    assert result.HasField("objective") and len(result.schedule) == 100
    assert result.runtime_seconds < 2.5
    wait_for(lambda: server.pool.running == 0, timeout=5)


def test_client_cancellation_stops_the_solver(server: Any, stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that cancelling the call stops the solver and frees its slot."""
    request = pb.SolveScheduleRequest(
        instance_file=file_source(FT10), options=spb.SolveOptions(time_limit_seconds=60, num_workers=1)
    )
    future = stub.SolveSchedule.future(request, timeout=60)
    wait_for(lambda: server.pool.running == 1, timeout=10)
    future.cancel()
    wait_for(lambda: server.pool.running == 0, timeout=5)


def test_many_concurrent_small_solves_all_succeed(make_server: Any) -> None:
    """Tests that more concurrent calls than slots are queued and all served."""
    server = make_server(slots=2)
    results: list[int] = []
    errors: list[BaseException] = []
    request = pb.SolveScheduleRequest(
        instance=convert.problem_to_proto(tiny_problem()),
        options=spb.SolveOptions(time_limit_seconds=2, num_workers=1),
    )

    def call() -> None:
        try:
            with grpc.insecure_channel(server.address) as ch:
                results.append(
                    int(pb_grpc.PlannerServiceStub(ch).SolveSchedule(request, timeout=60).result.objective)
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [6] * 12


def test_queue_limit_is_resource_exhausted(make_server: Any) -> None:
    """Tests that calls beyond the slot queue get RESOURCE_EXHAUSTED naming max_queue."""
    server = make_server(slots=1, limits=Limits(max_queue=1))
    request = pb.SolveScheduleRequest(
        instance=convert.problem_to_proto(tiny_problem()), options=spb.SolveOptions(time_limit_seconds=2)
    )
    assert server.pool.acquire(1)  # the only slot is busy
    try:
        with grpc.insecure_channel(server.address) as ch:
            stub = pb_grpc.PlannerServiceStub(ch)
            waiting = stub.SolveSchedule.future(request, timeout=30)
            wait_for(lambda: server.pool.waiting == 1)
            error = call_error(stub.SolveSchedule, request, timeout=30)
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "max_queue" in error.details()
            server.pool.release()
            assert waiting.result().result.objective == 6  # the queued call is served once the slot frees
    finally:
        if server.pool.running:
            server.pool.release()


def test_validate_instance(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that ValidateInstance summarises a valid instance and lists every violation of a bad one."""
    ok = stub.ValidateInstance(pb.ValidateInstanceRequest(instance_file=file_source(FT06)), timeout=10)
    assert ok.valid and not ok.violations
    assert (ok.summary.num_jobs, ok.summary.num_machines, ok.summary.num_operations) == (6, 6, 36)

    bad = convert.problem_to_proto(tiny_problem())
    bad.jobs[1].operations[0].modes[0].duration = -4
    bad.jobs[0].operations[1].modes[0].machine = 9
    answer = stub.ValidateInstance(pb.ValidateInstanceRequest(instance=bad), timeout=10)
    assert not answer.valid
    fields = {v.field for v in answer.violations}
    assert "instance.jobs[1].operations[0].modes[0].duration" in fields
    assert "instance.jobs[0].operations[1].modes[0].machine" in fields


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda m: setattr(m.jobs[1].operations[0].modes[0], "duration", -5),
            "instance.jobs[1].operations[0].modes[0].duration",
        ),
        (
            lambda m: setattr(m.jobs[0].operations[1].modes[0], "machine", 7),
            "instance.jobs[0].operations[1].modes[0].machine",
        ),
        (lambda m: setattr(m.jobs[0], "release", -1), "instance.jobs[0].release"),
        (lambda m: m.jobs[0].operations[0].ClearField("modes"), "instance.jobs[0].operations[0].modes"),
        (lambda m: m.ClearField("machines"), "instance.machines"),
        (lambda m: m.machines[0].unavailable.add(start=5, end=3), "instance.machines[0].unavailable[0]"),
        (lambda m: setattr(m.jobs[1], "family", 3), "instance.jobs[1].family"),
    ],
)
def test_bad_inline_instance_is_invalid_argument(
    stub: pb_grpc.PlannerServiceStub, mutate: Any, field: str
) -> None:
    """Tests that each kind of bad inline data gets INVALID_ARGUMENT with a BadRequest naming its field."""
    message = convert.problem_to_proto(tiny_problem())
    mutate(message)
    error = call_error(stub.SolveSchedule, pb.SolveScheduleRequest(instance=message), timeout=10)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in field_violations(error)]


def test_bad_files_options_and_requests_are_invalid_argument(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that malformed files, unknown formats, bad options and missing fields name their field."""
    cases = [
        (
            pb.SolveScheduleRequest(instance_file=spb.InstanceFile(format="jssp", content=b"2 2\n0 5 1\n")),
            "instance_file.content",
        ),
        (
            pb.SolveScheduleRequest(instance_file=spb.InstanceFile(format="xlsx", content=b"1 1\n0 1\n")),
            "instance_file.format",
        ),
        (
            pb.SolveScheduleRequest(instance_file=spb.InstanceFile(format="jssp", content=b"")),
            "instance_file.content",
        ),
        (pb.SolveScheduleRequest(), "instance"),
        (
            pb.SolveScheduleRequest(
                instance=convert.problem_to_proto(tiny_problem()),
                options=spb.SolveOptions(time_limit_seconds=-1),
            ),
            "options.time_limit_seconds",
        ),
    ]
    for request, field in cases:
        error = call_error(stub.SolveSchedule, request, timeout=10)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, request
        violations = field_violations(error)
        assert field in [f for f, _ in violations], violations
    error = call_error(stub.ListJobs, pb.ListJobsRequest(page_token="garbage"), timeout=10)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in field_violations(error)] == ["page_token"]


def test_violations_are_capped(make_server: Any) -> None:
    """Tests that the number of field violations in one error is capped."""
    server = make_server(limits=Limits(max_violations=3))
    message = convert.problem_to_proto(tiny_problem())
    for job in message.jobs:
        for op in job.operations:
            op.modes[0].duration = -1
    with grpc.insecure_channel(server.address) as ch:
        error = call_error(
            pb_grpc.PlannerServiceStub(ch).SolveSchedule,
            pb.SolveScheduleRequest(instance=message),
            timeout=10,
        )
    violations = field_violations(error)
    assert len(violations) == 4  # 3 shown and one line saying how many more
    assert "1 more" in violations[-1][1]


def test_unknown_job_is_not_found(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that GetJob, CancelJob and WatchJob of an unknown id answer NOT_FOUND."""
    for call, request in (
        (stub.GetJob, pb.GetJobRequest(job_id="nope")),
        (stub.CancelJob, pb.CancelJobRequest(job_id="nope")),
    ):
        assert call_error(call, request, timeout=10).code() == grpc.StatusCode.NOT_FOUND
    error = call_error(lambda: list(stub.WatchJob(pb.WatchJobRequest(job_id="nope"), timeout=10)))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_size_limits_are_resource_exhausted(make_server: Any) -> None:
    """Tests that too many operations, too long a horizon and too big a message name their limit."""
    server = make_server(limits=Limits(max_operations=10, max_horizon=5000, max_message_bytes=2000))
    with grpc.insecure_channel(server.address) as ch:
        stub = pb_grpc.PlannerServiceStub(ch)
        error = call_error(
            stub.SolveSchedule, pb.SolveScheduleRequest(instance_file=file_source(FT06)), timeout=10
        )
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_operations" in error.details()
        message = convert.problem_to_proto(tiny_problem())
        message.jobs[0].operations[0].modes[0].duration = 10_000
        error = call_error(stub.StartSolve, pb.StartSolveRequest(instance=message), timeout=10)
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_horizon" in error.details()
        big = pb.SolveScheduleRequest(instance_file=spb.InstanceFile(format="jssp", content=b"#" * 5000))
        error = call_error(stub.SolveSchedule, big, timeout=10)
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_health_and_reflection(server: Any, channel: grpc.Channel) -> None:
    """Tests that the health service answers SERVING and reflection lists the planner service."""
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "planner.api.v1.PlannerService"):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
    answers = list(
        reflect.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
        )
    )
    names = {s.name for s in answers[0].list_services_response.service}
    assert {"planner.api.v1.PlannerService", "grpc.health.v1.Health"} <= names
    request = reflection_pb2.ServerReflectionRequest(file_containing_symbol="planner.api.v1.PlannerService")
    answers = list(reflect.ServerReflectionInfo(iter([request]), timeout=5))
    assert answers[0].file_descriptor_response.file_descriptor_proto


def test_health_goes_not_serving_on_shutdown(make_server: Any) -> None:
    """Tests that stopping the server sets health to NOT_SERVING before it goes away."""
    server = make_server()
    statuses: list[int] = []
    with grpc.insecure_channel(server.address) as ch:
        health = health_pb2_grpc.HealthStub(ch)
        stream = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=20)
        statuses.append(next(stream).status)
        stopper = threading.Thread(target=server.stop, args=(1.0,))
        stopper.start()
        with contextlib.suppress(grpc.RpcError):
            statuses.extend(answer.status for answer in stream)
        stopper.join()
    assert statuses[0] == health_pb2.HealthCheckResponse.SERVING
    assert health_pb2.HealthCheckResponse.NOT_SERVING in statuses[1:]
