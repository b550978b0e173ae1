"""Tabu search on the critical path (N5) for job shops with a makespan objective; numba-compiled."""

from planner.scheduling.solvers.tabu.search import TabuSearch, available, warm_up

__all__ = ["TabuSearch", "available", "warm_up"]
