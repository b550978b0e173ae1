"""KPIs of a whole plan, recomputed from the plan itself (energy figures from the scheduler's checker).

Definitions (times in the plan's time unit):

- ``otif_pct`` -- on time in full: share of scheduled orders with a due time whose every operation is
  scheduled (in full) and whose last operation ends by the due time (on time), in percent.
- ``total_tardiness``, ``max_tardiness`` -- ``max(0, end - due)`` summed and at most, over those orders.
- ``makespan`` -- the latest end of any operation.
- ``utilisation`` -- per machine, processing time (operation durations, pauses excluded) divided by the
  makespan; ``utilisation_mean`` over all machines of the plan.
- ``setup_time`` -- changeover time summed over operations.
- ``inventory_value_mean``, ``inventory_value_end`` -- end-of-period stock times unit value, averaged over
  the lot-sizing periods and in the last period.
- ``backlog_end`` -- units of demand still open at the end of the last period; ``backlog_unit_periods`` --
  backlog summed over periods (units x periods late).
- ``energy_kwh``, ``energy_cost``, ``peak_power_kw``, ``co2_kg`` -- from the checker's KPIs of the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.planning.plan import Plan

__all__ = ["energy_saving", "plan_kpis"]

ENERGY_FIELDS = (
    ("energy_kwh", "energy_kwh"),
    ("energy_cost", "energy_cost"),
    ("peak_power", "peak_power_kw"),
    ("co2_kg", "co2_kg"),
)


def plan_kpis(
    plan: Plan, *, unit_values: Mapping[str, float] | None = None, schedule_kpis: Any = None
) -> dict[str, Any]:
    """Key figures of ``plan`` (see the module docstring for the definitions).

    Parameters
    ----------
    plan
        The plan.
    unit_values
        Value of one unit per item id (for the inventory value; missing items count 0).
    schedule_kpis
        The scheduler checker's :class:`~planner.scheduling.KPIs` of the plan's schedule (for the energy
        figures), or None.

    Returns
    -------
    dict
        JSON-ready KPIs.
    """
    unit_values = unit_values or {}
    scheduled = [o for o in plan.orders if o.operations]
    with_due = [o for o in scheduled if o.due is not None]
    tardiness = [max(0, (o.end or 0) - o.due) for o in with_due]  # type: ignore[operator]
    on_time = sum(1 for o, late in zip(with_due, tardiness, strict=True) if late == 0 and _in_full(o))
    ops = [op for o in scheduled for op in o.operations]
    makespan = max((op.end for op in ops), default=0)
    busy: dict[str, int] = {m.id: 0 for m in plan.machines}
    for op in ops:
        busy[op.machine] = busy.get(op.machine, 0) + int(op.duration or 0)
    utilisation = {m: (b / makespan if makespan else 0.0) for m, b in busy.items()}
    periods = sorted({row.period for row in plan.inventory})
    value_by_period = {t: 0.0 for t in periods}
    backlog_unit_periods = 0.0
    for row in plan.inventory:
        value_by_period[row.period] += row.inventory * unit_values.get(row.item, 0.0)
        backlog_unit_periods += row.backlog
    last = periods[-1] if periods else None
    kpis: dict[str, Any] = {
        "num_orders": len(plan.orders),
        "num_orders_with_due": len(with_due),
        "otif_pct": round(100.0 * on_time / len(with_due), 2) if with_due else None,
        "num_late_orders": sum(1 for late in tardiness if late > 0),
        "total_tardiness": sum(tardiness),
        "max_tardiness": max(tardiness, default=0),
        "makespan": makespan,
        "utilisation": {m: round(u, 4) for m, u in utilisation.items()},
        "utilisation_mean": round(sum(utilisation.values()) / len(utilisation), 4) if utilisation else 0.0,
        "setup_time": sum(op.setup for op in ops),
        "inventory_value_mean": round(sum(value_by_period.values()) / len(periods), 2) if periods else 0.0,
        "inventory_value_end": round(value_by_period[last], 2) if last is not None else 0.0,
        "backlog_end": round(sum(r.backlog for r in plan.inventory if r.period == last), 4),
        "backlog_unit_periods": round(backlog_unit_periods, 4),
        "num_purchases": len(plan.purchases),
        "purchase_units": round(sum(p.quantity for p in plan.purchases), 4),
    }
    for src, name in ENERGY_FIELDS:
        value = getattr(schedule_kpis, src, None) if schedule_kpis is not None else None
        kpis[name] = round(float(value), 4) if value is not None else None
    return kpis


def _in_full(order: Any) -> bool:
    """Every operation of the order is scheduled (has a machine and a non-negative time span)."""
    return all(op.machine and op.end >= op.start for op in order.operations)


def energy_saving(aware: Any, blind: Any, makespan_tolerance: float | None) -> dict[str, Any]:
    """Energy-cost saving of the energy-aware schedule against the tariff-blind one.

    Parameters
    ----------
    aware, blind
        Checker KPIs of the two schedules (None when a solve found nothing).
    makespan_tolerance
        The saving is "at equal makespan" when the aware makespan is at most ``1 + tolerance`` times the
        blind one (``saving_within_tolerance``); the pipeline enforces it, so this only reports it. None: the
        makespan was not bounded (``saving_within_tolerance`` is then None).

    Returns
    -------
    dict
        ``blind_energy_cost``, ``energy_saving`` (money), ``energy_saving_pct``, ``blind_makespan``,
        ``makespan_ratio``, ``makespan_tolerance``, ``saving_within_tolerance``, ``blind_co2_kg``.
    """
    out: dict[str, Any] = {"makespan_tolerance": makespan_tolerance}
    if aware is None or blind is None:
        out["energy_saving"] = None
        return out
    cost_a, cost_b = float(aware.energy_cost), float(blind.energy_cost)
    out["blind_energy_cost"] = round(cost_b, 4)
    out["blind_co2_kg"] = round(float(blind.co2_kg), 4)
    out["blind_makespan"] = blind.makespan
    out["energy_saving"] = round(cost_b - cost_a, 4)
    out["energy_saving_pct"] = round(100.0 * (cost_b - cost_a) / cost_b, 2) if cost_b > 0 else None
    ratio = aware.makespan / blind.makespan if blind.makespan else 1.0
    out["makespan_ratio"] = round(ratio, 4)
    out["saving_within_tolerance"] = (
        None if makespan_tolerance is None else bool(ratio <= 1.0 + makespan_tolerance + 1e-9)
    )
    return out
