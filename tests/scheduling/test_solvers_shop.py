"""Tests that plain job shops take the fast path (lean model, tabu search) and everything else does not."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.exceptions import ValidationError
from planner.scheduling import (
    Job,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Solver,
    SolveStatus,
    check_solution,
    solve,
)
from planner.scheduling.solvers.cpsat.backend import load_preset
from planner.scheduling.solvers.cpsat.hybrid import HybridShopSolver, _Incumbent
from planner.scheduling.solvers.cpsat.shop import (
    ShopModel,
    is_job_shop,
    is_plain_shop,
    simple_lower_bound,
)
from planner.scheduling.solvers.dispatch import dispatch

from .conftest import ROOT, SHARED, fjsp_from_text, jssp_from_text


@pytest.fixture(scope="module", autouse=True)
def _kernels_compiled() -> None:
    """The tabu kernels compiled before any timed solve (a cold numba cache compiles inside the time limit,
    and a solve of a few seconds would then run no tabu iteration; ``make install`` warms it too)."""
    from planner.scheduling.solvers.tabu import available, compile_kernels

    if available():
        compile_kernels()


def _ft06() -> ProblemData:
    return jssp_from_text((SHARED / "jssp" / "ft06.txt").read_text(), "ft06")


def _checked(data: ProblemData, result) -> None:  # type: ignore[no-untyped-def]
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    assert report.objective == result.objective


def test_plain_shop_detection() -> None:
    """Tests that setups, calendars, releases, pinned operations and other objectives leave the fast path."""
    data = _ft06()
    assert is_plain_shop(data) and is_job_shop(data)
    m0 = data.machines[0]
    with_calendar = data.replace(machines=(Machine(m0.name, unavailable=((5, 9),)), *data.machines[1:]))
    with_setups = data.replace(
        machines=(Machine(m0.name, setup_times=((1,),)), *data.machines[1:]), num_families=1
    )
    first = data.jobs[0]
    released = data.replace(jobs=(Job(first.operations, release=3), *data.jobs[1:]))
    pinned_op = Operation(
        first.operations[0].modes, pinned_machine=first.operations[0].modes[0].machine, pinned_start=0
    )
    pinned = data.replace(jobs=(Job((pinned_op, *first.operations[1:])), *data.jobs[1:]))
    tardy = data.replace(objective=Objective(makespan=1, tardiness=1))
    lexi = data.replace(objective=Objective.parse("lex:makespan,setup"))
    for other in (with_calendar, with_setups, released, pinned, tardy, lexi):
        assert not is_plain_shop(other)


def test_simple_lower_bound_is_valid() -> None:
    """Tests that the job/machine bound never exceeds known optima (ft06 = 55, mk01 = 40)."""
    assert 43 <= simple_lower_bound(_ft06()) <= 55
    mk01 = fjsp_from_text((SHARED / "fjsp" / "mk01.fjs").read_text(), "mk01")
    assert 0 < simple_lower_bound(mk01) <= 40


@pytest.mark.parametrize("num_workers", [1, 2])
def test_fast_path_proves_ft06(num_workers: int) -> None:
    """Tests that the fast path proves ft06 = 55 with one and with two workers, checker-clean."""
    data = _ft06()
    result = solve(data, time_limit=20, num_workers=num_workers, seed=1)
    assert result.stats.get("path") == "shop"
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 55 and result.lower_bound == 55
    _checked(data, result)


def test_proof_phase_finds_and_proves_ft06() -> None:
    """Tests that a proof phase improves a dispatch schedule to ft06 = 55 and proves it, and that one below
    the optimum proves it by infeasibility without changing the schedule."""
    data = _ft06()
    start = dispatch(data)
    assert start is not None and start.makespan > 55
    proof = load_preset("default")["shop"]["proof"]
    hybrid = HybridShopSolver(proof_parameters=proof["parameters"], proof_max_operations=1000)
    stats = {"segments": 0, "proof_phases": 0}

    incumbent = _Incumbent(None, time.perf_counter())
    incumbent.raise_bound(simple_lower_bound(data))
    incumbent.offer(start, "initial")
    hybrid._prove(ShopModel(data, start.makespan), incumbent, 20.0, 2, 1, threading.Event(), stats)
    assert incumbent.makespan == 55 and incumbent.lower_bound == 55 and incumbent.closed()
    assert incumbent.schedule is not None and check_solution(data, incumbent.schedule).objective == 55

    optimal = incumbent.schedule
    again = _Incumbent(None, time.perf_counter())
    again.raise_bound(simple_lower_bound(data))
    again.offer(optimal, "initial")
    hybrid._prove(ShopModel(data, 55), again, 20.0, 2, 1, threading.Event(), stats)
    assert stats["proof"] == "infeasible below the incumbent" and stats["proof_phases"] == 2
    assert again.schedule is optimal and again.lower_bound == 55


def test_proof_phase_bound_stays_below_the_optimum() -> None:
    """Tests that a proof phase cut short leaves a lower bound no higher than la16's optimum (945)."""
    data = jssp_from_text((SHARED / "jssp" / "la16.txt").read_text(), "la16")
    start = dispatch(data)
    assert start is not None
    proof = load_preset("default")["shop"]["proof"]
    hybrid = HybridShopSolver(proof_parameters=proof["parameters"], proof_max_operations=1000)
    incumbent = _Incumbent(None, time.perf_counter())
    incumbent.raise_bound(simple_lower_bound(data))
    incumbent.offer(start, "initial")
    stats = {"segments": 0, "proof_phases": 0}
    hybrid._prove(ShopModel(data, start.makespan), incumbent, 0.5, 2, 1, threading.Event(), stats)
    assert incumbent.makespan is not None and incumbent.lower_bound <= 945 <= incumbent.makespan
    assert incumbent.schedule is not None and check_solution(data, incumbent.schedule).ok


def test_fast_path_flexible_mk01() -> None:
    """Tests that the flexible job shop mk01 is proven at 40 on the fast path."""
    data = fjsp_from_text((SHARED / "fjsp" / "mk01.fjs").read_text(), "mk01")
    result = solve(data, time_limit=30, num_workers=2, seed=1)
    assert result.stats.get("path") == "shop"
    assert result.status == SolveStatus.OPTIMAL and result.objective == 40
    _checked(data, result)


def test_general_problems_keep_the_general_model() -> None:
    """Tests that a shop with a closed window is solved by the general model and respects the window."""
    data = _ft06()
    m0 = data.machines[0]
    closed = data.replace(machines=(Machine(m0.name, unavailable=((0, 30),)), *data.machines[1:]))
    result = solve(closed, time_limit=10, num_workers=2, seed=1)
    assert result.stats.get("path") != "shop"
    _checked(closed, result)
    assert all(op.start >= 30 for op in result.schedule.operations if op.machine == 0)  # type: ignore[union-attr]


def test_textbook_preset_and_unknown_preset() -> None:
    """Tests that the textbook preset turns the fast path off and an unknown preset is a user error."""
    data = _ft06()
    result = Solver("cpsat", preset="textbook").solve(data, time_limit=10, num_workers=1, seed=1)
    assert result.stats.get("path") != "shop"
    assert result.objective == 55
    with pytest.raises(ValidationError, match="preset"):
        Solver("cpsat", preset="no-such-preset")


def test_stop_returns_a_checked_schedule() -> None:
    """Tests that stop() from another thread ends a long fast-path solve with a feasible schedule."""
    data = jssp_from_text((SHARED / "jssp" / "la21.txt").read_text(), "la21")
    solver = Solver("cpsat")
    timer = threading.Timer(1.0, solver.stop)
    timer.start()
    started = time.perf_counter()
    result = solver.solve(data, time_limit=120, num_workers=2, seed=1)
    timer.cancel()
    assert time.perf_counter() - started < 60  # far below the limit: the stop request was honoured
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    _checked(data, result)


def test_progress_reports_improving_makespans() -> None:
    """Tests that progress callbacks see strictly improving makespans ending at the result's."""
    data = jssp_from_text((SHARED / "jssp" / "la01.txt").read_text(), "la01")
    seen: list[float] = []
    result = solve(data, time_limit=20, num_workers=2, seed=1, on_progress=lambda p: seen.append(p.objective))
    assert seen and all(a > b for a, b in itertools.pairwise(seen))
    assert seen[-1] == result.objective == 666


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 9)), min_size=1, max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_random_shops_are_checker_clean(jobs: list[list[tuple[int, int]]]) -> None:
    """Tests that random small job shops (machines may repeat in a job) give checker-clean optimal schedules."""
    data = ProblemData(
        tuple(Machine() for _ in range(3)),
        tuple(Job(tuple(Operation((Mode(m, d),)) for m, d in job)) for job in jobs),
    )
    result = solve(data, time_limit=10, num_workers=2, seed=1)
    _checked(data, result)
    assert result.objective is not None and result.objective >= simple_lower_bound(data)


def test_taillard_generator_reproduces_ta01() -> None:
    """Tests that the benchmark's Taillard generator regenerates ta01's published first row."""
    spec = importlib.util.spec_from_file_location("taillard_gen", ROOT / "benchmarks" / "taillard_gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["taillard_gen"] = module
    spec.loader.exec_module(module)
    assert module.verify()
    ta01 = module.published(1)
    assert len(ta01.times) == 15 and all(sorted(row) == list(range(1, 16)) for row in ta01.machines)
    assert module.simple_lower_bound(ta01.times, ta01.machines) <= 1231


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="needs numba")
def test_hybrid_with_elite_pool_returns_clean_schedule() -> None:
    """Tests that the hybrid's tabu search with an elite pool (as the default preset runs it on job shops over
    250 operations) runs beside CP-SAT and returns a checker-clean schedule no worse than the start."""
    data = jssp_from_text((SHARED / "jssp" / "abz7.txt").read_text(), "abz7")
    start = dispatch(data)
    assert start is not None
    hybrid = HybridShopSolver(first_segment=0.25, growth=1.0, tabu_elite_size=4, tabu_min_distance=10)
    outcome = hybrid.solve(data, start, time_limit=6.0, num_workers=2, seed=1)
    assert outcome.stats["tabu_iterations"] > 0
    assert outcome.stats["tabu_pool_runs"] > 0  # runs ended and the pool picked the next start
    assert outcome.schedule is not None and outcome.makespan is not None
    report = check_solution(data, outcome.schedule)
    assert report.ok and report.objective == outcome.makespan <= start.makespan


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="needs numba")
def test_preset_restart_period_reaches_the_flexible_tabu_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that `tabu_flexible_stall` in the preset's [shop] table sets the flexible tabu search's restart
    period (iterations per operation, at least 250 operations' worth: 2 x 250 on mk01's 55 operations) and
    that a solve with so short a period still returns a checker-clean schedule no worse than the start."""
    import planner.scheduling.solvers.tabu as tabu

    periods: list[int] = []

    class Recording(tabu.FlexibleTabuSearch):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            periods.append(self.max_stall)

    monkeypatch.setattr(tabu, "FlexibleTabuSearch", Recording)
    data = fjsp_from_text((SHARED / "fjsp" / "mk01.fjs").read_text(), "mk01")
    start = dispatch(data)
    assert start is not None
    solver = Solver("cpsat")
    solver._backend.preset.setdefault("shop", {})["tabu_flexible_stall"] = 2
    result = solver.solve(data, time_limit=3, num_workers=2, seed=1)
    assert periods and set(periods) == {500}
    assert result.stats.get("tabu_iterations", 0) > 0
    assert result.schedule is not None and result.objective is not None
    report = check_solution(data, result.schedule)
    assert report.ok and report.objective == result.objective <= start.makespan
    with pytest.raises(ValueError, match="tabu_flexible_stall"):
        HybridShopSolver(tabu_flexible_stall=0)
    with pytest.raises(ValueError, match="max_stall"):
        Recording(data, start, max_stall=0)
