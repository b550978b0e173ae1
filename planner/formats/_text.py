"""Helpers shared by the plain-text readers: reading files, splitting lines, parsing numbers.

Every problem becomes a :class:`~planner.exceptions.FormatError` that names the file, the 1-based line
and what was expected, never a raw ``ValueError`` or ``IndexError``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.scheduling.problem_data import prefixed

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Line:
    """A line with content: its 1-based number in the file and its whitespace-separated tokens."""

    number: int
    tokens: tuple[str, ...]


def read_text(path: PathLike) -> str:
    """Return the text of ``path`` (UTF-8, a BOM is dropped).

    Raises
    ------
    FormatError
        When the file does not exist, cannot be read or is not UTF-8 text.
    """
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FormatError(str(path), None, "no such file") from None
    except IsADirectoryError:
        raise FormatError(str(path), None, "is a directory, not an instance file") from None
    except UnicodeDecodeError as exc:
        raise FormatError(str(path), None, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise FormatError(str(path), None, f"cannot read the file: {exc.strerror or exc}") from None


def decode(text: str | bytes, path: str) -> str:
    """Return ``text`` as a string, decoding bytes as UTF-8."""
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(path, None, f"not UTF-8 text (byte {exc.start})") from None
    return text


def content_lines(text: str) -> list[Line]:
    """Split ``text`` into lines with content; blank lines and lines starting with ``#`` are skipped."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lines.append(Line(number, tuple(stripped.split())))
    return lines


def is_number(token: str) -> bool:
    """Whether ``token`` reads as a number (integer or decimal)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def to_int(token: str, path: str, line: int) -> int:
    """Parse one integer token, or raise a FormatError naming the line."""
    try:
        return int(token)
    except ValueError:
        pass
    if is_number(token):
        raise FormatError(path, line, f"expected an integer, got {token!r}")
    raise FormatError(path, line, f"not a number: {token!r}")


def ints(line: Line, path: str) -> list[int]:
    """Parse every token of ``line`` as an integer."""
    return [to_int(token, path, line.number) for token in line.tokens]


def end_line(lines: list[Line], fallback: int) -> int:
    """Number of the line just after the last line with content (where a truncated file 'ends')."""
    return (lines[-1].number if lines else fallback) + 1


def check_size(value: int, what: str, path: str, line: int) -> None:
    """A header count must be >= 1."""
    if value < 1:
        raise FormatError(path, line, f"header: {what} must be >= 1, got {value}")


def prefix_violations(error: ValidationError, prefix: str, line: int | None) -> list[FieldViolation]:
    """The violations of ``error`` with ``prefix`` on their field paths and the line in their text."""
    where = f" (line {line})" if line is not None else ""
    return [FieldViolation(v.field, v.description + where) for v in prefixed(error, prefix)]


def plain_check(data: object, format_name: str, path: str) -> None:
    """Raise a FormatError when ``data`` holds more than a plain (flexible) job shop format can store.

    The text formats hold machines, operations and their modes' durations; names are dropped silently
    (the instance name is the file stem), anything else would be lost and is refused.
    """
    from planner.scheduling.problem_data import Objective, ProblemData

    assert isinstance(data, ProblemData)
    problems = []
    if data.num_families != 1 or data.family_names:
        problems.append("product families")
    if data.objective != Objective():
        problems.append(f"objective {data.objective.terms()}")
    for m_idx, machine in enumerate(data.machines):
        if machine.unavailable:
            problems.append(f"unavailable windows on machine {m_idx}")
        if machine.setup_times is not None or machine.initial_family is not None:
            problems.append(f"setup times on machine {m_idx}")
    for j_idx, job in enumerate(data.jobs):
        if job.release or job.due is not None or job.weight != 1 or job.family:
            problems.append(f"release, due date, weight or family of job {j_idx}")
        for o_idx, op in enumerate(job.operations):
            if op.pinned:
                problems.append(f"pinned operation {o_idx} of job {j_idx}")
            if any(mode.power for mode in op.modes):
                problems.append(f"power of operation {o_idx} of job {j_idx}")
    if not data.jobs:
        problems.append("no jobs (the format needs at least one)")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise FormatError(path, None, f"the {format_name} format cannot hold: {shown}")
