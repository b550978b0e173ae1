"""Exceptions shared by the whole package.

Every error a user can cause derives from :class:`PlannerError`, so the command line and the service
can turn it into a clear message (or an INVALID_ARGUMENT status) without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class PlannerError(Exception):
    """Base class of all errors caused by input the user gave."""


@dataclass(frozen=True)
class FieldViolation:
    """One broken rule on one field.

    Parameters
    ----------
    field
        Path of the field, e.g. ``jobs[3].operations[1].modes[0].duration``.
    description
        What rule is broken, in words a planner understands.
    """

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}"


class ValidationError(PlannerError, ValueError):
    """Invalid problem data: carries every violation found, each with its field path."""

    def __init__(self, violations: list[FieldViolation] | FieldViolation | str, field: str = ""):
        if isinstance(violations, str):
            violations = [FieldViolation(field, violations)]
        elif isinstance(violations, FieldViolation):
            violations = [violations]
        self.violations: list[FieldViolation] = list(violations)
        shown = "; ".join(str(v) for v in self.violations[:10])
        more = len(self.violations) - 10
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(shown)


class FormatError(PlannerError, ValueError):
    """A malformed instance file: names the file, the line and what was expected."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
