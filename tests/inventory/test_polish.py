"""Tests that the OR-Tools backend's fix-and-optimise polish keeps every guarantee of a plain solve: it
improves a poor incumbent, never returns a worse or infeasible plan, keeps the MIP run's bound, stops at
its deadline or on request, and bad settings are refused with the parameter named."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

from planner.inventory import Item, LotSizingData, PlanStatus, Resource, Solver, check_plan
from planner.inventory.backends.base import MipOutcome
from planner.inventory.backends.ortools import OrToolsBackend
from planner.inventory.fix_optimise import neighbourhoods
from planner.inventory.formulation import build_model


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


def poor_start(data: LotSizingData, lot_for_lot: bool = True) -> tuple[Any, Any, MipOutcome, Any]:
    """The model of ``data``, its proto, a deliberately poor incumbent (the best plan with a setup wherever
    demand is due, lot for lot; else the first plan SCIP finds) and the solver parameters."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    model = build_model(data)
    built = OrToolsBackend().build(model.lp)
    assert built is not None
    solver, variables = built
    proto = linear_solver_pb2.MPModelProto()
    solver.ExportModelToProto(proto)
    if lot_for_lot:
        for i, item in enumerate(data.items):
            for t, demand in enumerate(item.demand):
                variables[model.y[i][t]].SetBounds(float(demand > 0), float(demand > 0))
    else:
        solver.SetSolverSpecificParametersAsString("limits/solutions = 1\n")
    params = pywraplp.MPSolverParameters()
    assert solver.Solve(params) in (0, 1)
    values = [v.solution_value() for v in variables]
    incumbent = MipOutcome("feasible", values, solver.Objective().Value(), 0.0, "lot for lot")
    return model, proto, incumbent, params


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fix_and_optimise_improves_a_poor_incumbent(seed: int) -> None:
    """Tests that fix-and-optimise lowers the cost of a lot-for-lot plan, to no less than the proven
    optimum, with a plan that passes the checker at the cost it reports, and keeps the given bound unless
    it proved the optimum with every setup free."""
    data = tight_instance(seed, num_items=4, num_periods=8, utilisation=0.5)
    model, proto, incumbent, params = poor_start(data)
    assert incumbent.objective is not None
    backend = OrToolsBackend(cpu_time=True, polish_target=8, polish_window=5.0)
    out = backend.fix_and_optimise(proto, model.lp, incumbent, params, time.process_time() + 10.0)
    assert out.values is not None and out.objective is not None
    assert out.objective < incumbent.objective - 1.0
    check = check_plan(data, model.plan_from(out.values))
    assert check.ok, check.violations
    assert check.costs.total == pytest.approx(out.objective, rel=1e-6, abs=1e-5)
    optimum = Solver("ortools").solve(data, time_limit=20, num_threads=1)
    assert optimum.status is PlanStatus.OPTIMAL and optimum.objective is not None
    assert out.objective >= optimum.objective - 1e-6
    if out.status == "optimal":  # a last sub-MIP freed every setup and proved its optimum
        assert out.objective == pytest.approx(optimum.objective) and out.bound == out.objective
    else:
        assert out.status == "feasible" and out.bound == 0.0


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_fix_and_optimise_never_returns_a_worse_plan(seed: int) -> None:
    """Tests that on random instances, sizes of neighbourhoods and sub-MIP limits, the plan returned is
    never worse than the incumbent and always passes the checker."""
    rng = random.Random(seed)
    data = tight_instance(seed, num_items=rng.randint(2, 5), num_periods=rng.randint(4, 9), utilisation=0.5)
    model, proto, incumbent, params = poor_start(data, lot_for_lot=False)
    assert incumbent.objective is not None
    backend = OrToolsBackend(polish_target=rng.randint(1, 12), polish_window=rng.choice([0.05, 0.5]))
    out = backend.fix_and_optimise(proto, model.lp, incumbent, params, time.perf_counter() + 1.5)
    assert out.values is not None and out.objective is not None
    assert out.objective <= incumbent.objective + 1e-6
    check = check_plan(data, model.plan_from(out.values))
    assert check.ok, check.violations


def test_fix_and_optimise_stops_at_its_deadline_and_on_request() -> None:
    """Tests that with its deadline already past it returns the incumbent without a sub-MIP, and that a
    stop request from another thread ends it long before a far deadline with a plan no worse."""
    data = tight_instance(8, num_items=4, num_periods=8, utilisation=0.5)
    model, proto, incumbent, params = poor_start(data)
    backend = OrToolsBackend()
    out = backend.fix_and_optimise(proto, model.lp, incumbent, params, time.perf_counter() - 1.0)
    assert out.values == incumbent.values and "in 0 sub-MIPs" in out.solver_status
    stopper = threading.Timer(0.3, backend.stop)
    stopper.start()
    out = backend.fix_and_optimise(proto, model.lp, incumbent, params, time.perf_counter() + 3600.0)
    stopper.join()
    assert out.objective is not None and incumbent.objective is not None
    assert out.objective <= incumbent.objective + 1e-6


def test_neighbourhoods_cover_every_setup() -> None:
    """Tests that one pass of neighbourhoods frees every setup at least once, alternates period windows and
    item blocks, and frees about the target each."""
    setup_period = {5 * i + t: t for i in range(3) for t in range(5)}
    setup_item = {5 * i + t: i for i in range(3) for t in range(5)}
    pass_ = neighbourhoods(setup_period, setup_item, 6)
    assert set().union(*pass_) == set(setup_period)
    assert {setup_period[v] for v in pass_[0]} == {0, 1}  # a window of two periods, all items
    assert {setup_item[v] for v in pass_[1]} == {0, 1}  # then a block of two items, all periods
    assert all(len(n) in (6, 10) for n in pass_)
    assert len(set(pass_)) == len(pass_)


@pytest.mark.parametrize("num_threads", [1, 2])
@pytest.mark.parametrize("seed", [1, 2])
def test_polished_plan_passes_the_checker(seed: int, num_threads: int) -> None:
    """Tests that with polish on (a short limit, so the sub-MIPs run; with two threads beside a plain SCIP
    run) the plan passes the checker, the reported cost is the checker's and the bound does not exceed
    it."""
    data = tight_instance(seed)
    result = Solver("ortools", polish=0.6).solve(data, time_limit=3, num_threads=num_threads)
    assert result.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)
    assert result.plan is not None
    check = check_plan(data, result.plan)
    assert check.ok, check.violations
    assert result.stats["solver_objective"] == pytest.approx(check.costs.total, rel=1e-6, abs=1e-5)
    assert result.bound is not None and result.bound <= result.objective + 1e-6


@pytest.mark.parametrize("num_threads", [1, 2])
def test_polish_keeps_the_proven_optimum(num_threads: int) -> None:
    """Tests that polish and plain solve prove the same optimum on a small instance."""
    data = tight_instance(3, num_items=3, num_periods=6, utilisation=0.6)
    plain = Solver("ortools").solve(data, time_limit=20, num_threads=1)
    polished = Solver("ortools", polish=0.3).solve(data, time_limit=20, num_threads=num_threads)
    assert plain.status is PlanStatus.OPTIMAL and polished.status is PlanStatus.OPTIMAL
    assert polished.objective == pytest.approx(plain.objective)


def test_stop_ends_the_polishing_member() -> None:
    """Tests that stop() from another thread ends a 600-s two-thread polished solve of a tight instance
    (the plain member and the polishing one) with a plan that passes the checker."""
    data = tight_instance(9, num_items=8, num_periods=15, utilisation=0.9)
    solver = Solver("ortools", polish=0.9)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(solver.solve(data, time_limit=600, num_threads=2)))
    worker.start()
    worker.join(3.0)
    solver.stop()
    worker.join(120)
    assert not worker.is_alive(), "stop() did not end the polished solve"
    if result[0].plan is not None:
        assert check_plan(data, result[0].plan).ok


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"polish": -0.1}, "polish must be in"),
        ({"polish": 1.0}, "polish must be in"),
        ({"polish_target": 0}, "polish_target must be"),
        ({"polish_window": 0.0}, "polish_window > 0"),
    ],
)
def test_bad_polish_settings_are_refused(options: dict[str, float], message: str) -> None:
    """Tests that a polish share outside [0, 1), a target below 1 or a sub-MIP limit of 0 is refused,
    naming the parameter."""
    with pytest.raises(ValueError, match=message):
        Solver("ortools", **options)
