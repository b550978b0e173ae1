"""Tests that the independent checker finds each kind of violation, one test per rule, and recomputes KPIs."""

from __future__ import annotations

import pytest

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
)
from planner.scheduling.check import RULES

S = ScheduledOperation


def problem(pinned: bool = False) -> ProblemData:
    machines = (
        Machine("M0", unavailable=((20, 25),), setup_times=((0, 5), (7, 0)), initial_family=0),
        Machine("M1"),
    )
    first = Operation((Mode(0, 4),), pinned_machine=0 if pinned else None, pinned_start=0 if pinned else None)
    jobs = (
        Job((first, Operation((Mode(1, 3), Mode(0, 6)))), "j0", due=10, family=0),
        Job(
            (Operation((Mode(0, 3), Mode(1, 5))), Operation((Mode(1, 4),))),
            "j1",
            release=2,
            due=12,
            weight=3,
            family=1,
        ),
    )
    return ProblemData(machines, jobs, num_families=2, objective=Objective(makespan=1, tardiness=1))


GOOD = [S(0, 0, 0, 0, 4), S(1, 0, 1, 2, 7), S(0, 1, 1, 7, 10), S(1, 1, 1, 10, 14)]


def with_changes(*changes: ScheduledOperation, drop: tuple[int, int] | None = None) -> Schedule:
    ops = {(s.job, s.operation): s for s in GOOD}
    if drop:
        del ops[drop]
    for c in changes:
        ops[(c.job, c.operation)] = c
    return Schedule(ops.values())


def test_feasible_schedule_passes_with_kpis():
    """Tests that a hand-made feasible schedule passes and its KPIs are recomputed."""
    report = check_solution(problem(), Schedule(GOOD))
    assert report.ok, report.violations
    assert report.kpis is not None
    assert report.kpis.makespan == 14
    assert report.kpis.total_tardiness == 2
    assert report.kpis.total_weighted_tardiness == 6
    assert report.kpis.max_tardiness == 2
    assert report.kpis.num_late_jobs == 1
    assert report.kpis.total_setup_time == 0
    assert report.kpis.utilisation == pytest.approx((4 / 14, 12 / 14))
    assert report.objective == 14 + 6


@pytest.mark.parametrize(
    ("rule", "schedule"),
    [
        ("missing", with_changes(drop=(1, 1))),
        ("duplicate", Schedule([*GOOD, S(0, 0, 0, 0, 4)])),
        ("unknown", Schedule([*GOOD, S(5, 0, 0, 30, 31)])),
        ("eligibility", with_changes(S(1, 1, 0, 10, 14))),
        ("duration", with_changes(S(0, 0, 0, 0, 5))),
        ("negative_start", with_changes(S(0, 0, 0, -1, 3))),
        ("release", with_changes(S(1, 0, 1, 1, 6))),
        ("precedence", with_changes(S(0, 0, 0, 5, 9))),
        ("overlap", with_changes(S(1, 0, 0, 3, 6))),
        ("setup", with_changes(S(1, 0, 0, 4, 7))),
        ("calendar", with_changes(S(1, 0, 0, 18, 21), S(1, 1, 1, 21, 25))),
    ],
)
def test_each_rule_is_caught(rule, schedule):
    """Tests that each kind of violation is reported under its own rule."""
    report = check_solution(problem(), schedule)
    assert not report.ok
    assert rule in report.rules(), report.violations
    assert report.rules() <= set(RULES)


def test_initial_changeover_is_checked():
    """Tests that the changeover from the machine's initial family must fit before its first operation."""
    data = problem()
    machines = (
        data.machines[0].__class__("M0", setup_times=((0, 5), (7, 0)), initial_family=1),
        data.machines[1],
    )
    data = data.replace(machines=machines)
    report = check_solution(data, Schedule(GOOD))
    assert report.rules() == {"setup"}
    late = with_changes(S(0, 0, 0, 7, 11), S(0, 1, 1, 11, 14), S(1, 1, 1, 14, 18))
    report = check_solution(data, late)
    assert report.ok, report.violations
    assert report.kpis is not None and report.kpis.total_setup_time == 7


def test_pinned_operation_must_stay():
    """Tests that a pinned operation moved away from its machine and start is a violation."""
    data = problem(pinned=True)
    assert check_solution(data, Schedule(GOOD)).ok
    report = check_solution(data, with_changes(S(0, 0, 0, 1, 5)))
    assert report.rules() == {"pinned"}


def test_zero_length_operations_are_points_in_time():
    """Tests that zero-length work may touch but not lie inside another operation or a closed window."""
    machines = (Machine("M0", unavailable=((5, 10),)),)
    jobs = (Job((Operation((Mode(0, 0),)),)), Job((Operation((Mode(0, 4),)),)))
    data = ProblemData(machines, jobs)
    assert check_solution(data, Schedule([S(0, 0, 0, 10, 10), S(1, 0, 0, 10, 14)])).ok
    assert check_solution(data, Schedule([S(0, 0, 0, 5, 5), S(1, 0, 0, 0, 4)])).ok
    assert check_solution(data, Schedule([S(0, 0, 0, 7, 7), S(1, 0, 0, 0, 4)])).rules() == {"calendar"}
    assert check_solution(data, Schedule([S(0, 0, 0, 12, 12), S(1, 0, 0, 10, 14)])).rules() == {"overlap"}
