"""Tests that the OR-Tools backend's SCIP portfolio (one differently configured SCIP solve per thread) returns
the best plan and the highest bound of its members, counts a proof by any member, ends the others when one
proves, honours stop requests and agrees with a single SCIP run and with PuLP on small instances."""

from __future__ import annotations

import threading

import pytest

from planner.inventory import PlanStatus, Solver, check_plan, solve
from planner.inventory.backends.base import MipOutcome
from planner.inventory.backends.ortools import PORTFOLIO, OrToolsBackend, combine_outcomes

from .conftest import SHARED, random_instance

# A member that never solves an LP: it finds plans by branching alone and cannot prove a non-trivial optimum.
NO_LP = "lp/solvefreq = -1\n"


def outcome(status: str, objective: float | None, bound: float | None) -> MipOutcome:
    values = None if objective is None else [objective]
    return MipOutcome(status, values, objective, bound, status)


def test_combine_takes_best_plan_and_highest_bound() -> None:
    """Tests that the combined outcome has the lowest objective, the highest bound and stays feasible
    while the gap is open."""
    out = combine_outcomes([outcome("feasible", 110.0, 90.0), outcome("feasible", 105.0, 80.0)])
    assert out.status == "feasible"
    assert out.objective == 105.0 and out.values == [105.0]
    assert out.bound == 90.0


def test_combine_counts_any_proof() -> None:
    """Tests that a member's proof makes the portfolio optimal, and that the best plan of one member with
    the bound of another closes the gap too."""
    proved = combine_outcomes([outcome("feasible", 100.0, 90.0), outcome("optimal", 100.0, 100.0)])
    assert proved.status == "optimal" and proved.bound == 100.0
    crossed = combine_outcomes([outcome("feasible", 100.0, 95.0), outcome("feasible", 120.0, 100.0)])
    assert crossed.status == "optimal" and crossed.objective == 100.0 and crossed.bound == 100.0


def test_combine_without_plans() -> None:
    """Tests that an infeasibility proof wins and that members without plans give an unknown outcome."""
    assert combine_outcomes([outcome("feasible", 1.0, 0.0), outcome("infeasible", None, None)]).status == (
        "infeasible"
    )
    none = combine_outcomes([outcome("unknown", None, None), outcome("unknown", None, None)])
    assert none.status == "unknown" and none.values is None


def test_empty_portfolio_is_refused() -> None:
    """Tests that a portfolio without members is refused, naming the parameter."""
    with pytest.raises(ValueError, match="portfolio"):
        OrToolsBackend(portfolio=())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_portfolio_agrees_with_single_run_and_pulp(seed: int) -> None:
    """Tests that the two-thread portfolio proves the optimum that one SCIP run and CBC prove, with a plan
    the checker accepts at the reported cost."""
    data = random_instance(seed, num_items=4, num_periods=8)
    portfolio = Solver("ortools", portfolio=PORTFOLIO).solve(data, time_limit=30, num_threads=2)
    single = solve(data, time_limit=30, num_threads=1)
    pulp = solve(data, time_limit=30, num_threads=1, backend="pulp")
    for r in (portfolio, single, pulp):
        assert r.status is PlanStatus.OPTIMAL, r.solver_status
    assert "member 1" in portfolio.solver_status  # both members ran
    assert portfolio.objective == pytest.approx(single.objective, rel=1e-6)
    assert portfolio.objective == pytest.approx(pulp.objective, rel=1e-6)
    assert portfolio.plan is not None
    check = check_plan(data, portfolio.plan)
    assert check.ok and check.costs.total == pytest.approx(portfolio.objective)


def test_proof_by_one_member_ends_the_other() -> None:
    """Tests that when plain SCIP proves the optimum, the member that cannot prove it (no LP) is
    interrupted instead of running to its 600-s limit."""
    data = random_instance(4, num_items=4, num_periods=8)
    solver = Solver("ortools", portfolio=(PORTFOLIO[0], NO_LP))
    result: list = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(data, time_limit=600, num_threads=2)))
    worker.start()
    worker.join(120)  # generous: plain SCIP proves this instance in well under a second
    if worker.is_alive():
        solver.stop()
        worker.join()
        pytest.fail("the portfolio ran on after member 0's proof")
    assert result[0].status is PlanStatus.OPTIMAL
    assert result[0].objective == pytest.approx(solve(data, time_limit=30, num_threads=1).objective)


def test_stop_ends_every_member() -> None:
    """Tests that stop() from another thread ends both members of a 600-s portfolio solve of G53 (not
    provable in seconds) with the best plan so far."""
    from planner.formats.trigeiro import read_trigeiro

    path = SHARED / "instances" / "lotsizing" / "trigeiro_G" / "G53.DAT"
    if not path.exists():
        pytest.skip(f"{path} not present")
    data = read_trigeiro(path)
    solver = Solver("ortools", portfolio=PORTFOLIO)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(data, time_limit=600, num_threads=2)))
    worker.start()
    worker.join(2.0)
    solver.stop()
    worker.join(120)
    assert not worker.is_alive(), "stop() did not end the portfolio"
    assert result[0].status in (PlanStatus.FEASIBLE, PlanStatus.UNKNOWN)
    if result[0].plan is not None:
        assert check_plan(data, result[0].plan).ok
