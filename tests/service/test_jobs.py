"""Tests that durable jobs work over a real channel: start, get, list, watch, cancel, idempotency, and
that a running job survives a shutdown (requeued with a checkpoint) on SQLite."""

from __future__ import annotations

import threading
from typing import Any

import grpc
import pytest

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import scheduling_pb2 as spb
from planner.client import PlannerClient
from planner.scheduling import check_solution
from planner.service import convert
from planner.store import JobStore
from tests.service.conftest import FT06, FT10, file_source, free_port, terminal, tiny_problem, wait_for


def start(
    stub: pb_grpc.PlannerServiceStub, path: Any = FT06, time_limit: float = 5, **kwargs: Any
) -> pb.JobInfo:
    request = pb.StartSolveRequest(
        instance_file=file_source(path),
        options=spb.SolveOptions(time_limit_seconds=time_limit, num_workers=1),
        **kwargs,
    )
    return stub.StartSolve(request, timeout=10).job


def wait_job(stub: pb_grpc.PlannerServiceStub, job_id: str, timeout: float = 60) -> pb.JobInfo:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (
            (job := stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=10).job) and terminal(job) and job
        ),
        timeout=timeout,
        interval=0.1,
    )


def test_start_get_watch_list(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a job is queued at once, streams its progress and ends with a checked optimal schedule."""
    job = start(stub, FT06, time_limit=3)
    assert job.job_id and job.state in (pb.JOB_STATE_QUEUED, pb.JOB_STATE_RUNNING)
    assert job.kind == pb.JOB_KIND_SCHEDULE and job.name == "ft06"
    events = list(stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id), timeout=60))
    sequences = [e.sequence for e in events if e.sequence]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    states = [e.state_change.state for e in events if e.HasField("state_change")]
    assert (
        states[0] == pb.JOB_STATE_QUEUED
        and pb.JOB_STATE_RUNNING in states
        and states[-1] == pb.JOB_STATE_SUCCEEDED
    )
    progress = [e.progress.objective for e in events if e.HasField("progress")]
    assert progress and progress == sorted(progress, reverse=True)
    final = events[-1].job
    assert final.state == pb.JOB_STATE_SUCCEEDED
    assert final.schedule_result.objective == progress[-1] >= 55
    if final.schedule_result.status == spb.SOLVE_STATUS_OPTIMAL:
        assert final.schedule_result.objective == 55

    got = stub.GetJob(pb.GetJobRequest(job_id=job.job_id, include_instance=True), timeout=10).job
    data = convert.problem_from_proto(got.instance)
    schedule = convert.result_from_proto(got.schedule_result).schedule
    assert schedule is not None
    report = check_solution(data, schedule)
    assert report.ok and report.kpis is not None and report.kpis.makespan == final.schedule_result.objective

    # Watching again from a sequence number replays only the later events.
    later = list(
        stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id, after_sequence=sequences[-2]), timeout=10)
    )
    assert [e.sequence for e in later if e.sequence] == sequences[-1:]

    listed = stub.ListJobs(pb.ListJobsRequest(), timeout=10).jobs
    assert [j.job_id for j in listed] == [job.job_id]
    assert listed[0].schedule_result.objective == 55 and not listed[0].schedule_result.schedule


def test_list_pages_and_filters(make_server: Any) -> None:
    """Tests that ListJobs pages newest first without repeats and filters by state."""
    server = make_server(run_jobs=False)  # keeps the jobs queued
    with grpc.insecure_channel(server.address) as ch:
        stub = pb_grpc.PlannerServiceStub(ch)
        ids = [
            stub.StartSolve(
                pb.StartSolveRequest(instance=convert.problem_to_proto(tiny_problem(f"t{i}"))), timeout=10
            ).job.job_id
            for i in range(5)
        ]
        seen: list[str] = []
        token = ""
        while True:
            page = stub.ListJobs(pb.ListJobsRequest(page_size=2, page_token=token), timeout=10)
            assert len(page.jobs) <= 2
            seen.extend(j.job_id for j in page.jobs)
            token = page.next_page_token
            if not token:
                break
        assert seen == list(reversed(ids))
        queued = stub.ListJobs(pb.ListJobsRequest(state=pb.JOB_STATE_QUEUED), timeout=10).jobs
        assert len(queued) == 5
        assert not stub.ListJobs(pb.ListJobsRequest(state=pb.JOB_STATE_RUNNING), timeout=10).jobs


def test_request_id_makes_start_idempotent(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that repeating StartSolve with a request_id returns the first job, and reusing it differently fails."""
    first = stub.StartSolve(
        pb.StartSolveRequest(instance_file=file_source(FT06), request_id="ERP-1"), timeout=10
    )
    again = stub.StartSolve(
        pb.StartSolveRequest(instance_file=file_source(FT06), request_id="ERP-1"), timeout=10
    )
    assert not first.existing and again.existing
    assert again.job.job_id == first.job.job_id
    with pytest.raises(grpc.RpcError) as info:
        stub.StartSolve(pb.StartSolveRequest(instance_file=file_source(FT10), request_id="ERP-1"), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert len(stub.ListJobs(pb.ListJobsRequest(), timeout=10).jobs) == 1


def test_cancel_running_job_keeps_best_schedule(server: Any, stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that cancelling a running solve stops it promptly and keeps the best schedule found."""
    job = start(stub, FT10, time_limit=60)
    stream = stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id), timeout=60)
    for event in stream:
        if event.HasField("progress"):
            break
    cancelled = stub.CancelJob(pb.CancelJobRequest(job_id=job.job_id), timeout=10).job
    assert cancelled.cancel_requested
    final = wait_job(stub, job.job_id, timeout=10)
    assert final.state == pb.JOB_STATE_CANCELLED
    result = final.schedule_result
    assert result.status == spb.SOLVE_STATUS_FEASIBLE and len(result.schedule) == 100
    assert result.runtime_seconds < 30
    wait_for(lambda: server.pool.running == 0, timeout=5)
    # Cancelling again is harmless.
    assert (
        stub.CancelJob(pb.CancelJobRequest(job_id=job.job_id), timeout=10).job.state == pb.JOB_STATE_CANCELLED
    )


def test_cancel_queued_job(make_server: Any) -> None:
    """Tests that a queued job is cancelled at once, without a result."""
    server = make_server(run_jobs=False)
    with grpc.insecure_channel(server.address) as ch:
        stub = pb_grpc.PlannerServiceStub(ch)
        job = start(stub)
        done = stub.CancelJob(pb.CancelJobRequest(job_id=job.job_id), timeout=10).job
        assert done.state == pb.JOB_STATE_CANCELLED and not done.HasField("schedule_result")


def test_shutdown_requeues_running_job_and_waiting_client_gets_the_result(make_server: Any) -> None:
    """Tests that a graceful stop requeues a running job with its checkpoint, a new server on the same
    database and port completes it, and a client waiting throughout gets the result."""
    port = free_port()
    first = make_server(port=port)
    outcome: dict[str, Any] = {}
    with PlannerClient(first.address) as client:
        job = client.start_solve(FT10, time_limit=3, num_workers=1)
        progressed = threading.Event()

        def follow() -> None:
            def on_event(event: pb.WatchJobResponse) -> None:
                if event.HasField("progress"):
                    progressed.set()

            try:
                outcome["job"] = client.wait(job.job_id, on_event=on_event, timeout=120, retry_for=60)
            except BaseException as exc:
                outcome["error"] = exc

        waiter = threading.Thread(target=follow)
        waiter.start()
        assert progressed.wait(60)
        first.stop(0.5)
        stored = JobStore(first.config.db_url)
        record = stored.get(job.job_id)
        stored.close()
        assert record.state.value == "queued" and record.checkpoint and record.checkpoint["schedule"]
        make_server(port=port)
        waiter.join(120)
    assert "error" not in outcome, outcome.get("error")
    final = outcome["job"]
    assert final.state == pb.JOB_STATE_SUCCEEDED and final.attempts == 2
    assert len(final.schedule_result.schedule) == 100


def test_watch_sends_heartbeats_while_nothing_happens(make_server: Any) -> None:
    """Tests that a watcher of a job that waits in the queue gets its state, then heartbeats."""
    server = make_server(run_jobs=False, heartbeat_interval=0.2)
    with grpc.insecure_channel(server.address) as ch:
        stub = pb_grpc.PlannerServiceStub(ch)
        job = start(stub)
        stream = stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id), timeout=10)
        first = next(stream)
        assert first.sequence == 1 and first.state_change.state == pb.JOB_STATE_QUEUED
        beats = [next(stream), next(stream)]
        stream.cancel()
    assert all(b.HasField("heartbeat") and b.heartbeat.state == pb.JOB_STATE_QUEUED for b in beats)
    assert all(b.sequence == 0 and not b.HasField("job") for b in beats)
