"""Tests that lot-sizing data rejects invalid input with messages naming the field and the rule."""

from __future__ import annotations

import pytest

from planner.exceptions import ValidationError
from planner.inventory import BomEntry, Item, LotSizingData, Resource


def test_negative_demand_names_the_period() -> None:
    """Tests that a negative demand is reported with its item and period."""
    with pytest.raises(ValidationError, match=r"item 'A'\.demand\[1\]: must be >= 0, got -5"):
        Item("A", (1, -5))


def test_safety_stock_length_must_match() -> None:
    """Tests that a safety stock series of the wrong length is rejected."""
    with pytest.raises(ValidationError, match="safety_stock"):
        Item("A", (1, 2, 3), safety_stock=(1, 2))


def test_unknown_resource_index() -> None:
    """Tests that an item referring to a missing resource is rejected by the problem."""
    with pytest.raises(ValidationError, match=r"resource.*refers to resource 2"):
        LotSizingData((Item("A", (1, 2), resource=2),), (Resource("m", (10, 10)),))


def test_period_counts_must_agree() -> None:
    """Tests that items and resources must have the same number of periods."""
    with pytest.raises(ValidationError) as exc:
        LotSizingData((Item("A", (1, 2)), Item("B", (1, 2, 3))), (Resource("m", (10,)),))
    fields = [v.field for v in exc.value.violations]
    assert any("items[1]" in f for f in fields) and any("resources[0]" in f for f in fields)


def test_bom_cycle_rejected() -> None:
    """Tests that a bill of materials with a cycle is rejected."""
    items = (Item("A", (1,), resource=None), Item("B", (1,), resource=None))
    with pytest.raises(ValidationError, match="cycle"):
        LotSizingData(items, (), (BomEntry(0, 1), BomEntry(1, 0)))


def test_bom_quantity_must_be_positive() -> None:
    """Tests that a BOM line with zero quantity is rejected."""
    with pytest.raises(ValidationError, match=r"bom.quantity: must be > 0"):
        BomEntry(0, 1, quantity=0)


def test_duplicate_item_names() -> None:
    """Tests that item names must be unique."""
    with pytest.raises(ValidationError, match="must be unique"):
        LotSizingData((Item("A", (1,), resource=None), Item("A", (2,), resource=None)))
