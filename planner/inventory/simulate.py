"""Monte Carlo evaluation of a plan: replay it against sampled demand.

Production is fixed by the plan; external demand is drawn per item and period (normal around the plan's
demand, or from a forecast's quantiles); components see the demand the plan's parent production causes.
Unmet demand is backlogged (or lost), and the achieved service is counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.exceptions import ValidationError
from planner.inventory.plan import Plan
from planner.inventory.problem_data import LotSizingData


@dataclass(frozen=True)
class SimulationResult:
    """Service and stock achieved by a plan, per item, averaged over the samples.

    Parameters
    ----------
    fill_rate
        Share of external demand delivered in the period it was asked for.
    stockout_probability
        Probability that a period ends with unmet demand.
    any_stockout_probability
        Probability of at least one stock-out in the horizon.
    average_inventory
        Mean end-of-period stock.
    num_samples
        Number of demand scenarios replayed.
    """

    fill_rate: tuple[float, ...]
    stockout_probability: tuple[float, ...]
    any_stockout_probability: tuple[float, ...]
    average_inventory: tuple[float, ...]
    num_samples: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "fill_rate": [round(v, 6) for v in self.fill_rate],
            "stockout_probability": [round(v, 6) for v in self.stockout_probability],
            "any_stockout_probability": [round(v, 6) for v in self.any_stockout_probability],
            "average_inventory": [round(v, 6) for v in self.average_inventory],
            "num_samples": self.num_samples,
        }


def simulate_plan(
    data: LotSizingData,
    plan: Plan,
    *,
    sigma: Sequence[Sequence[float]] | Sequence[float] | float | None = None,
    cv: float | None = None,
    quantiles: Sequence[Mapping[float, Sequence[float]]] | None = None,
    num_samples: int = 1000,
    seed: int = 1,
    lost_sales: bool = False,
) -> SimulationResult:
    """Replay ``plan`` against ``num_samples`` sampled demand scenarios.

    Parameters
    ----------
    data
        The problem; ``item.demand`` is the mean of the sampled demand.
    plan
        The plan to replay.
    sigma
        Standard deviation of demand: one number, one per item, or one per item and period.
    cv
        Coefficient of variation (sigma = cv * mean), used when ``sigma`` is None.
    quantiles
        Per item ``{level: values per period}``; demand is sampled by inverse transform, interpolating
        linearly between the levels (overrides ``sigma`` and ``cv``).
    num_samples
        Number of scenarios.
    seed
        Seed of the random generator.
    lost_sales
        Lose unmet demand instead of backlogging it.

    Returns
    -------
    SimulationResult
        Fill rate, stock-out probabilities and average inventory per item.
    """
    import numpy as np

    if num_samples < 1:
        raise ValidationError(f"must be >= 1, got {num_samples}", field="num_samples")
    n, num_periods = data.num_items, data.num_periods
    rng = np.random.default_rng(seed)
    mean = np.array([item.demand for item in data.items], dtype=float)
    if quantiles is not None:
        if len(quantiles) != n:
            raise ValidationError(f"must give one quantile set per item ({n})", field="quantiles")
        demand = np.empty((num_samples, n, num_periods))
        u = rng.random((num_samples, n, num_periods))
        for i, qs in enumerate(quantiles):
            levels = np.array(sorted(qs))
            vals = np.array([qs[lv] for lv in sorted(qs)], dtype=float)  # levels x periods
            for t in range(num_periods):
                demand[:, i, t] = np.interp(u[:, i, t], levels, vals[:, t])
    else:
        if sigma is None:
            if cv is None:
                raise ValidationError("give sigma, cv or quantiles", field="sigma")
            sd = cv * mean
        else:
            sd = np.broadcast_to(
                np.asarray(sigma, dtype=float).reshape(-1, 1) if np.ndim(sigma) == 1 else sigma,
                (n, num_periods),
            )
        if np.any(np.asarray(sd) < 0):
            raise ValidationError("must be >= 0", field="sigma")
        demand = rng.normal(mean, sd, size=(num_samples, n, num_periods))
    demand = np.maximum(demand, 0.0)
    produce = np.array(plan.produce, dtype=float)
    dep = np.array(data.dependent_demand(plan.produce), dtype=float)
    stock = np.tile(np.array([it.initial_inventory for it in data.items], dtype=float), (num_samples, 1))
    back = np.zeros((num_samples, n))
    delivered_on_time = np.zeros((num_samples, n))
    stockout_periods = np.zeros((num_samples, n))
    inv_sum = np.zeros((num_samples, n))
    for t in range(num_periods):
        available = stock + produce[:, t] - dep[:, t]
        # Old backlog is served first, then this period's demand.
        serve_back = np.minimum(np.maximum(available, 0.0), back)
        available = available - serve_back
        back = back - serve_back
        on_time = np.minimum(np.maximum(available, 0.0), demand[:, :, t])
        delivered_on_time += on_time
        short = demand[:, :, t] - on_time
        stockout_periods += short > 1e-9
        stock = available - on_time
        if not lost_sales:
            back = back + short
        # Component shortfalls (negative stock after parent use) become backlog as well.
        neg = np.minimum(stock, 0.0)
        back = back - neg
        stock = stock - neg
        inv_sum += stock
    total = demand.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(total > 0, delivered_on_time / np.where(total > 0, total, 1.0), 1.0)
    return SimulationResult(
        fill_rate=tuple(float(v) for v in fill.mean(axis=0)),
        stockout_probability=tuple(float(v) for v in (stockout_periods / num_periods).mean(axis=0)),
        any_stockout_probability=tuple(float(v) for v in (stockout_periods > 0).mean(axis=0)),
        average_inventory=tuple(float(v) for v in (inv_sum / num_periods).mean(axis=0)),
        num_samples=num_samples,
    )
