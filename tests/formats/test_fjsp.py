"""Tests of the FJSPLIB reader and writer (planner.formats.fjsp)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, ValidationError
from planner.formats.fjsp import format_fjsp, parse_fjsp, read_fjsp, write_fjsp
from planner.scheduling.problem_data import Job, Machine, Mode, Operation, ProblemData

ROOT = Path(__file__).resolve().parents[2]
FJSP = ROOT / "instances" / "fjsp"

# file -> (jobs, machines, operations, header average, modes of the first operation (0-based machines))
SHIPPED = {
    "mk01": (10, 6, 55, 2.09, [(0, 5), (2, 4)]),
    "mk02": (10, 6, 58, 4.1, [(2, 3), (3, 5), (0, 3), (5, 6), (1, 2), (4, 3)]),
    "mk03": (15, 8, 150, 3.01, [(6, 15), (7, 11), (3, 5), (4, 19)]),
    "hurink_edata/mt06": (6, 6, 36, 1.17, [(2, 1)]),
    "hurink_rdata/mt06": (6, 6, 36, 2.06, [(2, 1)]),
    "hurink_vdata/la01": (10, 5, 50, 2.84, [(1, 21), (3, 21)]),
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_reads_every_shipped_file(name):
    """Tests that every shipped .fjs file reads with the right size, 0-based machines and first operation."""
    num_jobs, num_machines, num_ops, average, first_modes = SHIPPED[name]
    data = read_fjsp(FJSP / f"{name}.fjs")
    assert data.name == Path(name).name
    assert (data.num_jobs, data.num_machines, data.num_operations) == (num_jobs, num_machines, num_ops)
    assert [(m.machine, m.duration) for m in data.jobs[0].operations[0].modes] == first_modes
    # The informational header average agrees with the modes read.
    num_modes = sum(len(op.modes) for _, _, op in data.operations())
    assert abs(num_modes / num_ops - average) < 0.01
    assert all(0 <= m.machine < num_machines for _, _, op in data.operations() for m in op.modes)


def test_rdata_has_more_alternatives_than_edata():
    """Tests that the Hurink sets are read as different instances of the same jobs (edata < rdata modes)."""
    edata = read_fjsp(FJSP / "hurink_edata" / "mt06.fjs")
    rdata = read_fjsp(FJSP / "hurink_rdata" / "mt06.fjs")
    count = lambda d: sum(len(op.modes) for _, _, op in d.operations())  # noqa: E731
    assert count(edata) < count(rdata)


@st.composite
def fjsp_data(draw: st.DrawFn) -> ProblemData:
    num_machines = draw(st.integers(1, 5))
    jobs = []
    for _ in range(draw(st.integers(1, 4))):
        ops = []
        for _ in range(draw(st.integers(1, 4))):
            machines = draw(
                st.lists(st.integers(0, num_machines - 1), min_size=1, max_size=num_machines, unique=True)
            )
            ops.append(Operation(tuple(Mode(m, draw(st.integers(0, 500))) for m in machines)))
        jobs.append(Job(tuple(ops)))
    return ProblemData(tuple(Machine() for _ in range(num_machines)), tuple(jobs), name="rt")


@settings(max_examples=60, deadline=None)
@given(fjsp_data())
def test_round_trip(data):
    """Tests that writing and reading back a small random flexible instance gives the same problem data."""
    assert parse_fjsp(format_fjsp(data), name="rt") == data


def test_round_trip_through_a_file(tmp_path):
    """Tests that write_fjsp then read_fjsp keeps mk01 identical, with 1-based machines in the file."""
    data = read_fjsp(FJSP / "mk01.fjs")
    out = tmp_path / "mk01.fjs"
    write_fjsp(data, out)
    assert read_fjsp(out) == data
    assert out.read_text().splitlines()[1] == (FJSP / "mk01.fjs").read_text().splitlines()[1]


def test_header_average_is_optional():
    """Tests that a header without the third number reads, and a decimal third number is accepted."""
    assert parse_fjsp("1 2\n1 2 1 5 2 6\n").jobs[0].operations[0].modes == (Mode(0, 5), Mode(1, 6))
    assert parse_fjsp("1 2 2\n1 2 1 5 2 6\n") == parse_fjsp("1 2 2.0\n1 2 1 5 2 6\n")


MALFORMED = [
    ("", None, "empty file"),
    ("1 2 3 4\n", 1, "header: expected 2 or 3 numbers"),
    ("1 2 abc\n1 1 1 5\n", 1, "not a number: 'abc'"),
    ("1 2.5\n", 1, "expected an integer, got '2.5'"),
    (
        "1 2 2.5\n2 1 1 5\n",
        2,
        "line ends after 4 numbers, expected the number of alternatives of operation 2 of 2",
    ),
    ("1 2\n1 2 1 5 2\n", 2, "expected the duration on machine 2"),
    ("1 2\n1 1 3 5\n", 2, "machine 3 out of range 1..2 (job 1 of 1, operation 1 of 1)"),
    ("1 2\n1 1 0 5\n", 2, "machine 0 out of range 1..2"),
    ("1 2\n1 1 1 5 7\n", 2, "1 extra numbers after its 1 operations"),
    ("1 2\n1 0\n", 2, "number of alternatives must be >= 1, got 0"),
    ("1 2\n0\n", 2, "number of operations must be >= 1, got 0"),
    ("2 2\n1 1 1 5\n", 3, "file ends after 1 of 2 job lines"),
    ("1 2\n1 1 1 5\n1 1 1 5\n", 3, "unexpected data after the last of 1 job lines"),
    ("1 2\n1 1 1 five\n", 2, "not a number: 'five'"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_malformed_text_gives_format_error_with_line(text, line, fragment):
    """Tests that each kind of malformed FJSPLIB text raises FormatError naming the line and what was expected."""
    with pytest.raises(FormatError) as info:
        parse_fjsp(text, path="bad.fjs")
    assert info.value.line == line
    assert fragment in info.value.message


def test_malformed_file_in_test_data():
    """Tests that the out-of-range machine of tests/data/bad_fjsp_machine_range.fjs is found on line 4."""
    with pytest.raises(FormatError) as info:
        read_fjsp(ROOT / "tests" / "data" / "bad_fjsp_machine_range.fjs")
    assert info.value.line == 4
    assert "machine 4 out of range 1..3" in info.value.message


def test_invalid_values_are_validation_errors_with_field_paths():
    """Tests that a machine listed twice and a negative duration give ValidationErrors with their paths."""
    with pytest.raises(ValidationError) as info:
        parse_fjsp("2 2\n1 2 1 5 1 6\n2 1 1 3 1 2 -1\n")
    fields = {v.field for v in info.value.violations}
    assert fields == {"jobs[0].operations[0].modes[1].machine", "jobs[1].operations[1].modes[0].duration"}
    assert all("(line " in v.description for v in info.value.violations)
