"""OR-Tools CP-SAT backend of the scheduler."""

from planner.scheduling.solvers.cpsat.backend import CpSatBackend

__all__ = ["CpSatBackend"]
