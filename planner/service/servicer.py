"""The PlannerService servicer: convert in, call the domain, convert out."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import grpc

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import planning_pb2
from planner.exceptions import FieldViolation, ValidationError
from planner.service import convert
from planner.service.config import ServiceConfig
from planner.service.errors import handle_errors, handle_stream_errors
from planner.service.runner import (
    FORECAST_KIND,
    INVENTORY_KIND,
    DeadlineTooShort,
    JobRunner,
    SlotPool,
    check_size,
    run_in_slot,
    run_solve,
)

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
        elif request.include_instance and job.kind == INVENTORY_KIND:
            from planner.service.inventory_tasks import data_from_doc

            message.lotsizing_problem.CopyFrom(
                convert.lotsizing_to_proto(data_from_doc(job.payload["problem"]))
            )
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

    # -- forecasts -----------------------------------------------------------------------------------

    @handle_errors
    def Forecast(self, request: pb.ForecastRequest, context: grpc.ServicerContext) -> pb.ForecastResponse:
        from planner.service import forecast_tasks as ft

        history, future, params = convert.forecast_request_from_proto(
            request, lambda table: ft.check_forecast_size(table, self.config)
        )
        stopped = threading.Event()

        def should_stop() -> bool:
            remaining = context.time_remaining()
            return stopped.is_set() or not context.is_active() or (remaining is not None and remaining <= 0)

        def work(_seconds_left: float | None) -> dict[str, Any]:
            try:
                return ft.run_forecast(history, future, params, should_stop=should_stop)
            except ft.ForecastStopped as exc:
                logger.info("Forecast stopped (deadline or caller gone): %s", exc)
                raise DeadlineTooShort("the deadline passed before the forecast finished") from None

        values = run_in_slot(
            work,
            self.pool,
            stop=stopped.set,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        return pb.ForecastResponse(result=convert.forecast_result_to_proto(values))

    @handle_errors
    def StartForecast(
        self, request: pb.StartForecastRequest, context: grpc.ServicerContext
    ) -> pb.StartForecastResponse:
        from planner.service.forecast_tasks import table_to_dict

        history, future, params = convert.forecast_request_from_proto(request)
        payload = {
            "history": table_to_dict(history),
            "future": None if future is None else table_to_dict(future),
            "params": params.as_dict(),
        }
        job, existing = self.runner.submit_job(
            FORECAST_KIND, payload, name=params.name, request_id=request.request_id
        )
        return pb.StartForecastResponse(job=convert.job_to_proto(job), existing=existing)

    # -- lot sizing ----------------------------------------------------------------------------------

    def _plan_problem(self, request: Any) -> tuple[Any, list[str]]:
        """The problem of a PlanInventory request with demand and policy applied, and the notes."""
        from planner.service.inventory_tasks import (
            apply_policy,
            check_plan_size,
            data_from_doc,
            forecast_of_job,
        )

        source = request.WhichOneof("source")
        quantiles: dict[str, dict[float, list[float]]] = {}
        if source == "problem":
            doc, quantiles = convert.lotsizing_doc_from_proto(request.problem)
        elif source == "problem_file":
            doc = convert.lotsizing_doc_from_file(request.problem_file)
        else:
            raise ValidationError("give the problem as problem or as problem_file", "problem")
        policy = convert.policy_from_proto(request.policy)
        forecast = None
        job_id = ""
        if request.HasField("forecast_demand"):
            job_id = request.forecast_demand.forecast_job_id
            forecast = forecast_of_job(self.store, job_id)
            if not doc["periods"]:
                doc["periods"] = int(forecast.get("horizon", 0))
        if not doc["periods"]:
            raise ValidationError(
                "cannot tell the number of periods: set num_periods or give demand or capacity per period",
                f"{source}.num_periods",
            )
        notes = apply_policy(
            doc, policy, quantiles=quantiles, forecast=forecast, forecast_job_id=job_id, prefix=source
        )
        data = data_from_doc(doc, source)
        check_plan_size(data, self.config)
        return data, notes

    @handle_errors
    def PlanInventory(
        self, request: pb.PlanInventoryRequest, context: grpc.ServicerContext
    ) -> pb.PlanInventoryResponse:
        from planner.inventory import Solver as LotSizingSolver
        from planner.service.inventory_tasks import PlanParams, plan_to_dict, solve_plan

        data, notes = self._plan_problem(request)
        params = convert.plan_params_from_proto(request.options, self.config)
        solver = LotSizingSolver(params.backend)

        def work(seconds_left: float | None) -> dict[str, Any]:
            limit = params.time_limit if seconds_left is None else min(params.time_limit, seconds_left)
            run = PlanParams(params.backend, limit, params.num_threads, params.seed, params.mip_gap)
            return plan_to_dict(solve_plan(data, run, solver), data, notes)

        values = run_in_slot(
            work,
            self.pool,
            stop=solver.stop,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        return pb.PlanInventoryResponse(result=convert.plan_result_to_proto(values))

    @handle_errors
    def StartPlanInventory(
        self, request: pb.StartPlanInventoryRequest, context: grpc.ServicerContext
    ) -> pb.StartPlanInventoryResponse:
        from planner.formats.lotsizing_native import lotsizing_to_dict

        data, notes = self._plan_problem(request)
        params = convert.plan_params_from_proto(request.options, self.config)
        payload = {"problem": lotsizing_to_dict(data), "params": params.as_dict(), "notes": notes}
        job, existing = self.runner.submit_job(
            INVENTORY_KIND, payload, name=data.name, request_id=request.request_id
        )
        return pb.StartPlanInventoryResponse(job=convert.job_to_proto(job), existing=existing)

    # -- whole plans ---------------------------------------------------------------------------------

    def _plan_inputs(self, request: Any) -> tuple[Any, Any, Any, dict[str, Any]]:
        """Plant, history, orders and settings of a CreatePlan or CompareScenarios request, checked."""
        from planner.planning.pipeline import check_history
        from planner.service import plan_tasks as pt

        plant = pt.parse_plant_bytes(bytes(request.plant))
        history = convert.plan_history_from_proto(request)
        # Demand problems (unknown products, dates past the plan start) are INVALID_ARGUMENT now, not a
        # failed job later.
        check_history(plant, history)
        orders = convert.customer_orders_from_proto(request.orders, plant)
        pt.check_plan_size(plant, orders, self.config)
        settings = convert.plan_settings_from_proto(request.settings, self.config)
        return plant, history, orders, settings

    @handle_errors
    def CreatePlan(
        self, request: pb.CreatePlanRequest, context: grpc.ServicerContext
    ) -> pb.CreatePlanResponse:
        from planner.service.plan_tasks import PLAN_KIND, plan_payload

        plant, history, orders, settings = self._plan_inputs(request)
        payload = plan_payload(plant, history, orders, settings)
        job, existing = self.runner.submit_job(
            PLAN_KIND, payload, name=plant.name, request_id=request.request_id
        )
        return pb.CreatePlanResponse(job=convert.job_to_proto(job), existing=existing)

    @handle_errors
    def GetPlan(self, request: pb.GetPlanRequest, context: grpc.ServicerContext) -> pb.GetPlanResponse:
        from planner.planning.plan import Plan

        stored = self.runner.plans.get(_plan_id(request.plan_id), _version(request.version, "version"))
        return pb.GetPlanResponse(plan=convert.plan_view_to_proto(Plan.from_dict(stored.plan)))

    @handle_errors
    def ExportPlan(
        self, request: pb.ExportPlanRequest, context: grpc.ServicerContext
    ) -> pb.ExportPlanResponse:
        from planner.service.plan_tasks import export_documents

        fmt = convert.export_format_from_proto(request.format)
        docs = export_documents(
            self.runner.plans,
            _plan_id(request.plan_id),
            _version(request.version, "version"),
            fmt,
            _version(request.since_version, "since_version"),
        )
        return pb.ExportPlanResponse(
            documents=[
                planning_pb2.ExportedDocument(name=name, media_type=media, content=content)
                for name, media, content in docs
            ]
        )

    @handle_errors
    def ReleaseOrders(
        self, request: pb.ReleaseOrdersRequest, context: grpc.ServicerContext
    ) -> pb.ReleaseOrdersResponse:
        from planner.service.plan_tasks import change_orders, summary_of

        action = convert.order_action_from_proto(request.action)
        plan = change_orders(self.runner.plans, _plan_id(request.plan_id), list(request.order_ids), action)
        return pb.ReleaseOrdersResponse(plan=convert.plan_summary_to_proto(summary_of(plan)))

    @handle_errors
    def ReportActuals(
        self, request: pb.ReportActualsRequest, context: grpc.ServicerContext
    ) -> pb.ReportActualsResponse:
        from planner.service.plan_tasks import diff_of, record_actuals, summary_of

        source = request.WhichOneof("source")
        if source is None:
            raise ValidationError("give the actuals as document or as csv", "document")
        now = request.now.ToDatetime(tzinfo=UTC) if request.HasField("now") else None
        limit = min(self.config.default_time_limit, self.config.limits.max_time_limit)

        def work(seconds_left: float | None) -> Any:
            # The remaining work is rescheduled from now, within the caller's deadline.
            return record_actuals(
                self.runner.plans,
                _plan_id(request.plan_id),
                bytes(getattr(request, source)),
                csv_format=source == "csv",
                now=now,
                time_limit=_within(limit, seconds_left),
                num_workers=self.config.workers_per_solve,
            )

        old, new, count = run_in_slot(
            work,
            self.pool,
            stop=lambda: None,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        return pb.ReportActualsResponse(
            plan=convert.plan_summary_to_proto(summary_of(new)),
            num_actuals=count,
            changes=convert.plan_changes_to_proto(diff_of(old, new), new),
        )

    @handle_errors
    def Reschedule(
        self, request: pb.RescheduleRequest, context: grpc.ServicerContext
    ) -> pb.RescheduleResponse:
        import math

        from planner.planning.plan import Plan
        from planner.planning.plant import plant_from_dict
        from planner.service.plan_tasks import reschedule_plan, summary_of

        plan_id = _plan_id(request.plan_id)
        plan = Plan.from_dict(self.runner.plans.get(plan_id).plan)
        stored = self.runner.plans.context(plan_id)
        plant = plant_from_dict(stored["plant"]) if stored.get("plant") else None
        events = convert.plan_events_from_proto(request.events, plan, plant)
        for name in ("frozen_horizon_seconds", "time_limit_seconds"):
            value = getattr(request, name)
            if value < 0 or not math.isfinite(value):
                raise ValidationError(f"must be >= 0, got {value}", name)
        frozen = math.ceil(request.frozen_horizon_seconds / plan.seconds_per_unit)
        now = plan.time_of(request.now.ToDatetime(tzinfo=UTC)) if request.HasField("now") else None
        limit = min(
            request.time_limit_seconds or self.config.default_time_limit, self.config.limits.max_time_limit
        )

        def work(seconds_left: float | None) -> Any:
            return reschedule_plan(
                self.runner.plans,
                plan_id,
                events,
                now=now,
                frozen_horizon=frozen,
                time_limit=_within(limit, seconds_left),
                num_workers=self.config.workers_per_solve,
            )

        _, new, diff = run_in_slot(
            work,
            self.pool,
            stop=lambda: None,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        return pb.RescheduleResponse(
            plan=convert.plan_summary_to_proto(summary_of(new)),
            changes=convert.plan_changes_to_proto(diff, new),
        )

    @handle_errors
    def CompareScenarios(
        self, request: pb.CompareScenariosRequest, context: grpc.ServicerContext
    ) -> pb.CompareScenariosResponse:
        import json
        from dataclasses import replace

        from planner.planning.scenarios import COMPARED_KPIS, compare_scenarios, scenarios_from_dict
        from planner.service.plan_tasks import settings_from_dict

        plant, history, orders, values = self._plan_inputs(request)
        try:
            scenarios = scenarios_from_dict(json.loads(bytes(request.scenarios) or b"{}"))
        except json.JSONDecodeError as exc:
            raise ValidationError(f"not JSON (line {exc.lineno}: {exc.msg})", "scenarios") from None
        except ValidationError as exc:
            raise ValidationError(
                [FieldViolation(f"scenarios.{v.field}".rstrip("."), v.description) for v in exc.violations]
            ) from None
        settings = settings_from_dict(values)

        def work(seconds_left: float | None) -> Any:
            run = settings
            # The base solves twice (tariff-blind and energy-aware), each scenario once, each after a
            # lot-sizing solve: scale the limits so that all of them fit in the caller's deadline.
            needed = (
                2 * run.time_limit
                + run.lot_time_limit
                + len(scenarios) * (run.time_limit + run.lot_time_limit)
            )
            if seconds_left is not None and needed > 0.7 * seconds_left:
                factor = 0.7 * seconds_left / needed
                if run.time_limit * factor < 0.2:
                    raise DeadlineTooShort(
                        f"the deadline leaves {seconds_left:.1f} s for {len(scenarios) + 1} plans"
                    )
                run = replace(
                    run, time_limit=run.time_limit * factor, lot_time_limit=run.lot_time_limit * factor
                )
            return compare_scenarios(plant, history, scenarios, orders, run)

        comparison = run_in_slot(
            work,
            self.pool,
            stop=lambda: None,
            time_remaining=context.time_remaining,
            on_stop=context.add_callback,
            is_active=context.is_active,
        )
        descriptions = {s.name: s.description for s in scenarios}
        rows = []
        for name, result in comparison.results.items():
            kpis = {k: result.kpis.get(k) for k in COMPARED_KPIS}
            kpis["schedule_status"] = result.kpis.get("schedule_status")
            rows.append(
                planning_pb2.ScenarioKpis(
                    scenario=name,
                    description=descriptions.get(name, ""),
                    kpis=convert.plan_kpis_to_proto(kpis),
                )
            )
        return pb.CompareScenariosResponse(scenarios=rows)


def _plan_id(value: str) -> str:
    if not value:
        raise ValidationError("a plan id is required", "plan_id")
    return value


def _version(value: int, field: str) -> int:
    if value < 0:
        raise ValidationError(f"must be >= 0 (0: latest), got {value}", field)
    return value


def _within(limit: float, seconds_left: float | None) -> float:
    """A solve's time limit inside the caller's deadline: 80% of what is left, at least 0.1 s."""
    return max(0.1, limit if seconds_left is None else min(limit, seconds_left * 0.8))


def _job_id(value: str) -> str:
    if not value:
        raise ValidationError("a job id is required", "job_id")
    return value
