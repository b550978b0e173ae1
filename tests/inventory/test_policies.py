"""Tests that safety stock, reorder-point, order-up-to and EOQ formulas give textbook values, and that the
Monte Carlo replay of a plan measures service the way it is defined."""

from __future__ import annotations

import math

import pytest

from planner.exceptions import ValidationError
from planner.inventory import Item, LotSizingData, Plan, Resource
from planner.inventory.policies import (
    eoq,
    normal_loss,
    order_up_to_policy,
    quantile_at,
    reorder_point_policy,
    safety_stock_cycle_service,
    safety_stock_fill_rate,
    safety_stock_from_quantiles,
)
from planner.inventory.simulate import simulate_plan


def test_eoq_textbook() -> None:
    """Tests EOQ = sqrt(2 * 1000 * 50 / 2) = 223.6."""
    assert eoq(1000, 50, 2) == pytest.approx(math.sqrt(50000))


def test_cycle_service_safety_stock() -> None:
    """Tests z(0.95) * 10 * sqrt(4) = 1.6449 * 20."""
    assert safety_stock_cycle_service(10, 0.95, 4) == pytest.approx(32.897, abs=1e-3)
    assert safety_stock_cycle_service(10, 0.5) == 0.0


def test_fill_rate_safety_stock_meets_its_target() -> None:
    """Tests that the fill-rate safety stock k*sigma satisfies sigma*G(k) = (1 - beta)*Q and grows with beta."""
    ss = safety_stock_fill_rate(20, 0.99, 100)
    assert 20 * normal_loss(ss / 20) == pytest.approx(0.01 * 100, rel=1e-6)
    assert safety_stock_fill_rate(20, 0.999, 100) > ss > safety_stock_fill_rate(20, 0.95, 100)


def test_quantiles() -> None:
    """Tests interpolation between quantiles and the safety stock q(0.9) - q(0.5)."""
    assert quantile_at({0.1: 80, 0.5: 100, 0.9: 120}, 0.7) == pytest.approx(110)
    assert safety_stock_from_quantiles({0.1: [80, 90], 0.5: [100, 100], 0.9: [130, 110]}, 0.9) == (30, 10)


def test_policies() -> None:
    """Tests the reorder point (mean demand in the lead time plus safety stock) and order-up-to level."""
    p = reorder_point_policy(
        mean=100, sigma=20, lead_time=2, setup_cost=50, holding_cost=1, service_level=0.95
    )
    assert p.order_quantity == pytest.approx(100)
    assert p.reorder_point == pytest.approx(200 + 1.6449 * 20 * math.sqrt(2), abs=1e-2)
    assert p.order(p.reorder_point + 1) == 0 and p.order(p.reorder_point - 1) == pytest.approx(100)
    s = order_up_to_policy(mean=100, sigma=20, lead_time=2, review_period=1, service_level=0.95)
    assert s.order_up_to == pytest.approx(300 + 1.6449 * 20 * math.sqrt(3), abs=1e-2)
    assert s.order(250) == pytest.approx(s.order_up_to - 250)


def test_bad_service_level() -> None:
    """Tests that a service level outside (0, 1) is rejected with its field."""
    with pytest.raises(ValidationError, match="service_level"):
        safety_stock_cycle_service(10, 1.0)


def one_item_plan(produce: tuple[float, ...]) -> tuple[LotSizingData, Plan]:
    data = LotSizingData((Item("A", (10, 10, 10, 10), holding_cost=1),), (Resource("m", (100,) * 4),))
    inv, net = [], 0.0
    for x in produce:
        net += x - 10
        inv.append(net)
    return data, Plan((produce,), (tuple(int(x > 0) for x in produce),), (tuple(inv),), ((0,) * 4,))


def test_simulation_without_noise_replays_the_plan() -> None:
    """Tests that with zero spread the fill rate is 1 and average stock is the plan's."""
    data, plan = one_item_plan((20, 0, 20, 0))
    sim = simulate_plan(data, plan, sigma=0.0, num_samples=10)
    assert sim.fill_rate == (1.0,) and sim.stockout_probability == (0.0,)
    assert sim.average_inventory[0] == pytest.approx(sum(plan.inventory[0]) / 4)


def test_simulation_safety_stock_buys_service() -> None:
    """Tests that with noisy demand a plan with 10 units of safety stock reaches a higher fill rate and
    lower stock-out probability than one without, at the price of more stock; and that it is seeded."""
    data, lean = one_item_plan((10, 10, 10, 10))
    _, safe = one_item_plan((20, 10, 10, 10))
    a = simulate_plan(data, lean, cv=0.3, num_samples=4000, seed=3)
    b = simulate_plan(data, safe, cv=0.3, num_samples=4000, seed=3)
    assert a.fill_rate[0] < b.fill_rate[0] <= 1.0
    assert a.stockout_probability[0] > b.stockout_probability[0]
    assert a.average_inventory[0] < b.average_inventory[0]
    assert simulate_plan(data, lean, cv=0.3, num_samples=4000, seed=3) == a
    # Without safety stock about half of the periods run short (demand above its mean).
    assert 0.35 < a.stockout_probability[0] < 0.65


def test_simulation_from_quantiles() -> None:
    """Tests sampling from quantiles: demand never exceeds the top quantile, so stock of 12 always serves."""
    data, plan = one_item_plan((12, 12, 12, 12))
    q = [{0.0: [8] * 4, 0.5: [10] * 4, 1.0: [12] * 4}]
    sim = simulate_plan(data, plan, quantiles=q, num_samples=500)
    assert sim.fill_rate == (1.0,)


def test_capacity_from_calendar() -> None:
    """Tests that overlapping downtime windows spanning a period boundary are subtracted once."""
    from planner.inventory.calendar import capacity_from_calendar

    # Days of 480 minutes; down 400-560 and 500-520 (overlap) -> day 0 loses 80, day 1 loses 80.
    assert capacity_from_calendar(3, 480, [(400, 560), (500, 520)]) == (400 / 60, 400 / 60, 8.0)
    assert capacity_from_calendar(1, 60, [], num_machines=2) == (2.0,)
