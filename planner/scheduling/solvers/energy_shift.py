"""A polishing heuristic for the energy terms: slide operations to cheaper tariff periods within their slack.

The machine assignment and the order of work on every machine stay as they are; each operation in turn
moves to the start between its neighbours (job predecessor and successor, machine predecessor and successor
with their changeovers, maintenance, closed windows, the peak-power limit) where the weighted energy cost
and CO2 are lowest, counting the idle power its machine draws instead while it does not run. No end moves
past the makespan or past a job's due date (or its present end when later), so makespan and tardiness
never get worse. The result is verified by the independent checker and kept only when its objective is
lower.
"""

from __future__ import annotations

import bisect
import logging
import time

from planner.scheduling.check import check_solution
from planner.scheduling.problem_data import Energy, ProblemData, resumable_end
from planner.scheduling.solution import Schedule, ScheduledOperation

logger = logging.getLogger(__name__)

_EPS = 1e-9


def _running(start: int, end: int, closed: list[tuple[int, int]], paused: bool) -> list[tuple[int, int]]:
    if not paused:
        return [(start, end)] if end > start else []
    out, t = [], start
    for w_start, w_end in closed:
        if w_end <= t or w_start >= end:
            continue
        if w_start > t:
            out.append((t, w_start))
        t = max(t, w_end)
    if t < end:
        out.append((t, end))
    return out


class _Shifter:
    def __init__(self, data: ProblemData, schedule: Schedule):
        assert data.energy is not None
        self.data = data
        self.energy: Energy = data.energy
        self.objective = data.objective
        self.closed = [m.closed_windows() for m in data.machines]
        self.placed = {(s.job, s.operation): s for s in schedule}
        self.maintenance = list(schedule.maintenance)
        self.makespan = schedule.makespan
        self.points: list[list[int]] = [[] for _ in data.machines]
        for sop in schedule:
            if sop.start == sop.end and 0 <= sop.machine < data.num_machines:
                self.points[sop.machine].append(sop.start)
        limit = self.energy.peak_power
        self.limit = None if limit is None else limit * (1 + 1e-9) + 1e-9

    def rate(self, start: int, end: int) -> float:
        """Weighted cost of one kW over ``[start, end)``."""
        energy, objective = self.energy, self.objective
        total = 0.0
        for k, overlap in energy.periods(start, end):
            total += overlap * (objective.energy * energy.price_at(k) + objective.co2 * energy.co2_at(k))
        return total * energy.hours_per_unit

    def end_of(self, key: tuple[int, int], machine: int, start: int) -> int:
        op = self.data.jobs[key[0]].operations[key[1]]
        mode = op.mode_on(machine)
        assert mode is not None
        if op.resumable and mode.duration > 0:
            return resumable_end(start, mode.duration, self.closed[machine])
        return start + mode.duration

    def cost(self, key: tuple[int, int], machine: int, start: int) -> float:
        op = self.data.jobs[key[0]].operations[key[1]]
        mode = op.mode_on(machine)
        assert mode is not None
        net = mode.power - self.data.machines[machine].idle_power
        end = self.end_of(key, machine, start)
        segments = _running(start, end, self.closed[machine], op.resumable and mode.duration > 0)
        return sum(net * self.rate(a, b) for a, b in segments)

    def fits(self, key: tuple[int, int], machine: int, start: int, lo: int, hi_end: int) -> bool:
        """Inside the neighbours' gap, clear of closed windows (unless paused over), maintenance and overload."""
        op = self.data.jobs[key[0]].operations[key[1]]
        mode = op.mode_on(machine)
        assert mode is not None
        end = self.end_of(key, machine, start)
        if start < lo or end > hi_end:
            return False
        paused = op.resumable and mode.duration > 0
        for w_start, w_end in self.closed[machine]:
            if paused and w_start <= start < w_end:
                return False
            if not paused and start < w_end and w_start < end:
                return False
        for sm in self.maintenance:
            if sm.machine == machine and start < sm.end and sm.start < end:
                return False
        for point in self.points[machine]:
            if start < point < end:
                return False
        if self.limit is None or mode.power <= 0:
            return True
        mine = _running(start, end, self.closed[machine], paused)
        return self._power_fits(key, mine, mode.power)

    def _power_fits(self, key: tuple[int, int], mine: list[tuple[int, int]], power: float) -> bool:
        assert self.limit is not None
        events: list[tuple[int, float]] = []
        for other_key, sop in self.placed.items():
            if other_key == key:
                continue
            op = self.data.jobs[other_key[0]].operations[other_key[1]]
            mode = op.mode_on(sop.machine)
            if mode is None or mode.power <= 0:
                continue
            for a, b in _running(
                sop.start, sop.end, self.closed[sop.machine], op.resumable and mode.duration > 0
            ):
                for s, e in mine:
                    if a < e and s < b:
                        events.append((max(a, s), mode.power))
                        events.append((min(b, e), -mode.power))
        events.sort()
        level = 0.0
        for idx, (_, delta) in enumerate(events):
            level += delta
            if (
                idx + 1 == len(events) or events[idx + 1][0] != events[idx][0]
            ) and level + power > self.limit:
                return False
        return True


def shift_for_energy(
    data: ProblemData, schedule: Schedule, *, passes: int = 3, time_limit: float = 5.0
) -> Schedule:
    """Return ``schedule`` with operations slid to cheaper periods, or ``schedule`` itself when nothing helps.

    Parameters
    ----------
    data
        The problem; without an energy section or energy/CO2 weights nothing changes.
    schedule
        A feasible schedule.
    passes
        How often to sweep over all operations.
    time_limit
        Seconds after which the sweep stops (the moves made so far are kept when they check out).

    Returns
    -------
    Schedule
        A checker-clean schedule whose objective is at most that of ``schedule``.
    """
    objective = data.objective
    if data.energy is None or objective.lexicographic or not (objective.energy or objective.co2):
        return schedule
    before = check_solution(data, schedule)
    if not before.ok or before.objective is None:
        return schedule
    deadline = time.perf_counter() + time_limit
    shifter = _Shifter(data, schedule)
    boundaries = sorted(
        {k * data.energy.period for k in range(schedule.makespan // data.energy.period + 2)}
        | {w for windows in shifter.closed for pair in windows for w in pair}
    )
    for _ in range(passes):
        moved = False
        by_machine: dict[int, list[tuple[int, int]]] = {}
        for key, sop in sorted(shifter.placed.items(), key=lambda item: (item[1].start, item[1].end)):
            if sop.end > sop.start:  # zero-length work needs no changeover; fits() keeps it off interiors
                by_machine.setdefault(sop.machine, []).append(key)
        for machine, keys in by_machine.items():
            for pos, key in enumerate(keys):
                if time.perf_counter() > deadline:
                    break
                moved |= _move(shifter, machine, keys, pos, key, boundaries)
        if not moved:
            break
    result = Schedule(shifter.placed.values(), schedule.maintenance)
    after = check_solution(data, result)
    if not after.ok or after.objective is None or after.objective >= before.objective - _EPS:
        if not after.ok:
            logger.warning(
                "energy shifting produced an infeasible schedule; it is dropped: %s", after.violations[:2]
            )
        return schedule
    logger.debug("energy shifting: objective %.4f -> %.4f", before.objective, after.objective)
    return result


def _move(
    shifter: _Shifter,
    machine: int,
    keys: list[tuple[int, int]],
    pos: int,
    key: tuple[int, int],
    boundaries: list[int],
) -> bool:
    """Move one operation to its best start inside its gap; True when it moved."""
    data = shifter.data
    j_idx, o_idx = key
    job = data.jobs[j_idx]
    op = job.operations[o_idx]
    sop = shifter.placed[key]
    mode = op.mode_on(machine)
    if op.pinned or mode is None or mode.duration == 0 or mode.power == data.machines[machine].idle_power:
        return False
    m = data.machines[machine]
    family = job.family
    lo = job.release if o_idx == 0 else shifter.placed[(j_idx, o_idx - 1)].end
    if pos > 0:
        prev = shifter.placed[keys[pos - 1]]
        lo = max(lo, prev.end + m.setup(data.jobs[prev.job].family, family))
    else:
        lo = max(lo, m.setup(m.initial_family, family))
    hi_end = shifter.makespan
    if o_idx + 1 < len(job.operations):
        hi_end = min(hi_end, shifter.placed[(j_idx, o_idx + 1)].start)
    elif job.due is not None:
        hi_end = min(hi_end, max(job.due, sop.end))
    if pos + 1 < len(keys):
        nxt = shifter.placed[keys[pos + 1]]
        hi_end = min(hi_end, nxt.start - m.setup(family, data.jobs[nxt.job].family))
    duration = mode.duration
    candidates = {lo, sop.start, hi_end - duration}
    first = bisect.bisect_left(boundaries, lo)
    last = bisect.bisect_right(boundaries, hi_end)
    for b in boundaries[first:last]:
        candidates.update((b, b - duration))
    best_start, best_cost = sop.start, shifter.cost(key, machine, sop.start)
    for start in sorted(candidates):
        if start == sop.start or start < lo:
            continue
        cost = shifter.cost(key, machine, start)
        if cost < best_cost - 1e-9 and shifter.fits(key, machine, start, lo, hi_end):
            best_start, best_cost = start, cost
    if best_start == sop.start:
        return False
    shifter.placed[key] = ScheduledOperation(
        j_idx, o_idx, machine, best_start, shifter.end_of(key, machine, best_start)
    )
    return True
