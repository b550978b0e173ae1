"""Lot-sizing plans in the service: parameters, demand from forecasts and quantiles, JSON forms of results.

Nothing here knows protobuf. A request becomes a native lot-sizing document (the JSON form of
:mod:`planner.formats.lotsizing_native`); :func:`apply_policy` fills in demand and safety stock from a
forecast job's result or from per-item quantiles; :func:`plan_to_dict` is what jobs store and what
:mod:`planner.service.convert` turns into the API's ``PlanInventoryResult``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, PlannerError, ValidationError

if TYPE_CHECKING:
    from planner.inventory import LotSizingData, LotSizingResult
    from planner.service.config import ServiceConfig
    from planner.store import JobStore

logger = logging.getLogger(__name__)

INVENTORY_KIND = "inventory"
BACKENDS = ("ortools", "pulp")


@dataclass(frozen=True)
class PlanParams:
    """How to solve a lot-sizing problem, after the server's defaults and caps were applied."""

    backend: str = "ortools"
    time_limit: float = 10.0
    num_threads: int = 1
    seed: int = 1
    mip_gap: float = 1e-6

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "time_limit": self.time_limit,
            "num_threads": self.num_threads,
            "seed": self.seed,
            "mip_gap": self.mip_gap,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PlanParams:
        return cls(
            str(values["backend"]),
            float(values["time_limit"]),
            int(values["num_threads"]),
            int(values["seed"]),
            float(values["mip_gap"]),
        )


def resolve_plan_params(
    config: ServiceConfig,
    *,
    backend: str,
    time_limit: float,
    num_threads: int,
    seed: int,
    mip_gap: float | None,
) -> PlanParams:
    """Apply the server's defaults (for zeros) and caps to what a request asks.

    Raises
    ------
    ValidationError
        For negative values or a gap outside [0, 1).
    """
    errors = []
    if time_limit < 0 or not math.isfinite(time_limit):
        errors.append(FieldViolation("options.time_limit_seconds", f"must be >= 0, got {time_limit}"))
    if num_threads < 0:
        errors.append(FieldViolation("options.num_threads", f"must be >= 0, got {num_threads}"))
    if mip_gap is not None and not 0.0 <= mip_gap < 1.0:
        errors.append(FieldViolation("options.mip_gap", f"must be in [0, 1), got {mip_gap}"))
    if errors:
        raise ValidationError(errors)
    limits = config.limits
    limit = time_limit if time_limit > 0 else config.default_time_limit
    threads = num_threads if num_threads > 0 else config.workers_per_solve
    return PlanParams(
        backend=backend,
        time_limit=min(limit, limits.max_time_limit),
        num_threads=max(1, min(threads, limits.max_workers)),
        seed=seed,
        mip_gap=1e-6 if mip_gap is None else mip_gap,
    )


@dataclass(frozen=True)
class PlanningPolicy:
    """How demand, safety stock and penalties are filled in where the problem leaves them open.

    Parameters
    ----------
    demand_quantile
        Demand is the quantile at this level; None: the point forecast (or the median of inline quantiles).
    service_level
        Cycle service level; items without safety stock get quantile(level) - median per period.
    backlog_penalty, safety_stock_penalty
        Defaults for items that set none.
    """

    demand_quantile: float | None = None
    service_level: float | None = None
    backlog_penalty: float | None = None
    safety_stock_penalty: float | None = None

    def __post_init__(self) -> None:
        errors = []
        for name in ("demand_quantile", "service_level"):
            value = getattr(self, name)
            if value is not None and not 0.0 < value < 1.0:
                errors.append(
                    FieldViolation(f"policy.{name}", f"must be strictly between 0 and 1, got {value}")
                )
        for name in ("backlog_penalty", "safety_stock_penalty"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                errors.append(FieldViolation(f"policy.{name}", f"must be >= 0, got {value}"))
        if errors:
            raise ValidationError(errors)


def forecast_of_job(store: JobStore, job_id: str) -> dict[str, Any]:
    """The stored result of the forecast job ``job_id``, the demand source of a plan.

    Raises
    ------
    ValidationError
        Without an id, or when the job is not a forecast.
    JobNotFound
        For an unknown id.
    ForecastNotReady
        When the forecast job has not succeeded (yet).
    """
    from planner.service.forecast_tasks import FORECAST_KIND
    from planner.store import JobState

    field = "forecast_demand.forecast_job_id"
    if not job_id:
        raise ValidationError("a job id is required", field)
    job = store.get(job_id)
    if job.kind != FORECAST_KIND:
        raise ValidationError(f"job {job_id} is a {job.kind} job, not a forecast", field)
    if job.state != JobState.SUCCEEDED or not job.result:
        raise ForecastNotReady(f"forecast job {job_id} is {job.state.value}; it must have succeeded")
    return job.result


def forecast_series(job_result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The series of a stored forecast result by ``unique_id``."""
    return {str(s["unique_id"]): s for s in job_result.get("series", [])}


def apply_policy(
    doc: dict[str, Any],
    policy: PlanningPolicy,
    *,
    quantiles: Mapping[str, Mapping[float, Sequence[float]]] | None = None,
    forecast: dict[str, Any] | None = None,
    forecast_job_id: str = "",
    prefix: str = "problem",
) -> list[str]:
    """Fill in demand, safety stock and penalties of a native lot-sizing document in place.

    Parameters
    ----------
    doc
        Native document (``periods``, ``items`` with ``name`` and optional ``demand`` / ``safety_stock``).
    policy
        The request's policy.
    quantiles
        Inline quantiles per item name (``{level: values per period}``).
    forecast
        A stored forecast result; its series supply the demand of the items of the same name.
    forecast_job_id
        Id of that forecast job, for notes and messages.
    prefix
        Field path of the problem in the request, for messages.

    Returns
    -------
    list of str
        Notes saying where each item's demand and safety stock came from.

    Raises
    ------
    ValidationError
        When the forecast is shorter than the plan, no item matches a series, or quantile lists have the
        wrong length.
    """
    from planner.inventory.policies import quantile_at, safety_stock_from_quantiles

    notes: list[str] = []
    num_periods = int(doc["periods"])
    series = forecast_series(forecast) if forecast is not None else {}
    levels = [float(q) for q in forecast.get("quantiles", [])] if forecast is not None else []
    matched = 0
    for idx, item in enumerate(doc["items"]):
        name = str(item.get("name", ""))
        where = f"{prefix}.items[{idx}]"
        dist: dict[float, list[float]] | None = None
        point: list[float] | None = None
        source = ""
        if name in series:
            s = series[name]
            if len(s["yhat"]) < num_periods:
                raise ValidationError(
                    f"forecast job {forecast_job_id} has {len(s['yhat'])} periods for series {name!r}, "
                    f"the plan has {num_periods}",
                    "forecast_demand.forecast_job_id",
                )
            dist = {lvl: list(v[:num_periods]) for lvl, v in zip(levels, s["quantiles"], strict=True)}
            point = list(s["yhat"][:num_periods])
            source = f"forecast job {forecast_job_id} series {name!r} (model {s.get('model', '')})"
            matched += 1
        elif quantiles and name in quantiles:
            dist = {float(k): list(v) for k, v in quantiles[name].items()}
            for lvl, values in dist.items():
                if len(values) != num_periods:
                    raise ValidationError(
                        f"quantile {lvl} must have {num_periods} values, got {len(values)}",
                        f"{where}.demand_quantiles",
                    )
            source = "its demand quantiles"
        if dist is not None and (point is not None or not item.get("demand")):
            level = policy.demand_quantile
            if level is None and point is not None:
                item["demand"] = [max(0.0, v) for v in point]
                notes.append(f"item {name!r}: demand is the point forecast of {source}")
            else:
                level = 0.5 if level is None else level
                item["demand"] = [
                    max(0.0, quantile_at({lvl: v[t] for lvl, v in dist.items()}, level))
                    for t in range(num_periods)
                ]
                notes.append(f"item {name!r}: demand is the {level:g} quantile of {source}")
        if dist is not None and policy.service_level is not None and not item.get("safety_stock"):
            item["safety_stock"] = list(safety_stock_from_quantiles(dist, policy.service_level))
            notes.append(
                f"item {name!r}: safety stock is the {policy.service_level:g} quantile minus the median "
                f"of {source} (cycle service level)"
            )
        if policy.backlog_penalty is not None and item.get("backlog_penalty") is None:
            item["backlog_penalty"] = policy.backlog_penalty
        if policy.safety_stock_penalty is not None and item.get("safety_stock_penalty") is None:
            item["safety_stock_penalty"] = policy.safety_stock_penalty
    if forecast is not None and matched == 0:
        names = ", ".join(sorted(series)[:5]) or "none"
        raise ValidationError(
            f"no item is named like a series of forecast job {forecast_job_id} (series: {names})",
            "forecast_demand.forecast_job_id",
        )
    return notes


def data_from_doc(doc: dict[str, Any], prefix: str = "problem") -> LotSizingData:
    """The problem data of a native document, with violations named below ``prefix``.

    Raises
    ------
    ValidationError
        With every broken rule.
    """
    from planner.exceptions import FormatError
    from planner.formats.lotsizing_native import lotsizing_from_dict

    if doc.get("demand_csv"):
        raise ValidationError("demand_csv is not supported over the wire; give demand in the items", prefix)
    try:
        return lotsizing_from_dict(doc, prefix, str(doc.get("name") or ""))
    except FormatError as exc:
        raise ValidationError(exc.message, prefix) from None
    except ValidationError as exc:
        raise ValidationError(
            [
                FieldViolation(f"{prefix}.{v.field}" if v.field else prefix, v.description)
                for v in exc.violations
            ]
        ) from None


def check_plan_size(data: LotSizingData, config: ServiceConfig) -> None:
    """Raise :class:`~planner.service.runner.LimitExceeded` when the problem is too big."""
    from planner.service.runner import LimitExceeded

    cells = data.num_items * data.num_periods
    if cells > config.limits.max_plan_cells:
        raise LimitExceeded("max_plan_cells", config.limits.max_plan_cells, cells, "items x periods")


def solve_plan(data: LotSizingData, params: PlanParams, solver: Any) -> LotSizingResult:
    """Run ``solver`` (a :class:`planner.inventory.Solver`) on ``data`` with ``params``."""
    return solver.solve(  # type: ignore[no-any-return]
        data,
        time_limit=params.time_limit,
        num_threads=params.num_threads,
        seed=params.seed,
        mip_gap=params.mip_gap,
    )


def plan_to_dict(result: LotSizingResult, data: LotSizingData, notes: Sequence[str] = ()) -> dict[str, Any]:
    """JSON-ready form of a lot-sizing result with the plan, capacity use and the checker's verdict."""
    from planner.inventory import check_plan

    out = result.summary()
    for key in ("objective", "bound", "gap"):
        if out[key] is not None and not math.isfinite(out[key]):
            out[key] = None
    out["name"] = data.name
    out["num_periods"] = data.num_periods
    out["notes"] = list(notes)
    out["items"] = [
        {"name": item.name, "demand": list(item.demand), "safety_stock": list(item.safety_stock)}
        for item in data.items
    ]
    out["resources"] = [{"name": r.name, "capacity": list(r.capacity)} for r in data.resources]
    out["shortfalls"] = [
        {"item": data.items[s.item].name, "period": s.period, "quantity": s.quantity, "kind": s.kind}
        for s in result.shortfalls
    ]
    out["plan"] = None
    out["check"] = None
    if result.plan is not None:
        plan = result.plan
        check = check_plan(data, plan)
        out["plan"] = {
            "produce": [list(r) for r in plan.produce],
            "setup": [list(r) for r in plan.setup],
            "inventory": [list(r) for r in plan.inventory],
            "backlog": [list(r) for r in plan.backlog],
            "overtime": [list(r) for r in plan.overtime],
            "lost": [list(r) for r in getattr(plan, "lost", ())],
            "load": [list(r) for r in check.load],
        }
        out["check"] = {
            "ok": check.ok,
            "violations": [str(v) for v in check.violations],
            "total_cost": check.costs.total,
        }
    return out


class ForecastNotReady(PlannerError):
    """The forecast job named as demand source has not succeeded (yet)."""
