"""What-if scenarios: the same plan with named changes to the plant or the demand, KPIs side by side.

A scenario file is JSON::

    {"scenarios": [
      {"name": "CNC-2 down", "changes": [{"type": "remove_machine", "machine": "CNC-2"}]},
      {"name": "Saturday shift", "changes": [{"type": "add_shift", "machines": ["PAINT"], "days": ["sat"],
                                             "shift": ["06:00", "14:00"]}]},
      {"name": "new laser", "changes": [{"type": "add_machine", "machine": {"id": "LASER-2"}, "like": "LASER-1"}]},
      {"name": "dear power", "changes": [{"type": "tariff", "scale": 1.5}, {"type": "power_limit", "peak_kw": 120}]},
      {"name": "+20% frames", "changes": [{"type": "scale_demand", "products": ["FRAME"], "factor": 1.2}]}
    ]}

Change types:

- ``remove_machine`` -- the machine leaves the plant, every routing step (and option) and changeover; a
  routing step left without a machine is an error, an option that needs the machine is withdrawn (orders
  choosing it are then rejected).
- ``add_machine`` -- a machine document (as in the plant file); with ``like``, it can do every step the
  ``like`` machine can, at the same times and power, and shares its changeover matrix.
- ``add_shift`` / ``overtime`` -- an extra shift ``[from, to]`` on some weekdays (``days``, default every day)
  for some machines (default every machine with a shift pattern); machines open around the clock stay so.
- ``tariff`` -- ``scale`` multiplies the electricity price, or ``price`` replaces its profile; ``co2`` the same
  for the CO2 intensity (``co2_scale``).
- ``power_limit`` -- a new plant peak-power limit in kW (``null``: no limit).
- ``scale_demand`` -- multiplies the base forecast (point and quantiles) of ``products`` (default all) by
  ``factor``; the forecast is not run again.
- ``makespan_tolerance`` -- how much longer than the tariff-blind schedule the energy-aware one may be in
  this scenario (``tolerance``: a number >= 0, or ``null`` for no bound; see
  :attr:`~planner.planning.pipeline.PlanSettings.makespan_tolerance`), e.g. "what does 20 % longer buy?".

:func:`compare_scenarios` plans the base and every scenario and returns their KPIs in one table.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, ValidationError
from planner.planning.plant import WEEKDAYS, Plant, plant_from_dict

if TYPE_CHECKING:
    import pandas as pd

    from planner.planning.pipeline import CustomerOrder, PlanResult, PlanSettings

logger = logging.getLogger(__name__)

__all__ = [
    "CHANGE_TYPES",
    "COMPARED_KPIS",
    "Scenario",
    "ScenarioComparison",
    "apply_scenario",
    "compare_scenarios",
    "read_scenarios",
    "scenario_settings",
    "scenarios_from_dict",
]

CHANGE_TYPES = (
    "remove_machine",
    "add_machine",
    "add_shift",
    "overtime",
    "tariff",
    "power_limit",
    "scale_demand",
    "makespan_tolerance",
)

COMPARED_KPIS = (
    "otif_pct",
    "total_tardiness",
    "makespan",
    "utilisation_mean",
    "setup_time",
    "inventory_value_mean",
    "backlog_end",
    "energy_kwh",
    "energy_cost",
    "peak_power_kw",
    "co2_kg",
)
"""The KPIs :class:`ScenarioComparison.table` shows, in order."""


@dataclass(frozen=True)
class Scenario:
    """A named list of changes (each a JSON object with a ``type`` of :data:`CHANGE_TYPES`)."""

    name: str
    changes: tuple[Mapping[str, Any], ...] = ()
    description: str = ""


@dataclass
class ScenarioComparison:
    """Results of the base plan and each scenario, by name (the base first, named ``"base"``)."""

    results: dict[str, PlanResult] = field(default_factory=dict)

    def table(self, kpis: Sequence[str] = COMPARED_KPIS) -> list[dict[str, Any]]:
        """One row per scenario: its name and the KPIs."""
        return [{"scenario": name, **{k: r.kpis.get(k) for k in kpis}} for name, r in self.results.items()]


def read_scenarios(path: str | Path) -> tuple[Scenario, ...]:
    """Read a scenario file (see the module docstring).

    Raises
    ------
    ValidationError
        Naming the JSON path of every problem.
    """
    path = Path(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", "scenario") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})", "scenario") from None
    return scenarios_from_dict(doc)


_REQUIRED = {
    "remove_machine": ("machine",),
    "add_machine": ("machine",),
    "add_shift": ("shift",),
    "overtime": ("shift",),
    "tariff": (),
    "power_limit": ("peak_kw",),
    "scale_demand": ("factor",),
    "makespan_tolerance": ("tolerance",),
}


def scenarios_from_dict(doc: Any) -> tuple[Scenario, ...]:
    """Scenarios from a parsed scenario document."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("scenarios"), list):
        raise ValidationError("a scenario file is an object with a list 'scenarios'", "scenarios")
    errors: list[FieldViolation] = []
    out = []
    names: set[str] = set()
    for idx, s in enumerate(doc["scenarios"]):
        where = f"scenarios[{idx}]"
        if not isinstance(s, Mapping) or not isinstance(s.get("name"), str) or not s["name"]:
            errors.append(FieldViolation(f"{where}.name", "every scenario needs a name"))
            continue
        if s["name"] in names or s["name"] == "base":
            errors.append(FieldViolation(f"{where}.name", f"name {s['name']!r} is used twice or reserved"))
        names.add(s["name"])
        changes = s.get("changes", [])
        if not isinstance(changes, list):
            errors.append(FieldViolation(f"{where}.changes", "must be a list of changes"))
            continue
        for k, c in enumerate(changes):
            path = f"{where}.changes[{k}]"
            kind = c.get("type") if isinstance(c, Mapping) else None
            if kind not in CHANGE_TYPES:
                errors.append(
                    FieldViolation(f"{path}.type", f"unknown change {kind!r}; use one of {CHANGE_TYPES}")
                )
                continue
            for key in _REQUIRED[kind]:
                if key not in c:
                    errors.append(FieldViolation(f"{path}.{key}", f"a {kind} change needs {key!r}"))
            factor = c.get("factor")
            if (
                kind == "scale_demand"
                and "factor" in c
                and not (isinstance(factor, int | float) and factor >= 0)
            ):
                errors.append(
                    FieldViolation(f"{path}.factor", f"must be a number >= 0, got {c.get('factor')!r}")
                )
            tolerance = c.get("tolerance")
            if kind == "makespan_tolerance" and not (
                tolerance is None or (isinstance(tolerance, int | float) and tolerance >= 0)
            ):
                errors.append(
                    FieldViolation(f"{path}.tolerance", f"must be a number >= 0 or null, got {tolerance!r}")
                )
            if kind == "tariff" and not any(key in c for key in ("scale", "price", "co2", "co2_scale")):
                errors.append(FieldViolation(path, "a tariff change needs scale, price, co2 or co2_scale"))
        out.append(Scenario(s["name"], tuple(changes), str(s.get("description", ""))))
    if errors:
        raise ValidationError(errors)
    return tuple(out)


def _modes_lists(doc: dict[str, Any]) -> list[tuple[list[dict[str, Any]], dict[str, Any], str | None]]:
    """Every list of machine modes in the plant document: ``(modes, product, option name or None)``."""
    out: list[tuple[list[dict[str, Any]], dict[str, Any], str | None]] = []
    for p in doc["products"]:
        for step in p.get("routing", ()):
            out.append((step["machines"], p, None))
        for name, option in p.get("options", {}).items():
            for c in option.get("change", ()):
                if "machines" in c:
                    out.append((c["machines"], p, name))
            for a in option.get("add", ()):
                out.append((a["step"]["machines"], p, name))
    return out


def apply_scenario(
    plant: Plant, scenario: Scenario, demand: pd.DataFrame | None = None
) -> tuple[Plant, pd.DataFrame | None]:
    """The plant (and demand frame) with the scenario's changes applied.

    Raises
    ------
    ValidationError
        When a change refers to something the plant lacks or leaves a step without a machine; the field
        names the scenario and change (``scenario 'x'.changes[1]``).
    """
    doc = plant.to_dict()
    for k, change in enumerate(scenario.changes):
        where = f"scenario {scenario.name!r}.changes[{k}]"
        kind = change["type"]
        if kind == "scale_demand":
            if demand is not None:
                demand = _scale_demand(demand, change, plant, where)
            continue
        if kind == "makespan_tolerance":
            continue  # a change of the settings (scenario_settings), not of the plant
        try:
            _apply(doc, change, plant)
        except ValidationError as exc:
            raise ValidationError([FieldViolation(where, v.description) for v in exc.violations]) from None
    try:
        changed = plant_from_dict(doc)
    except ValidationError as exc:
        raise ValidationError(
            [FieldViolation(f"scenario {scenario.name!r}: {v.field}", v.description) for v in exc.violations]
        ) from None
    return changed, demand


def _apply(doc: dict[str, Any], change: Mapping[str, Any], plant: Plant) -> None:
    kind = change["type"]
    ids = [m["id"] for m in doc["machines"]]
    if kind == "remove_machine":
        mid = change["machine"]
        if mid not in ids:
            raise ValidationError(f"unknown machine {mid!r}", "machine")
        doc["machines"] = [m for m in doc["machines"] if m["id"] != mid]
        for modes, product, option in _modes_lists(doc):
            if not any(m["machine"] == mid for m in modes):
                continue
            if len(modes) > 1:
                modes[:] = [m for m in modes if m["machine"] != mid]
            elif option is None:
                raise ValidationError(
                    f"removing {mid!r} leaves a step of {product['id']!r} without a machine", "machine"
                )
            elif option in product.get("options", {}):
                # The option needs the machine: without it the option cannot be offered.
                logger.warning("without %s, product %s loses option %s", mid, product["id"], option)
                del product["options"][option]
        for c in doc.get("changeovers", ()):
            if "machines" in c:
                c["machines"] = [m for m in c["machines"] if m != mid]
                if not c["machines"]:
                    del c["machines"]
                    c.setdefault("group", "__none__")
        doc["changeovers"] = [c for c in doc.get("changeovers", ()) if c.get("group") != "__none__"]
        doc["maintenance"] = [t for t in doc.get("maintenance", ()) if t["machine"] != mid]
    elif kind == "add_machine":
        machine = copy.deepcopy(dict(change["machine"]))
        like = change.get("like")
        if like is not None and like not in ids:
            raise ValidationError(f"unknown machine {like!r}", "like")
        if like is not None:
            source = next(m for m in doc["machines"] if m["id"] == like)
            for key in ("group", "calendar", "idle_power", "initial_family"):
                if key in source and key not in machine:
                    machine[key] = copy.deepcopy(source[key])
            for modes, _, _ in _modes_lists(doc):
                for m in list(modes):
                    if m["machine"] == like:
                        modes.append({**m, "machine": machine.get("id")})
            for c in doc.get("changeovers", ()):
                if like in c.get("machines", ()):
                    c["machines"].append(machine.get("id"))
        doc["machines"].append(machine)
    elif kind in ("add_shift", "overtime"):
        days = change.get("days") or list(WEEKDAYS)
        bad = [d for d in days if d not in WEEKDAYS]
        if bad:
            raise ValidationError(f"unknown weekday {bad[0]!r}; use {WEEKDAYS}", "days")
        targets = change.get("machines") or ids
        for mid in targets:
            if mid not in ids:
                raise ValidationError(f"unknown machine {mid!r}", "machines")
        patterns = doc.get("shift_patterns", {})
        for m in doc["machines"]:
            shifts = m.get("calendar", {}).get("shifts")
            if m["id"] not in targets or shifts is None:
                continue
            week = copy.deepcopy(patterns[shifts]) if isinstance(shifts, str) else shifts
            for day in days:
                week.setdefault(day, []).append(list(change["shift"]))
            m["calendar"]["shifts"] = week
    elif kind == "tariff":
        energy = doc.get("energy")
        if energy is None:
            raise ValidationError("the plant has no energy section", "type")
        for key, scale_key in (("price", "scale"), ("co2", "co2_scale")):
            if key in change:
                energy[key] = copy.deepcopy(change[key])
            if scale_key in change and key in energy:
                energy[key]["scale"] = energy[key].get("scale", 1.0) * float(change[scale_key])
    elif kind == "power_limit":
        energy = doc.setdefault("energy", {})
        if change["peak_kw"] is None:
            energy.pop("peak_kw", None)
        else:
            energy["peak_kw"] = change["peak_kw"]


def _scale_demand(demand: pd.DataFrame, change: Mapping[str, Any], plant: Plant, where: str) -> pd.DataFrame:
    products = change.get("products") or [p.id for p in plant.products]
    known = {p.id for p in plant.products}
    for pid in products:
        if pid not in known:
            raise ValidationError(f"unknown product {pid!r}", f"{where}.products")
    factor = float(change["factor"])
    out = demand.copy()
    rows = out["item"].isin(products)
    columns = [
        c for c in out.columns if c == "demand" or (c.startswith("q") and c[1:].replace("_", "").isdigit())
    ]
    out.loc[rows, columns] = out.loc[rows, columns] * factor
    return out


def scenario_settings(settings: PlanSettings, scenario: Scenario) -> PlanSettings:
    """``settings`` with the scenario's ``makespan_tolerance`` change (the last one wins), if any."""
    for change in scenario.changes:
        if change["type"] == "makespan_tolerance":
            tolerance = change["tolerance"]
            settings = replace(settings, makespan_tolerance=None if tolerance is None else float(tolerance))
    return settings


def compare_scenarios(
    plant: Plant,
    history: pd.DataFrame | None,
    scenarios: Sequence[Scenario],
    orders: Sequence[CustomerOrder] = (),
    settings: PlanSettings | None = None,
    base: PlanResult | None = None,
) -> ScenarioComparison:
    """Plan the base and every scenario; the forecast runs once (on the base demand history).

    Scenarios report no energy-cost saving against tariff-blind scheduling; their tariff-blind solve runs
    only as the reference of a makespan tolerance (without one it is skipped, which halves their
    scheduling time).

    Parameters
    ----------
    plant, history, orders, settings
        As for :func:`~planner.planning.pipeline.make_plan`.
    scenarios
        The scenarios (:func:`read_scenarios`).
    base
        The base plan if already made (it is reused, not solved again).

    Returns
    -------
    ScenarioComparison
        ``results["base"]`` and one result per scenario name, in order.
    """
    from planner.planning.pipeline import PlanSettings, make_plan

    if base is None:
        base = make_plan(plant, history, orders, settings)
    out = ScenarioComparison({"base": base})
    # The side-by-side KPIs need no tariff-blind reference solve per scenario.
    settings = replace(settings or PlanSettings(), compare_tariff_blind=False)
    for scenario in scenarios:
        changed, demand = apply_scenario(plant, scenario, base.demand)
        logger.info("scenario %r: planning", scenario.name)
        out.results[scenario.name] = make_plan(
            changed,
            None,
            orders,
            scenario_settings(settings, scenario),
            demand=demand,
            forecast_result=base.forecast,
        )
    return out
