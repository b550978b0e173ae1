"""An independent checker of schedules.

It knows nothing about any solver: from the problem data and a schedule alone it recomputes feasibility
(every rule of the model) and every KPI. Every schedule that leaves :func:`planner.scheduling.solve` has
passed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import KPIs
from planner.scheduling.solution import Schedule, ScheduledOperation

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
)


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
    objective: int | None = None

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
    for m_idx, ops in schedule.by_machine().items():
        if not 0 <= m_idx < data.num_machines:
            continue  # reported as eligibility above
        machine = data.machines[m_idx]
        prev: ScheduledOperation | None = None
        for sop in ops:
            if (sop.job, sop.operation) not in placed or sop.job >= data.num_jobs:
                continue
            busy[m_idx] += sop.end - sop.start
            family = data.jobs[sop.job].family
            for w_start, w_end in machine.unavailable:
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
    num_moved = total_shift = 0
    for j_idx, o_idx, op in data.operations():
        if op.planned_machine is None or op.planned_start is None:
            continue
        sop = placed[(j_idx, o_idx)]
        num_moved += sop.machine != op.planned_machine or sop.start != op.planned_start
        total_shift += abs(sop.start - op.planned_start)
    kpis = KPIs(
        makespan=makespan,
        total_tardiness=tardiness,
        total_weighted_tardiness=weighted,
        max_tardiness=max_tardiness,
        num_late_jobs=late,
        total_setup_time=total_setup,
        utilisation=tuple(b / makespan if makespan else 0.0 for b in busy),
        num_moved=num_moved,
        total_shift=total_shift,
    )
    return CheckReport(errors, kpis, data.objective.value(kpis.terms()))
