"""An independent checker of production plans: it knows nothing about the solvers.

It recomputes inventory balance (with the components consumed by parents and the demand lost), capacity
use, safety stock, storage limits, lot rules and every cost term from the plan alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.inventory.plan import CostBreakdown, Plan
from planner.inventory.problem_data import LotSizingData


@dataclass(frozen=True)
class Violation:
    """One broken rule of a plan."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class PlanCheck:
    """What the checker found: violations (empty when feasible), costs and capacity use."""

    violations: tuple[Violation, ...]
    costs: CostBreakdown
    load: tuple[tuple[float, ...], ...]
    """Capacity used per resource (rows) and period, including setup times."""

    @property
    def ok(self) -> bool:
        return not self.violations


def check_plan(data: LotSizingData, plan: Plan, tol: float = 1e-5) -> PlanCheck:
    """Check a plan against the problem and recompute its cost.

    Parameters
    ----------
    data
        The problem.
    plan
        The plan to check.
    tol
        Absolute tolerance, scaled by the size of the quantities compared.

    Returns
    -------
    PlanCheck
        Violations (one per broken rule, item and period) and the recomputed costs.
    """
    out: list[Violation] = []
    n, num_periods = data.num_items, data.num_periods
    if (
        plan.num_items != n
        or plan.num_periods != num_periods
        or len(plan.overtime) not in (0, data.num_resources)
        or len(plan.lost) not in (0, n)
    ):
        out.append(
            Violation(
                "shape",
                f"plan has {plan.num_items} items x {plan.num_periods} periods, problem has {n} x {num_periods}",
            )
        )
        return PlanCheck(tuple(out), CostBreakdown(), ())
    dep = data.dependent_demand(plan.produce)
    setup_c = holding_c = backlog_c = ss_c = prod_c = ot_c = lost_c = 0.0
    load = [[0.0] * num_periods for _ in range(data.num_resources)]
    for i, item in enumerate(data.items):
        prev_inv, prev_back = item.initial_inventory, 0.0
        for t in range(num_periods):
            x, y = plan.produce[i][t], plan.setup[i][t]
            s, b = plan.inventory[i][t], plan.backlog[i][t]
            where = f"item {i} ({item.name!r}) period {t}"
            if x < -tol or s < -tol or b < -tol:
                out.append(Violation("nonnegative", f"{where}: negative quantity"))
            if y not in (0, 1):
                out.append(Violation("setup", f"{where}: setup must be 0 or 1, got {y}"))
            if x > tol and y == 0:
                out.append(Violation("setup", f"{where}: produces {x:g} without a setup"))
            if b > tol and item.backlog_penalty is None:
                out.append(Violation("backlog", f"{where}: backlog {b:g} but the item allows none"))
            lost = plan.lost_at(i, t)
            if lost < -tol:
                out.append(Violation("nonnegative", f"{where}: negative lost sales {lost:g}"))
            elif lost > tol and item.lost_sales_penalty is None:
                out.append(
                    Violation("lost_sales", f"{where}: loses {lost:g} of demand but the item allows none")
                )
            elif lost > item.demand[t] + tol * max(1.0, item.demand[t]):
                # Only external demand can be lost; parents' needs for a component must be met.
                out.append(
                    Violation(
                        "lost_sales", f"{where}: loses {lost:g}, more than the demand {item.demand[t]:g}"
                    )
                )
            need = item.demand[t] - lost + dep[i][t]
            lhs = prev_inv - prev_back + x
            rhs = need + s - b
            if abs(lhs - rhs) > tol * max(1.0, abs(lhs), abs(rhs)):
                out.append(
                    Violation(
                        "balance",
                        f"{where}: stock {prev_inv:g} - backlog {prev_back:g} + produced {x:g} "
                        f"!= demand {need:g} (after {lost:g} lost) + stock {s:g} - backlog {b:g}",
                    )
                )
            ss = item.safety_stock_at(t)
            short = max(0.0, ss - s)
            if short > tol * max(1.0, ss):
                if item.safety_stock_penalty is None:
                    out.append(Violation("safety_stock", f"{where}: stock {s:g} below safety stock {ss:g}"))
                else:
                    ss_c += item.safety_stock_penalty * short
            if item.max_inventory is not None and s > item.max_inventory + tol * max(1.0, s):
                out.append(
                    Violation("max_inventory", f"{where}: stock {s:g} above the limit {item.max_inventory:g}")
                )
            if x > tol and item.min_lot > 0 and x < item.min_lot - tol * max(1.0, item.min_lot):
                out.append(Violation("min_lot", f"{where}: lot {x:g} below the minimum {item.min_lot:g}"))
            if item.lot_multiple > 0 and x > tol:
                k = x / item.lot_multiple
                if abs(k - round(k)) > 1e-6 * max(1.0, k):
                    out.append(
                        Violation(
                            "lot_multiple", f"{where}: lot {x:g} is not a multiple of {item.lot_multiple:g}"
                        )
                    )
            if item.resource is not None:
                load[item.resource][t] += item.unit_time * x + (item.setup_time if y else 0.0)
            setup_c += item.setup_cost * (1 if y else 0)
            holding_c += item.holding_cost * max(0.0, s)
            backlog_c += (item.backlog_penalty or 0.0) * max(0.0, b)
            prod_c += item.production_cost * max(0.0, x)
            lost_c += (item.lost_sales_penalty or 0.0) * max(0.0, lost)
            prev_inv, prev_back = s, b
    for r, res in enumerate(data.resources):
        for t in range(num_periods):
            ot = plan.overtime[r][t] if plan.overtime else 0.0
            where = f"resource {r} ({res.name!r}) period {t}"
            if ot < -tol or ot > res.overtime_at(t) + tol * max(1.0, ot):
                out.append(
                    Violation("overtime", f"{where}: overtime {ot:g} outside [0, {res.overtime_at(t):g}]")
                )
            if load[r][t] > res.capacity[t] + max(0.0, ot) + tol * max(1.0, load[r][t]):
                out.append(
                    Violation(
                        "capacity",
                        f"{where}: load {load[r][t]:g} exceeds capacity {res.capacity[t]:g} + overtime {ot:g}",
                    )
                )
            ot_c += res.overtime_cost * max(0.0, ot)
    if data.max_total_inventory is not None:
        for t in range(num_periods):
            total = sum(plan.inventory[i][t] for i in range(n))
            if total > data.max_total_inventory + tol * max(1.0, total):
                out.append(
                    Violation(
                        "storage",
                        f"period {t}: total stock {total:g} above the storage limit {data.max_total_inventory:g}",
                    )
                )
    costs = CostBreakdown(
        setup=setup_c,
        holding=holding_c,
        backlog=backlog_c,
        safety_stock=ss_c,
        overtime=ot_c,
        production=prod_c,
        lost_sales=lost_c,
    )
    return PlanCheck(tuple(out), costs, tuple(tuple(row) for row in load))
