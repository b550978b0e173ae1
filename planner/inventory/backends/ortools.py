"""OR-Tools backend: the MIP through ``pywraplp`` with SCIP (default) or another bundled MIP solver."""

from __future__ import annotations

import logging
import math
import threading
from typing import Any

from planner.inventory.backends.base import MipOutcome
from planner.inventory.formulation import LinearModel

logger = logging.getLogger(__name__)


class OrToolsBackend:
    """Solve with OR-Tools' linear solver wrapper.

    Parameters
    ----------
    solver_id
        ``pywraplp`` solver id: ``SCIP`` (default; single-threaded, so ``num_threads`` does not change it),
        ``CP_SAT`` or ``CBC``.
    cpu_time
        Count SCIP's time limit in CPU seconds instead of wall-clock seconds (for benchmarks on a shared
        machine, where other processes would otherwise eat into the budget).
    """

    name = "ortools"

    def __init__(self, solver_id: str = "SCIP", cpu_time: bool = False):
        self.solver_id = solver_id
        self.cpu_time = cpu_time
        self._lock = threading.Lock()
        self._solver: Any = None
        self._stopped = False

    def stop(self) -> None:
        """Interrupt a running solve; it returns its best solution so far."""
        with self._lock:
            self._stopped = True
            if self._solver is not None:
                self._solver.InterruptSolve()

    def solve(
        self,
        lp: LinearModel,
        *,
        time_limit: float,
        num_threads: int = 2,
        seed: int = 1,
        mip_gap: float = 1e-6,
    ) -> MipOutcome:
        """Solve ``lp`` within ``time_limit`` seconds."""
        from ortools.linear_solver import pywraplp

        solver = pywraplp.Solver.CreateSolver(self.solver_id)
        if solver is None:
            return MipOutcome("unknown", None, None, None, f"solver {self.solver_id} not available")
        inf = solver.infinity()

        def fin(v: float) -> float:
            return v if math.isfinite(v) else (inf if v > 0 else -inf)

        variables = [
            solver.IntVar(fin(lo), fin(hi), nm) if isint else solver.NumVar(fin(lo), fin(hi), nm)
            for nm, lo, hi, isint in zip(lp.names, lp.lb, lp.ub, lp.integer, strict=True)
        ]
        for terms, lo, hi, nm in zip(lp.rows, lp.row_lb, lp.row_ub, lp.row_names, strict=True):
            ct = solver.Constraint(fin(lo), fin(hi), nm)
            for v, c in terms:
                ct.SetCoefficient(variables[v], c)
        obj = solver.Objective()
        for v, c in lp.objective.items():
            obj.SetCoefficient(variables[v], c)
        obj.SetOffset(lp.objective_offset)
        obj.SetMinimization()
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        if num_threads > 1 and self.solver_id != "SCIP":
            solver.SetNumThreads(num_threads)
        if self.solver_id == "SCIP":
            clock = "timing/clocktype = 1\n" if self.cpu_time else ""
            solver.SetSolverSpecificParametersAsString(f"randomization/randomseedshift = {seed}\n{clock}")
        elif self.solver_id == "CP_SAT":
            solver.SetSolverSpecificParametersAsString(f"random_seed: {seed}")
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, mip_gap)
        with self._lock:
            if self._stopped:
                return MipOutcome("unknown", None, None, None, "stopped before start")
            self._solver = solver
        try:
            code = solver.Solve(params)
        finally:
            with self._lock:
                self._solver = None
        names = {
            pywraplp.Solver.OPTIMAL: "optimal",
            pywraplp.Solver.FEASIBLE: "feasible",
            pywraplp.Solver.INFEASIBLE: "infeasible",
            pywraplp.Solver.UNBOUNDED: "unbounded",
            pywraplp.Solver.ABNORMAL: "abnormal",
            pywraplp.Solver.NOT_SOLVED: "not_solved",
        }
        word = names.get(code, str(code))
        logger.info("%s finished: %s", self.solver_id, word)
        has_solution = code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
        if not has_solution:
            status = "infeasible" if code == pywraplp.Solver.INFEASIBLE else "unknown"
            return MipOutcome(status, None, None, None, word)
        values = [v.solution_value() for v in variables]
        objective = obj.Value()
        bound = obj.BestBound()
        if code == pywraplp.Solver.OPTIMAL:
            bound = objective if not math.isfinite(bound) else bound
        return MipOutcome(
            "optimal" if code == pywraplp.Solver.OPTIMAL else "feasible", values, objective, bound, word
        )
