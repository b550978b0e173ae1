"""Conversions between protobuf messages and domain objects: the only module that sees both.

Inline instances map field by field to :class:`~planner.scheduling.ProblemData`; every violation is
reported with its path from the request (``instance.jobs[3].operations[1].modes[0].duration``). Instance
files go through :func:`planner.formats.read_instance_text`. Times stay integers in the instance's unit;
the instance's time origin travels as a ``google.protobuf.Timestamp``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import inventory_pb2 as ipb
from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planning_pb2 as ppb
from planner.api.v1 import scheduling_pb2 as spb
from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.scheduling.problem_data import Job, Machine, Mode, Objective, Operation, ProblemData, prefixed
from planner.scheduling.result import KPIs, Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledOperation
from planner.service.config import ServiceConfig
from planner.service.runner import LimitExceeded, SolveParams, resolve_params, result_from_dict
from planner.store import JobEvent, JobRecord, JobState

_TERMS = {
    spb.OBJECTIVE_TERM_MAKESPAN: "makespan",
    spb.OBJECTIVE_TERM_TARDINESS: "tardiness",
    spb.OBJECTIVE_TERM_SETUP: "setup",
}
_TERM_ENUMS = {name: value for value, name in _TERMS.items()}
_SOLVERS = {spb.SOLVER_UNSPECIFIED: "cpsat", spb.SOLVER_CPSAT: "cpsat", spb.SOLVER_DISPATCH: "dispatch"}
_STATUS = {
    SolveStatus.OPTIMAL: spb.SOLVE_STATUS_OPTIMAL,
    SolveStatus.FEASIBLE: spb.SOLVE_STATUS_FEASIBLE,
    SolveStatus.INFEASIBLE: spb.SOLVE_STATUS_INFEASIBLE,
    SolveStatus.UNKNOWN: spb.SOLVE_STATUS_UNKNOWN,
}
_STATUS_BACK = {value: key for key, value in _STATUS.items()}
JOB_STATES = {
    JobState.QUEUED: pb.JOB_STATE_QUEUED,
    JobState.RUNNING: pb.JOB_STATE_RUNNING,
    JobState.SUCCEEDED: pb.JOB_STATE_SUCCEEDED,
    JobState.FAILED: pb.JOB_STATE_FAILED,
    JobState.CANCELLED: pb.JOB_STATE_CANCELLED,
}
_JOB_STATES_BACK = {value: key for key, value in JOB_STATES.items()}
JOB_KINDS = {
    "schedule": pb.JOB_KIND_SCHEDULE,
    "forecast": pb.JOB_KIND_FORECAST,
    "inventory": pb.JOB_KIND_INVENTORY,
    "plan": pb.JOB_KIND_PLAN,
}
_JOB_KINDS_BACK = {value: key for key, value in JOB_KINDS.items()}


# -- time -------------------------------------------------------------------------------------------------


def timestamp(value: datetime) -> Timestamp:
    """A protobuf timestamp of an aware (or naive UTC) datetime."""
    stamp = Timestamp()
    stamp.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return stamp


def _origin_to_proto(origin: str, target: Timestamp) -> None:
    if not origin:
        return
    # The domain validates time_origin; an unparsable one simply does not travel.
    with contextlib.suppress(ValueError):
        target.CopyFrom(timestamp(datetime.fromisoformat(origin)))


def _origin_from_proto(message: Any) -> str:
    if not message.HasField("time_origin"):
        return ""
    return str(message.time_origin.ToDatetime(tzinfo=UTC).isoformat())


# -- problem instances ------------------------------------------------------------------------------------


def _build(errors: list[FieldViolation], path: str, factory: Any, **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except ValidationError as exc:
        errors.extend(prefixed(exc, path))
        return None


def problem_from_proto(message: spb.ProblemInstance, prefix: str = "instance") -> ProblemData:
    """The problem data of an inline instance.

    Raises
    ------
    ValidationError
        With every violation found, each with its path below ``prefix``.
    """
    errors: list[FieldViolation] = []
    # Parts that fail validation are replaced by stand-ins, so that the cross-reference checks of the
    # whole problem still run; violations on the stand-ins themselves are dropped.
    standins: list[str] = []
    stand_in_op = Operation((Mode(0, 0),))
    machines = []
    for m_idx, m in enumerate(message.machines):
        path = f"{prefix}.machines[{m_idx}]"
        machine = _build(
            errors,
            path,
            Machine,
            name=m.name,
            unavailable=tuple((w.start, w.end) for w in m.unavailable),
            setup_times=tuple(tuple(row.times) for row in m.setup_times) if len(m.setup_times) else None,
            initial_family=m.initial_family if m.HasField("initial_family") else None,
        )
        if machine is None:
            standins.append(path)
            machine = Machine(name=m.name)
        machines.append(machine)
    jobs = []
    for j_idx, j in enumerate(message.jobs):
        path = f"{prefix}.jobs[{j_idx}]"
        operations = []
        for o_idx, o in enumerate(j.operations):
            o_path = f"{path}.operations[{o_idx}]"
            modes = [
                _build(
                    errors,
                    f"{o_path}.modes[{k}]",
                    Mode,
                    machine=md.machine,
                    duration=md.duration,
                    power=md.power,
                )
                for k, md in enumerate(o.modes)
            ]
            op = None
            if all(mode is not None for mode in modes):
                op = _build(
                    errors,
                    o_path,
                    Operation,
                    modes=tuple(modes),
                    name=o.name,
                    pinned_machine=o.pinned_machine if o.HasField("pinned_machine") else None,
                    pinned_start=o.pinned_start if o.HasField("pinned_start") else None,
                )
            if op is None:
                standins.append(o_path)
                op = stand_in_op
            operations.append(op)
        fields = {
            "name": j.name,
            "release": j.release,
            "due": j.due if j.HasField("due") else None,
            "weight": j.weight if j.HasField("weight") else 1,
            "family": j.family,
        }
        job = _build(errors, path, Job, operations=tuple(operations) or (stand_in_op,), **fields)
        if job is None:
            standins.append(path)
            job = Job(tuple(operations) or (stand_in_op,), name=j.name)
        jobs.append(job)
    objective = Objective()
    if message.HasField("objective"):
        o = message.objective
        lex = []
        for idx, term in enumerate(o.lexicographic):
            if term not in _TERMS:
                errors.append(FieldViolation(f"{prefix}.objective.lexicographic[{idx}]", "must name a term"))
            else:
                lex.append(_TERMS[term])
        objective = (
            _build(
                errors,
                f"{prefix}.objective",
                Objective,
                makespan=o.makespan,
                tardiness=o.tardiness,
                setup=o.setup,
                lexicographic=tuple(lex),
            )
            or Objective()
        )
    try:
        data = ProblemData(
            machines=tuple(machines),
            jobs=tuple(jobs),
            num_families=message.num_families or 1,
            family_names=tuple(message.family_names),
            objective=objective,
            name=message.name,
            time_unit=message.time_unit,
            time_origin=_origin_from_proto(message),
        )
    except ValidationError as exc:
        for violation in prefixed(exc, prefix):
            if not any(violation.field.startswith(p + ".") or violation.field == p for p in standins):
                errors.append(violation)
    if errors:
        raise ValidationError(errors)
    return data


def problem_to_proto(data: ProblemData) -> spb.ProblemInstance:
    """The inline instance of a problem."""
    message = spb.ProblemInstance(
        name=data.name,
        num_families=data.num_families,
        family_names=list(data.family_names),
        time_unit=data.time_unit,
    )
    _origin_to_proto(data.time_origin, message.time_origin)
    for machine in data.machines:
        m = message.machines.add(name=machine.name)
        for start, end in machine.unavailable:
            m.unavailable.add(start=start, end=end)
        for row in machine.setup_times or ():
            m.setup_times.add(times=list(row))
        if machine.initial_family is not None:
            m.initial_family = machine.initial_family
    for job in data.jobs:
        j = message.jobs.add(name=job.name, release=job.release, weight=job.weight, family=job.family)
        if job.due is not None:
            j.due = job.due
        for op in job.operations:
            o = j.operations.add(name=op.name)
            for mode in op.modes:
                o.modes.add(machine=mode.machine, duration=mode.duration, power=mode.power)
            if op.pinned_machine is not None and op.pinned_start is not None:
                o.pinned_machine = op.pinned_machine
                o.pinned_start = op.pinned_start
    obj = data.objective
    message.objective.CopyFrom(
        spb.Objective(
            makespan=obj.makespan,
            tardiness=obj.tardiness,
            setup=obj.setup,
            lexicographic=[_TERM_ENUMS[t] for t in obj.lexicographic],
        )
    )
    return message


def _count_operations(message: spb.ProblemInstance) -> int:
    return sum(len(job.operations) for job in message.jobs)


def problem_from_request(request: Any, config: ServiceConfig) -> ProblemData:
    """The problem of a request with a ``source`` oneof (inline ``instance`` or ``instance_file``).

    Raises
    ------
    ValidationError
        For a missing source, an unknown format, a malformed file or invalid data (with field paths).
    LimitExceeded
        When the instance is bigger than the configured limits.
    """
    from planner.formats import FORMATS, read_instance_text

    source = request.WhichOneof("source")
    if source == "instance":
        num_operations = _count_operations(request.instance)
        if num_operations > config.limits.max_operations:
            raise LimitExceeded("max_operations", config.limits.max_operations, num_operations, "operations")
        return problem_from_proto(request.instance, "instance")
    if source == "instance_file":
        file = request.instance_file
        fmt = file.format.strip().lower()
        if fmt and fmt not in FORMATS:
            raise ValidationError(
                f"unknown format {file.format!r}; use one of {', '.join(FORMATS)}", "instance_file.format"
            )
        if not file.content:
            raise ValidationError("the file is empty", "instance_file.content")
        try:
            return read_instance_text(bytes(file.content), fmt or None, file.name)
        except FormatError as exc:
            where = f"line {exc.line}: " if exc.line is not None else ""
            raise ValidationError(f"{where}{exc.message}", "instance_file.content") from None
        except ValidationError as exc:
            raise ValidationError(prefixed(exc, "instance_file")) from None
    raise ValidationError("give the problem as instance or as instance_file", "instance")


def params_from_proto(options: spb.SolveOptions, config: ServiceConfig) -> SolveParams:
    """Solve settings of a request, with the server's defaults and caps applied.

    Raises
    ------
    ValidationError
        For negative values or an unknown solver.
    """
    errors = []
    if options.time_limit_seconds < 0 or not math.isfinite(options.time_limit_seconds):
        errors.append(
            FieldViolation("options.time_limit_seconds", f"must be >= 0, got {options.time_limit_seconds}")
        )
    if options.num_workers < 0:
        errors.append(FieldViolation("options.num_workers", f"must be >= 0, got {options.num_workers}"))
    if options.solver not in _SOLVERS:
        errors.append(FieldViolation("options.solver", f"unknown solver {options.solver}"))
    if errors:
        raise ValidationError(errors)
    return resolve_params(
        config,
        time_limit=options.time_limit_seconds,
        num_workers=options.num_workers,
        seed=options.seed,
        solver=_SOLVERS[options.solver],
    )


def params_to_proto(
    time_limit: float = 0.0, num_workers: int = 0, seed: int = 0, solver: str = ""
) -> spb.SolveOptions:
    """Solve options for a request (zeros leave the server's defaults)."""
    kinds = {"cpsat": spb.SOLVER_CPSAT, "dispatch": spb.SOLVER_DISPATCH, "": spb.SOLVER_UNSPECIFIED}
    if solver not in kinds:
        raise ValidationError(f"unknown solver {solver!r}; use cpsat or dispatch", "solver")
    return spb.SolveOptions(
        time_limit_seconds=time_limit, num_workers=num_workers, seed=seed, solver=kinds[solver]
    )


def summary_to_proto(data: ProblemData) -> spb.InstanceSummary:
    """Sizes of a valid instance."""
    return spb.InstanceSummary(
        name=data.name,
        num_jobs=data.num_jobs,
        num_machines=data.num_machines,
        num_operations=data.num_operations,
        horizon=data.horizon(),
    )


def violations_to_proto(violations: list[FieldViolation]) -> list[spb.FieldViolation]:
    """Field violations as API messages."""
    return [spb.FieldViolation(field=v.field, description=v.description) for v in violations]


# -- results ----------------------------------------------------------------------------------------------


def result_to_proto(
    result: Result, *, name: str = "", time_unit: str = "", time_origin: str = "", with_schedule: bool = True
) -> spb.SolveResult:
    """A solve result as the API sends it."""
    message = spb.SolveResult(
        status=_STATUS[result.status],
        bound=result.lower_bound,
        runtime_seconds=result.runtime,
        solver=result.solver,
        num_solutions=result.num_solutions,
        instance_name=name,
        time_unit=time_unit,
    )
    if result.objective is not None:
        message.objective = result.objective
        message.gap = result.gap
    if result.kpis is not None:
        k = result.kpis
        message.kpis.CopyFrom(
            spb.Kpis(
                makespan=k.makespan,
                total_tardiness=k.total_tardiness,
                total_weighted_tardiness=k.total_weighted_tardiness,
                max_tardiness=k.max_tardiness,
                num_late_jobs=k.num_late_jobs,
                total_setup_time=k.total_setup_time,
                utilisation=list(k.utilisation),
            )
        )
    if with_schedule and result.schedule is not None:
        message.schedule.extend(
            spb.ScheduledOperation(
                job=op.job, operation=op.operation, machine=op.machine, start=op.start, end=op.end
            )
            for op in result.schedule
        )
    _origin_to_proto(time_origin, message.time_origin)
    return message


def result_of_data(result: Result, data: ProblemData) -> spb.SolveResult:
    """A solve result of ``data``, with its name, time unit and time origin."""
    return result_to_proto(result, name=data.name, time_unit=data.time_unit, time_origin=data.time_origin)


def result_from_proto(message: spb.SolveResult) -> Result:
    """The domain result of an API result (for clients)."""
    kpis = None
    if message.HasField("kpis"):
        k = message.kpis
        kpis = KPIs(
            makespan=k.makespan,
            total_tardiness=k.total_tardiness,
            total_weighted_tardiness=k.total_weighted_tardiness,
            max_tardiness=k.max_tardiness,
            num_late_jobs=k.num_late_jobs,
            total_setup_time=k.total_setup_time,
            utilisation=tuple(k.utilisation),
        )
    schedule = None
    if len(message.schedule) or message.HasField("objective"):
        schedule = Schedule(
            ScheduledOperation(op.job, op.operation, op.machine, op.start, op.end) for op in message.schedule
        )
    return Result(
        status=_STATUS_BACK.get(message.status, SolveStatus.UNKNOWN),
        objective=message.objective if message.HasField("objective") else None,
        lower_bound=message.bound,
        runtime=message.runtime_seconds,
        schedule=schedule,
        kpis=kpis,
        solver=message.solver,
        num_solutions=message.num_solutions,
    )


# -- jobs -------------------------------------------------------------------------------------------------


def progress_to_proto(progress: dict[str, Any]) -> pb.JobProgress:
    """The stored progress of a job as the API sends it."""
    return pb.JobProgress(
        objective=progress.get("objective") or 0.0,
        bound=progress.get("bound") or 0.0,
        gap=progress.get("gap") or 0.0,
        runtime_seconds=progress.get("runtime") or 0.0,
        num_solutions=progress.get("num_solutions") or 0,
        series_done=progress.get("series_done") or 0,
        series_total=progress.get("series_total") or 0,
        stage=progress.get("stage") or "",
    )


def job_to_proto(job: JobRecord, *, with_schedule: bool = True) -> pb.JobInfo:
    """A stored job as the API sends it."""
    message = pb.JobInfo(
        job_id=job.id,
        kind=JOB_KINDS.get(job.kind, pb.JOB_KIND_UNSPECIFIED),
        state=JOB_STATES[job.state],
        request_id=job.request_id or "",
        name=job.name,
        error=job.error,
        cancel_requested=job.cancel_requested,
        attempts=job.attempts,
    )
    message.create_time.CopyFrom(timestamp(job.created_at))
    if job.started_at is not None:
        message.start_time.CopyFrom(timestamp(job.started_at))
    if job.finished_at is not None:
        message.end_time.CopyFrom(timestamp(job.finished_at))
    if job.progress:
        message.progress.CopyFrom(progress_to_proto(job.progress))
    if job.result and job.state.terminal and job.kind == "schedule":
        instance = job.result.get("instance", {})
        message.schedule_result.CopyFrom(
            result_to_proto(
                result_from_dict(job.result),
                name=instance.get("name", job.name),
                time_unit=instance.get("time_unit", ""),
                time_origin=instance.get("time_origin", ""),
                with_schedule=with_schedule,
            )
        )
    elif job.result and job.state.terminal and job.kind == "forecast":
        message.forecast_result.CopyFrom(forecast_result_to_proto(job.result, with_points=with_schedule))
    elif job.result and job.state.terminal and job.kind == "inventory":
        message.inventory_result.CopyFrom(plan_result_to_proto(job.result, with_plan=with_schedule))
    elif job.result and job.state.terminal and job.kind == "plan":
        message.plan_result.CopyFrom(plan_summary_to_proto(job.result))
    return message


def job_state_from_proto(state: int) -> JobState | None:
    """The store's state of an API state (None for unspecified)."""
    return _JOB_STATES_BACK.get(state)  # type: ignore[call-overload]


def job_kind_from_proto(kind: int) -> str | None:
    """The store's kind of an API kind (None for unspecified)."""
    return _JOB_KINDS_BACK.get(kind)  # type: ignore[call-overload]


def event_to_proto(event: JobEvent) -> pb.WatchJobResponse:
    """A stored job event as a ``WatchJob`` message."""
    message = pb.WatchJobResponse(sequence=event.seq)
    message.time.CopyFrom(timestamp(event.created_at))
    if event.type == "progress" and event.progress is not None:
        message.progress.CopyFrom(progress_to_proto(event.progress))
    else:
        state = JOB_STATES[event.state] if event.state else pb.JOB_STATE_UNSPECIFIED
        message.state_change.CopyFrom(pb.JobStateChange(state=state, message=event.message))
    return message


def heartbeat_to_proto(state: JobState) -> pb.WatchJobResponse:
    """A heartbeat on a ``WatchJob`` stream."""
    message = pb.WatchJobResponse(sequence=0, heartbeat=pb.Heartbeat(state=JOB_STATES[state]))
    message.time.CopyFrom(timestamp(datetime.now(UTC)))
    return message


# -- forecasts --------------------------------------------------------------------------------------------


def forecast_params_from_proto(options: fpb.ForecastOptions, name: str = "") -> Any:
    """The :class:`~planner.service.forecast_tasks.ForecastParams` of a request, checked.

    Raises
    ------
    ValidationError
        With a field violation per bad option (``options.horizon``, ``options.quantiles[1]``, ...).
    """
    from planner.service.forecast_tasks import ForecastParams, check_params

    params = ForecastParams(
        horizon=options.horizon,
        freq=options.freq.strip().upper(),
        quantiles=tuple(options.quantiles) or (0.1, 0.5, 0.9),
        country=options.country.strip(),
        models=tuple(options.models),
        combinations=tuple(options.combinations),
        default_model=options.default_model,
        num_windows=options.num_windows if options.HasField("num_windows") else 2,
        name=name,
    )
    check_params(params)
    return params


def _rows_table(rows: Any, path: str, with_y: bool) -> Any:
    import pandas as pd

    names = sorted({key for row in rows for key in row.regressors})
    columns: dict[str, list[Any]] = {"unique_id": [], "ds": []}
    if with_y:
        columns["y"] = []
    for name in names:
        if name in columns:
            raise ValidationError(f"regressor name {name!r} is reserved", f"{path}.rows")
        columns[name] = []
    for idx, row in enumerate(rows):
        columns["unique_id"].append(row.unique_id)
        columns["ds"].append(row.ds)
        if with_y:
            columns["y"].append(row.y)
        for name in names:
            if name not in row.regressors:
                raise ValidationError(
                    f"lacks regressor {name!r}, which other rows have", f"{path}.rows[{idx}].regressors"
                )
            columns[name].append(row.regressors[name])
    return pd.DataFrame(columns)


def forecast_request_from_proto(
    request: Any, check_size: Callable[[Any], None] | None = None
) -> tuple[Any, Any, Any]:
    """History table, future table (or None) and parameters of a Forecast or StartForecast request.

    ``check_size(history)`` runs on the raw table before the (costlier) validation of its series.

    Raises
    ------
    ValidationError
        For a missing or unreadable history, bad options, or what the engine refuses for the whole
        request (an undetectable frequency, regressors without future values), with field paths.
    """
    from planner.service.forecast_tasks import check_history, read_table_bytes

    name = request.name
    source = request.WhichOneof("history_source")
    if source == "history":
        history = _rows_table(request.history.rows, "history", with_y=True)
    elif source == "history_file":
        file = request.history_file
        history = read_table_bytes(bytes(file.content), file.format, "history_file", ("unique_id", "ds", "y"))
        name = name or file.name
    else:
        raise ValidationError("give the demand history as history or as history_file", "history")
    future = None
    future_source = request.WhichOneof("future_source")
    if future_source == "future":
        future = _rows_table(request.future.rows, "future", with_y=False)
    elif future_source == "future_file":
        file = request.future_file
        future = read_table_bytes(bytes(file.content), file.format, "future_file", ("unique_id", "ds"))
    params = forecast_params_from_proto(request.options, name)
    if check_size is not None:
        check_size(history)
    check_history(history, future, params, history_path=source, future_path=future_source or "future")
    return history, future, params


def forecast_result_to_proto(values: dict[str, Any], *, with_points: bool = True) -> fpb.ForecastResult:
    """A stored forecast result (:func:`planner.service.forecast_tasks.result_to_dict`) as the API sends it."""
    message = fpb.ForecastResult(
        freq=values.get("freq", ""),
        quantiles=values.get("quantiles", []),
        runtime_seconds=values.get("runtime", 0.0),
        horizon=values.get("horizon", 0),
        name=values.get("name", ""),
    )
    for series in values.get("series", []):
        s = message.series.add(
            unique_id=series["unique_id"],
            model=series.get("model", ""),
            num_windows=series.get("num_windows", 0),
            reason=series.get("reason", ""),
            kind=series.get("kind", ""),
        )
        if series.get("backtest_smape") is not None:
            s.backtest_smape = series["backtest_smape"]
        if with_points:
            for t, ds in enumerate(series["ds"]):
                s.points.add(ds=ds, yhat=series["yhat"][t], quantiles=[q[t] for q in series["quantiles"]])
    for failure in values.get("failures", []):
        message.failures.add(unique_id=failure["unique_id"], errors=failure.get("errors", []))
    return message


def forecast_frame(message: fpb.ForecastResult) -> Any:
    """The forecast table of an API result: ``unique_id, ds, yhat``, one column per quantile, ``model``."""
    import pandas as pd

    from planner.forecasting import quantile_name

    names = [quantile_name(q) for q in message.quantiles]
    rows = [
        {
            "unique_id": s.unique_id,
            "ds": p.ds,
            "yhat": p.yhat,
            **dict(zip(names, p.quantiles, strict=True)),
            "model": s.model,
        }
        for s in message.series
        for p in s.points
    ]
    frame = pd.DataFrame(rows, columns=["unique_id", "ds", "yhat", *names, "model"])
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


# -- lot sizing -------------------------------------------------------------------------------------------

_BACKENDS = {
    ipb.LOT_SIZING_BACKEND_UNSPECIFIED: "ortools",
    ipb.LOT_SIZING_BACKEND_ORTOOLS: "ortools",
    ipb.LOT_SIZING_BACKEND_PULP: "pulp",
}
BACKEND_ENUMS = {"ortools": ipb.LOT_SIZING_BACKEND_ORTOOLS, "pulp": ipb.LOT_SIZING_BACKEND_PULP}
_PLAN_STATUS = {
    "optimal": ipb.PLAN_STATUS_OPTIMAL,
    "feasible": ipb.PLAN_STATUS_FEASIBLE,
    "infeasible": ipb.PLAN_STATUS_INFEASIBLE,
    "unknown": ipb.PLAN_STATUS_UNKNOWN,
}
_OPTIONAL_ITEM_FIELDS = ("max_inventory", "backlog_penalty", "safety_stock_penalty")


def _has_lost_sales() -> bool:
    """Whether the lot-sizing model of this version knows lost sales (``Item.lost_sales_penalty``)."""
    from planner.inventory import Item

    return "lost_sales_penalty" in Item.__dataclass_fields__


def plan_params_from_proto(options: ipb.PlanInventoryOptions, config: ServiceConfig) -> Any:
    """Solve settings of a lot-sizing request, with the server's defaults and caps applied.

    Raises
    ------
    ValidationError
        For an unknown backend, negative values or a gap outside [0, 1).
    """
    from planner.service.inventory_tasks import resolve_plan_params

    if options.backend not in _BACKENDS:
        raise ValidationError(f"unknown backend {options.backend}", "options.backend")
    return resolve_plan_params(
        config,
        backend=_BACKENDS[options.backend],
        time_limit=options.time_limit_seconds,
        num_threads=options.num_threads,
        seed=options.seed,
        mip_gap=options.mip_gap if options.HasField("mip_gap") else None,
    )


def policy_from_proto(message: ipb.PlanningPolicy) -> Any:
    """The :class:`~planner.service.inventory_tasks.PlanningPolicy` of a request (checked)."""
    from planner.service.inventory_tasks import PlanningPolicy

    return PlanningPolicy(
        **{
            name: getattr(message, name) if message.HasField(name) else None
            for name in ("demand_quantile", "service_level", "backlog_penalty", "safety_stock_penalty")
        }
    )


def _per_period(values: Any) -> Any:
    # One value stands for every period (the native format's scalar form).
    return values[0] if len(values) == 1 else list(values)


def lotsizing_doc_from_proto(
    message: ipb.LotSizingProblem, prefix: str = "problem"
) -> tuple[dict[str, Any], dict[str, dict[float, list[float]]]]:
    """The native document of an inline problem and the inline demand quantiles per item name.

    ``periods`` is 0 when neither the problem nor its lists tell the number of periods.

    Raises
    ------
    ValidationError
        For duplicate names, unknown references and quantile levels outside (0, 1), with field paths.
    """
    errors: list[FieldViolation] = []
    num_periods = message.num_periods
    if num_periods < 0:
        errors.append(FieldViolation(f"{prefix}.num_periods", f"must be >= 0, got {num_periods}"))
    if not num_periods:
        lengths = [len(i.demand) for i in message.items if len(i.demand)]
        lengths += [len(q.values) for i in message.items for q in i.demand_quantiles]
        lengths += [len(r.capacity) for r in message.resources if len(r.capacity) > 1]
        num_periods = lengths[0] if lengths else 0
    if not message.items:
        errors.append(FieldViolation(f"{prefix}.items", "must contain at least one item"))
    resources = []
    resource_names: set[str] = set()
    for r_idx, r in enumerate(message.resources):
        path = f"{prefix}.resources[{r_idx}]"
        if not r.name:
            errors.append(FieldViolation(f"{path}.name", "must be given"))
        elif r.name in resource_names:
            errors.append(FieldViolation(f"{path}.name", f"must be unique, {r.name!r} is used twice"))
        resource_names.add(r.name)
        if not len(r.capacity):
            errors.append(
                FieldViolation(f"{path}.capacity", "must have one value per period (or one for all)")
            )
        resources.append(
            {
                "name": r.name,
                "capacity": _per_period(r.capacity) if len(r.capacity) else 0.0,
                "overtime": _per_period(r.overtime) if len(r.overtime) else 0.0,
                "overtime_cost": r.overtime_cost,
            }
        )
    items = []
    quantiles: dict[str, dict[float, list[float]]] = {}
    item_names: set[str] = set()
    for i_idx, it in enumerate(message.items):
        path = f"{prefix}.items[{i_idx}]"
        if not it.name:
            errors.append(FieldViolation(f"{path}.name", "must be given"))
        elif it.name in item_names:
            errors.append(FieldViolation(f"{path}.name", f"must be unique, {it.name!r} is used twice"))
        item_names.add(it.name)
        if it.resource and it.resource not in resource_names:
            errors.append(FieldViolation(f"{path}.resource", f"names unknown resource {it.resource!r}"))
        item: dict[str, Any] = {
            "name": it.name,
            "resource": it.resource if it.resource in resource_names else None,
            "holding_cost": it.holding_cost,
            "setup_cost": it.setup_cost,
            "setup_time": it.setup_time,
            "unit_time": it.unit_time,
            "initial_inventory": it.initial_inventory,
            "min_lot": it.min_lot,
            "lot_multiple": it.lot_multiple,
            "production_cost": it.production_cost,
        }
        if len(it.demand):
            item["demand"] = list(it.demand)
        if len(it.safety_stock):
            item["safety_stock"] = _per_period(it.safety_stock)
        for name in _OPTIONAL_ITEM_FIELDS:
            item[name] = getattr(it, name) if it.HasField(name) else None
        if it.HasField("lost_sales_penalty"):
            if _has_lost_sales():
                item["lost_sales_penalty"] = it.lost_sales_penalty
            else:
                errors.append(
                    FieldViolation(f"{path}.lost_sales_penalty", "this server's model has no lost sales")
                )
        levels: dict[float, list[float]] = {}
        for q_idx, q in enumerate(it.demand_quantiles):
            if not 0.0 < q.level < 1.0:
                errors.append(
                    FieldViolation(
                        f"{path}.demand_quantiles[{q_idx}].level",
                        f"must be strictly between 0 and 1, got {q.level}",
                    )
                )
            levels[q.level] = list(q.values)
        if levels:
            quantiles[it.name] = levels
        items.append(item)
    bom = []
    for k, line in enumerate(message.bom):
        path = f"{prefix}.bom[{k}]"
        for end in ("parent", "component"):
            if getattr(line, end) not in item_names:
                errors.append(FieldViolation(f"{path}.{end}", f"names unknown item {getattr(line, end)!r}"))
        bom.append(
            {
                "parent": line.parent,
                "component": line.component,
                "quantity": line.quantity or 1.0,
                "lead_time": line.lead_time,
            }
        )
    if errors:
        raise ValidationError(errors)
    doc = {
        "name": message.name,
        "periods": num_periods,
        "resources": resources,
        "items": items,
        "bom": bom,
        "max_total_inventory": message.max_total_inventory
        if message.HasField("max_total_inventory")
        else None,
    }
    return doc, quantiles


def lotsizing_to_proto(data: Any) -> ipb.LotSizingProblem:
    """The inline form of a :class:`~planner.inventory.LotSizingData` (resources and BOM by name)."""
    names = [r.name for r in data.resources]
    message = ipb.LotSizingProblem(name=data.name, num_periods=data.num_periods)
    if data.max_total_inventory is not None:
        message.max_total_inventory = data.max_total_inventory
    for r in data.resources:
        message.resources.add(
            name=r.name, capacity=list(r.capacity), overtime=list(r.overtime), overtime_cost=r.overtime_cost
        )
    for it in data.items:
        item = message.items.add(
            name=it.name,
            demand=list(it.demand),
            holding_cost=it.holding_cost,
            setup_cost=it.setup_cost,
            setup_time=it.setup_time,
            unit_time=it.unit_time,
            resource="" if it.resource is None else names[it.resource],
            initial_inventory=it.initial_inventory,
            min_lot=it.min_lot,
            lot_multiple=it.lot_multiple,
            safety_stock=list(it.safety_stock),
            production_cost=it.production_cost,
        )
        for name in (*_OPTIONAL_ITEM_FIELDS, "lost_sales_penalty"):
            if getattr(it, name, None) is not None:
                setattr(item, name, getattr(it, name))
    for e in data.bom:
        message.bom.add(
            parent=data.items[e.parent].name,
            component=data.items[e.component].name,
            quantity=e.quantity,
            lead_time=e.lead_time,
        )
    return message


def plan_from_proto(message: ipb.PlanInventoryResult) -> Any:
    """The :class:`~planner.inventory.Plan` of an API result (None without a plan)."""
    from planner.inventory import Plan

    if not message.items:
        return None
    fields: dict[str, Any] = {
        "produce": [list(i.produce) for i in message.items],
        "setup": [[int(v) for v in i.setup] for i in message.items],
        "inventory": [list(i.inventory) for i in message.items],
        "backlog": [list(i.backlog) for i in message.items],
        "overtime": [list(r.overtime) for r in message.resources],
    }
    if any(len(i.lost) for i in message.items):
        fields["lost"] = [list(i.lost) or [0.0] * len(i.produce) for i in message.items]
    return Plan(**fields)


def lotsizing_from_proto(message: ipb.LotSizingProblem) -> Any:
    """The :class:`~planner.inventory.LotSizingData` of an inline problem with its demand given.

    Raises
    ------
    ValidationError
        As :func:`lotsizing_doc_from_proto`, and for data the problem refuses.
    """
    from planner.service.inventory_tasks import data_from_doc

    doc, _ = lotsizing_doc_from_proto(message)
    return data_from_doc(doc)


def lotsizing_doc_from_file(file: ipb.LotSizingFile, prefix: str = "problem_file") -> dict[str, Any]:
    """The native document of a lot-sizing file (Trigeiro .DAT or native JSON).

    Raises
    ------
    ValidationError
        For an unknown format, a malformed file or invalid data, with field paths below ``prefix``.
    """
    import json

    from planner.formats.lotsizing_native import lotsizing_to_dict
    from planner.formats.trigeiro import parse_trigeiro
    from planner.service.inventory_tasks import data_from_doc

    content = bytes(file.content)
    if not content.strip():
        raise ValidationError("the file is empty", f"{prefix}.content")
    text = content.decode("utf-8", errors="replace")
    fmt = file.format.strip().lower() or ("json" if text.lstrip().startswith("{") else "trigeiro")
    if fmt not in ("json", "trigeiro"):
        raise ValidationError(f"unknown format {file.format!r}; use trigeiro or json", f"{prefix}.format")
    if fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"line {exc.lineno}: invalid JSON: {exc.msg}", f"{prefix}.content"
            ) from None
        if not isinstance(doc, dict):
            raise ValidationError("the document must be a JSON object", f"{prefix}.content")
        if file.name and not doc.get("name"):
            doc["name"] = file.name
        data = data_from_doc(doc, f"{prefix}.content")
    else:
        try:
            data = parse_trigeiro(text, file.name or "<request>", file.name)
        except FormatError as exc:
            where = f"line {exc.line}: " if exc.line is not None else ""
            raise ValidationError(f"{where}{exc.message}", f"{prefix}.content") from None
        except ValidationError as exc:
            raise ValidationError(prefixed(exc, f"{prefix}.content")) from None
    return lotsizing_to_dict(data)


def plan_result_to_proto(values: dict[str, Any], *, with_plan: bool = True) -> ipb.PlanInventoryResult:
    """A stored lot-sizing result (:func:`planner.service.inventory_tasks.plan_to_dict`) for the API."""
    message = ipb.PlanInventoryResult(
        status=_PLAN_STATUS.get(values.get("status", ""), ipb.PLAN_STATUS_UNSPECIFIED),
        runtime_seconds=values.get("runtime") or 0.0,
        backend=values.get("backend", ""),
        solver_status=values.get("solver_status", ""),
        explanation=values.get("explanation", []),
        instance_name=values.get("name", ""),
        num_periods=values.get("num_periods", 0),
        notes=values.get("notes", []),
    )
    for name in ("objective", "bound", "gap"):
        if values.get(name) is not None:
            setattr(message, name, values[name])
    costs = values.get("costs")
    if costs:
        known = ipb.PlanCosts.DESCRIPTOR.fields_by_name
        message.costs.CopyFrom(ipb.PlanCosts(**{k: v for k, v in costs.items() if k in known}))
    check = values.get("check")
    if check:
        message.check.CopyFrom(
            ipb.PlanCheckResult(
                ok=check["ok"], violations=check["violations"], total_cost=check["total_cost"]
            )
        )
    for s in values.get("shortfalls", []):
        message.shortfalls.add(item=s["item"], period=s["period"], quantity=s["quantity"], kind=s["kind"])
    plan = values.get("plan")
    if not with_plan or not plan:
        return message
    lost = plan.get("lost") or []
    for i, item in enumerate(values.get("items", [])):
        num_periods = len(plan["produce"][i])
        message.items.add(
            lost=lost[i] if i < len(lost) else [],
            item=item["name"],
            demand=item["demand"],
            produce=plan["produce"][i],
            setup=[bool(v) for v in plan["setup"][i]],
            inventory=plan["inventory"][i],
            backlog=plan["backlog"][i],
            safety_stock=item["safety_stock"] or [0.0] * num_periods,
        )
    for r, res in enumerate(values.get("resources", [])):
        overtime = plan["overtime"][r] if r < len(plan["overtime"]) else []
        message.resources.add(
            resource=res["name"], load=plan["load"][r], capacity=res["capacity"], overtime=overtime
        )
    return message


# -- whole plans ------------------------------------------------------------------------------------------


def _stamp(moment: datetime, target: Timestamp) -> None:
    target.CopyFrom(timestamp(moment))


def _iso_of(stamp: Timestamp) -> str:
    return str(stamp.ToDatetime(tzinfo=UTC).isoformat())


def plan_settings_from_proto(message: ppb.PlanSettings, config: ServiceConfig) -> dict[str, Any]:
    """The JSON settings of a plan request, with the server's defaults and caps applied."""
    from planner.service.plan_tasks import resolve_settings

    return resolve_settings(
        {
            "time_limit_seconds": message.time_limit_seconds,
            "lot_time_limit_seconds": message.lot_time_limit_seconds,
            "num_workers": message.num_workers,
            "seed": message.seed,
            "service_level": message.service_level if message.HasField("service_level") else None,
            "makespan_tolerance": (
                message.makespan_tolerance if message.HasField("makespan_tolerance") else None
            ),
            "forecast_models": list(message.forecast_models),
            "forecast_default": message.forecast_default,
        },
        config,
    )


def _order_row(order: ppb.CustomerOrder, path: str, errors: list[FieldViolation]) -> dict[str, Any]:
    if not order.HasField("due"):
        errors.append(FieldViolation(f"{path}.due", "a due time is required"))
    return {
        "order_id": order.order_id,
        "product": order.product,
        "quantity": repr(order.quantity),
        "due": _iso_of(order.due) if order.HasField("due") else "",
        "options": ";".join(order.options),
        "priority": str(order.priority) if order.HasField("priority") else "",
    }


def customer_orders_from_proto(
    message: ppb.CustomerOrders, plant: Any, path: str = "orders"
) -> tuple[Any, ...]:
    """The customer orders of a request (messages, or CSV bytes when there are none).

    Raises
    ------
    ValidationError
        Naming each bad order (``orders.orders[row 2].product``: rows count from 2 as in a CSV file).
    """
    from planner.planning.pipeline import orders_from_rows
    from planner.service.plan_tasks import read_orders_csv

    if message.orders:
        errors: list[FieldViolation] = []
        rows = [_order_row(o, f"{path}.orders[{i}]", errors) for i, o in enumerate(message.orders)]
        if errors:
            raise ValidationError(errors)
        return orders_from_rows(rows, plant, source=f"{path}.orders")
    if message.csv:
        return read_orders_csv(bytes(message.csv), plant, f"{path}.csv")
    return ()


def plan_history_from_proto(request: Any) -> Any:
    """The demand history of a plan request, or None."""
    from planner.service.forecast_tasks import read_table_bytes

    source = request.WhichOneof("history_source")
    if source == "history":
        history = _rows_table(request.history.rows, "history", with_y=True)
    elif source == "history_file":
        file = request.history_file
        history = read_table_bytes(bytes(file.content), file.format, "history_file", ("unique_id", "ds", "y"))
    else:
        return None
    import pandas as pd

    try:
        history["ds"] = pd.to_datetime(history["ds"])
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"column ds: not dates ({exc})", source) from None
    return history


_KPI_FIELDS = (
    "otif_pct",
    "total_tardiness",
    "makespan",
    "setup_time",
    "inventory_value_mean",
    "backlog_end",
    "energy_cost",
    "energy_kwh",
    "peak_power_kw",
    "co2_kg",
)


def plan_kpis_to_proto(kpis: dict[str, Any]) -> ppb.PlanKpis:
    """The KPIs of a plan: the common ones typed, all of them in ``all``."""
    import json

    message = ppb.PlanKpis(schedule_status=str(kpis.get("schedule_status") or ""))
    for name in _KPI_FIELDS:
        value = kpis.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            setattr(message, name, float(value))
    # Struct holds JSON: a round trip through json drops what JSON cannot hold (NaN becomes null).
    message.all.update(json.loads(json.dumps(kpis, default=str).replace("NaN", "null")))
    return message


def plan_summary_to_proto(summary: dict[str, Any]) -> ppb.PlanSummary:
    """A plan summary (:func:`planner.service.plan_tasks.summary_of`) as the API sends it."""
    return ppb.PlanSummary(
        plan_id=summary["plan_id"],
        version=int(summary["version"]),
        previous_version=int(summary.get("previous_version") or 0),
        kpis=plan_kpis_to_proto(summary.get("kpis") or {}),
        num_orders=int(summary.get("num_orders") or 0),
        num_operations=int(summary.get("num_operations") or 0),
    )


def plan_view_to_proto(plan: Any) -> ppb.PlanView:
    """A plan version as MES (dispatch lists) and ERP (orders, inventory, purchases) consume it."""
    import json

    from planner.service.plan_tasks import summary_of

    at = plan.datetime_at
    view = ppb.PlanView(
        summary=plan_summary_to_proto(summary_of(plan)),
        plant=plan.plant,
        time_unit=plan.time_unit,
        timezone=plan.timezone,
        plan_json=json.dumps(plan.to_dict()).encode(),
    )
    _stamp(plan.origin, view.time_origin)
    if plan.created:
        with contextlib.suppress(ValueError):
            _stamp(datetime.fromisoformat(plan.created), view.create_time)
    names = {m.id: m.name for m in plan.machines}
    for machine_id, entries in plan.by_machine().items():
        dispatch = view.dispatch.add(machine_id=machine_id, name=names.get(machine_id, ""))
        for order, op in entries:
            entry = dispatch.entries.add(
                order_id=order.id,
                operation_id=op.id,
                operation_name=op.name,
                sequence=op.sequence,
                item=order.item,
                quantity=order.quantity,
                start_units=op.start,
                end_units=op.end,
                setup=op.setup,
                state=op.state,
            )
            _stamp(at(op.start), entry.start)
            _stamp(at(op.end), entry.end)
    for order in plan.orders:
        item = view.orders.add(
            order_id=order.id,
            item=order.item,
            quantity=order.quantity,
            kind=order.kind,
            period=-1 if order.period is None else order.period,
            state=order.state,
            priority=order.priority,
            options=list(order.options),
            num_operations=len(order.operations),
        )
        if order.start is not None:
            _stamp(at(order.start), item.start)
            _stamp(at(order.end), item.end)
        if order.due is not None:
            _stamp(at(order.due), item.due)
    for row in plan.inventory:
        target = view.inventory.add(
            item=row.item,
            period=row.period,
            produce=row.produce,
            inventory=row.inventory,
            backlog=row.backlog,
            safety_stock=row.safety_stock,
            demand=row.demand,
        )
        _stamp(at(row.period_start), target.period_start)
        _stamp(at(row.period_end), target.period_end)
    for buy in plan.purchases:
        purchase = view.purchases.add(
            purchase_id=buy.id,
            item=buy.item,
            quantity=buy.quantity,
            period=-1 if buy.period is None else buy.period,
        )
        _stamp(at(buy.due), purchase.due)
        _stamp(at(buy.order_by), purchase.order_by)
    for task in plan.maintenance:
        placed = view.maintenance.add(
            maintenance_id=task.id,
            machine_id=task.machine,
            name=task.name,
            start_units=task.start,
            end_units=task.end,
            state=task.state,
        )
        _stamp(at(task.start), placed.start)
        _stamp(at(task.end), placed.end)
    return view


def plan_changes_to_proto(diff: Any, plan: Any) -> ppb.PlanChanges:
    """A :class:`~planner.planning.versions.PlanDiff` with calendar times of ``plan``."""
    message = ppb.PlanChanges(
        old_version=diff.old_version,
        new_version=diff.new_version,
        added=list(diff.added),
        cancelled=list(diff.cancelled),
        restated=[r.operation for r in diff.restated],
    )
    for move in diff.moved:
        item = message.moved.add(
            order_id=move.order,
            operation_id=move.operation,
            old_machine=move.old_machine,
            new_machine=move.new_machine,
        )
        _stamp(plan.datetime_at(move.old_start), item.old_start)
        _stamp(plan.datetime_at(move.new_start), item.new_start)
        _stamp(plan.datetime_at(move.old_end), item.old_end)
        _stamp(plan.datetime_at(move.new_end), item.new_end)
    return message


EXPORT_FORMATS = {
    pb.EXPORT_FORMAT_B2MML_XML: "b2mml-xml",
    pb.EXPORT_FORMAT_B2MML_JSON: "b2mml-json",
    pb.EXPORT_FORMAT_CSV: "csv",
}
ORDER_ACTIONS = {
    pb.ORDER_ACTION_APPROVE: "approve",
    pb.ORDER_ACTION_RELEASE: "release",
    pb.ORDER_ACTION_CANCEL: "cancel",
}


def export_format_from_proto(value: int) -> str:
    """The exporter's format name of an ``ExportFormat``."""
    if value not in EXPORT_FORMATS:
        raise ValidationError("choose b2mml-xml, b2mml-json or csv", "format")
    return EXPORT_FORMATS[value]  # type: ignore[index]


def order_action_from_proto(value: int) -> str:
    """The lifecycle action of an ``OrderAction``."""
    if value not in ORDER_ACTIONS:
        raise ValidationError("choose approve, release or cancel", "action")
    return ORDER_ACTIONS[value]  # type: ignore[index]


def plan_events_from_proto(events: Any, plan: Any, plant: Any) -> list[dict[str, Any]]:
    """The events of a Reschedule request as JSON rows in plan units (``kind`` plus its fields).

    Raises
    ------
    ValidationError
        For an event without content or times, naming ``events[i]``.
    """
    out: list[dict[str, Any]] = []
    errors: list[FieldViolation] = []
    for idx, event in enumerate(events):
        where = f"events[{idx}]"
        kind = event.WhichOneof("event")
        if kind == "breakdown":
            b = event.breakdown
            if not (b.HasField("start") and b.HasField("end")):
                errors.append(FieldViolation(f"{where}.breakdown", "start and end are required"))
                continue
            out.append(
                {
                    "kind": kind,
                    "machine": b.machine_id,
                    "start": plan.time_of(b.start.ToDatetime(tzinfo=UTC)),
                    "end": plan.time_of(b.end.ToDatetime(tzinfo=UTC)),
                }
            )
        elif kind == "rush_order":
            if plant is None:
                errors.append(FieldViolation(f"{where}.rush_order", "the plan has no plant to route it"))
                continue
            sub: list[FieldViolation] = []
            row = _order_row(event.rush_order.order, f"{where}.rush_order.order", sub)
            if sub:
                errors.extend(sub)
                continue
            from planner.planning.pipeline import orders_from_rows

            try:
                (order,) = orders_from_rows([row], plant, source=f"{where}.rush_order")
            except ValidationError as exc:
                errors.extend(exc.violations)
                continue
            from planner.service.plan_tasks import order_to_row

            out.append({"kind": kind, "order": order_to_row(order)})
        elif kind == "operation_update":
            u = event.operation_update
            out.append(
                {
                    "kind": kind,
                    "order": u.order_id,
                    "operation": u.operation_id,
                    "start": plan.time_of(u.start.ToDatetime(tzinfo=UTC)) if u.HasField("start") else None,
                    "end": plan.time_of(u.end.ToDatetime(tzinfo=UTC)) if u.HasField("end") else None,
                }
            )
        elif kind == "order_cancelled":
            out.append({"kind": kind, "order": event.order_cancelled.order_id})
        else:
            errors.append(
                FieldViolation(where, "set one of breakdown, rush_order, operation_update, order_cancelled")
            )
    if errors:
        raise ValidationError(errors)
    if not out:
        raise ValidationError("give at least one event", "events")
    return out
