"""Tests that the independent checker finds each kind of violation, one test per rule, and recomputes KPIs."""

from __future__ import annotations

import pytest

from planner.scheduling import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Schedule,
    ScheduledMaintenance,
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


# ------------------------------------------------------------------ resumable, maintenance, power, energy

SM = ScheduledMaintenance


def energy_problem(resumable: bool = True) -> ProblemData:
    """M0 closed 10-20 with 1 kW idle; M1 closed 30-40; a 10-kW resumable job, a 6-kW job, a 3-unit service."""
    machines = (
        Machine("M0", unavailable=((10, 20),), idle_power=1.0),
        Machine("M1", unavailable=((30, 40),)),
    )
    jobs = (
        Job((Operation((Mode(0, 8, 10.0),), resumable=resumable),), "j0"),
        Job((Operation((Mode(1, 5, 6.0),)),), "j1"),
    )
    return ProblemData(
        machines,
        jobs,
        maintenance=(MaintenanceTask(1, 3, earliest=0, latest=50, name="service"),),
        energy=Energy(10, price=(1.0, 2.0, 3.0), co2=(0.5,), peak_power=15.0, hours_per_unit=1.0),
        objective=Objective(makespan=1, energy=2, co2=4),
    )


ENERGY_GOOD = Schedule([S(0, 0, 0, 5, 23), S(1, 0, 1, 10, 15)], [SM(0, 1, 0, 3)])


def test_energy_kpis_are_exact():
    """Tests that a resumable operation pausing over a closed window passes and energy KPIs are exact."""
    report = check_solution(energy_problem(), ENERGY_GOOD)
    assert report.ok, report.violations
    kpis = report.kpis
    assert kpis is not None
    # j0 runs 5-10 (50 kWh at 1) and 20-23 (30 kWh at 3); j1 10-15 (30 kWh at 2); M0 idles 0-5 (5 kWh at 1)
    assert kpis.energy_kwh == pytest.approx(115.0)
    assert kpis.energy_cost == pytest.approx(205.0)
    assert kpis.co2_kg == pytest.approx(57.5)
    assert kpis.peak_power == pytest.approx(10.0)
    assert kpis.utilisation == pytest.approx((8 / 23, 5 / 23))
    assert report.objective == pytest.approx(23 + 2 * 205.0 + 4 * 57.5)
    assert {"energy_kwh", "energy_cost", "peak_power", "co2_kg"} <= set(kpis.as_dict())


@pytest.mark.parametrize(
    ("rule", "schedule"),
    [
        ("resumable", Schedule([S(0, 0, 0, 5, 13), S(1, 0, 1, 10, 15)], [SM(0, 1, 0, 3)])),
        ("resumable", Schedule([S(0, 0, 0, 12, 30), S(1, 0, 1, 10, 15)], [SM(0, 1, 0, 3)])),
        ("resumable", Schedule([S(0, 0, 0, 2, 20), S(1, 0, 1, 10, 15)], [SM(0, 1, 0, 3)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations)),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 1, 0, 3), SM(0, 1, 20, 23)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 1, 48, 51)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 1, 12, 15)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 1, 28, 31)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 0, 0, 3)])),
        ("maintenance", Schedule(ENERGY_GOOD.operations, [SM(0, 1, 0, 4)])),
        ("power", Schedule([S(0, 0, 0, 5, 23), S(1, 0, 1, 5, 10)], [SM(0, 1, 0, 3)])),
    ],
)
def test_each_energy_rule_is_caught(rule, schedule):
    """Tests that resumable, maintenance and power violations are reported under their own rule only."""
    report = check_solution(energy_problem(), schedule)
    assert report.rules() == {rule}, report.violations


def test_non_resumable_operation_may_not_straddle_a_closed_window():
    """Tests that a non-resumable operation across a closed window is a calendar violation, not a pause."""
    data = energy_problem(resumable=False)
    report = check_solution(data, Schedule([S(0, 0, 0, 5, 13), S(1, 0, 1, 15, 20)], [SM(0, 1, 0, 3)]))
    assert report.rules() == {"calendar"}
    report = check_solution(data, ENERGY_GOOD)
    assert {"duration", "calendar"} <= report.rules()  # a pause is no excuse without resumable
    assert check_solution(data, Schedule([S(0, 0, 0, 20, 28), S(1, 0, 1, 10, 15)], [SM(0, 1, 0, 3)])).ok


def test_power_counts_only_running_time_of_a_paused_operation():
    """Tests that a resumable operation draws no power during its pause (other work may then use it)."""
    data = energy_problem()
    data = data.replace(machines=(data.machines[0], Machine("M1")))
    # j1 (6 kW) runs 12-17 while j0 (10 kW) pauses: 10 + 6 would break the 15-kW limit, 6 alone does not
    report = check_solution(data, Schedule([S(0, 0, 0, 5, 23), S(1, 0, 1, 12, 17)], [SM(0, 1, 0, 3)]))
    assert report.ok, report.violations
    assert report.kpis is not None and report.kpis.peak_power == pytest.approx(10.0)
