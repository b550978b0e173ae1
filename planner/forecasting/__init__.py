"""Demand forecasting: Prophet and statistical models chosen per series by rolling backtest.

Public API::

    from planner.forecasting import forecast, evaluate, read_history
    result = forecast(history_df, horizon=18, quantiles=(0.1, 0.5, 0.9))
    result.forecast      # unique_id, ds, yhat, q10, q50, q90, model
    result.reports       # chosen model, backtest error and reason per series; errors of failed series
    scores = evaluate(result.forecast, test_df, history_df, season_length=12)

Prophet is imported only in :mod:`planner.forecasting.prophet_backend`, statsforecast only in
:mod:`planner.forecasting.baselines`, both lazily.
"""

from planner.forecasting.engine import ForecastResult, ForecastSpec, SeriesReport, forecast
from planner.forecasting.history import (
    FREQUENCIES,
    SEASON_LENGTH,
    detect_frequency,
    read_history,
    validate_history,
)
from planner.forecasting.metrics import Evaluation, evaluate, mase, pinball, quantile_name, smape

__all__ = [
    "FREQUENCIES",
    "SEASON_LENGTH",
    "Evaluation",
    "ForecastResult",
    "ForecastSpec",
    "SeriesReport",
    "detect_frequency",
    "evaluate",
    "forecast",
    "mase",
    "pinball",
    "quantile_name",
    "read_history",
    "smape",
    "validate_history",
]
