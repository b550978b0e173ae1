"""The plan a factory runs: production orders with their scheduled operations, inventory targets, purchases.

This is the contract between the stages that make a plan (:mod:`planner.planning`) and those that carry it
to MES/ERP systems (:mod:`planner.interchange`) or store it. A plan is plain data: ids are the plant's own
(order references, machine ids, item numbers), times are integers in ``time_unit`` counted from
``time_origin`` (an ISO 8601 timestamp with its UTC offset); :meth:`Plan.datetime_at` maps them to calendar
time. Every order and operation carries a lifecycle state (:data:`STATES`).

On disk a plan is ``plan.json`` in a plan directory (:meth:`Plan.write`, :meth:`Plan.read`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from planner.exceptions import FieldViolation, ValidationError

PLAN_FILE = "plan.json"
FORMAT_VERSION = 1

STATES = ("proposed", "approved", "released", "running", "completed", "closed", "cancelled")
"""Lifecycle of orders and operations, in order; ``cancelled`` may follow any state before ``completed``."""

PINNED_STATES = frozenset({"released", "running"})
"""States whose work stays where it is in every re-plan."""

DONE_STATES = frozenset({"completed", "closed", "cancelled"})
"""States whose work is history (not re-planned)."""

ORDER_KINDS = ("production", "customer", "maintenance")

TIME_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0, "d": 86400.0, "day": 86400.0}
"""Seconds per time unit for the units a plan may use."""


def _tuple(obj: Any, name: str) -> None:
    object.__setattr__(obj, name, tuple(getattr(obj, name)))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class MaterialFlow:
    """A quantity of an item consumed or produced by an operation."""

    item: str
    quantity: float

    def violations(self) -> list[FieldViolation]:
        errors = []
        if not self.item:
            errors.append(FieldViolation("item", "an item id is required"))
        if not _is_number(self.quantity) or self.quantity < 0:
            errors.append(FieldViolation("quantity", f"must be a number >= 0, got {self.quantity!r}"))
        return errors


@dataclass(frozen=True)
class PlannedOperation:
    """One scheduled step of a production order.

    Parameters
    ----------
    id
        Unique in the plan, e.g. ``"PO-0007/020"``.
    sequence
        Position in the order's routing (0-based).
    name
        What the step does (e.g. ``"paint"``).
    machine
        Id of the machine it runs on.
    start, end
        Time units from the plan's origin; ``end - start`` includes any pause over a closed shift.
    duration
        Processing time (``end - start`` unless the operation pauses over a closed window).
    setup
        Changeover time just before ``start`` on that machine.
    state
        One of :data:`STATES`.
    consumes, produces
        Materials with quantities.
    quantity_done, scrap
        Good and scrapped quantity reported from the shop floor (actuals).
    """

    id: str
    sequence: int
    name: str
    machine: str
    start: int
    end: int
    duration: int | None = None
    setup: int = 0
    state: str = "proposed"
    consumes: tuple[MaterialFlow, ...] = ()
    produces: tuple[MaterialFlow, ...] = ()
    quantity_done: float = 0.0
    scrap: float = 0.0

    def __post_init__(self) -> None:
        _tuple(self, "consumes")
        _tuple(self, "produces")
        if self.duration is None:
            object.__setattr__(self, "duration", self.end - self.start if _is_int(self.end) else 0)

    def violations(self) -> list[FieldViolation]:
        errors = []
        if not self.id:
            errors.append(FieldViolation("id", "an operation id is required"))
        if not self.machine:
            errors.append(FieldViolation("machine", "a machine id is required"))
        if not _is_int(self.sequence) or self.sequence < 0:
            errors.append(FieldViolation("sequence", f"must be an integer >= 0, got {self.sequence!r}"))
        for name in ("start", "end", "setup"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                errors.append(FieldViolation(name, f"must be an integer >= 0, got {value!r}"))
        if _is_int(self.start) and _is_int(self.end) and self.end < self.start:
            errors.append(FieldViolation("end", f"must be >= start ({self.start}), got {self.end}"))
        if not _is_int(self.duration) or self.duration < 0:  # type: ignore[operator]
            errors.append(FieldViolation("duration", f"must be an integer >= 0, got {self.duration!r}"))
        elif _is_int(self.start) and _is_int(self.end) and self.duration > self.end - self.start:  # type: ignore[operator]
            errors.append(
                FieldViolation("duration", f"{self.duration} does not fit in {self.start}..{self.end}")
            )
        if self.state not in STATES:
            errors.append(FieldViolation("state", f"unknown state {self.state!r}; use one of {STATES}"))
        for name in ("quantity_done", "scrap"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                errors.append(FieldViolation(name, f"must be a number >= 0, got {value!r}"))
        for kind in ("consumes", "produces"):
            for idx, flow in enumerate(getattr(self, kind)):
                errors += [
                    FieldViolation(f"{kind}[{idx}].{v.field}", v.description) for v in flow.violations()
                ]
        return errors


@dataclass(frozen=True)
class ProductionOrder:
    """An order to make ``quantity`` of ``item``: a production lot or a customer order, with its operations.

    Parameters
    ----------
    id
        The order reference, unique in the plan.
    item
        The item (product or part) made.
    quantity
        How much.
    operations
        Its scheduled operations in routing order.
    kind
        One of :data:`ORDER_KINDS`.
    due
        Due time (time units from the origin), or None.
    release
        Earliest start, or None.
    priority
        Higher is more important (the tardiness weight).
    options
        Chosen options of a customised product.
    state
        One of :data:`STATES`.
    period
        Lot-sizing period the lot belongs to, when it comes from the inventory plan.
    """

    id: str
    item: str
    quantity: float
    operations: tuple[PlannedOperation, ...] = ()
    kind: str = "production"
    due: int | None = None
    release: int | None = None
    priority: int = 1
    options: tuple[str, ...] = ()
    state: str = "proposed"
    period: int | None = None

    def __post_init__(self) -> None:
        _tuple(self, "operations")
        _tuple(self, "options")

    @property
    def start(self) -> int | None:
        return min((op.start for op in self.operations), default=None)

    @property
    def end(self) -> int | None:
        return max((op.end for op in self.operations), default=None)

    @property
    def quantity_done(self) -> float:
        """Good quantity reported by the last operation of the routing (the one that yields the item)."""
        return self.operations[-1].quantity_done if self.operations else 0.0

    @property
    def quantity_left(self) -> float:
        """What is still to make: ``quantity`` less what is done."""
        return max(0.0, self.quantity - self.quantity_done)

    def violations(self) -> list[FieldViolation]:
        errors = []
        if not self.id:
            errors.append(FieldViolation("id", "an order id is required"))
        if not self.item:
            errors.append(FieldViolation("item", "an item id is required"))
        if not _is_number(self.quantity) or self.quantity < 0:
            errors.append(FieldViolation("quantity", f"must be a number >= 0, got {self.quantity!r}"))
        if self.kind not in ORDER_KINDS:
            errors.append(FieldViolation("kind", f"unknown kind {self.kind!r}; use one of {ORDER_KINDS}"))
        for name in ("due", "release", "period"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 0):
                errors.append(FieldViolation(name, f"must be an integer >= 0 or empty, got {value!r}"))
        if not _is_int(self.priority) or self.priority < 0:
            errors.append(FieldViolation("priority", f"must be an integer >= 0, got {self.priority!r}"))
        if self.state not in STATES:
            errors.append(FieldViolation("state", f"unknown state {self.state!r}; use one of {STATES}"))
        for idx, op in enumerate(self.operations):
            errors += [FieldViolation(f"operations[{idx}].{v.field}", v.description) for v in op.violations()]
        return errors


@dataclass(frozen=True)
class InventoryTarget:
    """The inventory plan of one item in one lot-sizing period ``[period_start, period_end)``."""

    item: str
    period: int
    period_start: int
    period_end: int
    produce: float = 0.0
    inventory: float = 0.0
    backlog: float = 0.0
    safety_stock: float = 0.0
    demand: float = 0.0


@dataclass(frozen=True)
class PurchaseOrder:
    """A bought part to order: ``quantity`` of ``item`` to arrive by ``due`` (ordered at ``order_by``)."""

    id: str
    item: str
    quantity: float
    due: int
    order_by: int
    period: int | None = None


@dataclass(frozen=True)
class PlannedMaintenance:
    """A maintenance task placed on a machine."""

    id: str
    machine: str
    start: int
    end: int
    name: str = ""
    state: str = "proposed"


@dataclass(frozen=True)
class PlanMachine:
    """A machine of the plant as the plan names it."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class Plan:
    """A whole plan: what to make, on which machine, when; what to keep and what to buy.

    Parameters
    ----------
    plan_id
        Stable id of the plan (the same for all its versions).
    version
        Increases by one with every re-plan.
    plant
        Name of the plant.
    time_origin
        ISO 8601 timestamp of time 0 with its UTC offset, e.g. ``"2026-12-07T06:00:00+01:00"``.
    time_unit
        Unit of all times (a key of :data:`TIME_UNITS`).
    timezone
        IANA time zone of the plant (for display; ``time_origin`` carries the offset).
    machines, orders, inventory, purchases, maintenance
        The plan's content.
    kpis
        Key figures of the whole plan (JSON-ready).
    created
        When this version was made (ISO 8601).
    previous_version
        The version it replaced, or None.
    """

    plan_id: str
    time_origin: str
    machines: tuple[PlanMachine, ...] = ()
    orders: tuple[ProductionOrder, ...] = ()
    inventory: tuple[InventoryTarget, ...] = ()
    purchases: tuple[PurchaseOrder, ...] = ()
    maintenance: tuple[PlannedMaintenance, ...] = ()
    version: int = 1
    plant: str = ""
    time_unit: str = "min"
    timezone: str = "UTC"
    kpis: Mapping[str, Any] = field(default_factory=dict)
    created: str = ""
    previous_version: int | None = None

    def __post_init__(self) -> None:
        for name in ("machines", "orders", "inventory", "purchases", "maintenance"):
            _tuple(self, name)
        errors = self.violations()
        if errors:
            raise ValidationError(errors)

    def violations(self) -> list[FieldViolation]:
        """Every broken rule, with its field path."""
        errors: list[FieldViolation] = []
        if not self.plan_id:
            errors.append(FieldViolation("plan_id", "a plan id is required"))
        if not _is_int(self.version) or self.version < 1:
            errors.append(FieldViolation("version", f"must be an integer >= 1, got {self.version!r}"))
        if self.time_unit not in TIME_UNITS:
            errors.append(
                FieldViolation(
                    "time_unit", f"unknown unit {self.time_unit!r}; use one of {sorted(TIME_UNITS)}"
                )
            )
        try:
            origin = datetime.fromisoformat(self.time_origin)
            if origin.tzinfo is None:
                errors.append(FieldViolation("time_origin", "needs a UTC offset, e.g. +01:00 or Z"))
        except (TypeError, ValueError):
            errors.append(
                FieldViolation("time_origin", f"must be an ISO 8601 timestamp, got {self.time_origin!r}")
            )
        machine_ids = [m.id for m in self.machines]
        known = set(machine_ids)
        if len(known) != len(machine_ids):
            errors.append(FieldViolation("machines", "machine ids must be unique"))
        order_ids: set[str] = set()
        op_ids: set[str] = set()
        for o_idx, order in enumerate(self.orders):
            where = f"orders[{o_idx}]"
            errors += [FieldViolation(f"{where}.{v.field}", v.description) for v in order.violations()]
            if order.id in order_ids:
                errors.append(FieldViolation(f"{where}.id", f"order id {order.id!r} is used twice"))
            order_ids.add(order.id)
            for k, op in enumerate(order.operations):
                if op.id in op_ids:
                    errors.append(
                        FieldViolation(f"{where}.operations[{k}].id", f"operation id {op.id!r} is used twice")
                    )
                op_ids.add(op.id)
                if known and op.machine not in known:
                    errors.append(
                        FieldViolation(f"{where}.operations[{k}].machine", f"machine {op.machine!r} unknown")
                    )
        for idx, task in enumerate(self.maintenance):
            if known and task.machine not in known:
                errors.append(
                    FieldViolation(f"maintenance[{idx}].machine", f"machine {task.machine!r} unknown")
                )
            if task.end < task.start:
                errors.append(FieldViolation(f"maintenance[{idx}].end", "must be >= start"))
        return errors

    # -- time ------------------------------------------------------------------------------------------

    @property
    def origin(self) -> datetime:
        """``time_origin`` as an aware datetime."""
        return datetime.fromisoformat(self.time_origin)

    @property
    def seconds_per_unit(self) -> float:
        return TIME_UNITS[self.time_unit]

    def datetime_at(self, t: int | float) -> datetime:
        """Calendar time of plan time ``t``."""
        return self.origin + timedelta(seconds=t * self.seconds_per_unit)

    def time_of(self, moment: datetime) -> int:
        """Plan time (rounded down to a whole unit) of an aware datetime."""
        if moment.tzinfo is None:
            raise ValidationError("needs a UTC offset", "time")
        return math.floor((moment - self.origin).total_seconds() / self.seconds_per_unit)

    def duration(self, units: int | float) -> timedelta:
        """A duration of ``units`` time units."""
        return timedelta(seconds=units * self.seconds_per_unit)

    # -- look-ups --------------------------------------------------------------------------------------

    def operations(self) -> Iterator[tuple[ProductionOrder, PlannedOperation]]:
        """Every ``(order, operation)``."""
        for order in self.orders:
            for op in order.operations:
                yield order, op

    def order(self, order_id: str) -> ProductionOrder:
        for order in self.orders:
            if order.id == order_id:
                return order
        raise KeyError(order_id)

    def by_machine(self) -> dict[str, list[tuple[ProductionOrder, PlannedOperation]]]:
        """Per machine id, its operations in start order (the dispatch list)."""
        out: dict[str, list[tuple[ProductionOrder, PlannedOperation]]] = {m.id: [] for m in self.machines}
        for order, op in sorted(self.operations(), key=lambda pair: (pair[1].start, pair[1].end, pair[1].id)):
            out.setdefault(op.machine, []).append((order, op))
        return out

    def replace(self, **changes: Any) -> Plan:
        """A copy with some fields changed (validated again)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return Plan(**values)

    # -- JSON ------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``plan.json`` holds)."""
        from dataclasses import asdict

        doc = {"format_version": FORMAT_VERSION, **asdict(self)}
        doc["kpis"] = dict(self.kpis)
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Plan:
        """Read :meth:`to_dict`'s form; raises :class:`ValidationError` naming the field on bad input."""
        if not isinstance(doc, Mapping):
            raise ValidationError("a plan must be a JSON object", "")
        try:
            return cls(
                plan_id=doc.get("plan_id", ""),
                version=doc.get("version", 1),
                plant=doc.get("plant", ""),
                time_origin=doc.get("time_origin", ""),
                time_unit=doc.get("time_unit", "min"),
                timezone=doc.get("timezone", "UTC"),
                created=doc.get("created", ""),
                previous_version=doc.get("previous_version"),
                kpis=dict(doc.get("kpis") or {}),
                machines=tuple(PlanMachine(**m) for m in doc.get("machines", ())),
                orders=tuple(_order_from_dict(o) for o in doc.get("orders", ())),
                inventory=tuple(InventoryTarget(**row) for row in doc.get("inventory", ())),
                purchases=tuple(PurchaseOrder(**row) for row in doc.get("purchases", ())),
                maintenance=tuple(PlannedMaintenance(**row) for row in doc.get("maintenance", ())),
            )
        except TypeError as exc:
            raise ValidationError(f"unexpected or missing field: {exc}", "plan") from None

    def write(self, directory: str | Path) -> Path:
        """Write ``plan.json`` into ``directory`` (created if needed); returns its path."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        target = path / PLAN_FILE
        target.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return target

    @classmethod
    def read(cls, path: str | Path) -> Plan:
        """Read a plan from a plan directory or a ``plan.json`` file."""
        path = Path(path)
        if path.is_dir():
            path = path / PLAN_FILE
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            raise ValidationError(f"no plan at {path}", "plan") from None
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})", "plan") from None
        return cls.from_dict(doc)


def _flows(rows: Sequence[Mapping[str, Any]]) -> tuple[MaterialFlow, ...]:
    return tuple(MaterialFlow(**row) for row in rows)


def _order_from_dict(doc: Mapping[str, Any]) -> ProductionOrder:
    values = dict(doc)
    values["operations"] = tuple(
        PlannedOperation(
            **{
                **op,
                "consumes": _flows(op.get("consumes", ())),
                "produces": _flows(op.get("produces", ())),
            }
        )
        for op in values.get("operations", ())
    )
    values["options"] = tuple(values.get("options", ()))
    return ProductionOrder(**values)


def plan_from_schedule(
    data: Any,
    schedule: Any,
    *,
    plan_id: str = "",
    version: int = 1,
    quantities: Sequence[float] | None = None,
    items: Sequence[str] | None = None,
) -> Plan:
    """A plan holding one production order per job of a solved scheduling problem.

    Parameters
    ----------
    data
        The :class:`~planner.scheduling.ProblemData` that was solved.
    schedule
        Its :class:`~planner.scheduling.Schedule`.
    plan_id
        Id of the plan (default: the instance name).
    version
        Plan version.
    quantities, items
        Per job, the quantity and the item made (default: 1 of the job's family name).

    Returns
    -------
    Plan
        Orders named after the jobs, operations ``"<order>/<10*(k+1):03d>"`` on machines named after the
        machines, setups from the machines' changeover matrices. An abstract instance without a time origin
        gets ``1970-01-01T00:00:00+00:00``; a time unit the plan does not know becomes ``"min"``.
    """
    machines = tuple(
        PlanMachine(data.machine_name(m), data.machine_name(m)) for m in range(data.num_machines)
    )
    setups: dict[tuple[int, int], int] = {}
    for m_idx, ops in schedule.by_machine().items():
        machine = data.machines[m_idx]
        previous: int | None = machine.initial_family
        for sop in ops:
            family = data.jobs[sop.job].family
            if sop.end > sop.start:
                setups[(sop.job, sop.operation)] = machine.setup(previous, family)
                previous = family
    placed = schedule.as_dict()
    orders = []
    for j_idx, job in enumerate(data.jobs):
        name = data.job_name(j_idx)
        ops = []
        for o_idx, op in enumerate(job.operations):
            sop = placed[(j_idx, o_idx)]
            mode = op.mode_on(sop.machine)
            ops.append(
                PlannedOperation(
                    id=f"{name}/{10 * (o_idx + 1):03d}",
                    sequence=o_idx,
                    name=op.name or f"op{o_idx}",
                    machine=data.machine_name(sop.machine),
                    start=sop.start,
                    end=sop.end,
                    duration=mode.duration if mode is not None else sop.end - sop.start,
                    setup=setups.get((j_idx, o_idx), 0),
                )
            )
        orders.append(
            ProductionOrder(
                id=name,
                item=items[j_idx] if items else data.family_name(job.family),
                quantity=float(quantities[j_idx]) if quantities else 1.0,
                operations=tuple(ops),
                due=job.due,
                release=job.release or None,
                priority=job.weight,
            )
        )
    unit = data.time_unit if data.time_unit in TIME_UNITS else "min"
    return Plan(
        plan_id=plan_id or data.name or "plan",
        version=version,
        plant=data.name,
        time_origin=data.time_origin or "1970-01-01T00:00:00+00:00",
        time_unit=unit,
        machines=machines,
        orders=tuple(orders),
    )
