"""Tests that a forecast job survives its server being killed mid-run (SQLite), and a lot-sizing job
queued behind it too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import inventory_pb2 as ipb
from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.store import JobState, JobStore
from tests.service.conftest import free_port, start_process, terminal, wait_for
from tests.service.test_forecast import csv_file, many_series
from tests.service.test_inventory import two_items


@pytest.fixture
def processes() -> Iterator[list]:
    started: list = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def job_of(port: int, job_id: str) -> pb.JobInfo:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        return pb_grpc.PlannerServiceStub(ch).GetJob(pb.GetJobRequest(job_id=job_id), timeout=10).job


@pytest.mark.slow
def test_forecast_job_survives_kill_sqlite(tmp_path: Path, processes: list) -> None:
    """Tests that a forecast job whose server is SIGKILLed after its first chunk is run again from the
    start by the next server on the same SQLite database and ends with every series forecast, and that
    the lot-sizing job waiting behind it (one slot) is run by the next server too."""
    db_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    port = free_port()
    processes.append(start_process(port, db_url, "--server-id", "first"))
    num_series = 10
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = pb_grpc.PlannerServiceStub(ch)
        request = pb.StartForecastRequest(
            history_file=csv_file(many_series(num_series)),
            options=fpb.ForecastOptions(horizon=6, models=["prophet", "snaive"], num_windows=1),
            request_id="forecast-restart",
        )
        job = stub.StartForecast(request, timeout=30).job
        plan_request = pb.StartPlanInventoryRequest(
            problem=two_items(), options=ipb.PlanInventoryOptions(time_limit_seconds=10, num_threads=1)
        )
        plan_job = stub.StartPlanInventory(plan_request, timeout=30).job
        for event in stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id), timeout=120):
            if event.HasField("progress") and 0 < event.progress.series_done < num_series:
                break  # mid-run: a chunk done, others to go
    processes[0].kill()  # SIGKILL: no chance to requeue
    processes[0].wait(10)
    port = free_port()
    processes.append(start_process(port, db_url, "--server-id", "second"))
    final = wait_for(lambda: (j := job_of(port, job.job_id)) and terminal(j) and j, timeout=180, interval=0.2)
    assert final.state == pb.JOB_STATE_SUCCEEDED, final.error
    assert final.attempts == 2
    assert len(final.forecast_result.series) == num_series and not final.forecast_result.failures
    assert all(len(s.points) == 6 for s in final.forecast_result.series)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        again = pb_grpc.PlannerServiceStub(ch).StartForecast(request, timeout=30)
    assert again.existing and again.job.job_id == job.job_id  # the idempotency key survived too
    store = JobStore(db_url)
    claims = [e.message for e in store.events(job.job_id) if e.state == JobState.RUNNING]
    store.close()
    assert claims[0].startswith("claimed by first") and claims[1].startswith("claimed by second")
    planned = wait_for(lambda: (j := job_of(port, plan_job.job_id)) and terminal(j) and j, timeout=120)
    assert planned.state == pb.JOB_STATE_SUCCEEDED and planned.attempts == 1, planned.error
    assert planned.kind == pb.JOB_KIND_INVENTORY and planned.inventory_result.check.ok
    assert planned.inventory_result.status == ipb.PLAN_STATUS_OPTIMAL
