"""Tests that resumable operations, maintenance to place, the peak-power limit and the energy terms are solved
the way the model says, every schedule checker-clean."""

from __future__ import annotations

import pytest

from planner.scheduling import (
    Model,
    Objective,
    ProblemData,
    SolveStatus,
    check_solution,
    solve,
)
from planner.scheduling.solvers.cpsat.shop import is_plain_shop
from planner.scheduling.solvers.dispatch import dispatch


def solved(data: ProblemData, time_limit: float = 10.0):
    result = solve(data, time_limit=time_limit, num_workers=1, seed=1)
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    assert report.objective == pytest.approx(result.objective)
    assert result.kpis == report.kpis
    assert result.lower_bound <= result.objective + 1e-9
    return result


def shift_problem(resumable: bool) -> ProblemData:
    """One machine closed 10-30 (a night shift) and one 15-unit operation."""
    m = Model()
    machine = m.add_machine("press", unavailable=[(10, 30)])
    job = m.add_job("J")
    m.add_operation(job, [(machine, 15)], resumable=resumable)
    return m.data()


def test_resumable_operation_stretches_over_a_closed_shift():
    """Tests that a resumable operation starts before the shift, pauses over it and ends 15 + 20 later."""
    data = shift_problem(resumable=True)
    result = solved(data)
    assert result.status == SolveStatus.OPTIMAL
    (sop,) = result.schedule.operations
    assert (sop.start, sop.end) == (0, 35)
    assert sop.start < 10 and sop.end > 30  # it spans the closed window


def test_non_resumable_operation_never_straddles_a_closed_shift():
    """Tests that the same operation, not resumable, waits for the shift to end (and dispatch agrees)."""
    data = shift_problem(resumable=False)
    result = solved(data)
    (sop,) = result.schedule.operations
    assert (sop.start, sop.end) == (30, 45)
    heuristic = dispatch(data)
    assert heuristic is not None and check_solution(data, heuristic).ok


def test_resumable_work_and_other_work_share_a_machine_with_shifts():
    """Tests that resumable and fitted operations, two shifts and changeovers mix checker-clean at the optimum."""
    m = Model()
    red, blue = m.add_family("red"), m.add_family("blue")
    machine = m.add_machine("A", unavailable=[(12, 20), (32, 40)], setup_times=[[0, 2], [2, 0]])
    other = m.add_machine("B")
    for j, (duration, resumable, family) in enumerate([(9, True, red), (7, False, blue), (11, True, red)]):
        job = m.add_job(f"J{j}", family=family)
        m.add_operation(job, [(machine, duration)], resumable=resumable)
        m.add_operation(job, [(other, 3)])
    data = m.data()
    assert not is_plain_shop(data)
    result = solved(data)
    heuristic = dispatch(data)
    assert heuristic is not None and check_solution(data, heuristic).ok
    assert result.objective <= check_solution(data, heuristic).objective


def test_maintenance_lands_inside_its_window_where_it_hurts_least():
    """Tests that a 5-unit service due in [10, 22] goes between two 10-unit jobs: makespan 25, not more."""
    m = Model()
    machine = m.add_machine("mill")
    for j in range(2):
        m.add_operation(m.add_job(f"J{j}"), [(machine, 10)])
    m.add_maintenance(machine, 5, earliest=10, latest=22, name="service")
    data = m.data()
    assert not is_plain_shop(data)
    result = solved(data)
    assert result.status == SolveStatus.OPTIMAL
    assert result.kpis.makespan == 25
    (task,) = result.schedule.maintenance
    assert task.machine == 0 and task.start >= 10 and task.end <= 22 and task.end - task.start == 5
    heuristic = dispatch(data)
    assert heuristic is not None and check_solution(data, heuristic).ok


def test_maintenance_avoids_closed_windows_and_pinned_work():
    """Tests that maintenance is placed clear of a closed window and a pinned operation."""
    m = Model()
    machine = m.add_machine("mill", unavailable=[(0, 10)])
    m.add_operation(m.add_job("pinned"), [(machine, 10)], pinned=(machine, 10))
    m.add_operation(m.add_job("free"), [(machine, 4)])
    m.add_maintenance(machine, 6, earliest=0, latest=40)
    data = m.data()
    result = solved(data)
    (task,) = result.schedule.maintenance
    assert task.start >= 20 and task.end <= 40
    heuristic = dispatch(data)
    assert heuristic is not None and check_solution(data, heuristic).ok


def power_problem(peak: float | None) -> ProblemData:
    """Three 10-kW operations of 10 units on three machines, and a 4-kW one of 5 units."""
    m = Model()
    machines = [m.add_machine(f"M{i}") for i in range(3)]
    for i, machine in enumerate(machines):
        m.add_operation(m.add_job(f"J{i}"), [(machine, 10, 10.0)])
    m.add_operation(m.add_job("small"), [(machines[0], 5, 4.0)])
    if peak is not None:
        m.set_energy(60, peak_power=peak)
    return m.data()


def test_power_limit_binds_and_is_never_exceeded():
    """Tests that a 25-kW limit lets only two 10-kW operations run at once: makespan 20 instead of 10 + 5."""
    free = solved(power_problem(None))
    assert free.kpis.makespan == 15 and free.kpis.peak_power == pytest.approx(30.0)
    data = power_problem(25.0)
    assert not is_plain_shop(data)
    limited = solved(data)
    assert limited.status == SolveStatus.OPTIMAL
    assert limited.kpis.makespan == 20
    assert limited.kpis.peak_power <= 25.0
    heuristic = dispatch(data)
    assert heuristic is not None
    report = check_solution(data, heuristic)
    assert report.ok, report.violations
    assert report.kpis is not None and report.kpis.peak_power <= 25.0


def tariff_problem(objective: Objective) -> ProblemData:
    """A steep tariff (expensive 0-20 and 40-60, cheap otherwise) and work with slack around a critical job."""
    m = Model(time_unit="min")
    a, b, c = (m.add_machine(name, idle_power=0.5) for name in "ABC")
    m.add_operation(m.add_job("long"), [(a, 50, 5.0)])
    m.add_operation(m.add_job("long2"), [(b, 30, 5.0)], resumable=True)
    for j in range(3):
        job = m.add_job(f"J{j}")
        m.add_operation(job, [(b, 6, 30.0), (c, 8, 25.0)])
        m.add_operation(job, [(c, 4, 20.0)])
    m.set_energy(20, price=[2.0, 0.1, 2.0, 0.1], co2=[0.4, 0.1], hours_per_unit=1 / 60)
    data = m.data()
    return data.replace(objective=objective)


def test_steep_tariff_cuts_energy_cost_at_equal_makespan():
    """Tests that weighting energy after the makespan cuts the cost against the tariff-blind schedule."""
    blind = solved(tariff_problem(Objective(makespan=1)))
    aware = solved(tariff_problem(Objective(lexicographic=("makespan", "energy"))))
    assert aware.kpis.makespan <= blind.kpis.makespan
    assert aware.kpis.energy_cost < 0.8 * blind.kpis.energy_cost
    # running and idle energy are both in the model, scaled exactly (60 x 100): the minimum is proven
    assert aware.status == SolveStatus.OPTIMAL


def test_weighted_energy_trades_makespan_within_a_tolerance():
    """Tests that a weighted energy term lowers the cost and CO2 within a 50 % makespan tolerance."""
    blind = solved(tariff_problem(Objective(makespan=1)))
    aware = solved(tariff_problem(Objective(makespan=1, energy=2, co2=1)), time_limit=3.0)
    assert aware.kpis.makespan <= 1.5 * blind.kpis.makespan
    assert aware.kpis.energy_cost < blind.kpis.energy_cost
    assert aware.kpis.co2_kg <= blind.kpis.co2_kg


def test_energy_model_is_exact_without_idle_power():
    """Tests that with decimal prices and no idle power the energy objective is proven optimal and exact."""
    m = Model()
    machine = m.add_machine("oven")
    m.add_operation(m.add_job("J"), [(machine, 30, 6.0)])
    m.set_energy(10, price=[0.5, 0.5, 0.2, 0.1, 0.3], hours_per_unit=1.0)
    m.set_objective(makespan=0, energy=1)
    data = m.data()
    result = solved(data)
    assert result.status == SolveStatus.OPTIMAL
    (sop,) = result.schedule.operations
    # cheapest 30-unit stretch: 20-50 at 0.2, 0.1, 0.3 -> 6 kW x 10 h x 0.6 = 36
    assert (sop.start, sop.end) == (20, 50)
    assert result.objective == pytest.approx(36.0)
    assert result.lower_bound == pytest.approx(36.0)


def test_resumable_operation_pays_no_energy_while_paused():
    """Tests that the model prices a paused operation by its running time only (checker and model agree)."""
    m = Model()
    machine = m.add_machine("oven", unavailable=[(10, 20)])
    m.add_operation(m.add_job("J"), [(machine, 10, 6.0)], resumable=True)
    # the closed hours are the cheapest; running 5-10 and 20-25 beats 20-30 only if the pause is free
    m.set_energy(5, price=[9.0, 1.0, 0.0, 0.0, 1.0, 9.0], hours_per_unit=1.0)
    m.set_objective(makespan=0, energy=1)
    data = m.data()
    result = solved(data)
    assert result.status == SolveStatus.OPTIMAL
    (sop,) = result.schedule.operations
    assert (sop.start, sop.end) == (5, 25)
    assert result.objective == pytest.approx(6.0 * 5 * 1.0 * 2)


def test_energy_shift_slides_work_to_cheaper_periods_within_its_slack():
    """Tests that the polishing heuristic moves work to the cheap period without a worse makespan."""
    from planner.scheduling import Schedule, ScheduledOperation
    from planner.scheduling.solvers.energy_shift import shift_for_energy

    m = Model()
    a, b = m.add_machine("A", idle_power=1.0), m.add_machine("B")
    m.add_operation(m.add_job("flexible"), [(a, 10, 6.0)])
    m.add_operation(m.add_job("critical"), [(b, 20, 2.0)])
    m.set_energy(10, price=[9.0, 1.0], hours_per_unit=1.0)
    m.set_objective(makespan=1, energy=1)
    data = m.data()
    early = Schedule([ScheduledOperation(0, 0, 0, 0, 10), ScheduledOperation(1, 0, 1, 0, 20)])
    shifted = shift_for_energy(data, early)
    assert shifted.get(0, 0) == ScheduledOperation(0, 0, 0, 10, 20)
    before, after = check_solution(data, early), check_solution(data, shifted)
    assert after.ok and after.kpis.makespan == before.kpis.makespan == 20
    # 6 kW moves from price 9 to 1 and 1 kW of idle power the other way: (6 - 1) x 10 h x 8 = 400
    assert before.objective - after.objective == pytest.approx(400.0)
    assert shift_for_energy(data, shifted) is shifted  # nothing left to gain


@pytest.mark.parametrize(("idle", "service_a"), [(0.0, True), (3.0, False), (12.0, False), (3.0, True)])
def test_model_energy_equals_the_checker_when_exact(idle, service_a):
    """Tests that the CP-SAT objective (running, paused and idle energy) equals the checker's when exact."""
    from ortools.sat.python import cp_model

    from planner.scheduling.solvers.cpsat.model import CpSatModel

    m = Model()
    a = m.add_machine("A", unavailable=[(20, 35)], idle_power=idle)
    b = m.add_machine("B", idle_power=idle / 2)
    c = m.add_machine("C")
    for j, (resumable, power) in enumerate([(True, 9.0), (False, 6.0), (True, 4.0)]):
        job = m.add_job(f"J{j}", due=40)
        m.add_operation(job, [(a, 8 + j, power), (b, 11, power + 1.0)], resumable=resumable)
        m.add_operation(job, [(b, 5, 2.0)])
    m.add_operation(m.add_job("J3"), [(c, 7, 1.0)])
    m.add_maintenance(c, 4, earliest=0, latest=60)
    if service_a:
        m.add_maintenance(a, 3, earliest=0, latest=60)
    m.set_energy(6, price=[0.5, 0.2, 0.9, 0.1, 0.3], co2=[0.2, 0.6], hours_per_unit=0.25)
    m.set_objective(makespan=1, tardiness=2, energy=3, co2=5)
    data = m.data()
    built = CpSatModel(data)
    built.model.minimize(built.weighted_objective())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.random_seed = 1
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    schedule = built.schedule(solver)
    report = check_solution(data, schedule)
    assert report.ok, report.violations
    model_value = solver.objective_value / built.objective_scale
    if built.exact:
        assert model_value == pytest.approx(report.objective, abs=1e-6)
    else:  # maintenance on an idling machine is credited as if before the makespan: a lower bound
        assert model_value <= report.objective + 1e-6
    assert built.exact == (idle == 0.0 or not service_a)  # maintenance on idling A makes it a bound


def test_tariff_runs_merge_across_a_machines_closed_windows():
    """Tests that runs inside a closed window join their neighbour and equal open runs merge across it."""
    from planner.scheduling.solvers.cpsat.model import _open_segments, _tariff_segments

    rates = {"energy": [1.0, 3.0, 0.5, 0.5, 3.0, 1.0, 3.0]}
    segments = _tariff_segments(rates, 7, 10)
    assert segments == [(0, 10, 0), (10, 20, 1), (20, 40, 2), (40, 50, 4), (50, 60, 5), (60, 70, 6)]
    # closed 20-40 (the cheap runs): the 3.0 runs on either side become one
    assert _open_segments(segments, [(20, 40)], rates) == [(0, 10, 0), (10, 50, 1), (50, 60, 5), (60, 70, 6)]
    # a closed window cutting into runs keeps them apart; a leading closed run joins the first open one
    assert _open_segments(segments, [(0, 10), (25, 45)], rates) == [
        (0, 20, 1),
        (20, 40, 2),
        (40, 50, 4),
        (50, 60, 5),
        (60, 70, 6),
    ]
    assert _open_segments(segments, [], rates) == segments


def test_frugal_modes_keep_the_modes_within_the_energy_slack():
    """Tests that frugal_modes drops the hungry modes of unpinned operations and rejects a negative slack."""
    from planner.exceptions import ValidationError
    from planner.scheduling.solvers.energy_start import frugal_modes

    m = Model()
    a, b, c = m.add_machine("A"), m.add_machine("B"), m.add_machine("C")
    job = m.add_job("J")
    m.add_operation(job, [(a, 10, 10.0), (b, 20, 6.0), (c, 5, 50.0)])  # 100, 120, 250 kW x time
    m.add_operation(job, [(a, 10, 1.0), (c, 10, 9.0)], pinned=(c, 40))
    data = m.data()
    assert [mode.machine for mode in frugal_modes(data, 0.0).jobs[0].operations[0].modes] == [a]
    assert [mode.machine for mode in frugal_modes(data, 0.2).jobs[0].operations[0].modes] == [a, b]
    assert len(frugal_modes(data, 0.0).jobs[0].operations[1].modes) == 2  # pinned: untouched
    drawn = iter([0.3, 2.0])  # one draw per operation with a choice
    assert [mode.machine for mode in frugal_modes(data, lambda: next(drawn)).jobs[0].operations[0].modes] == [
        a,
        b,
    ]
    with pytest.raises((ValueError, ValidationError), match="slack"):
        frugal_modes(data, -0.1)


def test_flat_rate_energy_picks_the_frugal_mode():
    """Tests that the flat-rate stand-in for energy makes CP-SAT choose the mode that uses less energy."""
    from ortools.sat.python import cp_model

    from planner.scheduling.solvers.cpsat.flat_energy import flat_energy_objective
    from planner.scheduling.solvers.cpsat.model import CpSatModel

    m = Model()
    fast, slow = m.add_machine("fast"), m.add_machine("slow")
    m.add_operation(m.add_job("J"), [(fast, 10, 30.0), (slow, 15, 5.0)])
    m.set_energy(60, price=[0.3], hours_per_unit=1 / 60)
    data = m.data()
    for weight, machine in ((0, fast), (10, slow)):
        weighted = data.replace(objective=Objective(makespan=1, energy=weight))
        built = CpSatModel(data)  # the model of the other terms only, as in the warm start
        built.model.minimize(flat_energy_objective(weighted, built, None))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 1
        assert solver.solve(built.model) == cp_model.OPTIMAL
        assert built.schedule(solver).get(0, 0).machine == machine


def shifted_plant(num_jobs: int, seed: int) -> ProblemData:
    """A small plant closed at night with a day/night tariff and alternative machines of different power."""
    import random

    rng = random.Random(seed)
    m = Model(time_unit="min")
    shifts = [(d * 1440 + 960, d * 1440 + 1800) for d in range(3)]
    machines = [m.add_machine(f"M{i}", unavailable=shifts, idle_power=2.0) for i in range(3)]
    for j in range(num_jobs):
        job = m.add_job(f"J{j}", due=rng.randint(200, 900))
        for _ in range(rng.randint(2, 3)):
            modes = [(e, rng.randint(20, 90), float(rng.randint(5, 40))) for e in rng.sample(machines, 2)]
            m.add_operation(job, modes, resumable=rng.random() < 0.5)
    price = [0.10 if h % 24 < 6 or h % 24 >= 22 else 0.32 for h in range(72)]
    m.set_energy(60, price=price, co2=[0.35])
    m.set_objective(makespan=1, tardiness=1, energy=10)
    return m.data()


@pytest.mark.parametrize("seed", [1, 2])
def test_energy_solve_is_never_worse_than_its_starting_schedules(seed):
    """Tests that the energy-weighted solve returns no worse, by the checker, than dispatch, energy-frugal
    dispatch and a tariff-blind solve's schedule given as the initial solution."""
    from planner.scheduling.solvers.energy_start import frugal_start

    data = shifted_plant(8, seed)
    blind = solve(
        data.replace(objective=Objective(makespan=1, tardiness=1)), time_limit=1.0, num_workers=1, seed=1
    )
    assert blind.schedule is not None
    blind_objective = check_solution(data, blind.schedule).objective
    starts = [dispatch(data), frugal_start(data)]
    start_objectives = [check_solution(data, s).objective for s in starts if s is not None]
    assert start_objectives
    from_blind = solve(data, time_limit=2.0, num_workers=1, seed=1, initial_solution=blind.schedule)
    alone = solved(data, time_limit=2.0)
    for result in (from_blind, alone):
        assert result.schedule is not None
        report = check_solution(data, result.schedule)
        assert report.ok, report.violations
        assert report.objective == pytest.approx(result.objective)
        assert result.objective <= min(start_objectives) + 1e-6
    assert from_blind.objective <= blind_objective + 1e-6
    assert "energy_stages" in alone.stats
