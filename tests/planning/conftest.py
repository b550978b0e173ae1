"""Shared data for the planning tests: a small plant, a short demand history, customer orders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.planning.pipeline import PlanSettings
from planner.planning.plant import Plant, read_plant

DATA = Path(__file__).resolve().parent / "data"
SMALL_PLANT = DATA / "small_plant.json"


@pytest.fixture()
def small_plant() -> Plant:
    """Four machines (a two-shift paint booth with a closed day), two made products, a bought tube."""
    return read_plant(SMALL_PLANT)


def short_history(days: int = 84, seed: int = 3) -> pd.DataFrame:
    """Daily demand of FRAME and BRACKET up to the day before the small plant's start (weekly pattern)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(end="2026-12-06", periods=days, freq="D")
    week = np.array([1.0, 1.1, 1.0, 0.9, 1.2, 0.4, 0.2])
    rows = []
    for uid, level in (("FRAME", 6.0), ("BRACKET", 10.0)):
        y = rng.poisson(level * week[dates.dayofweek.to_numpy()])
        rows.append(pd.DataFrame({"unique_id": uid, "ds": dates, "y": y.astype(float)}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture()
def history() -> pd.DataFrame:
    return short_history()


FAST = PlanSettings(
    time_limit=3.0,
    lot_time_limit=5.0,
    num_workers=1,
    forecast_models=("snaive", "naive"),
    forecast_default="snaive",
    forecast_windows=1,
)
"""Short limits and fast forecast models for tests."""
