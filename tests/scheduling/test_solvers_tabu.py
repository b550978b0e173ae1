"""Tests that the critical-path tabu search improves job-shop schedules and never breaks feasibility."""

from __future__ import annotations

import time

import pytest

from planner.scheduling import Job, Machine, Mode, Operation, ProblemData, check_solution
from planner.scheduling.solvers.dispatch import dispatch

from .conftest import SHARED, jssp_from_text

pytest.importorskip("numba")

from planner.scheduling.solvers.tabu import TabuSearch, warm_up


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    warm_up()


NEIGHBOURHOODS = pytest.mark.parametrize("neighbourhood", ["n5", "n7"])


@NEIGHBOURHOODS
def test_tabu_reaches_ft06_optimum_from_dispatch(neighbourhood: str) -> None:
    """Tests that the tabu search turns the dispatching rule's ft06 schedule into the optimum 55."""
    data = jssp_from_text((SHARED / "jssp" / "ft06.txt").read_text(), "ft06")
    start = dispatch(data)
    assert start is not None and start.makespan > 55
    search = TabuSearch(data, start, seed=3, lower_bound=55, neighbourhood=neighbourhood)
    best = search.run(time.perf_counter() + 20.0)
    schedule = search.schedule()
    report = check_solution(data, schedule)
    assert report.ok, report.violations
    assert best == 55 == schedule.makespan
    assert search.proven  # it met the lower bound it was given


def test_tabu_schedules_pass_the_checker_on_ft10() -> None:
    """Tests that a slice-by-slice run on ft10 only ever improves and returns a checker-clean schedule."""
    data = jssp_from_text((SHARED / "jssp" / "ft10.txt").read_text(), "ft10")
    start = dispatch(data)
    assert start is not None
    search = TabuSearch(data, start, seed=1)
    previous = start.makespan
    for _ in range(20):
        best = search.run_slice(500)
        assert 930 <= best <= previous
        previous = best
    schedule = search.schedule()
    assert check_solution(data, schedule).ok
    assert schedule.makespan == search.best


@NEIGHBOURHOODS
def test_tabu_never_swaps_two_operations_of_one_job(neighbourhood: str) -> None:
    """Tests that a job visiting one machine twice in a row keeps its routing (no cyclic sequences)."""
    machines = (Machine("M0"), Machine("M1"))
    jobs = tuple(
        Job(
            (
                Operation((Mode(0, 3 + j),)),
                Operation((Mode(0, 2 + (j % 3)),)),  # the same machine again
                Operation((Mode(1, 4),)),
                Operation((Mode(0, 1 + j),)),
            )
        )
        for j in range(6)
    )
    data = ProblemData(machines, jobs)
    start = dispatch(data)
    assert start is not None
    search = TabuSearch(data, start, seed=7, neighbourhood=neighbourhood)
    search.run_slice(20_000)
    schedule = search.schedule()
    report = check_solution(data, schedule)
    assert report.ok, report.violations
    assert schedule.makespan <= start.makespan


def test_compile_kernels_command_fills_the_cache() -> None:
    """Tests that ``python -m planner.scheduling.solvers.tabu`` (run by ``make install``) compiles both
    kernel sets: the job-shop and the flexible module then have cached machine code beside them."""
    import subprocess
    import sys
    from pathlib import Path

    import planner.scheduling.solvers.tabu as tabu

    out = subprocess.run(
        [sys.executable, "-m", "planner.scheduling.solvers.tabu"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "tabu kernels compiled or loaded in" in out.stdout
    cache = Path(tabu.__file__).parent / "__pycache__"
    for module in ("kernels", "flexible_kernels"):
        assert list(cache.glob(f"{module}.*.nbi")), f"no numba cache index for {module}"


def _ft10_search(seed: int) -> tuple[ProblemData, TabuSearch]:
    # N5: it improves ft10 slowly enough that two stages of one run are different schedules
    data = jssp_from_text((SHARED / "jssp" / "ft10.txt").read_text(), "ft10")
    start = dispatch(data)
    assert start is not None
    return data, TabuSearch(data, start, seed=seed, neighbourhood="n5")


def test_path_relinking_ends_at_the_target() -> None:
    """Tests that walking the full distance from one schedule towards another ends at it, acyclic all along."""
    import numpy as np

    from planner.scheduling.solvers.tabu import kernels

    _, search = _ft10_search(1)
    search.run_slice(3_000)
    source = search.best_seq.copy()
    search.run_slice(20_000)
    target = search.best_seq.copy()
    n = len(search.keys)
    dist = kernels.distance(source, target, search.count, n)
    assert dist > 0
    seq = source.copy()
    kernels.relink(
        search.dur,
        search.jprev,
        search.jnext,
        search.machine,
        search.job,
        seq,
        search.count,
        target,
        dist // 2,
        5,
    )
    assert kernels.distance(seq, target, search.count, n) == dist - dist // 2  # each step removes one pair
    starts = np.zeros(n, np.int64)
    assert kernels.starts_of(search.dur, search.jprev, search.jnext, seq, search.count, starts) > 0
    kernels.relink(
        search.dur, search.jprev, search.jnext, search.machine, search.job, seq, search.count, target, dist, 5
    )
    assert kernels.distance(seq, target, search.count, n) == 0
    assert np.array_equal(seq, target)


def test_kick_keeps_the_schedule_acyclic() -> None:
    """Tests that the random critical swaps of a restart change the sequences and keep them acyclic."""
    import numpy as np

    from planner.scheduling.solvers.tabu import kernels

    _, search = _ft10_search(2)
    seq = search.seq.copy()
    rng = 12345
    for _ in range(50):
        rng = kernels.kick(
            search.dur, search.jprev, search.jnext, search.machine, search.job, seq, search.count, rng
        )
        starts = np.zeros(len(search.keys), np.int64)
        assert kernels.starts_of(search.dur, search.jprev, search.jnext, seq, search.count, starts) > 0
    assert kernels.distance(seq, search.seq, search.count, len(search.keys)) > 0


def test_kernels_draw_from_the_63_bit_generator() -> None:
    """Tests that the kernels' random state follows the documented generator and stays non-negative: a kick
    returns a state a few steps of :func:`search._next_random` on (with signed arithmetic, numba and LLVM
    once dropped the 63-bit mask inside the kick and the state turned negative)."""
    from planner.scheduling.solvers.tabu import kernels
    from planner.scheduling.solvers.tabu.search import _next_random

    _, search = _ft10_search(2)
    for start in (1, 12345, 5178187584445309392, (1 << 63) - 2):
        seq = search.seq.copy()
        rng = start
        for _ in range(30):
            new = kernels.kick(
                search.dur, search.jprev, search.jnext, search.machine, search.job, seq, search.count, rng
            )
            assert new >= 0
            steps, x = 0, rng
            while x != new and steps < 12:  # 1 + 2 per swap, at most 5 swaps
                x, steps = _next_random(x), steps + 1
            assert x == new, f"state {new} is not 1-11 generator steps after {rng}"
            rng = new
    search.run_slice(30_000)
    assert search.state[3] >= 0


@NEIGHBOURHOODS
def test_elite_pool_search_passes_the_checker(neighbourhood: str) -> None:
    """Tests that the search with an elite pool and path relinking fills the pool and returns clean schedules."""
    data = jssp_from_text((SHARED / "jssp" / "ft10.txt").read_text(), "ft10")
    start = dispatch(data)
    assert start is not None
    search = TabuSearch(data, start, seed=4, elite_size=4, max_stall=2_000, neighbourhood=neighbourhood)
    previous = start.makespan
    for _ in range(30):
        best = search.run_slice(2_000)
        assert 930 <= best <= previous
        previous = best
    assert search.num_runs >= 10
    assert 2 <= len(search.elites) <= 4
    assert [m for m, _ in search.elites] == sorted(m for m, _ in search.elites)
    assert search.elites[0][0] == search.best
    schedule = search.schedule()
    report = check_solution(data, schedule)
    assert report.ok, report.violations
    assert schedule.makespan == search.best


def test_unknown_neighbourhood_is_rejected() -> None:
    """Tests that a neighbourhood other than n5 or n7 gets an error naming the parameter and the choices."""
    data, _ = _ft10_search(1)
    start = dispatch(data)
    assert start is not None
    with pytest.raises(ValueError, match="neighbourhood must be 'n5' or 'n7'"):
        TabuSearch(data, start, neighbourhood="n6")


@pytest.mark.parametrize("name", ["ft10", "la16", "abz7"])
def test_n7_moves_cleared_by_the_condition_keep_the_graph_acyclic(name: str) -> None:
    """Tests the acyclicity condition of N7 against the graph itself: on the schedules a short search
    visits, every move of every critical path that the condition clears leaves acyclic sequences (evaluated
    from scratch) and equal to what the kernel's own move writes, machine neighbours included. Some moves are
    cleared and some are not, so both branches are exercised."""
    import numpy as np

    from planner.scheduling.solvers.tabu import kernels

    data = jssp_from_text((SHARED / "jssp" / f"{name}.txt").read_text(), name)
    start = dispatch(data)
    assert start is not None
    search = TabuSearch(data, start, seed=5, neighbourhood="n7")
    n = len(search.keys)
    cleared = rejected = 0
    for _ in range(6):
        search.run_slice(300)
        seq = search.seq.copy()
        mprev, mnext, pos = (np.empty(n, np.int64) for _ in range(3))
        head, tail, order, indeg = (np.empty(n, np.int64) for _ in range(4))
        kernels.link(seq, search.count, mprev, mnext, pos)
        cur = kernels.evaluate(search.dur, search.jprev, search.jnext, mprev, mnext, head, tail, order, indeg)
        assert cur > 0
        path = np.empty(n, np.int64)
        for pick in range(4):
            length = kernels._critical_path(search.dur, search.jprev, mprev, head, tail, cur, path, pick)
            move_u = np.empty(4 * n + 4, np.int64)
            move_v = np.empty(4 * n + 4, np.int64)
            num = kernels._moves_n7(path, length, mnext, move_u, move_v)
            for k in range(num):
                u, v = int(move_u[k]), int(move_v[k])
                assert search.machine[u] == search.machine[v] and u != v
                ok = kernels._acyclic_n7(u, v, search.dur, search.jprev, search.jnext, pos, head, tail)
                if not ok:
                    rejected += 1
                    continue
                cleared += 1
                trial = seq.copy()
                row = [int(x) for x in trial[search.machine[u], : search.count[search.machine[u]]]]
                row.remove(u)
                row.insert(int(pos[v]), u)
                trial[search.machine[u], : len(row)] = row
                starts = np.zeros(n, np.int64)
                assert (
                    kernels.starts_of(search.dur, search.jprev, search.jnext, trial, search.count, starts) > 0
                )
                moved, mp, mn, ps = seq.copy(), mprev.copy(), mnext.copy(), pos.copy()
                matrix = np.zeros((n, seq.shape[1]), np.int64)
                kernels._move_n7(
                    u, v, search.machine, moved, search.count, ps, mp, mn, search.rank, matrix, 9
                )
                assert np.array_equal(moved, trial)
                lp, ln, lpos = (np.empty(n, np.int64) for _ in range(3))
                kernels.link(trial, search.count, lp, ln, lpos)
                assert np.array_equal(mp, lp) and np.array_equal(mn, ln) and np.array_equal(ps, lpos)
                assert (matrix == 9).sum() == abs(
                    int(pos[u]) - int(pos[v])
                )  # one tabu pair per passed operation
    assert cleared > 0 and rejected > 0
