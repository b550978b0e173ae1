"""Problem data of the flexible job shop: machines, jobs, operations and their modes.

Everything is integer time in the instance's time unit, except the energy figures (kW, money per kWh, kg
CO2 per kWh), which are floats. Entities refer to each other by index; names are
kept for messages and output. Each class validates its own fields on construction and raises
:class:`~planner.exceptions.ValidationError` naming the field and the rule; :class:`ProblemData` checks
the references between them and reports every violation with its full path
(``jobs[3].operations[1].modes[0].duration``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.exceptions import FieldViolation, ValidationError

OBJECTIVE_TERMS = ("makespan", "tardiness", "setup", "energy", "co2", "moved", "shift")


def _tuple(obj: Any, name: str, value: Sequence[Any] | None) -> None:
    object.__setattr__(obj, name, tuple(value) if value is not None else ())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def merge_windows(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of closed windows as sorted, disjoint, non-touching ``(start, end)`` pairs."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def resumable_end(start: int, duration: int, windows: Sequence[tuple[int, int]]) -> int:
    """End of work of ``duration`` that starts at ``start`` and pauses over the (merged) closed ``windows``.

    The work runs in the open time from ``start`` on; it ends as soon as ``duration`` units of open time are
    done, so ``end = start + duration + (closed time inside [start, end))`` with the smallest such ``end``.
    """
    remaining = duration
    t = start
    for w_start, w_end in windows:
        if w_end <= t:
            continue
        if t + remaining <= w_start:
            break
        remaining -= max(0, w_start - t)
        t = max(t, w_end)
    return t + remaining


def prefixed(error: ValidationError, prefix: str) -> list[FieldViolation]:
    """Return the violations of ``error`` with ``prefix`` put in front of each field path."""
    out = []
    for v in error.violations:
        path = prefix if not v.field else (f"{prefix}.{v.field}" if prefix else v.field)
        out.append(FieldViolation(path, v.description))
    return out


@dataclass(frozen=True)
class Mode:
    """One way to run an operation: on ``machine`` (index) for ``duration`` time units, drawing ``power`` kW.

    Parameters
    ----------
    machine
        Index of the eligible machine.
    duration
        Processing time, an integer >= 0.
    power
        Power draw in kW while the operation runs (used by the energy features).
    """

    machine: int
    duration: int
    power: float = 0.0

    def __post_init__(self) -> None:
        errors = []
        if not _is_int(self.machine) or self.machine < 0:
            errors.append(FieldViolation("machine", f"must be a machine index >= 0, got {self.machine!r}"))
        if not _is_int(self.duration) or self.duration < 0:
            errors.append(FieldViolation("duration", f"must be an integer >= 0, got {self.duration!r}"))
        if not isinstance(self.power, int | float) or self.power < 0:
            errors.append(FieldViolation("power", f"must be a number >= 0, got {self.power!r}"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Operation:
    """A step of a job that runs on exactly one of its modes' machines.

    Parameters
    ----------
    modes
        The eligible (machine, duration, power) alternatives; at least one, at most one per machine.
    name
        Optional name for messages and output.
    pinned_machine, pinned_start
        Fix the operation to this machine and start (both or neither), e.g. work already released.
    resumable
        Whether the operation may pause over its machine's closed windows and resume after them (an assembly
        that stops at the end of a shift): its end is its start plus its duration plus the closed time it
        spans, and it may not start inside a closed window. A non-resumable operation (a furnace run) must fit
        inside one open window.
    planned_machine, planned_start
        Where a previous plan placed the operation (both or neither); the ``moved`` and ``shift`` terms of
        the objective count how far a new plan strays from it (see :mod:`planner.scheduling.reschedule`).
    """

    modes: tuple[Mode, ...]
    name: str = ""
    pinned_machine: int | None = None
    pinned_start: int | None = None
    resumable: bool = False
    planned_machine: int | None = None
    planned_start: int | None = None

    def __post_init__(self) -> None:
        _tuple(self, "modes", self.modes)
        errors = []
        if not self.modes:
            errors.append(FieldViolation("modes", "an operation needs at least one mode"))
        seen: set[int] = set()
        for idx, mode in enumerate(self.modes):
            if not isinstance(mode, Mode):
                errors.append(FieldViolation(f"modes[{idx}]", "must be a Mode"))
            elif mode.machine in seen:
                errors.append(FieldViolation(f"modes[{idx}].machine", f"machine {mode.machine} listed twice"))
            else:
                seen.add(mode.machine)
        if (self.pinned_machine is None) != (self.pinned_start is None):
            errors.append(FieldViolation("pinned_start", "pinned_machine and pinned_start go together"))
        if self.pinned_machine is not None and self.pinned_machine not in seen:
            errors.append(
                FieldViolation("pinned_machine", f"machine {self.pinned_machine} is not one of the modes")
            )
        if self.pinned_start is not None and (not _is_int(self.pinned_start) or self.pinned_start < 0):
            errors.append(
                FieldViolation("pinned_start", f"must be an integer >= 0, got {self.pinned_start!r}")
            )
        if not isinstance(self.resumable, bool):
            errors.append(FieldViolation("resumable", f"must be true or false, got {self.resumable!r}"))
        if (self.planned_machine is None) != (self.planned_start is None):
            errors.append(FieldViolation("planned_start", "planned_machine and planned_start go together"))
        if self.planned_machine is not None and self.planned_machine not in seen:
            errors.append(
                FieldViolation("planned_machine", f"machine {self.planned_machine} is not one of the modes")
            )
        if self.planned_start is not None and (not _is_int(self.planned_start) or self.planned_start < 0):
            errors.append(
                FieldViolation("planned_start", f"must be an integer >= 0, got {self.planned_start!r}")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def pinned(self) -> bool:
        return self.pinned_machine is not None

    @property
    def planned(self) -> bool:
        """Whether a previous plan's placement is known (for the stability terms)."""
        return self.planned_machine is not None

    def mode_on(self, machine: int) -> Mode | None:
        """Return the mode on ``machine``, or None when the machine is not eligible."""
        for mode in self.modes:
            if mode.machine == machine:
                return mode
        return None


@dataclass(frozen=True)
class Job:
    """An order: a sequence of operations that run one after another.

    Parameters
    ----------
    operations
        The routing, in order.
    name
        Order reference for messages and output.
    release
        Earliest start of the first operation.
    due
        Due date of the last operation's end; None means no due date.
    weight
        Weight of the job's tardiness in the objective.
    family
        Product family (index) for changeovers.
    """

    operations: tuple[Operation, ...]
    name: str = ""
    release: int = 0
    due: int | None = None
    weight: int = 1
    family: int = 0

    def __post_init__(self) -> None:
        _tuple(self, "operations", self.operations)
        errors = []
        if not self.operations:
            errors.append(FieldViolation("operations", "a job needs at least one operation"))
        if not _is_int(self.release) or self.release < 0:
            errors.append(FieldViolation("release", f"must be an integer >= 0, got {self.release!r}"))
        if self.due is not None and (not _is_int(self.due) or self.due < 0):
            errors.append(FieldViolation("due", f"must be an integer >= 0 or empty, got {self.due!r}"))
        if not _is_int(self.weight) or self.weight < 0:
            errors.append(FieldViolation("weight", f"must be an integer >= 0, got {self.weight!r}"))
        if not _is_int(self.family) or self.family < 0:
            errors.append(FieldViolation("family", f"must be a family index >= 0, got {self.family!r}"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Machine:
    """A machine (resource that runs one operation at a time).

    Parameters
    ----------
    name
        Name for messages and output.
    unavailable
        Closed windows ``(start, end)`` (maintenance, closed shifts) that no operation may overlap.
    setup_times
        Changeover matrix ``setup_times[f][g]``: time between an operation of family ``f`` and one of
        family ``g`` on this machine; None means no changeovers.
    initial_family
        Family the machine is set up for at time 0 (changeover before its first operation); None: no setup.
    idle_power
        Power draw in kW while the machine is open and runs nothing (reported in the KPIs, not constrained).
    """

    name: str = ""
    unavailable: tuple[tuple[int, int], ...] = ()
    setup_times: tuple[tuple[int, ...], ...] | None = None
    initial_family: int | None = None
    idle_power: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "unavailable", tuple(tuple(w) for w in self.unavailable))
        if self.setup_times is not None:
            object.__setattr__(self, "setup_times", tuple(tuple(row) for row in self.setup_times))
        errors = []
        for idx, window in enumerate(self.unavailable):
            if len(window) != 2 or not all(_is_int(t) for t in window):
                errors.append(
                    FieldViolation(f"unavailable[{idx}]", "must be a pair of integers (start, end)")
                )
            elif window[0] < 0 or window[1] <= window[0]:
                errors.append(
                    FieldViolation(
                        f"unavailable[{idx}]", f"needs 0 <= start < end, got {window[0]}..{window[1]}"
                    )
                )
        if self.setup_times is not None:
            size = len(self.setup_times)
            for f, row in enumerate(self.setup_times):
                if len(row) != size:
                    errors.append(
                        FieldViolation(f"setup_times[{f}]", f"must have {size} entries, got {len(row)}")
                    )
                for g, value in enumerate(row):
                    if not _is_int(value) or value < 0:
                        errors.append(
                            FieldViolation(
                                f"setup_times[{f}][{g}]", f"must be an integer >= 0, got {value!r}"
                            )
                        )
        if self.initial_family is not None and (not _is_int(self.initial_family) or self.initial_family < 0):
            errors.append(
                FieldViolation("initial_family", f"must be a family index >= 0, got {self.initial_family!r}")
            )
        if not _is_number(self.idle_power) or self.idle_power < 0:
            errors.append(FieldViolation("idle_power", f"must be a number >= 0, got {self.idle_power!r}"))
        if errors:
            raise ValidationError(errors)

    def setup(self, from_family: int | None, to_family: int) -> int:
        """Changeover time from ``from_family`` (None: nothing before) to ``to_family``."""
        if self.setup_times is None or from_family is None:
            return 0
        return self.setup_times[from_family][to_family]

    @property
    def has_setups(self) -> bool:
        return self.setup_times is not None and any(v for row in self.setup_times for v in row)

    def closed_windows(self) -> list[tuple[int, int]]:
        """The closed windows merged into sorted, disjoint pairs."""
        return merge_windows(self.unavailable)


@dataclass(frozen=True)
class MaintenanceTask:
    """Maintenance to place: ``duration`` time units on ``machine`` somewhere inside ``[earliest, latest]``.

    The solver chooses the start (``start >= earliest``, ``start + duration <= latest``); the task excludes
    operations and lies outside the machine's closed windows (it does not pause).

    Parameters
    ----------
    machine
        Index of the machine.
    duration
        Length, an integer >= 1.
    earliest
        Earliest start.
    latest
        Latest end; None means no deadline.
    name
        Optional name for messages and output.
    """

    machine: int
    duration: int
    earliest: int = 0
    latest: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        errors = []
        if not _is_int(self.machine) or self.machine < 0:
            errors.append(FieldViolation("machine", f"must be a machine index >= 0, got {self.machine!r}"))
        if not _is_int(self.duration) or self.duration < 1:
            errors.append(FieldViolation("duration", f"must be an integer >= 1, got {self.duration!r}"))
        if not _is_int(self.earliest) or self.earliest < 0:
            errors.append(FieldViolation("earliest", f"must be an integer >= 0, got {self.earliest!r}"))
        if self.latest is not None and (not _is_int(self.latest) or self.latest < 0):
            errors.append(FieldViolation("latest", f"must be an integer >= 0 or empty, got {self.latest!r}"))
        elif not errors and self.latest is not None and self.latest < self.earliest + self.duration:
            errors.append(
                FieldViolation(
                    "latest",
                    f"the window {self.earliest}..{self.latest} is shorter than the duration {self.duration}",
                )
            )
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Energy:
    """Time-of-use tariff, grid CO2 intensity and the plant's peak-power limit.

    Tariff period ``k`` covers ``[k * period, (k + 1) * period)``; past the last value, the last value
    repeats (an empty sequence means 0).

    Parameters
    ----------
    period
        Length of a tariff period in time units (>= 1).
    price
        Electricity price per period, money per kWh (>= 0).
    co2
        Grid CO2 intensity per period, kg per kWh (>= 0).
    peak_power
        Plant-wide limit in kW on the summed power of running operations at any instant; None: no limit.
    hours_per_unit
        Hours per time unit, to turn kW x time into kWh (1/60 for minutes).
    """

    period: int
    price: tuple[float, ...] = ()
    co2: tuple[float, ...] = ()
    peak_power: float | None = None
    hours_per_unit: float = 1 / 60

    def __post_init__(self) -> None:
        _tuple(self, "price", self.price)
        _tuple(self, "co2", self.co2)
        errors = []
        if not _is_int(self.period) or self.period < 1:
            errors.append(FieldViolation("period", f"must be an integer >= 1, got {self.period!r}"))
        for name in ("price", "co2"):
            for idx, value in enumerate(getattr(self, name)):
                if not _is_number(value) or value < 0:
                    errors.append(FieldViolation(f"{name}[{idx}]", f"must be a number >= 0, got {value!r}"))
        if self.peak_power is not None and (not _is_number(self.peak_power) or self.peak_power <= 0):
            errors.append(
                FieldViolation("peak_power", f"must be a number > 0 or empty, got {self.peak_power!r}")
            )
        if not _is_number(self.hours_per_unit) or self.hours_per_unit <= 0:
            errors.append(
                FieldViolation("hours_per_unit", f"must be a number > 0, got {self.hours_per_unit!r}")
            )
        if errors:
            raise ValidationError(errors)

    def price_at(self, k: int) -> float:
        """Price of tariff period ``k`` (the last value repeats)."""
        return float(self.price[min(k, len(self.price) - 1)]) if self.price else 0.0

    def co2_at(self, k: int) -> float:
        """CO2 intensity of tariff period ``k`` (the last value repeats)."""
        return float(self.co2[min(k, len(self.co2) - 1)]) if self.co2 else 0.0

    def periods(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Yield ``(k, overlap)``: each tariff period that ``[start, end)`` meets and the time inside it."""
        t = start
        while t < end:
            k = t // self.period
            stop = min(end, (k + 1) * self.period)
            yield k, stop - t
            t = stop


@dataclass(frozen=True)
class Objective:
    """What to minimise: a weighted sum of makespan, total weighted tardiness, total setup time, energy cost
    and CO2.

    Parameters
    ----------
    makespan, tardiness, setup
        Integer weights of each term (>= 0, at least one > 0).
    energy
        Weight per unit of energy cost (money, from the tariff in :class:`Energy`).
    co2
        Weight per kg of CO2.
    moved, shift
        Stability weights (for rescheduling): per operation placed on another machine or at another start
        than its ``planned_machine``/``planned_start``, and per time unit of ``|start - planned_start|``.
    lexicographic
        Optional order of terms (e.g. ``("tardiness", "makespan")``): minimise the first, then the next
        without worsening the first, and so on. Weights are then ignored.
    """

    makespan: int = 1
    tardiness: int = 0
    setup: int = 0
    lexicographic: tuple[str, ...] = ()
    energy: int = 0
    co2: int = 0
    moved: int = 0
    shift: int = 0

    def __post_init__(self) -> None:
        _tuple(self, "lexicographic", self.lexicographic)
        errors = []
        for term in OBJECTIVE_TERMS:
            value = getattr(self, term)
            if not _is_int(value) or value < 0:
                errors.append(FieldViolation(term, f"weight must be an integer >= 0, got {value!r}"))
        for idx, term in enumerate(self.lexicographic):
            if term not in OBJECTIVE_TERMS:
                errors.append(
                    FieldViolation(
                        f"lexicographic[{idx}]", f"unknown term {term!r}; use one of {OBJECTIVE_TERMS}"
                    )
                )
        if len(set(self.lexicographic)) != len(self.lexicographic):
            errors.append(FieldViolation("lexicographic", "a term is listed twice"))
        if not errors and not self.lexicographic and not any(getattr(self, t) for t in OBJECTIVE_TERMS):
            errors.append(FieldViolation("makespan", "at least one objective weight must be > 0"))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def parse(cls, text: str) -> Objective:
        """Read a term (``makespan``, ``tardiness``, ``setup``, ``energy``, ``co2``, ``moved``, ``shift``),
        weights such as ``makespan=1,tardiness=10,energy=5``, or an order such as ``lex:tardiness,makespan``."""
        text = text.strip().lower()
        if text.startswith("lex:"):
            return cls(lexicographic=tuple(t.strip() for t in text[4:].split(",") if t.strip()))
        weights = dict.fromkeys(OBJECTIVE_TERMS, 0)
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in weights:
                raise ValidationError(
                    f"unknown objective term {name!r}; use one of {OBJECTIVE_TERMS}", "objective"
                )
            try:
                weights[name] = int(value) if value else 1
            except ValueError as exc:
                raise ValidationError(
                    f"weight of {name} must be an integer, got {value!r}", "objective"
                ) from exc
        return cls(**weights)  # type: ignore[arg-type]

    def terms(self) -> tuple[str, ...]:
        """The active terms, in lexicographic order when given."""
        if self.lexicographic:
            return self.lexicographic
        return tuple(t for t in OBJECTIVE_TERMS if getattr(self, t))

    def value(self, kpis: dict[str, float]) -> float:
        """Weighted objective value from the term values (first term's value when lexicographic).

        An int when every weighted term is an int (no energy or CO2 term).
        """
        if self.lexicographic:
            return kpis[self.lexicographic[0]]
        return sum(getattr(self, t) * kpis[t] for t in OBJECTIVE_TERMS if getattr(self, t))


@dataclass(frozen=True)
class ProblemData:
    """A complete scheduling problem.

    Parameters
    ----------
    machines
        The machines; operations' modes refer to them by index.
    jobs
        The jobs (orders).
    num_families
        Number of product families; jobs' ``family`` and machines' setup matrices use indices below it.
    family_names
        Optional names of the families.
    objective
        What to minimise.
    name
        Instance name.
    time_unit
        Unit of all times, e.g. ``"min"``.
    time_origin
        ISO 8601 timestamp of time 0, so clients can map to calendar time; empty when abstract.
    maintenance
        Maintenance tasks for the solver to place, each inside its window.
    energy
        Tariff, CO2 intensity and peak-power limit; None: no energy data (costs and CO2 are 0).
    max_makespan
        Latest end of any operation (a hard bound on the makespan, e.g. the tariff-blind makespan plus a
        tolerance for an energy-aware solve); None: no bound.
    max_tardiness
        Most total weighted tardiness a schedule may have (a hard bound, same units as the tardiness term);
        None: no bound.
    """

    machines: tuple[Machine, ...]
    jobs: tuple[Job, ...]
    num_families: int = 1
    family_names: tuple[str, ...] = ()
    objective: Objective = field(default_factory=Objective)
    name: str = ""
    time_unit: str = ""
    time_origin: str = ""
    maintenance: tuple[MaintenanceTask, ...] = ()
    energy: Energy | None = None
    max_makespan: int | None = None
    max_tardiness: int | None = None

    def __post_init__(self) -> None:
        _tuple(self, "machines", self.machines)
        _tuple(self, "jobs", self.jobs)
        _tuple(self, "family_names", self.family_names)
        _tuple(self, "maintenance", self.maintenance)
        errors = self.violations()
        if errors:
            raise ValidationError(errors)

    def violations(self) -> list[FieldViolation]:
        """Every broken cross-reference, with its full field path."""
        errors: list[FieldViolation] = []
        num_machines = len(self.machines)
        if not self.machines:
            errors.append(FieldViolation("machines", "at least one machine is needed"))
        if not _is_int(self.num_families) or self.num_families < 1:
            errors.append(FieldViolation("num_families", f"must be >= 1, got {self.num_families!r}"))
            return errors
        if self.family_names and len(self.family_names) != self.num_families:
            errors.append(
                FieldViolation("family_names", f"must name all {self.num_families} families or none")
            )
        for m_idx, machine in enumerate(self.machines):
            if machine.setup_times is not None and len(machine.setup_times) != self.num_families:
                errors.append(
                    FieldViolation(
                        f"machines[{m_idx}].setup_times",
                        f"must be a {self.num_families}x{self.num_families} matrix (one row per family)",
                    )
                )
            if machine.initial_family is not None and machine.initial_family >= self.num_families:
                errors.append(
                    FieldViolation(
                        f"machines[{m_idx}].initial_family", f"family {machine.initial_family} unknown"
                    )
                )
        for j_idx, job in enumerate(self.jobs):
            if job.family >= self.num_families:
                errors.append(
                    FieldViolation(
                        f"jobs[{j_idx}].family",
                        f"family {job.family} unknown (num_families={self.num_families})",
                    )
                )
            for o_idx, op in enumerate(job.operations):
                for k, mode in enumerate(op.modes):
                    if mode.machine >= num_machines:
                        errors.append(
                            FieldViolation(
                                f"jobs[{j_idx}].operations[{o_idx}].modes[{k}].machine",
                                f"machine {mode.machine} unknown (there are {num_machines} machines)",
                            )
                        )
        for t_idx, task in enumerate(self.maintenance):
            if not isinstance(task, MaintenanceTask):
                errors.append(FieldViolation(f"maintenance[{t_idx}]", "must be a MaintenanceTask"))
            elif task.machine >= num_machines:
                errors.append(
                    FieldViolation(
                        f"maintenance[{t_idx}].machine",
                        f"machine {task.machine} unknown (there are {num_machines} machines)",
                    )
                )
        for name in ("max_makespan", "max_tardiness"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 0):
                errors.append(FieldViolation(name, f"must be an integer >= 0 or empty, got {value!r}"))
        if self.energy is not None and not isinstance(self.energy, Energy):
            errors.append(FieldViolation("energy", "must be an Energy or empty"))
        elif self.energy is not None and self.energy.peak_power is not None:
            peak = self.energy.peak_power
            for j_idx, o_idx, op in self.operations():
                if all(mode.power > peak for mode in op.modes):
                    errors.append(
                        FieldViolation(
                            f"jobs[{j_idx}].operations[{o_idx}].modes",
                            f"every mode draws more than the peak-power limit of {peak} kW",
                        )
                    )
        return errors

    @property
    def num_jobs(self) -> int:
        return len(self.jobs)

    @property
    def num_machines(self) -> int:
        return len(self.machines)

    @property
    def num_operations(self) -> int:
        return sum(len(job.operations) for job in self.jobs)

    def operations(self) -> Iterator[tuple[int, int, Operation]]:
        """Yield ``(job_idx, op_idx, operation)`` for every operation."""
        for j_idx, job in enumerate(self.jobs):
            for o_idx, op in enumerate(job.operations):
                yield j_idx, o_idx, op

    def job_name(self, j_idx: int) -> str:
        return self.jobs[j_idx].name or f"job {j_idx}"

    def machine_name(self, m_idx: int) -> str:
        return self.machines[m_idx].name or f"M{m_idx}"

    def family_name(self, f_idx: int) -> str:
        return self.family_names[f_idx] if self.family_names else f"F{f_idx}"

    @property
    def has_setups(self) -> bool:
        return any(m.has_setups for m in self.machines)

    @property
    def has_calendars(self) -> bool:
        return any(m.unavailable for m in self.machines)

    @property
    def has_resumable(self) -> bool:
        """Whether an operation may pause over closed windows."""
        return any(op.resumable for _, _, op in self.operations())

    @property
    def has_energy_features(self) -> bool:
        """Whether the problem has a peak-power limit or weights energy cost or CO2."""
        peak = self.energy is not None and self.energy.peak_power is not None
        objective = self.objective
        weighted = bool(objective.energy or objective.co2) or bool(
            {"energy", "co2"} & set(objective.lexicographic)
        )
        return peak or weighted

    def horizon(self) -> int:
        """A safe upper bound on any end time: releases, closed windows, durations, setups and maintenance."""
        total = max((job.release for job in self.jobs), default=0)
        total += max((task.earliest for task in self.maintenance), default=0)
        total += sum(task.duration for task in self.maintenance)
        closed = max((w[1] for m in self.machines for w in m.unavailable), default=0)
        total += closed
        total += max((op.pinned_start or 0 for _, _, op in self.operations()), default=0)
        for _, _, op in self.operations():
            total += max(mode.duration for mode in op.modes)
        max_setup = max(
            (v for m in self.machines if m.setup_times for row in m.setup_times for v in row), default=0
        )
        total += max_setup * (self.num_operations + 1)
        return total

    def replace(self, **changes: Any) -> ProblemData:
        """A copy with some fields changed (validated again)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return ProblemData(**values)
