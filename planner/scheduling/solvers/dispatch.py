"""A fast constructive heuristic: Giffler-Thompson style active schedule generation with a dispatching rule.

At every step it takes the ready operations (the next one of each job), finds for each its earliest
completion over its eligible machines (respecting changeovers, closed windows and pinned operations by
inserting into the first gap that fits), and among those that could start before the earliest completion
picks one by a priority rule that follows the objective: most work remaining for makespan, earliest due
date for tardiness, same family as the machine's last job for setup time. It returns a feasible schedule in
milliseconds for problems without pinned operations; pinned operations are respected when they leave room.

Resumable operations may pause over closed windows (never start inside one). Maintenance tasks are placed
first, each at the earliest time in its window clear of closed windows and pinned work. Under a peak-power
limit an operation starts only where the plant's running load leaves room for its power. Whatever it builds
is checked: it returns None rather than a schedule the checker rejects (e.g. a maintenance window that
pinned work fills, or pinned work above the power limit).
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass

from planner.scheduling.problem_data import Machine, Mode, ProblemData, resumable_end
from planner.scheduling.result import Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation
from planner.scheduling.solvers.base import Progress, ProgressCallback


@dataclass
class _Slot:
    start: int
    end: int
    family: int


class _Timeline:
    """Operations placed on one machine, sorted by start, plus its closed windows."""

    def __init__(self, machine: Machine):
        self.machine = machine
        self.slots: list[_Slot] = []
        self.starts: list[int] = []
        self.windows = sorted(machine.unavailable)
        self.closed = machine.closed_windows()
        self.blocks: list[tuple[int, int]] = []  # placed maintenance: no work, no pause across it
        self.points: list[int] = []

    def add(self, start: int, end: int, family: int) -> None:
        if start == end:
            # A point in time: needs no changeover, but no later operation may contain it.
            bisect.insort(self.points, start)
            return
        idx = bisect.bisect_right(self.starts, start)
        self.starts.insert(idx, start)
        self.slots.insert(idx, _Slot(start, end, family))

    def end(self, start: int, duration: int, resumable: bool) -> int:
        """End of work started at ``start``: a resumable operation pauses over the closed windows."""
        if resumable and duration > 0:
            return resumable_end(start, duration, self.closed)
        return start + duration

    def _clear_resumable(self, start: int, duration: int) -> int:
        """Earliest start >= start outside closed windows whose (paused) span meets no maintenance or point."""
        moved = True
        while moved:
            moved = False
            for w_start, w_end in self.closed:
                if w_start <= start < w_end:
                    start = w_end
                    moved = True
            end = resumable_end(start, duration, self.closed)
            for b_start, b_end in self.blocks:
                if start < b_end and b_start < end:
                    start = b_end
                    moved = True
            if moved:
                continue
            idx = bisect.bisect_right(self.points, start)
            if idx < len(self.points) and self.points[idx] < end:
                start = self.points[idx]
                moved = True
        return start

    def place_block(self, earliest: int, duration: int) -> int:
        """Earliest start >= earliest of a block (maintenance) clear of windows, blocks, operations and points."""
        start = earliest
        moved = True
        while moved:
            moved = False
            for b_start, b_end in [*self.windows, *self.blocks, *((s.start, s.end) for s in self.slots)]:
                if start < b_end and b_start < start + duration:
                    start = b_end
                    moved = True
            idx = bisect.bisect_right(self.points, start)
            if idx < len(self.points) and self.points[idx] < start + duration:
                start = self.points[idx]
                moved = True
        return start

    def _clear_windows(self, start: int, duration: int) -> int:
        """Earliest start >= start whose interval meets no closed window or block and contains no zero-length work."""
        moved = True
        while moved:
            moved = False
            for w_start, w_end in [*self.windows, *self.blocks]:
                if start < w_end and w_start < start + duration:
                    start = w_end
                    moved = True
            idx = bisect.bisect_right(self.points, start)
            if idx < len(self.points) and self.points[idx] < start + duration:
                start = self.points[idx]
                moved = True
        return start

    def _earliest_point(self, ready: int) -> int:
        """Earliest time >= ready strictly inside no operation and no closed window."""
        moved = True
        while moved:
            moved = False
            for w_start, w_end in [*self.windows, *self.blocks]:
                if w_start < ready < w_end:
                    ready = w_end
                    moved = True
            for slot in self.slots:
                if slot.start < ready < slot.end:
                    ready = slot.end
                    moved = True
        return ready

    def earliest(self, ready: int, duration: int, family: int, resumable: bool = False) -> int:
        """Earliest start >= ready that fits between placed operations with changeovers, outside windows."""
        machine = self.machine
        slots = self.slots
        if duration == 0:
            return self._earliest_point(ready)
        # Only gaps whose following operation ends after `ready` can take the operation.
        first = max(0, bisect.bisect_left(self.starts, ready) - 1)
        for pos in range(first, len(slots) + 1):
            prev = slots[pos - 1] if pos > 0 else None
            nxt = slots[pos] if pos < len(slots) else None
            if prev is None:
                lo = max(ready, machine.setup(machine.initial_family, family))
            else:
                lo = max(ready, prev.end + machine.setup(prev.family, family))
            if nxt is not None and lo + duration + machine.setup(family, nxt.family) > nxt.start:
                continue  # too short even before windows move the start later (skips the window scans)
            if resumable:
                lo = self._clear_resumable(lo, duration)
            else:
                lo = self._clear_windows(lo, duration)
            if (
                nxt is None
                or self.end(lo, duration, resumable) + machine.setup(family, nxt.family) <= nxt.start
            ):
                return lo
        raise AssertionError("unreachable: the gap after the last operation always fits")


class _PowerProfile:
    """The plant's running load: ``loads[i]`` kW on ``[times[i], times[i + 1])`` (the last step never ends)."""

    def __init__(self, limit: float):
        self.limit = limit * (1 + 1e-9) + 1e-9
        self.times = [0]
        self.loads = [0.0]

    def _split(self, t: int) -> int:
        idx = bisect.bisect_left(self.times, t)
        if idx < len(self.times) and self.times[idx] == t:
            return idx
        self.times.insert(idx, t)
        self.loads.insert(idx, self.loads[idx - 1])
        return idx

    def add(self, segments: list[tuple[int, int]], power: float) -> None:
        for start, end in segments:
            first, last = self._split(start), self._split(end)
            for k in range(first, last):
                self.loads[k] += power

    def conflict(self, segments: list[tuple[int, int]], power: float) -> int | None:
        """None when ``power`` fits over ``segments``; else a later time before which no start fits."""
        jump: int | None = None
        for start, end in segments:
            k = bisect.bisect_right(self.times, start) - 1
            while k < len(self.times) and self.times[k] < end:
                if self.loads[k] + power > self.limit:
                    # every later start before this step ends still meets it (for unpaused work)
                    jump = self.times[k + 1] if k + 1 < len(self.times) else None
                    if jump is None:
                        raise AssertionError("unreachable: the last step carries no load")
                k += 1
            if jump is not None:
                return jump
        return None


def _segments(start: int, end: int, closed: list[tuple[int, int]], paused: bool) -> list[tuple[int, int]]:
    """When work on ``[start, end)`` runs: all of it, or (paused) the parts outside the closed windows."""
    if not paused:
        return [(start, end)] if end > start else []
    out = []
    t = start
    for w_start, w_end in closed:
        if w_end <= t or w_start >= end:
            continue
        if w_start > t:
            out.append((t, w_start))
        t = max(t, w_end)
    if t < end:
        out.append((t, end))
    return out


def power_profile(data: ProblemData) -> _PowerProfile | None:
    """An empty running-load profile under the plant's peak-power limit, or None when there is no limit."""
    limit = data.energy.peak_power if data.energy is not None else None
    return _PowerProfile(limit) if limit is not None else None


def add_power(
    power: _PowerProfile | None, timeline: _Timeline, start: int, end: int, mode: Mode, resumable: bool
) -> None:
    """Add the load of work of ``mode`` placed on ``timeline`` at ``[start, end)`` (not in its pauses)."""
    if power is None or mode.power <= 0 or end <= start:
        return
    paused = resumable and mode.duration > 0
    power.add(_segments(start, end, timeline.closed, paused), mode.power)


def power_fits(
    power: _PowerProfile | None, timeline: _Timeline, start: int, end: int, mode: Mode, resumable: bool
) -> bool:
    """Whether work of ``mode`` at ``[start, end)`` on ``timeline`` stays under the peak-power limit."""
    if power is None or mode.power <= 0:
        return True
    paused = resumable and mode.duration > 0
    return power.conflict(_segments(start, end, timeline.closed, paused), mode.power) is None


def earliest_fit(
    timeline: _Timeline,
    power: _PowerProfile | None,
    ready: int,
    mode: Mode,
    family: int,
    resumable: bool,
) -> tuple[int, int] | None:
    """Earliest ``(start, end)`` at or after ``ready`` of work of ``mode`` on ``timeline``: between the placed
    operations with changeovers, clear of closed windows and maintenance (pausing over closed windows when
    ``resumable``) and where the running load leaves room for its power; None when its power alone is
    above the limit."""
    if power is not None and mode.power > power.limit:
        return None
    paused = resumable and mode.duration > 0
    t = ready
    while True:
        start = timeline.earliest(t, mode.duration, family, resumable)
        end = timeline.end(start, mode.duration, resumable)
        if power is None or mode.power <= 0:
            return start, end
        jump = power.conflict(_segments(start, end, timeline.closed, paused), mode.power)
        if jump is None:
            return start, end
        t = max(jump, start + 1)


RULES = ("makespan", "tardiness")


def _priority(
    rule: str, data: ProblemData, job_idx: int, op_idx: int, remaining: list[int]
) -> tuple[float, ...]:
    job = data.jobs[job_idx]
    if rule == "tardiness":
        due = job.due if job.due is not None else float("inf")
        return (due - remaining[job_idx], -job.weight, job_idx)
    return (-remaining[job_idx], job_idx)


def dispatch(data: ProblemData, rule: str | None = None) -> Schedule | None:
    """Build a schedule with one dispatching rule, or the best of all rules.

    Parameters
    ----------
    data
        The problem.
    rule
        ``"makespan"`` (most work remaining) or ``"tardiness"`` (least slack); None tries both and keeps
        the schedule with the better objective value.

    Returns
    -------
    Schedule or None
        A feasible schedule, or None when pinned operations leave no room for their predecessors.
    """
    if rule is None:
        from planner.scheduling.check import check_solution

        best: tuple[float, Schedule] | None = None
        for candidate in RULES:
            schedule = dispatch(data, candidate)
            if schedule is None:
                continue
            report = check_solution(data, schedule)
            objective = report.objective
            if report.ok and objective is not None and (best is None or objective < best[0]):
                best = (objective, schedule)
        return best[1] if best else None
    timelines = [_Timeline(m) for m in data.machines]
    limit = data.energy.peak_power if data.energy is not None else None
    power = _PowerProfile(limit) if limit is not None else None
    for j_idx, _o_idx, op in data.operations():
        if op.pinned:
            assert op.pinned_machine is not None and op.pinned_start is not None
            mode = op.mode_on(op.pinned_machine)
            assert mode is not None
            timeline = timelines[op.pinned_machine]
            end = timeline.end(op.pinned_start, mode.duration, op.resumable)
            timeline.add(op.pinned_start, end, data.jobs[j_idx].family)
            if power is not None and mode.power > 0:
                power.add(_segments(op.pinned_start, end, timeline.closed, op.resumable), mode.power)
    maintenance = []
    for t_idx, task in enumerate(data.maintenance):
        timeline = timelines[task.machine]
        start = timeline.place_block(task.earliest, task.duration)
        if task.latest is not None and start + task.duration > task.latest:
            return None
        timeline.blocks.append((start, start + task.duration))
        maintenance.append(ScheduledMaintenance(t_idx, task.machine, start, start + task.duration))

    remaining = [sum(min(m.duration for m in op.modes) for op in job.operations) for job in data.jobs]
    next_op = [0] * data.num_jobs
    ready = [job.release for job in data.jobs]
    placed: list[ScheduledOperation] = []
    active = {j for j in range(data.num_jobs) if data.jobs[j].operations}
    # best (start, end, machine) of each job's next operation; recomputed when one of its machines changes
    cache: dict[int, tuple[int, int, int]] = {}

    def evaluate(j_idx: int) -> tuple[int, int, int]:
        op = data.jobs[j_idx].operations[next_op[j_idx]]
        family = data.jobs[j_idx].family
        best: tuple[int, int, int] | None = None
        for mode in op.modes:
            if limit is not None and mode.power > limit:
                continue
            fit = earliest_fit(timelines[mode.machine], power, ready[j_idx], mode, family, op.resumable)
            assert fit is not None
            start, end = fit
            cand = (start, end, mode.machine)
            if best is None or (cand[1], cand[0]) < (best[1], best[0]):
                best = cand
        assert best is not None
        return best

    while active:
        # Pinned operations are already on their machine: take them as soon as their job reaches them.
        progressed = True
        while progressed:
            progressed = False
            for j_idx in list(active):
                op = data.jobs[j_idx].operations[next_op[j_idx]]
                if not op.pinned:
                    continue
                assert op.pinned_start is not None and op.pinned_machine is not None
                if ready[j_idx] > op.pinned_start:
                    return None
                mode = op.mode_on(op.pinned_machine)
                assert mode is not None
                end = timelines[op.pinned_machine].end(op.pinned_start, mode.duration, op.resumable)
                placed.append(
                    ScheduledOperation(j_idx, next_op[j_idx], op.pinned_machine, op.pinned_start, end)
                )
                remaining[j_idx] -= min(m.duration for m in op.modes)
                ready[j_idx] = end
                next_op[j_idx] += 1
                cache.pop(j_idx, None)
                if next_op[j_idx] == len(data.jobs[j_idx].operations):
                    active.discard(j_idx)
                progressed = True
        if not active:
            break
        for j_idx in active:
            if j_idx not in cache:
                cache[j_idx] = evaluate(j_idx)
        min_end = min(cache[j][1] for j in active)
        conflict = [j for j in active if cache[j][0] < min_end or cache[j][1] == min_end]
        chosen = min(conflict, key=lambda j: _priority(rule, data, j, next_op[j], remaining))
        start, end, machine = cache.pop(chosen)
        op = data.jobs[chosen].operations[next_op[chosen]]
        timelines[machine].add(start, end, data.jobs[chosen].family)
        chosen_mode = op.mode_on(machine)
        assert chosen_mode is not None
        if power is not None and chosen_mode.power > 0 and end > start:
            paused = op.resumable and chosen_mode.duration > 0
            power.add(_segments(start, end, timelines[machine].closed, paused), chosen_mode.power)
            # more load from start to end: candidates meeting that time may no longer fit
            for j_idx in list(cache):
                c_start, c_end, _ = cache[j_idx]
                if c_start < end and start < c_end:
                    del cache[j_idx]
        placed.append(ScheduledOperation(chosen, next_op[chosen], machine, start, end))
        remaining[chosen] -= min(m.duration for m in op.modes)
        ready[chosen] = end
        next_op[chosen] += 1
        if next_op[chosen] == len(data.jobs[chosen].operations):
            active.discard(chosen)
        for j_idx in list(cache):
            nxt = data.jobs[j_idx].operations[next_op[j_idx]]
            if any(mode.machine == machine for mode in nxt.modes):
                del cache[j_idx]
    return Schedule(placed, maintenance)


def makespan_lower_bound(data: ProblemData) -> int:
    """A simple bound: the longest job (release plus shortest durations) or the busiest single-mode machine."""
    job_bound = max(
        (job.release + sum(min(m.duration for m in op.modes) for op in job.operations) for job in data.jobs),
        default=0,
    )
    load = [0] * data.num_machines
    for _, _, op in data.operations():
        if len(op.modes) == 1:
            load[op.modes[0].machine] += op.modes[0].duration
    total_min = sum(min(m.duration for m in op.modes) for _, _, op in data.operations())
    return max(job_bound, max(load, default=0), -(-total_min // max(1, data.num_machines)))


class DispatchBackend:
    """The dispatching rule as a backend (returns at once; ``stop`` has nothing to stop)."""

    name = "dispatch"

    def solve(
        self,
        data: ProblemData,
        *,
        time_limit: float = 10.0,
        num_workers: int = 1,
        seed: int = 1,
        initial_solution: Schedule | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Build one schedule with the dispatching rule."""
        from planner.scheduling.check import check_solution

        started = time.perf_counter()
        schedule = dispatch(data)
        runtime = time.perf_counter() - started
        bound = float(makespan_lower_bound(data)) if data.objective.terms() == ("makespan",) else 0.0
        if schedule is None:
            return Result(SolveStatus.UNKNOWN, None, bound, runtime, solver=self.name)
        report = check_solution(data, schedule)
        if not report.ok:
            raise RuntimeError(f"dispatch produced an infeasible schedule: {report.violations[:3]}")
        assert report.objective is not None
        if on_progress is not None:
            on_progress(Progress(float(report.objective), bound, runtime, 1))
        status = SolveStatus.OPTIMAL if report.objective <= bound else SolveStatus.FEASIBLE
        return Result(status, float(report.objective), bound, runtime, schedule, report.kpis, self.name, 1)

    def stop(self) -> None:
        """Nothing to stop: the heuristic returns in milliseconds."""
