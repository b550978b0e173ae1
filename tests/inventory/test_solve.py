"""Tests that both lot-sizing backends find hand-checked optima, agree with each other, return plans the
checker accepts, explain backlog on overloaded instances and stop on request."""

from __future__ import annotations

import threading

import pytest

from planner.exceptions import PlannerError
from planner.inventory import BomEntry, Item, LotSizingData, PlanStatus, Resource, Solver, check_plan, solve

from .conftest import SHARED, random_instance

BACKENDS = ("ortools", "pulp")


def one_item(demand: tuple[float, ...], capacity: float = 100.0, **kwargs: float) -> LotSizingData:
    """One item on one machine (unit time 1, constant capacity)."""
    return LotSizingData(
        (Item("A", demand, unit_time=1, **kwargs),),  # type: ignore[arg-type]
        (Resource("m", (capacity,) * len(demand)),),
    )


# Each case: data, optimal cost, worked out by hand in the comment.
HAND_CHECKED = {
    # One lot of 20 in period 0 (setup 100, stock 10 + 10) beats two lots (200).
    "one_lot": (one_item((10, 0, 10), setup_cost=100, holding_cost=1), 120.0),
    # Capacity 20 forces 10 units ahead of period 2: make them in period 1 (2 setups + 10 held).
    "capacity": (one_item((0, 0, 30), capacity=20, setup_cost=10, holding_cost=1), 30.0),
    # Minimum lot 20 instead of 15 needed: one lot, stock 15 + 10 + 5, plus setup 10.
    "min_lot": (one_item((5, 5, 5), setup_cost=10, holding_cost=1, min_lot=20), 40.0),
    # Lots of 12: 12 in period 0 (stock 7, 2), 12 in period 2 (stock 9): 2 setups + 18 held.
    "lot_multiple": (one_item((5, 5, 5), setup_cost=10, holding_cost=1, lot_multiple=12), 38.0),
    # Overload with backlog at 5 per unit-period: make 20 each period (30 setup), hold 10 after period 0,
    # then 20 and 10 units late (150).
    "backlog": (one_item((10, 50, 10), capacity=20, setup_cost=10, holding_cost=1, backlog_penalty=5), 190.0),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(HAND_CHECKED))
def test_hand_checked_optimum(case: str, backend: str) -> None:
    """Tests that each backend proves the hand-computed optimum and the checker agrees on the cost."""
    data, expected = HAND_CHECKED[case]
    result = solve(data, time_limit=10, num_threads=1, backend=backend)
    if backend == "pulp" and result.status is not PlanStatus.OPTIMAL:
        # CBC now and then runs the whole limit on these 3-period instances and stops with a weak bound
        # (seen in a clean-clone CI run on 2026-12-02: lot_multiple, bound 26.2 against 38; 0 of 30 in a
        # loop outside pytest). A second solve must prove it: two failures in a row fail the test.
        result = solve(data, time_limit=10, num_threads=1, backend=backend, seed=2)
    assert result.status is PlanStatus.OPTIMAL
    assert result.objective == pytest.approx(expected)
    assert result.bound == pytest.approx(expected, rel=1e-5)
    assert result.plan is not None
    check = check_plan(data, result.plan)
    assert check.ok, check.violations
    assert check.costs.total == pytest.approx(expected)


def test_safety_stock_is_held() -> None:
    """Tests that a safety stock of 5 makes one lot of 25 (stock 15, 5) optimal: 100 + 20."""
    data = one_item((10, 10), setup_cost=100, holding_cost=1, safety_stock=(5, 5))  # type: ignore[arg-type]
    result = solve(data, time_limit=10, num_threads=1)
    assert result.objective == pytest.approx(120.0)
    assert result.plan is not None and result.plan.produce[0] == (25.0, 0.0)
    assert min(result.plan.inventory[0]) >= 5


def test_overtime_is_bought_when_cheaper() -> None:
    """Tests that 10 hours of overtime at 1 (60 in all) beat a second setup at 50 or holding 20 units."""
    data = LotSizingData(
        (Item("A", (0, 30), holding_cost=1, setup_cost=50, unit_time=1),),
        (Resource("m", (20, 20), overtime=(10, 10), overtime_cost=1),),
    )
    for backend in BACKENDS:
        result = solve(data, time_limit=10, num_threads=1, backend=backend)
        assert result.objective == pytest.approx(60.0)
        assert result.costs is not None and result.costs.overtime == pytest.approx(10.0)
        assert result.plan is not None and result.plan.overtime[0] == (0.0, 10.0)


def test_bom_component_bought_one_period_ahead() -> None:
    """Tests a two-level BOM: the parent made in period 1 needs 2 components each one period earlier, so 20
    components are ordered in period 0; cost = parent setup 5 + order 7."""
    data = LotSizingData(
        (
            Item("P", (0, 10), holding_cost=1, setup_cost=5, unit_time=1),
            Item("C", (0, 0), holding_cost=1, setup_cost=7, resource=None),
        ),
        (Resource("m", (100, 100)),),
        (BomEntry(parent=0, component=1, quantity=2, lead_time=1),),
    )
    for backend in BACKENDS:
        result = solve(data, time_limit=10, num_threads=1, backend=backend)
        assert result.objective == pytest.approx(12.0)
        assert result.plan is not None
        assert result.plan.produce == ((0.0, 10.0), (20.0, 0.0))
        assert check_plan(data, result.plan).ok


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_backends_agree_on_small_instances(seed: int) -> None:
    """Tests that SCIP (OR-Tools) and CBC (PuLP) prove the same optimum, with and without the
    facility-location strengthening, and that every plan passes the checker."""
    data = random_instance(seed)
    results = [solve(data, time_limit=20, num_threads=1, backend=b) for b in BACKENDS]
    results.append(solve(data, time_limit=20, num_threads=1, facility_location=False))
    for r in results:
        assert r.status is PlanStatus.OPTIMAL, r.solver_status
        assert r.plan is not None and check_plan(data, r.plan).ok
    assert results[0].objective == pytest.approx(results[1].objective, rel=1e-6)
    assert results[0].objective == pytest.approx(results[2].objective, rel=1e-6)


def test_overloaded_instance_returns_backlog_plan_with_explanation() -> None:
    """Tests that demand above capacity gives the least-bad backlog plan and says what is unmet."""
    data = LotSizingData(
        (
            Item("A", (30, 30, 30), holding_cost=1, setup_cost=10, unit_time=1, backlog_penalty=4),
            Item("B", (20, 20, 20), holding_cost=1, setup_cost=10, unit_time=1, backlog_penalty=9),
        ),
        (Resource("m", (40, 40, 40)),),
    )
    result = solve(data, time_limit=10, num_threads=1)
    assert result.status is PlanStatus.OPTIMAL and result.plan is not None
    assert check_plan(data, result.plan).ok
    # 150 units of demand, 120 of capacity: 30 remain unmet, all of the cheaper-to-delay item A.
    assert sum(s.quantity for s in result.shortfalls if s.kind == "unmet") == pytest.approx(30.0)
    assert result.plan.backlog[1][2] == 0.0 and result.plan.backlog[0][2] == pytest.approx(30.0)
    text = " ".join(result.explanation)
    assert "item 'A'" in text and "30 units" in text and "capacity is fully used" in text
    assert result.summary()["shortfall"]["unmet"] == pytest.approx(30.0)


def test_overloaded_without_backlog_is_infeasible_with_advice() -> None:
    """Tests that an overloaded instance without backlog is reported infeasible, not raised, with advice."""
    data = one_item((50, 50), capacity=40, setup_cost=1, holding_cost=1)
    for backend in BACKENDS:
        result = solve(data, time_limit=10, num_threads=1, backend=backend)
        assert result.status is PlanStatus.INFEASIBLE
        assert result.plan is None and "backlog" in result.explanation[0]


def test_unknown_backend() -> None:
    """Tests that an unknown backend name is a user error listing the choices."""
    with pytest.raises(PlannerError, match="ortools, pulp"):
        Solver("gurobi")


def _stop_once_started(solver: Solver, backend: str) -> None:
    """Call stop() once the solver runs: for pulp once its CBC process exists, else after a second."""
    import time

    if backend == "pulp":
        import psutil

        for _ in range(600):
            if any("cbc" in c.name() for c in psutil.Process().children(recursive=True)):
                break
            time.sleep(0.1)
        time.sleep(0.2)  # CBC is still reading the model: the interrupt must be repeated to work
    else:
        time.sleep(1.0)
    solver.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_stop_returns_best_plan(backend: str) -> None:
    """Tests that stop() from another thread ends a 200-s solve of G53 with its best plan so far."""
    from planner.formats.trigeiro import read_trigeiro

    path = SHARED / "instances" / "lotsizing" / "trigeiro_G" / "G53.DAT"
    if not path.exists():
        pytest.skip(f"{path} not present")
    data = read_trigeiro(path)
    solver = Solver(backend)
    stopper = threading.Thread(target=_stop_once_started, args=(solver, backend))
    stopper.start()
    result = solver.solve(data, time_limit=200, num_threads=1)
    stopper.join()
    # Proving G53 optimal takes longer; a stopped solve is feasible (or unknown if stopped very early).
    assert result.status in (PlanStatus.FEASIBLE, PlanStatus.UNKNOWN)
    if backend == "pulp":
        assert "ctrl-c" in result.solver_status.lower()  # CBC saw the interrupt, not its time limit
    if result.plan is not None:
        assert check_plan(data, result.plan).ok


def test_pulp_point_check_catches_infeasible_points() -> None:
    """Tests the guard against CBC returning its last LP point instead of its incumbent: a point that
    breaks a row, a bound or integrality is measured as violating the model."""
    from planner.inventory.backends.pulp import max_violation
    from planner.inventory.formulation import LinearModel

    lp = LinearModel()
    x = lp.var("x", 0.0, 10.0)
    y = lp.var("y", 0.0, 1.0, integer=True)
    lp.row("r", [(x, 1.0), (y, -10.0)], ub=0.0)
    assert max_violation(lp, [5.0, 1.0]) == 0.0
    assert max_violation(lp, [5.0, 0.0]) == pytest.approx(5.0)  # x > 10 y
    assert max_violation(lp, [5.0, 0.5]) == pytest.approx(0.5)  # y fractional
    assert max_violation(lp, [11.0, 1.0]) == pytest.approx(1.0)  # x above its bound
