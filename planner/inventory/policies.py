"""Safety stock and inventory policies for items not worth planning period by period.

Cycle service level (alpha): probability of no stock-out in a replenishment cycle. Fill rate (beta): share
of demand delivered from stock. Demand per period is normal with mean ``mu`` and deviation ``sigma``
unless quantiles of a forecast are given.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from planner.exceptions import ValidationError

_STD = NormalDist()


def _check_level(level: float, field: str) -> None:
    if not 0.0 < level < 1.0:
        raise ValidationError(f"must be strictly between 0 and 1, got {level}", field=field)


def _check_nonneg(value: float, field: str) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValidationError(f"must be a finite number >= 0, got {value}", field=field)


def normal_loss(k: float) -> float:
    """Standard normal loss function G(k) = E[(Z - k)^+]."""
    return _STD.pdf(k) - k * (1.0 - _STD.cdf(k))


def safety_stock_cycle_service(sigma: float, service_level: float, lead_time: float = 1.0) -> float:
    """Safety stock for a cycle service level: ``z(alpha) * sigma * sqrt(lead_time)``.

    Parameters
    ----------
    sigma
        Standard deviation of demand per period.
    service_level
        Target probability of no stock-out per cycle, in (0, 1).
    lead_time
        Periods of demand the stock must protect (lead time plus review period).
    """
    _check_nonneg(sigma, "sigma")
    _check_level(service_level, "service_level")
    _check_nonneg(lead_time, "lead_time")
    return max(0.0, _STD.inv_cdf(service_level)) * sigma * math.sqrt(lead_time)


def safety_stock_fill_rate(
    sigma: float, fill_rate: float, order_quantity: float, lead_time: float = 1.0
) -> float:
    """Safety stock for a fill rate: the smallest ``k * sigma_L`` with ``sigma_L * G(k) <= (1 - beta) * Q``.

    Parameters
    ----------
    sigma
        Standard deviation of demand per period.
    fill_rate
        Target share of demand met from stock, in (0, 1).
    order_quantity
        Lot size Q (units per replenishment).
    lead_time
        Periods of demand the stock must protect.
    """
    _check_nonneg(sigma, "sigma")
    _check_level(fill_rate, "fill_rate")
    if not order_quantity > 0:
        raise ValidationError(f"must be > 0, got {order_quantity}", field="order_quantity")
    sigma_l = sigma * math.sqrt(lead_time)
    if sigma_l == 0:
        return 0.0
    target = (1.0 - fill_rate) * order_quantity / sigma_l
    lo, hi = -6.0, 8.0  # G is decreasing in k
    for _ in range(100):
        mid = (lo + hi) / 2
        if normal_loss(mid) > target:
            lo = mid
        else:
            hi = mid
    return max(0.0, hi * sigma_l)


def quantile_at(quantiles: Mapping[float, float], level: float) -> float:
    """Value of a distribution at ``level``, interpolated linearly between the given quantiles.

    Outside the given levels the two nearest quantiles are extrapolated through a normal fit.
    """
    if not quantiles:
        raise ValidationError("must hold at least one quantile", field="quantiles")
    qs = sorted(quantiles.items())
    for (l0, v0), (l1, v1) in itertools.pairwise(qs):
        if l0 <= level <= l1:
            return v0 + (v1 - v0) * (level - l0) / (l1 - l0) if l1 > l0 else v0
    if len(qs) == 1:
        return qs[0][1]
    (l0, v0), (l1, v1) = (qs[0], qs[1]) if level < qs[0][0] else (qs[-2], qs[-1])
    z0, z1 = _STD.inv_cdf(l0), _STD.inv_cdf(l1)
    scale = (v1 - v0) / (z1 - z0) if z1 != z0 else 0.0
    return v0 + scale * (_STD.inv_cdf(level) - z0)


def safety_stock_from_quantiles(
    quantiles: Mapping[float, Sequence[float]], service_level: float
) -> tuple[float, ...]:
    """Safety stock per period from a forecast's quantiles: quantile(service level) minus the median.

    Parameters
    ----------
    quantiles
        ``{level: values per period}``, e.g. ``{0.1: [...], 0.5: [...], 0.9: [...]}``.
    service_level
        Target cycle service level per period, in (0, 1).

    Returns
    -------
    tuple of float
        Non-negative safety stock per period.
    """
    _check_level(service_level, "service_level")
    lengths = {len(v) for v in quantiles.values()}
    if len(lengths) != 1:
        raise ValidationError("every quantile must have the same number of periods", field="quantiles")
    (num_periods,) = lengths
    out = []
    for t in range(num_periods):
        at_t = {lvl: float(vals[t]) for lvl, vals in quantiles.items()}
        out.append(max(0.0, quantile_at(at_t, service_level) - quantile_at(at_t, 0.5)))
    return tuple(out)


def eoq(demand_rate: float, setup_cost: float, holding_cost: float) -> float:
    """Economic order quantity ``sqrt(2 D K / h)`` (demand and holding cost per the same time unit)."""
    _check_nonneg(demand_rate, "demand_rate")
    _check_nonneg(setup_cost, "setup_cost")
    if not holding_cost > 0:
        raise ValidationError(f"must be > 0, got {holding_cost}", field="holding_cost")
    return math.sqrt(2.0 * demand_rate * setup_cost / holding_cost)


@dataclass(frozen=True)
class Policy:
    """A stationary inventory policy.

    ``kind`` is ``"sQ"`` (order ``order_quantity`` when the inventory position falls to ``reorder_point``)
    or ``"sS"`` (order up to ``order_up_to`` when it falls to ``reorder_point``).
    """

    kind: str
    reorder_point: float
    order_quantity: float
    order_up_to: float
    safety_stock: float

    def order(self, position: float) -> float:
        """Quantity to order at a review when the inventory position is ``position``."""
        if position > self.reorder_point:
            return 0.0
        if self.kind == "sQ":
            k = math.ceil((self.reorder_point - position) / self.order_quantity + 1e-12)
            return max(1, k) * self.order_quantity
        return self.order_up_to - position


def reorder_point_policy(
    mean: float,
    sigma: float,
    lead_time: float,
    setup_cost: float,
    holding_cost: float,
    service_level: float = 0.95,
    fill_rate: float | None = None,
) -> Policy:
    """An (s, Q) policy: ``Q`` from the EOQ, ``s = mean * L + safety stock``.

    Parameters
    ----------
    mean, sigma
        Demand per period.
    lead_time
        Replenishment lead time in periods.
    setup_cost, holding_cost
        Cost per order and per unit and period.
    service_level
        Cycle service level (used when ``fill_rate`` is None).
    fill_rate
        Target fill rate; when given the safety stock is set for it instead.
    """
    q = max(eoq(mean, setup_cost, holding_cost), 1e-9)
    if fill_rate is not None:
        ss = safety_stock_fill_rate(sigma, fill_rate, q, lead_time)
    else:
        ss = safety_stock_cycle_service(sigma, service_level, lead_time)
    s = mean * lead_time + ss
    return Policy("sQ", s, q, s + q, ss)


def order_up_to_policy(
    mean: float,
    sigma: float,
    lead_time: float,
    review_period: float = 1.0,
    service_level: float = 0.95,
) -> Policy:
    """A periodic-review order-up-to policy: ``S = mean * (L + R) + z * sigma * sqrt(L + R)``."""
    _check_nonneg(review_period, "review_period")
    protect = lead_time + review_period
    ss = safety_stock_cycle_service(sigma, service_level, protect)
    level = mean * protect + ss
    return Policy("sS", level, mean * review_period, level, ss)
