"""Shared data for the forecasting tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def retail_sales() -> pd.DataFrame:
    """US retail sales, monthly, 293 rows (Prophet's example series), as one long-form series."""
    df = pd.read_csv(DATA / "demand_retail_sales.csv")
    df.insert(0, "unique_id", "retail")
    return df


@pytest.fixture(scope="session")
def m3_train() -> pd.DataFrame:
    """Three M3 monthly series (N1500 short, N2000, N2500) with their official history."""
    return pd.read_csv(DATA / "demand_m3_train.csv")


@pytest.fixture(scope="session")
def m3_test() -> pd.DataFrame:
    """The official 18-month hold-out of the three M3 series."""
    return pd.read_csv(DATA / "demand_m3_test.csv")
