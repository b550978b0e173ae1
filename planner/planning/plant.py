"""The plant model: machines and calendars, families, products with routings and options, stock, energy.

A plant is a JSON document (rules in ``plant.schema.json``, JSON Schema draft 2020-12, shipped with the
package; the demo plant is ``instances/plants/demo_plant.json``)::

    {
      "name": "demo", "horizon": {"start": "2026-12-07T00:00:00+01:00", "timezone": "Europe/Berlin",
                                  "period": "1d", "num_periods": 14, "schedule_days": 3},
      "shift_patterns": {"two_shifts": {"mon": [["06:00", "22:00"]], "tue": ...}},
      "machines": [{"id": "CNC-1", "group": "cnc", "calendar": {"shifts": "two_shifts",
                    "closed_days": ["2026-12-24"]}, "idle_power": 2.5}],
      "families": ["steel", "alu"],
      "changeovers": [{"group": "cnc", "default": 20, "times": {"steel": {"alu": 45}}}],
      "products": [{"id": "FRAME", "family": "steel",
                    "routing": [{"name": "mill", "machines": [{"machine": "CNC-1", "per_unit": 2.5,
                                 "fixed": 15, "power": 18}], "resumable": false}],
                    "options": {"anodised": {"add": [{"step": {...}, "after": "mill"}]}},
                    "bom": [{"item": "TUBE", "quantity": 2, "lead_time": 1}],
                    "stock": {"initial": 40, "holding_cost": 0.2, "unit_value": 80, "service_level": 0.95}},
                   {"id": "TUBE", "bought": true, "lead_time": 2, "stock": {...}}],
      "maintenance": [{"machine": "CNC-1", "duration": 240, "earliest": "2026-12-08T06:00",
                       "latest": "2026-12-09T22:00"}],
      "energy": {"price": {"pattern": "daily", "values": [24 hourly prices]}, "co2": {...}, "peak_kw": 150}
    }

Reading converts calendar time to integer minutes from ``horizon.start`` once (shift patterns and closed
days are expanded in the plant's time zone over the whole horizon), so the stages downstream only see
integers. Every problem is reported with its JSON path (``products[3].routing[1].machines[0].machine``).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner.exceptions import FieldViolation, ValidationError

logger = logging.getLogger(__name__)

__all__ = [
    "EnergySpec",
    "Horizon",
    "MaintenanceSpec",
    "Option",
    "Plant",
    "PlantMachine",
    "Product",
    "Step",
    "StepChange",
    "StepMode",
    "Stock",
    "parse_plant",
    "plant_from_dict",
    "plant_schema",
    "read_plant",
]

SCHEMA_FILE = "plant.schema.json"
_MAX_SCHEMA_ERRORS = 8
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^([1-9]\d*)([hdw])$")
_PERIOD_MINUTES = {"h": 60, "d": 1440, "w": 10080}


# -- schema --------------------------------------------------------------------------------------------


@cache
def plant_schema() -> dict[str, Any]:
    """The JSON Schema of plant files (a parsed copy shipped inside the package)."""
    text = resources.files("planner.planning").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@cache
def _validator() -> Any:
    import jsonschema  # lazy: only plant files need it

    return jsonschema.Draft202012Validator(plant_schema())


def _json_path(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _check_schema(doc: Any) -> None:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    violations = []
    for e in errors[:_MAX_SCHEMA_ERRORS]:
        message = e.message
        if e.validator == "oneOf" and isinstance(e.instance, str):
            message = f"{e.instance!r} is not a shift pattern name or a weekly pattern"
        violations.append(FieldViolation(_json_path(e.absolute_path), message))
    if len(errors) > _MAX_SCHEMA_ERRORS:
        violations.append(FieldViolation("(root)", f"and {len(errors) - _MAX_SCHEMA_ERRORS} more problems"))
    raise ValidationError(violations)


# -- the model -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: lot-sizing periods from ``start`` and the detailed-scheduling window.

    Parameters
    ----------
    start
        Time 0 (an aware datetime).
    timezone
        IANA name of the plant's time zone (local clock times of shifts and tariffs).
    period
        Length of a lot-sizing period in minutes.
    num_periods
        Number of lot-sizing periods.
    schedule_minutes
        Lots of the periods that start before this time are scheduled in detail.
    """

    start: datetime
    timezone: str
    period: int
    num_periods: int
    schedule_minutes: int

    @property
    def end(self) -> int:
        """End of the last lot-sizing period in minutes."""
        return self.period * self.num_periods

    @property
    def origin(self) -> str:
        """ISO 8601 form of ``start`` with its offset."""
        return self.start.isoformat()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def num_schedule_periods(self) -> int:
        """Lot-sizing periods whose lots are scheduled in detail."""
        return min(self.num_periods, max(1, math.ceil(self.schedule_minutes / self.period)))

    def period_start(self, period: int) -> int:
        return period * self.period

    def period_end(self, period: int) -> int:
        return (period + 1) * self.period

    def minutes(self, moment: datetime) -> int:
        """Whole minutes from ``start`` to an aware datetime (rounded down)."""
        return math.floor((moment - self.start).total_seconds() / 60.0)

    def at(self, minutes: float) -> datetime:
        """Local calendar time of a time in minutes."""
        return (self.start + timedelta(minutes=minutes)).astimezone(self.tz)


@dataclass(frozen=True)
class StepMode:
    """A machine that can run a step: ``fixed + per_unit * quantity`` minutes drawing ``power`` kW."""

    machine: str
    per_unit: float = 0.0
    fixed: float = 0.0
    power: float = 0.0

    def duration(self, quantity: float) -> int:
        """Minutes for a lot of ``quantity`` units (rounded up to a whole minute)."""
        return max(0, math.ceil(self.fixed + self.per_unit * quantity - 1e-9))


@dataclass(frozen=True)
class Step:
    """One step of a routing with its eligible machines."""

    name: str
    modes: tuple[StepMode, ...]
    resumable: bool = False


@dataclass(frozen=True)
class StepChange:
    """An option's change to a step: times scaled and extended, machines replaced, resumability set."""

    step: str
    time_factor: float = 1.0
    extra_fixed: float = 0.0
    extra_per_unit: float = 0.0
    modes: tuple[StepMode, ...] | None = None
    resumable: bool | None = None

    def apply(self, step: Step) -> Step:
        modes = self.modes if self.modes is not None else step.modes
        changed = tuple(
            StepMode(
                m.machine,
                max(0.0, m.per_unit * self.time_factor + self.extra_per_unit),
                max(0.0, m.fixed * self.time_factor + self.extra_fixed),
                m.power,
            )
            for m in modes
        )
        resumable = step.resumable if self.resumable is None else self.resumable
        return Step(step.name, changed, resumable)


@dataclass(frozen=True)
class Option:
    """A customisation: steps removed, then changed, then added (each after a named step or at the end)."""

    name: str
    remove: tuple[str, ...] = ()
    change: tuple[StepChange, ...] = ()
    add: tuple[tuple[Step, str | None], ...] = ()


@dataclass(frozen=True)
class Stock:
    """Stock settings of an item (see the schema for units)."""

    initial: float = 0.0
    holding_cost: float = 0.0
    unit_value: float = 0.0
    setup_cost: float = 0.0
    safety_stock: float | None = None
    service_level: float | None = None
    max_storage: float | None = None
    backlog_penalty: float | None = None
    min_lot: float = 0.0
    lot_multiple: float | None = None


@dataclass(frozen=True)
class Product:
    """A product, sub-assembly or bought part.

    Parameters
    ----------
    id
        The item number.
    family
        Family index for changeovers.
    bought
        Bought parts have no routing; they are ordered ``lead_time`` periods ahead.
    routing
        The standard routing (no options chosen).
    options
        Name -> :class:`Option`.
    bom
        Components (item id, quantity per unit, lead time in periods).
    stock
        Stock settings.
    """

    id: str
    name: str = ""
    family: int = 0
    bought: bool = False
    lead_time: int = 0
    routing: tuple[Step, ...] = ()
    options: Mapping[str, Option] = field(default_factory=dict)
    bom: tuple[tuple[str, float, int], ...] = ()
    stock: Stock = field(default_factory=Stock)

    def routing_for(self, options: Sequence[str] = ()) -> tuple[Step, ...]:
        """The routing with the chosen ``options`` applied in the given order.

        Raises
        ------
        ValidationError
            For an option the product does not have, or one that names a step the routing lacks.
        """
        steps = list(self.routing)
        for idx, name in enumerate(options):
            option = self.options.get(name)
            if option is None:
                known = ", ".join(sorted(self.options)) or "none"
                raise ValidationError(
                    f"product {self.id!r} has no option {name!r} (its options: {known})", f"options[{idx}]"
                )
            names = [s.name for s in steps]
            for step_name in option.remove:
                if step_name not in names:
                    raise ValidationError(
                        f"option {name!r} removes step {step_name!r}, which the routing lacks",
                        f"options[{idx}]",
                    )
            steps = [s for s in steps if s.name not in option.remove]
            for change in option.change:
                pos = next((k for k, s in enumerate(steps) if s.name == change.step), None)
                if pos is None:
                    raise ValidationError(
                        f"option {name!r} changes step {change.step!r}, which the routing lacks",
                        f"options[{idx}]",
                    )
                steps[pos] = change.apply(steps[pos])
            for step, after in option.add:
                if after is None:
                    steps.append(step)
                    continue
                pos = next((k for k, s in enumerate(steps) if s.name == after), None)
                if pos is None:
                    raise ValidationError(
                        f"option {name!r} adds a step after {after!r}, which the routing lacks",
                        f"options[{idx}]",
                    )
                steps.insert(pos + 1, step)
        if not steps and not self.bought:
            raise ValidationError(f"product {self.id!r} has no steps left with these options", "options")
        return tuple(steps)


@dataclass(frozen=True)
class PlantMachine:
    """A machine with its calendar expanded to closed windows ``(start, end)`` in minutes."""

    id: str
    name: str = ""
    group: str = ""
    idle_power: float = 0.0
    initial_family: int | None = None
    closed: tuple[tuple[int, int], ...] = ()

    def open_minutes(self, start: int, end: int) -> int:
        """Open minutes of the machine in ``[start, end)``."""
        down = sum(max(0, min(end, e) - max(start, s)) for s, e in self.closed)
        return max(0, end - start - down)

    def longest_open(self, end: int) -> int:
        """The longest stretch of open time of the machine in ``[0, end)``, in minutes."""
        longest, t = 0, 0
        for a, b in sorted(self.closed):
            longest = max(longest, min(a, end) - t)
            t = max(t, b)
        return max(longest, end - t)


@dataclass(frozen=True)
class MaintenanceSpec:
    """A maintenance task to place on ``machine`` inside ``[earliest, latest]`` (minutes)."""

    machine: str
    duration: int
    earliest: int = 0
    latest: int | None = None
    name: str = ""


@dataclass(frozen=True)
class EnergySpec:
    """Hourly tariff and grid CO2 intensity from the horizon start, and the plant's peak-power limit."""

    price: tuple[float, ...] = ()
    co2: tuple[float, ...] = ()
    peak_kw: float | None = None
    currency: str = "EUR"


@dataclass(frozen=True)
class Plant:
    """A whole plant, read from a plant file (see the module docstring).

    ``setup_times`` maps a machine id to its changeover matrix ``[from family][to family]`` in minutes;
    ``objective`` holds the scheduling weights; ``source`` is the document it was read from (what-if
    scenarios change that and read it again).
    """

    name: str
    horizon: Horizon
    machines: tuple[PlantMachine, ...]
    products: tuple[Product, ...]
    families: tuple[str, ...] = ("default",)
    setup_times: Mapping[str, tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    maintenance: tuple[MaintenanceSpec, ...] = ()
    energy: EnergySpec | None = None
    max_total_storage: float | None = None
    objective: Mapping[str, int] = field(default_factory=dict)
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def machine(self, machine_id: str) -> PlantMachine:
        for m in self.machines:
            if m.id == machine_id:
                return m
        raise KeyError(machine_id)

    def product(self, product_id: str) -> Product:
        for p in self.products:
            if p.id == product_id:
                return p
        raise KeyError(product_id)

    @property
    def machine_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.machines)

    @property
    def groups(self) -> dict[str, list[str]]:
        """Work centre -> its machine ids, in file order."""
        out: dict[str, list[str]] = {}
        for m in self.machines:
            out.setdefault(m.group, []).append(m.id)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the document the plant was read from."""
        return copy.deepcopy(dict(self.source))


# -- reading -------------------------------------------------------------------------------------------


def read_plant(path: str | Path) -> Plant:
    """Read a plant file.

    Raises
    ------
    ValidationError
        When the file is missing or not JSON, breaks the schema or refers to unknown machines, families or
        items; each violation names its JSON path.
    """
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", "plant") from None
    return parse_plant(text, source=str(path))


def parse_plant(text: str | bytes, source: str = "<text>") -> Plant:
    """Read a plant from JSON text or bytes (e.g. the bytes of a gRPC request)."""
    try:
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValidationError(f"{source}: not JSON{where}", "(root)") from None
    return plant_from_dict(doc)


def _parse_datetime(text: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _merge(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e in sorted(windows):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def _expand_week(week: Mapping[str, Any], horizon: Horizon) -> list[tuple[int, int]]:
    """Open windows (minutes) of a weekly shift pattern over the horizon, in local time."""
    tz = horizon.tz
    first = horizon.start.astimezone(tz).date() - timedelta(days=1)
    last = horizon.at(horizon.end).date()
    opened: list[tuple[int, int]] = []
    day = first
    while day <= last:
        for shift in week.get(WEEKDAYS[day.weekday()], ()):
            a, b = _clock(shift[0]), _clock(shift[1])
            if b <= a:
                b += 1440
            base = _local_midnight(day, tz)
            # Local wall-clock arithmetic through UTC keeps DST days 23 or 25 hours long.
            s = horizon.minutes((base + timedelta(minutes=a)).astimezone(tz))
            e = horizon.minutes(
                datetime.combine(day + timedelta(days=b // 1440), datetime.min.time(), tz)
                + timedelta(minutes=b % 1440)
            )
            opened.append((s, e))
        day += timedelta(days=1)
    return _merge(opened)


def _closed_from_open(opened: Sequence[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    closed = []
    t = 0
    for s, e in opened:
        if s > t:
            closed.append((t, min(s, end)))
        t = max(t, e)
        if t >= end:
            break
    if t < end:
        closed.append((t, end))
    return [(s, e) for s, e in closed if e > s]


class _Reader:
    """Cross-reference checks and conversion, collecting every violation with its JSON path."""

    def __init__(self, doc: Mapping[str, Any]):
        self.doc = doc
        self.errors: list[FieldViolation] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldViolation(path, message))

    def horizon(self) -> Horizon:
        h = self.doc["horizon"]
        tz_name = h.get("timezone", "UTC")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(
                "horizon.timezone", f"unknown time zone {tz_name!r} (use an IANA name, e.g. Europe/Berlin)"
            )
            tz_name, tz = "UTC", ZoneInfo("UTC")
        start = _parse_datetime(h["start"], tz)
        count, unit = _PERIOD.match(h["period"]).groups()  # type: ignore[union-attr]
        period = int(count) * _PERIOD_MINUTES[unit]
        num_periods = h["num_periods"]
        schedule = h.get("schedule_days")
        schedule_minutes = round(schedule * 1440) if schedule is not None else period
        if schedule_minutes > period * num_periods:
            self.error(
                "horizon.schedule_days",
                f"{schedule} days is longer than the lot-sizing horizon ({period * num_periods / 1440:g} days)",
            )
        return Horizon(start, tz_name, period, num_periods, schedule_minutes)

    def datetime_at(self, text: str, path: str, horizon: Horizon) -> int:
        try:
            return horizon.minutes(_parse_datetime(text, horizon.tz))
        except ValueError:
            self.error(path, f"not a valid date-time: {text!r}")
            return 0

    def machines(self, horizon: Horizon, families: dict[str, int]) -> tuple[PlantMachine, ...]:
        patterns = self.doc.get("shift_patterns", {})
        out = []
        seen: set[str] = set()
        for idx, m in enumerate(self.doc["machines"]):
            where = f"machines[{idx}]"
            if m["id"] in seen:
                self.error(f"{where}.id", f"machine id {m['id']!r} is used twice")
            seen.add(m["id"])
            calendar = m.get("calendar", {})
            closed: list[tuple[int, int]] = []
            shifts = calendar.get("shifts")
            if isinstance(shifts, str):
                if shifts not in patterns:
                    known = ", ".join(sorted(patterns)) or "none"
                    self.error(
                        f"{where}.calendar.shifts",
                        f"unknown shift pattern {shifts!r} (shift_patterns: {known})",
                    )
                    shifts = None
                else:
                    shifts = patterns[shifts]
            if shifts is not None:
                closed += _closed_from_open(_expand_week(shifts, horizon), horizon.end)
            for k, day_text in enumerate(calendar.get("closed_days", ())):
                try:
                    day = date.fromisoformat(day_text)
                except ValueError:
                    self.error(f"{where}.calendar.closed_days[{k}]", f"not a valid date: {day_text!r}")
                    continue
                s = horizon.minutes(_local_midnight(day, horizon.tz))
                e = horizon.minutes(_local_midnight(day + timedelta(days=1), horizon.tz))
                closed.append((max(0, s), e))
            for k, window in enumerate(calendar.get("closed", ())):
                path = f"{where}.calendar.closed[{k}]"
                s = self.datetime_at(window["start"], f"{path}.start", horizon)
                e = self.datetime_at(window["end"], f"{path}.end", horizon)
                if e <= s:
                    self.error(f"{path}.end", "must be after start")
                closed.append((max(0, s), e))
            initial = m.get("initial_family")
            if initial is not None and initial not in families:
                self.error(f"{where}.initial_family", f"unknown family {initial!r}")
            out.append(
                PlantMachine(
                    id=m["id"],
                    name=m.get("name", ""),
                    group=m.get("group", m["id"]),
                    idle_power=float(m.get("idle_power", 0.0)),
                    initial_family=families.get(initial) if initial is not None else None,
                    closed=tuple((s, e) for s, e in _merge(closed) if e > 0),
                )
            )
        return tuple(out)

    def mode(self, doc: Mapping[str, Any], path: str, machines: set[str]) -> StepMode:
        if doc["machine"] not in machines:
            self.error(f"{path}.machine", f"unknown machine {doc['machine']!r}")
        return StepMode(
            doc["machine"],
            float(doc.get("per_unit", 0.0)),
            float(doc.get("fixed", 0.0)),
            float(doc.get("power", 0.0)),
        )

    def step(self, doc: Mapping[str, Any], path: str, machines: set[str]) -> Step:
        modes = tuple(self.mode(m, f"{path}.machines[{k}]", machines) for k, m in enumerate(doc["machines"]))
        listed = [m.machine for m in modes]
        if len(set(listed)) != len(listed):
            self.error(f"{path}.machines", "a machine is listed twice")
        return Step(doc["name"], modes, bool(doc.get("resumable", False)))

    def option(self, name: str, doc: Mapping[str, Any], path: str, machines: set[str]) -> Option:
        change = []
        for k, c in enumerate(doc.get("change", ())):
            modes = None
            if "machines" in c:
                modes = tuple(
                    self.mode(m, f"{path}.change[{k}].machines[{j}]", machines)
                    for j, m in enumerate(c["machines"])
                )
            change.append(
                StepChange(
                    c["step"],
                    float(c.get("time_factor", 1.0)),
                    float(c.get("extra_fixed", 0.0)),
                    float(c.get("extra_per_unit", 0.0)),
                    modes,
                    c.get("resumable"),
                )
            )
        add = tuple(
            (self.step(a["step"], f"{path}.add[{k}].step", machines), a.get("after"))
            for k, a in enumerate(doc.get("add", ()))
        )
        return Option(name, tuple(doc.get("remove", ())), tuple(change), add)

    def products(self, families: dict[str, int], machines: set[str]) -> tuple[Product, ...]:
        docs = self.doc["products"]
        ids = [p["id"] for p in docs]
        out = []
        for idx, p in enumerate(docs):
            where = f"products[{idx}]"
            if ids.index(p["id"]) != idx:
                self.error(f"{where}.id", f"product id {p['id']!r} is used twice")
            bought = bool(p.get("bought", False))
            family_name = p.get("family")
            family = 0
            if family_name is not None:
                if family_name not in families:
                    self.error(f"{where}.family", f"unknown family {family_name!r}")
                else:
                    family = families[family_name]
            routing = tuple(
                self.step(s, f"{where}.routing[{k}]", machines) for k, s in enumerate(p.get("routing", ()))
            )
            if bought and routing:
                self.error(f"{where}.routing", "a bought part has no routing")
            if not bought and not routing:
                self.error(f"{where}.routing", "a made product needs at least one step (or set bought: true)")
            names = [s.name for s in routing]
            if len(set(names)) != len(names):
                self.error(f"{where}.routing", "step names must be unique within a routing")
            options = {
                name: self.option(name, o, f"{where}.options.{name}", machines)
                for name, o in p.get("options", {}).items()
            }
            bom = []
            for k, c in enumerate(p.get("bom", ())):
                if c["item"] not in ids:
                    self.error(f"{where}.bom[{k}].item", f"unknown item {c['item']!r}")
                elif c["item"] == p["id"]:
                    self.error(f"{where}.bom[{k}].item", "an item cannot be its own component")
                bom.append((c["item"], float(c.get("quantity", 1.0)), int(c.get("lead_time", 0))))
            s = p.get("stock", {})
            stock = Stock(
                initial=float(s.get("initial", 0.0)),
                holding_cost=float(s.get("holding_cost", 0.0)),
                unit_value=float(s.get("unit_value", 0.0)),
                setup_cost=float(s.get("setup_cost", 0.0)),
                safety_stock=s.get("safety_stock"),
                service_level=s.get("service_level"),
                max_storage=s.get("max_storage"),
                backlog_penalty=s.get("backlog_penalty"),
                min_lot=float(s.get("min_lot", 0.0)),
                lot_multiple=s.get("lot_multiple"),
            )
            if stock.safety_stock is not None and stock.service_level is not None:
                self.error(f"{where}.stock", "give safety_stock or service_level, not both")
            if (
                stock.max_storage is not None
                and stock.safety_stock is not None
                and stock.safety_stock > stock.max_storage
            ):
                self.error(
                    f"{where}.stock.safety_stock", f"must not exceed max_storage {stock.max_storage:g}"
                )
            product = Product(
                id=p["id"],
                name=p.get("name", ""),
                family=family,
                bought=bought,
                lead_time=int(p.get("lead_time", 0)),
                routing=routing,
                options=options,
                bom=tuple(bom),
                stock=stock,
            )
            for name in options:
                try:
                    product.routing_for((name,))
                except ValidationError as exc:
                    self.error(f"{where}.options.{name}", exc.violations[0].description)
            out.append(product)
        self._check_bom_cycle(out)
        return tuple(out)

    def runnable(
        self,
        products: Sequence[Product],
        machines: Sequence[PlantMachine],
        horizon: Horizon,
        energy: EnergySpec | None,
    ) -> None:
        """Every step has a machine that is open at some time of the horizon and within the power limit."""
        by_id = {m.id: m for m in machines}
        peak = energy.peak_kw if energy is not None else None
        for i, product in enumerate(products):
            steps = [(f"products[{i}].routing[{j}]", step) for j, step in enumerate(product.routing)]
            for name, option in product.options.items():
                steps += [
                    (f"products[{i}].options.{name}.add[{k}].step", step)
                    for k, (step, _) in enumerate(option.add)
                ]
            for path, step in steps:
                listed = ", ".join(m.machine for m in step.modes)
                if all(by_id[m.machine].open_minutes(0, horizon.end) == 0 for m in step.modes):
                    self.error(
                        f"{path}.machines",
                        f"step {step.name!r} of {product.id!r} can run only on {listed}, closed throughout "
                        "the horizon (give the machine shifts on some day of it)",
                    )
                if peak is not None and all(m.power > peak for m in step.modes):
                    draws = ", ".join(f"{m.machine} {m.power:g} kW" for m in step.modes)
                    self.error(
                        f"{path}.machines",
                        f"step {step.name!r} of {product.id!r} draws more than energy.peak_kw = {peak:g} kW on "
                        f"every machine ({draws})",
                    )

    def _check_bom_cycle(self, products: Sequence[Product]) -> None:
        children = {p.id: [c[0] for c in p.bom] for p in products}
        state: dict[str, int] = {}

        def visit(u: str) -> bool:
            state[u] = 1
            for v in children.get(u, ()):
                if state.get(v) == 1 or (v not in state and visit(v)):
                    return True
            state[u] = 2
            return False

        for p in products:
            if p.id not in state and visit(p.id):
                self.error("products", f"the bills of materials contain a cycle (through {p.id!r})")
                return

    def setup_times(
        self, machines: Sequence[PlantMachine], families: dict[str, int]
    ) -> dict[str, tuple[tuple[int, ...], ...]]:
        n = len(families)
        groups: dict[str, list[str]] = {}
        for m in machines:
            groups.setdefault(m.group, []).append(m.id)
        ids = {m.id for m in machines}
        out: dict[str, tuple[tuple[int, ...], ...]] = {}
        for idx, c in enumerate(self.doc.get("changeovers", ())):
            where = f"changeovers[{idx}]"
            targets: list[str] = []
            if "group" in c:
                if c["group"] not in groups:
                    self.error(f"{where}.group", f"unknown machine group {c['group']!r}")
                targets += groups.get(c["group"], [])
            for k, mid in enumerate(c.get("machines", ())):
                if mid not in ids:
                    self.error(f"{where}.machines[{k}]", f"unknown machine {mid!r}")
                else:
                    targets.append(mid)
            if "group" not in c and "machines" not in c:
                self.error(where, "name the machines or the group it applies to")
            default = int(c.get("default", 0))
            matrix = [[0 if f == g else default for g in range(n)] for f in range(n)]
            for src, row in c.get("times", {}).items():
                if src not in families:
                    self.error(f"{where}.times.{src}", f"unknown family {src!r}")
                    continue
                for dst, minutes in row.items():
                    if dst not in families:
                        self.error(f"{where}.times.{src}.{dst}", f"unknown family {dst!r}")
                        continue
                    matrix[families[src]][families[dst]] = int(minutes)
            for mid in targets:
                if mid in out:
                    self.error(where, f"machine {mid!r} already has a changeover matrix")
                out[mid] = tuple(tuple(row) for row in matrix)
        return out

    def maintenance(self, horizon: Horizon, machines: set[str]) -> tuple[MaintenanceSpec, ...]:
        out = []
        for idx, t in enumerate(self.doc.get("maintenance", ())):
            where = f"maintenance[{idx}]"
            if t["machine"] not in machines:
                self.error(f"{where}.machine", f"unknown machine {t['machine']!r}")
            earliest = self.datetime_at(t["earliest"], f"{where}.earliest", horizon) if "earliest" in t else 0
            latest = self.datetime_at(t["latest"], f"{where}.latest", horizon) if "latest" in t else None
            earliest = max(0, earliest)
            if latest is not None and latest <= 0:
                # A window that closed before the horizon starts (a stale entry of a maintenance plan):
                # nothing is left to place, so it is dropped rather than refused.
                logger.warning(
                    "%s (%s on %s) ends before the horizon starts; dropped",
                    where,
                    t.get("name", "maintenance"),
                    t["machine"],
                )
                continue
            if latest is not None and latest - earliest < t["duration"]:
                self.error(
                    f"{where}.latest",
                    f"the window {earliest}..{latest} min is shorter than {t['duration']} min",
                )
            out.append(MaintenanceSpec(t["machine"], int(t["duration"]), earliest, latest, t.get("name", "")))
        return tuple(out)

    def profile(self, doc: Mapping[str, Any] | None, path: str, horizon: Horizon) -> tuple[float, ...]:
        if doc is None:
            return ()
        values = [float(v) * float(doc.get("scale", 1.0)) for v in doc["values"]]
        kind = doc["pattern"]
        hours = math.ceil(horizon.end / 60)
        if kind == "hourly":
            return tuple(values)
        size = 24 if kind == "daily" else 168
        if len(values) != size:
            self.error(f"{path}.values", f"a {kind} pattern needs {size} hourly values, got {len(values)}")
            return ()
        out = []
        for k in range(hours):
            local = horizon.at(60 * k)
            pos = local.hour if kind == "daily" else local.weekday() * 24 + local.hour
            out.append(values[pos])
        return tuple(out)

    def energy(self, horizon: Horizon) -> EnergySpec | None:
        e = self.doc.get("energy")
        if e is None:
            return None
        return EnergySpec(
            price=self.profile(e.get("price"), "energy.price", horizon),
            co2=self.profile(e.get("co2"), "energy.co2", horizon),
            peak_kw=e.get("peak_kw"),
            currency=e.get("currency", "EUR"),
        )


def plant_from_dict(doc: Any) -> Plant:
    """Build a :class:`Plant` from a parsed plant document (checked against the schema first).

    Raises
    ------
    ValidationError
        With every problem found, each naming its JSON path.
    """
    _check_schema(doc)
    reader = _Reader(doc)
    horizon = reader.horizon()
    family_names = tuple(doc.get("families", ())) or ("default",)
    families = {name: idx for idx, name in enumerate(family_names)}
    machines = reader.machines(horizon, families)
    machine_ids = {m.id for m in machines}
    products = reader.products(families, machine_ids)
    setup_times = reader.setup_times(machines, families)
    maintenance = reader.maintenance(horizon, machine_ids)
    energy = reader.energy(horizon)
    if not reader.errors:
        reader.runnable(products, machines, horizon, energy)
    if reader.errors:
        raise ValidationError(reader.errors)
    return Plant(
        name=doc["name"],
        horizon=horizon,
        machines=machines,
        products=products,
        families=family_names,
        setup_times=setup_times,
        maintenance=maintenance,
        energy=energy,
        max_total_storage=doc.get("storage", {}).get("max_total_units"),
        objective=dict(doc.get("objective", {})),
        description=doc.get("description", ""),
        source=copy.deepcopy(doc),
    )
