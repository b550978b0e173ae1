"""The PlannerService servicer: convert in, call the domain, convert out."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import grpc

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.exceptions import ValidationError
from planner.service import convert
from planner.service.config import ServiceConfig
from planner.service.errors import handle_errors, handle_stream_errors
from planner.service.runner import JobRunner, SlotPool, check_size, run_solve

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


class PlannerServicer(pb_grpc.PlannerServiceServicer):
    """Serves :mod:`planner.api.v1` ``PlannerService``.

    Parameters
    ----------
    config
        Server settings and limits.
    pool
        Solver slots shared with the job runner.
    runner
        The durable job runner (owns the job store).
    """

    def __init__(self, config: ServiceConfig, pool: SlotPool, runner: JobRunner):
        self.config = config
        self.pool = pool
        self.runner = runner
        self.store = runner.store
        self.max_violations = config.limits.max_violations

    @handle_errors
    def SolveSchedule(
        self, request: pb.SolveScheduleRequest, context: grpc.ServicerContext
    ) -> pb.SolveScheduleResponse:
        data = convert.problem_from_request(request, self.config)
        check_size(data, self.config)
        params = convert.params_from_proto(request.options, self.config)
        result = run_solve(
            data,
            params,
            self.pool,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        return pb.SolveScheduleResponse(result=convert.result_of_data(result, data))

    @handle_errors
    def ValidateInstance(
        self, request: pb.ValidateInstanceRequest, context: grpc.ServicerContext
    ) -> pb.ValidateInstanceResponse:
        try:
            data = convert.problem_from_request(request, self.config)
        except ValidationError as exc:
            return pb.ValidateInstanceResponse(
                valid=False, violations=convert.violations_to_proto(exc.violations[: self.max_violations])
            )
        return pb.ValidateInstanceResponse(valid=True, summary=convert.summary_to_proto(data))

    @handle_errors
    def StartSolve(
        self, request: pb.StartSolveRequest, context: grpc.ServicerContext
    ) -> pb.StartSolveResponse:
        data = convert.problem_from_request(request, self.config)
        check_size(data, self.config)
        params = convert.params_from_proto(request.options, self.config)
        job, existing = self.runner.submit(data, params, request.request_id)
        return pb.StartSolveResponse(job=convert.job_to_proto(job), existing=existing)

    @handle_errors
    def GetJob(self, request: pb.GetJobRequest, context: grpc.ServicerContext) -> pb.GetJobResponse:
        job = self.store.get(_job_id(request.job_id))
        message = convert.job_to_proto(job)
        if request.include_instance and job.kind == "schedule":
            from planner.formats import from_native_dict

            data = from_native_dict(job.payload["instance"], name=job.name)
            message.instance.CopyFrom(convert.problem_to_proto(data))
        return pb.GetJobResponse(job=message)

    @handle_errors
    def ListJobs(self, request: pb.ListJobsRequest, context: grpc.ServicerContext) -> pb.ListJobsResponse:
        if request.page_size < 0:
            raise ValidationError(f"must be >= 0, got {request.page_size}", "page_size")
        page_size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        jobs, token = self.store.list_jobs(
            page_size=page_size,
            page_token=request.page_token,
            state=convert.job_state_from_proto(request.state),
            kind=convert.job_kind_from_proto(request.kind),
        )
        return pb.ListJobsResponse(
            jobs=[convert.job_to_proto(job, with_schedule=False) for job in jobs], next_page_token=token
        )

    @handle_errors
    def CancelJob(self, request: pb.CancelJobRequest, context: grpc.ServicerContext) -> pb.CancelJobResponse:
        return pb.CancelJobResponse(job=convert.job_to_proto(self.runner.cancel(_job_id(request.job_id))))

    @handle_stream_errors
    def WatchJob(
        self, request: pb.WatchJobRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.WatchJobResponse]:
        job_id = _job_id(request.job_id)
        job = self.store.get(job_id)
        after = max(0, request.after_sequence)
        last_sent = time.monotonic()
        while context.is_active():
            events = self.store.events(job_id, after)
            for event in events:
                after = event.seq
                yield convert.event_to_proto(event)
                last_sent = time.monotonic()
            job = self.store.get(job_id)
            if job.state.terminal and after >= job.last_seq:
                final = convert.heartbeat_to_proto(job.state)
                final.job.CopyFrom(convert.job_to_proto(job))
                yield final
                return
            if time.monotonic() - last_sent >= self.config.heartbeat_interval:
                yield convert.heartbeat_to_proto(job.state)
                last_sent = time.monotonic()
            with self.runner.changed:
                self.runner.changed.wait(min(self.config.poll_interval, self.config.heartbeat_interval))


def _job_id(value: str) -> str:
    if not value:
        raise ValidationError("a job id is required", "job_id")
    return value
