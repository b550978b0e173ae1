"""The whole plan: demand history -> forecast -> lot sizing -> scheduling jobs -> detailed schedule -> plan.

:func:`make_plan` runs the stages one after the other and keeps every stage's output in a
:class:`PlanResult` with its wall time:

1. **forecast** -- :func:`planner.forecasting.forecast` per product (``unique_id`` = product id), at the
   history's frequency, summed into lot-sizing periods. Quantiles of a period's total assume independent
   days: ``q = sum(q50) +- sqrt(sum((q_day - q50_day)^2))`` (lower and upper side separately).
2. **lot sizing** -- one item per product and bought part, one resource per work centre (machine group).
   Capacity per period is the open time of the group's machines (:func:`capacity_from_calendar` of each
   machine's closed windows) minus the load of the firm customer orders due in that period and the fixed
   maintenance of the period. A made product loads its *bottleneck* work centre (the one whose share of its
   capacity the product uses most); the detailed schedule checks every other step. Safety stock comes from
   the forecast quantiles at the product's service level (or is given); it is soft, at half the backlog
   penalty. Backlog costs ``backlog_penalty`` per unit and period (default: 10 x holding cost, at least 1).
   A bought part with a lead time of L periods cannot arrive before period L (its purchasing resource has
   no capacity before then), and its purchase order is placed L periods before it arrives.
3. **jobs** -- the lots of the periods that start inside the scheduling window (``horizon.schedule_days``)
   and every firm customer order (with its options) become jobs: duration per step and machine
   ``ceil(fixed + per_unit * quantity)`` minutes, due at the end of the lot's period or the order's due
   time, the product's family for changeovers, the machines' calendars, maintenance tasks to place and the
   energy tariff and peak-power limit.
4. **schedule** -- CP-SAT on :class:`~planner.scheduling.ProblemData`. With an energy section the schedule
   is solved tariff-blind first (energy and CO2 weights 0) and then energy-aware, warm-started from the
   tariff-blind schedule and bounded by the makespan tolerance of the settings (see :func:`bounded`): its
   makespan is at most ``(1 + tolerance)`` times the tariff-blind one and so is its total weighted
   tardiness; the saving is reported against the tariff-blind schedule.
5. **plan** -- a :class:`~planner.planning.plan.Plan`: the scheduled orders with their operations, the lots
   of later periods as orders without operations, inventory targets, purchases, placed maintenance, KPIs.
"""

from __future__ import annotations

import csv
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, ValidationError
from planner.planning.kpis import energy_saving, plan_kpis
from planner.planning.plan import (
    InventoryTarget,
    MaterialFlow,
    Plan,
    PlannedMaintenance,
    ProductionOrder,
    PurchaseOrder,
    plan_from_schedule,
)
from planner.planning.plant import Plant, Step

if TYPE_CHECKING:
    import pandas as pd

    from planner.forecasting import ForecastResult
    from planner.inventory import LotSizingData, LotSizingResult
    from planner.scheduling import ProblemData, Result, Schedule
    from planner.scheduling.solvers.base import Progress

logger = logging.getLogger(__name__)

__all__ = [
    "CustomerOrder",
    "JobInfo",
    "PlanResult",
    "PlanSettings",
    "check_history",
    "make_plan",
    "read_orders",
]

FAST_MODELS = ("ets", "theta", "snaive")
"""Forecast candidates of :class:`PlanSettings` by default: fast on daily data (Prophet is opt-in)."""


@dataclass(frozen=True)
class CustomerOrder:
    """A firm customer order: ``quantity`` of ``product`` with its chosen ``options``, due at ``due`` (min)."""

    id: str
    product: str
    quantity: float
    due: int
    options: tuple[str, ...] = ()
    priority: int = 3


LARGE_SCHEDULE = 1500
"""Operations from which the schedule stage constructs first and leaves the energy terms out of CP-SAT."""


@dataclass(frozen=True)
class PlanSettings:
    """How hard each stage works.

    Parameters
    ----------
    time_limit
        Seconds for each scheduling solve (the tariff-blind and the energy-aware one).
    lot_time_limit
        Seconds for the lot-sizing MIP.
    num_workers
        CP-SAT threads.
    seed
        Random seed of the solvers.
    forecast_models, forecast_combinations, forecast_default
        Forecast candidates (see :func:`planner.forecasting.forecast`); Prophet is slow on long daily
        series, so the default set is :data:`FAST_MODELS` without combinations.
    forecast_windows
        Backtest windows of the forecast.
    forecast_workers
        Local processes for the forecast (1: in-process).
    service_level
        Cycle service level for products whose stock settings give neither safety stock nor service level
        (None: no safety stock for them).
    compare_tariff_blind
        Report the tariff-blind schedule and the energy-cost saving against it (needs an energy section).
        The tariff-blind solve also runs without it while ``makespan_tolerance`` is set: it is the
        reference of the tolerance's bounds.
    makespan_tolerance
        How much longer than the tariff-blind schedule the energy-aware one may be, enforced as hard bounds
        of its solve (:func:`bounded`): makespan at most ``floor((1 + makespan_tolerance) x`` the
        tariff-blind makespan``)`` and total weighted tardiness at most as much times the tariff-blind one
        (so none when the tariff-blind schedule is on time). 0 keeps both equal; None (or infinity) leaves
        them unbounded (and skips the tariff-blind solve unless ``compare_tariff_blind``).
    large_schedule
        From this many operations on, the schedule stage builds a schedule with the dispatching rule first,
        improves it with CP-SAT without the energy terms and makes it energy-aware by re-timing only (see
        :func:`_large_schedule`); below it, CP-SAT solves tariff-blind and energy-aware in full.
    """

    time_limit: float = 10.0
    lot_time_limit: float = 20.0
    num_workers: int = 2
    seed: int = 1
    forecast_models: tuple[str, ...] = FAST_MODELS
    forecast_combinations: tuple[str, ...] = ()
    forecast_default: str = "ets"
    forecast_windows: int = 1
    forecast_workers: int = 1
    service_level: float | None = None
    compare_tariff_blind: bool = True
    makespan_tolerance: float | None = 0.10
    large_schedule: int = LARGE_SCHEDULE

    def __post_init__(self) -> None:
        errors = []
        for name in ("time_limit", "lot_time_limit"):
            if not getattr(self, name) > 0:
                errors.append(FieldViolation(name, f"must be > 0 seconds, got {getattr(self, name)}"))
        if self.num_workers < 1:
            errors.append(FieldViolation("num_workers", f"must be >= 1, got {self.num_workers}"))
        if self.service_level is not None and not 0 < self.service_level < 1:
            errors.append(FieldViolation("service_level", f"must be in (0, 1), got {self.service_level}"))
        tolerance = self.makespan_tolerance
        if tolerance is not None and (math.isnan(tolerance) or tolerance < 0):
            errors.append(FieldViolation("makespan_tolerance", f"must be >= 0 or empty, got {tolerance}"))
        elif tolerance is not None and math.isinf(tolerance):
            object.__setattr__(self, "makespan_tolerance", None)
        if self.large_schedule < 0:
            errors.append(FieldViolation("large_schedule", f"must be >= 0, got {self.large_schedule}"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class JobInfo:
    """What a scheduling job stands for: an order of ``quantity`` of ``item`` (a lot or a customer order)."""

    order_id: str
    item: str
    quantity: float
    kind: str
    due: int | None
    period: int | None = None
    options: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    priority: int = 1


@dataclass
class PlanResult:
    """Every stage's output of :func:`make_plan`.

    Parameters
    ----------
    plant
        The plant planned.
    plan
        The plan (the contract handed to MES/ERP).
    kpis
        KPIs of the whole plan (also in ``plan.kpis``).
    demand
        Per item and period: ``item, period, demand, q10, q50, q90, safety_stock`` (forecast summed into
        periods; made-to-order customer demand is not in it).
    forecast
        The forecast result (None without a demand history).
    lot_data, lot_result
        The lot-sizing problem and its result.
    problem
        The scheduling problem of the scheduling window.
    schedule_result
        The schedule the plan holds (energy-aware when the plant has an energy section).
    blind_result
        The tariff-blind schedule (None when not compared).
    jobs
        Per scheduling job (aligned with ``problem.jobs``), what it stands for.
    later
        The lots of the periods after the scheduling window (orders without operations in the plan).
    seconds
        Wall time per stage (``forecast``, ``lot_sizing``, ``jobs``, ``schedule``, ``plan``, ``total``).
    """

    plant: Plant
    plan: Plan
    kpis: dict[str, Any]
    demand: pd.DataFrame
    forecast: ForecastResult | None
    lot_data: LotSizingData
    lot_result: LotSizingResult
    problem: ProblemData
    schedule_result: Result
    blind_result: Result | None
    jobs: list[JobInfo]
    later: list[JobInfo] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


# -- customer orders -----------------------------------------------------------------------------------


def read_orders(path: str | Path, plant: Plant) -> tuple[CustomerOrder, ...]:
    """Read firm customer orders from CSV: ``order_id, product, quantity, due[, options][, priority]``.

    ``due`` is an ISO date-time (local time of the plant without an offset) or a date (end of that day);
    ``options`` are separated by ``;`` or ``|``.

    Raises
    ------
    ValidationError
        Naming the row and column of every bad value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", "orders") from None
    rows = list(csv.DictReader(text.splitlines()))
    return orders_from_rows(rows, plant, source=path.name)


def orders_from_rows(
    rows: Sequence[Mapping[str, Any]], plant: Plant, source: str = "orders"
) -> tuple[CustomerOrder, ...]:
    """Customer orders from CSV-like rows (see :func:`read_orders`)."""
    errors: list[FieldViolation] = []
    out = []
    ids: set[str] = set()
    products = {p.id: p for p in plant.products}
    for idx, row in enumerate(rows):
        where = f"{source}[row {idx + 2}]"
        missing = [c for c in ("order_id", "product", "quantity", "due") if not str(row.get(c) or "").strip()]
        if missing:
            errors.append(FieldViolation(where, f"missing {', '.join(missing)}"))
            continue
        oid = str(row["order_id"]).strip()
        if oid in ids:
            errors.append(FieldViolation(f"{where}.order_id", f"order {oid!r} is listed twice"))
        ids.add(oid)
        product = products.get(str(row["product"]).strip())
        if product is None:
            errors.append(FieldViolation(f"{where}.product", f"unknown product {row['product']!r}"))
            continue
        if product.bought:
            errors.append(FieldViolation(f"{where}.product", f"{product.id!r} is bought, not made"))
            continue
        try:
            quantity = float(row["quantity"])
            if not quantity > 0 or not math.isfinite(quantity):
                raise ValueError
        except ValueError:
            errors.append(
                FieldViolation(f"{where}.quantity", f"must be a number > 0, got {row['quantity']!r}")
            )
            continue
        due_text = str(row["due"]).strip()
        try:
            if len(due_text) == 10:
                day = date.fromisoformat(due_text) + timedelta(days=1)
                moment = datetime(day.year, day.month, day.day, tzinfo=plant.horizon.tz)
            else:
                moment = datetime.fromisoformat(due_text.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=plant.horizon.tz)
        except ValueError:
            errors.append(FieldViolation(f"{where}.due", f"not a date or date-time: {due_text!r}"))
            continue
        due = max(0, plant.horizon.minutes(moment))
        options = tuple(
            o.strip() for o in str(row.get("options") or "").replace("|", ";").split(";") if o.strip()
        )
        try:
            product.routing_for(options)
        except ValidationError as exc:
            errors.append(FieldViolation(f"{where}.options", exc.violations[0].description))
            continue
        priority_text = str(row.get("priority") or "").strip()
        try:
            priority = int(priority_text) if priority_text else 3
            if priority < 0:
                raise ValueError
        except ValueError:
            errors.append(
                FieldViolation(f"{where}.priority", f"must be an integer >= 0, got {priority_text!r}")
            )
            continue
        out.append(CustomerOrder(oid, product.id, quantity, due, options, priority))
    if errors:
        raise ValidationError(errors)
    return tuple(out)


def check_history(plant: Plant, history: pd.DataFrame | None) -> None:
    """Check a demand history against a plant before planning (the service calls it on submission).

    Raises
    ------
    ValidationError
        For a missing column, demand of unknown products, dates that are no dates, a history past the plan
        start, or one neither daily nor weekly.
    """
    if history is not None and len(history) > 0:
        _history_shape(plant, history)


def _history_shape(plant: Plant, history: pd.DataFrame) -> tuple[pd.DataFrame, str, int, int, pd.Timestamp]:
    """The checked history (dates parsed), its frequency, minutes per step, steps to the start, start day."""
    import pandas as pd

    from planner.forecasting.history import detect_frequency

    horizon = plant.horizon
    made = [p.id for p in plant.products]
    for column in ("unique_id", "ds", "y"):
        if column not in history.columns:
            raise ValidationError(f"the demand history needs a column {column!r}", "demand")
    history = history.assign(unique_id=history["unique_id"].astype(str))
    known = set(made)
    unknown = sorted(set(history["unique_id"]) - known)
    if unknown:
        raise ValidationError(
            f"demand for unknown products {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}",
            "demand.unique_id",
        )
    ds = pd.to_datetime(history["ds"], errors="coerce", format="mixed")
    bad = ds.isna().to_numpy().nonzero()[0]
    if len(bad):
        shown = ", ".join(f"row {k + 2} {history['ds'].iloc[k]!r}" for k in bad[:5])
        raise ValidationError(f"{len(bad)} date(s) are not dates (YYYY-MM-DD), e.g. {shown}", "demand.ds")
    if ds.dt.tz is not None:
        ds = ds.dt.tz_convert(horizon.tz).dt.tz_localize(None)
    history = history.assign(ds=ds)
    start_local = horizon.start.astimezone(horizon.tz)
    start_day = pd.Timestamp(start_local.date())
    last = ds.max()
    if last.normalize() >= start_day:
        raise ValidationError(
            f"the demand history runs to {last.date()}, past the plan start {start_day.date()}", "demand.ds"
        )
    # The frequency of the history is the most common one of its series; a history of one date per
    # product is taken as daily (the forecast then repeats it).
    found = [f for f in (detect_frequency(g) for _, g in ds.groupby(history["unique_id"])) if f is not None]
    if found:
        freq = max(set(found), key=found.count)
    elif ds.groupby(history["unique_id"]).nunique().max() < 2:
        freq = "D"
    else:
        raise ValidationError(
            "cannot tell whether the demand history is daily or weekly: its dates are irregularly spaced",
            "demand.ds",
        )
    if freq == "D":
        step_minutes = 1440
        offset = (start_day - last.normalize()).days
    elif freq == "W":
        step_minutes = 10080
        offset = math.ceil((start_day - last.normalize()).days / 7)
    else:
        raise ValidationError(
            f"a {freq} demand history is coarser than the lot-sizing periods; give daily or weekly history",
            "demand.ds",
        )
    if offset < 1:
        raise ValidationError(
            f"the demand history runs to {last.date()}, past the plan start {start_day.date()}", "demand.ds"
        )
    return history, freq, step_minutes, offset, start_day


# -- stage 1: forecast ---------------------------------------------------------------------------------


def _forecast_stage(
    plant: Plant, history: pd.DataFrame | None, settings: PlanSettings
) -> tuple[pd.DataFrame, ForecastResult | None]:
    """Forecast the history and sum it into lot-sizing periods (one row per product and period)."""
    import pandas as pd

    from planner.compute import LocalExecutor
    from planner.forecasting import forecast

    horizon = plant.horizon
    made = [p.id for p in plant.products]
    empty = pd.DataFrame(
        [
            {"item": i, "period": t, "demand": 0.0, "q10": 0.0, "q50": 0.0, "q90": 0.0}
            for i in made
            for t in range(horizon.num_periods)
        ]
    )
    if history is None or len(history) == 0:
        return empty, None
    history, freq, step_minutes, offset, start_day = _history_shape(plant, history)
    steps = offset - 1 + math.ceil(horizon.end / step_minutes)
    levels = {0.1, 0.5, 0.9}
    for p in plant.products:
        level = p.stock.service_level or settings.service_level
        if level is not None:
            levels.add(round(level, 4))
    result = forecast(
        history,
        steps,
        freq=freq,
        quantiles=tuple(sorted(levels)),
        models=settings.forecast_models,
        combinations=settings.forecast_combinations,
        default_model=settings.forecast_default,
        num_windows=settings.forecast_windows,
        executor=LocalExecutor(settings.forecast_workers),
    )
    failed = [r for r in result.reports if not r.ok]
    if failed:
        raise ValidationError(
            [FieldViolation(f"demand[{r.unique_id}]", "; ".join(r.errors)) for r in failed[:10]]
        )
    fc = result.forecast
    qcols = [c for c in fc.columns if c.startswith("q") and c[1:].replace("_", "").isdigit()]
    rows = []
    by_item = {uid: frame for uid, frame in fc.groupby("unique_id")}
    for item in made:
        frame = by_item.get(item)
        buckets: list[dict[str, float]] = [
            {"demand": 0.0, **{c: 0.0 for c in qcols}, **{f"{c}_dev": 0.0 for c in qcols}}
            for _ in range(horizon.num_periods)
        ]
        if frame is not None:
            for _, r in frame.iterrows():
                day_start = (pd.Timestamp(r["ds"]) - start_day).days * 1440
                if freq == "W":
                    day_start = (pd.Timestamp(r["ds"]) - pd.Timedelta(days=6) - start_day).days * 1440
                # Spread each forecast step evenly over the periods it overlaps.
                lo, hi = day_start, day_start + step_minutes
                for t in range(
                    max(0, lo // horizon.period), min(horizon.num_periods, math.ceil(hi / horizon.period))
                ):
                    share = (min(hi, horizon.period_end(t)) - max(lo, horizon.period_start(t))) / step_minutes
                    if share <= 0:
                        continue
                    b = buckets[t]
                    b["demand"] += share * max(0.0, float(r["yhat"]))
                    median = float(r["q50"])
                    for c in qcols:
                        dev = float(r[c]) - median
                        b[c] += share * median
                        b[f"{c}_dev"] += (share * dev) ** 2 * (1 if dev >= 0 else -1)
        for t, b in enumerate(buckets):
            row: dict[str, Any] = {"item": item, "period": t, "demand": b["demand"]}
            for c in qcols:
                sq = b[f"{c}_dev"]
                row[c] = max(0.0, b[c] + math.copysign(math.sqrt(abs(sq)), sq))
            rows.append(row)
    return pd.DataFrame(rows), result


def _level_column(level: float) -> str:
    from planner.forecasting import quantile_name

    return quantile_name(level)


# -- stage 2: lot sizing -------------------------------------------------------------------------------


def _step_group_load(plant: Plant, step: Step) -> tuple[str, float, float]:
    """Work centre, per-unit minutes and fixed minutes of a step on its fastest machine."""
    best = min(step.modes, key=lambda m: (m.per_unit, m.fixed))
    return plant.machine(best.machine).group, best.per_unit, best.fixed


def _routing_loads(plant: Plant, steps: Sequence[Step]) -> dict[str, tuple[float, float]]:
    loads: dict[str, tuple[float, float]] = {}
    for step in steps:
        group, per_unit, fixed = _step_group_load(plant, step)
        pu, fx = loads.get(group, (0.0, 0.0))
        loads[group] = (pu + per_unit, fx + fixed)
    return loads


def group_capacity(plant: Plant) -> dict[str, list[float]]:
    """Open hours per work centre and lot-sizing period, from the machines' calendars."""
    from planner.inventory.calendar import capacity_from_calendar

    horizon = plant.horizon
    out: dict[str, list[float]] = {}
    for m in plant.machines:
        cap = capacity_from_calendar(horizon.num_periods, horizon.period, m.closed, 60.0)
        total = out.setdefault(m.group, [0.0] * horizon.num_periods)
        for t, c in enumerate(cap):
            total[t] += c
    return out


def _lot_sizing_data(
    plant: Plant, demand: pd.DataFrame, orders: Sequence[CustomerOrder], settings: PlanSettings
) -> tuple[LotSizingData, list[str]]:
    from planner.inventory import BomEntry, Item, LotSizingData, Resource, safety_stock_from_quantiles

    horizon = plant.horizon
    n = horizon.num_periods
    capacity = group_capacity(plant)
    # Firm orders are made to order: their load is reserved from the capacity of their due period.
    for order in orders:
        product = plant.product(order.product)
        t = min(n - 1, max(0, (order.due - 1) // horizon.period))
        for group, (pu, fx) in _routing_loads(plant, product.routing_for(order.options)).items():
            capacity[group][t] -= (fx + pu * order.quantity) / 60.0
    for task in plant.maintenance:
        group = plant.machine(task.machine).group
        t = min(n - 1, task.earliest // horizon.period)
        capacity[group][t] -= task.duration / 60.0
    groups = list(capacity)
    resources = [Resource(g, tuple(max(0.0, c) for c in capacity[g])) for g in groups]
    by_item = {item: frame.sort_values("period") for item, frame in demand.groupby("item")}
    # Upper bound on what any item can need, for the purchasing resources of bought parts.
    total_need = {
        p.id: float(by_item[p.id]["demand"].sum()) if p.id in by_item else 0.0 for p in plant.products
    }
    total_need = _explode(plant, total_need)

    items = []
    for p in plant.products:
        frame = by_item.get(p.id)
        values = tuple(float(v) for v in frame["demand"]) if frame is not None else (0.0,) * n
        holding = p.stock.holding_cost
        backlog = p.stock.backlog_penalty if p.stock.backlog_penalty is not None else max(1.0, 10 * holding)
        level = p.stock.service_level or (settings.service_level if p.stock.safety_stock is None else None)
        if p.stock.safety_stock is not None:
            safety = (float(p.stock.safety_stock),) * n
        elif level is not None and frame is not None:
            quantiles = {}
            for lvl in (0.1, 0.5, 0.9, level):
                column = _level_column(lvl)
                if column in frame:
                    quantiles[lvl] = tuple(float(v) for v in frame[column])
            safety = safety_stock_from_quantiles(quantiles, level)
        else:
            safety = ()
        if safety and p.stock.max_storage is not None:
            safety = tuple(min(s, p.stock.max_storage) for s in safety)
        if p.bought:
            resource = None
            unit_time = setup_time = 0.0
            if p.lead_time > 0:
                bound = max(1.0, 2.0 * total_need[p.id] + 2.0 * sum(safety))
                caps = tuple(0.0 if t < p.lead_time else bound for t in range(n))
                resources.append(Resource(f"purchasing {p.id}", caps))
                resource = len(resources) - 1
                unit_time = 1.0
        else:
            loads = _routing_loads(plant, p.routing)
            total_hours = {g: sum(capacity[g]) or 1e-9 for g in loads}
            group = max(loads, key=lambda g: loads[g][0] / max(total_hours[g], 1e-9))
            resource = groups.index(group)
            unit_time = loads[group][0] / 60.0
            setup_time = loads[group][1] / 60.0
        items.append(
            Item(
                name=p.id,
                demand=values,
                holding_cost=holding,
                setup_cost=p.stock.setup_cost,
                setup_time=setup_time,
                unit_time=unit_time,
                resource=resource,
                initial_inventory=p.stock.initial,
                min_lot=p.stock.min_lot,
                lot_multiple=p.stock.lot_multiple or 0.0,
                safety_stock=safety,
                max_inventory=p.stock.max_storage,
                backlog_penalty=backlog,
                safety_stock_penalty=backlog / 2 if safety else None,
            )
        )
    index = {p.id: k for k, p in enumerate(plant.products)}
    bom = [
        BomEntry(index[p.id], index[item], quantity, lead_time)
        for p in plant.products
        for item, quantity, lead_time in p.bom
    ]
    data = LotSizingData(
        items=tuple(items),
        resources=tuple(resources),
        bom=tuple(bom),
        max_total_inventory=plant.max_total_storage,
        name=plant.name,
    )
    return data, groups


def _explode(plant: Plant, need: dict[str, float]) -> dict[str, float]:
    """Add the dependent need of components to ``need`` (parents before components)."""
    out = dict(need)
    order: list[str] = []
    seen: set[str] = set()

    def visit(pid: str) -> None:
        if pid in seen:
            return
        seen.add(pid)
        for c, _, _ in plant.product(pid).bom:
            visit(c)
        order.append(pid)

    for p in plant.products:
        visit(p.id)
    for pid in reversed(order):  # parents first
        for c, qty, _ in plant.product(pid).bom:
            out[c] = out.get(c, 0.0) + qty * (out[pid] + plant.product(pid).stock.initial)
    return out


# -- stage 3: jobs -------------------------------------------------------------------------------------


def _scheduling_problem(
    plant: Plant, jobs: Sequence[JobInfo], energy_weight: bool = True, calendar_end: int | None = None
) -> ProblemData:
    """The scheduling problem of ``jobs`` on the plant's machines.

    ``energy_weight=False`` zeroes the energy and CO2 weights (the tariff-blind problem); ``calendar_end``
    drops the closed windows from that time on (see :func:`_schedule_stage`).
    """
    from planner.scheduling import Job, Machine, Mode, Objective, Operation, ProblemData
    from planner.scheduling.problem_data import Energy, MaintenanceTask

    index = {m.id: k for k, m in enumerate(plant.machines)}
    families = {p.id: p.family for p in plant.products}
    machines = tuple(
        Machine(
            name=m.id,
            unavailable=m.closed
            if calendar_end is None
            else tuple((a, min(b, calendar_end)) for a, b in m.closed if a < calendar_end),
            setup_times=plant.setup_times.get(m.id),
            initial_family=m.initial_family if m.id in plant.setup_times else None,
            idle_power=m.idle_power,
        )
        for m in plant.machines
    )
    out_jobs = []
    for info in jobs:
        ops = tuple(
            Operation(
                modes=tuple(
                    Mode(index[mode.machine], mode.duration(info.quantity), mode.power) for mode in step.modes
                ),
                name=step.name,
                resumable=step.resumable,
            )
            for step in info.steps
        )
        out_jobs.append(
            Job(ops, name=info.order_id, due=info.due, weight=info.priority, family=families[info.item])
        )
    maintenance = tuple(
        MaintenanceTask(index[t.machine], t.duration, t.earliest, t.latest, t.name or f"maintenance {k + 1}")
        for k, t in enumerate(plant.maintenance)
    )
    energy = None
    weights = dict(plant.objective)
    if plant.energy is not None:
        e = plant.energy
        energy = Energy(
            period=60,
            price=e.price,
            co2=e.co2,
            peak_power=e.peak_kw,
            hours_per_unit=1 / 60,
        )
        weights.setdefault("energy", 1 if e.price else 0)
    else:
        weights.pop("energy", None)
        weights.pop("co2", None)
    objective = Objective(
        makespan=weights.get("makespan", 1),
        tardiness=weights.get("tardiness", 10),
        setup=weights.get("setup", 0),
        energy=weights.get("energy", 0) if energy_weight else 0,
        co2=weights.get("co2", 0) if energy_weight else 0,
    )
    return ProblemData(
        machines=machines,
        jobs=tuple(out_jobs),
        num_families=len(plant.families),
        family_names=plant.families,
        objective=objective,
        name=plant.name,
        time_unit="min",
        time_origin=plant.horizon.origin,
        maintenance=maintenance,
        energy=energy,
    )


def _jobs_stage(
    plant: Plant, lot_data: LotSizingData, lot_result: LotSizingResult, orders: Sequence[CustomerOrder]
) -> tuple[list[JobInfo], list[JobInfo]]:
    """Jobs to schedule (lots of the scheduling window and customer orders) and the later lots."""
    horizon = plant.horizon
    scheduled: list[JobInfo] = []
    later: list[JobInfo] = []
    if lot_result.plan is not None:
        for i, product in enumerate(plant.products):
            if product.bought:
                continue
            for t in range(horizon.num_periods):
                quantity = lot_result.plan.produce[i][t]
                if quantity <= 1e-6:
                    continue
                info = JobInfo(
                    order_id=f"LOT-{product.id}-{t + 1:02d}",
                    item=product.id,
                    quantity=round(quantity, 6),
                    kind="production",
                    due=horizon.period_end(t),
                    period=t,
                    steps=product.routing,
                )
                (scheduled if t < horizon.num_schedule_periods else later).append(info)
    for order in orders:
        product = plant.product(order.product)
        scheduled.append(
            JobInfo(
                order_id=order.id,
                item=order.product,
                quantity=order.quantity,
                kind="customer",
                due=order.due,
                period=min(horizon.num_periods - 1, max(0, (order.due - 1) // horizon.period)),
                options=order.options,
                steps=product.routing_for(order.options),
                priority=order.priority,
            )
        )
    return scheduled, later


# -- stage 4: schedule ---------------------------------------------------------------------------------


def bounded(
    data: ProblemData, blind: Schedule, blind_data: ProblemData, tolerance: float | None
) -> ProblemData:
    """``data`` with hard bounds at ``tolerance`` from the tariff-blind schedule ``blind``.

    The makespan may be at most ``floor((1 + tolerance) x`` the blind makespan ``)``, and the total weighted
    tardiness at most ``floor((1 + tolerance) x`` the blind one ``)`` (0 when the blind schedule is on
    time): the energy-aware solve trades neither beyond the tolerance for cheaper energy. ``blind`` meets
    both bounds, so a solve warm-started from it is never without a schedule. ``tolerance`` None: ``data``
    as it is.

    Parameters
    ----------
    data
        The energy-aware problem.
    blind
        The tariff-blind schedule.
    blind_data
        The problem ``blind`` solved (its tardiness is measured there).
    tolerance
        Relative tolerance (>= 0), or None for no bounds.
    """
    from planner.scheduling import check_solution

    if tolerance is None:
        return data
    kpis = check_solution(blind_data, blind).kpis
    assert kpis is not None
    factor = 1.0 + tolerance
    return data.replace(
        max_makespan=math.floor(factor * kpis.makespan + 1e-9),
        max_tardiness=math.floor(factor * kpis.total_weighted_tardiness + 1e-9),
    )


def _energy_terms(data: ProblemData, kpis: Any) -> float:
    """The energy and CO2 terms of ``data``'s objective at ``kpis`` (without the other terms)."""
    objective = data.objective
    return objective.energy * float(kpis.energy_cost) + objective.co2 * float(kpis.co2_kg)


def _no_dearer(data: ProblemData, aware: Result, blind: Result) -> Result:
    """``aware``, or the tariff-blind schedule in its place when that one costs less energy and CO2.

    The tariff-blind schedule meets the tolerance's bounds, so a plan that asks for the cheapest energy
    within them never gets an energy-aware schedule dearer than it (the weighted objective alone could trade
    energy for makespan or tardiness).
    """
    from planner.scheduling import SolveStatus, check_solution

    if aware.schedule is None or blind.schedule is None or aware.kpis is None:
        return aware if aware.schedule is not None else blind
    report = check_solution(data, blind.schedule)
    if not report.ok or report.kpis is None or report.objective is None:
        return aware
    if _energy_terms(data, report.kpis) < _energy_terms(data, aware.kpis) - 1e-9:
        logger.info("the tariff-blind schedule costs less energy than the energy-aware one; keeping it")
        return replace(
            aware,
            status=SolveStatus.FEASIBLE,  # not the optimum of the weighted objective
            lower_bound=min(aware.lower_bound, report.objective),
            schedule=blind.schedule,
            kpis=report.kpis,
            objective=report.objective,
            stats={**aware.stats, "fallback": "tariff-blind schedule (less energy cost)"},
        )
    return aware


def _warn_unfit(plant: Plant, jobs: Sequence[JobInfo]) -> list[str]:
    """Warn of operations that cannot be interrupted and are longer than every open window of their machines.

    Such an operation is scheduled after the horizon, where the calendar is open; the warning says which
    order, step and machines, so the planner can split the order or make the step resumable.
    """
    machines = {m.id: m for m in plant.machines}
    end = plant.horizon.end
    out = []
    for info in jobs:
        for step in info.steps:
            if step.resumable or not step.modes:
                continue
            fits = [
                (m.machine, m.duration(info.quantity), machines[m.machine].longest_open(end))
                for m in step.modes
            ]
            if all(need > longest for _, need, longest in fits):
                shown = ", ".join(
                    f"{mid} needs {need} min, longest open {longest} min" for mid, need, longest in fits
                )
                out.append(
                    f"order {info.order_id!r} step {step.name!r} cannot be interrupted and fits no open window "
                    f"of the horizon ({shown}); it is scheduled after the horizon"
                )
    for message in out:
        logger.warning("%s", message)
    return out


def _schedule_stage(
    plant: Plant,
    jobs: Sequence[JobInfo],
    settings: PlanSettings,
    on_progress: Callable[[Progress], None] | None = None,
) -> tuple[ProblemData, Result, Result | None]:
    """Solve the jobs (tariff-blind first when the energy saving is measured), on a trimmed calendar.

    The machines' closed windows run to the end of the lot-sizing horizon, and CP-SAT's time horizon (and
    with it the number of tariff periods the energy terms need) grows with the last window. The solve
    therefore sees the calendar up to one period after the latest due date; every schedule is then checked
    against the full calendar, and one that uses closed time past that point is solved again on the full
    calendar (warm-started). The returned problem is the full one and the KPIs are its checker's; the bounds
    of the makespan tolerance belong to the energy-aware solve only, not to the plan's problem (a re-plan
    after a breakdown must not inherit them).
    """
    from planner.scheduling import check_solution, solve

    _warn_unfit(plant, jobs)
    full = _scheduling_problem(plant, jobs)
    blind_full = _scheduling_problem(plant, jobs, energy_weight=False)
    last_due = max((j.due for j in jobs if j.due is not None), default=plant.horizon.end)
    calendar_end = min(plant.horizon.end, last_due + plant.horizon.period)

    def run(energy_weight: bool, initial: Schedule | None) -> Result:
        target = full if energy_weight else blind_full
        trimmed = _scheduling_problem(plant, jobs, energy_weight, calendar_end)
        if energy_weight and initial is not None:
            # the energy-aware solve stays within the tolerance of the tariff-blind schedule it starts from
            trimmed = bounded(trimmed, initial, blind_full, settings.makespan_tolerance)
            target = bounded(target, initial, blind_full, settings.makespan_tolerance)
        options = {
            "time_limit": settings.time_limit,
            "num_workers": settings.num_workers,
            "seed": settings.seed,
            "on_progress": on_progress,
        }
        res = solve(trimmed, initial_solution=initial, **options)  # type: ignore[arg-type]
        if res.schedule is not None:
            report = check_solution(target, res.schedule)
            if report.ok:
                return replace(res, kpis=report.kpis, objective=report.objective)
            logger.warning(
                "the schedule uses closed time after minute %d; solving on the full calendar", calendar_end
            )
        # A warm start the full calendar rejects leaves CP-SAT without a feasible solution to fall back
        # on: construct one on the full calendar instead.
        start = initial if initial is not None and check_solution(target, initial).ok else None
        return _improve(target, start or _construct(target), settings)

    energy_terms = full.objective.energy > 0 or full.objective.co2 > 0
    if full.num_operations >= settings.large_schedule:
        return full, *_large_schedule(plant, jobs, full, settings, energy_terms)
    blind = None
    wanted = settings.compare_tariff_blind or settings.makespan_tolerance is not None
    if plant.energy is not None and energy_terms and wanted:
        blind = run(False, None)  # the reference of the saving and of the tolerance's bounds
    if blind is None or blind.schedule is None:
        return full, run(True, None), blind if settings.compare_tariff_blind else None
    result = run(True, blind.schedule)
    if settings.makespan_tolerance is not None:
        within = bounded(full, blind.schedule, blind_full, settings.makespan_tolerance)
        result = _no_dearer(within, result, blind)
    return full, result, blind if settings.compare_tariff_blind else None


def _construct(data: ProblemData) -> Schedule | None:
    """The dispatching rule's schedule of ``data`` when the checker accepts it, else None."""
    from planner.scheduling import check_solution
    from planner.scheduling.solvers.dispatch import dispatch

    schedule = dispatch(data)
    if schedule is None or not check_solution(data, schedule).ok:
        logger.warning(
            "the dispatching rule found no feasible schedule of %d operations", data.num_operations
        )
        return None
    return schedule


def _improve(data: ProblemData, start: Schedule | None, settings: PlanSettings) -> Result:
    """CP-SAT on ``data`` warm-started from ``start``; ``start`` itself when CP-SAT returns nothing better."""
    from planner.scheduling import Result, SolveStatus, check_solution, solve

    started = time.perf_counter()
    res = solve(
        data,
        initial_solution=start,
        time_limit=settings.time_limit,
        num_workers=settings.num_workers,
        seed=settings.seed,
    )
    if res.schedule is not None or start is None:
        return res
    report = check_solution(data, start)
    logger.warning("CP-SAT found no schedule in %.0f s; keeping the constructed one", settings.time_limit)
    return Result(
        SolveStatus.FEASIBLE,
        report.objective,
        max(0.0, res.lower_bound),
        time.perf_counter() - started,
        start,
        report.kpis,
        "dispatch",
        1,
        {**res.stats, "fallback": "dispatch", "cpsat_status": res.status.value},
    )


def _large_schedule(
    plant: Plant, jobs: Sequence[JobInfo], full: ProblemData, settings: PlanSettings, energy_terms: bool
) -> tuple[Result, Result | None]:
    """The schedule stage from :attr:`PlanSettings.large_schedule` operations on: construct, then improve.

    The dispatching rule builds a schedule on the full calendar (no trimming: it needs no tariff periods);
    CP-SAT improves it tariff-blind (no energy terms, whose overlap terms dominate the model's memory at this
    size; the power limit stays); the energy-aware schedule is that one re-timed to cheaper periods by
    :func:`~planner.scheduling.solvers.energy_shift.shift_for_energy` (same machines and sequences, no
    later ends), so it never ends worse than the tariff-blind one: it keeps the makespan and tardiness of the
    tariff-blind schedule, inside the bounds of any makespan tolerance (checked).
    """
    from planner.scheduling import Result, SolveStatus, check_solution
    from planner.scheduling.solvers.energy_shift import shift_for_energy

    logger.info(
        "%d operations (>= %d): constructing with the dispatching rule, CP-SAT without energy terms",
        full.num_operations,
        settings.large_schedule,
    )
    blind_problem = _scheduling_problem(plant, jobs, energy_weight=False) if energy_terms else full
    t0 = time.perf_counter()
    start = _construct(blind_problem)
    construct_seconds = time.perf_counter() - t0
    blind = _improve(blind_problem, start, settings)
    blind = replace(blind, stats={**blind.stats, "construct_seconds": round(construct_seconds, 2)})
    if not energy_terms or blind.schedule is None:
        if blind.schedule is None:
            return blind, None
        report = check_solution(full, blind.schedule)
        return replace(blind, kpis=report.kpis, objective=report.objective), None
    within = bounded(full, blind.schedule, blind_problem, settings.makespan_tolerance)
    started = time.perf_counter()
    shifted = shift_for_energy(within, blind.schedule, time_limit=settings.time_limit)
    report = check_solution(within, shifted)
    assert report.ok and report.objective is not None
    aware = Result(
        SolveStatus.FEASIBLE,
        report.objective,
        0.0,  # the re-timing proves no bound of the energy-aware problem
        time.perf_counter() - started,
        shifted,
        report.kpis,
        "dispatch+cpsat-blind+energy-shift",
        1,
        {
            "energy_pass": "re-timing",
            "blind_status": blind.status.value,
            "blind_gap": round(min(blind.gap, 1.0), 4),
            "construct_seconds": round(construct_seconds, 2),
            "improve_seconds": round(blind.runtime, 2),
            "retime_seconds": round(time.perf_counter() - started, 2),
        },
    )
    return aware, blind if settings.compare_tariff_blind else None


# -- stage 5: plan -------------------------------------------------------------------------------------


def _flows(plant: Plant, info: JobInfo) -> tuple[tuple[MaterialFlow, ...], tuple[MaterialFlow, ...]]:
    product = plant.product(info.item)
    consumes = tuple(MaterialFlow(item, quantity * info.quantity) for item, quantity, _ in product.bom)
    return consumes, (MaterialFlow(info.item, info.quantity),)


def _plan_stage(
    plant: Plant,
    data: ProblemData,
    result: Result,
    jobs: Sequence[JobInfo],
    later: Sequence[JobInfo],
    lot_data: LotSizingData,
    lot_result: LotSizingResult,
    demand: pd.DataFrame,
) -> Plan:
    horizon = plant.horizon
    orders: list[ProductionOrder] = []
    maintenance: list[PlannedMaintenance] = []
    if result.schedule is not None:
        base = plan_from_schedule(
            data,
            result.schedule,
            plan_id=plant.name,
            quantities=[j.quantity for j in jobs],
            items=[j.item for j in jobs],
        )
        for order, info in zip(base.orders, jobs, strict=True):
            consumes, produces = _flows(plant, info)
            ops = tuple(
                replace(
                    op,
                    consumes=consumes if k == 0 else (),
                    produces=produces if k == len(order.operations) - 1 else (),
                )
                for k, op in enumerate(order.operations)
            )
            orders.append(
                replace(
                    order,
                    operations=ops,
                    kind=info.kind,
                    options=info.options,
                    period=info.period,
                    release=None,
                )
            )
        for k, sm in enumerate(getattr(result.schedule, "maintenance", ())):
            task = data.maintenance[sm.task]
            maintenance.append(
                PlannedMaintenance(
                    id=f"MNT-{k + 1:02d}",
                    machine=data.machine_name(sm.machine),
                    start=sm.start,
                    end=sm.end,
                    name=task.name,
                )
            )
    else:
        for info in jobs:
            orders.append(
                ProductionOrder(
                    info.order_id,
                    info.item,
                    info.quantity,
                    (),
                    info.kind,
                    info.due,
                    None,
                    1,
                    info.options,
                    period=info.period,
                )
            )
    for info in later:
        orders.append(
            ProductionOrder(
                info.order_id, info.item, info.quantity, (), "production", info.due, period=info.period
            )
        )
    inventory: list[InventoryTarget] = []
    purchases: list[PurchaseOrder] = []
    plan = lot_result.plan
    if plan is not None:
        safety = {item.name: item for item in lot_data.items}
        for i, product in enumerate(plant.products):
            item = safety[product.id]
            for t in range(horizon.num_periods):
                inventory.append(
                    InventoryTarget(
                        item=product.id,
                        period=t,
                        period_start=horizon.period_start(t),
                        period_end=horizon.period_end(t),
                        produce=round(plan.produce[i][t], 6),
                        inventory=round(plan.inventory[i][t], 6),
                        backlog=round(plan.backlog[i][t], 6),
                        safety_stock=round(item.safety_stock_at(t), 6),
                        demand=round(item.demand[t], 6),
                    )
                )
                if product.bought and plan.produce[i][t] > 1e-6:
                    purchases.append(
                        PurchaseOrder(
                            id=f"PUR-{product.id}-{t + 1:02d}",
                            item=product.id,
                            quantity=round(plan.produce[i][t], 6),
                            due=horizon.period_start(t),
                            order_by=horizon.period_start(max(0, t - product.lead_time)),
                            period=t,
                        )
                    )
    from planner.planning.plan import PlanMachine

    return Plan(
        plan_id=plant.name,
        plant=plant.name,
        time_origin=horizon.origin,
        time_unit="min",
        timezone=horizon.timezone,
        machines=tuple(PlanMachine(m.id, m.name) for m in plant.machines),
        orders=tuple(orders),
        inventory=tuple(inventory),
        purchases=tuple(purchases),
        maintenance=tuple(maintenance),
        created=datetime.now().astimezone().isoformat(timespec="seconds"),
    )


# -- the pipeline --------------------------------------------------------------------------------------


def make_plan(
    plant: Plant,
    history: pd.DataFrame | None,
    orders: Sequence[CustomerOrder] = (),
    settings: PlanSettings | None = None,
    *,
    demand: pd.DataFrame | None = None,
    forecast_result: ForecastResult | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> PlanResult:
    """Make the whole plan of a plant from its demand history and firm customer orders.

    Parameters
    ----------
    plant
        The plant (:func:`~planner.planning.plant.read_plant`).
    history
        Demand history in long form ``unique_id, ds, y`` (``unique_id`` = product id); None or empty: no
        forecast demand (only customer orders and safety stock).
    orders
        Firm customer orders (:func:`read_orders`).
    settings
        Time limits and forecast settings.
    demand, forecast_result
        A demand frame per item and period from an earlier run (``PlanResult.demand`` without its
        ``safety_stock`` column) to skip the forecast, e.g. for what-if scenarios; ``history`` is then
        ignored.
    on_stage
        Called with the name of each stage as it starts (``forecast``, ``lot_sizing``, ``jobs``,
        ``schedule``, ``plan``); an exception it raises stops the pipeline between stages.
    on_progress
        Called with each improving solution of the scheduling solves.

    Returns
    -------
    PlanResult
        The plan, its KPIs and every stage's output. A schedule that is not found in time leaves the
        scheduled orders without operations (``result.schedule_result.status`` says why).

    Raises
    ------
    ValidationError
        For demand of unknown products, a history that ends after the plan start, or bad settings.
    """
    from planner.inventory import solve as solve_lots

    settings = settings or PlanSettings()
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    stage = on_stage or (lambda _name: None)

    t = time.perf_counter()
    stage("forecast")
    if demand is None:
        demand, forecast_result = _forecast_stage(plant, history, settings)
    else:
        demand = demand.drop(columns=["safety_stock"], errors="ignore")
    seconds["forecast"] = time.perf_counter() - t
    logger.info("forecast: %d products in %.1f s", demand["item"].nunique(), seconds["forecast"])

    t = time.perf_counter()
    stage("lot_sizing")
    lot_data, _ = _lot_sizing_data(plant, demand, orders, settings)
    safety = {item.name: item.safety_stock for item in lot_data.items}
    demand = demand.assign(
        safety_stock=[
            safety[item][period] if safety[item] else 0.0
            for item, period in zip(demand["item"], demand["period"], strict=True)
        ]
    )
    lot_result = solve_lots(
        lot_data, time_limit=settings.lot_time_limit, num_threads=settings.num_workers, seed=settings.seed
    )
    seconds["lot_sizing"] = time.perf_counter() - t
    logger.info("lot sizing: %s in %.1f s", lot_result.status.value, seconds["lot_sizing"])
    if lot_result.plan is None:
        logger.warning(
            "lot sizing found no plan (%s); only customer orders are scheduled", lot_result.status.value
        )

    t = time.perf_counter()
    stage("jobs")
    jobs, later = _jobs_stage(plant, lot_data, lot_result, orders)
    if not jobs:
        raise ValidationError(
            "nothing to schedule: no lot falls in the scheduling window and there are no customer orders",
            "horizon.schedule_days",
        )
    seconds["jobs"] = time.perf_counter() - t

    t = time.perf_counter()
    stage("schedule")
    data, result, blind = _schedule_stage(plant, jobs, settings, on_progress)
    seconds["schedule"] = time.perf_counter() - t
    logger.info(
        "schedule: %d jobs, %d operations, %s in %.1f s",
        data.num_jobs,
        data.num_operations,
        result.status.value,
        seconds["schedule"],
    )

    t = time.perf_counter()
    stage("plan")
    plan = _plan_stage(plant, data, result, jobs, later, lot_data, lot_result, demand)
    unit_values = {p.id: p.stock.unit_value for p in plant.products}
    kpis = plan_kpis(plan, unit_values=unit_values, schedule_kpis=result.kpis)
    kpis["schedule_status"] = result.status.value
    kpis["lot_sizing_status"] = lot_result.status.value
    kpis["num_scheduled_orders"] = len(jobs)
    kpis["num_operations"] = data.num_operations
    if blind is not None:
        kpis.update(energy_saving(result.kpis, blind.kpis, settings.makespan_tolerance))
    seconds["plan"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    kpis["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    plan = plan.replace(kpis=kpis)
    return PlanResult(
        plant=plant,
        plan=plan,
        kpis=kpis,
        demand=demand,
        forecast=forecast_result,
        lot_data=lot_data,
        lot_result=lot_result,
        problem=data,
        schedule_result=result,
        blind_result=blind,
        jobs=list(jobs),
        later=list(later),
        seconds=seconds,
    )
