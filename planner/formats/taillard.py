"""Taillard's matrix format for the job shop.

::

    [Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound]
    <n_jobs> <n_machines> [more numbers: seeds, bounds; ignored]
    [Times]
    <n_jobs lines of n_machines processing times>
    [Machines]
    <n_jobs lines of n_machines machine numbers, 1-based>

Row ``j`` of both matrices is job ``j`` in routing order. Lines in brackets are optional (the label line
before the header is the OR-Library / Taillard layout). Lines starting with ``#`` are comments; blank
lines are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.formats._text import (
    Line,
    PathLike,
    check_size,
    content_lines,
    end_line,
    ints,
    is_number,
    plain_check,
    prefix_violations,
    read_text,
    to_int,
)
from planner.scheduling.problem_data import Job, Machine, Mode, Operation, ProblemData

__all__ = ["format_taillard", "is_label", "parse_taillard", "read_taillard", "write_taillard"]

_LABEL = re.compile(r"^(nb\s+of\b|number\s+of\b|(processing\s+)?times\b|machines\b)", re.IGNORECASE)


def is_label(line: Line) -> bool:
    """Whether ``line`` is one of the Taillard text labels ("Nb of jobs, ...", "Times", "Machines")."""
    return not is_number(line.tokens[0]) and bool(_LABEL.match(" ".join(line.tokens)))


def read_taillard(path: PathLike) -> ProblemData:
    """Read a job shop instance in Taillard's matrix format.

    Parameters
    ----------
    path
        The file; the instance is named after its stem.

    Returns
    -------
    ProblemData
        One single-mode operation per matrix cell, machines 0-based.

    Raises
    ------
    FormatError
        When the file is malformed (names the line and what was expected).
    ValidationError
        When the numbers are invalid (e.g. a negative processing time).
    """
    return parse_taillard(read_text(path), name=Path(path).stem, path=str(path))


def parse_taillard(text: str, name: str = "", path: str = "<text>") -> ProblemData:
    """Parse the text of a Taillard file; ``path`` is only used in error messages.

    See :func:`read_taillard` for the result and the errors.
    """
    all_lines = content_lines(text)
    lines = []
    for line in all_lines:
        if is_label(line):
            continue
        if not is_number(line.tokens[0]):
            raise FormatError(path, line.number, f"not a number: {line.tokens[0]!r}")
        lines.append(line)
    if not lines:
        raise FormatError(path, None, "empty file: expected a header 'n_jobs n_machines'")
    header = lines[0]
    if len(header.tokens) < 2:
        raise FormatError(
            path, header.number, "header: expected at least 2 integers (n_jobs n_machines), got 1"
        )
    num_jobs = to_int(header.tokens[0], path, header.number)
    num_machines = to_int(header.tokens[1], path, header.number)
    for token in header.tokens[2:]:
        if not is_number(token):
            raise FormatError(path, header.number, f"not a number: {token!r}")
    check_size(num_jobs, "the number of jobs", path, header.number)
    check_size(num_machines, "the number of machines", path, header.number)

    rows = lines[1:]
    matrix: list[list[int]] = []
    for r_idx, line in enumerate(rows[: 2 * num_jobs]):
        numbers = ints(line, path)
        which = "processing times" if r_idx < num_jobs else "machines"
        if len(numbers) != num_machines:
            raise FormatError(
                path,
                line.number,
                f"expected {num_machines} integers ({which} of job {r_idx % num_jobs + 1} of {num_jobs}), "
                f"got {len(numbers)}",
            )
        if r_idx >= num_jobs:
            for o_idx, machine in enumerate(numbers):
                if not 1 <= machine <= num_machines:
                    raise FormatError(
                        path,
                        line.number,
                        f"machine {machine} out of range 1..{num_machines} (operation {o_idx + 1})",
                    )
        matrix.append(numbers)
    if len(rows) < 2 * num_jobs:
        part = "processing times" if len(rows) < num_jobs else "machines"
        raise FormatError(
            path,
            end_line(all_lines, header.number),
            f"file ends after {len(rows)} of {2 * num_jobs} matrix lines ({num_jobs} lines of processing times, "
            f"then {num_jobs} of machines); the {part} are incomplete (truncated?)",
        )
    if len(rows) > 2 * num_jobs:
        raise FormatError(
            path,
            rows[2 * num_jobs].number,
            "unexpected data after the machines matrix (one instance per file)",
        )

    jobs = []
    errors: list[FieldViolation] = []
    for j_idx in range(num_jobs):
        times, machines = matrix[j_idx], matrix[num_jobs + j_idx]
        operations = []
        for o_idx in range(num_machines):
            try:
                operations.append(Operation((Mode(machines[o_idx] - 1, times[o_idx]),)))
            except ValidationError as exc:
                errors.extend(
                    prefix_violations(exc, f"jobs[{j_idx}].operations[{o_idx}].modes[0]", rows[j_idx].number)
                )
        jobs.append(Job(tuple(operations)) if len(operations) == num_machines else None)
    if errors:
        raise ValidationError(errors)
    return ProblemData(
        tuple(Machine() for _ in range(num_machines)), tuple(j for j in jobs if j is not None), name=name
    )


def format_taillard(data: ProblemData, path: str = "<text>") -> str:
    """Return ``data`` in Taillard's matrix format (with the ``Times`` and ``Machines`` labels).

    Raises
    ------
    FormatError
        When a job does not have exactly one single-mode operation per machine count, or ``data`` holds
        more than durations.
    """
    plain_check(data, "taillard", path)
    num_machines = data.num_machines
    times, machines = [], []
    for j_idx, job in enumerate(data.jobs):
        if len(job.operations) != num_machines or any(len(op.modes) != 1 for op in job.operations):
            raise FormatError(
                path,
                None,
                f"the taillard format needs {num_machines} single-mode operations per job; job {j_idx} differs",
            )
        times.append(" ".join(str(op.modes[0].duration) for op in job.operations))
        machines.append(" ".join(str(op.modes[0].machine + 1) for op in job.operations))
    rows = [f"{data.num_jobs} {num_machines}", "Times", *times, "Machines", *machines]
    return "\n".join(rows) + "\n"


def write_taillard(data: ProblemData, path: PathLike) -> None:
    """Write ``data`` to ``path`` in Taillard's matrix format (see :func:`format_taillard`)."""
    Path(path).write_text(format_taillard(data, str(path)), encoding="utf-8")
