"""Rescheduling after disruptions on the shop floor.

Given the problem, the current plan, the time ``now`` and what happened (:data:`Event`), :func:`reschedule`
builds the new problem and re-optimises what may still change, with a stability term that keeps the new
plan close to the current one, and reports what moved.

Events refer to jobs by **name** (``Job.name``, what an MES sends; it must name exactly one job) and to
machines by name or by 0-based index:

- :class:`Breakdown`: a machine is unavailable from ``start`` to ``end`` (a new closed window);
- :class:`RushOrder`: a new job, scheduled no earlier than ``now``;
- :class:`OperationUpdate`: an operation actually started at ``start`` and/or finished at ``end`` (early or
  late); an ``end`` marks it done. It ran on its planned machine;
- :class:`OrderCancelled`: an order's operations that have not started are removed.

The rules, in the order they are applied:

1. Reported operations are facts: they stay where they ran, with their actual duration. A reported running
   operation (start, no end) runs its planned duration from its actual start.
2. An operation the plan started before ``now`` and nobody reported is taken to have started as planned,
   provided its predecessor had ended and its machine was free then (a late operation before it, or a
   breakdown, means it has not started: it is rescheduled and listed as ``"displaced"``).
3. **A breakdown interrupts running work**: an operation that started before ``now`` and overlaps a
   breakdown of its machine is interrupted; the data model has no partial operations, so it re-runs in
   full, on any of its machines, after ``now`` (reason ``"interrupted"``). One that ends before the
   breakdown starts stays. A resumable operation (``Operation.resumable``) is not interrupted: it pauses
   over the breakdown as over any closed window and ends that much later. A reported *finished* operation
   that overlaps a breakdown is a contradiction and an error.
4. Operations starting in ``[now, now + frozen_horizon)``, and operations the input data pins, stay pinned
   where they are, as long as their predecessor stays too and ends in time, no closed window or breakdown
   meets them and their machine is free (with changeovers); otherwise they are rescheduled and listed as
   ``"displaced"``.
5. Nothing new starts before ``now``: every machine is closed, in the new problem, where it is idle before
   ``now``. (Changeovers may still be counted from the end of the last operation before ``now``, as the
   model lets changeovers run in closed windows.)
   Work finished by ``now`` is history: it leaves the new problem (a job with nothing left disappears),
   except the last operation finished on each machine with changeovers, which stays pinned so the next
   changeover is counted from it. This keeps the model small when much of the plan is done.
6. A cancelled order loses its operations that have not started; the ones that started stay (they
   happened, and a running one occupies its machine until it ends), without a due date. An order with no
   started operation disappears.
7. Maintenance tasks placed before ``now + frozen_horizon`` (done, under way or frozen) stay where they
   are unless a breakdown meets them; the others keep their window, from ``now`` on (a window that has
   become too short is opened to the end, with a warning).
8. Every other operation is free; its current placement becomes ``planned_machine``/``planned_start`` and
   the objective adds ``moved_weight`` per operation placed elsewhere and ``shift_weight`` per time unit
   of start shift (:class:`~planner.scheduling.Objective` ``moved``/``shift``) to the problem's own
   objective (a lexicographic objective gets ``moved`` and ``shift`` as its last stages).

The current plan, repaired where needed (each free operation kept where it was when it still fits, else
shifted right or moved to the machine where it ends first), is the warm start. The repair keeps every rule
the checker enforces, the plant's peak-power limit included (the dispatching rule's power profile). When it
finds no feasible plan, the dispatching rule (with the pinned and started work where it is) gives the warm
start, else the solver starts without one; a solve that finds nothing in time returns the warm start.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.exceptions import FieldViolation, ValidationError
from planner.scheduling.check import check_solution
from planner.scheduling.problem_data import (
    OBJECTIVE_TERMS,
    Job,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    merge_windows,
    resumable_end,
)
from planner.scheduling.result import Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation

logger = logging.getLogger(__name__)

__all__ = [
    "Breakdown",
    "Event",
    "Move",
    "OperationRef",
    "OperationUpdate",
    "OrderCancelled",
    "RescheduleResult",
    "RushOrder",
    "reschedule",
]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_machine_ref(machine: Any, errors: list[FieldViolation]) -> None:
    if isinstance(machine, str):
        if not machine:
            errors.append(FieldViolation("machine", "must be a machine name or index, got ''"))
    elif not _is_int(machine) or machine < 0:
        errors.append(FieldViolation("machine", f"must be a machine name or index >= 0, got {machine!r}"))


def _check_job_ref(job: Any, errors: list[FieldViolation]) -> None:
    if not isinstance(job, str) or not job:
        errors.append(FieldViolation("job", f"must be a job name, got {job!r}"))


@dataclass(frozen=True)
class Breakdown:
    """Machine ``machine`` (name or index) is unavailable from ``start`` to ``end``."""

    machine: str | int
    start: int
    end: int

    def __post_init__(self) -> None:
        errors: list[FieldViolation] = []
        _check_machine_ref(self.machine, errors)
        if not _is_int(self.start) or self.start < 0:
            errors.append(FieldViolation("start", f"must be an integer >= 0, got {self.start!r}"))
        if not _is_int(self.end):
            errors.append(FieldViolation("end", f"must be an integer, got {self.end!r}"))
        elif _is_int(self.start) and self.end <= self.start:
            errors.append(FieldViolation("end", f"must be after start {self.start}, got {self.end}"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class RushOrder:
    """A new order ``job`` (with a unique name; maybe a due date and a weight) to fit into the plan."""

    job: Job

    def __post_init__(self) -> None:
        if not isinstance(self.job, Job):
            raise ValidationError(f"must be a Job, got {type(self.job).__name__}", "job")
        if not self.job.name:
            raise ValidationError("a rush order needs a name (events refer to jobs by name)", "job.name")


@dataclass(frozen=True)
class OperationUpdate:
    """Operation ``operation`` (0-based) of job ``job`` (name) actually started at ``start``, finished at ``end``.

    Either may be omitted (not both): a missing ``start`` is the planned one; an ``end`` marks the
    operation done, a ``start`` alone marks it running. ``machine`` (name or index) is where it actually
    ran when that is not the planned machine; it must be one of the operation's eligible machines.
    """

    job: str
    operation: int
    start: int | None = None
    end: int | None = None
    machine: str | int | None = None

    def __post_init__(self) -> None:
        errors: list[FieldViolation] = []
        _check_job_ref(self.job, errors)
        if self.machine is not None:
            _check_machine_ref(self.machine, errors)
        if not _is_int(self.operation) or self.operation < 0:
            errors.append(
                FieldViolation("operation", f"must be an operation index >= 0, got {self.operation!r}")
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 0):
                errors.append(FieldViolation(name, f"must be an integer >= 0 or empty, got {value!r}"))
        if self.start is None and self.end is None:
            errors.append(FieldViolation("start", "an update needs a start, an end or both"))
        elif not errors and self.start is not None and self.end is not None and self.end < self.start:
            errors.append(FieldViolation("end", f"must not be before start {self.start}, got {self.end}"))
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class OrderCancelled:
    """Order ``job`` (name) is cancelled."""

    job: str

    def __post_init__(self) -> None:
        errors: list[FieldViolation] = []
        _check_job_ref(self.job, errors)
        if errors:
            raise ValidationError(errors)


Event = Breakdown | RushOrder | OperationUpdate | OrderCancelled


@dataclass(frozen=True)
class OperationRef:
    """Operation ``operation`` of the job named ``job``."""

    job: str
    operation: int


@dataclass(frozen=True)
class Move:
    """An operation whose machine or start changed between the current plan and the new one.

    ``reason`` is ``""`` when the optimiser moved it, ``"interrupted"`` when it was running on a machine that
    broke down, ``"displaced"`` when it was to stay (started per plan, frozen or pinned) but could not.
    """

    job: str
    operation: int
    old_machine: int
    old_start: int
    old_end: int
    new_machine: int
    new_start: int
    new_end: int
    reason: str = ""

    @property
    def shift(self) -> int:
        """``new_start - old_start`` (positive: later)."""
        return self.new_start - self.old_start

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "operation": self.operation,
            "old_machine": self.old_machine,
            "old_start": self.old_start,
            "old_end": self.old_end,
            "new_machine": self.new_machine,
            "new_start": self.new_start,
            "new_end": self.new_end,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RescheduleResult:
    """What :func:`reschedule` returns.

    Parameters
    ----------
    data
        The new problem (started, done and frozen work pinned, machines closed before ``now``, the
        stability terms in the objective, cancelled work removed, rush orders added).
    result
        The solve of ``data``; its schedule passed the independent checker.
    moves
        Operations placed elsewhere than in the current plan, in job and operation order.
    started
        Operations kept because they started (or finished) before ``now``. Those finished by ``now`` are
        history: they are not part of ``data``, except the last one finished on each machine with
        changeovers (the next changeover starts from it).
    frozen
        Operations kept in place inside the frozen horizon (or pinned by the input).
    added
        Names of the rush orders.
    cancelled
        Names of the cancelled orders.
    removed
        Operations of cancelled orders taken out of the plan.
    job_origin
        For each job of ``data``, its index in the input problem (None for a rush order).
    origin
        ``(job, operation)`` of ``data`` -> ``(job, operation)`` of the input problem (rush orders absent).
    now
        The time of rescheduling.
    """

    data: ProblemData
    result: Result
    moves: tuple[Move, ...]
    started: tuple[OperationRef, ...] = ()
    frozen: tuple[OperationRef, ...] = ()
    added: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    removed: tuple[OperationRef, ...] = ()
    job_origin: tuple[int | None, ...] = ()
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    now: int = 0
    plan_objective: float | None = None
    """Value of the input problem's own objective for the new plan, without the stability terms (also
    when the input came from an earlier reschedule and carries them)."""
    warm_start: Schedule | None = None
    """The checker-valid schedule of :attr:`data` the solve started from (None: no warm start)."""
    warm_start_source: str = ""
    """Where :attr:`warm_start` came from: ``"repair"`` (the repaired current plan), ``"dispatch"`` (the
    dispatching rule, when the repair found no feasible plan) or ``""`` (none)."""

    @property
    def schedule(self) -> Schedule | None:
        """The new plan (indices of :attr:`data`), or None when the solve found none."""
        return self.result.schedule

    @property
    def num_moved(self) -> int:
        return len(self.moves)

    @property
    def total_shift(self) -> int:
        """Sum of ``|new_start - old_start|`` over the moves."""
        return sum(abs(m.shift) for m in self.moves)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: the solve, the counts and the list of moves."""
        return {
            "now": self.now,
            "solve": self.result.summary(),
            "plan_objective": self.plan_objective,
            "warm_start": self.warm_start_source,
            "num_moved": self.num_moved,
            "total_shift": self.total_shift,
            "num_started": len(self.started),
            "num_frozen": len(self.frozen),
            "added": list(self.added),
            "cancelled": list(self.cancelled),
            "num_removed": len(self.removed),
            "moves": [m.as_dict() for m in self.moves],
        }


# --- building the new problem -------------------------------------------------------------------------


def _overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether [start, end) meets the inside of the other interval; zero-length work is a point in time."""
    if start == end:
        return other_start < start < other_end
    if other_start == other_end:
        return start < other_start < end
    return start < other_end and other_start < end


@dataclass
class _Kept:
    start: int
    end: int
    family: int
    key: tuple[int, int]


class _MachineLog:
    """The operations kept in place on one machine, to test whether one more fits (as the checker sees it)."""

    def __init__(self, machine: Machine, windows: Sequence[tuple[int, int]]):
        self.machine = machine
        self.windows = list(windows)
        self.kept: list[_Kept] = []

    def conflict(self, start: int, end: int, family: int, pausing: bool = False) -> str:
        """Why [start, end) of ``family`` cannot stay here ("" when it can); work that ``pausing`` may span
        closed windows but not start inside one."""
        for w_start, w_end in self.windows:
            inside = w_start <= start < w_end if pausing else _overlaps(start, end, w_start, w_end)
            if inside:
                return f"closed window {w_start}-{w_end}"
        for other in self.kept:
            if _overlaps(start, end, other.start, other.end) or (
                start == other.start and end == other.end and start != end
            ):
                return f"job {other.key[0]} operation {other.key[1]} at {other.start}-{other.end}"
        if start == end:
            return ""
        positive = [k for k in self.kept if k.end > k.start]
        before = [k for k in positive if (k.start, k.end) < (start, end)]
        after = [k for k in positive if (k.start, k.end) > (start, end)]
        machine = self.machine
        if before:
            prev = max(before, key=lambda k: (k.start, k.end))
            if start < prev.end + machine.setup(prev.family, family):
                return f"the changeover after job {prev.key[0]} operation {prev.key[1]}"
        elif start < machine.setup(machine.initial_family, family):
            return "the initial changeover"
        if after:
            nxt = min(after, key=lambda k: (k.start, k.end))
            if nxt.start < end + machine.setup(family, nxt.family):
                return f"the changeover before job {nxt.key[0]} operation {nxt.key[1]}"
        return ""

    def add(self, start: int, end: int, family: int, key: tuple[int, int]) -> None:
        self.kept.append(_Kept(start, end, family, key))


def _merge(windows: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Windows with overlapping ones merged (touching ones stay apart: zero-length work may sit between)."""
    out: list[list[int]] = []
    for start, end in sorted(windows):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


def _idle_before(now: int, busy: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The gaps of [0, now) between the busy intervals (which may reach past now)."""
    gaps = []
    cursor = 0
    for start, end in sorted(busy):
        if start >= now:
            break
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < now:
        gaps.append((cursor, now))
    return gaps


class _Resolver:
    """Turns the names of events into indices, recording violations with the event's field path."""

    def __init__(self, data: ProblemData):
        self.data = data
        self.jobs: dict[str, list[int]] = {}
        for j_idx, job in enumerate(data.jobs):
            if job.name:
                self.jobs.setdefault(job.name, []).append(j_idx)
        self.machines: dict[str, list[int]] = {}
        for m_idx, machine in enumerate(data.machines):
            if machine.name:
                self.machines.setdefault(machine.name, []).append(m_idx)

    def job(self, name: str, field: str, errors: list[FieldViolation]) -> int | None:
        found = self.jobs.get(name, [])
        if len(found) == 1:
            return found[0]
        if found:
            errors.append(FieldViolation(field, f"job name {name!r} is ambiguous ({len(found)} jobs)"))
        else:
            known = ", ".join(repr(n) for n in list(self.jobs)[:10])
            errors.append(FieldViolation(field, f"unknown job {name!r} (known: {known or 'none'})"))
        return None

    def machine(self, ref: str | int, field: str, errors: list[FieldViolation]) -> int | None:
        if isinstance(ref, str):
            found = self.machines.get(ref, [])
            if len(found) == 1:
                return found[0]
            if found:
                errors.append(FieldViolation(field, f"machine name {ref!r} is ambiguous"))
            else:
                known = ", ".join(repr(n) for n in list(self.machines)[:10])
                errors.append(FieldViolation(field, f"unknown machine {ref!r} (known: {known or 'none'})"))
            return None
        if ref >= self.data.num_machines:
            errors.append(
                FieldViolation(field, f"machine index {ref} out of range 0..{self.data.num_machines - 1}")
            )
            return None
        return ref


@dataclass
class _Plan:
    """The state of one operation of the input problem while the new problem is built."""

    machine: int
    start: int
    end: int
    state: str = "free"  # reported, started, frozen, free, removed
    reason: str = ""
    event: int | None = None  # index of the reporting event
    done: bool = False  # reported finished
    history: bool = False  # finished by now and left out of the new problem


@dataclass
class _Built:
    data: ProblemData
    warm_start: Schedule | None
    origin: dict[tuple[int, int], tuple[int, int]]  # new (job, op) -> input (job, op)
    plans: dict[tuple[int, int], _Plan]
    job_origin: tuple[int | None, ...]
    added: tuple[str, ...]
    cancelled: tuple[str, ...]
    breakdowns: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def _validate_inputs(data: ProblemData, schedule: Schedule, now: int, frozen_horizon: int) -> None:
    errors = []
    if not _is_int(now) or now < 0:
        errors.append(FieldViolation("now", f"must be an integer >= 0, got {now!r}"))
    if not _is_int(frozen_horizon) or frozen_horizon < 0:
        errors.append(FieldViolation("frozen_horizon", f"must be an integer >= 0, got {frozen_horizon!r}"))
    if errors:
        raise ValidationError(errors)
    report = check_solution(data, schedule)
    if not report.ok:
        shown = "; ".join(str(v) for v in report.violations[:3])
        raise ValidationError(
            f"the current plan must be a feasible schedule of the problem: {shown}", "schedule"
        )


def _build(
    data: ProblemData,
    schedule: Schedule,
    events: Sequence[Event],
    now: int,
    frozen_horizon: int,
    moved_weight: int,
    shift_weight: int,
) -> _Built:
    """The new problem, its warm start and the bookkeeping to report what moved."""
    resolver = _Resolver(data)
    errors: list[FieldViolation] = []
    current = schedule.as_dict()
    plans = {key: _Plan(sop.machine, sop.start, sop.end) for key, sop in current.items()}
    breakdowns: dict[int, list[tuple[int, int]]] = {}
    cancelled: set[int] = set()
    rush: list[Job] = []
    names = set(resolver.jobs)
    for e_idx, event in enumerate(events):
        where = f"events[{e_idx}]"
        if isinstance(event, Breakdown):
            m_idx = resolver.machine(event.machine, f"{where}.machine", errors)
            if m_idx is not None:
                breakdowns.setdefault(m_idx, []).append((event.start, event.end))
        elif isinstance(event, OrderCancelled):
            j_idx = resolver.job(event.job, f"{where}.job", errors)
            if j_idx is not None:
                cancelled.add(j_idx)
        elif isinstance(event, RushOrder):
            job = event.job
            if job.name in names:
                errors.append(FieldViolation(f"{where}.job.name", f"a job named {job.name!r} exists already"))
            names.add(job.name)
            for o_idx, op in enumerate(job.operations):
                for k, mode in enumerate(op.modes):
                    if mode.machine >= data.num_machines:
                        errors.append(
                            FieldViolation(
                                f"{where}.job.operations[{o_idx}].modes[{k}].machine",
                                f"machine {mode.machine} unknown (there are {data.num_machines} machines)",
                            )
                        )
            if job.family >= data.num_families:
                errors.append(FieldViolation(f"{where}.job.family", f"family {job.family} unknown"))
            rush.append(job)
        elif isinstance(event, OperationUpdate):
            j_idx = resolver.job(event.job, f"{where}.job", errors)
            if j_idx is None:
                continue
            num_ops = len(data.jobs[j_idx].operations)
            if event.operation >= num_ops:
                errors.append(
                    FieldViolation(
                        f"{where}.operation",
                        f"job {event.job!r} has operations 0..{num_ops - 1}, got {event.operation}",
                    )
                )
                continue
            plan = plans[(j_idx, event.operation)]
            op = data.jobs[j_idx].operations[event.operation]
            ran_on = plan.machine
            if event.machine is not None:
                m_idx = resolver.machine(event.machine, f"{where}.machine", errors)
                if m_idx is None:
                    continue
                if op.mode_on(m_idx) is None:
                    eligible = ", ".join(data.machine_name(m.machine) for m in op.modes)
                    errors.append(
                        FieldViolation(
                            f"{where}.machine",
                            f"operation {event.operation} of job {event.job!r} cannot run on "
                            f"{data.machine_name(m_idx)!r} (eligible: {eligible})",
                        )
                    )
                    continue
                ran_on = m_idx
            planned_mode = op.mode_on(ran_on)
            assert planned_mode is not None
            start = event.start if event.start is not None else plan.start
            if start > now:
                errors.append(
                    FieldViolation(
                        f"{where}.start",
                        f"an operation reported started must have started by now ({now}), got {start}"
                        + (" (its planned start)" if event.start is None else ""),
                    )
                )
                continue
            if event.end is not None:
                if event.end > now:
                    errors.append(
                        FieldViolation(
                            f"{where}.end", f"a reported end must be <= now ({now}), got {event.end}"
                        )
                    )
                    continue
                if event.end < start:
                    errors.append(
                        FieldViolation(
                            f"{where}.end", f"must not be before the start {start}, got {event.end}"
                        )
                    )
                    continue
            plan.machine = ran_on
            plan.start = start
            plan.end = event.end if event.end is not None else start + planned_mode.duration
            plan.done = event.end is not None
            plan.state = "reported"
            plan.event = e_idx
        else:
            errors.append(FieldViolation(where, f"unknown event type {type(event).__name__}"))
    if errors:
        raise ValidationError(errors)

    windows = {
        m_idx: list(machine.unavailable) + breakdowns.get(m_idx, [])
        for m_idx, machine in enumerate(data.machines)
    }
    closed = {m_idx: merge_windows(w) for m_idx, w in windows.items()}

    def pausing(key: tuple[int, int], plan: _Plan) -> bool:
        op = data.jobs[key[0]].operations[key[1]]
        mode = op.mode_on(plan.machine)
        return op.resumable and mode is not None and mode.duration > 0

    # resumable work pauses over breakdowns too: it keeps its start and ends later
    for key, plan in plans.items():
        if pausing(key, plan) and not plan.done:
            running = data.jobs[key[0]].operations[key[1]].mode_on(plan.machine)
            assert running is not None
            plan.end = resumable_end(plan.start, running.duration, closed[plan.machine])

    # maintenance under way, done or inside the frozen horizon stays (unless a breakdown meets it)
    placed_tasks = {sm.task: sm for sm in schedule.maintenance}
    kept_tasks: dict[int, ScheduledMaintenance] = {}
    for t_idx, sm in placed_tasks.items():
        hit = any(_overlaps(sm.start, sm.end, s, e) for s, e in breakdowns.get(sm.machine, []))
        if not hit and sm.start < now + frozen_horizon:
            kept_tasks[t_idx] = sm
    logs = [
        _MachineLog(
            machine,
            windows[m_idx] + [(sm.start, sm.end) for sm in kept_tasks.values() if sm.machine == m_idx],
        )
        for m_idx, machine in enumerate(data.machines)
    ]

    def family(key: tuple[int, int]) -> int:
        return data.jobs[key[0]].family

    def breaks(key: tuple[int, int], plan: _Plan) -> bool:
        """Whether a breakdown meets the operation (resumable work: whether it would start inside one)."""
        if pausing(key, plan):
            return any(s <= plan.start < e for s, e in breakdowns.get(plan.machine, []))
        return any(_overlaps(plan.start, plan.end, s, e) for s, e in breakdowns.get(plan.machine, []))

    def interrupted(key: tuple[int, int], plan: _Plan) -> bool:
        """Whether a breakdown of its machine begins while the operation runs (resumable work pauses)."""
        if pausing(key, plan):
            return False
        return any(plan.start < s < plan.end for s, _ in breakdowns.get(plan.machine, []))

    # 1. reported operations: facts (a running one on a machine that broke down is interrupted)
    reported = sorted((p.start, p.end, key) for key, p in plans.items() if p.state == "reported")
    for _, _, key in reported:
        plan = plans[key]
        where = f"events[{plan.event}]"
        if breaks(key, plan) or interrupted(key, plan):
            if plan.done:
                errors.append(
                    FieldViolation(
                        where,
                        f"operation reported done at {plan.start}-{plan.end} overlaps a breakdown of "
                        f"machine {data.machine_name(plan.machine)}",
                    )
                )
            else:
                plan.state, plan.reason = "free", "interrupted"
            continue
        why = logs[plan.machine].conflict(plan.start, plan.end, family(key), pausing(key, plan))
        if why:
            errors.append(
                FieldViolation(
                    where,
                    f"operation reported at {plan.start}-{plan.end} on machine "
                    f"{data.machine_name(plan.machine)} conflicts with {why}",
                )
            )
            continue
        logs[plan.machine].add(plan.start, plan.end, family(key), key)

    def stays(key: tuple[int, int], plan: _Plan) -> bool:
        j_idx, o_idx = key
        if o_idx > 0:
            pred = plans[(j_idx, o_idx - 1)]
            if pred.state not in ("reported", "started", "frozen") or pred.end > plan.start:
                return False
        return not logs[plan.machine].conflict(plan.start, plan.end, family(key), pausing(key, plan))

    # 2. operations the plan started before now (unreported), 3. frozen and pinned ones, in start order
    for key in sorted((k for k, p in plans.items() if p.state == "free"), key=lambda k: plans[k].start):
        plan = plans[key]
        op = data.jobs[key[0]].operations[key[1]]
        if plan.reason:  # interrupted above
            continue
        if plan.start < now:
            if stays(key, plan):
                plan.state = "started"
                logs[plan.machine].add(plan.start, plan.end, family(key), key)
            elif interrupted(key, plan):
                plan.reason = "interrupted"
            else:
                plan.reason = "displaced"
        elif key[0] in cancelled:
            continue
        elif plan.start < now + frozen_horizon or op.pinned:
            if stays(key, plan):
                plan.state = "frozen"
                logs[plan.machine].add(plan.start, plan.end, family(key), key)
            else:
                plan.reason = "displaced"

    # a reported operation needs its predecessor to have run before it
    for key, plan in plans.items():
        if plan.state != "reported" or key[1] == 0:
            continue
        pred = plans[(key[0], key[1] - 1)]
        if pred.state not in ("reported", "started") or pred.end > plan.start:
            errors.append(
                FieldViolation(
                    f"events[{plan.event}]",
                    f"operation {key[1]} of {data.job_name(key[0])!r} is reported started at {plan.start}, "
                    f"but operation {key[1] - 1} had not ended by then (report it too)",
                )
            )
    if errors:
        raise ValidationError(errors)

    # cancelled orders keep only what started
    for key, plan in plans.items():
        if key[0] in cancelled and plan.state not in ("reported", "started"):
            plan.state = "removed"

    # finished work is history and leaves the problem, except the last operation finished on each machine
    # with changeovers: the next changeover starts from it (and the machine's initial setup no longer applies)
    last_done: dict[int, tuple[int, int, tuple[int, int]]] = {}
    for key, plan in plans.items():
        if plan.state in ("reported", "started") and plan.end <= now:
            if data.machines[plan.machine].has_setups and plan.end > plan.start:
                last = (plan.end, plan.start, key)
                last_done[plan.machine] = max(last_done.get(plan.machine, last), last)
            plan.history = True
    for _, _, key in last_done.values():
        plans[key].history = False

    # the new problem
    busy: dict[int, list[tuple[int, int]]] = {}
    for plan in plans.values():
        if plan.state in ("reported", "started") and not plan.history:
            busy.setdefault(plan.machine, []).append((plan.start, plan.end))
    for sm in kept_tasks.values():
        busy.setdefault(sm.machine, []).append((sm.start, sm.end))
    tasks = []
    for t_idx, task in enumerate(data.maintenance):
        if t_idx in kept_tasks:
            sm = kept_tasks[t_idx]
            tasks.append(dataclasses.replace(task, earliest=sm.start, latest=sm.end))
            continue
        earliest = max(task.earliest, now)
        latest = task.latest
        if latest is not None and latest < earliest + task.duration:
            logger.warning("maintenance task %d no longer fits its window; it goes as early as it can", t_idx)
            latest = None
        tasks.append(dataclasses.replace(task, earliest=earliest, latest=latest))
    machines = tuple(
        dataclasses.replace(
            machine,
            unavailable=_merge(windows[m_idx] + _idle_before(now, busy.get(m_idx, []))),
            initial_family=None if m_idx in last_done else machine.initial_family,
        )
        for m_idx, machine in enumerate(data.machines)
    )
    jobs: list[Job] = []
    job_origin: list[int | None] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for j_idx, job in enumerate(data.jobs):
        ops: list[Operation] = []
        for o_idx, op in enumerate(job.operations):
            plan = plans[(j_idx, o_idx)]
            if plan.state == "removed" or plan.history:
                continue
            if plan.state == "reported":
                ran = op.mode_on(plan.machine)
                assert ran is not None
                work = plan.end - plan.start
                resumable = op.resumable
                if resumable:  # the work done is the open time it spanned
                    spans = closed[plan.machine]
                    work -= sum(max(0, min(e, plan.end) - max(s, plan.start)) for s, e in spans)
                    resumable = work > 0 and resumable_end(plan.start, work, spans) == plan.end
                    work = work if resumable else plan.end - plan.start
                new_op = dataclasses.replace(
                    op,
                    resumable=resumable,
                    modes=(Mode(plan.machine, work, ran.power),),
                    pinned_machine=plan.machine,
                    pinned_start=plan.start,
                    planned_machine=plan.machine,
                    planned_start=plan.start,
                )
            elif plan.state in ("started", "frozen"):
                new_op = dataclasses.replace(
                    op,
                    pinned_machine=plan.machine,
                    pinned_start=plan.start,
                    planned_machine=plan.machine,
                    planned_start=plan.start,
                )
            else:
                new_op = dataclasses.replace(
                    op,
                    pinned_machine=None,
                    pinned_start=None,
                    planned_machine=plan.machine,
                    planned_start=plan.start,
                )
            origin[(len(jobs), len(ops))] = (j_idx, o_idx)
            ops.append(new_op)
        if not ops:
            continue
        due = None if j_idx in cancelled else job.due
        jobs.append(dataclasses.replace(job, operations=tuple(ops), due=due))
        job_origin.append(j_idx)
    for job in rush:
        jobs.append(job)
        job_origin.append(None)

    objective = data.objective
    if objective.lexicographic:
        stages = [("moved", moved_weight), ("shift", shift_weight)]
        extra = tuple(t for t, w in stages if w and t not in objective.lexicographic)
        new_objective = Objective(lexicographic=objective.lexicographic + extra)
    else:
        new_objective = dataclasses.replace(objective, moved=moved_weight, shift=shift_weight)
    new_data = data.replace(
        machines=machines, jobs=tuple(jobs), objective=new_objective, maintenance=tuple(tasks)
    )

    warm = _best_repair(new_data, now, len(jobs) - len(rush), placed_tasks)
    return _Built(
        new_data,
        warm,
        origin,
        plans,
        tuple(job_origin),
        tuple(job.name for job in rush),
        tuple(data.job_name(j) for j in sorted(cancelled)),
        breakdowns,
    )


def _repair(
    data: ProblemData,
    now: int,
    num_old_jobs: int,
    keep_first: bool = False,
    maintenance: dict[int, ScheduledMaintenance] | None = None,
) -> Schedule | None:
    """The current plan made feasible for the new problem: pinned work where it is, every free operation
    where it was when it still fits there, else on the machine where it ends first (shifted right).

    With ``keep_first`` every operation that can stay exactly where it was stays, and only the others (and
    their jobs' later operations) are then fitted in, in planned order: fewer moves, maybe more delay.
    Maintenance tasks stay where ``maintenance`` has them when that is still allowed, else go as early as
    they fit after the operations (left out when they do not fit: the solver places them).

    It keeps the rules the checker enforces: resumable work pauses over closed windows (never starts in
    one, never spans maintenance), changeovers, and, under a peak-power limit, the plant's running load
    (the dispatching rule's power profile) leaves room for every operation it places; None when an
    operation finds no place (its predecessor unplaced, or its power alone above the limit)."""
    from planner.scheduling.solvers.dispatch import (
        _Timeline,
        add_power,
        earliest_fit,
        power_fits,
        power_profile,
    )

    timelines = [_Timeline(machine) for machine in data.machines]
    power = power_profile(data)
    placed: dict[tuple[int, int], ScheduledOperation] = {}
    todo = []
    for j_idx, o_idx, op in data.operations():
        if op.pinned:
            assert op.pinned_machine is not None and op.pinned_start is not None
            mode = op.mode_on(op.pinned_machine)
            assert mode is not None
            timeline = timelines[op.pinned_machine]
            end = timeline.end(op.pinned_start, mode.duration, op.resumable)
            timeline.add(op.pinned_start, end, data.jobs[j_idx].family)
            add_power(power, timeline, op.pinned_start, end, mode, op.resumable)
            placed[(j_idx, o_idx)] = ScheduledOperation(j_idx, o_idx, op.pinned_machine, op.pinned_start, end)
        else:
            # old operations in their planned order, rush orders after them
            order = (0, op.planned_start, j_idx, o_idx) if j_idx < num_old_jobs else (1, 0, j_idx, o_idx)
            todo.append((order, j_idx, o_idx, op))
    todo.sort(key=lambda t: t[0])

    def free_at(machine: int, start: int, end: int) -> bool:
        timeline = timelines[machine]
        if any(
            _overlaps(start, end, w_start, w_end) for w_start, w_end in [*timeline.windows, *timeline.blocks]
        ):
            return False
        if any(start < p < end for p in timeline.points):
            return False
        return not any(_overlaps(start, end, slot.start, slot.end) for slot in timeline.slots)

    def block(machine: int, start: int, end: int) -> None:
        # a block, not a window: resumable work may pause over closed windows but never spans maintenance
        timelines[machine].blocks.append((start, end))

    tasks: dict[int, ScheduledMaintenance] = {}
    later = []
    for t_idx, task in enumerate(data.maintenance):
        old = (maintenance or {}).get(t_idx)
        if task.latest is not None and task.latest == task.earliest + task.duration:
            old = ScheduledMaintenance(t_idx, task.machine, task.earliest, task.latest)  # pinned
        ok = (
            old is not None
            and old.machine == task.machine
            and old.start >= task.earliest
            and (task.latest is None or old.end <= task.latest)
            and free_at(task.machine, old.start, old.end)
        )
        if ok:
            assert old is not None
            tasks[t_idx] = ScheduledMaintenance(t_idx, task.machine, old.start, old.end)
            block(task.machine, old.start, old.end)
        else:
            later.append(t_idx)

    def ready_of(j_idx: int, o_idx: int) -> int | None:
        ready = max(now, data.jobs[j_idx].release)
        if o_idx > 0:
            pred = placed.get((j_idx, o_idx - 1))
            if pred is None:
                return None
            ready = max(ready, pred.end)
        return ready

    def place(j_idx: int, o_idx: int, op: Operation, mode: Mode, start: int, end: int) -> None:
        timelines[mode.machine].add(start, end, data.jobs[j_idx].family)
        add_power(power, timelines[mode.machine], start, end, mode, op.resumable)
        placed[(j_idx, o_idx)] = ScheduledOperation(j_idx, o_idx, mode.machine, start, end)

    def stay(j_idx: int, o_idx: int, op: Operation, ready: int) -> bool:
        """Place the operation where it was planned when it still fits there (power included)."""
        if op.planned_machine is None or op.planned_start is None or ready > op.planned_start:
            return False
        mode = op.mode_on(op.planned_machine)
        assert mode is not None
        timeline = timelines[mode.machine]
        family = data.jobs[j_idx].family
        start = op.planned_start
        if timeline.earliest(start, mode.duration, family, op.resumable) != start:
            return False
        end = timeline.end(start, mode.duration, op.resumable)
        if not power_fits(power, timeline, start, end, mode, op.resumable):
            return False
        place(j_idx, o_idx, op, mode, start, end)
        return True

    if keep_first:
        rest = []
        for item in todo:
            _, j_idx, o_idx, op = item
            ready = ready_of(j_idx, o_idx)
            if ready is None or not stay(j_idx, o_idx, op, ready):
                rest.append(item)
        todo = rest
    for _, j_idx, o_idx, op in todo:
        ready = ready_of(j_idx, o_idx)
        if ready is None:
            return None
        if stay(j_idx, o_idx, op, ready):
            continue
        choice: tuple[int, int, bool, Mode] | None = None
        for mode in op.modes:
            fit = earliest_fit(
                timelines[mode.machine], power, ready, mode, data.jobs[j_idx].family, op.resumable
            )
            if fit is None:
                continue
            start, end = fit
            cand = (end, start, mode.machine != op.planned_machine, mode)
            if choice is None or cand[:3] < choice[:3]:
                choice = cand
        if choice is None:
            return None
        end, start, _, mode = choice
        place(j_idx, o_idx, op, mode, start, end)
    for t_idx in later:
        task = data.maintenance[t_idx]
        timeline = timelines[task.machine]
        candidates = sorted(
            {max(now, task.earliest)}
            | {e for _, e in [*timeline.windows, *timeline.blocks] if e >= task.earliest}
            | {slot.end for slot in timeline.slots if slot.end >= task.earliest}
        )
        for start in candidates:
            end = start + task.duration
            if task.latest is not None and end > task.latest:
                break
            if start >= max(now, task.earliest) and free_at(task.machine, start, end):
                tasks[t_idx] = ScheduledMaintenance(t_idx, task.machine, start, end)
                block(task.machine, start, end)
                break
    return Schedule(placed.values(), tasks.values())


def _best_repair(
    data: ProblemData,
    now: int,
    num_old_jobs: int,
    maintenance: dict[int, ScheduledMaintenance] | None = None,
) -> Schedule | None:
    """The better (by the new problem's objective, stability included) of the two repairs."""
    best: tuple[float, Schedule] | None = None
    for keep_first in (False, True):
        candidate = _repair(data, now, num_old_jobs, keep_first, maintenance)
        if candidate is None:
            continue
        report = check_solution(data, candidate)
        if report.ok and report.objective is not None and (best is None or report.objective < best[0]):
            best = (report.objective, candidate)
    if best is None:
        return _repair(data, now, num_old_jobs, maintenance=maintenance)
    return best[1]


def reschedule(
    data: ProblemData,
    schedule: Schedule,
    events: Sequence[Event],
    *,
    now: int,
    frozen_horizon: int = 0,
    moved_weight: int = 10,
    shift_weight: int = 1,
    time_limit: float = 5.0,
    num_workers: int = 2,
    seed: int = 1,
    warm_start: bool = True,
    window: int | None = None,
    **options: Any,
) -> RescheduleResult:
    """Repair and re-optimise the plan ``schedule`` of ``data`` after ``events``, at time ``now``.

    See the module docstring for the rules.

    Parameters
    ----------
    data
        The problem the current plan solves.
    schedule
        The current plan (must pass the checker for ``data``).
    events
        What happened: breakdowns, rush orders, operation updates, cancellations.
    now
        The time of rescheduling: work that started before it stays, nothing new starts before it.
    frozen_horizon
        Operations starting before ``now + frozen_horizon`` stay where they are when they can.
    moved_weight, shift_weight
        Weights of the stability terms added to the problem's objective: per moved operation and per time
        unit of start shift. Zero for both re-optimises without regard to the current plan.
    time_limit, num_workers, seed
        Of the solve (:func:`planner.scheduling.solve`).
    warm_start
        Start the solver from the repaired current plan (else from its own heuristic).
    window
        None: one model of everything that may move. A length of time: re-optimise window after window
        (``[now, now + window)``, then the next, ... with the rest pinned, until the time limit), so a
        large plant (hundreds of operations with changeovers) never needs one large model; the result then
        has no proven bound. Needs the warm start.
    options
        Passed to :func:`planner.scheduling.solve` (e.g. ``solver="dispatch"``).

    Returns
    -------
    RescheduleResult
        The new problem, the checked solve result and what moved, stayed, was added and removed.

    Raises
    ------
    ValidationError
        For bad input: unknown machines or jobs, times out of order, reports that contradict each other
        or the plan; each violation names the field (``events[2].end``).
    """
    for name, value in (("moved_weight", moved_weight), ("shift_weight", shift_weight)):
        if not _is_int(value) or value < 0:
            raise ValidationError(f"must be an integer >= 0, got {value!r}", name)
    if window is not None and (not _is_int(window) or window < 1):
        raise ValidationError(f"must be an integer >= 1 or empty, got {window!r}", "window")
    _validate_inputs(data, schedule, now, frozen_horizon)
    built = _build(data, schedule, events, now, frozen_horizon, moved_weight, shift_weight)
    hint, source = _warm_start(built) if warm_start else (None, "")
    hint_ok = hint is not None
    from planner.scheduling.solve import solve

    if window is not None and hint is not None and hint_ok:
        result = _solve_in_windows(
            built, hint, now, window, time_limit=time_limit, num_workers=num_workers, seed=seed, **options
        )
    else:
        result = solve(
            built.data,
            time_limit=time_limit,
            num_workers=num_workers,
            seed=seed,
            initial_solution=hint,
            **options,
        )
    if result.schedule is None and hint is not None:
        # the solver found nothing in time (a loaded machine): the checked warm start is a plan
        logger.warning("the solve found no plan within %.1f s; returning the warm start", time_limit)
        report = check_solution(built.data, hint)
        assert report.ok and report.objective is not None
        result = dataclasses.replace(
            result,
            status=SolveStatus.FEASIBLE,
            objective=float(report.objective),
            schedule=hint,
            kpis=report.kpis,
        )
    return dataclasses.replace(_report(data, built, result, now), warm_start=hint, warm_start_source=source)


def _warm_start(built: _Built) -> tuple[Schedule | None, str]:
    """A checker-valid start for the solver and where it came from: the repaired plan (``"repair"``), else
    the dispatching rule with the pinned and started work where it is (``"dispatch"``), else none."""
    from planner.scheduling.solvers.dispatch import dispatch

    if built.warm_start is not None:
        report = check_solution(built.data, built.warm_start)
        if report.ok:
            return built.warm_start, "repair"
        logger.warning(
            "the repaired plan is not feasible (%s); trying the dispatching rule", report.violations[0]
        )
    else:
        logger.warning("the repair found no plan; trying the dispatching rule")
    fallback = dispatch(built.data)  # checked: None unless the checker accepts it
    if fallback is not None:
        return fallback, "dispatch"
    logger.warning("the dispatching rule found no plan either; the solver starts without a hint")
    return None, ""


def _pin(
    data: ProblemData, schedule: Schedule, keep_free: Callable[[ScheduledOperation], bool]
) -> ProblemData:
    """``data`` with every operation not kept free pinned where ``schedule`` has it."""
    placed = schedule.as_dict()
    jobs = []
    for j_idx, job in enumerate(data.jobs):
        ops = []
        for o_idx, op in enumerate(job.operations):
            sop = placed[(j_idx, o_idx)]
            if op.pinned or keep_free(sop):
                ops.append(op)
            else:
                ops.append(dataclasses.replace(op, pinned_machine=sop.machine, pinned_start=sop.start))
        jobs.append(dataclasses.replace(job, operations=tuple(ops)))
    return data.replace(jobs=tuple(jobs))


def _solve_in_windows(
    built: _Built,
    start_from: Schedule,
    now: int,
    window: int,
    *,
    time_limit: float,
    num_workers: int,
    seed: int,
    **options: Any,
) -> Result:
    """Re-optimise window after window: the free operations starting in ``[lo, lo + window)`` (and the rush
    orders, in the first window) with everything else pinned where the current plan has it; after each
    window the operations after it are repaired again towards their planned places (kept when better).

    A large plant then never needs one large model: each window's model holds few free operations."""
    from planner.scheduling.solve import solve

    data = built.data
    num_old_jobs = sum(1 for j in built.job_origin if j is not None)
    # CP-SAT's probing spends seconds on circuits full of pinned work; the warm start makes it unnecessary
    sub_options = dict(options)
    if sub_options.get("solver", "cpsat") == "cpsat":
        sub_options["parameters"] = {"cp_model_probing_level": 0, **dict(options.get("parameters") or {})}
    started = time.perf_counter()
    working = start_from
    best = check_solution(data, working).objective
    assert best is not None
    lo = now
    num_windows = 0
    num_solutions = 0
    statuses = []
    while True:
        hi = lo + window
        last = max(
            (s.start for s in working if not data.jobs[s.job].operations[s.operation].pinned), default=lo
        )
        windows_left = max(1, -(-(last + 1 - lo) // window))
        remaining = time_limit - (time.perf_counter() - started)
        if remaining < 0.05:
            break
        first_window = num_windows == 0

        def keep_free(
            sop: ScheduledOperation, lo: int = lo, hi: int = hi, first: bool = first_window
        ) -> bool:
            if first and sop.job >= num_old_jobs:
                return True
            return (first or sop.start >= lo) and sop.start < hi

        if any(keep_free(s) and not data.jobs[s.job].operations[s.operation].pinned for s in working):
            sub = _pin(data, working, keep_free)
            res = solve(
                sub,
                time_limit=remaining / windows_left,
                num_workers=num_workers,
                seed=seed,
                initial_solution=working,
                **sub_options,
            )
            num_solutions += res.num_solutions
            statuses.append(res.status.value)
            if res.schedule is not None:
                value = check_solution(data, res.schedule).objective
                if value is not None and value <= (check_solution(data, working).objective or 0):
                    working = res.schedule
        num_windows += 1
        # pull what comes after the window back towards the plan (or as early as it fits)

        def after_window(sop: ScheduledOperation, hi: int = hi) -> bool:
            return sop.start >= hi

        head = _pin(data, working, after_window)
        tail = _best_repair(head, now, num_old_jobs, {sm.task: sm for sm in working.maintenance})
        if tail is not None:
            report = check_solution(data, tail)
            if (
                report.ok
                and report.objective is not None
                and report.objective <= (check_solution(data, working).objective or 0)
            ):
                working = tail
        lo = hi
        if not any(s.start >= lo and not data.jobs[s.job].operations[s.operation].pinned for s in working):
            break
    report = check_solution(data, working)
    if not report.ok:
        raise RuntimeError(f"window rescheduling broke the plan: {report.violations[:3]}")
    assert report.objective is not None
    return Result(
        SolveStatus.FEASIBLE,
        float(report.objective),
        0.0,
        time.perf_counter() - started,
        working,
        report.kpis,
        "cpsat-windows",
        num_solutions,
        {"windows": num_windows, "window": window, "window_status": statuses, "start_objective": best},
    )


def _report(data: ProblemData, built: _Built, result: Result, now: int) -> RescheduleResult:
    moves = []
    started = []
    frozen = []
    plans = built.plans
    new_data = built.data
    placed = result.schedule.as_dict() if result.schedule is not None else {}
    for old_key, plan in sorted(plans.items()):
        ref = OperationRef(data.job_name(old_key[0]), old_key[1])
        if plan.state in ("reported", "started"):
            started.append(ref)
        elif plan.state == "frozen":
            frozen.append(ref)
    for new_key, old_key in sorted(built.origin.items()):
        plan = plans[old_key]
        if result.schedule is None or plan.state in ("reported", "started", "frozen"):
            continue
        ref = OperationRef(data.job_name(old_key[0]), old_key[1])
        sop = placed[new_key]
        if (sop.machine, sop.start) != (plan.machine, plan.start):
            moves.append(
                Move(
                    ref.job,
                    ref.operation,
                    plan.machine,
                    plan.start,
                    plan.end,
                    sop.machine,
                    sop.start,
                    sop.end,
                    plan.reason,
                )
            )
    removed = tuple(
        OperationRef(data.job_name(j), o) for (j, o), p in sorted(plans.items()) if p.state == "removed"
    )
    logger.info(
        "rescheduled %s at %d: %d operations moved (shift %d), %d started, %d frozen, %d added, %d removed",
        new_data.name or "problem",
        now,
        len(moves),
        sum(abs(m.shift) for m in moves),
        len(started),
        len(frozen),
        len(built.added),
        len(removed),
    )
    return RescheduleResult(
        new_data,
        result,
        tuple(moves),
        tuple(started),
        tuple(frozen),
        built.added,
        built.cancelled,
        removed,
        built.job_origin,
        dict(built.origin),
        now,
        None if result.kpis is None else _own_objective(data.objective, result.kpis.terms()),
    )


def _own_objective(objective: Objective, terms: dict[str, float]) -> float:
    """The objective without the stability terms (which an earlier reschedule may have put in)."""
    if objective.lexicographic:
        own = [t for t in objective.lexicographic if t not in ("moved", "shift")]
        return float(terms[own[0]]) if own else 0.0
    return float(
        sum(getattr(objective, t) * terms[t] for t in OBJECTIVE_TERMS if t not in ("moved", "shift"))
    )
