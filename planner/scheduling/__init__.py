"""Shop-floor scheduling: the flexible job shop with setups, calendars, pinned and resumable operations,
maintenance to place, and energy (time-of-use cost, CO2, a peak-power limit).

The public surface: :class:`ProblemData` and its parts, :class:`Model` (a builder), :func:`solve`,
:func:`check_solution`, :class:`Result` and :class:`Schedule`.
"""

from planner.scheduling.check import CheckReport, Violation, check_solution
from planner.scheduling.model import Model
from planner.scheduling.problem_data import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
)
from planner.scheduling.result import KPIs, Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation
from planner.scheduling.solve import Solver, solve
from planner.scheduling.solvers.base import Progress

__all__ = [
    "CheckReport",
    "Energy",
    "Job",
    "KPIs",
    "Machine",
    "MaintenanceTask",
    "Mode",
    "Model",
    "Objective",
    "Operation",
    "ProblemData",
    "Progress",
    "Result",
    "Schedule",
    "ScheduledMaintenance",
    "ScheduledOperation",
    "SolveStatus",
    "Solver",
    "Violation",
    "check_solution",
    "solve",
]
