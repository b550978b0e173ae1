"""Whole plans in the service: requests as JSON payloads, the plan job, and what the plan RPCs do.

Nothing here knows protobuf. :func:`plan_payload` turns the plant document, demand history, customer
orders and settings of a CreatePlan (or CompareScenarios) request into a JSON payload, validating
everything a job would otherwise fail on later; :class:`PlanTask` runs :func:`planner.planning.pipeline.make_plan`
for a ``plan`` job and stores the plan as version 1 in the :class:`~planner.store.PlanRepository` before
the job succeeds (so a plan acknowledged to a client is in the database). Versions after the first are
made by :func:`change_orders`, :func:`record_actuals` and :func:`reschedule_plan` through a
:class:`~planner.store.DbPlanStore`.
"""

from __future__ import annotations

import csv
import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, PlannerError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from planner.planning.pipeline import CustomerOrder, PlanResult, PlanSettings
    from planner.planning.plan import Plan
    from planner.planning.plant import Plant
    from planner.planning.versions import PlanDiff
    from planner.service.config import ServiceConfig
    from planner.store import JobRecord, PlanRepository

logger = logging.getLogger(__name__)

PLAN_KIND = "plan"
ORDER_ACTIONS = ("approve", "release", "cancel")


class PlanStopped(PlannerError):
    """A plan job was asked to stop between two stages."""


# -- requests ---------------------------------------------------------------------------------------------


def parse_plant_bytes(content: bytes, field: str = "plant") -> Plant:
    """The plant of a request's JSON bytes; violations name the JSON path under ``field``.

    Raises
    ------
    ValidationError
        For bytes that are not JSON or a plant that breaks the schema or refers to unknown ids.
    """
    from planner.planning.plant import parse_plant

    if not content:
        raise ValidationError("the plant JSON (native planner-plant format) is required", field)
    try:
        return parse_plant(content, source=field)
    except ValidationError as exc:
        raise ValidationError(
            [
                FieldViolation(field if v.field in ("", "(root)") else f"{field}.{v.field}", v.description)
                for v in exc.violations
            ]
        ) from None


def read_orders_csv(content: bytes, plant: Plant, field: str = "orders.csv") -> tuple[CustomerOrder, ...]:
    """Customer orders from CSV bytes (:func:`planner.planning.pipeline.read_orders`'s columns)."""
    from planner.planning.pipeline import orders_from_rows

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("not UTF-8 text", field) from None
    return orders_from_rows(list(csv.DictReader(text.splitlines())), plant, source=field)


def resolve_settings(values: Mapping[str, Any], config: ServiceConfig) -> dict[str, Any]:
    """A request's plan settings with the server's defaults (for zeros) and caps applied, JSON-ready.

    Raises
    ------
    ValidationError
        For negative limits or threads, or what :class:`~planner.planning.pipeline.PlanSettings` refuses.
    """
    errors = []
    for name in ("time_limit_seconds", "lot_time_limit_seconds"):
        value = float(values.get(name) or 0.0)
        if value < 0 or not math.isfinite(value):
            errors.append(FieldViolation(f"settings.{name}", f"must be >= 0, got {value}"))
    if int(values.get("num_workers") or 0) < 0:
        errors.append(FieldViolation("settings.num_workers", f"must be >= 0, got {values['num_workers']}"))
    if errors:
        raise ValidationError(errors)
    limits = config.limits
    time_limit = float(values.get("time_limit_seconds") or 0.0) or config.default_time_limit
    lot_limit = float(values.get("lot_time_limit_seconds") or 0.0) or config.default_time_limit
    workers = int(values.get("num_workers") or 0) or config.workers_per_solve
    out: dict[str, Any] = {
        "time_limit": min(time_limit, limits.max_time_limit),
        "lot_time_limit": min(lot_limit, limits.max_time_limit),
        "num_workers": max(1, min(workers, limits.max_workers)),
        "seed": int(values.get("seed") or 0) or 1,
        "service_level": values.get("service_level"),
        "makespan_tolerance": values.get("makespan_tolerance"),
        "forecast_models": list(values.get("forecast_models") or ()),
        "forecast_default": str(values.get("forecast_default") or ""),
    }
    tolerance = out["makespan_tolerance"]
    if tolerance is not None and math.isinf(tolerance) and tolerance > 0:
        # infinity asks for no bound; JSON has no infinity, so the settings say it in words
        out["makespan_tolerance"] = None
        out["makespan_unbounded"] = True
    try:
        settings_from_dict(out)
    except ValidationError as exc:
        raise ValidationError(
            [FieldViolation(f"settings.{v.field}", v.description) for v in exc.violations]
        ) from None
    return out


def settings_from_dict(values: Mapping[str, Any]) -> PlanSettings:
    """The :class:`~planner.planning.pipeline.PlanSettings` of :func:`resolve_settings`' JSON."""
    from planner.planning.pipeline import PlanSettings

    models = tuple(values.get("forecast_models") or ())
    extra: dict[str, Any] = {}
    if models:
        extra["forecast_models"] = models
        extra["forecast_default"] = values.get("forecast_default") or models[0]
    elif values.get("forecast_default"):
        extra["forecast_default"] = values["forecast_default"]
    if values.get("makespan_unbounded"):
        extra["makespan_tolerance"] = None
    elif values.get("makespan_tolerance") is not None:
        extra["makespan_tolerance"] = float(values["makespan_tolerance"])
    return PlanSettings(
        time_limit=float(values["time_limit"]),
        lot_time_limit=float(values["lot_time_limit"]),
        num_workers=int(values["num_workers"]),
        seed=int(values["seed"]),
        service_level=values.get("service_level"),
        **extra,
    )


def order_to_row(order: CustomerOrder) -> dict[str, Any]:
    """A customer order as a JSON row (times in plant minutes)."""
    return {
        "id": order.id,
        "product": order.product,
        "quantity": order.quantity,
        "due": order.due,
        "options": list(order.options),
        "priority": order.priority,
    }


def order_from_row(row: Mapping[str, Any]) -> CustomerOrder:
    """The customer order :func:`order_to_row` stored."""
    from planner.planning.pipeline import CustomerOrder

    return CustomerOrder(
        str(row["id"]),
        str(row["product"]),
        float(row["quantity"]),
        int(row["due"]),
        tuple(row.get("options") or ()),
        int(row.get("priority", 3)),
    )


def check_plan_size(plant: Plant, orders: Sequence[CustomerOrder], config: ServiceConfig) -> None:
    """Raise :class:`~planner.service.runner.LimitExceeded` when the customer orders alone have more
    operations than ``max_operations``."""
    from planner.service.runner import LimitExceeded

    num = sum(len(plant.product(o.product).routing_for(o.options)) for o in orders)
    if num > config.limits.max_operations:
        raise LimitExceeded("max_operations", config.limits.max_operations, num, "operations of the orders")


def plan_payload(
    plant: Plant,
    history: pd.DataFrame | None,
    orders: Sequence[CustomerOrder],
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """The JSON payload of a plan job."""
    from planner.service.forecast_tasks import table_to_dict

    return {
        "plant": plant.to_dict(),
        "history": None if history is None else table_to_dict(history),
        "orders": [order_to_row(o) for o in orders],
        "settings": dict(settings),
    }


def payload_inputs(
    payload: Mapping[str, Any],
) -> tuple[Plant, pd.DataFrame | None, tuple[CustomerOrder, ...], PlanSettings]:
    """Plant, history, orders and settings of a plan payload."""
    from planner.planning.plant import plant_from_dict
    from planner.service.forecast_tasks import table_from_dict

    plant = plant_from_dict(payload["plant"])
    history = None
    if payload.get("history"):
        import pandas as pd

        history = table_from_dict(payload["history"])
        history["ds"] = pd.to_datetime(history["ds"])
    orders = tuple(order_from_row(row) for row in payload.get("orders", ()))
    return plant, history, orders, settings_from_dict(payload["settings"])


# -- the plan job -----------------------------------------------------------------------------------------


CONTEXT_FILES = {
    "instance": "schedule.instance.json",
    "schedule": "schedule.json",
    "plant": "plant.json",
}
"""Context key -> the file of a plan directory it stands for (:mod:`planner.planning.replan`)."""


def _read_context(directory: Any) -> dict[str, Any]:
    import json
    from pathlib import Path

    out = {}
    for key, name in CONTEXT_FILES.items():
        path = Path(directory) / name
        if path.exists():
            out[key] = json.loads(path.read_text())
    return out


def plan_context(result: PlanResult, plan: Plan) -> dict[str, Any]:
    """What a re-plan needs besides the plan: the scheduling instance, the solved placements with their
    id mapping, and the plant (the files :func:`planner.planning.replan.write_schedule_files` writes)."""
    import tempfile

    from planner.planning.replan import write_schedule_files

    schedule = result.schedule_result.schedule
    if schedule is None:
        return {"plant": result.plant.to_dict()}
    with tempfile.TemporaryDirectory(prefix="planner-context-") as folder:
        write_schedule_files(folder, result.problem, schedule, plan, plant=result.plant)
        return _read_context(folder)


def summary_of(plan: Plan) -> dict[str, Any]:
    """The JSON summary of a plan version (what a plan job stores as its result)."""
    return {
        "plan_id": plan.plan_id,
        "version": plan.version,
        "previous_version": plan.previous_version or 0,
        "kpis": dict(plan.kpis),
        "num_orders": len(plan.orders),
        "num_operations": sum(len(o.operations) for o in plan.orders),
    }


class PlanTask:
    """A whole plan: runs the pipeline and stores the plan as version 1 of plan id = job id.

    Stops between stages when asked (a requeued job starts afresh). A job that a dead server had already
    stored is not planned again: the stored version 1 is its result.
    """

    def __init__(self, job: JobRecord, plans: PlanRepository):
        self.job = job
        self.plans = plans
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        from planner.planning.pipeline import make_plan
        from planner.planning.plan import Plan
        from planner.service.runner import progress_to_dict
        from planner.store import PlanConflict, PlanNotFound

        plan_id = self.job.id
        try:
            return summary_of(Plan.from_dict(self.plans.get(plan_id, 1).plan))
        except PlanNotFound:
            pass
        plant, history, orders, settings = payload_inputs(self.job.payload)
        current = {"stage": ""}

        def on_stage(name: str) -> None:
            if self._stop.is_set():
                raise PlanStopped(f"stopped before the {name} stage")
            current["stage"] = name
            on_progress({"stage": name})

        def on_solution(progress: Any) -> None:
            on_progress({**progress_to_dict(progress), "stage": current["stage"]})

        try:
            result = make_plan(plant, history, orders, settings, on_stage=on_stage, on_progress=on_solution)
        except PlanStopped as exc:
            logger.info("job %s: %s", self.job.id, exc)
            return None
        plan = result.plan.replace(
            plan_id=plan_id, version=1, previous_version=None, created=datetime.now(UTC).isoformat()
        )
        try:
            self.plans.add(
                plan.to_dict(), context=plan_context(result, plan), job_id=self.job.id, reason="created"
            )
        except PlanConflict:
            plan = Plan.from_dict(self.plans.get(plan_id, 1).plan)
        return summary_of(plan)


# -- versions after the first -----------------------------------------------------------------------------


def change_orders(plans: PlanRepository, plan_id: str, order_ids: Sequence[str], action: str) -> Plan:
    """Approve, release or cancel orders of the latest version; stores and returns the next version.

    Raises
    ------
    ValidationError
        For no order ids or an unknown action.
    LifecycleError
        For unknown ids or an illegal change (nothing is stored).
    """
    from planner.planning.lifecycle import approve, cancel, release
    from planner.store import DbPlanStore

    if action not in ORDER_ACTIONS:
        raise ValidationError(f"unknown action {action!r}; use one of {', '.join(ORDER_ACTIONS)}", "action")
    if not order_ids:
        raise ValidationError("give at least one order id", "order_ids")
    store = DbPlanStore(plans, plan_id, reason=action)
    plan = store.current()
    change = {"approve": approve, "release": release, "cancel": cancel}[action]
    return store.commit(change(plan, order_ids))


def record_actuals(
    plans: PlanRepository,
    plan_id: str,
    content: bytes,
    *,
    csv_format: bool,
    now: datetime | None,
    time_limit: float | None = None,
    num_workers: int = 1,
) -> tuple[Plan, Plan, int]:
    """Apply actuals (a performance document or CSV bytes) to the latest version and store the next one.

    When the plan keeps its scheduling problem (plans made with a schedule) and ``time_limit`` is given,
    the remaining work is rescheduled from ``now`` by :func:`planner.planning.replan.replan` (late work
    pushes its successors through the rescheduler, released and running work stays); otherwise the
    actuals are recorded and late work's successors are shifted (:func:`~planner.planning.lifecycle.apply_actuals`).

    Returns
    -------
    tuple
        The previous version, the new one and the number of actuals.

    Raises
    ------
    DocumentError
        For a bad document, naming the element and line (nothing is stored).
    """
    import tempfile
    from pathlib import Path

    from planner.interchange.actuals import read_actuals
    from planner.interchange.errors import DocumentError
    from planner.planning.lifecycle import apply_actuals
    from planner.store import DbPlanStore

    if not content:
        raise ValidationError("the actuals are empty", "csv" if csv_format else "document")
    store = DbPlanStore(plans, plan_id, reason="actuals")
    plan = store.current()
    with tempfile.TemporaryDirectory(prefix="planner-actuals-") as folder:
        # The readers take files (CSV by suffix; XML or JSON by content); the name shows in their errors.
        path = Path(folder) / ("actuals.csv" if csv_format else "document")
        path.write_bytes(content)
        try:
            actuals = read_actuals(path, plan)
        except DocumentError as exc:
            # Name the request's field, not the temporary file.
            raise DocumentError(path.name, exc.where, exc.message) from None
    moment = plan.time_of(now) if now is not None else max(max(a.start, a.end or a.start) for a in actuals)
    context = plans.context(plan_id)
    if time_limit is not None and context.get("instance") and context.get("schedule"):
        result = _replan_stored(
            plans,
            plan_id,
            plan,
            context,
            [],
            actuals,
            now=moment,
            frozen_horizon=0,
            time_limit=time_limit,
            num_workers=num_workers,
            seed=1,
            reason="actuals",
        )
        return plan, result.plan, len(actuals)
    new = store.commit(apply_actuals(plan, actuals, moment))
    return plan, new, len(actuals)


def export_documents(
    plans: PlanRepository, plan_id: str, version: int, fmt: str, since_version: int
) -> list[tuple[str, str, bytes]]:
    """The documents of a plan version as ``(name, media type, bytes)``, validated against the schemas.

    Raises
    ------
    DocumentError
        For an unknown format or an invalid document.
    PlanNotFound
        For an unknown plan or version.
    """
    import tempfile
    from pathlib import Path

    from planner.interchange.export import FORMATS, export_plan
    from planner.planning.versions import PlanStore

    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", "format")
    plan = plans.get(plan_id, version)
    if since_version and since_version >= plan.version:
        raise ValidationError(
            f"must be below the exported version {plan.version}, got {since_version}", "since_version"
        )
    previous = plans.get(plan_id, since_version) if since_version else None
    media = {"b2mml-xml": "application/xml", "b2mml-json": "application/json", "csv": "text/csv"}[fmt]
    with tempfile.TemporaryDirectory(prefix="planner-export-") as folder:
        # The exporter works on a plan directory: the two versions it needs, written where it looks.
        from planner.planning.plan import Plan

        files = PlanStore(Path(folder) / "plan")
        if previous is not None:
            files.save(Plan.from_dict(previous.plan))
        files.save(Plan.from_dict(plan.plan))
        out = Path(folder) / "out"
        paths = export_plan(
            files.directory, fmt, out, since=since_version or None, validate=fmt != "csv", created=None
        )
        return [(p.name, media, p.read_bytes()) for p in paths]


def diff_of(old: Plan, new: Plan) -> PlanDiff:
    """What changed from ``old`` to ``new``."""
    from planner.planning.versions import diff_plans

    return diff_plans(old, new)


def reschedule_plan(
    plans: PlanRepository,
    plan_id: str,
    events: Sequence[Mapping[str, Any]],
    *,
    now: int | None,
    frozen_horizon: int,
    time_limit: float,
    num_workers: int,
    seed: int = 1,
) -> tuple[Plan, Plan, PlanDiff]:
    """Re-plan the latest version after events (:func:`planner.planning.replan.replan`) and store the next.

    ``events`` are JSON rows in plan units (``kind``: ``breakdown``, ``rush_order``, ``operation_update``,
    ``order_cancelled``); an operation update is recorded as an actual of the operation on its planned
    machine. The re-plan runs on a temporary plan directory made from the stored version and context; the
    new version and its new context go back to the database.

    Returns
    -------
    tuple
        The previous version, the new one and the difference.

    Raises
    ------
    ValidationError
        For unknown machines, orders, operations or products, or times out of order (nothing is stored).
    PlannerError
        When the plan has no scheduling instance (it was made without a schedule).
    """

    from planner.planning.lifecycle import Actual
    from planner.planning.plan import Plan
    from planner.planning.replan import CancelOrder, MachineDown, RushOrderRequest

    stored = plans.get(plan_id)
    context = plans.context(plan_id)
    if not context.get("instance") or not context.get("schedule"):
        raise PlannerError(f"plan {plan_id!r} has no schedule to re-plan (it was made without one)")
    previous = Plan.from_dict(stored.plan)
    ops = {op.id: (order, op) for order, op in previous.operations()}
    replan_events: list[Any] = []
    actuals: list[Actual] = []
    errors: list[FieldViolation] = []
    for idx, event in enumerate(events):
        where = f"events[{idx}].{event['kind']}"
        if event["kind"] == "breakdown":
            replan_events.append(MachineDown(event["machine"], int(event["start"]), int(event["end"])))
        elif event["kind"] == "order_cancelled":
            replan_events.append(CancelOrder(event["order"]))
        elif event["kind"] == "rush_order":
            row = event["order"]
            replan_events.append(
                RushOrderRequest(
                    row["id"],
                    row["product"],
                    float(row["quantity"]),
                    int(row["due"]),
                    int(row["priority"]),
                    tuple(row["options"]),
                )
            )
        else:
            found = ops.get(event["operation"])
            if found is None or found[0].id != event["order"]:
                errors.append(
                    FieldViolation(
                        f"{where}.operation_id",
                        f"no operation {event['operation']!r} of order {event['order']!r} in version "
                        f"{previous.version}",
                    )
                )
                continue
            order, op = found
            start = op.start if event["start"] is None else int(event["start"])
            try:
                actuals.append(Actual(order.id, op.id, op.machine, start, event["end"]))
            except ValidationError as exc:
                errors += [FieldViolation(f"{where}.{v.field}", v.description) for v in exc.violations]
    if errors:
        raise ValidationError(errors)
    if now is None:
        now = previous.time_of(datetime.now(UTC))
    result = _replan_stored(
        plans,
        plan_id,
        previous,
        context,
        replan_events,
        actuals,
        now=now,
        frozen_horizon=frozen_horizon,
        time_limit=time_limit,
        num_workers=num_workers,
        seed=seed,
        reason="reschedule",
    )
    return previous, result.plan, result.diff


def _replan_stored(
    plans: PlanRepository,
    plan_id: str,
    previous: Plan,
    context: Mapping[str, Any],
    events: Sequence[Any],
    actuals: Sequence[Any],
    *,
    now: int,
    frozen_horizon: int,
    time_limit: float,
    num_workers: int,
    seed: int,
    reason: str,
) -> Any:
    """Run :func:`~planner.planning.replan.replan` on a temporary plan directory made from the stored version
    and its context, and store the new version with its new context; returns the replan result."""
    import json
    import tempfile
    from pathlib import Path

    from planner.planning.replan import replan

    with tempfile.TemporaryDirectory(prefix="planner-replan-") as folder:
        directory = Path(folder)
        previous.write(directory)
        for key, name in CONTEXT_FILES.items():
            if key in context:
                (directory / name).write_text(json.dumps(context[key]))
        result = replan(
            directory,
            list(events),
            now=now,
            actuals=list(actuals),
            frozen_horizon=frozen_horizon,
            time_limit=time_limit,
            num_workers=num_workers,
            seed=seed,
        )
        new_context = _read_context(directory)
    plans.add(result.plan.to_dict(), context=new_context, reason=reason)
    return result
