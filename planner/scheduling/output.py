"""Schedule and result files: ``<name>.schedule.csv`` and ``<name>.result.json``.

The CSV has exactly the header ``job,operation,machine,start,end`` with 0-based indices in file order, one
row per operation sorted by job and operation; it is what ``../shared/tools/check_schedule.py`` reads.
The JSON holds :meth:`Result.summary` (with the energy KPIs: kWh, cost, peak kW, CO2) plus the instance
name, the placed maintenance when there is any, and whatever the caller adds (file, best-known bounds, solve
settings). Placed maintenance also goes to ``<name>.maintenance.csv`` with the header
``task,machine,start,end`` (0-based task index in the instance's order). The command line and the service
both write through this module.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.exceptions import FormatError
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import Result
from planner.scheduling.solution import Schedule, ScheduledMaintenance, ScheduledOperation

logger = logging.getLogger(__name__)

SCHEDULE_COLUMNS = ("job", "operation", "machine", "start", "end")
MAINTENANCE_COLUMNS = ("task", "machine", "start", "end")


def write_schedule_csv(schedule: Schedule, path: str | Path) -> Path:
    """Write ``schedule`` as CSV with the header ``job,operation,machine,start,end``.

    Parameters
    ----------
    schedule
        The schedule; its rows are written sorted by job and operation.
    path
        Target file; its folder must exist.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    rows = sorted(schedule.operations, key=lambda op: (op.job, op.operation))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SCHEDULE_COLUMNS)
        for op in rows:
            writer.writerow((op.job, op.operation, op.machine, op.start, op.end))
    logger.debug("wrote %d operations to %s", len(rows), path)
    return path


def read_schedule_csv(path: str | Path) -> Schedule:
    """Read a schedule written by :func:`write_schedule_csv` (columns may come in any order).

    Parameters
    ----------
    path
        A CSV file with the columns ``job, operation, machine, start, end``.

    Returns
    -------
    Schedule
        The schedule.

    Raises
    ------
    FormatError
        When a column is missing, a value is not a non-negative integer, an operation appears twice or
        an end lies before its start; the message names the file and the line.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise FormatError(str(path), None, f"cannot read schedule: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in SCHEDULE_COLUMNS if c not in header]
        if missing:
            raise FormatError(
                str(path),
                1,
                f"expected the header {','.join(SCHEDULE_COLUMNS)}, missing {', '.join(missing)}",
            )
        reader.fieldnames = header
        operations: list[ScheduledOperation] = []
        seen: set[tuple[int, int]] = set()
        for row in reader:
            line = reader.line_num
            values: list[int] = []
            for column in SCHEDULE_COLUMNS:
                text = (row.get(column) or "").strip()
                try:
                    value = int(text)
                except ValueError:
                    raise FormatError(
                        str(path), line, f"column {column!r} must be an integer, got {text!r}"
                    ) from None
                if value < 0:
                    raise FormatError(str(path), line, f"column {column!r} must be >= 0, got {value}")
                values.append(value)
            job, operation, machine, start, end = values
            if end < start:
                raise FormatError(str(path), line, f"end {end} lies before start {start}")
            if (job, operation) in seen:
                raise FormatError(str(path), line, f"operation {operation} of job {job} appears twice")
            seen.add((job, operation))
            operations.append(ScheduledOperation(job, operation, machine, start, end))
    return Schedule(operations)


def write_maintenance_csv(schedule: Schedule, path: str | Path) -> Path:
    """Write the placed maintenance of ``schedule`` as CSV with the header ``task,machine,start,end``.

    Parameters
    ----------
    schedule
        The schedule; its maintenance rows are written sorted by task.
    path
        Target file; its folder must exist.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(MAINTENANCE_COLUMNS)
        for task in schedule.maintenance:
            writer.writerow((task.task, task.machine, task.start, task.end))
    logger.debug("wrote %d maintenance tasks to %s", len(schedule.maintenance), path)
    return path


def read_maintenance_csv(path: str | Path) -> list[ScheduledMaintenance]:
    """Read what :func:`write_maintenance_csv` writes.

    Raises
    ------
    FormatError
        When a column is missing or a value is not a non-negative integer (names the file and the line).
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise FormatError(str(path), None, f"cannot read maintenance: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in MAINTENANCE_COLUMNS if c not in header]
        if missing:
            raise FormatError(
                str(path),
                1,
                f"expected the header {','.join(MAINTENANCE_COLUMNS)}, missing {', '.join(missing)}",
            )
        reader.fieldnames = header
        out = []
        for row in reader:
            values = []
            for column in MAINTENANCE_COLUMNS:
                text = (row.get(column) or "").strip()
                if not text.isdigit():
                    raise FormatError(
                        str(path), reader.line_num, f"column {column!r} must be an integer >= 0, got {text!r}"
                    )
                values.append(int(text))
            out.append(ScheduledMaintenance(*values))
    return out


def _json_safe(value: Any) -> Any:
    """Replace non-finite floats (JSON has no inf/nan) by None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def result_document(
    result: Result, data: ProblemData, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON-ready document that :func:`write_result_json` writes.

    Parameters
    ----------
    result
        The solve result.
    data
        The problem that was solved (gives the instance name and size).
    extra
        More keys to add (e.g. ``file``, ``best_known``); they override the defaults.

    Returns
    -------
    dict
        ``instance``, ``num_jobs``, ``num_machines``, ``num_operations``, ``time_unit``, then
        :meth:`Result.summary`, then ``maintenance`` (when placed), then ``extra``.
    """
    document: dict[str, Any] = {
        "instance": data.name,
        "num_jobs": data.num_jobs,
        "num_machines": data.num_machines,
        "num_operations": data.num_operations,
        "time_unit": data.time_unit,
    }
    document.update(result.summary())
    if result.schedule is not None and result.schedule.maintenance:
        document["maintenance"] = [
            {
                "task": sm.task,
                "name": data.maintenance[sm.task].name if sm.task < len(data.maintenance) else "",
                "machine": sm.machine,
                "start": sm.start,
                "end": sm.end,
            }
            for sm in result.schedule.maintenance
        ]
    if extra:
        document.update(extra)
    return _json_safe(document)


def write_result_json(
    result: Result, data: ProblemData, path: str | Path, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write :func:`result_document` as indented JSON to ``path``.

    Parameters
    ----------
    result
        The solve result.
    data
        The problem that was solved.
    path
        Target file; its folder must exist.
    extra
        More keys to add to the document.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    document = result_document(result, data, extra)
    path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    logger.debug("wrote result of %s to %s", data.name, path)
    return path
