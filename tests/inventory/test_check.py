"""Tests that the plan checker accepts a valid plan and rejects each kind of violation (one test per rule)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.inventory import BomEntry, Item, LotSizingData, Plan, Resource, check_plan


def grid(rows: tuple[tuple[float, ...], ...], i: int, t: int, value: float) -> tuple[tuple[float, ...], ...]:
    """``rows`` with one cell replaced."""
    out = [list(r) for r in rows]
    out[i][t] = value
    return tuple(tuple(r) for r in out)


@pytest.fixture
def data() -> LotSizingData:
    """Item A (made, min lot 10, lots of 5, safety stock 5, at most 40 in stock) consumes one bought B."""
    return LotSizingData(
        (
            Item(
                "A",
                (10, 20, 10),
                holding_cost=1,
                setup_cost=50,
                setup_time=5,
                unit_time=1,
                min_lot=10,
                lot_multiple=5,
                safety_stock=(5, 5, 5),
                max_inventory=40,
            ),
            Item("B", (0, 0, 0), holding_cost=2, setup_cost=10, resource=None, backlog_penalty=3),
        ),
        (Resource("m", (40, 40, 40), overtime=(5, 5, 5), overtime_cost=2),),
        (BomEntry(0, 1, quantity=1, lead_time=0),),
        max_total_inventory=60,
    )


@pytest.fixture
def plan() -> Plan:
    """A valid plan: A makes 15, 20, 10 (stock 5, 5, 5); B is ordered as A needs it."""
    return Plan(
        produce=((15, 20, 10), (15, 20, 10)),
        setup=((1, 1, 1), (1, 1, 1)),
        inventory=((5, 5, 5), (0, 0, 0)),
        backlog=((0, 0, 0), (0, 0, 0)),
        overtime=((0, 0, 0),),
    )


def rules(data: LotSizingData, plan: Plan) -> set[str]:
    return {v.rule for v in check_plan(data, plan).violations}


def test_valid_plan_and_its_cost(data: LotSizingData, plan: Plan) -> None:
    """Tests that the valid plan passes and its cost is 3 setups of A and B plus 15 units of A held."""
    check = check_plan(data, plan)
    assert check.ok, check.violations
    assert check.costs.total == pytest.approx(3 * 50 + 3 * 10 + 15)
    assert check.load[0] == (20.0, 25.0, 15.0)


def test_shape(data: LotSizingData) -> None:
    """Tests that a plan of the wrong size is rejected."""
    bad = Plan(((1,),), ((1,),), ((0,),), ((0,),))
    assert rules(data, bad) == {"shape"}


def test_nonnegative(data: LotSizingData, plan: Plan) -> None:
    """Tests that negative stock is rejected."""
    bad = replace(plan, inventory=grid(plan.inventory, 1, 0, -1), backlog=grid(plan.backlog, 1, 0, -1))
    assert "nonnegative" in rules(data, bad)


def test_production_without_setup(data: LotSizingData, plan: Plan) -> None:
    """Tests that production in a period without setup is rejected."""
    bad = replace(plan, setup=((0, 1, 1), (1, 1, 1)))
    assert rules(data, bad) == {"setup"}


def test_balance(data: LotSizingData, plan: Plan) -> None:
    """Tests that stock that does not follow from production and demand is rejected."""
    bad = replace(plan, inventory=grid(plan.inventory, 0, 2, 6))
    assert rules(data, bad) == {"balance"}


def test_balance_counts_component_use(data: LotSizingData, plan: Plan) -> None:
    """Tests that a component bought short of what its parent consumes breaks the balance."""
    bad = replace(plan, produce=grid(plan.produce, 1, 1, 19))
    assert "balance" in rules(data, bad)


def test_backlog_not_allowed(data: LotSizingData, plan: Plan) -> None:
    """Tests that backlog on an item without a backlog penalty is rejected."""
    bad = replace(
        plan,
        produce=grid(plan.produce, 0, 0, 5),
        inventory=grid(plan.inventory, 0, 0, 0),
        backlog=grid(plan.backlog, 0, 0, 5),
    )
    assert "backlog" in rules(data, bad)


def test_safety_stock(data: LotSizingData) -> None:
    """Tests that stock below a hard safety stock is rejected."""
    bad = Plan(
        ((10, 20, 10), (10, 20, 10)), ((1, 1, 1), (1, 1, 1)), ((0, 0, 0), (0, 0, 0)), ((0,) * 3, (0,) * 3)
    )
    assert rules(data, bad) == {"safety_stock"}


def test_max_inventory(data: LotSizingData) -> None:
    """Tests that stock above the item's limit is rejected."""
    tight = replace(data, items=(replace(data.items[0], max_inventory=20), data.items[1]))
    bad = Plan(
        ((40, 0, 10), (40, 0, 10)),
        ((1, 0, 1), (1, 0, 1)),
        ((30, 10, 10), (0,) * 3),
        ((0,) * 3, (0,) * 3),
        ((5, 0, 0),),
    )
    assert rules(tight, bad) == {"max_inventory"}
    assert rules(data, bad) == set()


def test_min_lot(data: LotSizingData, plan: Plan) -> None:
    """Tests that a lot below the minimum is rejected."""
    bad = Plan(
        ((15, 15, 5, 10), (15, 15, 5, 10)),
        ((1,) * 4, (1,) * 4),
        ((5, 0, 0, 5), (0,) * 4),
        ((0,) * 4, (0,) * 4),
    )
    data4 = LotSizingData(
        (
            replace(data.items[0], demand=(10, 20, 5, 5), safety_stock=()),
            replace(data.items[1], demand=(0,) * 4),
        ),
        (Resource("m", (40,) * 4),),
        data.bom,
    )
    assert rules(data4, bad) == {"min_lot"}


def test_lot_multiple(data: LotSizingData) -> None:
    """Tests that a lot that is not a multiple of the lot size is rejected."""
    bad = Plan(
        ((16, 19, 10), (16, 19, 10)), ((1,) * 3, (1,) * 3), ((6, 5, 5), (0,) * 3), ((0,) * 3, (0,) * 3)
    )
    assert rules(data, bad) == {"lot_multiple"}


def test_capacity(data: LotSizingData) -> None:
    """Tests that a load above capacity plus the overtime used is rejected, and that booking the
    overtime makes the plan valid at 2 per hour."""
    bad = Plan(
        ((40, 0, 10), (40, 0, 10)),
        ((1, 0, 1), (1, 0, 1)),
        ((30, 10, 10), (0,) * 3),
        ((0,) * 3, (0,) * 3),
        ((0, 0, 0),),
    )
    assert rules(data, bad) == {"capacity"}  # load 40 + setup 5 = 45 > 40
    fixed = check_plan(data, replace(bad, overtime=((5, 0, 0),)))
    assert fixed.ok and fixed.costs.overtime == pytest.approx(10.0)


def test_overtime_above_limit(data: LotSizingData, plan: Plan) -> None:
    """Tests that overtime above what the resource offers is rejected."""
    bad = replace(plan, overtime=((6, 0, 0),))
    assert rules(data, bad) == {"overtime"}


def test_storage(data: LotSizingData) -> None:
    """Tests that total stock above the storage limit is rejected."""
    small = replace(data, max_total_inventory=4)
    bad = Plan(
        ((15, 20, 10), (15, 20, 10)), ((1,) * 3, (1,) * 3), ((5, 5, 5), (0,) * 3), ((0,) * 3, (0,) * 3)
    )
    assert rules(small, bad) == {"storage"}
