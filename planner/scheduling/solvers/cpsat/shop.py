"""A lean CP-SAT model for plain job shops and flexible job shops with a makespan objective.

"Plain" means no changeovers, calendars, releases or pinned operations and the makespan as the only
objective (:func:`is_plain_shop`); everything else goes through the general :class:`CpSatModel`. What this
model does differently, following OR-Tools' own job-shop example:

- fixed-size intervals for single-mode operations, optional intervals plus one variable-size "main"
  interval per flexible operation;
- the makespan is linked only to each job's last operation, and its domain starts at the job and machine
  lower bounds (longest routing; per machine the shortest head + load + shortest tail) and ends at the
  incumbent, so every segment works below the best schedule known;
- redundant constraints for the LP and the propagators (each switchable from the preset): an interval
  ``[makespan, horizon)`` in every machine's no-overlap, and for flexible shops a cumulative of the main
  intervals per group of machines that share an eligibility set, plus the energy bound
  ``sum(durations) <= makespan * machines``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule, ScheduledOperation


def is_plain_shop(data: ProblemData) -> bool:
    """True when ``data`` is a (flexible) job shop with the makespan as its only objective.

    Setups, calendars, releases, pinned or resumable operations, maintenance, a peak-power limit and a bound
    on the makespan or tardiness all send the instance to the general model.
    """
    objective = data.objective
    if objective.lexicographic or objective.terms() != ("makespan",):
        return False
    if data.max_makespan is not None or data.max_tardiness is not None:
        return False
    if data.has_setups or data.has_calendars or data.has_resumable or data.maintenance:
        return False
    if data.has_energy_features:
        return False
    if any(job.release for job in data.jobs):
        return False
    return not any(op.pinned for _, _, op in data.operations())


def is_job_shop(data: ProblemData) -> bool:
    """True when every operation has exactly one mode."""
    return all(len(op.modes) == 1 for _, _, op in data.operations())


def simple_lower_bound(data: ProblemData) -> int:
    """Longest job (shortest modes) and, for job shops, per machine shortest head + load + shortest tail."""
    job_bound = 0
    for job in data.jobs:
        job_bound = max(job_bound, sum(min(m.duration for m in op.modes) for op in job.operations))
    if not is_job_shop(data):
        total = sum(min(m.duration for m in op.modes) for _, _, op in data.operations())
        return max(job_bound, -(-total // max(1, data.num_machines)))
    best = 0
    per_machine: dict[int, list[tuple[int, int, int]]] = {}
    for job in data.jobs:
        durations = [op.modes[0].duration for op in job.operations]
        head = 0
        total = sum(durations)
        for op, d in zip(job.operations, durations, strict=True):
            per_machine.setdefault(op.modes[0].machine, []).append((head, d, total - head - d))
            head += d
    for entries in per_machine.values():
        load = sum(d for _, d, _ in entries)
        best = max(best, min(h for h, _, _ in entries) + load + min(t for _, _, t in entries))
    return max(job_bound, best)


@dataclass
class _Op:
    start: cp_model.IntVar
    end: cp_model.IntVar | cp_model.LinearExprT
    size: cp_model.IntVar | None = None
    # machine -> (presence literal or 1, duration)
    modes: dict[int, tuple[cp_model.IntVar | int, int]] = field(default_factory=dict)


class ShopModel:
    """The lean model of a plain (flexible) job shop; see the module docstring.

    Parameters
    ----------
    data
        A plain shop (:func:`is_plain_shop`).
    horizon
        Makespan of a known schedule: no start is later than this.
    options
        ``makespan_interval`` (bool), ``cumulative`` (bool), ``energy`` (bool): the redundant constraints.
    """

    def __init__(self, data: ProblemData, horizon: int, options: Mapping[str, Any] | None = None):
        opts = dict(options or {})
        self.data = data
        self.model = cp_model.CpModel()
        self.horizon = int(horizon)
        self.lower_bound = simple_lower_bound(data)
        self.ops: dict[tuple[int, int], _Op] = {}
        self.main_intervals: dict[tuple[int, int], cp_model.IntervalVar] = {}
        self.per_machine: dict[int, list[cp_model.IntervalVar]] = {}
        self.makespan = self.model.new_int_var(
            self.lower_bound, max(self.lower_bound, self.horizon), "makespan"
        )
        self._make_variables()
        self._add_precedences()
        self._add_makespan()
        self._add_no_overlap(bool(opts.get("makespan_interval", True)))
        if not is_job_shop(data):
            if opts.get("cumulative", True):
                self._add_group_cumulative()
            if opts.get("energy", True):
                self._add_energy()
        self.model.minimize(self.makespan)

    def _make_variables(self) -> None:
        """A start per operation with head/tail-tightened domain; one interval per mode."""
        model = self.model
        for j_idx, job in enumerate(self.data.jobs):
            mins = [min(m.duration for m in op.modes) for op in job.operations]
            head = 0
            total = sum(mins)
            for o_idx, op in enumerate(job.operations):
                tail = total - head - mins[o_idx]
                latest = max(head, self.horizon - tail - mins[o_idx])
                start = model.new_int_var(head, latest, f"s{j_idx}_{o_idx}")
                head += mins[o_idx]
                if len(op.modes) == 1:
                    mode = op.modes[0]
                    iv = model.new_fixed_size_interval_var(start, mode.duration, f"i{j_idx}_{o_idx}")
                    self.per_machine.setdefault(mode.machine, []).append(iv)
                    self.ops[(j_idx, o_idx)] = _Op(
                        start, start + mode.duration, modes={mode.machine: (1, mode.duration)}
                    )
                    continue
                lo = min(m.duration for m in op.modes)
                hi = max(m.duration for m in op.modes)
                size = model.new_int_var(lo, hi, f"d{j_idx}_{o_idx}")
                end = model.new_int_var(head - mins[o_idx] + lo, self.horizon - tail, f"e{j_idx}_{o_idx}")
                self.main_intervals[(j_idx, o_idx)] = model.new_interval_var(
                    start, size, end, f"m{j_idx}_{o_idx}"
                )
                vars_ = _Op(start, end, size)
                for mode in op.modes:
                    present = model.new_bool_var(f"p{j_idx}_{o_idx}_{mode.machine}")
                    iv = model.new_optional_fixed_size_interval_var(
                        start, mode.duration, present, f"i{j_idx}_{o_idx}_{mode.machine}"
                    )
                    model.add(size == mode.duration).only_enforce_if(present)
                    self.per_machine.setdefault(mode.machine, []).append(iv)
                    vars_.modes[mode.machine] = (present, mode.duration)
                model.add_exactly_one(p for p, _ in vars_.modes.values())  # type: ignore[misc]
                self.ops[(j_idx, o_idx)] = vars_

    def _add_precedences(self) -> None:
        """Operations of a job run in routing order."""
        for j_idx, job in enumerate(self.data.jobs):
            for o_idx in range(1, len(job.operations)):
                self.model.add(self.ops[(j_idx, o_idx)].start >= self.ops[(j_idx, o_idx - 1)].end)

    def _add_makespan(self) -> None:
        """The makespan is at least the end of each job's last operation (and nothing else)."""
        for j_idx, job in enumerate(self.data.jobs):
            self.model.add(self.makespan >= self.ops[(j_idx, len(job.operations) - 1)].end)

    def _add_no_overlap(self, with_makespan: bool) -> None:
        """One operation at a time per machine; optionally everything before the makespan."""
        tail = None
        self.after_makespan: cp_model.IntVar | None = None
        if with_makespan:
            size = self.model.new_int_var(0, self.horizon, "after_makespan_size")
            end = self.model.new_constant(self.horizon)
            self.model.add(size == self.horizon - self.makespan)
            self.after_makespan = size
            tail = self.model.new_interval_var(self.makespan, size, end, "after_makespan")
        for intervals in self.per_machine.values():
            if tail is not None:
                self.model.add_no_overlap([*intervals, tail])
            elif len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _add_group_cumulative(self) -> None:
        """Per eligibility set shared by several operations: at most |set| of them run at once."""
        groups: dict[tuple[int, ...], list[cp_model.IntervalVar]] = {}
        for key, iv in self.main_intervals.items():
            j_idx, o_idx = key
            machines = tuple(sorted(m.machine for m in self.data.jobs[j_idx].operations[o_idx].modes))
            groups.setdefault(machines, []).append(iv)
        for machines, intervals in groups.items():
            if len(intervals) > len(machines):
                self.model.add_cumulative(intervals, [1] * len(intervals), len(machines))

    def _add_energy(self) -> None:
        """Total processing time fits in makespan x machines."""
        total = []
        for vars_ in self.ops.values():
            for present, duration in vars_.modes.values():
                total.append(duration * present)
        self.model.add(sum(total) <= self.makespan * self.data.num_machines)  # type: ignore[arg-type]

    def set_makespan_domain(self, lower: int, upper: int) -> None:
        """Search only makespans in ``[lower, upper]``."""
        proto = self.model.proto.variables[self.makespan.index]
        proto.domain.clear()
        proto.domain.extend([int(lower), int(max(lower, upper))])

    def add_hint(self, schedule: Schedule) -> None:
        """Hint a complete schedule (every variable: an incomplete hint is not taken as a solution)."""
        self.model.clear_hints()
        for sop in schedule:
            vars_ = self.ops[(sop.job, sop.operation)]
            self.model.add_hint(vars_.start, sop.start)
            if vars_.size is not None:
                self.model.add_hint(vars_.size, sop.end - sop.start)
                self.model.add_hint(vars_.end, sop.end)  # type: ignore[arg-type]
            for machine, (present, _) in vars_.modes.items():
                if not isinstance(present, int):
                    self.model.add_hint(present, machine == sop.machine)
        self.model.add_hint(self.makespan, schedule.makespan)
        if self.after_makespan is not None:
            self.model.add_hint(self.after_makespan, self.horizon - schedule.makespan)

    def schedule(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> Schedule:
        """Read the schedule from a solved model (or from a solution callback)."""
        out = []
        for (j_idx, o_idx), vars_ in self.ops.items():
            start = solver.value(vars_.start)
            for machine, (present, duration) in vars_.modes.items():
                if isinstance(present, int) or solver.boolean_value(present):
                    out.append(ScheduledOperation(j_idx, o_idx, machine, start, start + duration))
                    break
        return Schedule(out)
