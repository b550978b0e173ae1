"""Tests that the OR-Tools backend's fix-and-optimise polish keeps every guarantee of a plain solve: plans
pass the checker with the cost the solver reported, the bound stays below the cost, the optimum of a
small instance is still proven, and bad settings are refused with the parameter named."""

from __future__ import annotations

import random

import pytest

from planner.inventory import Item, LotSizingData, PlanStatus, Resource, Solver, check_plan


def tight_instance(
    seed: int, num_items: int = 6, num_periods: int = 12, utilisation: float = 0.85
) -> LotSizingData:
    """A random single-machine instance using about ``utilisation`` of its capacity (hard enough not to be
    proven at once, small enough for a test); nothing is due in period 0."""
    rng = random.Random(seed)
    items = [
        Item(
            f"i{i}",
            (0.0, *(float(rng.choice([0, rng.randint(40, 120)])) for _ in range(num_periods - 1))),
            holding_cost=float(rng.randint(1, 5)),
            setup_cost=float(rng.randint(200, 1000)),
            setup_time=float(rng.randint(10, 40)),
            unit_time=1.0,
        )
        for i in range(num_items)
    ]
    load = sum(sum(it.demand) for it in items) / num_periods
    cap = float(round(load / utilisation + 10 * num_items))
    return LotSizingData(tuple(items), (Resource("m", (cap,) * num_periods),), name=f"tight{seed}")


@pytest.mark.parametrize("seed", [1, 2])
def test_polished_plan_passes_the_checker(seed: int) -> None:
    """Tests that with polish on (a short limit, so the windows may run) the plan passes the checker, the
    reported cost is the checker's and the bound does not exceed it."""
    data = tight_instance(seed)
    result = Solver("ortools", polish=0.4, first_share=0.2).solve(data, time_limit=3, num_threads=1)
    assert result.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)
    assert result.plan is not None
    check = check_plan(data, result.plan)
    assert check.ok, check.violations
    assert result.stats["solver_objective"] == pytest.approx(check.costs.total, rel=1e-6, abs=1e-5)
    assert result.bound is not None and result.bound <= result.objective + 1e-6


def test_polish_keeps_the_proven_optimum() -> None:
    """Tests that polish and plain solve prove the same optimum on a small instance."""
    data = tight_instance(3, num_items=3, num_periods=6, utilisation=0.6)
    plain = Solver("ortools").solve(data, time_limit=20, num_threads=1)
    polished = Solver("ortools", polish=0.3).solve(data, time_limit=20, num_threads=1)
    assert plain.status is PlanStatus.OPTIMAL and polished.status is PlanStatus.OPTIMAL
    assert polished.objective == pytest.approx(plain.objective)


@pytest.mark.parametrize(("polish", "first_share"), [(-0.1, 0.3), (1.0, 0.3), (0.5, 0.0), (0.6, 0.5)])
def test_bad_polish_settings_are_refused(polish: float, first_share: float) -> None:
    """Tests that a polish share outside [0, 1), a first share outside (0, 1) or a sum of 1 or more is
    refused, naming both parameters."""
    with pytest.raises(ValueError, match="polish must be in"):
        Solver("ortools", polish=polish, first_share=first_share)
