"""The lot-sizing MIP, written once as a solver-neutral linear model that each backend translates.

The model is the classic inventory-balance formulation (production ``x``, setup ``y``, stock ``s``,
backlog ``b`` or lost sales ``l``, overtime ``o``) with tight setup-forcing bounds
``x[i,t] <= M[i,t] * y[i,t]``, where ``M`` is the smaller of what capacity allows and what is still needed (plus one minimum lot or lot multiple).

Every item whose requirement is fixed in advance (not a component, no backlog or lost sales, hard safety
stock) gets the
facility-location reformulation (Krarup & Bilde 1977): ``z[i,t,k]`` is the part of period ``k``'s net
requirement produced in period ``t``, with ``z[i,t,k] <= r[i,k] * y[i,t]``. Its LP relaxation equals the
convex hull of the uncapacitated single-item problem (all (l,S) inequalities). Without lot rules the
item is modelled by ``z`` and ``y`` alone (``x`` and ``s`` become expressions), which is what lets SCIP
reach the literature optima of the Trigeiro instances; with lot rules ``z`` is linked to ``x``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.inventory.plan import Plan, as_flags, as_grid
from planner.inventory.problem_data import LotSizingData

_EPS = 1e-7


@dataclass
class LinearModel:
    """A MIP in sparse rows: ``row_lb <= sum(coef * var) <= row_ub``; minimise ``objective``."""

    names: list[str] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[list[tuple[int, float]]] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    objective: dict[int, float] = field(default_factory=dict)
    objective_offset: float = 0.0
    setup_period: dict[int, int] = field(default_factory=dict)
    """Period of each setup variable (what the window heuristics fix and free)."""
    setup_item: dict[int, int] = field(default_factory=dict)
    """Item of each setup variable."""

    def var(
        self, name: str, lb: float = 0.0, ub: float = math.inf, integer: bool = False, cost: float = 0.0
    ) -> int:
        """Add a variable and return its index."""
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(integer)
        idx = len(self.names) - 1
        if cost:
            self.objective[idx] = cost
        return idx

    def row(
        self, name: str, terms: Sequence[tuple[int, float]], lb: float = -math.inf, ub: float = math.inf
    ) -> None:
        """Add a constraint ``lb <= sum(terms) <= ub``."""
        self.rows.append([(v, c) for v, c in terms if c != 0.0])
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        self.row_names.append(name)

    @property
    def num_vars(self) -> int:
        return len(self.names)

    @property
    def num_rows(self) -> int:
        return len(self.rows)


Expr = tuple[list[tuple[int, float]], float]
"""A linear expression: terms (variable index, coefficient) and a constant."""


def _value(expr: Expr, values: Sequence[float]) -> float:
    terms, const = expr
    return const + sum(c * float(values[v]) for v, c in terms)


@dataclass
class LotSizingModel:
    """The linear model and where each plan quantity lives in it (as expressions over the variables)."""

    data: LotSizingData
    lp: LinearModel
    x: list[list[Expr]]
    y: list[list[int]]
    num_fl_items: int = 0
    lost: list[list[int | None]] = field(default_factory=list)
    """Variable of the demand lost per item and period (None where demand cannot be lost)."""

    def plan_from(self, values: Sequence[float]) -> Plan:
        """Read a plan from variable values: production is rounded, stock, backlog, setups and overtime
        are recomputed from it so that the balance holds exactly (solvers only meet their tolerance)."""

        def val(expr: Expr) -> float:
            v = _value(expr, values)
            r = round(v)
            return float(r) if abs(v - r) < 1e-6 * max(1.0, abs(v)) else v

        data = self.data
        produce = [
            [max(0.0, val(self.x[i][t])) for t in range(data.num_periods)] for i in range(data.num_items)
        ]
        setup = [
            [1 if produce[i][t] > 1e-9 else 0 for t in range(data.num_periods)] for i in range(data.num_items)
        ]
        lost = [[0.0] * data.num_periods for _ in range(data.num_items)]
        for i, row in enumerate(self.lost):
            for t, var in enumerate(row):
                if var is not None:
                    lost[i][t] = min(data.items[i].demand[t], max(0.0, val(([(var, 1.0)], 0.0))))
        dep = data.dependent_demand(produce)
        inventory = [[0.0] * data.num_periods for _ in range(data.num_items)]
        backlog = [[0.0] * data.num_periods for _ in range(data.num_items)]
        for i, item in enumerate(data.items):
            net = item.initial_inventory
            for t in range(data.num_periods):
                net += produce[i][t] - (item.demand[t] - lost[i][t]) - dep[i][t]
                if abs(net) < 1e-7 * max(1.0, item.demand[t]):
                    net = 0.0
                # A hard safety stock is kept on hand even while demand is backlogged (the model allows
                # stock and backlog together only then): stock - backlog must equal the net position.
                floor = item.safety_stock_at(t) if item.safety_stock_penalty is None else 0.0
                inventory[i][t] = max(floor, net)
                backlog[i][t] = inventory[i][t] - net
        load = [[0.0] * data.num_periods for _ in range(data.num_resources)]
        for i, item in enumerate(data.items):
            if item.resource is not None:
                for t in range(data.num_periods):
                    load[item.resource][t] += item.unit_time * produce[i][t] + item.setup_time * setup[i][t]
        overtime = [
            [max(0.0, load[r][t] - res.capacity[t]) for t in range(data.num_periods)]
            for r, res in enumerate(data.resources)
        ]
        any_lost = any(item.lost_sales_penalty is not None for item in data.items)
        return Plan(
            as_grid(produce),
            as_flags(setup),
            as_grid(inventory),
            as_grid(backlog),
            as_grid(overtime),
            as_grid(lost) if any_lost else (),
        )


def _fl_eligible(data: LotSizingData, i: int) -> bool:
    """Whether item ``i``'s production may be limited to its net requirement (what ``z`` models).

    A parent may gain from making more than it needs: each extra unit turns its components' stock into its
    own, which pays when the components cost more to hold (counting the lead time, over which a consumed
    component is no longer held but the parent not yet made) or take more room under a storage limit. Such
    parents keep the plain balance rows.
    """
    item = data.items[i]
    if (
        i in data.component_idcs
        or item.backlog_penalty is not None
        or item.lost_sales_penalty is not None
        or item.safety_stock_penalty is not None
    ):
        return False
    lines = [e for e in data.bom if e.parent == i]
    if not lines:
        return True
    if data.max_total_inventory is not None:
        return False
    # One extra unit made in period t costs its holding to the horizon and saves its components' holding from
    # t - lead time on; the last period is the worst case: one period of the parent against 1 + lead time
    # periods of each component.
    saved = sum(e.quantity * data.items[e.component].holding_cost * (1 + e.lead_time) for e in lines)
    return item.holding_cost >= saved - _EPS


def _net_requirements(data: LotSizingData, i: int) -> tuple[list[float], list[float]]:
    """Cumulative net requirement ``R[k]`` (running maximum of demand + safety stock - initial stock)
    and its increments ``r[k] >= 0``; any plan meets them iff its stock never drops below safety stock."""
    item = data.items[i]
    req, cum, best = [], 0.0, 0.0
    for k in range(data.num_periods):
        cum += item.demand[k]
        best = max(best, cum + item.safety_stock_at(k) - item.initial_inventory)
        req.append(best)
    return req, [req[0]] + [req[k] - req[k - 1] for k in range(1, data.num_periods)]


def build_model(data: LotSizingData, facility_location: bool = True) -> LotSizingModel:
    """Build the MIP of ``data``.

    Parameters
    ----------
    data
        The problem.
    facility_location
        Use the facility-location reformulation for items whose requirement is fixed.

    Returns
    -------
    LotSizingModel
        The linear model and the plan quantities as expressions over its variables.
    """
    lp = LinearModel()
    n, num_periods = data.num_items, data.num_periods
    periods = range(num_periods)
    items = data.items

    # Largest quantity worth producing per item and period: remaining requirement (for components the
    # parents' bound times the BOM quantity), plus one lot when lots force over-production.
    total_req = [0.0] * n
    for i in data.topological_order():
        item = items[i]
        parents = sum(e.quantity * total_req[e.parent] for e in data.bom if e.component == i)
        extra = max(item.min_lot, item.lot_multiple)
        total_req[i] = sum(item.demand) + max(item.safety_stock, default=0.0) + parents + extra
    bounds: list[list[float]] = []
    for i, item in enumerate(items):
        if i in data.component_idcs or item.backlog_penalty is not None:
            row = [total_req[i]] * num_periods
        else:
            tail = [0.0] * (num_periods + 1)
            for t in reversed(periods):
                tail[t] = tail[t + 1] + item.demand[t]
            ss = max(item.safety_stock, default=0.0)
            extra = max(item.min_lot, item.lot_multiple)
            row = [tail[t] + ss + extra for t in periods]
        for t in periods:
            if item.resource is not None:
                res = data.resources[item.resource]
                room = res.capacity[t] + res.overtime_at(t) - item.setup_time
                if room < -_EPS:
                    row[t] = 0.0
                elif item.unit_time > 0:
                    row[t] = min(row[t], max(0.0, room) / item.unit_time)
            if row[t] < max(item.min_lot, _EPS):
                row[t] = 0.0
        bounds.append(row)

    x: list[list[Expr]] = []
    s: list[list[Expr]] = []
    b: list[list[int | None]] = []
    lost: list[list[int | None]] = []
    y: list[list[int]] = []
    num_fl = 0
    pure: set[int] = set()
    for i, item in enumerate(items):
        yi = [
            lp.var(f"y_{i}_{t}", 0.0, 1.0 if bounds[i][t] > 0 else 0.0, integer=True, cost=item.setup_cost)
            for t in periods
        ]
        lp.setup_period.update((v, t) for t, v in enumerate(yi))
        lp.setup_item.update((v, i) for v in yi)
        y.append(yi)
        eligible = facility_location and _fl_eligible(data, i)
        num_fl += eligible
        if eligible and item.min_lot <= 0 and item.lot_multiple <= 0:
            pure.add(i)
            xi, si = _pure_facility_location(lp, data, i, yi, bounds[i])
            x.append(xi)
            s.append(si)
            b.append([None] * num_periods)
            lost.append([None] * num_periods)
            continue
        xi_e: list[Expr] = []
        si_e: list[Expr] = []
        bi: list[int | None] = []
        li: list[int | None] = []
        for t in periods:
            bound = bounds[i][t]
            xv = lp.var(f"x_{i}_{t}", 0.0, bound, cost=item.production_cost)
            s_lb = item.safety_stock_at(t) if item.safety_stock_penalty is None else 0.0
            s_ub = item.max_inventory if item.max_inventory is not None else math.inf
            sv = lp.var(f"s_{i}_{t}", s_lb, s_ub, cost=item.holding_cost)
            bi.append(
                lp.var(f"b_{i}_{t}", cost=item.backlog_penalty) if item.backlog_penalty is not None else None
            )
            li.append(
                lp.var(f"l_{i}_{t}", 0.0, item.demand[t], cost=item.lost_sales_penalty)
                if item.lost_sales_penalty is not None and item.demand[t] > 0
                else None
            )
            lp.row(f"setup_{i}_{t}", [(xv, 1.0), (yi[t], -bound)], ub=0.0)
            if item.min_lot > 0 and bound > 0:
                lp.row(f"minlot_{i}_{t}", [(xv, 1.0), (yi[t], -item.min_lot)], lb=0.0)
            if item.lot_multiple > 0:
                k = lp.var(f"n_{i}_{t}", 0.0, math.floor(bound / item.lot_multiple + 1e-9), integer=True)
                lp.row(f"multiple_{i}_{t}", [(xv, 1.0), (k, -item.lot_multiple)], lb=0.0, ub=0.0)
            if item.safety_stock_penalty is not None and item.safety_stock_at(t) > 0:
                v = lp.var(f"v_{i}_{t}", 0.0, item.safety_stock_at(t), cost=item.safety_stock_penalty)
                lp.row(f"safety_{i}_{t}", [(sv, 1.0), (v, 1.0)], lb=item.safety_stock_at(t))
            xi_e.append(([(xv, 1.0)], 0.0))
            si_e.append(([(sv, 1.0)], 0.0))
        x.append(xi_e)
        s.append(si_e)
        b.append(bi)
        lost.append(li)
        if eligible:
            _linked_facility_location(lp, data, i, xi_e, yi, bounds[i])

    # Inventory balance of the items with explicit stock variables.
    consumers: dict[int, list[tuple[int, float, int]]] = {}
    for e in data.bom:
        consumers.setdefault(e.component, []).append((e.parent, e.quantity, e.lead_time))
    for i, item in enumerate(items):
        if i in pure:
            continue  # its balance is built into the covering rows
        for t in periods:
            terms: list[tuple[int, float]] = [*x[i][t][0], *((v, -c) for v, c in s[i][t][0])]
            bt = b[i][t]
            if bt is not None:
                terms.append((bt, 1.0))
            lt = lost[i][t]
            if lt is not None:
                terms.append((lt, 1.0))  # a lost unit is demand that need not be delivered
            if t > 0:
                terms.extend(s[i][t - 1][0])
                bp = b[i][t - 1]
                if bp is not None:
                    terms.append((bp, -1.0))
            for parent, qty, lead in consumers.get(i, []):
                for tp in periods:
                    if max(0, tp - lead) == t:
                        terms.extend((v, -qty * c) for v, c in x[parent][tp][0])
            rhs = item.demand[t] - (item.initial_inventory if t == 0 else 0.0)
            lp.row(f"balance_{i}_{t}", terms, lb=rhs, ub=rhs)

    for r, res in enumerate(data.resources):
        for t in periods:
            terms = []
            const = 0.0
            for i, item in enumerate(items):
                if item.resource == r:
                    terms.extend((v, item.unit_time * c) for v, c in x[i][t][0])
                    const += item.unit_time * x[i][t][1]
                    terms.append((y[i][t], item.setup_time))
            if res.overtime_at(t) > 0:
                ot = lp.var(f"o_{r}_{t}", 0.0, res.overtime_at(t), cost=res.overtime_cost)
                terms.append((ot, -1.0))
            lp.row(f"capacity_{r}_{t}", terms, ub=res.capacity[t] - const)

    if data.max_total_inventory is not None:
        for t in periods:
            terms = [term for i in range(n) for term in s[i][t][0]]
            const = sum(s[i][t][1] for i in range(n))
            lp.row(f"storage_{t}", terms, ub=data.max_total_inventory - const)

    return LotSizingModel(data, lp, x, y, num_fl, lost)


def _pure_facility_location(
    lp: LinearModel, data: LotSizingData, i: int, y: list[int], bound: list[float]
) -> tuple[list[Expr], list[Expr]]:
    """Model item ``i`` by ``z`` alone; return production and stock as expressions."""
    item = data.items[i]
    num_periods = data.num_periods
    req, r = _net_requirements(data, i)
    x_terms: list[list[tuple[int, float]]] = [[] for _ in range(num_periods)]
    # Stock at the end of t = forced stock + production in periods <= t for requirements after t.
    s_terms: list[list[tuple[int, float]]] = [[] for _ in range(num_periods)]
    for k in range(num_periods):
        if r[k] <= _EPS:
            continue
        cover = []
        for t in range(k + 1):
            if bound[t] <= 0:
                continue
            z = lp.var(f"z_{i}_{t}_{k}", 0.0, r[k], cost=item.production_cost + item.holding_cost * (k - t))
            lp.row(f"fl_setup_{i}_{t}_{k}", [(z, 1.0), (y[t], -r[k])], ub=0.0)
            cover.append((z, 1.0))
            x_terms[t].append((z, 1.0))
            for u in range(t, k):
                s_terms[u].append((z, 1.0))
        lp.row(f"fl_cover_{i}_{k}", cover, lb=r[k], ub=r[k])
    forced = [item.initial_inventory + req[t] - sum(item.demand[: t + 1]) for t in range(num_periods)]
    lp.objective_offset += item.holding_cost * sum(forced)
    if item.max_inventory is not None:
        for t in range(num_periods):
            lp.row(f"fl_maxinv_{i}_{t}", s_terms[t], ub=item.max_inventory - forced[t])
    return [(x_terms[t], 0.0) for t in range(num_periods)], [
        (s_terms[t], forced[t]) for t in range(num_periods)
    ]


def _linked_facility_location(
    lp: LinearModel, data: LotSizingData, i: int, x: list[Expr], y: list[int], bound: list[float]
) -> None:
    """Split item ``i``'s production into the parts covering each period's net requirement; lot rules
    may force production beyond the requirements, so ``x`` is at least the sum of its parts."""
    num_periods = data.num_periods
    _, r = _net_requirements(data, i)
    z_of_t: list[list[tuple[int, float]]] = [[] for _ in range(num_periods)]
    for k in range(num_periods):
        if r[k] <= _EPS:
            continue
        cover = []
        for t in range(k + 1):
            if bound[t] <= 0:
                continue
            z = lp.var(f"z_{i}_{t}_{k}", 0.0, r[k])
            lp.row(f"fl_setup_{i}_{t}_{k}", [(z, 1.0), (y[t], -r[k])], ub=0.0)
            cover.append((z, 1.0))
            z_of_t[t].append((z, 1.0))
        lp.row(f"fl_cover_{i}_{k}", cover, lb=r[k], ub=r[k])
    for t in range(num_periods):
        if z_of_t[t]:
            lp.row(f"fl_link_{i}_{t}", [*x[t][0], *((z, -1.0) for z, _ in z_of_t[t])], lb=0.0)
