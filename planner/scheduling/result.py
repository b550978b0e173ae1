"""The outcome of a solve: it never raises for "infeasible" or "time limit"."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from planner.scheduling.solution import Schedule


class SolveStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class KPIs:
    """Key figures of one schedule, recomputed by the checker."""

    makespan: int
    total_tardiness: int
    total_weighted_tardiness: int
    max_tardiness: int
    num_late_jobs: int
    total_setup_time: int
    utilisation: tuple[float, ...]
    """Busy (processing) time of each machine divided by the makespan."""
    energy_kwh: float = 0.0
    """Energy over ``[0, makespan)``: operations while they run, plus each machine's idle power while it is
    open (outside its closed windows and placed maintenance) and runs nothing."""
    energy_cost: float = 0.0
    """Cost of ``energy_kwh`` under the time-of-use tariff."""
    peak_power: float = 0.0
    """Highest summed power of running operations at any instant, kW (idle power not included)."""
    co2_kg: float = 0.0
    """CO2 of ``energy_kwh`` under the grid intensity per period."""
    num_moved: int = 0
    """Operations placed on another machine or at another start than their planned placement."""
    total_shift: int = 0
    """Sum of ``|start - planned_start|`` over the operations with a planned placement."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "makespan": self.makespan,
            "total_tardiness": self.total_tardiness,
            "total_weighted_tardiness": self.total_weighted_tardiness,
            "max_tardiness": self.max_tardiness,
            "num_late_jobs": self.num_late_jobs,
            "total_setup_time": self.total_setup_time,
            "utilisation": [round(u, 4) for u in self.utilisation],
            "energy_kwh": round(self.energy_kwh, 6),
            "energy_cost": round(self.energy_cost, 6),
            "peak_power": round(self.peak_power, 6),
            "co2_kg": round(self.co2_kg, 6),
            "num_moved": self.num_moved,
            "total_shift": self.total_shift,
        }

    def terms(self) -> dict[str, float]:
        """Values of the objective terms."""
        return {
            "makespan": self.makespan,
            "tardiness": self.total_weighted_tardiness,
            "setup": self.total_setup_time,
            "energy": self.energy_cost,
            "co2": self.co2_kg,
            "moved": self.num_moved,
            "shift": self.total_shift,
        }


@dataclass(frozen=True)
class Result:
    """Result of :func:`planner.scheduling.solve`.

    Parameters
    ----------
    status
        Optimal, feasible (found but not proven), infeasible or unknown (nothing found in time).
    objective
        Objective value of the schedule (None without a schedule).
    lower_bound
        Proven lower bound on the objective.
    runtime
        Wall-clock seconds.
    schedule
        The best schedule found (checked by the independent checker), or None.
    kpis
        KPIs of the schedule, recomputed by the checker.
    solver
        Name of the backend that produced it.
    num_solutions
        Number of improving solutions seen.
    """

    status: SolveStatus
    objective: float | None
    lower_bound: float
    runtime: float
    schedule: Schedule | None = None
    kpis: KPIs | None = None
    solver: str = ""
    num_solutions: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap ``(objective - bound) / objective``; 0 when optimal, inf without a schedule."""
        if self.objective is None:
            return math.inf
        if self.objective <= 0:
            return 0.0 if self.lower_bound >= self.objective else math.inf
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    @property
    def feasible(self) -> bool:
        return self.schedule is not None

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (what ``<name>.result.json`` holds)."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.lower_bound,
            "gap": None if math.isinf(self.gap) else round(self.gap, 6),
            "runtime": round(self.runtime, 3),
            "solver": self.solver,
            "num_solutions": self.num_solutions,
            "kpis": self.kpis.as_dict() if self.kpis else None,
        }
