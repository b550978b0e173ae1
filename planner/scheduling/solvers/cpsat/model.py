"""The CP-SAT model of the flexible job shop, built the textbook way.

Per operation a start variable and one optional interval per mode (sharing the start), exactly one mode
present; per machine a no-overlap over its mode intervals, its placed maintenance and its closed windows
(fixed intervals); with changeovers a circuit over the machine's operations whose arcs carry the setup
times. One method per constraint family, as PyJobShop splits its OR-Tools backend.

Resumable operations
    On a machine with closed windows the mode interval of a resumable operation has a variable size that
    spans its pauses: per (merged) closed window ``w`` three literals say whether the operation lies before
    ``w`` (end <= w.start), after it (start >= w.end) or spans it (start < w.start and end > w.end), and the
    size is the duration plus the lengths of the spanned windows. So the end is exact, the start never lies
    inside a closed window, and such intervals stay out of the machine's no-overlap with the closed windows
    (a second no-overlap keeps them clear of the other work).
Peak power
    A cumulative over the mode intervals with their power as demand (scaled to integers: demands rounded up,
    the limit down, so the model never accepts an overload). A resumable operation counts as drawing power
    across its pauses too: a conservative restriction (the checker counts running time only), so with both
    features the solve is not claimed optimal and reports no CP-SAT bound.
Energy cost and CO2
    Exact per tariff period: for every mode and every run of periods with equal rates that its interval can
    reach, an overlap variable bounded below by ``min(end, run end) - max(start, run start)`` and by 0 (the
    minimisation makes it the overlap; equal to it where the rate is negative), priced at the mode's power
    minus its machine's idle power, minus the priced closed windows a resumable operation spans. Idle power
    of every machine over ``[0, makespan)`` outside its closed windows is priced by overlaps of the makespan
    with the tariff runs; placed maintenance is credited as if it lay before the makespan (a lower bound
    when it does not, so then the solve is not claimed optimal). Costs per time unit are scaled by a power
    of ten times the time units per hour (:attr:`CpSatModel.scale`) and rounded down, so the model's cost
    never exceeds the true one and its bound stays valid; when the rounding is not exact the solve is not
    claimed optimal. When the instance would need more than :data:`MAX_OVERLAP_TERMS` overlap variables,
    the model charges each operation at the rate of the period it starts in and leaves idle power out (an
    approximation: no bound is reported). The objective value always comes from the checker.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import Operation, ProblemData, resumable_end
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation

MAX_OVERLAP_TERMS = 20_000
"""Above this many (mode, tariff run) overlap variables the energy terms are approximated."""

_ENERGY_TERMS = ("energy", "co2")
_EPS = 1e-6


@dataclass
class _OpVars:
    start: cp_model.IntVar
    end: cp_model.LinearExprT
    # machine -> (presence literal, duration, interval); a resumable interval may be longer than duration
    modes: dict[int, tuple[cp_model.IntVar | int, int, cp_model.IntervalVar]] = field(default_factory=dict)
    # machine -> [(closed window, literal "spans it")] of a resumable mode
    spans: dict[int, list[tuple[tuple[int, int], cp_model.IntVar]]] = field(default_factory=dict)


def _bounds(interval: cp_model.IntervalVar) -> tuple[Any, Any, Any]:
    """Start, end and size expressions of an interval (typed loosely: the stubs call them objects)."""
    return interval.start_expr(), interval.end_expr(), interval.size_expr()


def _tariff_segments(
    rates: dict[str, list[float]], num_periods: int, period: int
) -> list[tuple[int, int, int]]:
    """Runs of tariff periods with the same rates, as ``(start, end, first period)``: fewer overlap variables."""
    out: list[tuple[int, int, int]] = []
    for k in range(num_periods):
        if out and all(rs[k] == rs[out[-1][2]] for rs in rates.values()):
            out[-1] = (out[-1][0], (k + 1) * period, out[-1][2])
        else:
            out.append((k * period, (k + 1) * period, k))
    return out


def _open_segments(
    segments: list[tuple[int, int, int]], closed: list[tuple[int, int]], rates: dict[str, list[float]]
) -> list[tuple[int, int, int]]:
    """The tariff runs as a machine with closed windows ``closed`` sees them: a run inside a closed window
    joins its neighbour, and open runs with equal rates merge across the closed time between them.

    No work overlaps a closed window except a resumable operation spanning it, whose pause is credited
    at the same (merged) rates, so the priced cost of running time is unchanged and far fewer overlap
    variables are needed (a day/night tariff over night shifts leaves one run per day or fewer).
    """
    if not closed:
        return segments

    def inside(a: int, b: int) -> bool:
        return any(ws <= a and b <= we for ws, we in closed)

    def same(k: int, other: int) -> bool:
        return all(rs[k] == rs[other] for rs in rates.values())

    out: list[tuple[int, int, int]] = []
    pending: int | None = None  # start of closed runs before the first open one
    for a, b, k in segments:
        if inside(a, b):
            if out:
                out[-1] = (out[-1][0], b, out[-1][2])
            elif pending is None:
                pending = a
            continue
        if out and same(k, out[-1][2]):
            out[-1] = (out[-1][0], b, out[-1][2])
        else:
            out.append((pending if not out and pending is not None else a, b, k))
    if not out and pending is not None:
        return segments
    return out


def _power_scale(values: list[float]) -> int:
    """The smallest power of ten up to 1000 that makes every value an integer, else 1000."""
    for scale in (1, 10, 100, 1000):
        if all(abs(v * scale - round(v * scale)) < _EPS for v in values):
            return scale
    return 1000


class CpSatModel:
    """CP-SAT variables, constraints and objective terms for one :class:`ProblemData`."""

    def __init__(self, data: ProblemData, makespan_cap: int | None = None):
        self.data = data
        self.model = cp_model.CpModel()
        self.full_horizon = data.horizon() + self._tariff_span()
        caps = [c for c in (makespan_cap, data.max_makespan) if c is not None]
        self.horizon = max(0, min(self.full_horizon, *caps)) if caps else self.full_horizon
        """Latest end of any operation: the safe horizon, the problem's bound on the makespan, or the caller's
        cap on it (which must not cut off every optimal schedule, e.g. the warm start's objective divided by
        the makespan weight)."""
        # values the hint needs beyond starts and modes, so CP-SAT can take a warm start as it is
        self._size_vars: dict[tuple[tuple[int, int], int], tuple[Any, Any]] = {}
        self._span_vars: dict[tuple[tuple[int, int], int], list[tuple[tuple[int, int], Any, Any, Any]]] = {}
        self._overlap_vars: dict[tuple[tuple[int, int], int], list[tuple[int, int, Any, Any]]] = {}
        self._start_period: dict[tuple[int, int], Any] = {}
        self._start_costs: dict[tuple[tuple[int, int], int], list[tuple[list[int], Any, Any]]] = {}
        self._tardiness_by_job: dict[int, Any] = {}
        self._idle_overlaps: list[tuple[int, int, Any, Any]] = []
        self._maintenance_overlaps: dict[int, list[tuple[int, int, Any, Any]]] = {}
        self._pending_size: tuple[Any, Any] | None = None
        self.energy_model = ""
        """How energy enters the objective: "" (it does not), "per period" (exact) or "start period"."""
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
        self.maintenance: list[tuple[cp_model.IntVar, cp_model.IntervalVar]] = []
        self.energy_terms: dict[str, list[tuple[int, cp_model.LinearExprT]]] = {t: [] for t in _ENERGY_TERMS}
        self.scale = 1
        """Energy and CO2 terms are in units of 1/scale money and kg; the weighted objective is scaled by it."""
        self.exact = True
        """False when the model's objective may differ from the checker's (rounding, idle power, approximation)."""
        self.bound_valid = True
        """False when the model restricts or approximates the problem, so its bound is no bound of the problem."""
        self._closed = [m.closed_windows() for m in data.machines]
        self._make_variables()
        self._add_mode_selection()
        self._add_resumable_spans()
        self._add_precedences()
        self._add_release_times()
        self._add_maintenance()
        self._add_machine_no_overlap()
        self._add_setups()
        self._add_peak_power()
        self._add_makespan()
        self._add_tardiness()
        self._add_energy()
        if {"moved", "shift"} & set(data.objective.terms()):
            self._add_stability()

    def _tariff_span(self) -> int:
        """Room to move work to cheaper periods: the span of the given tariff values when energy is weighted.

        Past that span the rates are constant, so compacting the work there costs nothing: some optimal
        schedule ends within the problem's horizon plus this span.
        """
        energy, objective = self.data.energy, self.data.objective
        if energy is None or not any(
            getattr(objective, t) or t in objective.lexicographic for t in _ENERGY_TERMS
        ):
            return 0
        return max(len(energy.price), len(energy.co2)) * energy.period

    def _pauses(self, op: Operation, machine: int, duration: int) -> bool:
        return op.resumable and duration > 0 and bool(self._closed[machine])

    def _interval(
        self,
        start: cp_model.IntVar,
        op: Operation,
        machine: int,
        duration: int,
        present: int | cp_model.IntVar,
        tag: str,
    ) -> tuple[cp_model.IntervalVar, cp_model.LinearExprT]:
        """The mode's interval and its end: fixed size, or spanning the pauses of a resumable operation."""
        model = self.model
        if not self._pauses(op, machine, duration):
            if isinstance(present, int):
                return model.new_fixed_size_interval_var(start, duration, tag), start + duration
            return model.new_optional_fixed_size_interval_var(start, duration, present, tag), start + duration
        closed_total = sum(e - s for s, e in self._closed[machine])
        size = model.new_int_var(duration, duration + closed_total, f"size{tag}")
        end = model.new_int_var(0, self.horizon, f"end{tag}")
        if isinstance(present, int):
            interval = model.new_interval_var(start, size, end, tag)
        else:
            interval = model.new_optional_interval_var(start, size, end, present, tag)
        self._pending_size = (size, end)
        return interval, end

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
                self._pending_size = None
                interval, end = self._interval(start, op, mode.machine, mode.duration, 1, f"i{tag}")
                if self._pending_size is not None:
                    self._size_vars[((j_idx, o_idx), mode.machine)] = self._pending_size
                self.ops[(j_idx, o_idx)] = _OpVars(start, end, {mode.machine: (1, mode.duration, interval)})
                continue
            op_end = model.new_int_var(0, self.horizon, f"e{tag}")
            vars_ = _OpVars(start, op_end)
            for mode in op.modes:
                present = model.new_bool_var(f"p{tag}_{mode.machine}")
                self._pending_size = None
                interval, end = self._interval(
                    start, op, mode.machine, mode.duration, present, f"i{tag}_{mode.machine}"
                )
                model.add(op_end == end).only_enforce_if(present)
                if self._pending_size is not None:
                    self._size_vars[((j_idx, o_idx), mode.machine)] = self._pending_size
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

    def _add_resumable_spans(self) -> None:
        """A resumable operation lies before, after or across each closed window; its size adds the spanned ones."""
        model = self.model
        for j_idx, o_idx, op in self.data.operations():
            vars_ = self.ops[(j_idx, o_idx)]
            for machine, (present, duration, interval) in vars_.modes.items():
                if not self._pauses(op, machine, duration):
                    continue
                start, end, size = _bounds(interval)
                enforce = [] if isinstance(present, int) else [present]
                spans: list[tuple[tuple[int, int], cp_model.IntVar]] = []
                prev_after: cp_model.IntVar | None = None
                prev_before: cp_model.IntVar | None = None
                for w_idx, (w_start, w_end) in enumerate(self._closed[machine]):
                    tag = f"{j_idx}_{o_idx}_{machine}_{w_idx}"
                    before = model.new_bool_var(f"before{tag}")
                    after = model.new_bool_var(f"after{tag}")
                    across = model.new_bool_var(f"across{tag}")
                    model.add_exactly_one(before, after, across)
                    model.add(end <= w_start).only_enforce_if([before, *enforce])
                    model.add(start >= w_end).only_enforce_if([after, *enforce])
                    model.add(start <= w_start - 1).only_enforce_if([across, *enforce])
                    model.add(end >= w_end + 1).only_enforce_if([across, *enforce])
                    if enforce:
                        model.add_implication(across, enforce[0])
                    # windows are sorted: after this one means after the earlier ones, before it the later ones
                    if prev_after is not None:
                        model.add_implication(after, prev_after)
                    if prev_before is not None:
                        model.add_implication(prev_before, before)
                    prev_after, prev_before = after, before
                    spans.append(((w_start, w_end), across))
                    self._span_vars.setdefault(((j_idx, o_idx), machine), []).append(
                        ((w_start, w_end), before, after, across)
                    )
                model.add(size == duration + sum((e - s) * lit for (s, e), lit in spans)).only_enforce_if(
                    enforce
                )
                vars_.spans[machine] = spans

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

    def _add_maintenance(self) -> None:
        """Each maintenance task starts at or after its earliest start and ends by its latest end."""
        for t_idx, task in enumerate(self.data.maintenance):
            latest = self.full_horizon if task.latest is None else min(task.latest, self.full_horizon)
            start = self.model.new_int_var(
                task.earliest, max(task.earliest, latest - task.duration), f"mt{t_idx}"
            )
            interval = self.model.new_fixed_size_interval_var(start, task.duration, f"maint{t_idx}")
            self.maintenance.append((start, interval))

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
        """A machine runs one operation or maintenance task at a time, and only paused work in its closed windows."""
        per_machine = self.machine_intervals()
        for m_idx, machine in enumerate(self.data.machines):
            entries = per_machine.get(m_idx, [])
            work = [iv for (_, _, _, iv) in entries]
            work += [
                iv
                for (start, iv), task in zip(self.maintenance, self.data.maintenance, strict=True)
                if task.machine == m_idx
            ]
            spanning = {id(iv) for key, _, _, iv in entries if m_idx in self.ops[key].spans}
            closed = [
                self.model.new_fixed_size_interval_var(w_start, w_end - w_start, f"closed{m_idx}_{w_idx}")
                for w_idx, (w_start, w_end) in enumerate(machine.unavailable)
            ]
            fitted = [iv for iv in work if id(iv) not in spanning] + closed
            if len(fitted) > 1:
                self.model.add_no_overlap(fitted)
            if spanning and len(work) > 1:
                self.model.add_no_overlap(work)

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
            for i, (key_i, _, _, interval_i) in enumerate(entries):
                end_i = _bounds(interval_i)[1]
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

    def _add_peak_power(self) -> None:
        """The summed power of running operations never exceeds the plant's peak-power limit."""
        energy = self.data.energy
        if energy is None or energy.peak_power is None:
            return
        entries = []
        for j_idx, o_idx, op in self.data.operations():
            for mode in op.modes:
                if mode.power > 0 and mode.duration > 0:
                    interval = self.ops[(j_idx, o_idx)].modes[mode.machine][2]
                    entries.append((interval, mode.power))
                    if self._pauses(op, mode.machine, mode.duration):
                        self.exact = self.bound_valid = False  # it draws power across its pauses here
        if not entries:
            return
        scale = _power_scale([p for _, p in entries] + [energy.peak_power])
        capacity = math.floor(energy.peak_power * scale + _EPS)
        demands = [math.ceil(p * scale - _EPS) for _, p in entries]
        self.model.add_cumulative([iv for iv, _ in entries], demands, capacity)

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
            self._tardiness_by_job[j_idx] = tard
        if self.data.max_tardiness is not None:
            self.model.add(sum(w * t for w, t in self.tardiness) <= self.data.max_tardiness)

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

    def _earliest_starts(self) -> dict[tuple[int, int], int]:
        """A lower bound on every operation's start: its job's release plus its predecessors' shortest modes."""
        out = {}
        for j_idx, job in enumerate(self.data.jobs):
            t = job.release
            for o_idx, op in enumerate(job.operations):
                out[(j_idx, o_idx)] = op.pinned_start if op.pinned_start is not None else t
                t = out[(j_idx, o_idx)] + min(m.duration for m in op.modes)
        return out

    def _tails(self) -> dict[tuple[int, int], int]:
        """A lower bound on the work after every operation: its successors' shortest modes."""
        out = {}
        for j_idx, job in enumerate(self.data.jobs):
            t = 0
            for o_idx in range(len(job.operations) - 1, -1, -1):
                out[(j_idx, o_idx)] = t
                t += min(m.duration for m in job.operations[o_idx].modes)
        return out

    def _energy_rates(self) -> tuple[dict[str, list[float]], int] | None:
        """Per used term, the rate per kW and time unit of each tariff period (period index -> rate), and K."""
        data = self.data
        energy = data.energy
        objective = data.objective
        used = [t for t in _ENERGY_TERMS if getattr(objective, t) or t in objective.lexicographic]
        if energy is None or not used:
            return None
        num_periods = self.horizon // energy.period + 1
        rates = {}
        for term in used:
            value = energy.price_at if term == "energy" else energy.co2_at
            rates[term] = [value(k) * energy.hours_per_unit for k in range(num_periods)]
        return rates, num_periods

    def _add_energy(self) -> None:
        """Energy cost and CO2 of running operations and idle machines under the tariff (see the module docstring)."""
        found = self._energy_rates()
        if found is None:
            return
        rates, num_periods = found
        energy = self.data.energy
        assert energy is not None
        idle = [m.idle_power for m in self.data.machines]
        powers = {
            abs(mode.power - idle[mode.machine]) for _, _, op in self.data.operations() for mode in op.modes
        }
        powers |= {p for p in idle if p > 0}
        positive = [r * p for rs in rates.values() for r in set(rs) for p in powers if r * p > 0]
        if not positive:
            return
        self._choose_scale(positive, energy.hours_per_unit)
        earliest = self._earliest_starts()
        tails = self._tails()
        segments = _tariff_segments(rates, num_periods, energy.period)
        seen_by = [_open_segments(segments, closed, rates) for closed in self._closed]
        reach: dict[tuple[tuple[int, int], int], list[tuple[int, int, int]]] = {}
        num_terms = 0
        for key, vars_ in self.ops.items():
            lo, hi = earliest[key], self.horizon - tails[key]
            for machine in vars_.modes:
                reach[(key, machine)] = [seg for seg in seen_by[machine] if seg[0] < hi and lo < seg[1]]
                num_terms += len(reach[(key, machine)])
        if num_terms > MAX_OVERLAP_TERMS:
            if any(p > 0 for p in idle):
                self.exact = False  # the approximation leaves idle energy out
            self.energy_model = "start period"
            self._add_energy_by_start_period(rates, num_periods)
            return
        self.energy_model = "per period"
        for (j_idx, o_idx), vars_ in self.ops.items():
            op = self.data.jobs[j_idx].operations[o_idx]
            for machine, (present, duration, interval) in vars_.modes.items():
                # what running changes: its own power instead of the machine's idle power
                net = op.mode_on(machine).power - idle[machine]  # type: ignore[union-attr]
                if net == 0 or duration <= 0:
                    continue
                coef = {t: [math.floor(r * net * self.scale + _EPS) for r in rs] for t, rs in rates.items()}
                start, end, _ = _bounds(interval)
                enforce = [] if isinstance(present, int) else [present]
                overlaps = self._priced_overlaps(
                    f"{j_idx}_{o_idx}_{machine}",
                    start,
                    end,
                    enforce,
                    coef,
                    reach[((j_idx, o_idx), machine)],
                    net < 0,
                )
                self._overlap_vars[((j_idx, o_idx), machine)] = [
                    (a, b, inner, ov) for a, b, _, inner, ov in overlaps
                ]
                for term, c in coef.items():
                    parts: list[tuple[int, cp_model.LinearExprT]] = [
                        (c[k], ov) for _, _, k, _, ov in overlaps
                    ]
                    for (w_start, w_end), across in vars_.spans.get(machine, []):
                        paused = sum(
                            c[k] * (min(w_end, b) - max(w_start, a))
                            for a, b, k in seen_by[machine]
                            if a < w_end and w_start < b
                        )
                        if paused:
                            parts.append((-paused, across))
                    self.energy_terms[term].extend(parts)
        self._add_idle_energy(rates, segments, idle)

    def _choose_scale(self, positive: list[float], hours_per_unit: float) -> None:
        """The smallest power of ten (times the time units per hour, e.g. 60) that makes every rate an
        integer, else enough digits for 0.1 % on the smallest rate."""
        per_hour = 1 / hours_per_unit
        base = round(per_hour) if abs(per_hour - round(per_hour)) < _EPS and round(per_hour) >= 1 else 1
        for digits in range(7):
            scale = base * 10**digits
            if all(abs(v * scale - round(v * scale)) < _EPS * max(1.0, v * scale) for v in positive):
                self.scale = scale
                break
        else:
            self.exact = False
            digits = max(0, math.ceil(math.log10(1000 / min(positive))))
            self.scale = 10 ** min(digits, 9)
        while (
            self.scale > 1
            and max(positive) * self.scale * self.horizon * max(1, self.data.num_operations) > 2**53
        ):
            self.scale //= 10
            self.exact = False

    def _priced_overlaps(
        self,
        tag: str,
        start: Any,
        end: Any,
        enforce: list[Any],
        coef: dict[str, list[int]],
        reach: list[tuple[int, int, int]],
        exact: bool,
    ) -> list[tuple[int, int, int, Any, Any]]:
        """Per reachable tariff run ``(a, b, k)``: a variable for the overlap of ``[start, end)`` with it.

        Bounded below by the overlap (and by 0), which the minimisation makes tight while its rates are
        >= 0; ``exact`` makes it equal (for negative rates, e.g. a mode drawing less than idle power).
        """
        model = self.model
        out = []
        for a, b, k in reach:
            if not any(c[k] for c in coef.values()):
                continue
            length = b - a
            inner = model.new_int_var(-self.full_horizon, length, f"min{tag}_{k}")
            model.add_min_equality(inner, [end - start, end - a, b - start, length])
            overlap = model.new_int_var(0, length, f"ov{tag}_{k}")
            if exact:
                if enforce:
                    clipped = model.new_int_var(0, length, f"max{tag}_{k}")
                    model.add_max_equality(clipped, [inner, 0])
                    model.add(overlap == clipped).only_enforce_if(enforce)
                    model.add(overlap == 0).only_enforce_if(~enforce[0])  # absent: nothing runs
                else:
                    model.add_max_equality(overlap, [inner, 0])
            else:
                model.add(overlap >= inner).only_enforce_if(enforce)
            out.append((a, b, k, inner, overlap))
        return out

    def _add_idle_energy(
        self, rates: dict[str, list[float]], segments: list[tuple[int, int, int]], idle: list[float]
    ) -> None:
        """Idle power of every open machine over ``[0, makespan)``; running work and maintenance are credited."""
        if not any(p > 0 for p in idle):
            return
        model = self.model
        # elementary pieces: tariff runs cut at the closed windows of machines with idle power
        cuts = {a for a, _, _ in segments} | {b for _, b, _ in segments}
        for m_idx, windows in enumerate(self._closed):
            if idle[m_idx] > 0:
                cuts |= {t for w in windows for t in w if t < self.horizon}
        points = [*sorted(t for t in cuts if t <= self.horizon), self.horizon]
        pieces = [(a, b) for a, b in itertools.pairwise(points) if b > a]
        for idx, (a, b) in enumerate(pieces):
            k = next(seg[2] for seg in segments if seg[0] <= a < seg[1])
            open_idle = sum(
                p
                for m_idx, p in enumerate(idle)
                if p > 0 and not any(ws <= a < we for ws, we in self._closed[m_idx])
            )
            piece_coef = {t: math.floor(rs[k] * open_idle * self.scale + _EPS) for t, rs in rates.items()}
            if not any(piece_coef.values()):
                continue
            inner = model.new_int_var(-self.full_horizon, b - a, f"idlemin{idx}")
            model.add_min_equality(inner, [self.makespan - a, b - a])
            overlap = model.new_int_var(0, b - a, f"idle{idx}")
            model.add(overlap >= inner)
            self._idle_overlaps.append((a, b, inner, overlap))
            for term, c in piece_coef.items():
                if c:
                    self.energy_terms[term].append((c, overlap))
        # maintenance is no idle time: credited as if inside [0, makespan) (a lower bound when it is not)
        for t_idx, ((start, interval), task) in enumerate(
            zip(self.maintenance, self.data.maintenance, strict=True)
        ):
            if idle[task.machine] <= 0:
                continue
            self.exact = False
            coef = {
                t: [math.floor(-r * idle[task.machine] * self.scale + _EPS) for r in rs]
                for t, rs in rates.items()
            }
            lo = task.earliest
            hi = self.full_horizon if task.latest is None else task.latest
            reach = [seg for seg in segments if seg[0] < hi and lo < seg[1]]
            _, end, _ = _bounds(interval)
            overlaps = self._priced_overlaps(f"mt{t_idx}", start, end, [], coef, reach, True)
            self._maintenance_overlaps[t_idx] = [(a, b, inner, ov) for a, b, _, inner, ov in overlaps]
            for term, credit in coef.items():
                self.energy_terms[term].extend((credit[k], ov) for _, _, k, _, ov in overlaps if credit[k])

    def _add_energy_by_start_period(self, rates: dict[str, list[float]], num_periods: int) -> None:
        """The approximation for large instances: a mode costs its duration at the rate of its start period."""
        self.exact = self.bound_valid = False
        energy = self.data.energy
        assert energy is not None
        model = self.model
        for (j_idx, o_idx), vars_ in self.ops.items():
            op = self.data.jobs[j_idx].operations[o_idx]
            index = model.new_int_var(0, num_periods - 1, f"k{j_idx}_{o_idx}")
            model.add_division_equality(index, vars_.start, energy.period)
            self._start_period[(j_idx, o_idx)] = index
            for machine, (present, duration, _) in vars_.modes.items():
                power = op.mode_on(machine).power  # type: ignore[union-attr]
                if power <= 0 or duration <= 0:
                    continue
                for term, rs in rates.items():
                    table = [math.floor(r * power * duration * self.scale + _EPS) for r in rs]
                    if not any(table):
                        continue
                    cost = model.new_int_var(0, max(table), f"c{term}{j_idx}_{o_idx}_{machine}")
                    model.add_element(index, table, cost)
                    charged = None
                    if isinstance(present, int):
                        self.energy_terms[term].append((1, cost))
                    else:
                        charged = model.new_int_var(0, max(table), f"cc{term}{j_idx}_{o_idx}_{machine}")
                        model.add(charged >= cost).only_enforce_if(present)
                        self.energy_terms[term].append((1, charged))
                    self._start_costs.setdefault(((j_idx, o_idx), machine), []).append((table, cost, charged))

    def term(self, name: str) -> cp_model.LinearExprT:
        """The linear expression of one objective term (energy and CO2 in units of 1/:attr:`scale`)."""
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
        if name in _ENERGY_TERMS:
            return sum(c * v for c, v in self.energy_terms[name])  # type: ignore[return-value]
        raise ValueError(f"unknown objective term {name!r}")

    def term_scale(self, name: str) -> int:
        """What one unit of :meth:`term` is worth in the term's own unit is 1/term_scale."""
        return self.scale if name in _ENERGY_TERMS else 1

    @property
    def objective_scale(self) -> int:
        """The weighted objective is the true weighted sum times this factor."""
        objective = self.data.objective
        return self.scale if any(getattr(objective, t) for t in _ENERGY_TERMS) else 1

    def weighted_objective(self) -> cp_model.LinearExprT:
        """The weighted sum of the objective's terms, times :attr:`objective_scale`."""
        objective = self.data.objective
        factor = self.objective_scale
        return sum(  # type: ignore[return-value]
            getattr(objective, name) * (factor // self.term_scale(name)) * self.term(name)
            for name in objective.terms()
        )

    def add_hint(self, schedule: Schedule) -> None:
        """Hint a (complete) schedule as warm start: starts and modes, and (so CP-SAT need not complete the
        hint itself, which it often fails to do on large circuits) the changeover sequence, makespan,
        tardiness and stability variables."""
        self.model.clear_hints()
        for sop in schedule:
            vars_ = self.ops.get((sop.job, sop.operation))
            if vars_ is None:
                continue
            self.model.add_hint(vars_.start, sop.start)
            for machine, (present, _, _) in vars_.modes.items():
                if not isinstance(present, int):
                    self.model.add_hint(present, machine == sop.machine)
            if (sop.job, sop.operation) in self.stability:
                op = self.data.jobs[sop.job].operations[sop.operation]
                assert op.planned_start is not None
                moved, shift = self.stability[(sop.job, sop.operation)]
                self.model.add_hint(moved, sop.machine != op.planned_machine or sop.start != op.planned_start)
                self.model.add_hint(shift, abs(sop.start - op.planned_start))
        for sm in schedule.maintenance:
            if 0 <= sm.task < len(self.maintenance):
                self.model.add_hint(self.maintenance[sm.task][0], sm.start)
        self._hint_derived(schedule)
        self._hint_sequences(schedule)

    def _hint_derived(self, schedule: Schedule) -> None:
        """Hint the values that follow from the schedule: ends, pauses, overlaps, costs, makespan, tardiness."""
        model = self.model
        horizon = self.horizon
        placed = schedule.as_dict()
        if len(placed) != self.data.num_operations:
            return  # an incomplete schedule: starts and modes only
        if schedule.makespan <= horizon:
            model.add_hint(self.makespan, schedule.makespan)
        for a, b, inner, overlap in self._idle_overlaps:
            value = min(schedule.makespan - a, b - a)
            model.add_hint(inner, value)
            model.add_hint(overlap, max(0, value))
        for sm in schedule.maintenance:
            for a, b, inner, overlap in self._maintenance_overlaps.get(sm.task, []):
                value = min(sm.end - sm.start, sm.end - a, b - sm.start, b - a)
                model.add_hint(inner, value)
                model.add_hint(overlap, max(0, value))
        for j_idx, tard in self._tardiness_by_job.items():
            due = self.data.jobs[j_idx].due or 0
            model.add_hint(tard, max(0, placed[(j_idx, len(self.data.jobs[j_idx].operations) - 1)].end - due))
        for key, vars_ in self.ops.items():
            sop = placed.get(key)
            if sop is None:
                continue
            if not isinstance(vars_.end, int) and len(vars_.modes) > 1:
                model.add_hint(vars_.end, sop.end)  # type: ignore[call-overload]
            index = self._start_period.get(key)
            if index is not None and self.data.energy is not None:
                model.add_hint(index, sop.start // self.data.energy.period)
            op = self.data.jobs[key[0]].operations[key[1]]
            for machine, (_, duration, _) in vars_.modes.items():
                chosen = machine == sop.machine
                start = sop.start
                # an absent mode gets values its unconditional constraints accept (and costs nothing)
                if chosen:
                    end = sop.end
                elif self._pauses(op, machine, duration):
                    end = resumable_end(start, duration, self._closed[machine])
                else:
                    end = start + duration
                if (key, machine) in self._size_vars:
                    size, end_var = self._size_vars[(key, machine)]
                    model.add_hint(size, end - start)
                    model.add_hint(end_var, end)
                for (w_start, w_end), before, after, across in self._span_vars.get((key, machine), []):
                    is_before = end <= w_start
                    is_across = chosen and start < w_start and end > w_end
                    model.add_hint(before, is_before)
                    model.add_hint(after, not is_before and not is_across)
                    model.add_hint(across, is_across)
                for p_start, p_end, inner, overlap in self._overlap_vars.get((key, machine), []):
                    value = min(end - start, end - p_start, p_end - start, p_end - p_start)
                    model.add_hint(inner, value)
                    model.add_hint(overlap, max(0, value) if chosen else 0)
                for table, cost, charged in self._start_costs.get((key, machine), []):
                    k = min(sop.start // self.data.energy.period, len(table) - 1)  # type: ignore[union-attr]
                    model.add_hint(cost, table[k])
                    if charged is not None:
                        model.add_hint(charged, table[k] if chosen else 0)

    def _hint_sequences(self, schedule: Schedule) -> None:
        """Hints of the changeover circuits: which operation comes first, last and next on each machine."""
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

    def schedule(self, solver: cp_model.CpSolver) -> Schedule:
        """Read the schedule from a solved model."""
        out = []
        for (j_idx, o_idx), vars_ in self.ops.items():
            start = solver.value(vars_.start)
            for machine, (present, _, interval) in vars_.modes.items():
                if isinstance(present, int) or solver.boolean_value(present):
                    out.append(
                        ScheduledOperation(j_idx, o_idx, machine, start, solver.value(_bounds(interval)[1]))
                    )
                    break
        maintenance = []
        for t_idx, ((start_var, _), task) in enumerate(
            zip(self.maintenance, self.data.maintenance, strict=True)
        ):
            start = solver.value(start_var)
            maintenance.append(ScheduledMaintenance(t_idx, task.machine, start, start + task.duration))
        return Schedule(out, maintenance)
