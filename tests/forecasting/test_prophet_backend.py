"""Tests that the Prophet backend fits and forecasts a small real series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.forecasting import smape
from planner.forecasting.prophet_backend import ProphetSettings, forecast_prophet


def test_prophet_forecasts_retail_sales(retail_sales: pd.DataFrame) -> None:
    """Tests that Prophet learns the trend and seasonality of US retail sales (last year held out)."""
    ds = pd.to_datetime(retail_sales["ds"]).to_numpy()
    y = retail_sales["y"].to_numpy(dtype=float)
    yhat = forecast_prophet(ds[:-12], y[:-12], ds[-12:], ProphetSettings("prophet", "M"))
    assert yhat.shape == (12,)
    assert np.all(np.isfinite(yhat))
    assert smape(y[-12:], yhat) < 8.0
    # The seasonal shape is learnt: the December peak stands above the January trough.
    months = pd.DatetimeIndex(ds[-12:]).month
    assert yhat[months == 12][0] > yhat[months == 1][0] * 1.1


def test_constant_series_gives_flat_forecast() -> None:
    """Tests that an all-zero series (where Prophet's scaling breaks) gives a flat zero forecast."""
    ds = pd.date_range("2020-01-01", periods=30, freq="MS").to_numpy()
    yhat = forecast_prophet(ds[:24], np.zeros(24), ds[24:], ProphetSettings("prophet_mult", "M"))
    assert np.array_equal(yhat, np.zeros(6))
