"""Tests that invalid problem data raise errors naming the job, operation and field."""

from __future__ import annotations

import pytest

from planner.exceptions import ValidationError
from planner.scheduling import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Model,
    Objective,
    Operation,
    ProblemData,
    Schedule,
    ScheduledOperation,
)


def test_negative_duration_names_field():
    """Tests that a negative duration is refused with the field and the rule."""
    with pytest.raises(ValidationError, match="duration: must be an integer >= 0, got -5"):
        Mode(0, -5)


def test_unknown_machine_names_full_path():
    """Tests that a mode on an unknown machine names jobs[i].operations[j].modes[k].machine."""
    jobs = (Job((Operation((Mode(0, 1),)),)), Job((Operation((Mode(0, 1),)), Operation((Mode(3, 2),)))))
    with pytest.raises(ValidationError) as info:
        ProblemData((Machine(),), jobs)
    assert [v.field for v in info.value.violations] == ["jobs[1].operations[1].modes[0].machine"]


def test_every_violation_is_reported():
    """Tests that all cross-reference violations are collected, not just the first."""
    jobs = (Job((Operation((Mode(2, 1),)),), family=4), Job((Operation((Mode(5, 1),)),)))
    with pytest.raises(ValidationError) as info:
        ProblemData((Machine(setup_times=((0, 1), (1, 0))),), jobs, num_families=3)
    fields = {v.field for v in info.value.violations}
    assert fields == {
        "machines[0].setup_times",
        "jobs[0].family",
        "jobs[0].operations[0].modes[0].machine",
        "jobs[1].operations[0].modes[0].machine",
    }


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Operation(()), "modes"),
        (lambda: Operation((Mode(0, 1), Mode(0, 2))), "modes[1].machine"),
        (lambda: Operation((Mode(0, 1),), pinned_machine=0), "pinned_start"),
        (lambda: Operation((Mode(0, 1),), pinned_machine=1, pinned_start=0), "pinned_machine"),
        (lambda: Job(()), "operations"),
        (lambda: Job((Operation((Mode(0, 1),)),), release=-1), "release"),
        (lambda: Job((Operation((Mode(0, 1),)),), due=-3), "due"),
        (lambda: Machine(unavailable=((5, 5),)), "unavailable[0]"),
        (lambda: Machine(setup_times=((0, 1), (1,))), "setup_times[1]"),
        (lambda: Objective(0, 0, 0), "makespan"),
        (lambda: Objective(lexicographic=("speed",)), "lexicographic[0]"),
        (lambda: Objective(energy=-1), "energy"),
        (lambda: Objective(co2=1.5), "co2"),
        (lambda: Operation((Mode(0, 1),), resumable="yes"), "resumable"),  # type: ignore[arg-type]
        (lambda: Machine(idle_power=-2.0), "idle_power"),
        (lambda: MaintenanceTask(-1, 5), "machine"),
        (lambda: MaintenanceTask(0, 0), "duration"),
        (lambda: MaintenanceTask(0, 5, earliest=-1), "earliest"),
        (lambda: MaintenanceTask(0, 5, earliest=10, latest=12), "latest"),
        (lambda: Energy(0), "period"),
        (lambda: Energy(60, price=(0.1, -0.2)), "price[1]"),
        (lambda: Energy(60, co2=(float("nan"),)), "co2[0]"),
        (lambda: Energy(60, peak_power=0.0), "peak_power"),
        (lambda: Energy(60, hours_per_unit=0), "hours_per_unit"),
    ],
)
def test_local_rules(make, field):
    """Tests that each local rule names its field."""
    with pytest.raises(ValidationError) as info:
        make()
    assert field in [v.field for v in info.value.violations]


def test_objective_parse():
    """Tests the objective strings of the command line."""
    assert Objective.parse("makespan") == Objective(1, 0, 0)
    assert Objective.parse("makespan=2,tardiness=5") == Objective(2, 5, 0)
    assert Objective.parse("lex:tardiness,makespan").lexicographic == ("tardiness", "makespan")
    with pytest.raises(ValidationError, match="speed"):
        Objective.parse("speed")


def test_model_builder_lowers_to_data():
    """Tests that the builder returns indices and lowers to equal, validated data."""
    m = Model("demo", time_unit="min")
    paint = m.add_family("paint")
    m.add_family("raw")
    saw = m.add_machine("saw", unavailable=[(10, 20)])
    mill = m.add_machine("mill", setup_times=[[0, 3], [3, 0]])
    job = m.add_job("order-1", due=50, family=paint)
    assert m.add_operation(job, [(saw, 5)]) == 0
    assert m.add_operation(job, [(mill, 7, 2.5), (saw, 9)], pinned=(mill, 30)) == 1
    data = m.data()
    assert data.num_families == 2 and data.family_names == ("paint", "raw")
    assert data.jobs[0].operations[1].modes[0].power == 2.5
    assert data.jobs[0].operations[1].pinned_start == 30
    assert data == m.data()


def test_maintenance_and_peak_power_cross_references():
    """Tests that maintenance on an unknown machine and an operation above the peak limit are refused."""
    jobs = (Job((Operation((Mode(0, 5, 30.0), Mode(1, 5, 50.0))),)), Job((Operation((Mode(0, 5, 10.0),)),)))
    with pytest.raises(ValidationError) as info:
        ProblemData(
            (Machine(), Machine()),
            jobs,
            maintenance=(MaintenanceTask(2, 5),),
            energy=Energy(60, peak_power=20.0),
        )
    fields = {v.field: v.description for v in info.value.violations}
    assert set(fields) == {"maintenance[0].machine", "jobs[0].operations[0].modes"}
    assert "peak-power limit of 20.0 kW" in fields["jobs[0].operations[0].modes"]


def test_energy_tariff_periods():
    """Tests that tariff periods split an interval and the last value repeats past the end."""
    energy = Energy(60, price=(0.1, 0.4), co2=(0.3,))
    assert list(energy.periods(50, 190)) == [(0, 10), (1, 60), (2, 60), (3, 10)]
    assert [energy.price_at(k) for k in range(4)] == [0.1, 0.4, 0.4, 0.4]
    assert energy.co2_at(7) == 0.3
    assert Energy(60).price_at(3) == 0.0


def test_builder_passes_the_new_fields():
    """Tests that the Model builder sets idle power, resumable, maintenance, energy and the new weights."""
    m = Model()
    oven = m.add_machine("oven", unavailable=[(100, 200)], idle_power=2.0)
    job = m.add_job("J")
    m.add_operation(job, [(oven, 30, 12.5)], resumable=True)
    assert m.add_maintenance(oven, 40, earliest=10, latest=300, name="clean") == 0
    m.set_energy(60, price=[0.1, 0.2], co2=[0.5], peak_power=50.0)
    m.set_objective(makespan=1, energy=10, co2=3)
    data = m.data()
    assert data.machines[0].idle_power == 2.0
    assert data.jobs[0].operations[0].resumable
    assert data.maintenance == (MaintenanceTask(0, 40, 10, 300, "clean"),)
    assert data.energy == Energy(60, (0.1, 0.2), (0.5,), 50.0)
    assert data.objective.terms() == ("makespan", "energy", "co2")
    assert data.has_energy_features and data.has_resumable


def test_objective_parse_reads_energy_terms():
    """Tests that Objective.parse accepts the energy and co2 terms."""
    assert Objective.parse("makespan=1,energy=20,co2=3") == Objective(1, 0, 0, energy=20, co2=3)
    assert Objective.parse("lex:energy,makespan").lexicographic == ("energy", "makespan")
    with pytest.raises(ValidationError, match="unknown objective term 'power'"):
        Objective.parse("power=2")


def test_schedule_keeps_working_without_maintenance():
    """Tests that Schedule(iterable_of_ops) still works and has no maintenance."""
    schedule = Schedule(iter([ScheduledOperation(0, 0, 0, 0, 5)]))
    assert schedule.maintenance == ()
    assert len(schedule) == 1
