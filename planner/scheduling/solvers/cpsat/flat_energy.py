"""Energy at one flat rate: a cheap stand-in for the tariff terms in the warm start of an energy solve.

The exact energy terms (overlaps of every mode with the tariff runs) slow CP-SAT down on plants of a few
hundred operations. Priced at one flat rate, energy is linear in the mode literals and the makespan, so a
solve of the other terms plus this stand-in still prefers frugal modes and short idle time at the speed of
the plain model; the tariff's timing is left to the later stages (the exact model and the shifting of
:mod:`..energy_shift`).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.cpsat.model import CpSatModel

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
