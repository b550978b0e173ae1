"""Plan directories in and out: export documents, record actuals, approve and release orders.

These are the operations the ``planner`` command (and later the service) offers on a plan directory; each
reads the current plan, and writes a new version only when everything it was given is valid.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from planner.interchange.b2mml import operations_schedule_document, work_schedule_document, write_document
from planner.interchange.errors import DocumentError
from planner.planning.lifecycle import Actual, Rescheduler, apply_actuals, approve, release
from planner.planning.plan import Plan
from planner.planning.report import refresh_plan_folder
from planner.planning.versions import PlanStore, diff_plans

logger = logging.getLogger(__name__)

FORMATS = ("b2mml-xml", "b2mml-json", "csv")


def export_plan(
    plan_dir: str | Path,
    fmt: str,
    out: str | Path,
    *,
    since: int | None = None,
    validate: bool = False,
    machines: Iterable[str] | None = None,
    created: str | None = None,
) -> list[Path]:
    """Write the current plan of ``plan_dir`` (or what changed since version ``since``) into ``out``.

    Parameters
    ----------
    plan_dir
        The plan directory.
    fmt
        One of :data:`FORMATS`.
    out
        Folder for the files.
    since
        Publish only the changes since this stored version: ``Change``/``Cancel`` documents (or
        ``changes.csv``) instead of ``Process`` documents (or the full flat files).
    validate
        Check every document against the B2MML schema before writing it.
    machines
        Limit the dispatch-level documents to these machines.
    created
        Creation time of the messages (ISO 8601; default now).

    Returns
    -------
    list of Path
        The files written (a Change or Cancel document with nothing to publish is not written).

    Raises
    ------
    DocumentError, ValidationError
        For an unknown format or version, or (with ``validate``) an invalid document; nothing is written.
    """
    if fmt not in FORMATS:
        raise DocumentError(str(plan_dir), "", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    store = PlanStore(plan_dir)
    plan = store.current()
    previous = store.load(since) if since is not None else None
    if fmt == "csv":
        from planner.interchange.flatfiles import write_changes_csv, write_csv

        if previous is None:
            return write_csv(plan, out)
        return [write_changes_csv(previous, plan, diff_plans(previous, plan), out)]
    docs: list[dict[str, Any]] = []
    if previous is None:
        docs.append(operations_schedule_document(plan, created=created))  # type: ignore[arg-type]
        docs.append(work_schedule_document(plan, machines=machines, created=created))  # type: ignore[arg-type]
    else:
        diff = diff_plans(previous, plan)
        for verb in ("Change", "Cancel"):
            for doc in (
                operations_schedule_document(plan, verb, previous=previous, diff=diff, created=created),
                work_schedule_document(
                    plan, verb, previous=previous, diff=diff, machines=machines, created=created
                ),
            ):
                if doc is not None:
                    docs.append(doc)
    kind = "xml" if fmt == "b2mml-xml" else "json"
    if validate:
        from planner.interchange.b2mml import document_name, to_xml
        from planner.interchange.validate import validate_json, validate_xml

        for doc in docs:  # all of them before writing any
            if kind == "xml":
                validate_xml(to_xml(doc), document_name(doc))
            else:
                validate_json(doc, document_name(doc))
    return [write_document(doc, out, kind) for doc in docs]


def _moment(text: str, plan: Plan) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DocumentError(
            "--now", "", f"not a date and time (ISO 8601) nor a plan time: {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise DocumentError("--now", "", f"{text!r} needs a UTC offset")
    return plan.time_of(moment)


def record_actuals(
    plan_dir: str | Path,
    source: str | Path | Mapping[str, Any],
    *,
    now: str | int | None = None,
    reschedule: Rescheduler | None = None,
) -> tuple[Plan, list[Actual]]:
    """Read actuals and store the plan they make as the next version of ``plan_dir``.

    Parameters
    ----------
    plan_dir
        The plan directory.
    source
        A performance document (XML or JSON), a CSV of actuals, or a B2MML-JSON document in memory.
    now
        The current time (ISO 8601 or plan time); default: the latest time the actuals report.
    reschedule
        Optional re-optimisation of the remaining work (see :func:`~planner.planning.lifecycle.apply_actuals`).

    Returns
    -------
    (Plan, list of Actual)
        The new version and the actuals it recorded.

    Raises
    ------
    DocumentError, ValidationError
        On bad input; then the plan directory is left as it was.
    """
    from planner.interchange.actuals import read_actuals

    store = PlanStore(plan_dir)
    plan = store.current()
    actuals = read_actuals(source, plan)
    if now is None:
        moment = max(max(a.start, a.end or a.start) for a in actuals)
    else:
        moment = now if isinstance(now, int) else _moment(now, plan)
    new = store.commit(apply_actuals(plan, actuals, moment, reschedule=reschedule))
    refresh_plan_folder(plan_dir)
    return new, actuals


def change_orders(plan_dir: str | Path, order_ids: Iterable[str], action: str) -> Plan:
    """Approve (``action="approve"``) or release (``"release"``) orders and store the next version."""
    store = PlanStore(plan_dir)
    plan = store.current()
    if action == "approve":
        new = approve(plan, order_ids)
    elif action == "release":
        new = release(plan, order_ids)
    else:
        raise ValueError(f"unknown action {action!r}")
    committed = store.commit(new)
    refresh_plan_folder(plan_dir)
    return committed
