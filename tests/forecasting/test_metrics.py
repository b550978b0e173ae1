"""Tests that the accuracy metrics follow their textbook definitions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.exceptions import ValidationError
from planner.forecasting import evaluate, mase, pinball, quantile_name, smape


def test_point_metrics_by_hand() -> None:
    """Tests sMAPE (0-200 scale), MASE and pinball on numbers worked out by hand."""
    assert smape(np.array([100.0, 0.0]), np.array([50.0, 0.0])) == pytest.approx(100.0 * (2 * 50 / 150) / 2)
    train = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])  # lag-2 differences are all 2
    assert mase(np.array([10.0]), np.array([7.0]), train, 2) == pytest.approx(1.5)
    assert pinball(np.array([10.0]), np.array([8.0]), 0.9) == pytest.approx(1.8)
    assert pinball(np.array([10.0]), np.array([12.0]), 0.9) == pytest.approx(0.2)
    assert [quantile_name(q) for q in (0.1, 0.5, 0.975)] == ["q10", "q50", "q97.5"]


def test_evaluate_scores_series_and_coverage() -> None:
    """Tests per-series and overall scores, including the coverage of the q10-q90 band."""
    train = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=4, freq="MS"), "y": [1.0, 2.0, 3.0, 4.0]}
    )
    ds = pd.date_range("2020-05-01", periods=2, freq="MS")
    test = pd.DataFrame({"unique_id": "a", "ds": ds, "y": [5.0, 6.0]})
    fc = pd.DataFrame(
        {"unique_id": "a", "ds": ds, "yhat": [5.0, 4.0], "q10": [4.0, 3.0], "q90": [6.0, 5.0], "model": "x"}
    )
    ev = evaluate(fc, test, train, season_length=12)
    row = ev.per_series.iloc[0]
    assert row["model"] == "x"
    assert row["mase"] == pytest.approx(1.0)  # mean error 1, lag-1 scale 1 (history shorter than a season)
    assert row["coverage_80"] == pytest.approx(0.5)
    assert row["bias"] == pytest.approx(100.0 * -2.0 / 11.0)
    assert ev.overall["num_series"] == 1.0 and math.isfinite(ev.overall["pinball"])
    with pytest.raises(ValidationError, match="no forecast row matches"):
        evaluate(fc.assign(unique_id="b"), test, train, 12)
