"""Tabu search on the critical path for (flexible) job shops with a makespan objective; numba-compiled."""

from planner.scheduling.solvers.tabu.flexible import FlexibleTabuSearch, warm_up_flexible
from planner.scheduling.solvers.tabu.search import TabuSearch, available, warm_up

__all__ = ["FlexibleTabuSearch", "TabuSearch", "available", "compile_kernels", "warm_up"]


def compile_kernels() -> float:
    """Compile (or load from numba's cache) the job-shop and flexible kernels; returns the seconds.

    The first solve of a fresh install otherwise pays the compilation inside its time limit (measured 34 s
    of a 60-s solve of mk10); ``make install`` and the Docker build call this once (``python -m
    planner.scheduling.solvers.tabu``) so that every later process loads the cached machine code.
    """
    return warm_up() + warm_up_flexible()
