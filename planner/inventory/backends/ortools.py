"""OR-Tools backend: the MIP through ``pywraplp`` with SCIP (default) or another bundled MIP solver."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import Any

from planner.inventory.backends.base import MipOutcome
from planner.inventory.formulation import LinearModel

logger = logging.getLogger(__name__)

_STATUS_WORDS = {0: "optimal", 1: "feasible", 2: "infeasible", 3: "unbounded", 4: "abnormal", 6: "not_solved"}

PORTFOLIO: tuple[str, ...] = ("", "separating/maxrounds = 0\n")
"""SCIP settings of a two-member portfolio (opt-in: ``OrToolsBackend(portfolio=PORTFOLIO)``): plain SCIP,
then SCIP without cutting rounds outside the root (more nodes per second, another search path); member
``k`` also adds ``k`` to the random seed. Measured on the Trigeiro G set at 30 CPU-s per thread it fixed
four instances and lost five against one plain SCIP run, so it is not the default."""

SUB_MIP_SETTINGS = "separating/maxroundsroot = 5\nseparating/maxrounds = 0\n"
"""SCIP settings of fix-and-optimise's sub-MIPs: few cutting rounds (on G44's windows of 12 and 24 free
setups, SCIP's default rounds took 4-7 times as long to the same optimum)."""


class OrToolsBackend:
    """Solve with OR-Tools' linear solver wrapper.

    Parameters
    ----------
    solver_id
        ``pywraplp`` solver id: ``SCIP`` (default; single-threaded, so ``num_threads > 1`` only matters
        with a ``portfolio`` of several members), ``CP_SAT`` or ``CBC`` (which take ``num_threads``).
    cpu_time
        Count SCIP's time limit in CPU seconds instead of wall-clock seconds (for benchmarks on a shared
        machine, where other processes would otherwise eat into the budget).
        SCIP's CPU clock counts the whole process, so a portfolio of ``k`` members gets ``k`` times the
        limit in CPU seconds: ``time_limit`` on each thread.
    polish
        Share of the time limit (0 switches it off) given at the end to fix-and-optimise when the plain
        MIP run before it (the rest of the limit) neither proves optimality nor fails: sub-MIPs that free one
        window of periods or block of items (:mod:`planner.inventory.fix_optimise`) while every other
        setup keeps its value in the incumbent, each started from the incumbent; improvements are kept.
        The bound stays the MIP run's. Only models that mark their setup variables take part.
    polish_target
        About how many setups each sub-MIP frees at first (1.5 times more after a pass without gain).
    polish_window
        Seconds (of the same clock as the limit) at most per sub-MIP.
    portfolio
        SCIP settings (parameter-file lines) of the members of a portfolio: with ``num_threads > 1``, SCIP
        (single-threaded itself) runs once per thread, up to one run per member, each with its own settings
        and seed ``seed + k``, all on the same model at the same time. The best plan wins, the highest bound
        counts and a proof by any member ends them all. Not combined with ``polish``. Default: one member,
        plain SCIP (so ``num_threads`` does not change SCIP); :data:`PORTFOLIO` is a two-member one.
    """

    name = "ortools"

    def __init__(
        self,
        solver_id: str = "SCIP",
        cpu_time: bool = False,
        polish: float = 0.0,
        polish_target: int = 48,
        polish_window: float = 2.0,
        portfolio: Sequence[str] = ("",),
    ):
        if not 0.0 <= polish < 1.0:
            raise ValueError(f"polish must be in [0, 1), got {polish}")
        if polish_target < 1 or polish_window <= 0:
            raise ValueError(
                f"polish_target must be >= 1 and polish_window > 0, got {polish_target} and {polish_window}"
            )
        self.solver_id = solver_id
        self.cpu_time = cpu_time
        self.polish = polish
        self.polish_target = polish_target
        self.polish_window = polish_window
        if not portfolio:
            raise ValueError(
                "portfolio must name at least one member's settings (an empty string for plain SCIP)"
            )
        self.portfolio = tuple(portfolio)
        self._lock = threading.Lock()
        self._solver: Any = None
        self._members: list[Any] = []
        self._stopped = False

    def stop(self) -> None:
        """Interrupt a running solve; it returns its best solution so far."""
        with self._lock:
            self._stopped = True
            if self._solver is not None:
                self._solver.InterruptSolve()
            for member in self._members:
                member.InterruptSolve()

    def _clock(self) -> float:
        return time.process_time() if self.cpu_time else time.perf_counter()

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

        built = self.build(lp)
        if built is None:
            return MipOutcome("unknown", None, None, None, f"solver {self.solver_id} not available")
        solver, variables = built
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, mip_gap)
        num_members = min(num_threads, len(self.portfolio)) if self.solver_id == "SCIP" else 1
        if num_members > 1 and self.polish == 0:
            return self._solve_portfolio(solver, params, time_limit, num_members, seed, mip_gap)
        if self.polish > 0 and lp.setup_period and num_threads > 1 and self.solver_id == "SCIP":
            return self._solve_portfolio(solver, params, time_limit, 2, seed, mip_gap, polish_lp=lp)
        self._configure(solver, num_threads, seed, self.portfolio[0])
        with self._lock:
            if self._stopped:
                return MipOutcome("unknown", None, None, None, "stopped before start")
            self._solver = solver
        try:
            if self.polish > 0 and lp.setup_period:
                return self._solve_polished(solver, variables, lp, params, time_limit, num_threads, seed)
            code = self._run(solver, params, time_limit)
            return self._outcome(solver, variables, code)
        finally:
            with self._lock:
                self._solver = None

    def build(self, lp: LinearModel) -> tuple[Any, list[Any]] | None:
        """A ``pywraplp`` solver holding ``lp`` and its variables (None if the solver is not available)."""
        from ortools.linear_solver import pywraplp

        solver = pywraplp.Solver.CreateSolver(self.solver_id)
        if solver is None:
            return None
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
        return solver, variables

    def _configure(self, solver: Any, num_threads: int, seed: int, settings: str = "") -> None:
        if num_threads > 1 and self.solver_id != "SCIP":
            solver.SetNumThreads(num_threads)
        if self.solver_id == "SCIP":
            clock = "timing/clocktype = 1\n" if self.cpu_time else ""
            solver.SetSolverSpecificParametersAsString(
                f"randomization/randomseedshift = {seed}\n{clock}{settings}"
            )
        elif self.solver_id == "CP_SAT":
            solver.SetSolverSpecificParametersAsString(f"random_seed: {seed}")

    def _run(self, solver: Any, params: Any, seconds: float) -> int:
        solver.SetTimeLimit(max(1, int(seconds * 1000)))
        code = int(solver.Solve(params))
        logger.info("%s finished: %s", self.solver_id, _STATUS_WORDS.get(code, str(code)))
        return code

    def _outcome(self, solver: Any, variables: list[Any], code: int) -> MipOutcome:
        word = _STATUS_WORDS.get(code, str(code))
        if code not in (0, 1):  # neither optimal nor feasible
            return MipOutcome("infeasible" if code == 2 else "unknown", None, None, None, word)
        obj = solver.Objective()
        objective, bound = obj.Value(), obj.BestBound()
        if code == 0 and not math.isfinite(bound):
            bound = objective
        values = [v.solution_value() for v in variables]
        return MipOutcome("optimal" if code == 0 else "feasible", values, objective, bound, word)

    def _solve_portfolio(
        self,
        solver: Any,
        params: Any,
        time_limit: float,
        num_members: int,
        seed: int,
        mip_gap: float,
        polish_lp: LinearModel | None = None,
    ) -> MipOutcome:
        """Run ``num_members`` differently configured SCIP solves of the same model side by side (one
        thread each: ``Solve`` releases the GIL); the first proof interrupts the others. With
        ``polish_lp`` (the model, for its setups), the last member polishes its plan by fix-and-optimise
        (:meth:`_solve_polished`) for the ``polish`` share of the limit."""
        from ortools.linear_solver import linear_solver_pb2, pywraplp

        start = time.perf_counter()
        proto = linear_solver_pb2.MPModelProto()
        solver.ExportModelToProto(proto)
        members = [solver]
        for _ in range(1, num_members):
            sub = pywraplp.Solver.CreateSolver(self.solver_id)
            if sub is None or sub.LoadModelFromProto(proto):
                return MipOutcome("unknown", None, None, None, "could not copy the model for the portfolio")
            members.append(sub)
        for k, member in enumerate(members):
            self._configure(member, 1, seed + k, self.portfolio[k if polish_lp is None else 0])
        # SCIP's CPU clock counts the whole process, so with the CPU clock each member's limit is the CPU
        # time of all threads together: the same budget as time_limit seconds on each thread.
        seconds = time_limit * num_members if self.cpu_time else time_limit - (time.perf_counter() - start)
        outcomes: list[MipOutcome | None] = [None] * num_members
        abort = threading.Event()

        def run(k: int) -> None:
            try:
                if polish_lp is not None and k == num_members - 1:
                    outcomes[k] = self._solve_polished(
                        members[k], members[k].variables(), polish_lp, params, seconds, 1, seed + k, abort
                    )
                    return
                outcomes[k] = self._outcome(
                    members[k], members[k].variables(), self._run(members[k], params, seconds)
                )
            except Exception as exc:  # a member's failure must not lose the others' plans
                logger.warning("portfolio member %d failed: %s", k, exc)
                outcomes[k] = MipOutcome("unknown", None, None, None, f"member failed: {exc}")

        threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(num_members)]
        with self._lock:
            if self._stopped:
                return MipOutcome("unknown", None, None, None, "stopped before start")
            self._members = members
        try:
            for thread in threads:
                thread.start()
            # Interrupt again while anyone runs: a member may not have entered Solve when the proof came.
            while any(thread.is_alive() for thread in threads):
                next(thread for thread in threads if thread.is_alive()).join(0.05)
                if self._stopped or any(
                    o is not None and o.status in ("optimal", "infeasible") for o in outcomes
                ):
                    abort.set()
                    for k, thread in enumerate(threads):
                        if thread.is_alive():
                            members[k].InterruptSolve()
                    with self._lock:
                        if polish_lp is not None and self._solver is not None:
                            self._solver.InterruptSolve()  # the polishing member's current sub-MIP
        finally:
            with self._lock:
                self._members = []
                self._solver = None
        return combine_outcomes([o for o in outcomes if o is not None], mip_gap)

    def _solve_polished(
        self,
        solver: Any,
        variables: list[Any],
        lp: LinearModel,
        params: Any,
        time_limit: float,
        num_threads: int,
        seed: int,
        abort: threading.Event | None = None,
    ) -> MipOutcome:
        """The MIP for ``1 - polish`` of the limit, then fix-and-optimise on its incumbent to the end (or
        until ``abort`` is set)."""
        start = self._clock()
        first = self._outcome(solver, variables, self._run(solver, params, (1 - self.polish) * time_limit))
        if (
            first.status in ("optimal", "infeasible")
            or self._stopped
            or (abort is not None and abort.is_set())
        ):
            return first
        if first.values is None:
            rest = time_limit - (self._clock() - start)
            if rest > 0.5:  # nothing found yet: no incumbent to polish, go on with the plain MIP
                return self._outcome(solver, variables, self._run(solver, params, rest))
            return first
        from ortools.linear_solver import linear_solver_pb2

        # Each sub-MIP gets a fresh solver loaded from the model's proto: solving a changed model again in
        # place made SCIP fail in a propagator (prop_genvbounds, error -1).
        proto = linear_solver_pb2.MPModelProto()
        solver.ExportModelToProto(proto)
        return self.fix_and_optimise(
            proto, lp, first, params, start + time_limit, num_threads=num_threads, seed=seed, abort=abort
        )

    def fix_and_optimise(
        self,
        proto: Any,
        lp: LinearModel,
        incumbent: MipOutcome,
        params: Any,
        until: float,
        *,
        num_threads: int = 1,
        seed: int = 1,
        abort: threading.Event | None = None,
    ) -> MipOutcome:
        """Improve ``incumbent`` (values of ``lp``, exported to the MPModelProto ``proto``) by sub-MIPs until
        this backend's clock reads ``until``, :meth:`stop` is called or ``abort`` is set.

        Each sub-MIP frees one neighbourhood of setups (:func:`~planner.inventory.fix_optimise.neighbourhoods`),
        fixes every other setup to the incumbent and starts from it; an improvement becomes the incumbent.
        A pass without one makes the neighbourhoods 1.5 times larger. The bound stays ``incumbent``'s (a
        sub-MIP proves nothing about the whole model unless it frees every setup), so the plan is optimal
        only when it meets that bound or such a sub-MIP proved it.
        """
        from ortools.linear_solver import pywraplp

        from planner.inventory.fix_optimise import neighbourhoods

        assert incumbent.values is not None and incumbent.objective is not None
        best, best_obj = incumbent.values, float(incumbent.objective)
        first_obj = best_obj
        target = self.polish_target
        num_setups = len(lp.setup_period)
        num_windows = num_better = 0
        proven = failed = False

        def halted() -> bool:
            return self._stopped or (abort is not None and abort.is_set())

        while not (halted() or proven or failed) and until - self._clock() >= 0.2:
            improved = False
            for free in neighbourhoods(lp.setup_period, lp.setup_item, target):
                left = until - self._clock()
                if left < 0.2 or halted():
                    break
                sub = pywraplp.Solver.CreateSolver(self.solver_id)
                if sub is None or sub.LoadModelFromProto(proto):
                    logger.warning("fix-and-optimise: could not load the model into a new solver")
                    failed = True
                    break
                self._configure(sub, num_threads, seed + num_windows, SUB_MIP_SETTINGS)
                sub_vars = sub.variables()
                for v in lp.setup_period:
                    if v not in free:
                        fixed = float(round(best[v]))
                        sub_vars[v].SetBounds(fixed, fixed)
                sub.SetHint(sub_vars, best)
                with self._lock:
                    if halted():
                        break
                    self._solver = sub
                c0 = self._clock()
                out = self._outcome(sub, sub_vars, self._run(sub, params, min(left, self.polish_window)))
                logger.debug(
                    "sub-MIP %d: %d setups free, %s %s in %.2f s (incumbent %.6g)",
                    num_windows,
                    len(free),
                    out.status,
                    out.objective,
                    self._clock() - c0,
                    best_obj,
                )
                num_windows += 1
                if out.values is not None and out.objective is not None and out.objective < best_obj - 1e-6:
                    best, best_obj = out.values, out.objective
                    improved = True
                    num_better += 1
                if out.status == "optimal" and len(free) == num_setups:
                    proven = True  # the whole model was free: its optimum is the optimum
                    break
            if not improved:
                if target >= num_setups:
                    break
                target = min(num_setups, math.ceil(1.5 * target))
        logger.info(
            "fix-and-optimise: %d sub-MIPs, %d better, %.6g -> %.6g",
            num_windows,
            num_better,
            first_obj,
            best_obj,
        )
        bound = best_obj if proven else incumbent.bound
        done = proven or (bound is not None and best_obj - bound <= 1e-6 * max(1.0, abs(best_obj)))
        word = (
            f"{incumbent.solver_status}; fix-and-optimise {first_obj:.6g} -> {best_obj:.6g} "
            f"in {num_windows} sub-MIPs"
        )
        return MipOutcome("optimal" if done else "feasible", best, best_obj, bound, word)


def combine_outcomes(outcomes: Sequence[MipOutcome], mip_gap: float = 1e-6) -> MipOutcome:
    """The outcome of a portfolio: the best plan of its members, the highest of their bounds (each is
    valid), optimal when a member proved it or the best plan meets the best bound within ``mip_gap``."""
    if any(o.status == "infeasible" for o in outcomes):
        return next(o for o in outcomes if o.status == "infeasible")
    words = "; ".join(f"member {k}: {o.solver_status} {o.objective}" for k, o in enumerate(outcomes))
    solved = [o for o in outcomes if o.values is not None and o.objective is not None]
    if not solved:
        return MipOutcome("unknown", None, None, None, words)
    best = min(solved, key=lambda o: float(o.objective or 0.0))
    objective = float(best.objective or 0.0)
    bounds = [o.bound for o in solved if o.bound is not None and math.isfinite(o.bound)]
    bound = min(objective, max(bounds)) if bounds else None
    proven = any(o.status == "optimal" for o in solved) or (
        bound is not None and objective - bound <= mip_gap * max(1.0, abs(objective))
    )
    return MipOutcome("optimal" if proven else "feasible", best.values, objective, bound, words)
