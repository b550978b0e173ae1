"""Tests of the stability terms and of rescheduling after disruptions."""

from __future__ import annotations

import random
from typing import Any

import pytest

from planner.exceptions import ValidationError
from planner.scheduling import (
    Job,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Schedule,
    ScheduledOperation,
    check_solution,
    solve,
)
from planner.scheduling.problem_data import Energy, MaintenanceTask
from planner.scheduling.reschedule import (
    Breakdown,
    OperationRef,
    OperationUpdate,
    OrderCancelled,
    RescheduleResult,
    RushOrder,
    reschedule,
)
from planner.scheduling.solvers.cpsat.shop import is_plain_shop


def _two_machine_shop(objective: Objective) -> ProblemData:
    """Two identical machines, three one-operation jobs, each planned on machine 0 one after another."""
    ops = []
    for k in range(3):
        ops.append(Operation((Mode(0, 4), Mode(1, 4)), planned_machine=0, planned_start=4 * k))
    jobs = tuple(Job((op,), f"J{k}") for k, op in enumerate(ops))
    return ProblemData((Machine("A"), Machine("B")), jobs, objective=objective)


def test_planned_placement_is_validated():
    """Tests that planned_machine and planned_start go together, name an eligible machine and are >= 0."""
    with pytest.raises(ValidationError, match="planned_start: planned_machine and planned_start go together"):
        Operation((Mode(0, 3),), planned_machine=0)
    with pytest.raises(ValidationError, match="planned_machine: machine 2 is not one of the modes"):
        Operation((Mode(0, 3),), planned_machine=2, planned_start=0)
    with pytest.raises(ValidationError, match="planned_start: must be an integer >= 0"):
        Operation((Mode(0, 3),), planned_machine=0, planned_start=-1)
    with pytest.raises(ValidationError, match="moved: weight must be an integer >= 0"):
        Objective(moved=-1)


def test_checker_counts_moves_and_shift():
    """Tests that the checker counts operations off their planned placement and sums the start shifts."""
    data = _two_machine_shop(Objective(makespan=1, moved=10, shift=1))
    schedule = Schedule(
        [
            ScheduledOperation(0, 0, 0, 0, 4),  # as planned
            ScheduledOperation(1, 0, 1, 4, 8),  # other machine, same start
            ScheduledOperation(2, 0, 1, 0, 4),  # other machine, 8 earlier
        ]
    )
    report = check_solution(data, schedule)
    assert report.ok
    assert report.kpis is not None
    assert (report.kpis.num_moved, report.kpis.total_shift) == (2, 8)
    assert report.objective == 8 + 10 * 2 + 8


def test_stability_terms_keep_the_plan_and_skip_the_fast_path():
    """Tests that a high moved weight keeps the planned sequence, a zero one spreads the jobs, and the
    plain-shop fast path is not taken while a stability term is active."""
    stable = _two_machine_shop(Objective(makespan=1, moved=100))
    assert not is_plain_shop(stable)
    assert is_plain_shop(stable.replace(objective=Objective()))
    result = solve(stable, time_limit=5, num_workers=1)
    assert result.schedule is not None and result.kpis is not None
    assert check_solution(stable, result.schedule).ok
    assert result.kpis.num_moved == 0 and result.kpis.makespan == 12
    assert result.objective == 12

    free = stable.replace(objective=Objective(makespan=1))
    spread = solve(free, time_limit=5, num_workers=1)
    assert spread.kpis is not None and spread.kpis.makespan == 8

    # with a cheap move, moving one job to B (makespan 8) beats keeping the plan (makespan 12)
    cheap = stable.replace(objective=Objective(makespan=10, moved=1, shift=1))
    best = solve(cheap, time_limit=5, num_workers=1)
    assert best.kpis is not None and best.status.value == "optimal"
    assert best.kpis.makespan == 8 and best.kpis.num_moved == 1
    assert best.objective == 10 * 8 + best.kpis.num_moved + best.kpis.total_shift


def test_lexicographic_stability():
    """Tests that the stability terms work as lexicographic stages too."""
    data = _two_machine_shop(Objective(lexicographic=("makespan", "moved", "shift")))
    result = solve(data, time_limit=5, num_workers=1)
    assert result.kpis is not None and result.schedule is not None
    assert check_solution(data, result.schedule).ok
    assert result.kpis.makespan == 8 and result.kpis.num_moved == 1
    assert Objective.parse("makespan=1,moved=5,shift=2") == Objective(makespan=1, moved=5, shift=2)


# --- rescheduling ------------------------------------------------------------------------------------


# a deterministic work limit (one worker): the same plans whatever the load of the machine; the wall-clock
# limits are only a safety net
DETERMINISTIC: dict[str, Any] = {"parameters": {"max_deterministic_time": 0.5}}


def _plant(seed: int = 3, num_jobs: int = 8) -> ProblemData:
    """Three machines with changeovers, jobs of three operations, most with two eligible machines."""
    rng = random.Random(seed)
    setup = ((0, 3), (4, 0))
    machines = tuple(Machine(f"M{m}", setup_times=setup, initial_family=0) for m in range(3))
    jobs = []
    for j in range(num_jobs):
        ops = []
        for _ in range(3):
            first = rng.randrange(3)
            modes = [Mode(first, rng.randint(3, 9))]
            if rng.random() < 0.7:
                modes.append(Mode((first + 1) % 3, rng.randint(3, 9)))
            ops.append(Operation(tuple(modes)))
        jobs.append(Job(tuple(ops), f"SO-{j}", due=rng.randint(20, 50), family=j % 2))
    return ProblemData(machines, tuple(jobs), num_families=2, objective=Objective(makespan=1, tardiness=1))


@pytest.fixture(scope="module")
def planned() -> tuple[ProblemData, Schedule]:
    data = _plant()
    result = solve(data, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC)
    assert result.schedule is not None
    return data, result.schedule


def _assert_sound(res: RescheduleResult, now: int) -> Schedule:
    """The new plan passes the checker, agrees on the objective, and its stability KPIs match the moves."""
    assert res.schedule is not None
    report = check_solution(res.data, res.schedule)
    assert report.ok, report.violations[:3]
    assert report.objective == res.result.objective
    assert res.result.kpis is not None
    assert res.result.kpis.num_moved == res.num_moved
    assert res.result.kpis.total_shift == res.total_shift
    started = {(r.job, r.operation) for r in res.started}
    for sop in res.schedule:
        if (sop.job, sop.operation) not in res.origin:  # a rush order
            assert sop.start >= now
        elif (res.data.job_name(sop.job), res.origin[(sop.job, sop.operation)][1]) not in started:
            assert sop.start >= now, f"{sop} starts before now"
    return res.schedule


def _by_old_key(res: RescheduleResult) -> dict[tuple[str, int], ScheduledOperation]:
    """The new plan's operations by (job name, operation index of the input problem)."""
    assert res.schedule is not None
    return {
        (res.data.job_name(s.job), res.origin[(s.job, s.operation)][1]): s
        for s in res.schedule
        if (s.job, s.operation) in res.origin
    }


def test_breakdown_keeps_started_and_frozen_work_and_moves_few(planned):
    """Tests that after a breakdown the plan is feasible, started and frozen operations stay in place unless
    the breakdown hits them, nothing new starts before now, and the stable plan moves no more operations
    than a re-solve from scratch without the stability term."""
    data, plan = planned
    now, frozen_horizon = plan.makespan // 3, 6
    busiest = max(range(3), key=lambda m: sum(s.end - s.start for s in plan if s.machine == m))
    events = [Breakdown(f"M{busiest}", now + 2, now + 15)]
    res = reschedule(
        data,
        plan,
        events,
        now=now,
        frozen_horizon=frozen_horizon,
        time_limit=30,
        num_workers=1,
        seed=1,
        **DETERMINISTIC,
    )
    new = _assert_sound(res, now)
    assert (now + 2, now + 15) in [w for w in res.data.machines[busiest].unavailable] or any(
        s <= now + 2 and now + 15 <= e for s, e in res.data.machines[busiest].unavailable
    )
    new_by_name = _by_old_key(res)
    moves = {(m.job, m.operation): m for m in res.moves}
    kept = {(r.job, r.operation) for r in res.started + res.frozen}
    assert kept, "some work must have started or be frozen"
    for sop in plan:
        key = (data.job_name(sop.job), sop.operation)
        after = new_by_name.get(key)
        if after is None:  # finished by now: history, left out of the new problem
            assert sop.end <= now and key in kept
            continue
        if sop.start < now + frozen_horizon:
            if key in moves:
                assert moves[key].reason in ("interrupted", "displaced")
            else:
                assert key in kept and (after.machine, after.start) == (sop.machine, sop.start)
        if key in kept:
            assert (after.machine, after.start, after.end) == (sop.machine, sop.start, sop.end)
    for sop in new:
        if sop.machine == busiest:
            assert sop.end <= now + 2 or sop.start >= now + 15 or sop.start == sop.end

    scratch = reschedule(
        data,
        plan,
        events,
        now=now,
        frozen_horizon=frozen_horizon,
        moved_weight=0,
        shift_weight=0,
        warm_start=False,
        time_limit=30,
        num_workers=1,
        seed=1,
        **DETERMINISTIC,
    )
    _assert_sound(scratch, now)
    assert res.num_moved <= scratch.num_moved
    assert res.total_shift <= scratch.total_shift
    # the problem's own objective (without the stability terms) is reported for both
    assert scratch.plan_objective is not None and res.plan_objective is not None
    if scratch.result.status.value == "optimal":
        assert scratch.plan_objective <= res.plan_objective


def test_running_operation_on_a_broken_machine_is_interrupted(planned):
    """Tests that an operation running when its machine breaks down re-runs in full after now, listed as
    interrupted, and one that ended before the breakdown stays."""
    data, plan = planned
    running = next(
        s
        for s in sorted(plan, key=lambda s: s.start)
        if s.end - s.start >= 4 and any(o.end <= s.start + 1 for o in plan)
    )
    now = running.start + 1
    machine = data.machines[running.machine].name
    res = reschedule(
        data,
        plan,
        [Breakdown(machine, now, now + 10)],
        now=now,
        time_limit=30,
        num_workers=1,
        seed=1,
        **DETERMINISTIC,
    )
    new = _assert_sound(res, now)
    name = data.job_name(running.job)
    move = next(m for m in res.moves if (m.job, m.operation) == (name, running.operation))
    assert move.reason == "interrupted"
    assert move.new_start >= now
    assert move.new_machine != running.machine or move.new_start >= now + 10
    new_by_name = _by_old_key(res)
    finished = [s for s in plan if s.end <= now]
    assert finished
    for sop in finished:
        key = (data.job_name(sop.job), sop.operation)
        assert OperationRef(*key) in res.started
        if key in new_by_name:  # the last one finished on its machine stays, for the changeover
            assert (new_by_name[key].machine, new_by_name[key].start) == (sop.machine, sop.start)
    # at most one finished operation per machine stays in the problem
    assert (
        sum(1 for key in new_by_name if key in {(data.job_name(s.job), s.operation) for s in finished}) <= 3
    )
    assert sum(1 for s in new if s.end <= now) <= 3


def test_rush_order_is_added_after_now(planned):
    """Tests that a rush order is added to the plan, all of it after now, and reported as added."""
    data, plan = planned
    now = plan.makespan // 2
    rush = Job(
        (Operation((Mode(0, 5), Mode(1, 6))), Operation((Mode(2, 4),))), "RUSH-1", due=now + 15, weight=5
    )
    res = reschedule(
        data, plan, [RushOrder(rush)], now=now, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC
    )
    new = _assert_sound(res, now)
    assert res.added == ("RUSH-1",)
    j_new = res.job_origin.index(None)
    assert res.data.jobs[j_new].name == "RUSH-1"
    rush_ops = [s for s in new if s.job == j_new]
    assert len(rush_ops) == 2 and all(s.start >= now for s in rush_ops)
    finished = {s.job for s in plan if s.operation == len(data.jobs[s.job].operations) - 1 and s.end <= now}
    assert res.data.num_jobs == data.num_jobs + 1 - len(finished) + sum(
        1 for j in finished if j in res.job_origin
    )


def test_cancelled_order_disappears_and_nothing_moves_needlessly(planned):
    """Tests that a cancelled order's unstarted operations disappear, its started ones stay, and no other
    operation moves (freeing capacity is no reason to disturb the plan)."""
    data, plan = planned
    now = 6
    late_job = max(range(data.num_jobs), key=lambda j: plan.get(j, 0).start)  # type: ignore[union-attr]
    name = data.job_name(late_job)
    res = reschedule(
        data, plan, [OrderCancelled(name)], now=now, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC
    )
    _assert_sound(res, now)
    assert res.cancelled == (name,)
    assert res.num_moved == 0
    assert late_job not in res.job_origin  # it had not started
    assert {r.job for r in res.removed} == {name}
    assert len(res.removed) == 3
    history = [r for r in res.started if (r.job, r.operation) not in _by_old_key(res)]
    assert res.data.num_operations == data.num_operations - 3 - len(history)


def test_late_finish_pushes_the_successors(planned):
    """Tests that an operation reported finished late keeps its actual times and pushes its job's next
    operation to after its actual end."""
    data, plan = planned
    first = min((s for s in plan if s.operation == 0), key=lambda s: s.start)
    succ = plan.get(first.job, 1)
    assert succ is not None
    late_end = succ.start + 5
    name = data.job_name(first.job)
    events = [OperationUpdate(name, 0, start=first.start, end=late_end)]
    res = reschedule(data, plan, events, now=late_end, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC)
    new = _assert_sound(res, late_end)
    by_key = _by_old_key(res)
    assert OperationRef(name, 0) in res.started
    if (name, 0) in by_key:  # kept as the last operation finished on its machine
        assert (by_key[(name, 0)].start, by_key[(name, 0)].end) == (first.start, late_end)
    assert by_key[(name, 1)].start >= late_end
    assert any((m.job, m.operation) == (name, 1) for m in res.moves)
    assert len(new) == res.data.num_operations


def test_rescheduling_twice_from_the_result(planned):
    """Tests that a result's problem and plan can be rescheduled again later (the day goes on)."""
    data, plan = planned
    first = reschedule(
        data, plan, [Breakdown("M0", 5, 12)], now=5, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC
    )
    assert first.schedule is not None
    second = reschedule(
        first.data,
        first.schedule,
        [Breakdown("M1", 14, 20)],
        now=14,
        frozen_horizon=4,
        time_limit=30,
        num_workers=1,
        seed=1,
        **DETERMINISTIC,
    )
    _assert_sound(second, 14)
    # the problem's own objective leaves out the stability terms the first reschedule put in
    assert second.result.kpis is not None
    kpis = second.result.kpis
    assert second.plan_objective == kpis.makespan + kpis.total_weighted_tardiness
    summary = second.summary()
    assert summary["num_moved"] == second.num_moved and summary["solve"]["status"] in ("optimal", "feasible")


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (lambda: Breakdown("M0", 10, 5), "end", "must be after start 10"),
        (lambda: Breakdown("M0", -1, 5), "start", "must be an integer >= 0"),
        (lambda: OperationUpdate("SO-1", 0, start=10, end=4), "end", "must not be before start 10"),
        (lambda: OperationUpdate("SO-1", 0), "start", "needs a start, an end or both"),
        (lambda: OperationUpdate("SO-1", -2, start=1), "operation", "must be an operation index >= 0"),
        (lambda: OrderCancelled(""), "job", "must be a job name"),
        (lambda: RushOrder(Job((Operation((Mode(0, 1),)),))), "job.name", "needs a name"),
    ],
)
def test_bad_events_name_the_field(make, field, message):
    """Tests that events with bad values raise a ValidationError naming the field and the rule."""
    with pytest.raises(ValidationError) as info:
        make()
    assert any(v.field == field and message in v.description for v in info.value.violations), info.value


@pytest.mark.parametrize(
    ("events", "field", "message"),
    [
        ([Breakdown("M9", 5, 10)], "events[0].machine", "unknown machine 'M9'"),
        ([Breakdown(7, 5, 10)], "events[0].machine", "out of range"),
        ([OrderCancelled("nope")], "events[0].job", "unknown job 'nope'"),
        ([Breakdown("M0", 5, 10), OperationUpdate("nope", 0, end=3)], "events[1].job", "unknown job"),
        ([OperationUpdate("SO-1", 7, end=3)], "events[0].operation", "has operations 0..2"),
        ([OperationUpdate("SO-1", 0, start=40)], "events[0].start", "must have started by now"),
        ([OperationUpdate("SO-1", 0, start=0, end=25)], "events[0].end", "must be <= now"),
        (
            [RushOrder(Job((Operation((Mode(5, 1),)),), "R"))],
            "events[0].job.operations[0].modes[0].machine",
            "unknown",
        ),
        ([RushOrder(Job((Operation((Mode(0, 1),)),), "SO-2"))], "events[0].job.name", "exists already"),
    ],
)
def test_bad_events_in_context_name_the_event(planned, events, field, message):
    """Tests that events that do not fit the problem raise a ValidationError naming the event's field."""
    data, plan = planned
    with pytest.raises(ValidationError) as info:
        reschedule(data, plan, events, now=20, time_limit=1, num_workers=1)
    assert any(v.field == field and message in v.description for v in info.value.violations), info.value


def test_bad_arguments_and_plans_are_rejected(planned):
    """Tests that a negative now or frozen horizon, a negative weight and an infeasible plan are rejected."""
    data, plan = planned
    with pytest.raises(ValidationError, match="now: must be an integer >= 0"):
        reschedule(data, plan, [], now=-1)
    with pytest.raises(ValidationError, match="frozen_horizon"):
        reschedule(data, plan, [], now=0, frozen_horizon=-3)
    with pytest.raises(ValidationError, match="moved_weight"):
        reschedule(data, plan, [], now=0, moved_weight=-1)
    broken = Schedule(list(plan)[1:])
    with pytest.raises(ValidationError, match="schedule: the current plan must be a feasible schedule"):
        reschedule(data, broken, [], now=0)


def test_window_mode_keeps_the_rules(planned):
    """Tests that re-optimising window after window gives a checked plan that keeps started and frozen work,
    moves no more operations than the repaired warm start, and rejects a window < 1."""
    data, plan = planned
    now = plan.makespan // 3
    first = min((s for s in plan if s.operation == 0), key=lambda s: s.start)
    update = OperationUpdate(data.job_name(first.job), 0, start=first.start)
    events = [Breakdown("M1", now + 1, now + 12), update]
    whole = reschedule(
        data, plan, events, now=now, frozen_horizon=5, time_limit=30, num_workers=1, **DETERMINISTIC
    )
    windowed = reschedule(
        data, plan, events, now=now, frozen_horizon=5, time_limit=6, num_workers=1, window=10, **DETERMINISTIC
    )
    _assert_sound(windowed, now)
    assert windowed.result.stats["windows"] >= 1
    assert windowed.result.objective is not None
    assert windowed.result.objective <= windowed.result.stats["start_objective"]
    assert (windowed.started, windowed.frozen) == (whole.started, whole.frozen)
    with pytest.raises(ValidationError, match="window: must be an integer >= 1"):
        reschedule(data, plan, [], now=0, window=0)


def _shift_plant() -> ProblemData:
    """Two machines closed 40-50 (a break), a resumable and a non-resumable job, two maintenance tasks."""
    machines = (Machine("A", unavailable=((40, 50),)), Machine("B", unavailable=((40, 50),)))
    jobs = (
        Job((Operation((Mode(0, 30),), resumable=True), Operation((Mode(1, 10),))), "ASSY", due=80),
        Job((Operation((Mode(1, 20), Mode(0, 25))), Operation((Mode(0, 10), Mode(1, 12)))), "FURN", due=90),
    )
    tasks = (MaintenanceTask(1, 5, earliest=0, latest=30, name="oil"), MaintenanceTask(0, 8, 50, 200, "svc"))
    return ProblemData(machines, jobs, maintenance=tasks, objective=Objective(makespan=1, tardiness=1))


def test_resumable_work_pauses_over_a_breakdown_and_maintenance_is_kept_or_placed():
    """Tests that a resumable operation running when its machine breaks down stays and ends later by the
    breakdown's length, that maintenance done before now stays where it was and maintenance still to do
    lands inside its window after now."""
    data = _shift_plant()
    initial = solve(data, time_limit=30, num_workers=1, seed=1, **DETERMINISTIC)
    assert initial.schedule is not None and check_solution(data, initial.schedule).ok
    plan = initial.schedule
    assy = plan.get(0, 0)
    assert assy is not None
    now = assy.start + 5
    oil = next(sm for sm in plan.maintenance if sm.task == 0)
    res = reschedule(
        data, plan, [Breakdown("A", now, now + 7)], now=now, time_limit=30, num_workers=1, **DETERMINISTIC
    )
    new = _assert_sound(res, now)
    by_key = _by_old_key(res)
    assert OperationRef("ASSY", 0) in res.started
    after = by_key[("ASSY", 0)]
    assert (after.machine, after.start) == (assy.machine, assy.start)
    assert after.end == assy.end + 7  # paused over the breakdown
    assert not any(m.reason == "interrupted" for m in res.moves)
    placed = {sm.task: sm for sm in new.maintenance}
    if oil.start < now:
        assert (placed[0].start, placed[0].end) == (oil.start, oil.end)
    assert placed[1].start >= 50 and placed[1].end <= 200 and placed[1].start >= now


def _power_bound_shop() -> tuple[ProblemData, Schedule]:
    """Two machines under a 10 kW limit: J0 (6 kW) on A at 0-10, then J1 (6 kW) on B at 10-20, never both
    at once; J2 (3 kW, resumable) on A at 10-15 beside J1. Shifting J0 right overlaps it with J1."""
    data = ProblemData(
        (Machine("A"), Machine("B")),
        (
            Job((Operation((Mode(0, 10, 6.0),)),), "J0"),
            Job((Operation((Mode(1, 10, 6.0),)),), "J1"),
            Job((Operation((Mode(0, 5, 3.0),), resumable=True),), "J2"),
        ),
        objective=Objective(makespan=1),
        energy=Energy(60, peak_power=10.0),
    )
    plan = Schedule(
        [
            ScheduledOperation(0, 0, 0, 0, 10),
            ScheduledOperation(1, 0, 1, 10, 20),
            ScheduledOperation(2, 0, 0, 10, 15),
        ]
    )
    assert check_solution(data, plan).ok
    return data, plan


def test_warm_start_keeps_the_peak_power_limit():
    """Tests that after a breakdown that pushes J0 into J1's time, plain shifting right breaks the power
    limit, while the repaired warm start the rescheduler used and the plan it returns both pass the
    checker (peak at most 10 kW)."""
    data, plan = _power_bound_shop()
    res = reschedule(data, plan, [Breakdown("A", 0, 5)], now=0, time_limit=2, num_workers=1, seed=1)
    # what shifting right alone gives: J0 at 5-15 beside J1 at 10-20 and J2 pushed to 15-20: 12 kW
    naive = Schedule(
        [
            ScheduledOperation(0, 0, 0, 5, 15),
            ScheduledOperation(1, 0, 1, 10, 20),
            ScheduledOperation(2, 0, 0, 15, 20),
        ]
    )
    naive_report = check_solution(res.data, naive)
    assert any(v.rule == "power" for v in naive_report.violations)
    assert res.warm_start_source == "repair"
    assert res.warm_start is not None
    warm = check_solution(res.data, res.warm_start)
    assert warm.ok, warm.violations[:3]
    assert warm.kpis is not None and warm.kpis.peak_power <= 10.0
    _assert_sound(res, 0)
    assert res.result.kpis is not None and res.result.kpis.peak_power <= 10.0
    assert res.summary()["warm_start"] == "repair"


def _random_power_plant(rng: random.Random) -> ProblemData:
    """Three machines (one with a closed window), five jobs of 1-3 operations on 1-2 machines drawing
    2-7 kW (some resumable), changeovers between two families, a peak-power limit of 9-12 kW."""
    setups = ((0, 2), (3, 0))
    machines = tuple(
        Machine(f"M{m}", setup_times=setups, unavailable=((30, 40),) if m == 2 else ()) for m in range(3)
    )
    jobs = []
    for j in range(5):
        ops = []
        for _ in range(rng.randint(1, 3)):
            eligible = rng.sample(range(3), rng.randint(1, 2))
            modes = tuple(Mode(m, rng.randint(2, 9), float(rng.randint(2, 7))) for m in eligible)
            ops.append(Operation(modes, resumable=rng.random() < 0.3))
        jobs.append(Job(tuple(ops), f"J{j}", family=j % 2))
    return ProblemData(
        machines,
        tuple(jobs),
        num_families=2,
        objective=Objective(makespan=1),
        energy=Energy(60, peak_power=float(rng.randint(9, 12))),
    )


@pytest.mark.parametrize("seed", range(12))
def test_repaired_warm_start_passes_the_checker_on_random_power_plants(seed):
    """Tests that on small random plants with a peak-power limit, closed windows, resumable work and
    changeovers, a breakdown at a random time gives a warm start from the repair that passes the checker,
    and a checked plan."""
    from planner.scheduling.solvers.dispatch import dispatch

    rng = random.Random(seed)
    data = _random_power_plant(rng)
    plan = dispatch(data)
    assert plan is not None and check_solution(data, plan).ok
    makespan = max(s.end for s in plan)
    now = rng.randint(0, makespan // 2)
    machine = rng.randrange(3)
    events = [Breakdown(machine, now, now + rng.randint(3, 15))]
    res = reschedule(data, plan, events, now=now, time_limit=1, num_workers=1, seed=1, solver="dispatch")
    assert res.warm_start_source == "repair"
    assert res.warm_start is not None
    warm = check_solution(res.data, res.warm_start)
    assert warm.ok, warm.violations[:3]
    _assert_sound(res, now)


def test_without_a_repair_the_dispatching_rule_then_no_hint(monkeypatch):
    """Tests that when the repair finds no plan the rescheduler starts from the dispatching rule (a checked
    schedule with the started work where it is), without either from no hint, and returns a plan each time."""
    import planner.scheduling.reschedule as module
    import planner.scheduling.solvers.dispatch as dispatch_module

    data, plan = _power_bound_shop()
    monkeypatch.setattr(module, "_best_repair", lambda *args, **kwargs: None)
    res = reschedule(data, plan, [Breakdown("A", 12, 14)], now=11, time_limit=2, num_workers=1, seed=1)
    assert res.warm_start_source == "dispatch"
    assert res.warm_start is not None and check_solution(res.data, res.warm_start).ok
    assert OperationRef("J1", 0) in res.started
    _assert_sound(res, 11)
    monkeypatch.setattr(dispatch_module, "dispatch", lambda *args, **kwargs: None)
    res = reschedule(data, plan, [Breakdown("A", 12, 14)], now=11, time_limit=2, num_workers=1, seed=1)
    assert res.warm_start_source == "" and res.warm_start is None
    _assert_sound(res, 11)


def test_a_solve_without_a_plan_in_time_returns_the_warm_start(monkeypatch):
    """Tests that when the solver returns no schedule (time limit on a loaded machine) the rescheduler
    returns its checked warm start as a feasible plan."""
    import importlib

    from planner.scheduling.result import Result, SolveStatus

    solve_module = importlib.import_module(
        "planner.scheduling.solve"
    )  # the package exports solve() by that name

    def no_plan(*args: Any, **kwargs: Any) -> Result:
        return Result(SolveStatus.UNKNOWN, None, 0.0, 0.1, solver="cpsat")

    data, plan = _power_bound_shop()
    monkeypatch.setattr(solve_module, "solve", no_plan)
    res = reschedule(data, plan, [Breakdown("A", 0, 5)], now=0, time_limit=2, num_workers=1, seed=1)
    assert res.result.status == SolveStatus.FEASIBLE
    assert res.schedule == res.warm_start
    _assert_sound(res, 0)
