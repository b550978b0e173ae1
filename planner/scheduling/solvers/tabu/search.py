"""Tabu search on the critical path for job shops with a makespan objective.

:class:`TabuSearch` holds one problem (every operation on a fixed machine: a job shop, or a flexible job
shop once the machines are chosen) as flat arrays and improves machine sequences with the compiled loop of
:mod:`.kernels`, in slices of iterations so that a caller can stop it, read its best schedule or watch the
clock between slices. The compiled code releases the GIL, so a search can run in a thread next to CP-SAT.

numba is optional: :func:`available` says whether the compiled loop can be used; without numba callers
skip the tabu search (a pure-Python loop would be too slow to help).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule, ScheduledOperation

logger = logging.getLogger(__name__)

_KERNELS: Any = None
_KERNELS_LOCK = threading.Lock()


def _next_random(rng: int) -> int:
    """The kernels' random generator (:func:`.kernels._next_random`), one step in Python."""
    return (rng * 6364136223846793005 + 1442695040888963407) & 0x7FFFFFFFFFFFFFFF


def available() -> bool:
    """True when numba is installed (the tabu search then compiles or loads its cached kernels)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _kernels() -> Any:
    global _KERNELS
    with _KERNELS_LOCK:
        if _KERNELS is None:
            from planner.scheduling.solvers.tabu import kernels

            _KERNELS = kernels
    return _KERNELS


def warm_up() -> float:
    """Compile (or load from the cache) the kernels on a tiny problem; returns the seconds it took."""
    import numpy as np

    started = time.perf_counter()
    k = _kernels()
    dur = np.array([1, 2, 2, 1], np.int64)
    jprev = np.array([-1, 0, -1, 2], np.int64)
    jnext = np.array([1, -1, 3, -1], np.int64)
    machine = np.array([0, 1, 1, 0], np.int64)
    job = np.array([0, 0, 1, 1], np.int64)
    seq = np.array([[0, 3], [2, 1]], np.int64)
    count = np.array([2, 2], np.int64)
    best = seq.copy()
    state = np.zeros(7, np.int64)
    state[3] = 1
    tu, tv, tt = (np.zeros(8, np.int64) for _ in range(3))
    k.tabu_search(dur, jprev, jnext, machine, job, seq, count, best, state, tu, tv, tt, 0, 5, 3, 1, 2, False)
    rank = np.array([0, 1, 1, 0], np.int64)
    matrix = np.zeros((4, 2), np.int64)
    state[:] = 0
    state[3] = 1
    k.tabu_search_n7(
        dur, jprev, jnext, machine, job, seq, count, best, state, rank, matrix, 0, 5, 3, 1, 2, False
    )
    k.kick(dur, jprev, jnext, machine, job, seq, count, 1)
    k.relink(dur, jprev, jnext, machine, job, seq, count, best, k.distance(seq, best, count, 4), 1)
    k.starts_of(dur, jprev, jnext, best, count, np.zeros(4, np.int64))
    return time.perf_counter() - started


class SlicedSearch:
    """What both tabu searches share: a ``state`` array the kernels write and a loop of timed slices.

    Subclasses set ``state`` (``state[0]`` best makespan, ``[1]`` iterations, ``[5]`` proven) and implement
    :meth:`run_slice`; ``first_slice`` is the number of iterations of the first slice of :meth:`run`.
    """

    first_slice = 200
    state: Any

    @property
    def best(self) -> int:
        """Makespan of the best schedule so far (0 before the first slice)."""
        return int(self.state[0])

    @property
    def iterations(self) -> int:
        return int(self.state[1])

    @property
    def proven(self) -> bool:
        """True once the best schedule is known to be optimal (it meets the lower bound, or no move is left)."""
        return bool(self.state[5])

    def run_slice(self, num_iterations: int) -> int:
        raise NotImplementedError

    def run(
        self,
        deadline: float,
        stop: threading.Event | None = None,
        on_improve: Callable[[int], None] | None = None,
    ) -> int:
        """Search until ``deadline`` (a ``time.perf_counter()`` value), a stop request or a proof."""
        slice_len = self.first_slice
        last = self.best
        while time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
            t0 = time.perf_counter()
            best = self.run_slice(slice_len)
            spent = time.perf_counter() - t0
            if best != last:
                last = best
                if on_improve is not None:
                    on_improve(best)
            if self.proven:
                break
            # aim at ~20 ms per slice so that stop requests and deadlines are honoured promptly
            if spent < 0.01:
                slice_len = min(slice_len * 2, 1_000_000)
            elif spent > 0.04:
                slice_len = max(10, slice_len // 2)
        return self.best


class TabuSearch(SlicedSearch):
    """Improves the machine sequences of one schedule.

    Parameters
    ----------
    data
        The problem; only durations and routings are used (no setups, calendars or releases).
    schedule
        A feasible schedule to start from; it also fixes each operation's machine.
    seed
        Seed of the search's random choices.
    lower_bound
        Stop once a schedule this short is found.
    elite_size
        Size of the pool of elite schedules (0: none). With a pool, each run of the tabu search ends after
        ``max_stall`` iterations without improving its own best, which joins the pool if it is better than
        the worst elite and differs from every elite; the next run starts on the path between two random
        elites (path relinking, as in TS/PR of Peng, Lü and Cheng 2015), a ``relink_share`` of the way from
        one towards the other. Until the pool holds two elites, and without a pool, a run starts from the
        best schedule after a few random critical swaps.
    neighbourhood
        ``"n7"`` (default): move an operation of a critical block to the block's front or back, or the first
        or last one into the block (Zhang et al. 2007); ``"n5"``: swap the first or last two operations of
        a block (Nowicki and Smutnicki 1996). N7 measured better per CPU-second on the Taillard and abz
        instances despite about half the iterations per second (``benchmarks/README.md``).

    Raises
    ------
    ValueError
        If ``neighbourhood`` is neither ``"n5"`` nor ``"n7"``.
    """

    def __init__(
        self,
        data: ProblemData,
        schedule: Schedule,
        *,
        seed: int = 1,
        lower_bound: int = 0,
        elite_size: int = 0,
        relink_share: tuple[float, float] = (0.3, 0.6),
        max_stall: int | None = None,
        tenure: tuple[int, int] | None = None,
        min_distance: int = 0,
        neighbourhood: str = "n7",
    ):
        import numpy as np

        if neighbourhood not in ("n5", "n7"):
            raise ValueError(f"neighbourhood must be 'n5' or 'n7', got {neighbourhood!r}")
        self.neighbourhood = neighbourhood

        self.data = data
        self.keys: list[tuple[int, int]] = []
        index: dict[tuple[int, int], int] = {}
        for j_idx, job in enumerate(data.jobs):
            for o_idx in range(len(job.operations)):
                index[(j_idx, o_idx)] = len(self.keys)
                self.keys.append((j_idx, o_idx))
        n = len(self.keys)
        self.dur = np.zeros(n, np.int64)
        self.machine = np.zeros(n, np.int64)
        self.job = np.array([j for j, _ in self.keys], np.int64)
        self.jprev = np.full(n, -1, np.int64)
        self.jnext = np.full(n, -1, np.int64)
        per_machine: dict[int, list[tuple[int, int, int]]] = {}
        for sop in schedule:
            x = index[(sop.job, sop.operation)]
            self.dur[x] = sop.end - sop.start
            self.machine[x] = sop.machine
            per_machine.setdefault(sop.machine, []).append((sop.start, sop.end, x))
            if sop.operation > 0:
                p = index[(sop.job, sop.operation - 1)]
                self.jprev[x] = p
                self.jnext[p] = x
        num_machines = data.num_machines
        width = max((len(v) for v in per_machine.values()), default=1)
        self.seq = np.full((num_machines, width), -1, np.int64)
        self.count = np.zeros(num_machines, np.int64)
        for m, entries in per_machine.items():
            entries.sort()
            self.count[m] = len(entries)
            for k, (_, _, x) in enumerate(entries):
                self.seq[m, k] = x
        self.best_seq = self.seq.copy()
        # N7's tabu matrix is indexed by an operation and the rank of another one on the same machine
        self.rank = np.zeros(n, np.int64)
        for m in range(num_machines):
            for k in range(int(self.count[m])):
                self.rank[self.seq[m, k]] = k
        self.tabu_matrix = np.zeros((n, width) if neighbourhood == "n7" else (1, 1), np.int64)
        self.state = np.zeros(7, np.int64)
        self.state[3] = (seed * 2654435761 + 12345) & 0x7FFFFFFFFFFFFFFF
        list_len = 64
        self.tabu_u = np.zeros(list_len, np.int64)
        self.tabu_v = np.zeros(list_len, np.int64)
        self.tabu_until = np.zeros(list_len, np.int64)
        self.lower_bound = int(lower_bound)
        # tenure and restart period picked on ta21 / ta41 / ta51 runs of 8 s (see the report of issue 7)
        self.tenure = tenure or (max(2, int(n**0.5 * 0.35)), max(4, int(n**0.5 * 0.6)))
        self.max_stall = max_stall or max(10_000, 40 * n)
        self.elite_size = elite_size
        self.relink_share = relink_share
        self.min_distance = min_distance
        self.elites: list[tuple[int, Any]] = []  # (makespan, sequences), best first
        self.num_runs = 0
        # with a pool the kernel works on one run at a time: its own best and state
        self.run_best_seq = self.seq.copy()
        self.run_state = self.state.copy()

    def run_slice(self, num_iterations: int) -> int:
        """Run some iterations (without the GIL); returns the best makespan."""
        if self.elite_size <= 0:
            return self._kernel(self.best_seq, self.state, num_iterations, True)
        state, run = self.state, self.run_state
        remaining = num_iterations
        while remaining > 0:
            before = int(run[1])
            self._kernel(self.run_best_seq, run, remaining, False)
            remaining -= int(run[1]) - before
            if state[0] <= 0 or run[0] < state[0]:
                state[0] = run[0]
                self.best_seq[:, :] = self.run_best_seq
            state[1] = run[1]
            state[5] = run[5]
            if state[5]:
                break
            if run[6]:
                self._next_run()
            elif int(run[1]) == before:
                break
        return int(state[0])

    def _kernel(self, best_seq: Any, state: Any, num_iterations: int, restart: bool) -> int:
        k = _kernels()
        if self.neighbourhood == "n7":
            return int(
                k.tabu_search_n7(
                    self.dur,
                    self.jprev,
                    self.jnext,
                    self.machine,
                    self.job,
                    self.seq,
                    self.count,
                    best_seq,
                    state,
                    self.rank,
                    self.tabu_matrix,
                    self.lower_bound,
                    num_iterations,
                    self.max_stall,
                    self.tenure[0],
                    self.tenure[1],
                    restart,
                )
            )
        return int(
            k.tabu_search(
                self.dur,
                self.jprev,
                self.jnext,
                self.machine,
                self.job,
                self.seq,
                self.count,
                best_seq,
                state,
                self.tabu_u,
                self.tabu_v,
                self.tabu_until,
                self.lower_bound,
                num_iterations,
                self.max_stall,
                self.tenure[0],
                self.tenure[1],
                restart,
            )
        )

    def _next_run(self) -> None:
        """Offer the run's best to the pool and pick the start of the next run."""
        k = _kernels()
        run = self.run_state
        n = len(self.keys)
        makespan = int(run[0])
        pool = self.elites
        # an elite closer than min_distance to the new schedule is its "twin": only one of them stays
        near = [
            i
            for i, (_, seq) in enumerate(pool)
            if k.distance(self.run_best_seq, seq, self.count, n) <= self.min_distance
        ]
        if near:
            i = min(near, key=lambda i: pool[i][0])
            if makespan < pool[i][0]:
                pool[i] = (makespan, self.run_best_seq.copy())
        elif len(pool) < self.elite_size or makespan < pool[-1][0]:
            pool.append((makespan, self.run_best_seq.copy()))
        pool.sort(key=lambda e: e[0])
        del pool[self.elite_size :]
        rng = int(run[3])
        if len(pool) < 2:
            self.seq[:, :] = self.best_seq
            rng = int(
                k.kick(self.dur, self.jprev, self.jnext, self.machine, self.job, self.seq, self.count, rng)
            )
        else:
            rng = _next_random(rng)
            a = (rng >> 33) % len(pool)
            rng = _next_random(rng)
            b = (a + 1 + (rng >> 33) % (len(pool) - 1)) % len(pool)
            rng = _next_random(rng)
            lo, hi = self.relink_share
            share = lo + (hi - lo) * ((rng >> 33) % 1000) / 1000.0
            self.seq[:, :] = pool[a][1]
            target = pool[b][1]
            steps = int(share * k.distance(self.seq, target, self.count, n))
            rng = int(
                k.relink(
                    self.dur,
                    self.jprev,
                    self.jnext,
                    self.machine,
                    self.job,
                    self.seq,
                    self.count,
                    target,
                    steps,
                    rng,
                )
            )
        run[0] = 0  # the kernel takes the start as the run's first best
        run[2] = 0
        run[3] = rng
        run[6] = 0
        self.tabu_until[:] = 0
        self.tabu_matrix[:, :] = 0
        self.num_runs += 1

    def schedule(self) -> Schedule:
        """The best schedule found, with semi-active start times."""
        import numpy as np

        starts = np.zeros(len(self.keys), np.int64)
        k = _kernels()
        makespan = k.starts_of(self.dur, self.jprev, self.jnext, self.best_seq, self.count, starts)
        if makespan < 0:  # cannot happen: every move keeps the sequences acyclic
            raise RuntimeError("tabu search produced cyclic machine sequences")
        return Schedule(
            ScheduledOperation(j, o, int(self.machine[x]), int(starts[x]), int(starts[x] + self.dur[x]))
            for x, (j, o) in enumerate(self.keys)
        )
