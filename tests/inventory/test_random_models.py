"""Tests on small random instances with every feature (BOM, backlog, safety stock, lots, overtime, storage)
that the facility-location model and the plain model reach the same optimum, and that every plan passes
the checker with the cost the solver reports."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.inventory import BomEntry, Item, LotSizingData, PlanStatus, Resource, check_plan, solve

NUM_PERIODS = 4


@st.composite
def instances(draw: st.DrawFn) -> LotSizingData:
    demand = st.tuples(*[st.sampled_from([0.0, 5.0, 10.0, 20.0])] * NUM_PERIODS)
    items = []
    for i in range(draw(st.integers(1, 3))):
        ss = draw(st.sampled_from([(), (2.0,) * NUM_PERIODS, (0.0, 5.0, 0.0, 3.0)]))
        items.append(
            Item(
                f"i{i}",
                draw(demand),
                holding_cost=draw(st.sampled_from([0.5, 1.0, 3.0])),
                setup_cost=draw(st.sampled_from([0.0, 10.0, 40.0])),
                setup_time=draw(st.sampled_from([0.0, 2.0])),
                unit_time=1.0,
                resource=draw(st.sampled_from([0, 0, None])),
                initial_inventory=draw(st.sampled_from([0.0, 0.0, 7.0])),
                min_lot=draw(st.sampled_from([0.0, 0.0, 8.0])),
                lot_multiple=draw(st.sampled_from([0.0, 0.0, 5.0])),
                safety_stock=ss,
                backlog_penalty=draw(st.sampled_from([None, 4.0])),
                safety_stock_penalty=draw(st.sampled_from([None, 2.0])) if ss else None,
            )
        )
    bom: tuple[BomEntry, ...] = ()
    if len(items) >= 2 and draw(st.booleans()):
        bom = (BomEntry(0, 1, quantity=draw(st.sampled_from([1.0, 2.0])), lead_time=draw(st.integers(0, 1))),)
    resource = Resource(
        "m",
        (draw(st.sampled_from([25.0, 40.0, 80.0])),) * NUM_PERIODS,
        overtime=(5.0,) * NUM_PERIODS,
        overtime_cost=3,
    )
    return LotSizingData(
        tuple(items), (resource,), bom, max_total_inventory=draw(st.sampled_from([None, 60.0]))
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_facility_location_equals_plain_model(data: LotSizingData) -> None:
    """Tests that the strengthened and the plain model agree (status and optimum) and plans pass the checker."""
    strong = solve(data, time_limit=20, num_threads=1, seed=1)
    plain = solve(data, time_limit=20, num_threads=1, seed=1, facility_location=False)
    assert strong.status == plain.status
    if strong.status is PlanStatus.INFEASIBLE:
        return
    assert strong.status is PlanStatus.OPTIMAL
    assert strong.objective == pytest.approx(plain.objective, rel=1e-6, abs=1e-6)
    for r in (strong, plain):
        assert r.plan is not None
        check = check_plan(data, r.plan)
        assert check.ok, check.violations
        assert r.stats["solver_objective"] == pytest.approx(check.costs.total, rel=1e-6, abs=1e-5)


@pytest.mark.parametrize(
    ("parent_holding", "quantity", "optimum", "made"),
    [(0.5, 1.0, 13.5, 7.0), (3.0, 2.0, 34.5, 3.5)],
)
def test_parent_that_saves_component_holding_is_not_limited_to_its_requirement(
    parent_holding: float, quantity: float, optimum: float, made: float
) -> None:
    """Tests that a parent whose components cost more to hold may be made beyond its need (found by hypothesis).

    Item i0 needs only its safety stock of 2, but each unit made turns ``quantity`` units of i1's initial
    stock (holding 1.0, consumed one period ahead: lead time 1) into i0 stock, which pays when i0 is cheaper
    to hold than what it consumes over the lead time; the facility-location model must not cap it at 2.
    """
    n = NUM_PERIODS
    items = (
        Item(
            "i0", (0.0,) * n, holding_cost=parent_holding, unit_time=1.0, resource=0, safety_stock=(2.0,) * n
        ),
        Item(
            "i1",
            (0.0,) * n,
            holding_cost=1.0,
            setup_cost=10.0,
            unit_time=1.0,
            resource=0,
            initial_inventory=7.0,
        ),
    )
    bom = (BomEntry(0, 1, quantity=quantity, lead_time=1),)
    data = LotSizingData(items, (Resource("m", (25.0,) * n, overtime=(5.0,) * n, overtime_cost=3),), bom)
    strong = solve(data, time_limit=10, num_threads=1, seed=1)
    plain = solve(data, time_limit=10, num_threads=1, seed=1, facility_location=False)
    assert strong.status is PlanStatus.OPTIMAL and plain.status is PlanStatus.OPTIMAL
    assert strong.objective == pytest.approx(plain.objective) == pytest.approx(optimum)
    assert strong.plan is not None and sum(strong.plan.produce[0]) == pytest.approx(made)
