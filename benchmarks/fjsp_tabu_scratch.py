#!/usr/bin/env python3
"""Scratch runs of the flexible tabu search alone, and of a CP-SAT LNS started from its schedule.

One line per run: ``FILE SEED VARIANT final MAKESPAN``. The limit is CPU seconds of this process (the search
is single-threaded), so two runs side by side on two cores measure alike; being a time limit, it makes
repeated runs differ a little.

Variants:

- ``tabu*F``: the tabu search from the dispatching rule's schedule for ``B`` CPU-s, restarting from its best
  schedule after ``F * max(5_000, 20 * operations)`` iterations without a new best (the period before
  2026-12-08; the default is now ``F = 5``);
- ``lns-window``, ``lns-jobs``, ``lns-mfull``, ``lns-mix``: the tabu search (default period) for ``A`` CPU-s,
  then ``B`` CPU-s of CP-SAT (one worker, 1 s per step) on neighbourhoods of that schedule: the operations
  of a stretch of start times, of some jobs, or all operations of some machines are free (machine and
  position), every other operation keeps its machine and its order on it. The number of free operations
  grows by one after a step proven optimal and shrinks by two otherwise.

Example (the A/B of benchmarks/README.md, "Restart period of the flexible tabu search")::

    F=../shared/instances/fjsp
    for i in hurink_edata/la30 mk10; do for s in 1 2; do for v in 1 5; do
      echo "$F/$i.fjs $s tabu*$v 0 30"; done; done; done |
      xargs -P 2 -L 1 .venv/bin/python benchmarks/fjsp_tabu_scratch.py
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.sat.python import cp_model

from planner.formats import read_instance
from planner.scheduling import check_solution
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.cpsat.shop import ShopModel
from planner.scheduling.solvers.dispatch import dispatch
from planner.scheduling.solvers.tabu import FlexibleTabuSearch
from planner.scheduling.solvers.tabu.flexible import restart_period, warm_up_flexible


def run_tabu(
    data: ProblemData, schedule: Schedule, seed: int, seconds: float, factor: float | None
) -> Schedule:
    # factor x the period before 2026-12-08, max(5_000, 20 x operations)
    stall = None if factor is None else int(factor * restart_period(data.num_operations, 20))
    search = FlexibleTabuSearch(data, schedule, seed=seed, max_stall=stall)
    t0 = time.process_time()
    while time.process_time() - t0 < seconds:
        search.run_slice(2000)
    return search.schedule()


def neighbourhood(kind: str, data: ProblemData, best: Schedule, size: int, rng: random.Random) -> set:
    """The (job, operation) keys set free."""
    if kind == "lns-window":
        ops = sorted(best, key=lambda s: s.start)
        i = rng.randrange(len(ops))
        return {(s.job, s.operation) for s in ops[i : i + size]}
    if kind == "lns-jobs":
        jobs = list(range(data.num_jobs))
        rng.shuffle(jobs)
        free: set = set()
        for j in jobs:
            if len(free) >= size:
                break
            free.update((j, o) for o in range(len(data.jobs[j].operations)))
        return free
    # lns-mfull: every operation on some machines, as many machines as ``size`` operations fill on average
    per_machine = max(1.0, data.num_operations / data.num_machines)
    k = max(2, min(data.num_machines - 1, round(size / per_machine)))
    machines = set(rng.sample(range(data.num_machines), k))
    return {(s.job, s.operation) for s in best if s.machine in machines}


def lns(data: ProblemData, schedule: Schedule, seed: int, seconds: float, mode: str,
        log: Callable[[str], None]) -> Schedule:  # fmt: skip
    rng = random.Random(seed)
    best = schedule
    base = ShopModel(data, best.makespan)
    size = max(4, data.num_operations // 10)
    t0 = time.process_time()
    it = improved = 0
    while time.process_time() - t0 < seconds:
        it += 1
        kind = mode if mode != "lns-mix" else rng.choice(["lns-window", "lns-jobs", "lns-mfull"])
        free = neighbourhood(kind, data, best, size, rng)
        base.set_makespan_domain(base.lower_bound, best.makespan)
        model = base.model.clone()
        model.clear_hints()
        by_machine: dict[int, list] = {}
        for sop in best:
            by_machine.setdefault(sop.machine, []).append(sop)
            variables = base.ops[(sop.job, sop.operation)]
            model.add_hint(model.get_int_var_from_proto_index(variables.start.index), sop.start)
            if (sop.job, sop.operation) in free:
                continue
            for machine, (present, _) in variables.modes.items():
                if not isinstance(present, int):
                    model.add(
                        model.get_bool_var_from_proto_index(present.index) == int(machine == sop.machine)
                    )
        for sops in by_machine.values():
            fixed = sorted((s for s in sops if (s.job, s.operation) not in free), key=lambda s: s.start)
            for a, b in itertools.pairwise(fixed):
                start_a = model.get_int_var_from_proto_index(base.ops[(a.job, a.operation)].start.index)
                start_b = model.get_int_var_from_proto_index(base.ops[(b.job, b.operation)].start.index)
                model.add(start_b >= start_a + (a.end - a.start))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 1.0
        solver.parameters.random_seed = it
        code = solver.solve(model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = base.schedule(solver)
            if found.makespan < best.makespan:
                improved += 1
                log(f"  step {it} {kind}: {len(free)} free -> {found.makespan}")
            if found.makespan <= best.makespan:
                best = found
        size = min(data.num_operations, size + 1) if code == cp_model.OPTIMAL else max(4, size - 2)
    log(f"  {it} steps, {improved} improving, {size} free at the end")
    return best


def main() -> None:
    path, seed, label, before, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), \
        float(sys.argv[5])  # fmt: skip
    data = read_instance(path)
    warm_up_flexible()
    start = dispatch(data)
    assert start is not None
    if label.startswith("tabu*"):
        # the search's seed is SEED + 1, as in the runs of the README's table
        final = run_tabu(data, start, seed + 1, seconds, float(label[5:]))
    else:
        first = run_tabu(data, start, seed, before, None)
        print(path, seed, label, "after tabu", first.makespan, flush=True)
        final = lns(data, first, seed, seconds, label, print)
    report = check_solution(data, final)
    if not report.ok:
        raise SystemExit(f"{path}: the checker rejects the schedule: {report.violations[:3]}")
    print(path, seed, label, "final", final.makespan, flush=True)


if __name__ == "__main__":
    main()
