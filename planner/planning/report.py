"""Files of a plan directory: ``plan.json``, CSV tables, charts and a one-page HTML report.

:func:`write_plan_outputs` writes, into one folder:

- ``plan.json`` -- the plan contract (:class:`~planner.planning.plan.Plan`);
- ``orders.csv``, ``operations.csv``, ``inventory.csv``, ``purchases.csv``, ``maintenance.csv``,
  ``demand.csv`` (forecast per item and period with safety stock) and, with scenarios, ``scenarios.csv``;
- ``gantt.html`` (interactive, self-contained) and ``gantt.png`` with the energy-price and power strip,
  ``inventory.png``;
- ``schedule.instance.json``, ``schedule.json`` and ``plant.json`` -- what re-planning needs
  (:func:`~planner.planning.replan.write_schedule_files`);
- ``report.html`` -- one self-contained page (images embedded) with the KPIs a plant manager reads first,
  the stage times, the scenario comparison and the charts.

Every later version of the plan (a re-plan, recorded actuals, approved or released orders) redraws the
charts and the report through :func:`refresh_plan_folder`, so the folder always shows its current version;
the report says which version that is.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.planning.pipeline import PlanResult
    from planner.planning.plan import Plan
    from planner.planning.plant import Plant
    from planner.planning.scenarios import ScenarioComparison
    from planner.scheduling import ProblemData, Schedule

logger = logging.getLogger(__name__)

__all__ = ["KPI_LABELS", "kpi_rows", "refresh_plan_folder", "write_plan_outputs", "write_report_html"]

KPI_LABELS: tuple[tuple[str, str, str], ...] = (
    ("otif_pct", "On time in full", "%"),
    ("num_late_orders", "Late orders", ""),
    ("total_tardiness", "Total tardiness", "min"),
    ("max_tardiness", "Max tardiness", "min"),
    ("makespan", "Makespan", "min"),
    ("utilisation_mean", "Mean machine utilisation", "share"),
    ("setup_time", "Changeover time", "min"),
    ("inventory_value_mean", "Inventory value (mean)", "money"),
    ("inventory_value_end", "Inventory value (end)", "money"),
    ("backlog_end", "Backlog at horizon end", "units"),
    ("purchase_units", "Purchased units", "units"),
    ("energy_kwh", "Energy", "kWh"),
    ("energy_cost", "Energy cost", "money"),
    ("peak_power_kw", "Peak power", "kW"),
    ("co2_kg", "CO2", "kg"),
    ("blind_energy_cost", "Energy cost, tariff-blind schedule", "money"),
    ("energy_saving", "Energy-cost saving vs tariff-blind", "money"),
    ("energy_saving_pct", "Energy-cost saving vs tariff-blind (%)", "%"),
    ("makespan_ratio", "Makespan energy-aware / tariff-blind", "ratio"),
)
"""KPI key, label and unit, in the order reports show them."""


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def kpi_rows(kpis: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(label, value, unit)`` rows of the KPIs present in ``kpis``."""
    return [(label, _fmt(kpis.get(key)), unit) for key, label, unit in KPI_LABELS if key in kpis]


def _at(plan: Plan, t: int | None) -> str:
    if t is None:
        return ""
    return plan.datetime_at(t).isoformat(timespec="minutes")


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_tables(plan: Plan, out: Path) -> dict[str, Path]:
    """The plan's CSV tables (orders, operations, inventory, purchases, maintenance)."""
    files = {}
    orders = []
    for o in plan.orders:
        late = max(0, (o.end or 0) - o.due) if o.operations and o.due is not None else ""
        orders.append(
            [
                o.id,
                o.kind,
                o.item,
                o.quantity,
                "" if o.period is None else o.period + 1,
                o.due,
                _at(plan, o.due),
                _at(plan, o.start),
                _at(plan, o.end),
                ";".join(o.options),
                o.state,
                late,
            ]
        )
    files["orders"] = _write_csv(
        out / "orders.csv",
        [
            "order_id",
            "kind",
            "item",
            "quantity",
            "period",
            "due",
            "due_at",
            "start_at",
            "end_at",
            "options",
            "state",
            "late_by",
        ],
        orders,
    )
    ops = [
        [
            o.id,
            op.id,
            op.sequence,
            op.name,
            op.machine,
            op.start,
            op.end,
            _at(plan, op.start),
            _at(plan, op.end),
            op.duration,
            op.setup,
            op.state,
        ]
        for o, op in plan.operations()
    ]
    ops.sort(key=lambda r: (r[4], r[5], r[1]))
    files["operations"] = _write_csv(
        out / "operations.csv",
        [
            "order_id",
            "operation_id",
            "sequence",
            "name",
            "machine",
            "start",
            "end",
            "start_at",
            "end_at",
            "duration",
            "setup",
            "state",
        ],
        ops,
    )
    files["inventory"] = _write_csv(
        out / "inventory.csv",
        ["item", "period", "period_start_at", "demand", "produce", "inventory", "safety_stock", "backlog"],
        [
            [
                r.item,
                r.period + 1,
                _at(plan, r.period_start),
                r.demand,
                r.produce,
                r.inventory,
                r.safety_stock,
                r.backlog,
            ]
            for r in plan.inventory
        ],
    )
    files["purchases"] = _write_csv(
        out / "purchases.csv",
        ["purchase_id", "item", "quantity", "order_by_at", "due_at", "period"],
        [
            [
                p.id,
                p.item,
                p.quantity,
                _at(plan, p.order_by),
                _at(plan, p.due),
                "" if p.period is None else p.period + 1,
            ]
            for p in plan.purchases
        ],
    )
    files["maintenance"] = _write_csv(
        out / "maintenance.csv",
        ["id", "name", "machine", "start", "end", "start_at", "end_at"],
        [
            [m.id, m.name, m.machine, m.start, m.end, _at(plan, m.start), _at(plan, m.end)]
            for m in plan.maintenance
        ],
    )
    return files


def _png_base64(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _write_gantt(
    out: Path,
    data: ProblemData,
    schedule: Schedule,
    title: str | None,
    files: dict[str, Path],
    images: dict[str, str],
) -> None:
    """``gantt.html`` and ``gantt.png`` of ``schedule`` in ``out``; the PNG also goes into ``images``."""
    from planner.plotting.plan_charts import plan_gantt_png_figure, write_plan_gantt_html

    files["gantt_html"] = write_plan_gantt_html(data, schedule, out / "gantt.html", title=title)
    figure = plan_gantt_png_figure(data, schedule, title=title)
    figure.savefig(str(out / "gantt.png"), dpi=130)
    files["gantt_png"] = out / "gantt.png"
    images["gantt"] = _png_base64(figure)


def _write_inventory_chart(
    out: Path, plan: Plan, plant: Plant | None, files: dict[str, Path], images: dict[str, str]
) -> None:
    """``inventory.png`` of ``plan`` (made products before bought parts) when it has an inventory plan."""
    if not plan.inventory:
        return
    from planner.plotting.plan_charts import inventory_png_figure

    items = None
    if plant is not None:
        items = [p.id for p in plant.products if not p.bought] + [p.id for p in plant.products if p.bought]
    figure = inventory_png_figure(plan, items)
    figure.savefig(str(out / "inventory.png"), dpi=130)
    files["inventory_png"] = out / "inventory.png"
    images["inventory"] = _png_base64(figure)


def write_plan_outputs(
    result: PlanResult, out: str | Path, comparison: ScenarioComparison | None = None
) -> dict[str, Path]:
    """Write the plan directory (see the module docstring); returns the files by kind."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {"plan": result.plan.write(out)}
    files.update(write_tables(result.plan, out))
    result.demand.to_csv(out / "demand.csv", index=False)
    files["demand"] = out / "demand.csv"
    images: dict[str, str] = {}
    schedule = result.schedule_result.schedule
    if schedule is not None:
        from planner.planning.replan import write_schedule_files

        files.update(write_schedule_files(out, result.problem, schedule, result.plan, plant=result.plant))
        _write_gantt(out, result.problem, schedule, None, files, images)
    _write_inventory_chart(out, result.plan, result.plant, files, images)
    if comparison is not None:
        from planner.planning.scenarios import COMPARED_KPIS

        table = comparison.table()
        files["scenarios"] = _write_csv(
            out / "scenarios.csv",
            ["scenario", *COMPARED_KPIS],
            [[row[k] for k in ("scenario", *COMPARED_KPIS)] for row in table],
        )
    files["report"] = write_report_html(result, out / "report.html", images, comparison)
    return files


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#666;font-size:13px} table{border-collapse:collapse;font-size:13px}
td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right} td:first-child,th:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.card .v{font-size:20px;font-weight:600} .card .l{font-size:12px;color:#666}
.warn{color:#b00} img{max-width:100%} .note{background:#fff7d6;padding:6px 10px;border-radius:4px}
"""


def write_report_html(
    result: PlanResult,
    path: str | Path,
    images: dict[str, str] | None = None,
    comparison: ScenarioComparison | None = None,
) -> Path:
    """One self-contained HTML page: headline KPIs, all KPIs, stage times, scenarios, charts."""
    path = Path(path)
    text = _report_page(
        result.plan,
        result.kpis,
        result.plant,
        images or {},
        comparison=comparison,
        warnings=result.lot_result.explanation,
        seconds=result.seconds,
    )
    path.write_text(text, encoding="utf-8")
    return path


def _report_page(
    plan: Plan,
    kpis: dict[str, Any],
    plant: Plant | None,
    images: dict[str, str],
    *,
    comparison: ScenarioComparison | None = None,
    warnings: Sequence[str] = (),
    seconds: dict[str, float] | None = None,
    note: str = "",
) -> str:
    """The HTML of the report of ``plan`` (``note``: a paragraph under the title, e.g. about the version)."""
    esc = html.escape
    if plant is not None:
        horizon = plant.horizon
        subtitle = (
            f"from {esc(horizon.at(0).strftime('%a %d %b %Y %H:%M %Z'))}, "
            f"{horizon.num_periods} periods of {horizon.period / 60:g} h; detailed schedule for the first "
            f"{horizon.schedule_minutes / 1440:g} days"
        )
    else:
        subtitle = f"from {esc(plan.time_origin)}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Plan {esc(plan.plant)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Plan for {esc(plan.plant)}</h1>",
        f"<div class='sub'>{subtitle}; version {plan.version}, made {esc(plan.created)}</div>",
    ]
    if note:
        parts.append(f"<p class='note'>{esc(note)}</p>")
    parts.append("<div class='cards'>")
    headline = [
        ("On time in full", _fmt(kpis.get("otif_pct")) + " %"),
        ("Makespan", f"{_fmt(kpis.get('makespan'))} min"),
        ("Inventory value", _fmt(kpis.get("inventory_value_mean"))),
        ("Backlog at end", f"{_fmt(kpis.get('backlog_end'))} units"),
        ("Energy cost", _fmt(kpis.get("energy_cost"))),
        ("CO2", f"{_fmt(kpis.get('co2_kg'))} kg"),
    ]
    if kpis.get("energy_saving") is not None:
        headline.append(
            (
                "Saved vs tariff-blind",
                f"{_fmt(kpis.get('energy_saving'))} ({_fmt(kpis.get('energy_saving_pct'))} %)",
            )
        )
    for label, value in headline:
        parts.append(
            f"<div class='card'><div class='v'>{esc(value)}</div><div class='l'>{esc(label)}</div></div>"
        )
    parts.append("</div>")
    status = kpis.get("schedule_status")
    if status not in ("optimal", "feasible"):
        parts.append(f"<p class='warn'>The detailed schedule was not found ({esc(str(status))}).</p>")
    for line in warnings:
        parts.append(f"<p class='warn'>{esc(line)}</p>")
    parts.append("<h2>Key figures</h2><table><tr><th>KPI</th><th>value</th><th>unit</th></tr>")
    for label, value, unit in kpi_rows(kpis):
        parts.append(f"<tr><td>{esc(label)}</td><td>{esc(value)}</td><td>{esc(unit)}</td></tr>")
    parts.append("</table>")
    if "makespan_tolerance" in kpis:
        tolerance = kpis["makespan_tolerance"]
        bound = (
            "its makespan was not bounded"
            if tolerance is None
            else f"it may end at most {tolerance * 100:g} % after it and be at most as much later on the due "
            f"dates (enforced); within it: {esc(_fmt(kpis.get('saving_within_tolerance')))}"
        )
        parts.append(
            "<p class='sub'>The energy-aware schedule is compared with the same jobs solved tariff-blind (energy "
            f"weight 0); {bound}.</p>"
        )
    parts.append("<h2>Stages</h2><table><tr><th>stage</th><th>seconds</th></tr>")
    for stage, stage_seconds in (seconds if seconds is not None else kpis.get("seconds", {})).items():
        parts.append(f"<tr><td>{esc(stage)}</td><td>{stage_seconds:.2f}</td></tr>")
    parts.append(
        f"</table><p class='sub'>{kpis.get('num_scheduled_orders', 0)} orders with {kpis.get('num_operations', 0)} "
        f"operations scheduled ({esc(str(status))}); lot sizing {esc(str(kpis.get('lot_sizing_status')))}.</p>"
    )
    if comparison is not None:
        from planner.planning.scenarios import COMPARED_KPIS

        labels = {key: label for key, label, _ in KPI_LABELS}
        parts.append("<h2>What-if scenarios</h2><table><tr><th>scenario</th>")
        parts += [f"<th>{esc(labels.get(k, k))}</th>" for k in COMPARED_KPIS]
        parts.append("</tr>")
        for row in comparison.table():
            parts.append(f"<tr><td>{esc(row['scenario'])}</td>")
            parts += [f"<td>{esc(_fmt(row[k]))}</td>" for k in COMPARED_KPIS]
            parts.append("</tr>")
        parts.append("</table>")
    if "gantt" in images:
        parts.append("<h2>Schedule, power use and electricity price</h2>")
        parts.append(f"<img alt='Gantt chart' src='data:image/png;base64,{images['gantt']}'>")
        parts.append("<p class='sub'>Interactive chart: gantt.html in the same folder.</p>")
    if "inventory" in images:
        parts.append("<h2>Inventory plan</h2>")
        parts.append(f"<img alt='inventory' src='data:image/png;base64,{images['inventory']}'>")
    late = [o for o in plan.orders if o.operations and o.due is not None and (o.end or 0) > o.due]
    if late:
        parts.append(
            "<h2>Late orders</h2><table><tr><th>order</th><th>item</th><th>due</th><th>end</th><th>late by (min)</th></tr>"
        )
        for o in late[:50]:
            parts.append(
                f"<tr><td>{esc(o.id)}</td><td>{esc(o.item)}</td><td>{esc(_at(plan, o.due))}</td>"
                f"<td>{esc(_at(plan, o.end))}</td><td>{(o.end or 0) - (o.due or 0)}</td></tr>"
            )
        parts.append("</table>")
    if plan.purchases:
        parts.append(
            "<h2>Purchases</h2><table><tr><th>item</th><th>quantity</th><th>order by</th><th>arrive by</th></tr>"
        )
        for p in plan.purchases[:50]:
            parts.append(
                f"<tr><td>{esc(p.item)}</td><td>{_fmt(p.quantity)}</td><td>{esc(_at(plan, p.order_by))}</td>"
                f"<td>{esc(_at(plan, p.due))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


TARIFF_BLIND_KPIS = (
    "blind_energy_cost",
    "blind_co2_kg",
    "blind_makespan",
    "energy_saving",
    "energy_saving_pct",
    "makespan_ratio",
    "makespan_tolerance",
    "saving_within_tolerance",
)
"""KPIs that compare the first version's schedule with its tariff-blind solve (not redone by a re-plan)."""


def _current_schedule(plan: Plan, data: ProblemData, stored: Schedule, doc: dict[str, Any]) -> Schedule:
    """The schedule of ``plan``'s own operation times on the stored problem (its placement where unknown).

    Recorded actuals without rescheduling move operations in the plan but not in the stored schedule, so the
    plan's times are the ones to draw.
    """
    from planner.scheduling import Schedule
    from planner.scheduling.solution import ScheduledMaintenance, ScheduledOperation

    by_id = {op.id: op for _, op in plan.operations()}
    machine_index = {data.machine_name(m): m for m in range(data.num_machines)}
    placed = stored.as_dict()
    ops = []
    for j_idx, job in enumerate(doc["jobs"]):
        for o_idx, row in enumerate(job["operations"]):
            op = by_id.get(row["id"])
            if op is None or op.machine not in machine_index:
                ops.append(placed[(j_idx, o_idx)])
            else:
                ops.append(ScheduledOperation(j_idx, o_idx, machine_index[op.machine], op.start, op.end))
    tasks = {m.id: m for m in plan.maintenance}
    maintenance = []
    for sm, row in zip(stored.maintenance, doc.get("maintenance", ()), strict=True):
        task = tasks.get(row.get("id") or "")
        if task is None or task.machine not in machine_index:
            maintenance.append(sm)
        else:
            maintenance.append(
                ScheduledMaintenance(sm.task, machine_index[task.machine], task.start, task.end)
            )
    return Schedule(ops, maintenance)


def refresh_plan_folder(directory: str | Path) -> dict[str, Path]:
    """Rewrite the tables, charts and report of a plan folder for the plan's current version.

    A folder of ``planner plan`` keeps its CSV tables (when it has them), Gantt chart, inventory chart and
    report (when it has one) in step with ``plan.json`` after a re-plan, recorded actuals or order changes:
    the Gantt chart is
    drawn from the current version's operation times on the stored scheduling problem, and the report
    names the version, when it was made and from which version. KPIs that compare with a tariff-blind
    solve are those of the first version only, so the report leaves them out of later versions and says so.
    Other folders are left alone.

    Returns
    -------
    dict
        The files rewritten by kind (empty for a folder without tables or report).
    """
    from planner.exceptions import ValidationError
    from planner.planning.replan import PLANT_FILE, load_schedule_files
    from planner.planning.versions import PlanStore

    out = Path(directory)
    if not (out / "operations.csv").exists() and not (out / "report.html").exists():
        return {}
    plan = PlanStore(out).current()
    files: dict[str, Path] = {}
    if (out / "operations.csv").exists():
        files.update(write_tables(plan, out))
    if not (out / "report.html").exists():
        return files
    plant = None
    if (out / PLANT_FILE).exists():
        from planner.planning.plant import read_plant

        plant = read_plant(out / PLANT_FILE)
    images: dict[str, str] = {}
    try:
        data, stored, doc = load_schedule_files(out)
    except ValidationError:
        data = None
    if data is not None:
        schedule = _current_schedule(plan, data, stored, doc)
        title = (
            f"{data.name or 'plan'} v{plan.version}: makespan {schedule.makespan} {data.time_unit}".strip()
        )
        _write_gantt(out, data, schedule, title, files, images)
    _write_inventory_chart(out, plan, plant, files, images)
    kpis = dict(plan.kpis)
    note = f"Version {plan.version} of the plan"
    if plan.previous_version is not None:
        note += f", made from version {plan.previous_version}"
    replanned = kpis.get("replan")
    if isinstance(replanned, dict) and "now" in replanned:
        note += (
            f"; last re-planned at {_at(plan, replanned['now'])} ({replanned.get('num_moved', 0)} operations "
            "moved)"
        )
    scheduled = [o for o in plan.orders if o.operations]
    kpis["num_scheduled_orders"] = len(scheduled)
    kpis["num_operations"] = sum(len(o.operations) for o in scheduled)
    if isinstance(replanned, dict) and replanned.get("status"):
        kpis["schedule_status"] = replanned["status"]
    if plan.version > 1 and any(k in kpis for k in TARIFF_BLIND_KPIS):
        for key in TARIFF_BLIND_KPIS:
            kpis.pop(key, None)
        note += "; the comparison with the tariff-blind schedule belongs to version 1 and is not shown"
    if plan.version > 1:
        note += "; the stage times are those of version 1's planning run"
        if (out / "scenarios.csv").exists():
            note += ", and scenarios.csv compares the scenarios of version 1"
    files["report"] = out / "report.html"
    files["report"].write_text(_report_page(plan, kpis, plant, images, note=note + "."), encoding="utf-8")
    return files
