"""The textbook CP-SAT model of the flexible job shop, as in OR-Tools' sample ``flexible_job_shop_sat.py``.

A benchmark peer, not part of the package: per task a start, a duration and an end variable and an interval;
for tasks with alternatives one optional interval per alternative with its presence literal, exactly one
present, and the task's duration equal to the chosen alternative's; per machine a no-overlap of its
intervals; routing precedences; ``makespan = max(job ends)``. CP-SAT runs with its default parameters apart
from the time limit, the number of workers and the seed (the sample sets only the time limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule, ScheduledOperation


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, on_solution: Callable[[float, int], None] | None):
        super().__init__()
        self.started = started
        self.on_solution = on_solution

    def on_solution_callback(self) -> None:
        if self.on_solution is not None:
            self.on_solution(time.perf_counter() - self.started, int(self.objective_value))


def solve_textbook(
    data: ProblemData,
    *,
    time_limit: float,
    num_workers: int,
    seed: int,
    on_solution: Callable[[float, int], None] | None = None,
    started: float | None = None,
) -> tuple[str, int | None, float, Schedule | None]:
    """Build and solve; returns (status name, makespan, bound, schedule)."""
    started = time.perf_counter() if started is None else started
    jobs = [[[(m.duration, m.machine) for m in op.modes] for op in job.operations] for job in data.jobs]
    horizon = sum(max(alt[0] for alt in task) for job in jobs for task in job)

    model = cp_model.CpModel()
    intervals_per_resources: dict[int, list[cp_model.IntervalVar]] = {}
    starts: dict[tuple[int, int], cp_model.IntVar] = {}
    presences: dict[tuple[int, int, int], Any] = {}
    job_ends: list[cp_model.IntVar] = []
    for job_id, job in enumerate(jobs):
        previous_end: cp_model.IntVar | None = None
        for task_id, task in enumerate(job):
            min_duration = min(alt[0] for alt in task)
            max_duration = max(alt[0] for alt in task)
            suffix = f"_j{job_id}_t{task_id}"
            start = model.new_int_var(0, horizon, "start" + suffix)
            duration = model.new_int_var(min_duration, max_duration, "duration" + suffix)
            end = model.new_int_var(0, horizon, "end" + suffix)
            interval = model.new_interval_var(start, duration, end, "interval" + suffix)
            starts[(job_id, task_id)] = start
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
            if len(task) > 1:
                l_presences = []
                for alt_id, (alt_duration, machine) in enumerate(task):
                    alt_suffix = f"_j{job_id}_t{task_id}_a{alt_id}"
                    l_presence = model.new_bool_var("presence" + alt_suffix)
                    l_start = model.new_int_var(0, horizon, "start" + alt_suffix)
                    l_end = model.new_int_var(0, horizon, "end" + alt_suffix)
                    l_interval = model.new_optional_interval_var(
                        l_start, alt_duration, l_end, l_presence, "interval" + alt_suffix
                    )
                    l_presences.append(l_presence)
                    model.add(start == l_start).only_enforce_if(l_presence)
                    model.add(duration == alt_duration).only_enforce_if(l_presence)
                    model.add(end == l_end).only_enforce_if(l_presence)
                    intervals_per_resources.setdefault(machine, []).append(l_interval)
                    presences[(job_id, task_id, machine)] = l_presence
                model.add_exactly_one(l_presences)
            else:
                intervals_per_resources.setdefault(task[0][1], []).append(interval)
                presences[(job_id, task_id, task[0][1])] = model.new_constant(1)
        assert previous_end is not None
        job_ends.append(previous_end)
    for intervals in intervals_per_resources.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, job_ends)
    model.minimize(makespan)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = seed
    status = solver.solve(model, _Callback(started, on_solution))
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return name, None, solver.best_objective_bound, None
    out: list[ScheduledOperation] = []
    for (job_id, task_id), start_var in starts.items():
        begin = int(solver.value(start_var))
        for alt_duration, machine in jobs[job_id][task_id]:
            if solver.boolean_value(presences[(job_id, task_id, machine)]):
                out.append(ScheduledOperation(job_id, task_id, machine, begin, begin + alt_duration))
                break
    return name, int(solver.objective_value), solver.best_objective_bound, Schedule(out)
