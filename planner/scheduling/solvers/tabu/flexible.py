"""Tabu search for flexible job shops: machine choices and sequences change together.

:class:`FlexibleTabuSearch` has the interface of :class:`~planner.scheduling.solvers.tabu.TabuSearch`
(slices of iterations without the GIL, ``best``, ``proven``, ``schedule()``) but its moves, compiled in
:mod:`.flexible_kernels`, take an operation of the critical path to another position on any machine it
may use (Mastrolilli and Gambardella 2000). Every move keeps the schedule acyclic and each operation on
one of its own modes, so every schedule it returns is feasible.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule, ScheduledOperation
from planner.scheduling.solvers.tabu.search import SlicedSearch

#: restart period of the search: iterations without a new best per operation, counted on at least
#: ``MIN_STALL_OPERATIONS`` operations (see ``FlexibleTabuSearch``'s ``max_stall``)
STALL_PER_OPERATION = 100
MIN_STALL_OPERATIONS = 250

_KERNELS: Any = None
_KERNELS_LOCK = threading.Lock()


def _kernels() -> Any:
    global _KERNELS
    with _KERNELS_LOCK:
        if _KERNELS is None:
            from planner.scheduling.solvers.tabu import flexible_kernels

            _KERNELS = flexible_kernels
    return _KERNELS


def restart_period(num_operations: int, per_operation: int = STALL_PER_OPERATION) -> int:
    """Iterations without a new best after which the search restarts from its best schedule."""
    return per_operation * max(MIN_STALL_OPERATIONS, num_operations)


def warm_up_flexible() -> float:
    """Compile (or load from the cache) the flexible kernels on a tiny problem; returns the seconds."""
    from planner.scheduling import Job, Machine, Mode, Operation

    started = time.perf_counter()
    data = ProblemData(
        (Machine("a"), Machine("b")),
        (
            Job((Operation((Mode(0, 2), Mode(1, 3))), Operation((Mode(1, 1),)))),
            Job((Operation((Mode(0, 1),)), Operation((Mode(0, 2), Mode(1, 2))))),
        ),
    )
    start = Schedule(
        (
            ScheduledOperation(0, 0, 0, 0, 2),
            ScheduledOperation(0, 1, 1, 2, 3),
            ScheduledOperation(1, 0, 0, 2, 3),
            ScheduledOperation(1, 1, 1, 3, 5),
        )
    )
    search = FlexibleTabuSearch(data, start, seed=1)
    search.run_slice(5)
    search.schedule()
    return time.perf_counter() - started


class FlexibleTabuSearch(SlicedSearch):
    """Improves the machine choices and sequences of one flexible job-shop schedule.

    Parameters
    ----------
    data
        The problem; only modes and routings are used (no setups, calendars or releases).
    schedule
        A feasible schedule to start from.
    seed
        Seed of the search's random choices.
    lower_bound
        Stop once a schedule this short is found.
    max_stall
        Iterations without a new best after which the search restarts from its best schedule with a few
        random moves; by default :func:`restart_period`, ``max(25_000, 100 * operations)``. Five times the earlier
        ``max(5_000, 20 * operations)`` since 2026-12-08: tabu search alone, 30 CPU-s, Hurink edata la30
        1212 / 1216 against 1238 / 1232 (seeds 1 / 2), mean gap over 17 instances 0.86% against 1.06%; in
        the hybrid at 60 s the two are within the seed noise (benchmarks/README.md, "Restart period of the
        flexible tabu search").
    """

    first_slice = 100

    def __init__(
        self,
        data: ProblemData,
        schedule: Schedule,
        *,
        seed: int = 1,
        lower_bound: int = 0,
        max_stall: int | None = None,
    ):
        import numpy as np

        self.data = data
        self.keys: list[tuple[int, int]] = []
        index: dict[tuple[int, int], int] = {}
        opt_start = [0]
        opt_machine: list[int] = []
        opt_dur: list[int] = []
        eligible = [0] * data.num_machines
        for j_idx, job in enumerate(data.jobs):
            for o_idx, op in enumerate(job.operations):
                index[(j_idx, o_idx)] = len(self.keys)
                self.keys.append((j_idx, o_idx))
                for mode in op.modes:
                    opt_machine.append(mode.machine)
                    opt_dur.append(mode.duration)
                    eligible[mode.machine] += 1
                opt_start.append(len(opt_machine))
        n = len(self.keys)
        self.opt_start = np.array(opt_start, np.int64)
        self.opt_machine = np.array(opt_machine, np.int64)
        self.opt_dur = np.array(opt_dur, np.int64)
        self.dur = np.zeros(n, np.int64)
        self.machine = np.zeros(n, np.int64)
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
        self.seq = np.full((num_machines, max(1, max(eligible, default=1))), -1, np.int64)
        self.count = np.zeros(num_machines, np.int64)
        for m, entries in per_machine.items():
            entries.sort()
            self.count[m] = len(entries)
            for k, (_, _, x) in enumerate(entries):
                self.seq[m, k] = x
        self.best_seq = self.seq.copy()
        self.best_count = self.count.copy()
        self.best_machine = self.machine.copy()
        self.best_dur = self.dur.copy()
        self.state = np.zeros(6, np.int64)
        self.state[3] = (seed * 2654435761 + 12345) & 0x7FFFFFFFFFFFFFFF
        self.tabu_until = np.zeros((n, num_machines), np.int64)
        self.lower_bound = int(lower_bound)
        self.tenure = (max(2, int(n**0.5 * 0.35)), max(4, int(n**0.5 * 0.6)))
        if max_stall is not None and max_stall < 1:
            raise ValueError(f"max_stall must be at least 1, got {max_stall}")
        self.max_stall = restart_period(n) if max_stall is None else int(max_stall)

    def run_slice(self, num_iterations: int) -> int:
        """Run some iterations (without the GIL); returns the best makespan."""
        k = _kernels()
        return int(
            k.flexible_tabu_search(
                self.dur,
                self.jprev,
                self.jnext,
                self.machine,
                self.opt_start,
                self.opt_machine,
                self.opt_dur,
                self.seq,
                self.count,
                self.best_seq,
                self.best_count,
                self.best_machine,
                self.best_dur,
                self.state,
                self.tabu_until,
                self.lower_bound,
                num_iterations,
                self.max_stall,
                self.tenure[0],
                self.tenure[1],
            )
        )

    def schedule(self) -> Schedule:
        """The best schedule found, with semi-active start times."""
        import numpy as np

        from planner.scheduling.solvers.tabu.search import _kernels as jssp_kernels

        starts = np.zeros(len(self.keys), np.int64)
        makespan = jssp_kernels().starts_of(
            self.best_dur, self.jprev, self.jnext, self.best_seq, self.best_count, starts
        )
        if makespan < 0:  # cannot happen: cyclic moves are undone
            raise RuntimeError("flexible tabu search produced cyclic machine sequences")
        return Schedule(
            ScheduledOperation(
                j, o, int(self.best_machine[x]), int(starts[x]), int(starts[x] + self.best_dur[x])
            )
            for x, (j, o) in enumerate(self.keys)
        )
