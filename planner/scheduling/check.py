"""An independent checker of schedules.

It knows nothing about any solver: from the problem data and a schedule alone it recomputes feasibility
(every rule of the model) and every KPI. Every schedule that leaves :func:`planner.scheduling.solve` has
passed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.scheduling.problem_data import Energy, ProblemData, merge_windows, resumable_end
from planner.scheduling.result import KPIs
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation

RULES = (
    "missing",
    "duplicate",
    "unknown",
    "eligibility",
    "duration",
    "negative_start",
    "release",
    "precedence",
    "overlap",
    "setup",
    "calendar",
    "pinned",
    "resumable",
    "maintenance",
    "power",
    "makespan_bound",
    "tardiness_bound",
)

_POWER_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is one of :data:`RULES`, ``message`` says where and how."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """What the checker found: the violations (empty when feasible), the KPIs and the objective value."""

    violations: list[Violation] = field(default_factory=list)
    kpis: KPIs | None = None
    objective: float | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def _overlaps(start: int, end: int, w_start: int, w_end: int) -> bool:
    """Whether [start, end) meets the inside of [w_start, w_end); zero-length work is a point in time."""
    if start == end:
        return w_start < start < w_end
    if w_start == w_end:
        return start < w_start < end
    return start < w_end and w_start < end


def _running(start: int, end: int, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` outside the (merged) closed ``windows``: when a paused operation runs."""
    out = []
    t = start
    for w_start, w_end in windows:
        if w_end <= t:
            continue
        if w_start >= end:
            break
        if w_start > t:
            out.append((t, w_start))
        t = max(t, w_end)
    if t < end:
        out.append((t, end))
    return out


def _subtract(span: tuple[int, int], busy: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``span`` not covered by any interval of ``busy``."""
    return _running(span[0], span[1], merge_windows([b for b in busy if b[0] < b[1]]))


def check_solution(data: ProblemData, schedule: Schedule) -> CheckReport:
    """Check ``schedule`` against ``data`` and recompute its KPIs.

    Parameters
    ----------
    data
        The problem.
    schedule
        The schedule to check.

    Returns
    -------
    CheckReport
        Every violation found, and the KPIs and objective value when the schedule is complete.
    """
    errors: list[Violation] = []
    closed = [m.closed_windows() for m in data.machines]
    placed: dict[tuple[int, int], ScheduledOperation] = {}
    for sop in schedule:
        key = (sop.job, sop.operation)
        if key in placed:
            errors.append(
                Violation("duplicate", f"job {sop.job} operation {sop.operation} is scheduled twice")
            )
            continue
        placed[key] = sop
        if not (0 <= sop.job < data.num_jobs and 0 <= sop.operation < len(data.jobs[sop.job].operations)):
            errors.append(
                Violation("unknown", f"job {sop.job} operation {sop.operation} is not in the problem")
            )

    for j_idx, job in enumerate(data.jobs):
        name = data.job_name(j_idx)
        prev_end: int | None = None
        for o_idx, op in enumerate(job.operations):
            found = placed.get((j_idx, o_idx))
            where = f"operation {o_idx} of {name}"
            if found is None:
                errors.append(Violation("missing", f"{where} is not scheduled"))
                prev_end = None
                continue
            sop = found
            mode = op.mode_on(sop.machine)
            if mode is None:
                errors.append(
                    Violation("eligibility", f"{where} runs on machine {sop.machine}, which is not eligible")
                )
            elif op.resumable and mode.duration > 0:
                windows = closed[sop.machine]
                inside = [w for w in windows if w[0] <= sop.start < w[1]]
                expected = resumable_end(sop.start, mode.duration, windows)
                if inside:
                    errors.append(
                        Violation(
                            "resumable",
                            f"{where} (resumable) starts at {sop.start} inside closed window "
                            f"{inside[0][0]}-{inside[0][1]} of machine {sop.machine}",
                        )
                    )
                elif sop.end != expected:
                    errors.append(
                        Violation(
                            "resumable",
                            f"{where} (resumable, {mode.duration} of work from {sop.start} on machine "
                            f"{sop.machine}) ends at {sop.end}, expected {expected} with the closed time it spans",
                        )
                    )
            elif sop.end - sop.start != mode.duration:
                errors.append(
                    Violation(
                        "duration",
                        f"{where} lasts {sop.end - sop.start} on machine {sop.machine}, expected {mode.duration}",
                    )
                )
            if sop.start < 0:
                errors.append(Violation("negative_start", f"{where} starts at {sop.start} < 0"))
            if sop.start < job.release:
                errors.append(
                    Violation("release", f"{where} starts at {sop.start} before release {job.release}")
                )
            if prev_end is not None and sop.start < prev_end:
                errors.append(
                    Violation(
                        "precedence",
                        f"{where} starts at {sop.start} before its predecessor ends at {prev_end}",
                    )
                )
            if op.pinned and (sop.machine != op.pinned_machine or sop.start != op.pinned_start):
                errors.append(
                    Violation(
                        "pinned",
                        f"{where} is pinned to machine {op.pinned_machine} at {op.pinned_start}, "
                        f"scheduled on {sop.machine} at {sop.start}",
                    )
                )
            prev_end = sop.end

    total_setup = 0
    busy = [0] * data.num_machines
    # when each operation draws power: (start, end, kW); a resumable one not in its pauses
    running: list[list[tuple[int, int, float]]] = [[] for _ in data.machines]
    for m_idx, ops in schedule.by_machine().items():
        if not 0 <= m_idx < data.num_machines:
            continue  # reported as eligibility above
        machine = data.machines[m_idx]
        prev: ScheduledOperation | None = None
        for sop in ops:
            if (sop.job, sop.operation) not in placed or sop.job >= data.num_jobs:
                continue
            op = data.jobs[sop.job].operations[sop.operation]
            mode = op.mode_on(m_idx)
            pausing = op.resumable and mode is not None and mode.duration > 0
            segments = _running(sop.start, sop.end, closed[m_idx]) if pausing else [(sop.start, sop.end)]
            for seg_start, seg_end in segments:
                busy[m_idx] += seg_end - seg_start
                if mode is not None and seg_end > seg_start:
                    running[m_idx].append((seg_start, seg_end, mode.power))
            family = data.jobs[sop.job].family
            for w_start, w_end in machine.unavailable if not pausing else ():
                if _overlaps(sop.start, sop.end, w_start, w_end):
                    errors.append(
                        Violation(
                            "calendar",
                            f"job {sop.job} operation {sop.operation} ({sop.start}-{sop.end}) overlaps "
                            f"closed window {w_start}-{w_end} of machine {m_idx}",
                        )
                    )
            if sop.start == sop.end:
                # A point in time: it needs no changeover but may not lie inside another operation.
                for other in ops:
                    if other is not sop and other.start < sop.start < other.end:
                        errors.append(
                            Violation(
                                "overlap",
                                f"machine {m_idx}: job {sop.job} op {sop.operation} (at {sop.start}) lies inside "
                                f"job {other.job} op {other.operation} ({other.start}-{other.end})",
                            )
                        )
                continue
            if prev is None:
                setup = machine.setup(machine.initial_family, family)
                if sop.start < setup:
                    errors.append(
                        Violation(
                            "setup",
                            f"job {sop.job} operation {sop.operation} starts at {sop.start} on machine {m_idx}, "
                            f"before its initial changeover of {setup} is done",
                        )
                    )
            else:
                prev_family = data.jobs[prev.job].family
                setup = machine.setup(prev_family, family)
                if sop.start < prev.end:
                    errors.append(
                        Violation(
                            "overlap",
                            f"machine {m_idx}: job {prev.job} op {prev.operation} ({prev.start}-{prev.end}) and "
                            f"job {sop.job} op {sop.operation} ({sop.start}-{sop.end}) overlap",
                        )
                    )
                elif sop.start < prev.end + setup:
                    errors.append(
                        Violation(
                            "setup",
                            f"machine {m_idx}: changeover of {setup} between job {prev.job} op {prev.operation} "
                            f"(ends {prev.end}) and job {sop.job} op {sop.operation} (starts {sop.start}) "
                            "does not fit",
                        )
                    )
            total_setup += setup
            prev = sop

    placed_maintenance = _check_maintenance(data, schedule, closed, errors)
    peak = _check_power(data, running, errors)

    if any(v.rule in ("missing", "unknown", "duplicate") for v in errors):
        return CheckReport(errors, None, None)

    makespan = schedule.makespan
    tardiness = weighted = max_tardiness = late = 0
    for j_idx, job in enumerate(data.jobs):
        if job.due is None:
            continue
        end = placed[(j_idx, len(job.operations) - 1)].end
        t = max(0, end - job.due)
        tardiness += t
        weighted += job.weight * t
        max_tardiness = max(max_tardiness, t)
        late += t > 0
    kwh, cost, co2 = _energy(data, makespan, running, closed, placed_maintenance)
    num_moved = total_shift = 0
    for j_idx, o_idx, op in data.operations():
        if op.planned_machine is None or op.planned_start is None:
            continue
        sop = placed[(j_idx, o_idx)]
        num_moved += sop.machine != op.planned_machine or sop.start != op.planned_start
        total_shift += abs(sop.start - op.planned_start)
    if data.max_makespan is not None and makespan > data.max_makespan:
        errors.append(
            Violation("makespan_bound", f"makespan {makespan} exceeds the bound {data.max_makespan}")
        )
    if data.max_tardiness is not None and weighted > data.max_tardiness:
        errors.append(
            Violation(
                "tardiness_bound",
                f"total weighted tardiness {weighted} exceeds the bound {data.max_tardiness}",
            )
        )
    kpis = KPIs(
        makespan=makespan,
        total_tardiness=tardiness,
        total_weighted_tardiness=weighted,
        max_tardiness=max_tardiness,
        num_late_jobs=late,
        total_setup_time=total_setup,
        utilisation=tuple(b / makespan if makespan else 0.0 for b in busy),
        energy_kwh=kwh,
        energy_cost=cost,
        peak_power=peak,
        co2_kg=co2,
        num_moved=num_moved,
        total_shift=total_shift,
    )
    return CheckReport(errors, kpis, data.objective.value(kpis.terms()))


def _check_maintenance(
    data: ProblemData, schedule: Schedule, closed: list[list[tuple[int, int]]], errors: list[Violation]
) -> list[ScheduledMaintenance]:
    """Each task placed once, on its machine, for its duration, inside its window, clear of other work."""
    seen: dict[int, ScheduledMaintenance] = {}
    for sm in schedule.maintenance:
        if not 0 <= sm.task < len(data.maintenance):
            errors.append(Violation("maintenance", f"maintenance task {sm.task} is not in the problem"))
            continue
        if sm.task in seen:
            errors.append(Violation("maintenance", f"maintenance task {sm.task} is placed twice"))
            continue
        seen[sm.task] = sm
        task = data.maintenance[sm.task]
        where = f"maintenance task {sm.task}" + (f" ({task.name})" if task.name else "")
        if sm.machine != task.machine:
            errors.append(
                Violation(
                    "maintenance", f"{where} is on machine {sm.machine}, belongs to machine {task.machine}"
                )
            )
        if sm.end - sm.start != task.duration:
            errors.append(
                Violation("maintenance", f"{where} lasts {sm.end - sm.start}, expected {task.duration}")
            )
        if sm.start < task.earliest or (task.latest is not None and sm.end > task.latest):
            latest = "open" if task.latest is None else task.latest
            errors.append(
                Violation(
                    "maintenance",
                    f"{where} ({sm.start}-{sm.end}) lies outside its window {task.earliest}-{latest}",
                )
            )
        if 0 <= sm.machine < data.num_machines:
            for w_start, w_end in closed[sm.machine]:
                if _overlaps(sm.start, sm.end, w_start, w_end):
                    errors.append(
                        Violation(
                            "maintenance",
                            f"{where} ({sm.start}-{sm.end}) overlaps closed window {w_start}-{w_end} "
                            f"of machine {sm.machine}",
                        )
                    )
    for t_idx in range(len(data.maintenance)):
        if t_idx not in seen:
            errors.append(Violation("maintenance", f"maintenance task {t_idx} is not placed"))
    by_machine: dict[int, list[tuple[int, int, str]]] = {}
    for sop in schedule:
        by_machine.setdefault(sop.machine, []).append(
            (sop.start, sop.end, f"job {sop.job} op {sop.operation}")
        )
    for sm in seen.values():
        by_machine.setdefault(sm.machine, []).append((sm.start, sm.end, f"maintenance task {sm.task}"))
    for sm in seen.values():
        for start, end, what in by_machine.get(sm.machine, []):
            if what == f"maintenance task {sm.task}":
                continue
            if _overlaps(start, end, sm.start, sm.end):
                errors.append(
                    Violation(
                        "maintenance",
                        f"machine {sm.machine}: maintenance task {sm.task} ({sm.start}-{sm.end}) overlaps "
                        f"{what} ({start}-{end})",
                    )
                )
    return list(seen.values())


def _check_power(
    data: ProblemData, running: list[list[tuple[int, int, float]]], errors: list[Violation]
) -> float:
    """The highest summed power of running operations; a violation each time it rises above the limit."""
    events = sorted(
        (t, delta)
        for segments in running
        for start, end, power in segments
        if power > 0
        for t, delta in ((start, power), (end, -power))
    )
    limit = data.energy.peak_power if data.energy is not None else None
    level = peak = 0.0
    above = False
    idx = 0
    while idx < len(events):
        t = events[idx][0]
        while idx < len(events) and events[idx][0] == t:  # every change at t, then the level from t on
            level += events[idx][1]
            idx += 1
        peak = max(peak, level)
        over = limit is not None and level > limit * (1 + _POWER_TOLERANCE) + _POWER_TOLERANCE
        if over and not above:
            errors.append(
                Violation(
                    "power", f"running operations draw {level:g} kW from {t}, above the limit of {limit:g} kW"
                )
            )
        above = over
    return peak


def _energy(
    data: ProblemData,
    makespan: int,
    running: list[list[tuple[int, int, float]]],
    closed: list[list[tuple[int, int]]],
    maintenance: list[ScheduledMaintenance],
) -> tuple[float, float, float]:
    """kWh, cost and kg CO2 over ``[0, makespan)``: operations while running, machines while idle.

    A machine is idle when it is open (outside its closed windows and placed maintenance) and runs nothing.
    """
    energy = data.energy if data.energy is not None else Energy(period=max(1, makespan))
    kwh = cost = co2 = 0.0

    def add(start: int, end: int, power: float) -> None:
        nonlocal kwh, cost, co2
        if power <= 0:
            return
        for k, overlap in energy.periods(start, end):
            amount = power * overlap * energy.hours_per_unit
            kwh += amount
            cost += amount * energy.price_at(k)
            co2 += amount * energy.co2_at(k)

    for m_idx, machine in enumerate(data.machines):
        for start, end, power in running[m_idx]:
            add(start, end, power)
        if machine.idle_power > 0 and makespan > 0:
            not_idle = [(s, e) for s, e, _ in running[m_idx]] + closed[m_idx]
            not_idle += [(sm.start, sm.end) for sm in maintenance if sm.machine == m_idx]
            for start, end in _subtract((0, makespan), not_idle):
                add(start, end, machine.idle_power)
    return kwh, cost, co2
