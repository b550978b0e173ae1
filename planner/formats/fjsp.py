"""The flexible job shop format of Brandimarte and FJSPLIB (``.fjs``).

::

    <n_jobs> <n_machines> [<average alternatives per operation>]
    <n_ops> (<k> (<machine> <duration>){k}){n_ops}        one line per job

Machines are 1-based in the file and 0-based in :class:`~planner.scheduling.ProblemData`. The third header
number is informational (a decimal such as ``2.09``) and is ignored. Lines starting with ``#`` are
comments; blank lines are ignored.
"""

from __future__ import annotations

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

__all__ = ["format_fjsp", "parse_fjsp", "read_fjsp", "write_fjsp"]


def read_fjsp(path: PathLike) -> ProblemData:
    """Read an FJSPLIB ``.fjs`` file.

    Parameters
    ----------
    path
        The file; the instance is named after its stem.

    Returns
    -------
    ProblemData
        The operations with their alternative (machine, duration) modes in file order.

    Raises
    ------
    FormatError
        When the file is malformed (names the line and what was expected).
    ValidationError
        When the numbers are invalid (a negative duration, a machine listed twice for one operation).
    """
    return parse_fjsp(read_text(path), name=Path(path).stem, path=str(path))


def parse_fjsp(text: str, name: str = "", path: str = "<text>") -> ProblemData:
    """Parse the text of an FJSPLIB file; ``path`` is only used in error messages.

    See :func:`read_fjsp` for the result and the errors.
    """
    lines = content_lines(text)
    if not lines:
        raise FormatError(path, None, "empty file: expected a header 'n_jobs n_machines [average]'")
    header = lines[0]
    if len(header.tokens) not in (2, 3):
        raise FormatError(
            path,
            header.number,
            f"header: expected 2 or 3 numbers (n_jobs n_machines [average]), got {len(header.tokens)}",
        )
    num_jobs = to_int(header.tokens[0], path, header.number)
    num_machines = to_int(header.tokens[1], path, header.number)
    if len(header.tokens) == 3 and not is_number(header.tokens[2]):
        raise FormatError(path, header.number, f"not a number: {header.tokens[2]!r}")
    check_size(num_jobs, "the number of jobs", path, header.number)
    check_size(num_machines, "the number of machines", path, header.number)

    job_lines = lines[1:]
    jobs: list[Job] = []
    errors: list[FieldViolation] = []
    for j_idx, line in enumerate(job_lines[:num_jobs]):
        job = _parse_job(line, j_idx, num_jobs, num_machines, path, errors)
        if job is not None:
            jobs.append(job)
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


def _parse_job(
    line: Line, j_idx: int, num_jobs: int, num_machines: int, path: str, errors: list[FieldViolation]
) -> Job | None:
    """Parse one job line; FormatErrors are raised, invalid values are added to ``errors``."""
    numbers = ints(line, path)
    job_label = f"job {j_idx + 1} of {num_jobs}"
    pos = 0

    def take(what: str) -> int:
        nonlocal pos
        if pos >= len(numbers):
            raise FormatError(
                path, line.number, f"{job_label}: line ends after {len(numbers)} numbers, expected {what}"
            )
        pos += 1
        return numbers[pos - 1]

    num_ops = take("the number of operations")
    if num_ops < 1:
        raise FormatError(path, line.number, f"{job_label}: number of operations must be >= 1, got {num_ops}")
    operations = []
    valid = True
    for o_idx in range(num_ops):
        op_label = f"operation {o_idx + 1} of {num_ops}"
        num_modes = take(f"the number of alternatives of {op_label}")
        if num_modes < 1:
            raise FormatError(
                path,
                line.number,
                f"{job_label}, {op_label}: number of alternatives must be >= 1, got {num_modes}",
            )
        modes = []
        op_valid = True
        for k in range(num_modes):
            machine = take(f"machine {k + 1} of {num_modes} of {op_label}")
            duration = take(f"the duration on machine {machine} ({op_label})")
            if not 1 <= machine <= num_machines:
                raise FormatError(
                    path,
                    line.number,
                    f"machine {machine} out of range 1..{num_machines} ({job_label}, {op_label})",
                )
            try:
                modes.append(Mode(machine - 1, duration))
            except ValidationError as exc:
                errors.extend(
                    prefix_violations(exc, f"jobs[{j_idx}].operations[{o_idx}].modes[{k}]", line.number)
                )
                op_valid = False
        if op_valid:
            try:
                operations.append(Operation(tuple(modes)))
            except ValidationError as exc:
                errors.extend(prefix_violations(exc, f"jobs[{j_idx}].operations[{o_idx}]", line.number))
                op_valid = False
        valid = valid and op_valid
    if pos != len(numbers):
        raise FormatError(
            path,
            line.number,
            f"{job_label}: {len(numbers) - pos} extra numbers after its {num_ops} operations "
            f"(the line has {len(numbers)}, the operations use {pos})",
        )
    return Job(tuple(operations)) if valid else None


def format_fjsp(data: ProblemData, path: str = "<text>") -> str:
    """Return ``data`` as the text of an FJSPLIB file (machines written 1-based).

    Raises
    ------
    FormatError
        When ``data`` holds more than the format can store (releases, due dates, setups, calendars...).
    """
    plain_check(data, "fjsp", path)
    num_modes = sum(len(op.modes) for _, _, op in data.operations())
    average = num_modes / max(data.num_operations, 1)
    rows = [f"{data.num_jobs} {data.num_machines} {average:.2f}"]
    for job in data.jobs:
        parts = [str(len(job.operations))]
        for op in job.operations:
            parts.append(str(len(op.modes)))
            parts.extend(f"{mode.machine + 1} {mode.duration}" for mode in op.modes)
        rows.append(" ".join(parts))
    return "\n".join(rows) + "\n"


def write_fjsp(data: ProblemData, path: PathLike) -> None:
    """Write ``data`` to ``path`` in the FJSPLIB format (see :func:`format_fjsp`)."""
    Path(path).write_text(format_fjsp(data, str(path)), encoding="utf-8")
