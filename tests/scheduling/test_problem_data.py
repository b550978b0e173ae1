"""Tests that invalid problem data raise errors naming the job, operation and field."""

from __future__ import annotations

import pytest

from planner.exceptions import ValidationError
from planner.scheduling import Job, Machine, Mode, Model, Objective, Operation, ProblemData


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
