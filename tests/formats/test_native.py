"""Tests of the native JSON format (planner.formats.native) and its JSON Schema."""

import json
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, ValidationError
from planner.formats.native import (
    format_native,
    from_native_dict,
    parse_native,
    read_native,
    schema,
    to_native_dict,
    write_native,
)
from planner.scheduling.problem_data import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
)

ROOT = Path(__file__).resolve().parents[2]
BIKE = ROOT / "instances" / "native" / "bike_plant.json"
PUBLISHED_SCHEMA = ROOT / "instances" / "planner-instance.schema.json"
PACKAGE_SCHEMA = ROOT / "planner" / "formats" / "planner-instance.schema.json"


def test_schema_copies_are_identical():
    """Tests that the schema published in instances/ and the one inside the package are the same bytes."""
    assert PUBLISHED_SCHEMA.read_bytes() == PACKAGE_SCHEMA.read_bytes()
    jsonschema.Draft202012Validator.check_schema(json.loads(PUBLISHED_SCHEMA.read_text()))
    assert schema() == json.loads(PUBLISHED_SCHEMA.read_text())


# ---------------------------------------------------------------------------------------------- bike plant


@pytest.fixture(scope="module")
def bike() -> ProblemData:
    return read_native(BIKE)


def test_bike_plant_is_valid_against_the_published_schema():
    """Tests that the example validates against instances/planner-instance.schema.json with plain jsonschema."""
    jsonschema.Draft202012Validator(json.loads(PUBLISHED_SCHEMA.read_text())).validate(
        json.loads(BIKE.read_text())
    )


def test_bike_plant_content(bike):
    """Tests that the bike plant has the promised plant: machines, families, calendars, setups, orders."""
    assert bike.name == "bike_plant"
    assert (bike.time_unit, bike.time_origin) == ("min", "2026-12-07T06:00:00+01:00")
    assert bike.num_machines == 8 and bike.num_jobs == 25
    assert bike.family_names == ("white", "silver", "red", "black")
    names = [m.name for m in bike.machines]
    paint = bike.machines[names.index("PAINT-01")]
    assert paint.has_setups and len(paint.unavailable) >= 4 and paint.initial_family == 0
    assert bike.machines[names.index("CNC-A")].unavailable == ((1680, 1920),)
    assert sum(1 for m in bike.machines if m.unavailable) == 2
    assert bike.objective == Objective(makespan=1, tardiness=10, setup=2)
    # Alternatives: some operations have two machines, the CNC-B mode is slower than CNC-A.
    cnc_a, cnc_b = names.index("CNC-A"), names.index("CNC-B")
    alternatives = [op for _, _, op in bike.operations() if len(op.modes) > 1]
    assert alternatives
    for op in alternatives:
        a, b = op.mode_on(cnc_a), op.mode_on(cnc_b)
        if a and b:
            assert b.duration > a.duration
    # Routings differ (customised orders), every job has a due date, releases vary.
    assert len({tuple(op.name for op in job.operations) for job in bike.jobs}) >= 4
    assert all(job.due is not None for job in bike.jobs)
    assert len({job.release for job in bike.jobs}) >= 4
    assert len({job.family for job in bike.jobs}) == 4
    pinned = [op for _, _, op in bike.operations() if op.pinned]
    assert len(pinned) == 1


def test_bike_plant_due_dates_are_sensible(bike):
    """Tests that every order could meet its due date alone, and several have little slack (tight)."""
    slacks = []
    for job in bike.jobs:
        shortest = sum(min(m.duration for m in op.modes) for op in job.operations)
        assert job.due is not None
        slacks.append(job.due - job.release - shortest)
    assert min(slacks) > 0
    assert sum(1 for s in slacks if s < 300) >= 3


def test_bike_plant_pinned_operation_is_consistent(bike):
    """Tests that the pinned operation is the job's first, starts after its release, outside closed windows."""
    for j_idx, o_idx, op in bike.operations():
        if not op.pinned:
            continue
        job = bike.jobs[j_idx]
        assert o_idx == 0 and op.pinned_start is not None and op.pinned_start >= job.release
        mode = op.mode_on(op.pinned_machine)
        assert mode is not None
        end = op.pinned_start + mode.duration
        assert all(end <= s or op.pinned_start >= e for s, e in bike.machines[op.pinned_machine].unavailable)


def test_bike_plant_writes_back_identically(bike, tmp_path):
    """Tests that writing the bike plant and reading it again gives equal problem data."""
    write_native(bike, tmp_path / "bike.json")
    assert read_native(tmp_path / "bike.json") == bike


# ----------------------------------------------------------------------------------------------- round trip

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)


@st.composite
def problem_data(draw: st.DrawFn) -> ProblemData:
    """Small random problems using every feature of the model."""
    num_machines = draw(st.integers(1, 4))
    num_families = draw(st.integers(1, 3))
    family_names = draw(
        st.one_of(st.just(()), st.lists(names, min_size=num_families, max_size=num_families).map(tuple))
    )
    machines = []
    for _ in range(num_machines):
        windows = draw(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 60)), max_size=3))
        setup = draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.lists(st.integers(0, 30), min_size=num_families, max_size=num_families),
                    min_size=num_families,
                    max_size=num_families,
                ),
            )
        )
        machines.append(
            Machine(
                name=draw(names),
                unavailable=tuple((s, s + d) for s, d in windows),
                setup_times=None if setup is None else tuple(map(tuple, setup)),
                initial_family=draw(st.one_of(st.none(), st.integers(0, num_families - 1))),
                idle_power=draw(st.one_of(st.just(0.0), st.floats(0, 20, allow_nan=False))),
            )
        )
    jobs = []
    for _ in range(draw(st.integers(0, 4))):
        ops = []
        for _ in range(draw(st.integers(1, 3))):
            eligible = draw(
                st.lists(st.integers(0, num_machines - 1), min_size=1, max_size=num_machines, unique=True)
            )
            modes = tuple(
                Mode(
                    m,
                    draw(st.integers(0, 100)),
                    draw(st.one_of(st.just(0.0), st.floats(0, 50, allow_nan=False))),
                )
                for m in eligible
            )
            pin = draw(st.one_of(st.none(), st.tuples(st.sampled_from(eligible), st.integers(0, 300))))
            ops.append(
                Operation(
                    modes,
                    name=draw(names),
                    pinned_machine=pin[0] if pin else None,
                    pinned_start=pin[1] if pin else None,
                    resumable=draw(st.booleans()),
                )
            )
        jobs.append(
            Job(
                tuple(ops),
                name=draw(names),
                release=draw(st.integers(0, 100)),
                due=draw(st.one_of(st.none(), st.integers(0, 1000))),
                weight=draw(st.integers(0, 5)),
                family=draw(st.integers(0, num_families - 1)),
            )
        )
    lex = draw(
        st.one_of(
            st.just(()), st.permutations(("makespan", "tardiness", "setup")).map(lambda p: tuple(p[:2]))
        )
    )
    weights = draw(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)))
    if not lex and not any(weights):
        weights = (1, 0, 0)
    energy_weights = draw(st.tuples(st.integers(0, 3), st.integers(0, 3)))
    maintenance = []
    for _ in range(draw(st.integers(0, 3))):
        earliest = draw(st.integers(0, 200))
        duration = draw(st.integers(1, 50))
        latest = draw(st.one_of(st.none(), st.integers(earliest + duration, 600)))
        maintenance.append(
            MaintenanceTask(draw(st.integers(0, num_machines - 1)), duration, earliest, latest, draw(names))
        )
    prices = st.lists(st.floats(0, 2, allow_nan=False), max_size=5).map(tuple)
    energy = draw(
        st.one_of(
            st.none(),
            st.builds(
                Energy,
                st.integers(1, 120),
                prices,
                prices,
                st.one_of(st.none(), st.floats(50, 500, allow_nan=False)),
                st.sampled_from([1 / 60, 1.0, 0.25]),
            ),
        )
    )
    origin = draw(
        st.one_of(
            st.just(""),
            st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1))])).map(
                lambda d: d.isoformat()
            ),
        )
    )
    return ProblemData(
        tuple(machines),
        tuple(jobs),
        num_families=num_families,
        family_names=family_names,
        objective=Objective(*weights, lexicographic=lex, energy=energy_weights[0], co2=energy_weights[1]),
        name=draw(names),
        time_unit=draw(st.sampled_from(["", "min", "s", "h"])),
        time_origin=origin,
        maintenance=tuple(maintenance),
        energy=energy,
    )


@settings(max_examples=80, deadline=None)
@given(problem_data())
def test_round_trip(data):
    """Tests that to_native_dict -> JSON text -> reader gives equal problem data for every feature."""
    assert parse_native(format_native(data)) == data
    assert from_native_dict(json.loads(json.dumps(to_native_dict(data)))) == data


def test_references_by_index_when_names_are_not_unique():
    """Tests that machines with duplicate names are referred to by index and still round-trip."""
    data = ProblemData((Machine("M"), Machine("M")), (Job((Operation((Mode(1, 3),)),)),))
    doc = to_native_dict(data)
    assert doc["jobs"][0]["operations"][0]["modes"][0]["machine"] == 1
    assert from_native_dict(doc) == data


def test_missing_name_takes_the_file_stem(tmp_path):
    """Tests that a document without a name is named after its file, and defaults fill the rest."""
    path = tmp_path / "tiny.json"
    path.write_text(
        '{"machines": [{"name": "A"}], "jobs": [{"operations": [{"modes": [{"machine": "A", "duration": 4}]}]}]}'
    )
    data = read_native(path)
    assert data.name == "tiny"
    assert data.objective == Objective() and data.num_families == 1
    assert data.jobs[0] == Job((Operation((Mode(0, 4),)),))


def test_objective_forms():
    """Tests that missing weights are 0 in the weighted form and the lexicographic form reads."""
    base: dict[str, Any] = {"machines": [{}], "jobs": []}
    assert from_native_dict({**base, "objective": {"tardiness": 3}}).objective == Objective(0, 3, 0)
    lex = from_native_dict({**base, "objective": {"lexicographic": ["tardiness", "makespan"]}}).objective
    assert lex.lexicographic == ("tardiness", "makespan")


def test_energy_maintenance_and_resumable_read():
    """Tests that the energy section, maintenance tasks, idle power and resumable operations are read."""
    doc = _doc(
        machines=[{"name": "A", "idle_power": 1.5, "unavailable": [[10, 20]]}, {"name": "B"}],
        jobs=[
            {
                "name": "J1",
                "family": "red",
                "operations": [{"modes": [{"machine": "A", "duration": 3, "power": 7.5}], "resumable": True}],
            }
        ],
        maintenance=[{"name": "oil", "machine": "B", "duration": 30, "earliest": 5, "latest": 100}],
        energy={"period": 60, "price": [0.1, 0.3], "co2": [0.2], "peak_power": 40, "hours_per_unit": 1.0},
        objective={"makespan": 1, "energy": 100, "co2": 2},
    )
    data = from_native_dict(doc)
    assert data.machines[0].idle_power == 1.5
    assert data.jobs[0].operations[0].resumable
    assert data.maintenance == (MaintenanceTask(1, 30, 5, 100, "oil"),)
    assert data.energy == Energy(60, (0.1, 0.3), (0.2,), 40, 1.0)
    assert (data.objective.energy, data.objective.co2) == (100, 2)
    assert from_native_dict(to_native_dict(data)) == data
    jsonschema.validate(to_native_dict(data), json.loads(PUBLISHED_SCHEMA.read_text()))


# ------------------------------------------------------------------------------------------------- errors


def _doc(**changes):
    doc = {
        "families": ["red", "blue"],
        "machines": [{"name": "A", "setup_times": [[0, 5], [5, 0]]}, {"name": "B"}],
        "jobs": [
            {"name": "J1", "family": "red", "operations": [{"modes": [{"machine": "A", "duration": 3}]}]}
        ],
    }
    doc.update(changes)
    return doc


def test_invalid_json_names_the_line():
    """Tests that a JSON syntax error becomes a FormatError with the line of the error."""
    with pytest.raises(FormatError) as info:
        parse_native('{\n  "machines": [\n  }\n', path="x.json")
    assert info.value.line == 3
    assert "invalid JSON" in info.value.message


def test_empty_text_is_a_format_error():
    """Tests that an empty document is a FormatError, not a JSON traceback."""
    with pytest.raises(FormatError, match="empty file"):
        parse_native("  \n")


@pytest.mark.parametrize(
    ("doc", "fragments"),
    [
        (
            _doc(jobs=[{"operations": [{"modes": [{"machine": "A", "duration": -5}]}]}]),
            ["jobs[0].operations[0].modes[0].duration", "-5 is less than the minimum of 0"],
        ),
        ({"jobs": []}, ["(root)", "'machines' is a required property"]),
        (_doc(colour="red"), ["(root)", "'colour' was unexpected"]),
        (_doc(machines=[{"name": "A", "unavailable": [[1, 2, 3]]}]), ["machines[0].unavailable[0]"]),
        (_doc(jobs=[{"operations": []}]), ["jobs[0].operations", "should be non-empty"]),
        (
            _doc(jobs=[{"weight": 1.5, "operations": [{"modes": [{"machine": 0, "duration": 1}]}]}]),
            ["jobs[0].weight"],
        ),
        ([], ["(root)", "is not of type 'object'"]),
        (_doc(energy={"price": [0.1]}), ["energy", "'period' is a required property"]),
        (_doc(energy={"period": 0}), ["energy.period", "less than the minimum of 1"]),
        (_doc(energy={"period": 60, "price": [-0.1]}), ["energy.price[0]"]),
        (_doc(maintenance=[{"machine": "A", "duration": 0}]), ["maintenance[0].duration"]),
        (
            _doc(jobs=[{"operations": [{"modes": [{"machine": 0, "duration": 1}], "resumable": "yes"}]}]),
            ["jobs[0].operations[0].resumable", "is not of type 'boolean'"],
        ),
        (_doc(machines=[{"name": "A", "idle_power": -1}]), ["machines[0].idle_power"]),
    ],
)
def test_schema_errors_name_the_json_path(doc, fragments):
    """Tests that documents breaking the schema raise FormatError naming the JSON path of the problem."""
    with pytest.raises(FormatError) as info:
        from_native_dict(doc, path="doc.json")
    for fragment in fragments:
        assert fragment in info.value.message


@pytest.mark.parametrize(
    ("doc", "field", "fragment"),
    [
        (
            _doc(jobs=[{"operations": [{"modes": [{"machine": "C", "duration": 1}]}]}]),
            "jobs[0].operations[0].modes[0].machine",
            "unknown machine 'C'",
        ),
        (
            _doc(jobs=[{"operations": [{"modes": [{"machine": 7, "duration": 1}]}]}]),
            "jobs[0].operations[0].modes[0].machine",
            "out of range 0..1",
        ),
        (
            _doc(jobs=[{"family": "green", "operations": [{"modes": [{"machine": "A", "duration": 1}]}]}]),
            "jobs[0].family",
            "unknown family 'green'",
        ),
        (
            _doc(
                jobs=[
                    {
                        "operations": [
                            {
                                "modes": [{"machine": "A", "duration": 1}],
                                "pinned": {"machine": "B", "start": 0},
                            }
                        ]
                    }
                ]
            ),
            "jobs[0].operations[0].pinned_machine",
            "not one of the modes",
        ),
        (
            _doc(
                jobs=[
                    {
                        "operations": [
                            {"modes": [{"machine": "A", "duration": 1}, {"machine": "A", "duration": 2}]}
                        ]
                    }
                ]
            ),
            "jobs[0].operations[0].modes[1].machine",
            "listed twice",
        ),
        (
            _doc(machines=[{"name": "A", "setup_times": [[0, 1, 2], [1, 0, 2], [2, 1, 0]]}]),
            "machines[0].setup_times",
            "2x2",
        ),
        (
            _doc(machines=[{"name": "A", "unavailable": [[5, 5]]}]),
            "machines[0].unavailable[0]",
            "start < end",
        ),
        (
            _doc(machines=[{"name": "A", "initial_family": "green"}]),
            "machines[0].initial_family",
            "unknown family",
        ),
        (_doc(time_origin="next monday"), "time_origin", "ISO 8601"),
        (_doc(objective={"makespan": 0}), "objective.makespan", "at least one objective weight"),
        (
            _doc(machines=[{"name": "A"}, {"name": "A"}]),
            "jobs[0].operations[0].modes[0].machine",
            "ambiguous",
        ),
        (
            _doc(maintenance=[{"machine": "C", "duration": 5}]),
            "maintenance[0].machine",
            "unknown machine 'C'",
        ),
        (
            _doc(maintenance=[{"machine": "B", "duration": 50, "earliest": 10, "latest": 40}]),
            "maintenance[0].latest",
            "shorter than the duration 50",
        ),
        (
            _doc(
                energy={"period": 60, "peak_power": 10.0},
                jobs=[{"operations": [{"modes": [{"machine": "A", "duration": 1, "power": 20.0}]}]}],
            ),
            "jobs[0].operations[0].modes",
            "more than the peak-power limit",
        ),
    ],
)
def test_invalid_values_give_validation_errors_with_field_paths(doc, field, fragment):
    """Tests that unresolved names and broken data rules raise ValidationError with the full field path."""
    with pytest.raises(ValidationError) as info:
        from_native_dict(doc)
    matching = [v for v in info.value.violations if v.field == field]
    assert matching, [str(v) for v in info.value.violations]
    assert fragment in matching[0].description


def test_planned_placement_and_stability_weights_round_trip():
    """Tests that planned_machine/planned_start and the moved/shift weights are read, written and read back,
    and that plain instances are written without the stability weights."""
    op = Operation((Mode(0, 3), Mode(1, 4)), planned_machine=1, planned_start=7)
    data = ProblemData(
        (Machine("A"), Machine("B")), (Job((op,), "J"),), objective=Objective(makespan=1, moved=5, shift=1)
    )
    doc = to_native_dict(data)
    assert doc["jobs"][0]["operations"][0]["planned_machine"] == "B"
    assert doc["jobs"][0]["operations"][0]["planned_start"] == 7
    assert doc["objective"]["moved"] == 5
    assert parse_native(format_native(data)) == data
    assert "moved" not in to_native_dict(data.replace(objective=Objective()))["objective"]
    bad = json.loads(format_native(data))
    del bad["jobs"][0]["operations"][0]["planned_start"]
    with pytest.raises(FormatError, match="planned_start"):
        from_native_dict(bad)
