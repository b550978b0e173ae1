"""Shop-floor scheduling: the flexible job shop with setups, calendars and pinned operations.

The public surface: :class:`ProblemData` and its parts, :class:`Model` (a builder), :func:`solve`,
:func:`check_solution`, :class:`Result` and :class:`Schedule`.
"""

from planner.scheduling.check import CheckReport, Violation, check_solution
from planner.scheduling.model import Model
from planner.scheduling.problem_data import Job, Machine, Mode, Objective, Operation, ProblemData
from planner.scheduling.result import KPIs, Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledOperation
from planner.scheduling.solve import Solver, solve
from planner.scheduling.solvers.base import Progress

__all__ = [
    "CheckReport",
    "Job",
    "KPIs",
    "Machine",
    "Mode",
    "Model",
    "Objective",
    "Operation",
    "ProblemData",
    "Progress",
    "Result",
    "Schedule",
    "ScheduledOperation",
    "SolveStatus",
    "Solver",
    "Violation",
    "check_solution",
    "solve",
]
