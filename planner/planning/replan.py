"""Re-planning a living plan: events and actuals in, the next plan version out.

A plan directory keeps what re-planning needs next to ``plan.json`` (:func:`write_schedule_files`):

- ``schedule.instance.json`` -- the scheduling problem the plan was last solved from (native instance);
- ``schedule.json`` -- the solved placements with the mapping job index -> order id and (job, operation)
  index -> operation id, and maintenance task index -> plan maintenance id; ``version`` names the plan
  version it was solved for;
- ``plant.json`` -- the plant (when the plan came from :func:`~planner.planning.pipeline.make_plan`), to
  build rush orders from their product's routing.

Copies of the first two per solved version go to ``versions/``.

:func:`replan` loads the current plan version and that problem, turns the plan's states into scheduling
facts and the events (given by plant ids and calendar times) into
:mod:`planner.scheduling.reschedule` events, reschedules, and commits the next version:

- **Released** operations are pinned where they are. They stay unless they cannot: a breakdown of their
  machine meets them, or their routing predecessor (running late, reported late) now ends after their start;
  then the rescheduler moves them (reason ``"displaced"``) and the difference lists them.
- **Running** operations never move. A breakdown that begins while one runs is taken to begin when it
  ends (the machine finishes the work under way first; report the work as ended to say otherwise); one
  that falls wholly inside a running operation is dropped. Both are logged.
- **Completed** and **closed** operations are history: reported with their actual times, then left out
  of the new problem (the rescheduler keeps the last one per machine with changeovers).
- **Cancelled** orders (events or plan state) lose their work on the machines: every operation not yet
  completed is cancelled.
- Actuals (:class:`~planner.planning.lifecycle.Actual`) are first recorded by
  :func:`~planner.planning.lifecycle.apply_actuals` (quantities done, scrap, actual times, states); the
  reported operations then become :class:`~planner.scheduling.reschedule.OperationUpdate` facts, so an
  operation finished late pushes its successors through the rescheduler (re-optimised, not only shifted)
  and nothing that ends before it moves. Quantities done are recorded (``ProductionOrder.quantity_left``);
  durations of the remaining work are not shortened.
- Work the plan placed before ``now`` that nobody reported is taken to have started as planned (the
  rescheduler's rule), whatever its state.
- Rush orders become new ``proposed`` customer orders scheduled after ``now``.

An actual on another machine than the one planned is a fact too: the operation stays where it ran (the
machine must be one of its eligible machines; otherwise an error names the operation and the machines).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, ValidationError
from planner.planning.lifecycle import Actual, Rescheduler, apply_actuals
from planner.planning.plan import (
    DONE_STATES,
    MaterialFlow,
    Plan,
    PlannedOperation,
    ProductionOrder,
    plan_from_schedule,
)
from planner.planning.versions import VERSIONS_DIR, PlanDiff, PlanStore, diff_plans

if TYPE_CHECKING:
    from planner.planning.plant import Plant
    from planner.scheduling import ProblemData, Schedule
    from planner.scheduling.reschedule import Move, RescheduleResult

logger = logging.getLogger(__name__)

__all__ = [
    "INSTANCE_FILE",
    "PLANT_FILE",
    "SCHEDULE_FILE",
    "CancelOrder",
    "MachineDown",
    "ReplanEvent",
    "ReplanResult",
    "RushOrderRequest",
    "load_schedule_files",
    "replan",
    "rescheduler_for",
    "write_schedule_files",
]

INSTANCE_FILE = "schedule.instance.json"
SCHEDULE_FILE = "schedule.json"
PLANT_FILE = "plant.json"

Moment = int | str | datetime
"""A plan time (time units from the origin), an ISO 8601 timestamp with UTC offset, or an aware datetime."""


def _moment(value: Moment, plan: Plan, name: str) -> int:
    """Plan time of ``value`` (see :data:`Moment`)."""
    if isinstance(value, bool):
        raise ValidationError(f"must be a plan time or an ISO 8601 timestamp, got {value!r}", name)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"must be a plan time or an ISO 8601 timestamp, got {value!r}", name
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(f"{value.isoformat()!r} needs a UTC offset, e.g. +01:00 or Z", name)
        return plan.time_of(value)
    raise ValidationError(f"must be a plan time or an ISO 8601 timestamp, got {value!r}", name)


# -- events by plant ids ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineDown:
    """Machine ``machine`` (plant id) is unavailable from ``start`` to ``end`` (plan times or ISO 8601)."""

    machine: str
    start: Moment
    end: Moment

    def __post_init__(self) -> None:
        if not isinstance(self.machine, str) or not self.machine:
            raise ValidationError(f"must be a machine id, got {self.machine!r}", "machine")


@dataclass(frozen=True)
class CancelOrder:
    """Order ``order`` (id) is cancelled."""

    order: str

    def __post_init__(self) -> None:
        if not isinstance(self.order, str) or not self.order:
            raise ValidationError(f"must be an order id, got {self.order!r}", "order")


@dataclass(frozen=True)
class RushOrderRequest:
    """A new customer order ``order`` for ``quantity`` of product ``item`` (routing from the plant).

    Parameters
    ----------
    order
        Its id (new in the plan).
    item
        The product id.
    quantity
        How much (> 0).
    due
        Due time (plan time or ISO 8601), or None.
    priority
        Tardiness weight (>= 0).
    options
        Chosen options of the product.
    """

    order: str
    item: str
    quantity: float
    due: Moment | None = None
    priority: int = 1
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        errors = []
        if not isinstance(self.order, str) or not self.order:
            errors.append(FieldViolation("order", f"must be an order id, got {self.order!r}"))
        if not isinstance(self.item, str) or not self.item:
            errors.append(FieldViolation("item", f"must be a product id, got {self.item!r}"))
        if (
            isinstance(self.quantity, bool)
            or not isinstance(self.quantity, int | float)
            or self.quantity <= 0
        ):
            errors.append(FieldViolation("quantity", f"must be a number > 0, got {self.quantity!r}"))
        if isinstance(self.priority, bool) or not isinstance(self.priority, int) or self.priority < 0:
            errors.append(FieldViolation("priority", f"must be an integer >= 0, got {self.priority!r}"))
        if errors:
            raise ValidationError(errors)


ReplanEvent = MachineDown | CancelOrder | RushOrderRequest


# -- the files a re-plan needs ---------------------------------------------------------------------------


def _op_ids(plan: Plan, data: ProblemData) -> list[list[str]]:
    """Per job of ``data`` (named after its order), the ids of the order's operations by routing index."""
    ids = []
    for j_idx, job in enumerate(data.jobs):
        name = data.job_name(j_idx)
        try:
            order = plan.order(name)
        except KeyError:
            raise ValidationError(f"job {name!r} of the schedule is no order of the plan", "jobs") from None
        by_seq = {op.sequence: op.id for op in order.operations}
        ids.append(
            [by_seq.get(o_idx, f"{name}/{10 * (o_idx + 1):03d}") for o_idx in range(len(job.operations))]
        )
    return ids


def write_schedule_files(
    directory: str | Path,
    data: ProblemData,
    schedule: Schedule,
    plan: Plan,
    *,
    operation_ids: Sequence[Sequence[str]] | None = None,
    maintenance_ids: Sequence[str | None] | None = None,
    plant: Plant | None = None,
) -> dict[str, Path]:
    """Write the scheduling problem and the solved placements of ``plan`` into its plan directory.

    Parameters
    ----------
    directory
        The plan directory.
    data, schedule
        The problem the plan was solved from and its schedule.
    plan
        The plan version they belong to (jobs are named after its orders).
    operation_ids
        Per job, the operation ids (default: the order's operations by sequence).
    maintenance_ids
        Per maintenance task of ``data``, the plan's maintenance id (default: the plan's tasks in order).
    plant
        The plant, written as ``plant.json`` (for rush orders).

    Returns
    -------
    dict
        The paths written by kind (``instance``, ``schedule``, ``plant``).
    """
    from planner.formats import to_native_dict

    out = Path(directory)
    (out / VERSIONS_DIR).mkdir(parents=True, exist_ok=True)
    ids = [list(row) for row in operation_ids] if operation_ids is not None else _op_ids(plan, data)
    if maintenance_ids is None:
        by_task = {sm.task: k for k, sm in enumerate(schedule.maintenance)}
        maintenance_ids = [
            plan.maintenance[by_task[t]].id if t in by_task and by_task[t] < len(plan.maintenance) else None
            for t in range(len(data.maintenance))
        ]
    placed = schedule.as_dict()
    doc = {
        "plan_id": plan.plan_id,
        "version": plan.version,
        "jobs": [
            {
                "order": data.job_name(j_idx),
                "operations": [
                    {
                        "id": ids[j_idx][o_idx],
                        "machine": placed[(j_idx, o_idx)].machine,
                        "start": placed[(j_idx, o_idx)].start,
                        "end": placed[(j_idx, o_idx)].end,
                    }
                    for o_idx in range(len(job.operations))
                ],
            }
            for j_idx, job in enumerate(data.jobs)
        ],
        "maintenance": [
            {"id": maintenance_ids[sm.task], "task": sm.task, "start": sm.start, "end": sm.end}
            for sm in schedule.maintenance
        ],
    }
    instance = json.dumps(to_native_dict(data), indent=1) + "\n"
    placements = json.dumps(doc, indent=1) + "\n"
    files = {"instance": out / INSTANCE_FILE, "schedule": out / SCHEDULE_FILE}
    files["instance"].write_text(instance)
    files["schedule"].write_text(placements)
    (out / VERSIONS_DIR / f"schedule.v{plan.version}.instance.json").write_text(instance)
    (out / VERSIONS_DIR / f"schedule.v{plan.version}.json").write_text(placements)
    if plant is not None:
        files["plant"] = out / PLANT_FILE
        files["plant"].write_text(json.dumps(plant.to_dict(), indent=1) + "\n")
    return files


def load_schedule_files(directory: str | Path) -> tuple[ProblemData, Schedule, dict[str, Any]]:
    """The problem, schedule and id mapping that :func:`write_schedule_files` wrote.

    Raises
    ------
    ValidationError
        When the plan directory does not hold them (a plan made without a schedule, or by an older version).
    """
    from planner.formats import from_native_dict
    from planner.scheduling import Schedule
    from planner.scheduling.solution import ScheduledMaintenance, ScheduledOperation

    out = Path(directory)
    paths = [out / INSTANCE_FILE, out / SCHEDULE_FILE]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise ValidationError(
            f"{out} holds no scheduling problem ({', '.join(missing)} missing); make the plan with "
            "`planner plan` (or write_schedule_files) to re-plan it",
            "plan_dir",
        )
    try:
        data = from_native_dict(json.loads(paths[0].read_text()), path=str(paths[0]))
        doc = json.loads(paths[1].read_text())
        ops = [
            ScheduledOperation(j_idx, o_idx, p["machine"], p["start"], p["end"])
            for j_idx, job in enumerate(doc["jobs"])
            for o_idx, p in enumerate(job["operations"])
        ]
        tasks = [
            ScheduledMaintenance(m["task"], data.maintenance[m["task"]].machine, m["start"], m["end"])
            for m in doc.get("maintenance", ())
        ]
    except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise ValidationError(f"{out}: unreadable scheduling files ({exc!r})", "plan_dir") from None
    if len(doc["jobs"]) != data.num_jobs:
        raise ValidationError(f"{paths[1].name} does not match {paths[0].name}", "plan_dir")
    return data, Schedule(ops, tasks), doc


# -- the re-plan -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplanResult:
    """What :func:`replan` returns.

    Parameters
    ----------
    plan
        The new plan version (committed to the store).
    previous
        The version it replaced.
    diff
        ``diff_plans(previous, plan)``: what the Change/Cancel documents publish.
    rescheduled
        The rescheduler's result (new problem, checked solve, its moves in job/operation indices).
    moves
        The rescheduler's moves as ``(operation id, Move)``.
    now
        The plan time of the re-plan.
    dropped_breakdowns
        Breakdowns changed or dropped because work was running (as ``(machine, old, new)`` tuples;
        ``new`` None when dropped).
    """

    plan: Plan
    previous: Plan
    diff: PlanDiff
    rescheduled: RescheduleResult
    moves: tuple[tuple[str, Move], ...] = ()
    now: int = 0
    dropped_breakdowns: tuple[tuple[str, tuple[int, int], tuple[int, int] | None], ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "plan_id": self.plan.plan_id,
            "version": self.plan.version,
            "previous_version": self.previous.version,
            "now": self.now,
            "status": self.rescheduled.result.status.value,
            "num_moved": len(self.diff.moved),
            "total_shift": sum(abs(m.new_start - m.old_start) for m in self.diff.moved),
            "added": list(self.diff.added),
            "cancelled": list(self.diff.cancelled),
            "moved": [
                {
                    "order": m.order,
                    "operation": m.operation,
                    "old_machine": m.old_machine,
                    "new_machine": m.new_machine,
                    "old_start": m.old_start,
                    "new_start": m.new_start,
                }
                for m in self.diff.moved
            ],
        }


def _rush_job(
    request: RushOrderRequest, plant: Plant, data: ProblemData, where: str
) -> tuple[tuple[Any, ...], Any, int]:
    """The scheduling job and the plan order of a rush order (routing and BOM from the plant)."""
    from planner.scheduling import Mode, Operation

    try:
        product = plant.product(request.item)
    except (KeyError, ValueError, ValidationError):
        raise ValidationError(f"unknown product {request.item!r}", f"{where}.item") from None
    if product.bought:
        raise ValidationError(f"product {request.item!r} is bought, not made", f"{where}.item")
    try:
        steps = product.routing_for(request.options)
    except (KeyError, ValueError, ValidationError) as exc:
        raise ValidationError(f"bad options {request.options!r}: {exc}", f"{where}.options") from None
    index = {data.machine_name(m): m for m in range(data.num_machines)}
    ops = tuple(
        Operation(
            modes=tuple(
                Mode(index[mode.machine], mode.duration(request.quantity), mode.power) for mode in step.modes
            ),
            name=step.name,
            resumable=step.resumable,
        )
        for step in steps
    )
    return ops, product, product.family


def replan(
    store_or_dir: PlanStore | str | Path,
    events: Iterable[ReplanEvent] = (),
    *,
    now: Moment,
    actuals: Sequence[Actual] = (),
    frozen_horizon: int = 0,
    time_limit: float = 5.0,
    num_workers: int = 1,
    seed: int = 1,
    moved_weight: int = 10,
    shift_weight: int = 1,
    window: int | None = None,
) -> ReplanResult:
    """Re-plan the current version of a plan after events and actuals and commit the next version.

    Parameters
    ----------
    store_or_dir
        The plan directory (or its :class:`~planner.planning.versions.PlanStore`); it must hold the
        scheduling files (:func:`write_schedule_files`).
    events
        Breakdowns, cancellations and rush orders, by plant ids (see the module docstring for the rules).
    now
        The time of the re-plan (plan time or ISO 8601): nothing new starts before it.
    actuals
        What the shop floor reported; recorded first, then rescheduled as facts.
    frozen_horizon
        Operations starting before ``now + frozen_horizon`` stay when they can.
    time_limit, num_workers, seed, moved_weight, shift_weight, window
        Of :func:`planner.scheduling.reschedule.reschedule`.

    Returns
    -------
    ReplanResult
        The committed version, the difference to the previous one and what the rescheduler moved.

    Raises
    ------
    ValidationError
        On bad input (unknown machine, order or product; times out of order; actuals that contradict the
        plan); each message names the field. Nothing is stored then.
    """
    store = store_or_dir if isinstance(store_or_dir, PlanStore) else PlanStore(store_or_dir)
    previous = store.current()
    data, base, doc = load_schedule_files(store.directory)
    t_now = _moment(now, previous, "now")
    if t_now < 0:
        raise ValidationError(
            f"must not be before the plan's origin {previous.time_origin}, got {now!r}", "now"
        )
    events = list(events)
    for idx, event in enumerate(events):
        if not isinstance(event, MachineDown | CancelOrder | RushOrderRequest):
            raise ValidationError(f"unknown event type {type(event).__name__}", f"events[{idx}]")
    plan = apply_actuals(previous, actuals, t_now) if actuals else previous
    new_plan, rescheduled, new_data, ids, mids, dropped = _reschedule_plan(
        plan,
        data,
        base,
        doc,
        events,
        t_now,
        store.directory,
        frozen_horizon=frozen_horizon,
        time_limit=time_limit,
        num_workers=num_workers,
        seed=seed,
        moved_weight=moved_weight,
        shift_weight=shift_weight,
        window=window,
    )
    committed = store.commit(new_plan)
    schedule = rescheduled.schedule
    assert schedule is not None
    write_schedule_files(
        store.directory, _unpinned(new_data), schedule, committed, operation_ids=ids, maintenance_ids=mids
    )
    _refresh_folder(store.directory)
    diff = diff_plans(previous, committed)
    moves = tuple(
        (ids[j][o], move)
        for move in rescheduled.moves
        for j, o in [_new_key(rescheduled, move)]
        if j is not None
    )
    logger.info(
        "re-planned %s v%d -> v%d at %d: %d moved, %d added, %d cancelled",
        committed.plan_id,
        previous.version,
        committed.version,
        t_now,
        len(diff.moved),
        len(diff.added),
        len(diff.cancelled),
    )
    return ReplanResult(committed, previous, diff, rescheduled, moves, t_now, tuple(dropped))


def rescheduler_for(directory: str | Path, **options: Any) -> Rescheduler:
    """The rescheduler seam of :func:`~planner.planning.lifecycle.apply_actuals` for a plan directory.

    Parameters
    ----------
    directory
        The plan directory (with its scheduling files).
    options
        ``frozen_horizon``, ``time_limit``, ``num_workers``, ... as for :func:`replan`.

    Returns
    -------
    callable
        ``(plan, now) -> plan``: re-plans a plan whose actuals are recorded (running and completed work are
        facts) from ``now``. It writes the scheduling files for the next version of the directory's plan,
        so the plan it returns must be committed to that directory next (as
        :func:`planner.interchange.export.record_actuals` does).
    """
    store = PlanStore(directory)

    def run(plan: Plan, now: int) -> Plan:
        data, base, doc = load_schedule_files(store.directory)
        new_plan, rescheduled, new_data, ids, mids, _ = _reschedule_plan(
            plan, data, base, doc, (), now, store.directory, **options
        )
        schedule = rescheduled.schedule
        assert schedule is not None
        version = store.current().version + 1
        write_schedule_files(
            store.directory,
            _unpinned(new_data),
            schedule,
            new_plan.replace(version=version),
            operation_ids=ids,
            maintenance_ids=mids,
        )
        return new_plan

    return run


def _new_key(rescheduled: RescheduleResult, move: Move) -> tuple[int | None, int]:
    """Index in the new problem of the operation a move names (by job name and operation index)."""
    data = rescheduled.data
    for j_idx in range(data.num_jobs):
        if data.job_name(j_idx) == move.job:
            origin = rescheduled.job_origin[j_idx]
            if origin is None:
                return j_idx, move.operation
            for (nj, no), (_, oo) in rescheduled.origin.items():
                if nj == j_idx and oo == move.operation:
                    return nj, no
    return None, 0


def _unpinned(data: ProblemData) -> ProblemData:
    """``data`` without pins (the next re-plan pins by plan state)."""
    jobs = tuple(
        replace(
            job,
            operations=tuple(replace(op, pinned_machine=None, pinned_start=None) for op in job.operations),
        )
        for job in data.jobs
    )
    return data.replace(jobs=jobs)


def _refresh_folder(directory: Path) -> None:
    """Rewrite the CSV tables, charts and report of a plan folder of `planner plan` for its new version."""
    from planner.planning.report import refresh_plan_folder

    refresh_plan_folder(directory)


def _read_plant(directory: Path) -> Plant | None:
    path = directory / PLANT_FILE
    if not path.exists():
        return None
    from planner.planning.plant import read_plant

    return read_plant(path)


def _reschedule_plan(
    plan: Plan,
    data: ProblemData,
    base: Schedule,
    doc: Mapping[str, Any],
    events: Sequence[ReplanEvent],
    now: int,
    directory: Path,
    **options: Any,
) -> tuple[Plan, RescheduleResult, ProblemData, list[list[str]], list[str | None], list[Any]]:
    """The re-planned plan (not stored), the rescheduler's result, the new problem and its id mapping."""
    from planner.scheduling import Job
    from planner.scheduling.reschedule import (
        Breakdown,
        OperationUpdate,
        OrderCancelled,
        RushOrder,
        reschedule,
    )

    ids: list[list[str]] = [[op["id"] for op in job["operations"]] for job in doc["jobs"]]
    mids: list[str | None] = [None] * len(data.maintenance)
    for m in doc.get("maintenance", ()):
        mids[m["task"]] = m.get("id")
    ops_by_id = {op.id: (order, op) for order, op in plan.operations()}
    where_of: dict[str, tuple[int, int]] = {}
    for j_idx, row in enumerate(ids):
        for o_idx, op_id in enumerate(row):
            if op_id not in ops_by_id:
                raise ValidationError(
                    f"operation {op_id!r} of the stored schedule is not in plan version {plan.version}",
                    "plan_dir",
                )
            where_of[op_id] = (j_idx, o_idx)
    placed = base.as_dict()
    machine_index = {data.machine_name(m): m for m in range(data.num_machines)}
    errors: list[FieldViolation] = []

    # plan states -> facts: released work pinned, running and done work reported
    updates: list[Any] = []
    running: dict[int, list[tuple[int, int]]] = {}
    jobs = list(data.jobs)
    for op_id, (j_idx, o_idx) in where_of.items():
        order, op = ops_by_id[op_id]
        sop = placed[(j_idx, o_idx)]
        if order.state == "cancelled":
            continue
        model_op = data.jobs[j_idx].operations[o_idx]
        pin: tuple[int | None, int | None] = (None, None)
        if op.state in ("running", "completed", "closed"):
            ran_on = machine_index.get(op.machine)
            if ran_on is None:
                errors.append(
                    FieldViolation(f"operation {op_id}", f"reported on unknown machine {op.machine!r}")
                )
                continue
            moved_to = None if ran_on == sop.machine else op.machine
            if op.start > now or (op.state != "running" and op.end > now):
                errors.append(
                    FieldViolation(
                        f"operation {op_id}",
                        f"is {op.state} at {op.start}-{op.end}, after now ({now}); give a later --now",
                    )
                )
                continue
            if op.state == "running":
                updates.append(OperationUpdate(order.id, o_idx, start=op.start, machine=moved_to))
                mode = model_op.mode_on(ran_on)
                running.setdefault(ran_on, []).append((op.start, op.start + (mode.duration if mode else 0)))
            else:
                updates.append(OperationUpdate(order.id, o_idx, start=op.start, end=op.end, machine=moved_to))
        elif op.state == "released":
            pin = (sop.machine, sop.start)
        if (model_op.pinned_machine, model_op.pinned_start) != pin:
            job = jobs[j_idx]
            new_ops = list(job.operations)
            new_ops[o_idx] = replace(model_op, pinned_machine=pin[0], pinned_start=pin[1])
            jobs[j_idx] = replace(job, operations=tuple(new_ops))
    data = data.replace(jobs=tuple(jobs))

    # events by plant ids -> the rescheduler's events
    sched_events: list[Any] = []
    dropped: list[Any] = []
    cancelled: list[str] = []
    rush: list[tuple[RushOrderRequest, ProductionOrder]] = []
    plant = None
    order_ids = {o.id for o in plan.orders}
    for idx, event in enumerate(events):
        where = f"events[{idx}]"
        if isinstance(event, MachineDown):
            if event.machine not in machine_index:
                known = ", ".join(sorted(machine_index))
                errors.append(
                    FieldViolation(f"{where}.machine", f"unknown machine {event.machine!r} ({known})")
                )
                continue
            try:
                start = _moment(event.start, plan, f"{where}.start")
                end = _moment(event.end, plan, f"{where}.end")
            except ValidationError as exc:
                errors += exc.violations
                continue
            if start < 0 or end <= start:
                errors.append(
                    FieldViolation(f"{where}.end", f"must be after start {start} (>= 0), got {end}")
                )
                continue
            m_idx = machine_index[event.machine]
            window: tuple[int, int] | None = (start, end)
            for r_start, r_end in sorted(running.get(m_idx, [])):
                if window is not None and r_start < window[1] and window[0] < r_end:
                    window = (r_end, window[1]) if r_end < window[1] else None
            if window != (start, end):
                logger.warning(
                    "breakdown of %s %d-%d meets running work: %s",
                    event.machine,
                    start,
                    end,
                    f"taken to begin at {window[0]}" if window else "dropped",
                )
                dropped.append((event.machine, (start, end), window))
            if window is not None:
                sched_events.append(Breakdown(event.machine, window[0], window[1]))
        elif isinstance(event, CancelOrder):
            if event.order not in order_ids:
                errors.append(FieldViolation(f"{where}.order", f"unknown order {event.order!r}"))
                continue
            state = plan.order(event.order).state
            if state in ("completed", "closed"):
                errors.append(FieldViolation(f"{where}.order", f"order {event.order!r} is {state}"))
                continue
            cancelled.append(event.order)
        else:
            if event.order in order_ids or any(r.order == event.order for r, _ in rush):
                errors.append(FieldViolation(f"{where}.order", f"order {event.order!r} exists already"))
                continue
            if plant is None:
                plant = _read_plant(directory)
                if plant is None:
                    errors.append(
                        FieldViolation(
                            where, f"rush orders need the plant ({PLANT_FILE}) in the plan directory"
                        )
                    )
                    continue
            try:
                due = None if event.due is None else _moment(event.due, plan, f"{where}.due")
                ops, product, family = _rush_job(event, plant, data, where)
            except ValidationError as exc:
                errors += exc.violations
                continue
            job = Job(ops, name=event.order, due=due, weight=event.priority, family=family)
            sched_events.append(RushOrder(job))
            consumes = tuple(MaterialFlow(item, qty * event.quantity) for item, qty, _ in product.bom)
            rush.append(
                (
                    event,
                    ProductionOrder(
                        id=event.order,
                        item=event.item,
                        quantity=float(event.quantity),
                        operations=tuple(
                            PlannedOperation(
                                id=f"{event.order}/{10 * (k + 1):03d}",
                                sequence=k,
                                name=op.name or f"op{k}",
                                machine=data.machine_name(op.modes[0].machine),
                                start=0,
                                end=0,
                                consumes=consumes if k == 0 else (),
                                produces=(MaterialFlow(event.item, float(event.quantity)),)
                                if k == len(ops) - 1
                                else (),
                            )
                            for k, op in enumerate(ops)
                        ),
                        kind="customer",
                        due=due,
                        priority=event.priority,
                        options=event.options,
                    ),
                )
            )
    if errors:
        raise ValidationError(errors)
    to_cancel = set(cancelled) | {o.id for o in plan.orders if o.state == "cancelled"}
    job_names = {data.job_name(j) for j in range(data.num_jobs)}
    sched_events += [OrderCancelled(o) for o in sorted(to_cancel) if o in job_names]
    sched_events += updates

    result = reschedule(data, base, sched_events, now=now, **options)
    schedule = result.schedule
    if schedule is None:
        raise ValidationError(
            f"the rescheduler found no plan ({result.result.status.value}); allow more --time-limit",
            "time_limit",
        )

    # the new plan: same ids and states, new machines and times, rush orders added, cancellations
    new_data = result.data
    new_ids: list[list[str]] = []
    rush_orders = {r.order: order for r, order in rush}
    # machines, times, durations and setups as plan_from_schedule reads them off the new schedule
    solved = plan_from_schedule(new_data, schedule, plan_id=plan.plan_id)
    new_places: dict[str, PlannedOperation] = {}
    for nj in range(new_data.num_jobs):
        row = []
        for no in range(len(new_data.jobs[nj].operations)):
            if result.job_origin[nj] is None:
                op_id = rush_orders[new_data.job_name(nj)].operations[no].id
            else:
                oj, oo = result.origin[(nj, no)]
                op_id = ids[oj][oo]
            row.append(op_id)
            new_places[op_id] = solved.orders[nj].operations[no]
        new_ids.append(row)

    def placed_op(op: PlannedOperation, order_cancelled: bool) -> PlannedOperation:
        if order_cancelled and op.state not in ("completed", "closed"):
            return replace(op, state="cancelled")
        if op.id not in new_places or op.state in DONE_STATES:
            return op
        new = new_places[op.id]
        if (new.machine, new.start, new.end) == (op.machine, op.start, op.end):
            return op
        if op.state == "running":  # reported work keeps its reported duration
            return replace(op, machine=new.machine, start=new.start, end=new.end)
        return replace(
            op, machine=new.machine, start=new.start, end=new.end, duration=new.duration, setup=new.setup
        )

    orders = []
    for order in plan.orders:
        gone = order.id in to_cancel
        ops = tuple(placed_op(op, gone) for op in order.operations)
        orders.append(replace(order, operations=ops, state="cancelled" if gone else order.state))
    for _, order in rush:
        ops = tuple(
            replace(
                op,
                machine=new_places[op.id].machine,
                start=new_places[op.id].start,
                end=new_places[op.id].end,
                duration=new_places[op.id].duration,
                setup=new_places[op.id].setup,
            )
            for op in order.operations
        )
        orders.append(replace(order, operations=ops))
    maintenance = list(plan.maintenance)
    positions = {task.id: k for k, task in enumerate(maintenance)}
    for sm in schedule.maintenance:
        task_id = mids[sm.task] if sm.task < len(mids) else None
        if task_id in positions:
            k = positions[task_id]
            maintenance[k] = replace(maintenance[k], start=sm.start, end=sm.end)
    kpis = dict(plan.kpis)
    kpis.update(_kpis(plan.replace(orders=tuple(orders)), directory, result))
    new_plan = plan.replace(orders=tuple(orders), maintenance=tuple(maintenance), kpis=kpis)
    return new_plan, result, new_data, new_ids, mids, dropped


def _kpis(plan: Plan, directory: Path, result: RescheduleResult) -> dict[str, Any]:
    from planner.planning.kpis import plan_kpis

    plant = _read_plant(directory)
    unit_values = {p.id: p.stock.unit_value for p in plant.products} if plant is not None else None
    kpis = plan_kpis(plan, unit_values=unit_values, schedule_kpis=result.result.kpis)
    kpis["replan"] = {
        "now": result.now,
        "status": result.result.status.value,
        "num_moved": result.num_moved,
        "total_shift": result.total_shift,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return kpis
