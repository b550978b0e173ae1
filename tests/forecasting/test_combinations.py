"""Tests that the default pool, the optional (earned) blend parts and the tie-break behave as documented.

These call the engine's choice step on hand-made candidate forecasts, so no model is fitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.exceptions import ValidationError
from planner.forecasting import ForecastSpec, forecast
from planner.forecasting.engine import (
    DEFAULT_CHOICE,
    DEFAULT_COMBINATIONS,
    DEFAULT_MODELS,
    PRESETS,
    _choose,
    _plan,
    optional_parts,
    parse_combination,
)
from planner.forecasting.history import Series

H = 6


def _series(n: int = 60) -> Series:
    rng = np.random.default_rng(11)
    y = 100.0 + 10.0 * np.sin(np.arange(n) * 2 * np.pi / 12) + rng.normal(0, 1.0, n)
    ds = pd.date_range("2015-01-01", periods=n, freq="MS").to_numpy()
    return Series("s", ds, y)


def _preds(s: Series, errors: dict[str, float], windows: int) -> dict[str, dict[int, np.ndarray]]:
    """Candidate forecasts off the actuals by a constant relative error per model (w=0: a flat 100)."""
    n = len(s)
    out: dict[str, dict[int, np.ndarray]] = {}
    for name, err in errors.items():
        out[name] = {0: np.full(H, 100.0 * (1.0 + err))}
        for w in range(1, windows + 1):
            out[name][w] = s.y[n - w * H : n - (w - 1) * H] * (1.0 + err)
    return out


def test_default_pool_includes_prophet_arima_and_dotm() -> None:
    """Tests that Prophet, AutoARIMA and DynamicOptimizedTheta are default candidates and in the blend."""
    for name in ("prophet", "arima", "dotm", "ets", "theta", "ces", "snaive", "naive"):
        assert name in DEFAULT_MODELS
    func, parts = parse_combination(DEFAULT_CHOICE) or ("", ())
    assert func == "weighted"
    assert {"prophet", "arima", "dotm", "ets", "theta", "ces"} <= set(parts)
    assert optional_parts(DEFAULT_CHOICE) == {"prophet"}
    spec = ForecastSpec(horizon=18, freq="M", season_length=12)
    assert spec.default_model == DEFAULT_CHOICE and spec.combinations == DEFAULT_COMBINATIONS
    assert "mean(ets,theta,ces,arima)" in spec.combinations


def test_combination_names_are_parsed_and_validated() -> None:
    """Tests the ``?`` mark: parts come back unmarked, and a blend of only optional parts is rejected."""
    assert parse_combination("weighted(ets, theta, prophet?)") == ("weighted", ("ets", "theta", "prophet"))
    assert optional_parts("weighted(ets,theta,prophet?)") == {"prophet"}
    assert optional_parts("ets") == frozenset()
    assert parse_combination("mean(ets,?)") is None
    with pytest.raises(
        ValidationError, match="combinations: combination 'weighted\\(ets\\?\\)' needs at least"
    ):
        ForecastSpec(
            horizon=6,
            freq="M",
            season_length=12,
            models=("ets",),
            combinations=("weighted(ets?)",),
            default_model="ets",
        )


def test_prophet_joins_the_blend_only_where_its_backtest_earns_it() -> None:
    """Tests that the optional Prophet part is weighted in when its backtest is best, left out otherwise."""
    s = _series()
    spec = ForecastSpec(
        horizon=H,
        freq="M",
        season_length=12,
        models=("ets", "arima", "prophet"),
        combinations=("weighted(ets,arima,prophet?)",),
        default_model="weighted(ets,arima,prophet?)",
        selection_margin=0.9,
    )
    plan = _plan(s, spec)
    assert plan[4] == 2
    default = "weighted(ets,arima,prophet?)"

    # Prophet worse than the best required part: the blend is ETS and ARIMA only.
    out = _choose(s, plan, _preds(s, {"ets": 0.02, "arima": 0.04, "prophet": 0.10}, 2), spec)
    assert out.model == default
    w_ets, w_arima = 1 / 2.0, 1 / 4.0  # inverse sMAPE (about 2 and 4 for 2% and 4% relative errors)
    expected = 100.0 * (1.0 + (w_ets * 0.02 + w_arima * 0.04) / (w_ets + w_arima))
    assert out.yhat is not None and np.allclose(out.yhat, expected, rtol=2e-3)

    # Prophet best on the backtest: it joins and pulls the blend towards its own forecast.
    out = _choose(s, plan, _preds(s, {"ets": 0.04, "arima": 0.06, "prophet": 0.01}, 2), spec)
    assert out.model == default
    assert out.yhat is not None
    assert float(out.yhat[0]) < 100.0 * (1.0 + (0.04 / 4 + 0.06 / 6) / (1 / 4 + 1 / 6))
    assert float(out.yhat[0]) > 101.0


def test_without_backtest_the_optional_part_stays_out() -> None:
    """Tests that with no backtest window the optional part is left out and the rest get equal weights."""
    s = _series()
    spec = ForecastSpec(
        horizon=H,
        freq="M",
        season_length=12,
        models=("ets", "arima", "prophet"),
        combinations=("weighted(ets,arima,prophet?)",),
        default_model="weighted(ets,arima,prophet?)",
        num_windows=0,
    )
    out = _choose(s, _plan(s, spec), _preds(s, {"ets": 0.0, "arima": 0.02, "prophet": -0.5}, 0), spec)
    assert out.model == "weighted(ets,arima,prophet?)" and "backtest disabled" in out.reason
    assert out.yhat is not None and np.allclose(out.yhat, 101.0)


def test_ties_go_to_the_simplest_baseline() -> None:
    """Tests that a baseline tied with a fitted model on the backtest is chosen over it."""
    s = _series()
    spec = ForecastSpec(
        horizon=H,
        freq="M",
        season_length=12,
        models=("arima", "ets", "snaive"),
        combinations=("mean(arima,ets)",),
        default_model="mean(arima,ets)",
    )
    out = _choose(s, _plan(s, spec), _preds(s, {"arima": 0.0, "ets": 0.2, "snaive": 0.0}, 2), spec)
    assert out.model == "snaive", out.reason
    assert "lowest backtest sMAPE 0.00" in out.reason


def test_presets_are_valid_and_fast_leaves_out_arima() -> None:
    """Tests that every preset makes a valid spec, ``fast`` has no AutoARIMA, and a bad name is refused."""
    for name, (models, combinations, default) in PRESETS.items():
        spec = ForecastSpec(
            horizon=18,
            freq="M",
            season_length=12,
            models=models,
            combinations=combinations,
            default_model=default,
        )
        assert "prophet" in spec.models, name
    assert "arima" not in PRESETS["fast"][0] and "arima" in PRESETS["default"][0]
    history = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=30, freq="MS"), "y": 1.0}
    )
    with pytest.raises(ValidationError, match="preset: must be one of default, fast, got 'quick'"):
        forecast(history, 6, preset="quick")
