"""The lot-sizing facade: build the MIP, run a backend, check the plan, explain shortfalls."""

from __future__ import annotations

import logging
import time
from typing import Any

from planner.inventory.backends.base import Backend, make_backend
from planner.inventory.check import check_plan
from planner.inventory.formulation import build_model
from planner.inventory.plan import LotSizingResult, Plan, PlanStatus, Shortfall
from planner.inventory.problem_data import LotSizingData

logger = logging.getLogger(__name__)


class Solver:
    """A lot-sizing solver bound to one backend; :meth:`stop` may be called from another thread.

    Parameters
    ----------
    backend
        ``ortools`` (SCIP through OR-Tools, the default) or ``pulp`` (CBC through PuLP).
    **options
        Passed to the backend's constructor (e.g. ``cpu_time=True`` for ``ortools``).
    """

    def __init__(self, backend: str = "ortools", **options: Any):
        self.backend_name = backend
        self._backend: Backend = make_backend(backend, **options)

    def stop(self) -> None:
        """Ask a running :meth:`solve` to return its best plan so far."""
        self._backend.stop()

    def solve(
        self,
        data: LotSizingData,
        *,
        time_limit: float = 10.0,
        num_threads: int = 2,
        seed: int = 1,
        mip_gap: float = 1e-6,
        facility_location: bool = True,
    ) -> LotSizingResult:
        """Solve ``data``.

        Parameters
        ----------
        data
            The problem.
        time_limit
            Wall-clock limit in seconds for the MIP solver.
        num_threads
            Threads for the MIP solver (SCIP is single-threaded: only an OR-Tools backend created with a
            ``portfolio`` of several members runs that many SCIP solves side by side).
        seed
            Random seed of the MIP solver.
        mip_gap
            Relative gap at which the solver may stop and call the plan optimal.
        facility_location
            Use the facility-location strengthening (switch off only to measure what it buys).

        Returns
        -------
        LotSizingResult
            Status, objective (recomputed by the checker), bound, plan, costs and shortfalls.
        """
        start = time.perf_counter()
        model = build_model(data, facility_location=facility_location)
        build_s = time.perf_counter() - start
        outcome = self._backend.solve(
            model.lp,
            time_limit=max(0.1, time_limit - build_s),
            num_threads=num_threads,
            seed=seed,
            mip_gap=mip_gap,
        )
        runtime = time.perf_counter() - start
        stats: dict[str, Any] = {
            "num_variables": model.lp.num_vars,
            "num_constraints": model.lp.num_rows,
            "facility_location_items": model.num_fl_items,
            "solver_objective": outcome.objective,
            "build_seconds": round(build_s, 3),
        }
        if outcome.values is None:
            status = PlanStatus.INFEASIBLE if outcome.status == "infeasible" else PlanStatus.UNKNOWN
            explanation: tuple[str, ...] = ()
            if status is PlanStatus.INFEASIBLE:
                explanation = (
                    "no plan meets every hard limit (capacity, safety stock, storage, no-backlog items); "
                    "allow backlog (backlog_penalty), lost sales (lost_sales_penalty) or overtime, "
                    "or make the safety stock soft",
                )
            return LotSizingResult(
                status,
                None,
                outcome.bound,
                runtime,
                self.backend_name,
                solver_status=outcome.solver_status,
                explanation=explanation,
                stats=stats,
            )
        plan = model.plan_from(outcome.values)
        check = check_plan(data, plan)
        if not check.ok:
            logger.warning("plan from %s fails the checker: %s", self.backend_name, check.violations[:3])
            stats["checker_violations"] = [str(v) for v in check.violations[:10]]
        objective = check.costs.total
        bound = outcome.bound
        if bound is not None and bound > objective:
            bound = objective
        status = PlanStatus.OPTIMAL if outcome.status == "optimal" else PlanStatus.FEASIBLE
        shortfalls = find_shortfalls(data, plan)
        return LotSizingResult(
            status=status,
            objective=objective,
            bound=bound,
            runtime=runtime,
            backend=self.backend_name,
            plan=plan,
            costs=check.costs,
            shortfalls=shortfalls,
            explanation=explain_shortfalls(data, plan, shortfalls, check.load),
            solver_status=outcome.solver_status,
            stats=stats,
        )


def solve(
    data: LotSizingData,
    *,
    time_limit: float = 10.0,
    num_threads: int = 2,
    seed: int = 1,
    backend: str = "ortools",
    mip_gap: float = 1e-6,
    facility_location: bool = True,
) -> LotSizingResult:
    """Solve a lot-sizing problem with the named backend; see :meth:`Solver.solve`."""
    return Solver(backend).solve(
        data,
        time_limit=time_limit,
        num_threads=num_threads,
        seed=seed,
        mip_gap=mip_gap,
        facility_location=facility_location,
    )


def find_shortfalls(data: LotSizingData, plan: Plan, tol: float = 1e-6) -> tuple[Shortfall, ...]:
    """List late demand (backlog), demand still open at the end, lost demand and stock below the safety
    stock."""
    out: list[Shortfall] = []
    last = data.num_periods - 1
    for i, item in enumerate(data.items):
        for t in range(data.num_periods):
            b = plan.backlog[i][t]
            if b > tol:
                out.append(Shortfall(i, t, b, "unmet" if t == last else "late"))
            lost = plan.lost_at(i, t)
            if lost > tol:
                out.append(Shortfall(i, t, lost, "lost"))
            short = item.safety_stock_at(t) - plan.inventory[i][t]
            if short > tol:
                out.append(Shortfall(i, t, short, "safety_stock"))
    return tuple(out)


def explain_shortfalls(
    data: LotSizingData,
    plan: Plan,
    shortfalls: tuple[Shortfall, ...],
    load: tuple[tuple[float, ...], ...],
) -> tuple[str, ...]:
    """Say in words what cannot be met, and which resources are full when it happens."""
    if not shortfalls:
        return ()
    lines: list[str] = []
    for i, item in enumerate(data.items):
        late = [s for s in shortfalls if s.item == i and s.kind == "late"]
        unmet = [s for s in shortfalls if s.item == i and s.kind == "unmet"]
        ss = [s for s in shortfalls if s.item == i and s.kind == "safety_stock"]
        lost = [s for s in shortfalls if s.item == i and s.kind == "lost"]
        if late:
            periods = ", ".join(str(s.period) for s in late)
            lines.append(
                f"item {item.name!r}: demand is late in periods {periods} "
                f"(largest backlog {max(s.quantity for s in late):g} units)"
            )
        if unmet:
            lines.append(
                f"item {item.name!r}: {unmet[0].quantity:g} units of demand remain unmet at the end of the horizon"
            )
        if lost:
            periods = ", ".join(str(s.period) for s in lost)
            lines.append(
                f"item {item.name!r}: {sum(s.quantity for s in lost):g} units of demand are lost "
                f"in periods {periods}"
            )
        if ss:
            lines.append(
                f"item {item.name!r}: stock below safety stock in {len(ss)} periods "
                f"(largest shortfall {max(s.quantity for s in ss):g} units)"
            )
    full = []
    for r, res in enumerate(data.resources):
        for t in range(data.num_periods):
            avail = res.capacity[t] + res.overtime_at(t)
            if avail > 0 and load[r][t] >= avail * (1 - 1e-6):
                full.append(f"{res.name or r} in period {t}")
    if full:
        lines.append("capacity is fully used: " + ", ".join(full[:20]) + (" ..." if len(full) > 20 else ""))
    total_demand = sum(sum(item.demand) for item in data.items)
    unmet_total = sum(s.quantity for s in shortfalls if s.kind in ("unmet", "lost"))
    if unmet_total > 0:
        lines.append(
            f"in total {unmet_total:g} of {total_demand:g} units of demand cannot be delivered in the horizon"
        )
    return tuple(lines)
