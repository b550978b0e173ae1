"""A Python client of the planner gRPC service, for ERP/MES integrators and the ``planner`` command.

Example
-------
>>> from planner.client import PlannerClient
>>> with PlannerClient("127.0.0.1:50051") as client:            # doctest: +SKIP
...     job = client.start_solve("orders.json", time_limit=60, request_id="ERP-4711")
...     done = client.wait(job.job_id, on_event=print)
...     result = client.to_result(done.schedule_result)
...     print(result.status, result.objective)

Forecasts and lot-sizing plans::

    with PlannerClient("127.0.0.1:50051") as client:            # doctest: +SKIP
        job = client.start_forecast("history.csv", horizon=18, quantiles=(0.1, 0.5, 0.9, 0.95))
        done = client.wait(job.job_id)
        frame = client.to_forecast_frame(done.forecast_result)   # unique_id, ds, yhat, q10, ..., model
        plan = client.plan_inventory("plant.json", forecast_job_id=job.job_id, service_level=0.95)
        print(plan.status, plan.objective, list(plan.explanation))

Whole plans: a durable job, then the stored plan and its versions::

    with PlannerClient("127.0.0.1:50051") as client:            # doctest: +SKIP
        job = client.create_plan("plant.json", history="demand.csv", orders="orders.csv")
        summary = client.wait(job.job_id).plan_result             # plan id, version 1, KPIs
        view = client.get_plan(summary.plan_id)                   # dispatch lists, orders, inventory
        client.release_orders(summary.plan_id, ["SO-1"], "approve")
        client.release_orders(summary.plan_id, ["SO-1"], "release")
        docs = client.export_plan(summary.plan_id, "b2mml-xml")   # validated B2MML documents

Methods return the API's protobuf messages (:mod:`planner.api.v1`); :meth:`PlannerClient.to_result`
turns a ``SolveResult`` into a :class:`planner.scheduling.Result` and :meth:`PlannerClient.to_forecast_frame`
a ``ForecastResult`` into a pandas table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import inventory_pb2 as ipb
from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import planning_pb2 as ppb
from planner.api.v1 import scheduling_pb2 as spb
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import Result

logger = logging.getLogger(__name__)

_EXTENSIONS = {".fjs": "fjsp", ".json": "native"}
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)
TERMINAL_STATES = (pb.JOB_STATE_SUCCEEDED, pb.JOB_STATE_FAILED, pb.JOB_STATE_CANCELLED)

Instance = ProblemData | str | Path
History = Any
"""A demand history: a pandas DataFrame (sent as rows) or the path of a CSV or Parquet file (sent as bytes)."""
LotSizingSource = Any
"""A lot-sizing problem: :class:`planner.inventory.LotSizingData` or ``LotSizingProblem`` messages (sent
inline), or the path of a Trigeiro .DAT or native JSON file (sent as bytes)."""
PlantSource = str | Path | bytes | dict[str, Any]
"""A plant: the path of its JSON file, its bytes, or the parsed document."""
Orders = str | Path | bytes | Sequence[ppb.CustomerOrder]
"""Customer orders: a CSV path or CSV bytes, or ``CustomerOrder`` messages."""


def state_name(state: int) -> str:
    """``"running"`` for ``JOB_STATE_RUNNING`` and so on."""
    return str(pb.JobState.Name(state)).removeprefix("JOB_STATE_").lower()


def status_name(status: int) -> str:
    """``"optimal"`` for ``SOLVE_STATUS_OPTIMAL`` and so on."""
    return str(spb.SolveStatus.Name(status)).removeprefix("SOLVE_STATUS_").lower()


def plan_status_name(status: int) -> str:
    """``"optimal"`` for ``PLAN_STATUS_OPTIMAL`` and so on."""
    return str(ipb.PlanStatus.Name(status)).removeprefix("PLAN_STATUS_").lower()


def kind_name(kind: int) -> str:
    """``"forecast"`` for ``JOB_KIND_FORECAST`` and so on."""
    return str(pb.JobKind.Name(kind)).removeprefix("JOB_KIND_").lower()


class PlannerClient:
    """Talks to a planner server.

    Parameters
    ----------
    target
        ``host:port`` of the server.
    token
        Bearer token, when the server requires one.
    root_certificates
        PEM of the CA that signed the server's certificate; set to use TLS.
    private_key, certificate_chain
        PEM of the client's key and certificate, for mutual TLS.
    timeout
        Default deadline in seconds of unary calls (not of ``SolveSchedule``, whose deadline follows its
        time limit).
    """

    def __init__(
        self,
        target: str = "127.0.0.1:50051",
        *,
        token: str | None = None,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        timeout: float = 30.0,
    ):
        self.target = target
        self.timeout = timeout
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        if root_certificates is not None or certificate_chain is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
            self.channel = grpc.secure_channel(target, credentials, options=options)
        else:
            self.channel = grpc.insecure_channel(target, options=options)
        self.stub = pb_grpc.PlannerServiceStub(self.channel)
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()

    def __enter__(self) -> PlannerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------------------

    @staticmethod
    def source(instance: Instance, format: str = "") -> dict[str, Any]:
        """The ``source`` fields of a request: inline for problem data, the file's bytes for a path."""
        if isinstance(instance, ProblemData):
            from planner.service.convert import problem_to_proto

            return {"instance": problem_to_proto(instance)}
        path = Path(instance)
        fmt = format or _EXTENSIONS.get(path.suffix.lower(), "")
        return {"instance_file": spb.InstanceFile(format=fmt, content=path.read_bytes(), name=path.stem)}

    @staticmethod
    def options(
        time_limit: float = 0.0, num_workers: int = 0, seed: int = 0, solver: str = ""
    ) -> spb.SolveOptions:
        """Solve options; zeros leave the server's defaults."""
        kinds = {"": spb.SOLVER_UNSPECIFIED, "cpsat": spb.SOLVER_CPSAT, "dispatch": spb.SOLVER_DISPATCH}
        return spb.SolveOptions(
            time_limit_seconds=time_limit, num_workers=num_workers, seed=seed, solver=kinds[solver]
        )

    # -- calls -------------------------------------------------------------------------------------------

    def solve(
        self,
        instance: Instance,
        *,
        time_limit: float = 10.0,
        num_workers: int = 0,
        seed: int = 0,
        solver: str = "",
        format: str = "",
        timeout: float | None = None,
    ) -> spb.SolveResult:
        """Solve at once (``SolveSchedule``); the deadline defaults to the time limit plus 30 seconds."""
        request = pb.SolveScheduleRequest(
            **self.source(instance, format), options=self.options(time_limit, num_workers, seed, solver)
        )
        deadline = timeout if timeout is not None else time_limit + 30.0
        response = self.stub.SolveSchedule(request, timeout=deadline, metadata=self._metadata)
        return response.result

    def validate(self, instance: Instance, *, format: str = "") -> pb.ValidateInstanceResponse:
        """Check an instance (``ValidateInstance``)."""
        request = pb.ValidateInstanceRequest(**self.source(instance, format))
        return self.stub.ValidateInstance(request, timeout=self.timeout, metadata=self._metadata)

    def start_solve(
        self,
        instance: Instance,
        *,
        time_limit: float = 0.0,
        num_workers: int = 0,
        seed: int = 0,
        solver: str = "",
        format: str = "",
        request_id: str = "",
    ) -> pb.JobInfo:
        """Start a durable job (``StartSolve``); the same ``request_id`` never starts a second job."""
        request = pb.StartSolveRequest(
            **self.source(instance, format),
            options=self.options(time_limit, num_workers, seed, solver),
            request_id=request_id,
        )
        return self.stub.StartSolve(request, timeout=self.timeout, metadata=self._metadata).job

    def get_job(self, job_id: str, *, include_instance: bool = False) -> pb.JobInfo:
        """A job with its result when finished (``GetJob``), and its problem with ``include_instance``."""
        request = pb.GetJobRequest(job_id=job_id, include_instance=include_instance)
        return self.stub.GetJob(request, timeout=self.timeout, metadata=self._metadata).job

    def list_jobs(
        self, *, page_size: int = 100, state: int = 0, kind: int = 0, limit: int | None = None
    ) -> Iterator[pb.JobInfo]:
        """Every job (of ``kind``, in ``state``), newest first, fetching page after page (``ListJobs``)."""
        token = ""
        count = 0
        while True:
            page = self.stub.ListJobs(
                pb.ListJobsRequest(page_size=page_size, page_token=token, state=state, kind=kind),  # type: ignore[arg-type]
                timeout=self.timeout,
                metadata=self._metadata,
            )
            for job in page.jobs:
                yield job
                count += 1
                if limit is not None and count >= limit:
                    return
            token = page.next_page_token
            if not token:
                return

    def cancel_job(self, job_id: str) -> pb.JobInfo:
        """Stop a job; a running solve keeps its best schedule (``CancelJob``)."""
        return self.stub.CancelJob(
            pb.CancelJobRequest(job_id=job_id), timeout=self.timeout, metadata=self._metadata
        ).job

    def watch_job(
        self, job_id: str, after_sequence: int = 0, timeout: float | None = None
    ) -> Iterator[pb.WatchJobResponse]:
        """Stream a job's events (``WatchJob``) until it ends."""
        return self.stub.WatchJob(  # type: ignore[no-any-return]
            pb.WatchJobRequest(job_id=job_id, after_sequence=after_sequence),
            timeout=timeout,
            metadata=self._metadata,
        )

    def wait(
        self,
        job_id: str,
        *,
        on_event: Callable[[pb.WatchJobResponse], None] | None = None,
        timeout: float | None = None,
        retry_for: float = 120.0,
    ) -> pb.JobInfo:
        """Follow a job until it ends and return it with its result.

        Reconnects (resuming after the last event seen) when the server restarts or the connection
        drops, for up to ``retry_for`` seconds without contact.

        Raises
        ------
        grpc.RpcError
            For errors other than an unreachable server, or when it stays unreachable.
        TimeoutError
            When ``timeout`` seconds pass first.
        """
        after = 0
        start = time.monotonic()
        last_contact = time.monotonic()
        delay = 0.2
        while True:
            remaining = None if timeout is None else timeout - (time.monotonic() - start)
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"job {job_id} did not end within {timeout} s")
            try:
                for event in self.watch_job(job_id, after, timeout=remaining):
                    last_contact = time.monotonic()
                    delay = 0.2
                    if event.sequence:
                        after = event.sequence
                    if on_event is not None:
                        on_event(event)
                    if event.HasField("job") and event.job.state in TERMINAL_STATES:
                        return event.job
            except grpc.RpcError as exc:
                code = exc.code()  # type: ignore[attr-defined]
                if code not in _RETRYABLE or time.monotonic() - last_contact > retry_for:
                    if code == grpc.StatusCode.DEADLINE_EXCEEDED and timeout is not None:
                        raise TimeoutError(f"job {job_id} did not end within {timeout} s") from exc
                    raise
                logger.info("lost the server (%s); reconnecting in %.1fs", code.name, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    # -- forecasts ---------------------------------------------------------------------------------------

    @staticmethod
    def history_source(history: History, field: str = "history") -> dict[str, Any]:
        """The history (or future) fields of a forecast request: rows for a DataFrame, bytes for a path."""
        if isinstance(history, str | Path):
            path = Path(history)
            fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
            return {f"{field}_file": fpb.TableFile(format=fmt, content=path.read_bytes(), name=path.stem)}
        columns = [c for c in history.columns if c not in ("unique_id", "ds", "y")]
        rows = []
        for record in history.to_dict("records"):
            ds = record["ds"]
            rows.append(
                fpb.DemandObservation(
                    unique_id=str(record["unique_id"]),
                    ds=ds.isoformat() if hasattr(ds, "isoformat") else str(ds),
                    y=float(record.get("y", 0.0)),
                    regressors={c: float(record[c]) for c in columns},
                )
            )
        message = fpb.DemandHistory(rows=rows) if field == "history" else fpb.FutureRegressors(rows=rows)
        return {field: message}

    @staticmethod
    def forecast_options(
        horizon: int,
        *,
        freq: str = "",
        quantiles: tuple[float, ...] = (),
        country: str = "",
        models: tuple[str, ...] = (),
        combinations: tuple[str, ...] = (),
        default_model: str = "",
        num_windows: int | None = None,
    ) -> fpb.ForecastOptions:
        """Forecast options; empty values leave the engine's defaults."""
        options = fpb.ForecastOptions(
            horizon=horizon,
            freq=freq,
            quantiles=list(quantiles),
            country=country,
            models=list(models),
            combinations=list(combinations),
            default_model=default_model,
        )
        if num_windows is not None:
            options.num_windows = num_windows
        return options

    def _forecast_fields(
        self, history: History, future: History | None, name: str, **options: Any
    ) -> dict[str, Any]:
        fields = {**self.history_source(history), "options": self.forecast_options(**options), "name": name}
        if future is not None:
            fields.update(self.history_source(future, "future"))
        return fields

    def forecast(
        self,
        history: History,
        horizon: int,
        *,
        future: History | None = None,
        name: str = "",
        timeout: float | None = None,
        **options: Any,
    ) -> fpb.ForecastResult:
        """Forecast a small batch at once (``Forecast``); options as :meth:`forecast_options`.

        Series that cannot be forecast are listed in ``result.failures``; the call itself fails only for
        a bad request (INVALID_ARGUMENT) or a batch above the server's limits (RESOURCE_EXHAUSTED).
        """
        request = pb.ForecastRequest(
            **self._forecast_fields(history, future, name, horizon=horizon, **options)
        )
        deadline = timeout if timeout is not None else max(self.timeout, 300.0)
        return self.stub.Forecast(request, timeout=deadline, metadata=self._metadata).result

    def start_forecast(
        self,
        history: History,
        horizon: int,
        *,
        future: History | None = None,
        name: str = "",
        request_id: str = "",
        **options: Any,
    ) -> pb.JobInfo:
        """Start a durable forecast job (``StartForecast``); follow it with :meth:`wait`."""
        request = pb.StartForecastRequest(
            **self._forecast_fields(history, future, name, horizon=horizon, **options), request_id=request_id
        )
        return self.stub.StartForecast(request, timeout=self.timeout, metadata=self._metadata).job

    @staticmethod
    def to_forecast_frame(message: fpb.ForecastResult) -> Any:
        """The forecast table of a result: ``unique_id, ds, yhat``, one column per quantile, ``model``."""
        from planner.service.convert import forecast_frame

        return forecast_frame(message)

    # -- lot sizing --------------------------------------------------------------------------------------

    @staticmethod
    def problem_source(problem: LotSizingSource, format: str = "") -> dict[str, Any]:
        """The ``source`` fields of a lot-sizing request: inline messages, or the file's bytes for a path."""
        from planner.inventory import LotSizingData

        if isinstance(problem, ipb.LotSizingProblem):
            return {"problem": problem}
        if isinstance(problem, LotSizingData):
            from planner.service.convert import lotsizing_to_proto

            return {"problem": lotsizing_to_proto(problem)}
        path = Path(problem)
        fmt = format or ("json" if path.suffix.lower() == ".json" else "trigeiro")
        return {"problem_file": ipb.LotSizingFile(format=fmt, content=path.read_bytes(), name=path.stem)}

    @staticmethod
    def plan_options(
        *, backend: str = "", time_limit: float = 0.0, num_threads: int = 0, seed: int = 0
    ) -> ipb.PlanInventoryOptions:
        """Lot-sizing options; zeros and empty leave the server's defaults."""
        backends = {
            "": ipb.LOT_SIZING_BACKEND_UNSPECIFIED,
            "ortools": ipb.LOT_SIZING_BACKEND_ORTOOLS,
            "pulp": ipb.LOT_SIZING_BACKEND_PULP,
        }
        if backend not in backends:
            raise ValueError(f"unknown backend {backend!r}; use ortools or pulp")
        return ipb.PlanInventoryOptions(
            backend=backends[backend], time_limit_seconds=time_limit, num_threads=num_threads, seed=seed
        )

    @staticmethod
    def policy(
        *,
        demand_quantile: float | None = None,
        service_level: float | None = None,
        backlog_penalty: float | None = None,
        safety_stock_penalty: float | None = None,
    ) -> ipb.PlanningPolicy:
        """How demand, safety stock and backlog are derived where the problem leaves them open."""
        values = {
            "demand_quantile": demand_quantile,
            "service_level": service_level,
            "backlog_penalty": backlog_penalty,
            "safety_stock_penalty": safety_stock_penalty,
        }
        return ipb.PlanningPolicy(**{k: v for k, v in values.items() if v is not None})

    def _plan_fields(
        self,
        problem: LotSizingSource,
        format: str,
        forecast_job_id: str,
        policy: dict[str, Any],
        options: dict[str, Any],
    ) -> dict[str, Any]:
        fields = {
            **self.problem_source(problem, format),
            "policy": self.policy(**policy),
            "options": self.plan_options(**options),
        }
        if forecast_job_id:
            fields["forecast_demand"] = ipb.ForecastDemand(forecast_job_id=forecast_job_id)
        return fields

    def plan_inventory(
        self,
        problem: LotSizingSource,
        *,
        format: str = "",
        forecast_job_id: str = "",
        demand_quantile: float | None = None,
        service_level: float | None = None,
        backlog_penalty: float | None = None,
        safety_stock_penalty: float | None = None,
        backend: str = "",
        time_limit: float = 10.0,
        num_threads: int = 0,
        seed: int = 0,
        timeout: float | None = None,
    ) -> ipb.PlanInventoryResult:
        """Plan lot sizes at once (``PlanInventory``); the deadline defaults to the time limit plus 30 s.

        With ``forecast_job_id``, the items take their demand from the series of the same name of that
        finished forecast job (see ``ForecastDemand`` in ``inventory.proto``).
        """
        policy = {
            "demand_quantile": demand_quantile,
            "service_level": service_level,
            "backlog_penalty": backlog_penalty,
            "safety_stock_penalty": safety_stock_penalty,
        }
        options = {"backend": backend, "time_limit": time_limit, "num_threads": num_threads, "seed": seed}
        request = pb.PlanInventoryRequest(
            **self._plan_fields(problem, format, forecast_job_id, policy, options)
        )
        deadline = timeout if timeout is not None else time_limit + 30.0
        return self.stub.PlanInventory(request, timeout=deadline, metadata=self._metadata).result

    def start_plan_inventory(
        self,
        problem: LotSizingSource,
        *,
        format: str = "",
        forecast_job_id: str = "",
        demand_quantile: float | None = None,
        service_level: float | None = None,
        backlog_penalty: float | None = None,
        safety_stock_penalty: float | None = None,
        backend: str = "",
        time_limit: float = 0.0,
        num_threads: int = 0,
        seed: int = 0,
        request_id: str = "",
    ) -> pb.JobInfo:
        """Start a durable lot-sizing job (``StartPlanInventory``); arguments as :meth:`plan_inventory`."""
        policy = {
            "demand_quantile": demand_quantile,
            "service_level": service_level,
            "backlog_penalty": backlog_penalty,
            "safety_stock_penalty": safety_stock_penalty,
        }
        options = {"backend": backend, "time_limit": time_limit, "num_threads": num_threads, "seed": seed}
        request = pb.StartPlanInventoryRequest(
            **self._plan_fields(problem, format, forecast_job_id, policy, options), request_id=request_id
        )
        return self.stub.StartPlanInventory(request, timeout=self.timeout, metadata=self._metadata).job

    @staticmethod
    def to_plan(message: ipb.PlanInventoryResult) -> Any:
        """The :class:`planner.inventory.Plan` of a lot-sizing result (None without a plan)."""
        from planner.service.convert import plan_from_proto

        return plan_from_proto(message)

    @staticmethod
    def to_lotsizing_data(message: ipb.LotSizingProblem) -> Any:
        """The :class:`planner.inventory.LotSizingData` of an inline lot-sizing problem."""
        from planner.service.convert import lotsizing_from_proto

        return lotsizing_from_proto(message)

    @staticmethod
    def to_problem(message: spb.ProblemInstance) -> ProblemData:
        """The :class:`planner.scheduling.ProblemData` of an inline instance."""
        from planner.service.convert import problem_from_proto

        return problem_from_proto(message)

    @staticmethod
    def to_result(message: spb.SolveResult) -> Result:
        """The :class:`planner.scheduling.Result` of an API result."""
        from planner.service.convert import result_from_proto

        return result_from_proto(message)

    # -- whole plans -------------------------------------------------------------------------------------

    @staticmethod
    def plan_settings(
        *,
        time_limit: float = 0.0,
        lot_time_limit: float = 0.0,
        num_workers: int = 0,
        seed: int = 0,
        service_level: float | None = None,
        forecast_models: tuple[str, ...] = (),
    ) -> ppb.PlanSettings:
        """The ``PlanSettings`` of a plan request (zeros: the server's defaults)."""
        settings = ppb.PlanSettings(
            time_limit_seconds=time_limit,
            lot_time_limit_seconds=lot_time_limit,
            num_workers=num_workers,
            seed=seed,
            forecast_models=list(forecast_models),
        )
        if service_level is not None:
            settings.service_level = service_level
        return settings

    @staticmethod
    def _plan_inputs(plant: PlantSource, history: History | None, orders: Orders | None) -> dict[str, Any]:
        import json

        if isinstance(plant, str | Path):
            content = Path(plant).read_bytes()
        elif isinstance(plant, bytes):
            content = plant
        else:
            content = json.dumps(plant).encode()
        fields: dict[str, Any] = {"plant": content}
        if history is not None:
            fields.update(PlannerClient.history_source(history))
        if isinstance(orders, str | Path):
            fields["orders"] = ppb.CustomerOrders(csv=Path(orders).read_bytes())
        elif isinstance(orders, bytes):
            fields["orders"] = ppb.CustomerOrders(csv=orders)
        elif orders is not None:
            fields["orders"] = ppb.CustomerOrders(orders=list(orders))
        return fields

    def create_plan(
        self,
        plant: PlantSource,
        *,
        history: History | None = None,
        orders: Orders | None = None,
        settings: ppb.PlanSettings | None = None,
        request_id: str = "",
    ) -> pb.JobInfo:
        """Start a durable whole-plan job (``CreatePlan``); follow it with :meth:`wait`.

        Parameters
        ----------
        plant
            The plant: a path of its JSON file, its bytes, or the parsed document.
        history
            Demand history (a DataFrame ``unique_id, ds, y`` or a CSV/Parquet path); None: orders only.
        orders
            Customer orders: a CSV path or bytes, or ``CustomerOrder`` messages.
        settings
            :meth:`plan_settings`.
        request_id
            Idempotency key.
        """
        request = pb.CreatePlanRequest(
            **self._plan_inputs(plant, history, orders), settings=settings, request_id=request_id
        )
        return self.stub.CreatePlan(request, timeout=self.timeout, metadata=self._metadata).job

    def get_plan(self, plan_id: str, version: int = 0) -> ppb.PlanView:
        """A stored plan version (0: the latest) with dispatch lists, orders, inventory and purchases."""
        request = pb.GetPlanRequest(plan_id=plan_id, version=version)
        return self.stub.GetPlan(request, timeout=self.timeout, metadata=self._metadata).plan

    @staticmethod
    def to_plan_object(view: ppb.PlanView) -> Any:
        """The :class:`planner.planning.Plan` of a ``PlanView`` (from its plan JSON)."""
        import json

        from planner.planning import Plan

        return Plan.from_dict(json.loads(view.plan_json))

    @staticmethod
    def breakdown(machine_id: str, start: datetime, end: datetime) -> ppb.PlanEvent:
        """A breakdown event of machine ``machine_id`` from ``start`` to ``end`` (aware datetimes)."""
        event = ppb.PlanEvent(breakdown=ppb.BreakdownEvent(machine_id=machine_id))
        event.breakdown.start.FromDatetime(start)
        event.breakdown.end.FromDatetime(end)
        return event

    @staticmethod
    def cancellation(order_id: str) -> ppb.PlanEvent:
        """An order-cancelled event."""
        return ppb.PlanEvent(order_cancelled=ppb.OrderCancelledEvent(order_id=order_id))

    def reschedule(
        self,
        plan_id: str,
        events: list[ppb.PlanEvent],
        *,
        now: datetime | None = None,
        frozen_horizon: float = 0.0,
        time_limit: float = 0.0,
        timeout: float | None = None,
    ) -> pb.RescheduleResponse:
        """Re-plan after events (``Reschedule``): the new version and what moved.

        ``frozen_horizon`` is in seconds after ``now`` (default: the server's clock).
        """
        request = pb.RescheduleRequest(
            plan_id=plan_id,
            events=events,
            frozen_horizon_seconds=frozen_horizon,
            time_limit_seconds=time_limit,
        )
        if now is not None:
            request.now.FromDatetime(now)
        deadline = timeout if timeout is not None else (time_limit or 10.0) * 2 + 30.0
        return self.stub.Reschedule(request, timeout=deadline, metadata=self._metadata)  # type: ignore[no-any-return]

    def compare_scenarios(
        self,
        plant: PlantSource,
        scenarios: str | Path | dict[str, Any],
        *,
        history: History | None = None,
        orders: Orders | None = None,
        settings: ppb.PlanSettings | None = None,
        timeout: float = 600.0,
    ) -> list[ppb.ScenarioKpis]:
        """Plan the base and each scenario (``CompareScenarios``) within ``timeout`` seconds; the base first."""
        import json

        content = (
            Path(scenarios).read_bytes()
            if isinstance(scenarios, str | Path)
            else json.dumps(scenarios).encode()
        )
        request = pb.CompareScenariosRequest(
            **self._plan_inputs(plant, history, orders), scenarios=content, settings=settings
        )
        return list(self.stub.CompareScenarios(request, timeout=timeout, metadata=self._metadata).scenarios)

    def export_plan(
        self, plan_id: str, format: str = "b2mml-xml", *, version: int = 0, since_version: int = 0
    ) -> list[ppb.ExportedDocument]:
        """Documents of a plan version (``ExportPlan``): ``format`` b2mml-xml, b2mml-json or csv."""
        value = {
            "b2mml-xml": pb.EXPORT_FORMAT_B2MML_XML,
            "b2mml-json": pb.EXPORT_FORMAT_B2MML_JSON,
            "csv": pb.EXPORT_FORMAT_CSV,
        }.get(format, pb.EXPORT_FORMAT_UNSPECIFIED)
        request = pb.ExportPlanRequest(
            plan_id=plan_id, version=version, format=value, since_version=since_version
        )
        return list(self.stub.ExportPlan(request, timeout=self.timeout, metadata=self._metadata).documents)

    def report_actuals(
        self,
        plan_id: str,
        source: str | Path | bytes,
        *,
        csv: bool | None = None,
        now: datetime | None = None,
    ) -> pb.ReportActualsResponse:
        """Record actuals (``ReportActuals``): a performance document or a CSV (by suffix unless ``csv``)."""
        if isinstance(source, str | Path):
            content = Path(source).read_bytes()
            is_csv = Path(source).suffix.lower() == ".csv" if csv is None else csv
        else:
            content, is_csv = source, bool(csv)
        request = pb.ReportActualsRequest(plan_id=plan_id)
        if is_csv:
            request.csv = content
        else:
            request.document = content
        if now is not None:
            request.now.FromDatetime(now)
        return self.stub.ReportActuals(request, timeout=self.timeout, metadata=self._metadata)  # type: ignore[no-any-return]

    def release_orders(self, plan_id: str, order_ids: list[str], action: str = "release") -> ppb.PlanSummary:
        """Approve, release or cancel orders (``ReleaseOrders``); returns the new version."""
        value = {
            "approve": pb.ORDER_ACTION_APPROVE,
            "release": pb.ORDER_ACTION_RELEASE,
            "cancel": pb.ORDER_ACTION_CANCEL,
        }.get(action, pb.ORDER_ACTION_UNSPECIFIED)
        request = pb.ReleaseOrdersRequest(plan_id=plan_id, order_ids=order_ids, action=value)
        return self.stub.ReleaseOrders(request, timeout=self.timeout, metadata=self._metadata).plan
