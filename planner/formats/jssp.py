"""The standard job shop format (OR-Library / JSPLIB).

::

    <n_jobs> <n_machines>
    <machine> <duration> <machine> <duration> ...     one line per job, 2 * n_machines integers

Machines are 0-based. Lines starting with ``#`` are comments; blank lines are ignored. Every operation
gets one :class:`~planner.scheduling.Mode`; the instance is named after the file stem.
"""

from __future__ import annotations

from pathlib import Path

from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.formats._text import (
    PathLike,
    check_size,
    content_lines,
    end_line,
    ints,
    plain_check,
    prefix_violations,
    read_text,
)
from planner.scheduling.problem_data import Job, Machine, Mode, Operation, ProblemData

__all__ = ["format_jssp", "parse_jssp", "read_jssp", "write_jssp"]


def read_jssp(path: PathLike) -> ProblemData:
    """Read a standard JSSP file.

    Parameters
    ----------
    path
        The file; the instance is named after its stem.

    Returns
    -------
    ProblemData
        One machine per machine column, one single-mode operation per (machine, duration) pair.

    Raises
    ------
    FormatError
        When the file is malformed (names the line and what was expected).
    ValidationError
        When the numbers are invalid (e.g. a negative duration), with the field path of each.
    """
    return parse_jssp(read_text(path), name=Path(path).stem, path=str(path))


def parse_jssp(text: str, name: str = "", path: str = "<text>") -> ProblemData:
    """Parse the text of a standard JSSP file; ``path`` is only used in error messages.

    See :func:`read_jssp` for the result and the errors.
    """
    lines = content_lines(text)
    if not lines:
        raise FormatError(path, None, "empty file: expected a header 'n_jobs n_machines'")
    header = lines[0]
    values = ints(header, path)
    if len(values) != 2:
        raise FormatError(
            path, header.number, f"header: expected 2 integers (n_jobs n_machines), got {len(values)}"
        )
    num_jobs, num_machines = values
    check_size(num_jobs, "the number of jobs", path, header.number)
    check_size(num_machines, "the number of machines", path, header.number)

    job_lines = lines[1:]
    jobs: list[Job] = []
    errors: list[FieldViolation] = []
    for j_idx, line in enumerate(job_lines[:num_jobs]):
        numbers = ints(line, path)
        if len(numbers) != 2 * num_machines:
            raise FormatError(
                path,
                line.number,
                f"expected {2 * num_machines} integers ({num_machines} machine/duration pairs) "
                f"for job {j_idx + 1} of {num_jobs}, got {len(numbers)}",
            )
        operations = []
        for o_idx in range(num_machines):
            machine, duration = numbers[2 * o_idx], numbers[2 * o_idx + 1]
            if not 0 <= machine < num_machines:
                raise FormatError(
                    path,
                    line.number,
                    f"machine {machine} out of range 0..{num_machines - 1} (operation {o_idx + 1})",
                )
            try:
                operations.append(Operation((Mode(machine, duration),)))
            except ValidationError as exc:
                errors.extend(
                    prefix_violations(exc, f"jobs[{j_idx}].operations[{o_idx}].modes[0]", line.number)
                )
        if len(operations) == num_machines:
            jobs.append(Job(tuple(operations)))
    if len(job_lines) < num_jobs:
        raise FormatError(
            path,
            end_line(lines, header.number),
            f"file ends after {len(job_lines)} of {num_jobs} job lines (truncated?)",
        )
    if len(job_lines) > num_jobs:
        raise FormatError(
            path, job_lines[num_jobs].number, f"unexpected data after the last of {num_jobs} job lines"
        )
    if errors:
        raise ValidationError(errors)
    machines = tuple(Machine() for _ in range(num_machines))
    return ProblemData(machines, tuple(jobs), name=name)


def format_jssp(data: ProblemData, path: str = "<text>") -> str:
    """Return ``data`` as the text of a standard JSSP file.

    Raises
    ------
    FormatError
        When ``data`` does not fit the format: every job needs exactly one single-mode operation per
        machine count, and nothing beyond durations (releases, due dates, setups...) can be stored.
    """
    plain_check(data, "jssp", path)
    num_machines = data.num_machines
    rows = [f"{data.num_jobs} {num_machines}"]
    for j_idx, job in enumerate(data.jobs):
        if len(job.operations) != num_machines:
            raise FormatError(
                path,
                None,
                f"the jssp format needs {num_machines} operations per job (one per machine); "
                f"job {j_idx} has {len(job.operations)}",
            )
        pairs = []
        for o_idx, op in enumerate(job.operations):
            if len(op.modes) != 1:
                raise FormatError(
                    path,
                    None,
                    f"the jssp format needs one mode per operation; operation {o_idx} of job {j_idx} "
                    f"has {len(op.modes)} (use the fjsp format)",
                )
            pairs.append(f"{op.modes[0].machine} {op.modes[0].duration}")
        rows.append(" ".join(pairs))
    return "\n".join(rows) + "\n"


def write_jssp(data: ProblemData, path: PathLike) -> None:
    """Write ``data`` to ``path`` in the standard JSSP format (see :func:`format_jssp`)."""
    Path(path).write_text(format_jssp(data, str(path)), encoding="utf-8")
