"""Tests of the standard JSSP reader and writer (planner.formats.jssp)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, ValidationError
from planner.formats.jssp import format_jssp, parse_jssp, read_jssp, write_jssp
from planner.scheduling.problem_data import Job, Machine, Mode, Operation, ProblemData

ROOT = Path(__file__).resolve().parents[2]
JSSP = ROOT / "instances" / "jssp"

# name -> (jobs, machines, first operation (machine, duration), last operation (machine, duration))
SHIPPED = {
    "ft06": (6, 6, (2, 1), (2, 1)),
    "ft10": (10, 10, (0, 29), (7, 45)),
    "la01": (10, 5, (1, 21), (0, 96)),
    "la02": (10, 5, (0, 20), (0, 61)),
    "la03": (10, 5, (1, 23), (3, 7)),
    "la04": (10, 5, (0, 12), (0, 88)),
    "la05": (10, 5, (1, 72), (1, 23)),
}


def _pairs(path: Path) -> list[list[int]]:
    """The file's job lines as integers, read without the code under test."""
    lines = path.read_text().split("\n")[1:]
    return [[int(t) for t in line.split()] for line in lines if line.strip()]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_reads_every_shipped_file(name):
    """Tests that every shipped JSSP file reads with the right size, names and operation values."""
    num_jobs, num_machines, first, last = SHIPPED[name]
    data = read_jssp(JSSP / f"{name}.txt")
    assert data.name == name
    assert (data.num_jobs, data.num_machines) == (num_jobs, num_machines)
    assert data.num_operations == num_jobs * num_machines
    assert all(len(op.modes) == 1 for _, _, op in data.operations())
    op0, op_last = data.jobs[0].operations[0].modes[0], data.jobs[-1].operations[-1].modes[0]
    assert (op0.machine, op0.duration) == first
    assert (op_last.machine, op_last.duration) == last
    # Every (machine, duration) pair matches the raw file.
    rows = _pairs(JSSP / f"{name}.txt")
    for j_idx, job in enumerate(data.jobs):
        assert [v for op in job.operations for v in (op.modes[0].machine, op.modes[0].duration)] == rows[
            j_idx
        ]
    # Classic JSSP: every job visits every machine once.
    assert all(
        sorted(op.modes[0].machine for op in job.operations) == list(range(num_machines)) for job in data.jobs
    )


def test_comments_and_blank_lines_are_skipped():
    """Tests that '#' comment lines and blank lines are ignored."""
    text = "# Fisher & Thompson\n\n2 2\n# job 1\n0 3 1 4\n\n1 2 0 5\n\n"
    data = parse_jssp(text, name="x")
    assert data.num_jobs == 2
    assert data.jobs[1].operations[1].modes[0] == Mode(0, 5)


@st.composite
def jssp_data(draw: st.DrawFn) -> ProblemData:
    num_machines = draw(st.integers(1, 4))
    num_jobs = draw(st.integers(1, 4))
    jobs = []
    for _ in range(num_jobs):
        ops = [
            Operation((Mode(draw(st.integers(0, num_machines - 1)), draw(st.integers(0, 999))),))
            for _ in range(num_machines)
        ]
        jobs.append(Job(tuple(ops)))
    return ProblemData(tuple(Machine() for _ in range(num_machines)), tuple(jobs), name="rt")


@settings(max_examples=60, deadline=None)
@given(jssp_data())
def test_round_trip(data):
    """Tests that writing and reading back a small random instance gives the same problem data."""
    assert parse_jssp(format_jssp(data), name="rt") == data


def test_round_trip_through_a_file(tmp_path):
    """Tests that write_jssp then read_jssp keeps ft06 identical and the file bytes identical."""
    data = read_jssp(JSSP / "ft06.txt")
    out = tmp_path / "ft06.txt"
    write_jssp(data, out)
    assert read_jssp(out) == data
    assert out.read_text() == (JSSP / "ft06.txt").read_text()


def test_writer_refuses_what_the_format_cannot_hold():
    """Tests that due dates and alternative modes are refused by the JSSP writer, not dropped."""
    data = read_jssp(JSSP / "ft06.txt")
    with pytest.raises(FormatError, match="release, due date"):
        format_jssp(
            data.replace(jobs=(data.jobs[0].__class__(data.jobs[0].operations, due=10), *data.jobs[1:]))
        )
    two_modes = Operation((Mode(0, 1), Mode(1, 2)))
    flexible = ProblemData((Machine(), Machine()), (Job((two_modes, Operation((Mode(1, 1),)))),))
    with pytest.raises(FormatError, match="one mode per operation"):
        format_jssp(flexible)


MALFORMED = [
    # (text, line, message fragment)
    ("", None, "empty file"),
    ("# only a comment\n\n", None, "empty file"),
    ("2\n0 1\n", 1, "header: expected 2 integers (n_jobs n_machines), got 1"),
    ("2 x\n", 1, "not a number: 'x'"),
    ("0 2\n", 1, "number of jobs must be >= 1"),
    (
        "2 3\n0 1 1 2 2 3\n0 1 1 2 2\n",
        3,
        "expected 6 integers (3 machine/duration pairs) for job 2 of 2, got 5",
    ),
    ("1 3\n0 1 3 2 2 3\n", 2, "machine 3 out of range 0..2 (operation 2)"),
    ("1 2\n-1 1 1 2\n", 2, "machine -1 out of range 0..1"),
    ("3 2\n0 1 1 2\n0 1 1 2\n", 4, "file ends after 2 of 3 job lines"),
    ("1 2\n0 1 1 2\n0 1 1 2\n", 3, "unexpected data after the last of 1 job lines"),
    ("1 2\n0 1.5 1 2\n", 2, "expected an integer, got '1.5'"),
    ("# comment\n\n1 2\n0 1 1 x\n", 4, "not a number: 'x'"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_malformed_text_gives_format_error_with_line(text, line, fragment):
    """Tests that each kind of malformed JSSP text raises FormatError naming the line and what was expected."""
    with pytest.raises(FormatError) as info:
        parse_jssp(text, path="bad.txt")
    assert info.value.line == line
    assert fragment in info.value.message
    assert info.value.path == "bad.txt"


def test_malformed_file_in_test_data():
    """Tests that the short line of tests/data/bad_jssp_short_line.txt is reported with its file and line."""
    path = ROOT / "tests" / "data" / "bad_jssp_short_line.txt"
    with pytest.raises(FormatError) as info:
        read_jssp(path)
    assert (info.value.path, info.value.line) == (str(path), 3)
    assert "expected 4 integers (2 machine/duration pairs) for job 2 of 3, got 3" in str(info.value)


def test_negative_duration_is_a_validation_error_with_field_path():
    """Tests that a negative duration surfaces as a ValidationError naming job, operation and line."""
    with pytest.raises(ValidationError) as info:
        parse_jssp("2 2\n0 1 1 2\n0 3 1 -4\n")
    (violation,) = info.value.violations
    assert violation.field == "jobs[1].operations[1].modes[0].duration"
    assert "-4" in violation.description and "(line 3)" in violation.description
