"""Tests that demand can be lost with a penalty instead of backlogged: hand-checked optima on both
backends, agreement of the backends on random instances, the checker's rules, the native format and
``planner lotsize --lost-sales``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.exceptions import ValidationError
from planner.formats.lotsizing_native import (
    lotsizing_from_dict,
    lotsizing_to_dict,
    read_plan_csv,
    write_plan_csv,
)
from planner.inventory import BomEntry, Item, LotSizingData, Plan, PlanStatus, Resource, check_plan, solve

from .conftest import DATA

BACKENDS = ("ortools", "pulp")


def overloaded(penalty: float = 5.0) -> LotSizingData:
    """Demand 10, 50, 10 on a machine that makes 20 per period (setup 10, holding 1).

    The optimum loses 20 units in period 1: make 20, 20, 10 (setups 30), keep 10 from period 0 for period 1
    (holding 10), lose 50 - 30 = 20 units (5 each: 100); 140 in all. Period 1 cannot get more than 30 (10
    left over from period 0 and its own 20), and period 2's 10 units cost a setup of 10 rather than 50 lost.
    """
    return LotSizingData(
        (Item("A", (10, 50, 10), unit_time=1, setup_cost=10, holding_cost=1, lost_sales_penalty=penalty),),
        (Resource("m", (20, 20, 20)),),
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_hand_checked_lost_sales(backend: str) -> None:
    """Tests that each backend proves the hand-computed optimum 140 (20 units lost in period 1) and that
    the checker and the shortfall statement agree."""
    data = overloaded()
    result = solve(data, time_limit=10, num_threads=1, backend=backend)
    assert result.status is PlanStatus.OPTIMAL
    assert result.objective == pytest.approx(140.0)
    assert result.plan is not None
    assert result.plan.produce[0] == (20.0, 20.0, 10.0)
    assert result.plan.lost[0] == (0.0, 20.0, 0.0)
    assert result.plan.backlog[0] == (0.0, 0.0, 0.0)
    check = check_plan(data, result.plan)
    assert check.ok, check.violations
    assert check.costs.lost_sales == pytest.approx(100.0)
    assert result.summary()["shortfall"]["lost"] == pytest.approx(20.0)
    assert any("20 units of demand are lost in periods 1" in line for line in result.explanation)


@pytest.mark.parametrize("backend", BACKENDS)
def test_losing_is_cheaper_than_a_setup(backend: str) -> None:
    """Tests that 5 units at a penalty of 10 (50) are lost rather than made with a setup of 100."""
    data = LotSizingData(
        (Item("A", (5, 0), unit_time=1, setup_cost=100, holding_cost=1, lost_sales_penalty=10),),
        (Resource("m", (20, 20)),),
    )
    result = solve(data, time_limit=10, num_threads=1, backend=backend)
    assert result.objective == pytest.approx(50.0)
    assert result.plan is not None and result.plan.produce[0] == (0.0, 0.0)
    assert result.plan.lost[0] == (5.0, 0.0)


def test_lost_sales_versus_backlog() -> None:
    """Tests that the same overload costs 190 with backlog at 5 per unit-period (late units wait two
    periods, test_solve) but 140 with lost sales at 5 per unit."""
    lost = overloaded()
    item = lost.items[0]
    backlog = LotSizingData(
        (Item("A", item.demand, unit_time=1, setup_cost=10, holding_cost=1, backlog_penalty=5),),
        lost.resources,
    )
    assert solve(backlog, time_limit=10, num_threads=1).objective == pytest.approx(190.0)
    assert solve(lost, time_limit=10, num_threads=1).objective == pytest.approx(140.0)


def random_lost_sales(seed: int) -> LotSizingData:
    """Three items, five periods, an overloaded machine; items lose, backlog or must meet demand."""
    rng = random.Random(seed)
    items = []
    for i in range(3):
        kind = rng.choice(["lost", "lost", "backlog", "none"]) if i else "lost"
        items.append(
            Item(
                f"i{i}",
                tuple(float(rng.randint(0, 40)) for _ in range(5)),
                holding_cost=float(rng.randint(1, 3)),
                setup_cost=float(rng.randint(20, 120)),
                setup_time=float(rng.randint(0, 5)),
                unit_time=1.0,
                lost_sales_penalty=float(rng.randint(2, 30)) if kind == "lost" else None,
                backlog_penalty=float(rng.randint(2, 10)) if kind == "backlog" else None,
                initial_inventory=float(rng.choice([0, 0, 10])),
            )
        )
    return LotSizingData(tuple(items), (Resource("m", (40.0,) * 5),), name=f"lost{seed}")


@pytest.mark.parametrize("seed", range(4))
def test_backends_agree_with_lost_sales(seed: int) -> None:
    """Tests that SCIP and CBC prove the same optimum on small overloaded instances with lost sales and
    that both plans pass the checker with the cost the solver reported."""
    data = random_lost_sales(seed)
    results = [solve(data, time_limit=20, num_threads=1, backend=b) for b in BACKENDS]
    objectives = []
    for r in results:
        if r.status is PlanStatus.INFEASIBLE:  # an item without shortage options may not fit
            objectives.append(None)
            continue
        assert r.status is PlanStatus.OPTIMAL and r.plan is not None
        check = check_plan(data, r.plan)
        assert check.ok, check.violations
        assert r.stats["solver_objective"] == pytest.approx(check.costs.total, rel=1e-6, abs=1e-5)
        objectives.append(r.objective)
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-6)


def test_component_demand_is_never_lost() -> None:
    """Tests that a component with lost sales may lose only its own demand, not what its parent needs:
    the parent's 30 units need 30 components although losing them would be cheaper."""
    data = LotSizingData(
        (
            Item("P", (0, 30), unit_time=0, setup_cost=1, resource=None),
            Item("C", (5, 0), unit_time=0, setup_cost=100, resource=None, lost_sales_penalty=1),
        ),
        (),
        (BomEntry(0, 1, quantity=1, lead_time=1),),
    )
    result = solve(data, time_limit=10, num_threads=1)
    assert result.plan is not None and check_plan(data, result.plan).ok
    # The component is set up in period 0 for its parent anyway, so its own 5 units are made as well.
    assert result.plan.produce[1][0] == pytest.approx(35.0)
    assert result.objective == pytest.approx(101.0)


def plan_of(lost: float) -> Plan:
    """A plan for :func:`overloaded` that loses ``lost`` units in period 1 (and makes 20, 20, 10)."""
    return Plan(((20, 20, 10),), ((1, 1, 1),), ((10, 0, 0),), ((0, 0, 0),), lost=((0, lost, 0),))


def test_checker_counts_lost_sales() -> None:
    """Tests that the checker accepts the optimal plan and prices its 20 lost units at 5 each."""
    check = check_plan(overloaded(), plan_of(20))
    assert check.ok, check.violations
    assert check.costs.lost_sales == pytest.approx(100.0) and check.costs.total == pytest.approx(140.0)


def test_checker_rejects_wrong_lost_quantity() -> None:
    """Tests that losing 10 instead of 20 units breaks the balance of period 1."""
    assert [v.rule for v in check_plan(overloaded(), plan_of(10)).violations] == ["balance"]


def test_checker_rejects_lost_sales_where_not_allowed() -> None:
    """Tests that a plan losing demand of an item without a lost-sales penalty is rejected."""
    data = LotSizingData((Item("A", (10, 50, 10), unit_time=1),), (Resource("m", (20, 20, 20)),))
    rules = {v.rule for v in check_plan(data, plan_of(20)).violations}
    assert rules == {"lost_sales"}


def test_checker_rejects_losing_more_than_demand() -> None:
    """Tests that more than a period's demand cannot be lost."""
    plan = Plan(((20, 20, 10),), ((1, 1, 1),), ((10, 0, 0),), ((0, 0, 0),), lost=((0, 20, 11),))
    violations = check_plan(overloaded(), plan).violations
    assert any(v.rule == "lost_sales" and "more than the demand" in v.message for v in violations)


def test_backlog_and_lost_sales_exclude_each_other() -> None:
    """Tests that an item cannot have both a backlog and a lost-sales penalty, and a negative penalty is
    named."""
    with pytest.raises(ValidationError, match="lost_sales_penalty: must be None when backlog_penalty"):
        Item("A", (1,), backlog_penalty=1, lost_sales_penalty=2)
    with pytest.raises(ValidationError, match=r"lost_sales_penalty: must be >= 0"):
        Item("A", (1,), lost_sales_penalty=-1)


def test_native_format_round_trip_and_plan_csv(tmp_path: Path) -> None:
    """Tests that lost_sales_penalty survives the JSON document and the lost column the plan CSV; a plan
    CSV without the lost column is read as losing nothing."""
    data = overloaded()
    doc = lotsizing_to_dict(data)
    assert doc["items"][0]["lost_sales_penalty"] == 5.0
    back = lotsizing_from_dict(json.loads(json.dumps(doc)))
    assert back.items == data.items
    path = tmp_path / "p.csv"
    write_plan_csv(data, plan_of(20), path)
    assert read_plan_csv(data, path) == plan_of(20)
    old = tmp_path / "old.csv"
    lines = path.read_text().splitlines()
    old.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    assert read_plan_csv(data, old).lost == ()


def test_cli_lost_sales_option(tmp_path: Path) -> None:
    """Tests that ``planner lotsize --lost-sales 1`` turns the overloaded instance's backlog into lost
    demand: the plan loses what it cannot make and the result JSON prices it."""
    result = CliRunner().invoke(
        main,
        [
            "lotsize",
            str(DATA / "overloaded.json"),
            "--lost-sales",
            "1",
            "--threads",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "units of demand are lost" in result.output
    doc = json.loads((tmp_path / "overloaded.result.json").read_text())
    assert doc["checker"]["ok"] and doc["shortfall"]["lost"] > 0 and doc["costs"]["backlog"] == 0
    assert doc["costs"]["lost_sales"] == pytest.approx(doc["shortfall"]["lost"])
    header = (tmp_path / "overloaded.plan.csv").read_text().splitlines()[0]
    assert header.endswith(",lost")
