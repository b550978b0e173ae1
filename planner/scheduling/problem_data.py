"""Problem data of the flexible job shop: machines, jobs, operations and their modes.

Everything is integer time in the instance's time unit. Entities refer to each other by index; names are
kept for messages and output. Each class validates its own fields on construction and raises
:class:`~planner.exceptions.ValidationError` naming the field and the rule; :class:`ProblemData` checks
the references between them and reports every violation with its full path
(``jobs[3].operations[1].modes[0].duration``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.exceptions import FieldViolation, ValidationError

OBJECTIVE_TERMS = ("makespan", "tardiness", "setup", "moved", "shift")


def _tuple(obj: Any, name: str, value: Sequence[Any] | None) -> None:
    object.__setattr__(obj, name, tuple(value) if value is not None else ())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    planned_machine, planned_start
        Where a previous plan placed the operation (both or neither); the ``moved`` and ``shift`` terms of
        the objective count how far a new plan strays from it (see :mod:`planner.scheduling.reschedule`).
    """

    modes: tuple[Mode, ...]
    name: str = ""
    pinned_machine: int | None = None
    pinned_start: int | None = None
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
    """

    name: str = ""
    unavailable: tuple[tuple[int, int], ...] = ()
    setup_times: tuple[tuple[int, ...], ...] | None = None
    initial_family: int | None = None

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


@dataclass(frozen=True)
class Objective:
    """What to minimise: a weighted sum of makespan, total weighted tardiness and total setup time.

    Parameters
    ----------
    makespan, tardiness, setup
        Integer weights of each term (>= 0, at least one > 0).
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
    moved: int = 0
    shift: int = 0
    lexicographic: tuple[str, ...] = ()

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
        """Read ``makespan``, ``tardiness``, ``setup``, ``makespan=1,tardiness=10,moved=5`` or ``lex:tardiness,makespan``."""
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
        return cls(
            makespan=weights["makespan"],
            tardiness=weights["tardiness"],
            setup=weights["setup"],
            moved=weights["moved"],
            shift=weights["shift"],
        )

    def terms(self) -> tuple[str, ...]:
        """The active terms, in lexicographic order when given."""
        if self.lexicographic:
            return self.lexicographic
        return tuple(t for t in OBJECTIVE_TERMS if getattr(self, t))

    def value(self, kpis: dict[str, int]) -> int:
        """Weighted objective value from the term values (first term's value when lexicographic)."""
        if self.lexicographic:
            return kpis[self.lexicographic[0]]
        return sum(getattr(self, t) * kpis[t] for t in OBJECTIVE_TERMS)


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
    """

    machines: tuple[Machine, ...]
    jobs: tuple[Job, ...]
    num_families: int = 1
    family_names: tuple[str, ...] = ()
    objective: Objective = field(default_factory=Objective)
    name: str = ""
    time_unit: str = ""
    time_origin: str = ""

    def __post_init__(self) -> None:
        _tuple(self, "machines", self.machines)
        _tuple(self, "jobs", self.jobs)
        _tuple(self, "family_names", self.family_names)
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

    def horizon(self) -> int:
        """A safe upper bound on any end time: releases, closed windows, durations and setups added up."""
        total = max((job.release for job in self.jobs), default=0)
        total += max((w[1] for m in self.machines for w in m.unavailable), default=0)
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
