"""Data of a multi-item, multi-period capacitated lot-sizing problem (CLSP, optionally multi-level).

Periods are 0-based indices ``0 .. num_periods - 1``. Items and resources refer to each other by index;
names only serve messages and output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.exceptions import FieldViolation, ValidationError


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_nonneg(
    out: list[FieldViolation], path: str, value: float | None, allow_none: bool = False
) -> None:
    if value is None:
        if not allow_none:
            out.append(FieldViolation(path, "must be given"))
        return
    if not _finite(value):
        out.append(FieldViolation(path, f"must be a finite number, got {value!r}"))
    elif value < 0:
        out.append(FieldViolation(path, f"must be >= 0, got {value}"))


def _check_series(out: list[FieldViolation], path: str, values: Sequence[float]) -> None:
    for t, v in enumerate(values):
        _check_nonneg(out, f"{path}[{t}]", v)


@dataclass(frozen=True)
class Item:
    """An item that is produced (on a resource) or bought (no resource).

    Parameters
    ----------
    name
        Name shown in messages and output.
    demand
        External demand per period (firm orders or a forecast's point value).
    holding_cost
        Cost per unit held at the end of a period.
    setup_cost
        Cost per period in which the item is produced (ordering cost for bought items).
    setup_time
        Capacity (hours) a setup takes on the item's resource.
    unit_time
        Capacity (hours) one unit takes on the item's resource.
    resource
        Index of the resource, or None for a bought item without capacity limit.
    initial_inventory
        Stock at the start of period 0.
    min_lot
        Smallest quantity produced in a period with a setup (0: no minimum).
    lot_multiple
        Production per period must be a multiple of this (0: any quantity).
    safety_stock
        Minimum end-of-period inventory per period (empty: none).
    max_inventory
        Maximum end-of-period inventory (None: unlimited).
    backlog_penalty
        Cost per unit and period of demand delivered late; None means backlog is not allowed.
    safety_stock_penalty
        Cost per unit and period below the safety stock; None makes the safety stock a hard limit.
    production_cost
        Variable cost per unit produced.
    lost_sales_penalty
        Cost per unit of external demand that is not delivered and lost (never delivered later); None means
        demand cannot be lost. An alternative to backlog: an item may have one or the other, not both.
    """

    name: str
    demand: tuple[float, ...]
    holding_cost: float = 0.0
    setup_cost: float = 0.0
    setup_time: float = 0.0
    unit_time: float = 0.0
    resource: int | None = 0
    initial_inventory: float = 0.0
    min_lot: float = 0.0
    lot_multiple: float = 0.0
    safety_stock: tuple[float, ...] = ()
    max_inventory: float | None = None
    backlog_penalty: float | None = None
    safety_stock_penalty: float | None = None
    production_cost: float = 0.0
    lost_sales_penalty: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", tuple(self.demand))
        object.__setattr__(self, "safety_stock", tuple(self.safety_stock))
        out = self.violations()
        if out:
            raise ValidationError(out)

    def violations(self, path: str = "") -> list[FieldViolation]:
        """Return every broken rule of this item alone (cross references are checked by the problem)."""
        p = path or f"item {self.name!r}"
        out: list[FieldViolation] = []
        _check_series(out, f"{p}.demand", self.demand)
        _check_series(out, f"{p}.safety_stock", self.safety_stock)
        if self.safety_stock and len(self.safety_stock) != len(self.demand):
            out.append(
                FieldViolation(
                    f"{p}.safety_stock",
                    f"must have one value per period ({len(self.demand)}), got {len(self.safety_stock)}",
                )
            )
        for attr in (
            "holding_cost",
            "setup_cost",
            "setup_time",
            "unit_time",
            "initial_inventory",
            "min_lot",
            "lot_multiple",
            "production_cost",
        ):
            _check_nonneg(out, f"{p}.{attr}", getattr(self, attr))
        for attr in ("max_inventory", "backlog_penalty", "safety_stock_penalty", "lost_sales_penalty"):
            _check_nonneg(out, f"{p}.{attr}", getattr(self, attr), allow_none=True)
        if self.backlog_penalty is not None and self.lost_sales_penalty is not None:
            out.append(
                FieldViolation(
                    f"{p}.lost_sales_penalty",
                    "must be None when backlog_penalty is set (unmet demand is either backlogged or lost)",
                )
            )
        if self.resource is not None and (
            not isinstance(self.resource, int) or isinstance(self.resource, bool) or self.resource < 0
        ):
            out.append(
                FieldViolation(
                    f"{p}.resource", f"must be a resource index >= 0 or None, got {self.resource!r}"
                )
            )
        if (
            self.max_inventory is not None
            and self.safety_stock
            and _finite(self.max_inventory)
            and any(_finite(s) and s > self.max_inventory for s in self.safety_stock)
        ):
            out.append(
                FieldViolation(f"{p}.safety_stock", f"must not exceed max_inventory {self.max_inventory}")
            )
        return out

    def safety_stock_at(self, period_idx: int) -> float:
        """Safety stock in a period (0 when none is set)."""
        return self.safety_stock[period_idx] if self.safety_stock else 0.0


@dataclass(frozen=True)
class Resource:
    """A production resource with a capacity (hours) per period.

    Parameters
    ----------
    name
        Name shown in messages and output.
    capacity
        Regular capacity per period.
    overtime
        Extra capacity per period that can be bought (empty: none).
    overtime_cost
        Cost per hour of overtime used.
    """

    name: str
    capacity: tuple[float, ...]
    overtime: tuple[float, ...] = ()
    overtime_cost: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacity", tuple(self.capacity))
        object.__setattr__(self, "overtime", tuple(self.overtime))
        p = f"resource {self.name!r}"
        out: list[FieldViolation] = []
        _check_series(out, f"{p}.capacity", self.capacity)
        _check_series(out, f"{p}.overtime", self.overtime)
        if self.overtime and len(self.overtime) != len(self.capacity):
            out.append(
                FieldViolation(
                    f"{p}.overtime",
                    f"must have one value per period ({len(self.capacity)}), got {len(self.overtime)}",
                )
            )
        _check_nonneg(out, f"{p}.overtime_cost", self.overtime_cost)
        if out:
            raise ValidationError(out)

    def overtime_at(self, period_idx: int) -> float:
        """Overtime available in a period (0 when none is set)."""
        return self.overtime[period_idx] if self.overtime else 0.0


@dataclass(frozen=True)
class BomEntry:
    """One line of a bill of materials: making one ``parent`` consumes ``quantity`` of ``component``.

    Parameters
    ----------
    parent
        Index of the item that consumes.
    component
        Index of the item consumed.
    quantity
        Units of component per unit of parent (> 0).
    lead_time
        The component must be in stock ``lead_time`` periods before the parent is produced. Parent
        production in a period earlier than the lead time draws on the component's stock of period 0.
    """

    parent: int
    component: int
    quantity: float = 1.0
    lead_time: int = 0

    def __post_init__(self) -> None:
        out: list[FieldViolation] = []
        if not _finite(self.quantity) or self.quantity <= 0:
            out.append(FieldViolation("bom.quantity", f"must be > 0, got {self.quantity!r}"))
        if not isinstance(self.lead_time, int) or self.lead_time < 0:
            out.append(FieldViolation("bom.lead_time", f"must be an integer >= 0, got {self.lead_time!r}"))
        if out:
            raise ValidationError(out)


@dataclass(frozen=True)
class LotSizingData:
    """A complete lot-sizing problem.

    Parameters
    ----------
    items
        The items, in file order.
    resources
        The resources items are made on.
    bom
        Bill-of-material lines (empty for a single-level problem).
    max_total_inventory
        Storage limit on the sum of all items' end-of-period inventory (None: unlimited).
    name
        Instance name used in output files.

    Raises
    ------
    ValidationError
        With every broken rule, each naming its field.
    """

    items: tuple[Item, ...]
    resources: tuple[Resource, ...] = ()
    bom: tuple[BomEntry, ...] = ()
    max_total_inventory: float | None = None
    name: str = ""
    component_idcs: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "resources", tuple(self.resources))
        object.__setattr__(self, "bom", tuple(self.bom))
        object.__setattr__(self, "component_idcs", frozenset(e.component for e in self.bom))
        out = self.violations()
        if out:
            raise ValidationError(out)

    @property
    def num_items(self) -> int:
        return len(self.items)

    @property
    def num_periods(self) -> int:
        return len(self.items[0].demand) if self.items else 0

    @property
    def num_resources(self) -> int:
        return len(self.resources)

    def violations(self) -> list[FieldViolation]:
        """Return every broken cross-reference rule (empty when the problem is valid)."""
        out: list[FieldViolation] = []
        if not self.items:
            out.append(FieldViolation("items", "must contain at least one item"))
            return out
        num_periods = self.num_periods
        if num_periods == 0:
            out.append(FieldViolation("items[0].demand", "must have at least one period"))
        names: set[str] = set()
        for item_idx, item in enumerate(self.items):
            p = f"items[{item_idx}] ({item.name!r})"
            if item.name in names:
                out.append(FieldViolation(f"{p}.name", "must be unique"))
            names.add(item.name)
            if len(item.demand) != num_periods:
                out.append(
                    FieldViolation(f"{p}.demand", f"must have {num_periods} periods, got {len(item.demand)}")
                )
            if item.resource is not None and item.resource >= len(self.resources):
                out.append(
                    FieldViolation(
                        f"{p}.resource",
                        f"refers to resource {item.resource}, but there are {len(self.resources)}",
                    )
                )
        for res_idx, res in enumerate(self.resources):
            if len(res.capacity) != num_periods:
                out.append(
                    FieldViolation(
                        f"resources[{res_idx}].capacity",
                        f"must have {num_periods} periods, got {len(res.capacity)}",
                    )
                )
        for k, e in enumerate(self.bom):
            for attr in ("parent", "component"):
                v = getattr(e, attr)
                if not isinstance(v, int) or not 0 <= v < len(self.items):
                    out.append(FieldViolation(f"bom[{k}].{attr}", f"must be an item index, got {v!r}"))
            if e.parent == e.component:
                out.append(FieldViolation(f"bom[{k}]", "an item cannot be its own component"))
        if not out and self._has_cycle():
            out.append(FieldViolation("bom", "must not contain a cycle"))
        if self.max_total_inventory is not None:
            _check_nonneg(out, "max_total_inventory", self.max_total_inventory)
        return out

    def _has_cycle(self) -> bool:
        children: dict[int, list[int]] = {}
        for e in self.bom:
            children.setdefault(e.parent, []).append(e.component)
        state = [0] * len(self.items)  # 0 new, 1 on stack, 2 done

        def visit(u: int) -> bool:
            state[u] = 1
            for v in children.get(u, []):
                if state[v] == 1 or (state[v] == 0 and visit(v)):
                    return True
            state[u] = 2
            return False

        return any(state[u] == 0 and visit(u) for u in range(len(self.items)))

    def topological_order(self) -> list[int]:
        """Item indices with every parent before its components."""
        indeg = [0] * self.num_items
        children: dict[int, list[int]] = {}
        for e in self.bom:
            children.setdefault(e.parent, []).append(e.component)
            indeg[e.component] += 1
        order = [i for i in range(self.num_items) if indeg[i] == 0]
        k = 0
        while k < len(order):
            for v in children.get(order[k], []):
                indeg[v] -= 1
                if indeg[v] == 0:
                    order.append(v)
            k += 1
        return order

    def dependent_demand(self, produce: Sequence[Sequence[float]]) -> list[list[float]]:
        """Demand of each item caused by its parents' production ``produce[item][period]``."""
        dep = [[0.0] * self.num_periods for _ in range(self.num_items)]
        for e in self.bom:
            for t in range(self.num_periods):
                dep[e.component][max(0, t - e.lead_time)] += e.quantity * produce[e.parent][t]
        return dep
