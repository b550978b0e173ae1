"""A production plan and the result of a lot-sizing solve."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Grid = tuple[tuple[float, ...], ...]


def as_grid(rows: Any) -> Grid:
    """Nested sequences of numbers as a tuple of tuples of floats."""
    return tuple(tuple(float(v) for v in row) for row in rows)


def as_flags(rows: Any) -> tuple[tuple[int, ...], ...]:
    """Nested sequences of 0/1 values as a tuple of tuples of ints."""
    return tuple(tuple(int(v) for v in row) for row in rows)


_grid = as_grid


@dataclass(frozen=True)
class Plan:
    """Quantities per item (rows) and period (columns), 0-based.

    Parameters
    ----------
    produce
        Quantity produced (or ordered, for bought items).
    setup
        1 where the item is set up (ordered), else 0.
    inventory
        End-of-period stock.
    backlog
        End-of-period demand not yet delivered.
    overtime
        Overtime hours used per resource (rows) and period.
    lost
        External demand lost (not delivered, never delivered later) per item and period; empty: none.
    """

    produce: Grid
    setup: tuple[tuple[int, ...], ...]
    inventory: Grid
    backlog: Grid
    overtime: Grid = ()
    lost: Grid = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "produce", _grid(self.produce))
        object.__setattr__(self, "setup", tuple(tuple(int(v) for v in row) for row in self.setup))
        object.__setattr__(self, "inventory", _grid(self.inventory))
        object.__setattr__(self, "backlog", _grid(self.backlog))
        object.__setattr__(self, "overtime", _grid(self.overtime))
        object.__setattr__(self, "lost", _grid(self.lost))
        shape = [len(r) for r in self.produce]
        for name in ("setup", "inventory", "backlog", "lost"):
            if (name != "lost" or self.lost) and [len(r) for r in getattr(self, name)] != shape:
                raise ValueError(f"plan.{name} must have the shape of plan.produce")

    def lost_at(self, item_idx: int, period_idx: int) -> float:
        """Demand lost by an item in a period (0 when the plan records no lost sales)."""
        return self.lost[item_idx][period_idx] if self.lost else 0.0

    @property
    def num_items(self) -> int:
        return len(self.produce)

    @property
    def num_periods(self) -> int:
        return len(self.produce[0]) if self.produce else 0


@dataclass(frozen=True)
class CostBreakdown:
    """Cost of a plan, term by term (recomputed by the checker)."""

    setup: float = 0.0
    holding: float = 0.0
    backlog: float = 0.0
    safety_stock: float = 0.0
    overtime: float = 0.0
    production: float = 0.0
    lost_sales: float = 0.0

    @property
    def total(self) -> float:
        return (
            self.setup
            + self.holding
            + self.backlog
            + self.safety_stock
            + self.overtime
            + self.production
            + self.lost_sales
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "setup": round(self.setup, 6),
            "holding": round(self.holding, 6),
            "backlog": round(self.backlog, 6),
            "safety_stock_shortfall": round(self.safety_stock, 6),
            "overtime": round(self.overtime, 6),
            "production": round(self.production, 6),
            "lost_sales": round(self.lost_sales, 6),
            "total": round(self.total, 6),
        }


class PlanStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Shortfall:
    """Demand of one item not met on time in one period."""

    item: int
    period: int
    quantity: float
    kind: str
    """``"late"`` (backlogged and delivered later), ``"unmet"`` (still open at the horizon's end),
    ``"lost"`` (not delivered and lost) or ``"safety_stock"`` (stock below the safety stock)."""


@dataclass(frozen=True)
class LotSizingResult:
    """Result of :func:`planner.inventory.solve`; never raises for infeasible or time limit.

    Parameters
    ----------
    status
        Optimal, feasible (not proven optimal), infeasible or unknown (nothing found in time).
    objective
        Cost of the plan, recomputed by the checker (None without a plan).
    bound
        Proven lower bound on the cost (None when the solver gave none).
    runtime
        Wall-clock seconds.
    backend
        Name of the backend.
    plan
        The best plan found, or None.
    costs
        Cost of the plan term by term.
    shortfalls
        Demand not met on time and safety stock not held, per item and period.
    explanation
        Sentences saying what cannot be met and why (empty when everything is met).
    """

    status: PlanStatus
    objective: float | None
    bound: float | None
    runtime: float
    backend: str
    plan: Plan | None = None
    costs: CostBreakdown | None = None
    shortfalls: tuple[Shortfall, ...] = ()
    explanation: tuple[str, ...] = ()
    solver_status: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (None when either is missing)."""
        if self.objective is None or self.bound is None or not math.isfinite(self.bound):
            return None
        if abs(self.objective) < 1e-9:
            return 0.0 if abs(self.bound) < 1e-9 else None
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: status, objective, bound, gap, runtime, costs, shortfall statement."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "runtime": round(self.runtime, 3),
            "backend": self.backend,
            "solver_status": self.solver_status,
            "costs": self.costs.as_dict() if self.costs else None,
            "shortfall": {
                "late": sum(s.quantity for s in self.shortfalls if s.kind == "late"),
                "unmet": sum(s.quantity for s in self.shortfalls if s.kind == "unmet"),
                "lost": sum(s.quantity for s in self.shortfalls if s.kind == "lost"),
                "safety_stock": sum(s.quantity for s in self.shortfalls if s.kind == "safety_stock"),
            },
            "explanation": list(self.explanation),
            "stats": self.stats,
        }
