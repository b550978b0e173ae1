"""The CP-SAT model of the flexible job shop, built the textbook way.

Per operation a start variable and one optional fixed-size interval per mode (sharing the start), exactly
one mode present; per machine a no-overlap over its mode intervals and its closed windows (fixed
intervals); with changeovers a circuit over the machine's operations whose arcs carry the setup times.
One method per constraint family, as PyJobShop splits its OR-Tools backend.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule, ScheduledOperation


@dataclass
class _OpVars:
    start: cp_model.IntVar
    end: cp_model.LinearExprT
    # machine -> (presence literal, duration, interval)
    modes: dict[int, tuple[cp_model.IntVar | int, int, cp_model.IntervalVar]] = field(default_factory=dict)


class CpSatModel:
    """CP-SAT variables, constraints and objective terms for one :class:`ProblemData`."""

    def __init__(self, data: ProblemData):
        self.data = data
        self.model = cp_model.CpModel()
        self.horizon = data.horizon()
        self.ops: dict[tuple[int, int], _OpVars] = {}
        self.setup_terms: list[tuple[cp_model.IntVar, int]] = []
        self.makespan = self.model.new_int_var(0, self.horizon, "makespan")
        self.tardiness: list[tuple[int, cp_model.IntVar]] = []
        self.moved: list[cp_model.IntVar | int] = []
        self.shift: list[cp_model.IntVar | int] = []
        # operation -> (moved literal, shift variable) of the stability terms
        self.stability: dict[tuple[int, int], tuple[cp_model.IntVar, cp_model.IntVar]] = {}
        # per machine with changeovers, the circuit's literals, so a warm start can be hinted completely:
        # (first[op], last[op], arc[(op, op)], empty)
        self.circuits: dict[int, tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]] = {}
        self.tardiness_of: dict[int, cp_model.IntVar] = {}
        self._make_variables()
        self._add_mode_selection()
        self._add_precedences()
        self._add_release_times()
        self._add_machine_no_overlap()
        self._add_setups()
        self._add_makespan()
        self._add_tardiness()
        if {"moved", "shift"} & set(data.objective.terms()):
            self._add_stability()

    def _make_variables(self) -> None:
        """One start per operation and one optional interval per eligible machine."""
        model = self.model
        for j_idx, o_idx, op in self.data.operations():
            tag = f"{j_idx}_{o_idx}"
            start = model.new_int_var(0, self.horizon, f"s{tag}")
            if op.pinned:
                assert op.pinned_start is not None
                model.add(start == op.pinned_start)
            if len(op.modes) == 1:
                mode = op.modes[0]
                interval = model.new_fixed_size_interval_var(start, mode.duration, f"i{tag}")
                self.ops[(j_idx, o_idx)] = _OpVars(
                    start, start + mode.duration, {mode.machine: (1, mode.duration, interval)}
                )
                continue
            end = model.new_int_var(0, self.horizon, f"e{tag}")
            vars_ = _OpVars(start, end)
            for mode in op.modes:
                present = model.new_bool_var(f"p{tag}_{mode.machine}")
                interval = model.new_optional_fixed_size_interval_var(
                    start, mode.duration, present, f"i{tag}_{mode.machine}"
                )
                model.add(end == start + mode.duration).only_enforce_if(present)
                vars_.modes[mode.machine] = (present, mode.duration, interval)
            self.ops[(j_idx, o_idx)] = vars_

    def _add_mode_selection(self) -> None:
        """Each operation runs in exactly one mode; pinned ones on their machine."""
        for j_idx, o_idx, op in self.data.operations():
            modes = self.ops[(j_idx, o_idx)].modes
            if len(modes) == 1:
                continue
            self.model.add_exactly_one(p for p, _, _ in modes.values())  # type: ignore[misc]
            if op.pinned:
                presence = modes[op.pinned_machine][0]  # type: ignore[index]
                self.model.add(presence == 1)

    def _add_precedences(self) -> None:
        """Operations of a job run in routing order."""
        for j_idx, job in enumerate(self.data.jobs):
            for o_idx in range(1, len(job.operations)):
                self.model.add(self.ops[(j_idx, o_idx)].start >= self.ops[(j_idx, o_idx - 1)].end)

    def _add_release_times(self) -> None:
        """No job starts before its release."""
        for j_idx, job in enumerate(self.data.jobs):
            if job.release:
                self.model.add(self.ops[(j_idx, 0)].start >= job.release)

    def machine_intervals(
        self,
    ) -> dict[int, list[tuple[tuple[int, int], cp_model.IntVar | int, int, cp_model.IntervalVar]]]:
        """Per machine: (operation key, presence, duration, interval) of every mode on it."""
        out: dict[int, list[tuple[tuple[int, int], cp_model.IntVar | int, int, cp_model.IntervalVar]]] = {}
        for key, vars_ in self.ops.items():
            for machine, (present, duration, interval) in vars_.modes.items():
                out.setdefault(machine, []).append((key, present, duration, interval))
        return out

    def _add_machine_no_overlap(self) -> None:
        """A machine runs one operation at a time and none in its closed windows."""
        per_machine = self.machine_intervals()
        for m_idx, machine in enumerate(self.data.machines):
            intervals = [iv for (_, _, _, iv) in per_machine.get(m_idx, [])]
            for w_idx, (w_start, w_end) in enumerate(machine.unavailable):
                intervals.append(
                    self.model.new_fixed_size_interval_var(w_start, w_end - w_start, f"closed{m_idx}_{w_idx}")
                )
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _add_setups(self) -> None:
        """Changeovers: a circuit per machine with setups; each arc i->j keeps the changeover gap."""
        per_machine = self.machine_intervals()
        model = self.model
        for m_idx, machine in enumerate(self.data.machines):
            if not machine.has_setups:
                continue
            # zero-length work needs no changeover (the no-overlap still keeps it off others' interiors);
            # work pinned to another machine is never here
            entries = [
                e for e in per_machine.get(m_idx, []) if e[2] > 0 and self._pinned_to(e[0]) in (None, m_idx)
            ]
            if not entries:
                continue
            # between two operations pinned here only the consecutive ones can be linked (exact: anything
            # pinned in between comes between); this keeps the circuit small when much work is fixed
            fixed = sorted(
                (self.data.jobs[k[0]].operations[k[1]].pinned_start or 0, k)
                for k, _, _, _ in entries
                if self._pinned_to(k) == m_idx
            )
            follows = {a[1]: b[1] for a, b in itertools.pairwise(fixed)}
            is_fixed = {k for _, k in fixed}
            arcs: list[tuple[int, int, cp_model.IntVar | int]] = []
            families = [self.data.jobs[key[0]].family for key, _, _, _ in entries]
            firsts: dict[Any, Any] = {}
            lasts: dict[Any, Any] = {}
            between: dict[Any, Any] = {}
            for i, (key, present, _, _) in enumerate(entries):
                node = i + 1
                start = self.ops[key].start
                first = model.new_bool_var(f"first{m_idx}_{i}")
                arcs.append((0, node, first))
                firsts[key] = first
                init = machine.setup(machine.initial_family, families[i])
                if init:
                    model.add(start >= init).only_enforce_if(first)
                    self.setup_terms.append((first, init))
                last = model.new_bool_var(f"last{m_idx}_{i}")
                arcs.append((node, 0, last))
                lasts[key] = last
                if isinstance(present, int):
                    pass  # always present: no self loop
                else:
                    arcs.append((node, node, ~present))  # type: ignore[arg-type]
            for i, (key_i, _, dur_i, _) in enumerate(entries):
                end_i = self.ops[key_i].start + dur_i
                for j, (key_j, _, _, _) in enumerate(entries):
                    if i == j or key_i == key_j:
                        continue
                    if key_i in is_fixed and key_j in is_fixed and follows.get(key_i) != key_j:
                        continue
                    lit = model.new_bool_var(f"arc{m_idx}_{i}_{j}")
                    arcs.append((i + 1, j + 1, lit))
                    between[(key_i, key_j)] = lit
                    setup = machine.setup(families[i], families[j])
                    model.add(self.ops[key_j].start >= end_i + setup).only_enforce_if(lit)
                    if setup:
                        self.setup_terms.append((lit, setup))
            empty = None
            if all(not isinstance(p, int) for _, p, _, _ in entries):
                empty = model.new_bool_var(f"empty{m_idx}")
                arcs.append((0, 0, empty))
            model.add_circuit(arcs)  # type: ignore[arg-type]
            self.circuits[m_idx] = (firsts, lasts, between, empty)

    def _pinned_to(self, key: tuple[int, int]) -> int | None:
        return self.data.jobs[key[0]].operations[key[1]].pinned_machine

    def _add_makespan(self) -> None:
        """The makespan is at least the end of every job's last operation."""
        for j_idx, job in enumerate(self.data.jobs):
            self.model.add(self.makespan >= self.ops[(j_idx, len(job.operations) - 1)].end)

    def _add_tardiness(self) -> None:
        """Tardiness of a job: how far its last operation ends after its due date."""
        for j_idx, job in enumerate(self.data.jobs):
            if job.due is None or job.weight == 0:
                continue
            tard = self.model.new_int_var(0, self.horizon, f"tard{j_idx}")
            self.model.add(tard >= self.ops[(j_idx, len(job.operations) - 1)].end - job.due)
            self.tardiness.append((job.weight, tard))
            self.tardiness_of[j_idx] = tard

    def _add_stability(self) -> None:
        """Per operation with a planned placement: a literal "moved" and its start shift ``|s - planned|``."""
        model = self.model
        for j_idx, o_idx, op in self.data.operations():
            if op.planned_machine is None or op.planned_start is None:
                continue
            vars_ = self.ops[(j_idx, o_idx)]
            if op.pinned:
                # fixed anyway: constants, no variables
                self.moved.append(
                    int(op.pinned_machine != op.planned_machine or op.pinned_start != op.planned_start)
                )
                self.shift.append(abs((op.pinned_start or 0) - op.planned_start))
                continue
            tag = f"{j_idx}_{o_idx}"
            moved = model.new_bool_var(f"moved{tag}")
            # not moved => on the planned machine at the planned start (minimising keeps it exact)
            model.add(vars_.start == op.planned_start).only_enforce_if(~moved)
            present = vars_.modes[op.planned_machine][0]
            if not isinstance(present, int):
                model.add_implication(~moved, present)
            self.moved.append(moved)
            shift = model.new_int_var(0, max(self.horizon, op.planned_start), f"shift{tag}")
            model.add_abs_equality(shift, vars_.start - op.planned_start)
            self.shift.append(shift)
            self.stability[(j_idx, o_idx)] = (moved, shift)

    def term(self, name: str) -> cp_model.LinearExprT:
        """The linear expression of one objective term."""
        if name == "makespan":
            return self.makespan
        if name == "tardiness":
            return sum(w * t for w, t in self.tardiness)  # type: ignore[return-value]
        if name == "setup":
            return sum(s * lit for lit, s in self.setup_terms)  # type: ignore[return-value]
        if name == "moved":
            return sum(self.moved)  # type: ignore[return-value]
        if name == "shift":
            return sum(self.shift)  # type: ignore[return-value]
        raise ValueError(f"unknown objective term {name!r}")

    def weighted_objective(self) -> cp_model.LinearExprT:
        """The weighted sum of the objective's terms."""
        objective = self.data.objective
        return sum(getattr(objective, name) * self.term(name) for name in objective.terms())  # type: ignore[return-value]

    def add_hint(self, schedule: Schedule) -> None:
        """Hint a (complete) schedule as warm start: starts and modes, and (so CP-SAT need not complete the
        hint itself, which it often fails to do on large circuits) the changeover sequence, makespan,
        tardiness and stability variables."""
        self.model.clear_hints()
        self._hint_derived(schedule)
        for sop in schedule:
            vars_ = self.ops.get((sop.job, sop.operation))
            if vars_ is None:
                continue
            self.model.add_hint(vars_.start, sop.start)
            if len(vars_.modes) > 1:  # its own end variable (single-mode ends are start + duration)
                self.model.add_hint(vars_.end, sop.end)  # type: ignore[arg-type]
            for machine, (present, _, _) in vars_.modes.items():
                if not isinstance(present, int):
                    self.model.add_hint(present, machine == sop.machine)
            if (sop.job, sop.operation) in self.stability:
                op = self.data.jobs[sop.job].operations[sop.operation]
                assert op.planned_start is not None
                moved, shift = self.stability[(sop.job, sop.operation)]
                self.model.add_hint(moved, sop.machine != op.planned_machine or sop.start != op.planned_start)
                self.model.add_hint(shift, abs(sop.start - op.planned_start))

    def _hint_derived(self, schedule: Schedule) -> None:
        """Hints of the variables that follow from the starts and modes of ``schedule``."""
        model = self.model
        placed = schedule.as_dict()
        if len(placed) != self.data.num_operations:
            return  # a partial schedule: leave the rest to CP-SAT
        for m_idx, (firsts, lasts, between, empty) in self.circuits.items():
            sequence = sorted(
                (sop.start, sop.end, key)
                for key, sop in placed.items()
                if sop.machine == m_idx and key in firsts and sop.end > sop.start
            )
            keys = [key for _, _, key in sequence]
            chosen = set(itertools.pairwise(keys))
            for key, lit in firsts.items():
                model.add_hint(lit, bool(keys) and key == keys[0])
            for key, lit in lasts.items():
                model.add_hint(lit, bool(keys) and key == keys[-1])
            for pair, lit in between.items():
                model.add_hint(lit, pair in chosen)
            if empty is not None:
                model.add_hint(empty, not keys)
        model.add_hint(self.makespan, schedule.makespan)
        for j_idx, tard in self.tardiness_of.items():
            job = self.data.jobs[j_idx]
            assert job.due is not None
            model.add_hint(tard, max(0, placed[(j_idx, len(job.operations) - 1)].end - job.due))

    def schedule(self, solver: cp_model.CpSolver) -> Schedule:
        """Read the schedule from a solved model."""
        out = []
        for (j_idx, o_idx), vars_ in self.ops.items():
            start = solver.value(vars_.start)
            for machine, (present, duration, _) in vars_.modes.items():
                if isinstance(present, int) or solver.boolean_value(present):
                    out.append(ScheduledOperation(j_idx, o_idx, machine, start, start + duration))
                    break
        return Schedule(out)
