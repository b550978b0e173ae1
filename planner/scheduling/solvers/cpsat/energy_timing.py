"""Re-time a schedule for energy with CP-SAT, its machine assignment and machine sequences fixed.

The full model with energy terms improves slowly on plants of a few hundred operations: it must choose
machines, orders and times at once while the many tariff-overlap variables weaken its propagation. With the
assignment and the order on every machine taken from a good schedule, what is left is the timing: starts
bound by job precedences, chains on the machines (with their changeovers), closed windows, maintenance and
the peak-power limit. CP-SAT solves that much faster, and the weighted objective decides how far work may
move into cheap (night) periods, later than the due dates when the energy saving pays for the tardiness.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner.scheduling.check import check_solution
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.cpsat.model import CpSatModel

logger = logging.getLogger(__name__)

MAX_TIMING_OVERLAP_TERMS = 60_000
"""The timing model has one mode per operation, so it can afford more exact tariff-overlap variables."""


FLAT_SCALE = 100
"""The flat-rate objective is the weighted objective times this factor, rounded."""


def flat_energy_objective(
    data: ProblemData, built: CpSatModel, reference: Schedule | None
) -> cp_model.LinearExprT:
    """The non-energy terms of ``built`` plus energy and CO2 priced at one flat rate, times :data:`FLAT_SCALE`.

    The flat rate is the mean rate over the machines' open time before the ``reference`` schedule's makespan
    (or the first day): where work runs. A mode costs its power minus its machine's idle power times its
    duration; every unit of makespan costs the idle power of all machines.
    """
    energy, objective = data.energy, data.objective
    plain = FLAT_SCALE * built.weighted_objective()
    if energy is None or not (objective.energy or objective.co2):
        return plain
    until = max(
        energy.period, reference.makespan if reference is not None else 24 * round(1 / energy.hours_per_unit)
    )
    closed = [m.closed_windows() for m in data.machines]
    total, weight = 0.0, 0
    for k in range(until // energy.period + 1):
        t = k * energy.period + energy.period // 2
        num_open = sum(1 for windows in closed if not any(a <= t < b for a, b in windows))
        rate = objective.energy * energy.price_at(k) + objective.co2 * energy.co2_at(k)
        total += num_open * rate
        weight += num_open
    flat = (total / weight if weight else 0.0) * energy.hours_per_unit * FLAT_SCALE
    terms: list[cp_model.LinearExprT] = [plain]
    idle = sum(m.idle_power for m in data.machines)
    if idle:
        terms.append(round(flat * idle) * built.makespan)
    for (j_idx, o_idx), vars_ in built.ops.items():
        op = data.jobs[j_idx].operations[o_idx]
        for machine, (present, duration, _) in vars_.modes.items():
            mode = op.mode_on(machine)
            assert mode is not None
            coef = round(flat * (mode.power - data.machines[machine].idle_power) * duration)
            if coef and not isinstance(present, int):
                terms.append(coef * present)
    return sum(terms)  # type: ignore[return-value]


def machine_sequences(schedule: Schedule) -> dict[int, list[tuple[int, int]]]:
    """Per machine, its operations of non-zero length in start order."""
    by_machine: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
    for sop in schedule:
        if sop.end > sop.start:
            by_machine.setdefault(sop.machine, []).append((sop.start, sop.end, (sop.job, sop.operation)))
    return {m: [key for _, _, key in sorted(entries)] for m, entries in by_machine.items()}


def _fixed_assignment(data: ProblemData, schedule: Schedule) -> ProblemData:
    """``data`` with every operation reduced to the mode it runs in (unless a planned placement needs more)."""
    placed = schedule.as_dict()
    jobs = []
    for j_idx, job in enumerate(data.jobs):
        ops = []
        for o_idx, op in enumerate(job.operations):
            mode = op.mode_on(placed[(j_idx, o_idx)].machine)
            assert mode is not None
            if len(op.modes) > 1 and op.planned_machine in (None, mode.machine):
                op = dataclasses.replace(op, modes=(mode,))
            ops.append(op)
        jobs.append(dataclasses.replace(job, operations=tuple(ops)))
    return data.replace(jobs=tuple(jobs))


def retime_for_energy(
    data: ProblemData,
    schedule: Schedule,
    *,
    time_limit: float,
    num_workers: int,
    seed: int,
    parameters: dict[str, object] | None = None,
    register: Callable[[cp_model.CpSolver | None], bool] | None = None,
) -> Schedule:
    """Return ``schedule`` re-timed for the full objective, or ``schedule`` itself when that is not better.

    Parameters
    ----------
    data
        The problem.
    schedule
        A checker-clean schedule whose machine assignment and machine orders are kept.
    time_limit, num_workers, seed
        For CP-SAT.
    parameters
        Extra CP-SAT parameters.
    register
        Called with the solver before the solve (and None after), so the caller can stop it; returning
        False skips the solve.

    Returns
    -------
    Schedule
        A checker-clean schedule whose objective (by the checker) is at most that of ``schedule``.
    """
    before = check_solution(data, schedule)
    if not before.ok or before.objective is None or len(schedule.as_dict()) != data.num_operations:
        return schedule
    fixed = _fixed_assignment(data, schedule)
    cap = None
    if data.objective.makespan > 0 and not data.objective.lexicographic:
        cap = max(schedule.makespan, int(before.objective // data.objective.makespan))
    built = CpSatModel(
        fixed,
        makespan_cap=cap,
        sequences=machine_sequences(schedule),
        max_overlap_terms=MAX_TIMING_OVERLAP_TERMS,
    )
    # absent modes kept for a planned placement are fixed away
    placed = schedule.as_dict()
    for key, vars_ in built.ops.items():
        for machine, (present, _, _) in vars_.modes.items():
            if not isinstance(present, int):
                built.model.add(present == int(machine == placed[key].machine))
    if schedule.makespan > built.horizon:
        return schedule
    built.add_hint(schedule)
    built.model.minimize(built.weighted_objective())
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit)
    params.num_workers = num_workers
    params.random_seed = seed
    for name, value in (parameters or {}).items():
        setattr(params, name, value)
    if register is not None and not register(solver):
        return schedule
    try:
        code = solver.solve(built.model)
    finally:
        if register is not None:
            register(None)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return schedule
    retimed = built.schedule(solver)
    after = check_solution(data, retimed)
    if not after.ok or after.objective is None:
        logger.warning("energy re-timing produced a schedule the checker rejects: %s", after.violations[:2])
        return schedule
    if after.objective >= before.objective - 1e-9:
        return schedule
    logger.debug(
        "energy re-timing (%s model): objective %.4f -> %.4f",
        built.energy_model,
        before.objective,
        after.objective,
    )
    return retimed
