"""The native lot-sizing format: a JSON document, with demand optionally in a long CSV table, and the
plan CSV (``item,period,produce,setup,inventory,backlog,safety_stock,lost``).

JSON document::

    {"name": "plant-1",
     "resources": [{"name": "press", "capacity": [80, 80, 60], "overtime": 10, "overtime_cost": 30}],
     "items": [{"name": "A", "demand": [40, 0, 70], "holding_cost": 1, "setup_cost": 100,
                "setup_time": 5, "unit_time": 1, "resource": "press", "initial_inventory": 0,
                "min_lot": 0, "lot_multiple": 0, "safety_stock": [0, 5, 5], "max_inventory": null,
                "backlog_penalty": 50, "safety_stock_penalty": null, "production_cost": 0,
                "lost_sales_penalty": null}],
     "bom": [{"parent": "A", "component": "B", "quantity": 2, "lead_time": 1}],
     "max_total_inventory": null,
     "demand_csv": "demand.csv"}

``capacity``, ``overtime`` and ``safety_stock`` take a list (one value per period) or one number for all
periods. ``backlog_penalty`` (unmet demand delivered later) and ``lost_sales_penalty`` (unmet demand
lost, per unit) are alternatives; null forbids it. ``resource`` is a resource name or index, or null for a bought item. ``demand_csv`` (relative
to the JSON file) is a table ``item,period,demand`` (0-based periods) that fills in the demand of items
that give none.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.inventory.plan import Plan, as_flags, as_grid
from planner.inventory.problem_data import BomEntry, Item, LotSizingData, Resource

PLAN_HEADER = ("item", "period", "produce", "setup", "inventory", "backlog", "safety_stock")
"""The leading columns every plan CSV has; a ``lost`` column (demand lost) follows them."""

_ITEM_NUMBERS = (
    "holding_cost",
    "setup_cost",
    "setup_time",
    "unit_time",
    "initial_inventory",
    "min_lot",
    "lot_multiple",
    "production_cost",
)
_ITEM_OPTIONAL = ("max_inventory", "backlog_penalty", "safety_stock_penalty", "lost_sales_penalty")


def _series(value: Any, num_periods: int, where: str, path: str) -> tuple[float, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value),) * num_periods
    if isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    raise FormatError(path, None, f"{where} must be a number or a list of numbers, got {value!r}")


def _num(obj: dict[str, Any], key: str, where: str, path: str, default: float | None) -> float | None:
    v = obj.get(key, default)
    if v is None:
        return None
    if not isinstance(v, int | float) or isinstance(v, bool):
        raise FormatError(path, None, f"{where}.{key} must be a number, got {v!r}")
    return float(v)


def read_demand_csv(path: str | os.PathLike[str]) -> dict[str, dict[int, float]]:
    """Read a long demand table ``item,period,demand`` into ``{item: {period: demand}}``.

    Raises
    ------
    FormatError
        On a missing column, a non-numeric value or a negative period.
    """
    p = str(path)
    out: dict[str, dict[int, float]] = {}
    try:
        with open(p, newline="") as f:
            reader = csv.DictReader(f)
            missing = {"item", "period", "demand"} - set(reader.fieldnames or ())
            if missing:
                raise FormatError(
                    p, 1, f"missing column(s) {', '.join(sorted(missing))}; need item,period,demand"
                )
            for row in reader:
                line = reader.line_num
                try:
                    period = int(row["period"])
                    qty = float(row["demand"])
                except (TypeError, ValueError):
                    raise FormatError(
                        p, line, f"period must be an integer and demand a number: {row}"
                    ) from None
                if period < 0:
                    raise FormatError(p, line, f"period must be >= 0, got {period}")
                out.setdefault(row["item"], {})[period] = out.get(row["item"], {}).get(period, 0.0) + qty
    except OSError as exc:
        raise FormatError(p, None, f"cannot read the file: {exc}") from None
    return out


def read_lotsizing_json(path: str | os.PathLike[str], name: str | None = None) -> LotSizingData:
    """Read a native JSON lot-sizing instance.

    Raises
    ------
    FormatError
        On invalid JSON or a wrong type; the problem's own rules are reported with every field named.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except OSError as exc:
        raise FormatError(str(p), None, f"cannot read the file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(str(p), exc.lineno, f"invalid JSON: {exc.msg}") from None
    return lotsizing_from_dict(doc, str(p), name if name is not None else doc.get("name") or p.stem, p.parent)


def lotsizing_from_dict(
    doc: Any, path: str = "<dict>", name: str = "", base_dir: Path | None = None
) -> LotSizingData:
    """Build problem data from a parsed JSON document; see :func:`read_lotsizing_json`."""
    if not isinstance(doc, dict):
        raise FormatError(path, None, "the document must be a JSON object")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise FormatError(path, None, "'items' must be a non-empty list")
    csv_demand: dict[str, dict[int, float]] = {}
    if doc.get("demand_csv"):
        csv_path = (base_dir or Path(".")) / str(doc["demand_csv"])
        csv_demand = read_demand_csv(csv_path)
    # Number of periods: from the first explicit demand list or from the CSV.
    num_periods = doc.get("periods")
    if num_periods is None:
        for it in raw_items:
            if isinstance(it, dict) and isinstance(it.get("demand"), list):
                num_periods = len(it["demand"])
                break
    if num_periods is None and csv_demand:
        num_periods = 1 + max(max(d) for d in csv_demand.values())
    if not isinstance(num_periods, int) or num_periods < 1:
        raise FormatError(path, None, f"cannot tell the number of periods ('periods' = {num_periods!r})")
    raw_res = doc.get("resources", [])
    if not isinstance(raw_res, list):
        raise FormatError(path, None, "'resources' must be a list")
    resources = []
    res_idx: dict[str, int] = {}
    violations: list[FieldViolation] = []
    for r, obj in enumerate(raw_res):
        where = f"resources[{r}]"
        if not isinstance(obj, dict):
            raise FormatError(path, None, f"{where} must be an object")
        rname = str(obj.get("name", f"resource{r}"))
        res_idx[rname] = r
        try:
            resources.append(
                Resource(
                    rname,
                    _series(obj.get("capacity"), num_periods, f"{where}.capacity", path),
                    _series(obj.get("overtime", 0.0), num_periods, f"{where}.overtime", path),
                    _num(obj, "overtime_cost", where, path, 0.0) or 0.0,
                )
            )
        except ValidationError as exc:
            violations.extend(exc.violations)
    items = []
    item_idx: dict[str, int] = {}
    for i, obj in enumerate(raw_items):
        where = f"items[{i}]"
        if not isinstance(obj, dict):
            raise FormatError(path, None, f"{where} must be an object")
        iname = str(obj.get("name", f"item{i}"))
        item_idx[iname] = i
        if "demand" in obj:
            demand = _series(obj["demand"], num_periods, f"{where}.demand", path)
        elif iname in csv_demand:
            by_period = csv_demand[iname]
            if max(by_period) >= num_periods:
                raise FormatError(
                    path, None, f"demand CSV has period {max(by_period)} for {iname!r}; only {num_periods}"
                )
            demand = tuple(by_period.get(t, 0.0) for t in range(num_periods))
        else:
            demand = (0.0,) * num_periods
        resource: Any = obj.get("resource", 0 if resources else None)
        if isinstance(resource, str):
            if resource not in res_idx:
                raise FormatError(path, None, f"{where}.resource names unknown resource {resource!r}")
            resource = res_idx[resource]
        elif resource is not None and (not isinstance(resource, int) or isinstance(resource, bool)):
            raise FormatError(
                path, None, f"{where}.resource must be a name, an index or null, got {resource!r}"
            )
        kwargs: dict[str, Any] = {k: _num(obj, k, where, path, 0.0) for k in _ITEM_NUMBERS}
        kwargs.update({k: _num(obj, k, where, path, None) for k in _ITEM_OPTIONAL})
        ss = obj.get("safety_stock")
        safety = _series(ss, num_periods, f"{where}.safety_stock", path) if ss is not None else ()
        try:
            items.append(Item(iname, demand, resource=resource, safety_stock=safety, **kwargs))
        except ValidationError as exc:
            violations.extend(
                FieldViolation(f"{where}.{v.field.split('.', 1)[-1]}", v.description) for v in exc.violations
            )
    bom = []
    for k, obj in enumerate(doc.get("bom", []) or []):
        where = f"bom[{k}]"
        if not isinstance(obj, dict):
            raise FormatError(path, None, f"{where} must be an object")
        ends: list[int] = []
        for key in ("parent", "component"):
            v = obj.get(key)
            if isinstance(v, str):
                if v not in item_idx:
                    raise FormatError(path, None, f"{where}.{key} names unknown item {v!r}")
                v = item_idx[v]
            if not isinstance(v, int) or isinstance(v, bool):
                raise FormatError(path, None, f"{where}.{key} must be an item name or index, got {v!r}")
            ends.append(v)
        try:
            bom.append(BomEntry(ends[0], ends[1], obj.get("quantity", 1.0), obj.get("lead_time", 0)))
        except ValidationError as exc:
            violations.extend(
                FieldViolation(f"{where}.{v.field.split('.', 1)[-1]}", v.description) for v in exc.violations
            )
    if violations:
        raise ValidationError(violations)
    max_total = doc.get("max_total_inventory")
    return LotSizingData(tuple(items), tuple(resources), tuple(bom), max_total, name=name)


def lotsizing_to_dict(data: LotSizingData) -> dict[str, Any]:
    """The JSON document of a problem (inverse of :func:`lotsizing_from_dict`)."""
    return {
        "name": data.name,
        "periods": data.num_periods,
        "resources": [
            {
                "name": r.name,
                "capacity": list(r.capacity),
                "overtime": list(r.overtime) or 0.0,
                "overtime_cost": r.overtime_cost,
            }
            for r in data.resources
        ],
        "items": [
            {
                "name": it.name,
                "demand": list(it.demand),
                "resource": it.resource,
                "safety_stock": list(it.safety_stock) or None,
                **{k: getattr(it, k) for k in _ITEM_NUMBERS + _ITEM_OPTIONAL},
            }
            for it in data.items
        ],
        "bom": [
            {"parent": e.parent, "component": e.component, "quantity": e.quantity, "lead_time": e.lead_time}
            for e in data.bom
        ],
        "max_total_inventory": data.max_total_inventory,
    }


def write_lotsizing_json(data: LotSizingData, path: str | os.PathLike[str]) -> None:
    """Write a problem as a native JSON document."""
    Path(path).write_text(json.dumps(lotsizing_to_dict(data), indent=1) + "\n")


def read_lotsizing(path: str | os.PathLike[str]) -> LotSizingData:
    """Read an instance by its extension: ``.json`` native, anything else (``.DAT``) Trigeiro.

    Raises
    ------
    FormatError
        When the file is malformed.
    """
    if str(path).lower().endswith(".json"):
        return read_lotsizing_json(path)
    from planner.formats.trigeiro import read_trigeiro

    return read_trigeiro(path)


def _fmt(v: float) -> str:
    if math.isfinite(v) and v == int(v):
        return str(int(v))
    return repr(round(v, 9))


def plan_rows(data: LotSizingData, plan: Plan) -> Iterable[list[str]]:
    """Rows of the plan CSV, item by item in file order, periods in order."""
    for i, item in enumerate(data.items):
        for t in range(data.num_periods):
            yield [
                str(i),
                str(t),
                _fmt(plan.produce[i][t]),
                str(plan.setup[i][t]),
                _fmt(plan.inventory[i][t]),
                _fmt(plan.backlog[i][t]),
                _fmt(item.safety_stock_at(t)),
                _fmt(plan.lost_at(i, t)),
            ]


def write_plan_csv(data: LotSizingData, plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write ``item,period,produce,setup,inventory,backlog,safety_stock,lost`` (0-based indices, setup
    0/1)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow((*PLAN_HEADER, "lost"))
        w.writerows(plan_rows(data, plan))


def read_plan_csv(data: LotSizingData, path: str | os.PathLike[str]) -> Plan:
    """Read a plan CSV written by :func:`write_plan_csv` (overtime is recomputed by the caller if needed;
    a file without the ``lost`` column loses no demand).

    Raises
    ------
    FormatError
        On a wrong header, a bad number or an index outside the problem.
    """
    p = str(path)
    n, num_periods = data.num_items, data.num_periods
    keys = ("produce", "setup", "inventory", "backlog", "lost")
    grids = {k: [[0.0] * num_periods for _ in range(n)] for k in keys}
    with open(p, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or tuple(header[: len(PLAN_HEADER)]) != PLAN_HEADER:
            raise FormatError(p, 1, f"header must be {','.join(PLAN_HEADER)}, got {header}")
        lost_col = header.index("lost") if "lost" in header else None
        has_lost = False
        for row in reader:
            try:
                i, t = int(row[0]), int(row[1])
                vals = [float(v) for v in row[2:6]]
                vals.append(float(row[lost_col] or 0.0) if lost_col is not None else 0.0)
            except (ValueError, IndexError):
                raise FormatError(p, reader.line_num, f"expected integers and numbers, got {row}") from None
            if not (0 <= i < n and 0 <= t < num_periods):
                raise FormatError(
                    p, reader.line_num, f"item {i} / period {t} outside {n} items x {num_periods} periods"
                )
            for key, v in zip(keys, vals, strict=True):
                grids[key][i][t] = v
            has_lost = has_lost or vals[-1] != 0.0
    return Plan(
        as_grid(grids["produce"]),
        as_flags(grids["setup"]),
        as_grid(grids["inventory"]),
        as_grid(grids["backlog"]),
        lost=as_grid(grids["lost"]) if has_lost else (),
    )
