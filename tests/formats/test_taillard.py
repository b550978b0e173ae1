"""Tests of the Taillard matrix reader and writer (planner.formats.taillard)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, ValidationError
from planner.formats.jssp import read_jssp
from planner.formats.taillard import format_taillard, parse_taillard, read_taillard, write_taillard
from planner.scheduling.problem_data import Job, Machine, Mode, Operation, ProblemData

ROOT = Path(__file__).resolve().parents[2]
FT06_TAILLARD = ROOT / "tests" / "data" / "ft06_taillard.txt"


def test_or_library_layout_matches_the_standard_file():
    """Tests that ft06 in the OR-Library Taillard layout (labels, seeds, bounds) reads as the standard ft06."""
    data = read_taillard(FT06_TAILLARD)
    assert data.name == "ft06_taillard"
    assert data.jobs == read_jssp(ROOT / "instances" / "jssp" / "ft06.txt").jobs
    assert data.num_machines == 6


def test_bare_layout_without_labels():
    """Tests that the matrices without 'Times'/'Machines' labels and with extra header numbers read."""
    data = parse_taillard("2 2 123 456\n5 6\n7 8\n2 1\n1 2\n")
    assert [[(m.machine, m.duration) for op in job.operations for m in op.modes] for job in data.jobs] == [
        [(1, 5), (0, 6)],
        [(0, 7), (1, 8)],
    ]


@st.composite
def square_data(draw: st.DrawFn) -> ProblemData:
    num_machines = draw(st.integers(1, 4))
    jobs = [
        Job(
            tuple(
                Operation((Mode(draw(st.integers(0, num_machines - 1)), draw(st.integers(0, 99))),))
                for _ in range(num_machines)
            )
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    return ProblemData(tuple(Machine() for _ in range(num_machines)), tuple(jobs), name="rt")


@settings(max_examples=40, deadline=None)
@given(square_data())
def test_round_trip(data):
    """Tests that writing and reading back a small random instance in Taillard's format is lossless."""
    assert parse_taillard(format_taillard(data), name="rt") == data


def test_round_trip_through_a_file(tmp_path):
    """Tests that write_taillard then read_taillard keeps ft06 identical."""
    data = read_taillard(FT06_TAILLARD)
    write_taillard(data, tmp_path / "ft06_taillard.tai")
    assert read_taillard(tmp_path / "ft06_taillard.tai") == data


MALFORMED = [
    ("", None, "empty file"),
    ("Times\n", None, "empty file"),
    ("Hello world\n2 2\n", 1, "not a number: 'Hello'"),
    ("2\n", 1, "header: expected at least 2 integers"),
    ("2 2 x\n", 1, "not a number: 'x'"),
    ("2 2\nTimes\n1 2\n3\n", 4, "expected 2 integers (processing times of job 2 of 2), got 1"),
    ("2 2\n1 2\n3 4\nMachines\n1 2\n2 3\n", 6, "machine 3 out of range 1..2 (operation 2)"),
    ("2 2\n1 2\n3 4\n1 2\n", 5, "file ends after 3 of 4 matrix lines"),
    ("2 2\n1 2\n3 4\n1 2\n2 1\n1 2\n", 6, "unexpected data after the machines matrix"),
    ("2 2\n1 2\n3 4\n1 2\n2 x\n", 5, "not a number: 'x'"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_malformed_text_gives_format_error_with_line(text, line, fragment):
    """Tests that each kind of malformed Taillard text raises FormatError naming the line."""
    with pytest.raises(FormatError) as info:
        parse_taillard(text)
    assert info.value.line == line
    assert fragment in info.value.message


def test_negative_time_is_a_validation_error():
    """Tests that a negative processing time names its job, operation and line."""
    with pytest.raises(ValidationError) as info:
        parse_taillard("1 2\n4 -3\n1 2\n")
    assert [v.field for v in info.value.violations] == ["jobs[0].operations[1].modes[0].duration"]
    assert "(line 2)" in info.value.violations[0].description
