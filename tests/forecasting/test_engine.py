"""Tests that forecast() chooses models by backtest, calibrates ordered quantiles and survives bad series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.compute import DaskExecutor, LocalExecutor
from planner.exceptions import ValidationError
from planner.forecasting import evaluate, forecast


def test_forecast_shape_quantiles_and_reports(m3_train: pd.DataFrame, m3_test: pd.DataFrame) -> None:
    """Tests the forecast table layout, ordered non-negative quantiles and a report per series."""
    with LocalExecutor(1) as ex:
        result = forecast(m3_train, 18, quantiles=(0.1, 0.5, 0.9, 0.975), executor=ex)
    fc = result.forecast
    assert list(fc.columns) == ["unique_id", "ds", "yhat", "q10", "q50", "q90", "q97.5", "model"]
    assert len(fc) == 3 * 18 and result.freq == "M"
    q = fc[["q10", "q50", "q90", "q97.5"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0) and np.all(q >= 0)
    assert np.all(fc["q10"] < fc["q90"])
    assert set(fc["ds"].dt.strftime("%Y-%m-%d")) >= set(pd.to_datetime(m3_test["ds"]).dt.strftime("%Y-%m-%d"))
    reports = {r.unique_id: r for r in result.reports}
    assert all(r.ok and r.model and r.reason for r in reports.values())
    assert reports["N1500"].num_windows == 1  # 51 months: two seasons of training leave room for one window
    assert reports["N2000"].num_windows == 2 and reports["N2000"].backtest_smape is not None
    ev = evaluate(fc, m3_test, m3_train, season_length=12)
    assert ev.overall["smape"] < 40.0  # sanity: M3 monthly methods score 13-20 on average


def test_selection_picks_baseline_that_must_win() -> None:
    """Tests that seasonal naive is chosen for an exactly repeating, spiky yearly pattern."""
    rng = np.random.default_rng(7)
    pattern = rng.integers(5, 100, size=12).astype(float)
    y = np.tile(pattern, 6)
    history = pd.DataFrame(
        {"unique_id": "spiky", "ds": pd.date_range("2015-01-01", periods=72, freq="MS"), "y": y}
    )
    with LocalExecutor(1) as ex:
        result = forecast(history, 12, executor=ex)
    report = result.reports[0]
    assert report.model == "snaive", report.reason
    assert report.backtest_smape == pytest.approx(0.0, abs=1e-9)
    assert "lowest backtest sMAPE" in report.reason
    assert np.allclose(result.forecast["yhat"].to_numpy(), pattern)


def test_bad_series_do_not_sink_the_batch(m3_train: pd.DataFrame) -> None:
    """Tests that a series with negative demand is reported while the others are forecast."""
    bad = m3_train[m3_train["unique_id"] == "N2000"].copy()
    bad["unique_id"] = "broken"
    bad.loc[bad.index[3], "y"] = -1.0
    history = pd.concat([m3_train[m3_train["unique_id"] == "N2500"], bad])
    with LocalExecutor(1) as ex:
        result = forecast(history, 6, executor=ex, num_windows=1)
    assert set(result.forecast["unique_id"]) == {"N2500"}
    (failed,) = result.failed
    assert failed.unique_id == "broken" and "negative" in failed.errors[0]
    with pytest.raises(ValidationError, match="horizon: must be an integer >= 1"):
        forecast(history, 0)
    with pytest.raises(ValidationError, match="quantiles: every quantile must be strictly between 0 and 1"):
        forecast(history, 3, quantiles=(0.5, 1.0))


def test_dask_local_cluster_equals_local_run(m3_train: pd.DataFrame) -> None:
    """Tests that fanning out over a Dask LocalCluster gives exactly the local result."""
    from distributed import Client, LocalCluster

    history = m3_train[m3_train["unique_id"] != "N1500"]
    with LocalExecutor(1) as ex:
        local = forecast(history, 6, executor=ex, chunk_size=1, num_windows=1)
    cluster_args = {"processes": False, "dashboard_address": None}
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, **cluster_args) as cluster,
        Client(cluster) as client,
    ):
        remote = forecast(history, 6, executor=DaskExecutor(client=client), chunk_size=1, num_windows=1)
    pd.testing.assert_frame_equal(local.forecast, remote.forecast)
    assert [r.reason for r in local.reports] == [r.reason for r in remote.reports]


def test_prophet_uses_regressors_and_holidays() -> None:
    """Tests that a promotion regressor with future values moves Prophet's daily forecast up."""
    rng = np.random.default_rng(3)
    n, h = 140, 14
    ds = pd.date_range("2024-01-01", periods=n + h, freq="D")
    promo = rng.integers(0, 2, size=n + h).astype(float)
    y = 20.0 + 8.0 * promo + 3.0 * (ds.dayofweek >= 5) + rng.normal(0, 0.5, size=n + h)
    history = pd.DataFrame({"unique_id": "p", "ds": ds[:n], "y": y[:n], "promo": promo[:n]})
    future = pd.DataFrame({"unique_id": "p", "ds": ds[n:], "promo": promo[n:]})
    with LocalExecutor(1) as ex:
        result = forecast(
            history, h, future=future, country="DE", models=("prophet",), num_windows=1, executor=ex
        )
    assert result.freq == "D" and result.reports[0].model == "prophet"
    yhat = result.forecast["yhat"].to_numpy()
    on, off = promo[n:] == 1, promo[n:] == 0
    assert yhat[on].mean() - yhat[off].mean() > 6.0
    missing = future.iloc[:5]
    result = forecast(
        history, h, future=missing, models=("prophet",), num_windows=1, executor=LocalExecutor(1)
    )
    assert "future regressor values cover 5 of the 14 forecast periods" in result.failed[0].errors[0]
