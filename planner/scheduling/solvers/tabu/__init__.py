"""Tabu search on the critical path for (flexible) job shops with a makespan objective; numba-compiled."""

from planner.scheduling.solvers.tabu.flexible import FlexibleTabuSearch
from planner.scheduling.solvers.tabu.search import TabuSearch, available, warm_up

__all__ = ["FlexibleTabuSearch", "TabuSearch", "available", "warm_up"]
