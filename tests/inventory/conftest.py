"""Shared fixtures of the lot-sizing tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.inventory import Item, LotSizingData, Resource

REPO_ROOT = Path(__file__).resolve().parents[2]
# The shared instances and tools sit beside the checkout; PLANNER_SHARED points elsewhere (a worktree).
SHARED = Path(os.environ.get("PLANNER_SHARED", REPO_ROOT.parent / "shared"))
DATA = Path(__file__).parent / "data"


@pytest.fixture
def two_items() -> LotSizingData:
    """Two items on one machine of capacity 100 per period, 4 periods."""
    return LotSizingData(
        (
            Item("A", (40, 30, 50, 20), holding_cost=1, setup_cost=60, setup_time=10, unit_time=1),
            Item("B", (20, 40, 10, 30), holding_cost=2, setup_cost=50, setup_time=5, unit_time=1),
        ),
        (Resource("press", (100, 100, 100, 100)),),
        name="two_items",
    )


def random_instance(seed: int, num_items: int = 3, num_periods: int = 6) -> LotSizingData:
    """A small random single-level instance with capacity about 1.3 times the mean load."""
    import random

    rng = random.Random(seed)
    items = []
    for i in range(num_items):
        items.append(
            Item(
                f"i{i}",
                (0.0, *tuple(float(rng.choice([0, rng.randint(10, 60)])) for _ in range(num_periods - 1))),
                holding_cost=float(rng.randint(1, 5)),
                setup_cost=float(rng.randint(20, 200)),
                setup_time=float(rng.randint(0, 10)),
                unit_time=float(rng.choice([1, 1, 2])),
            )
        )
    load = sum(it.unit_time * sum(it.demand) for it in items) / num_periods
    cap = float(round(1.3 * load + 15 * num_items))
    return LotSizingData(tuple(items), (Resource("m", (cap,) * num_periods),), name=f"rand{seed}")
