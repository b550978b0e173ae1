"""The error every reader and writer of :mod:`planner.interchange` raises for a bad document."""

from __future__ import annotations

from planner.exceptions import PlannerError


class DocumentError(PlannerError, ValueError):
    """A malformed or inconsistent document: names the source, where in it (line or JSON path) and the rule.

    Parameters
    ----------
    source
        The file name (or ``"<document>"`` for data in memory).
    where
        ``"line 12, element SegmentResponse"`` for XML, a JSON path such as
        ``"$.DataArea.OperationsPerformance[0]"`` for JSON, ``"line 4, column actual_end"`` for CSV.
    message
        What is wrong.
    """

    def __init__(self, source: str, where: str, message: str):
        self.source = source
        self.where = where
        self.message = message
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")
