"""Statistical models and simple baselines, all from statsforecast (imported lazily, only here).

Series are passed as plain arrays and indexed by integer periods, so statsforecast never needs to know
the calendar: dates are attached by the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

STATS_MODELS = ("ets", "theta", "dotm", "ces", "arima", "snaive", "naive", "mean", "croston_sba", "tsb")
"""Names of the statsforecast models this module can build."""

_MAX_ETS_SEASON = 24  # statsforecast's AutoETS does not fit longer seasonal cycles


def make_model(name: str, season_length: int) -> Any:
    """Build one statsforecast model by name (aliased to that name).

    Raises
    ------
    ValueError
        If the name is not in :data:`STATS_MODELS`.
    """
    from statsforecast import models as sm

    m = max(1, season_length)
    if name == "ets":
        return sm.AutoETS(season_length=m if m <= _MAX_ETS_SEASON else 1, alias=name)
    if name == "theta":
        return sm.AutoTheta(season_length=m, alias=name)
    if name == "dotm":
        return sm.DynamicOptimizedTheta(season_length=m, alias=name)
    if name == "ces":
        return sm.AutoCES(season_length=m if m <= _MAX_ETS_SEASON else 1, alias=name)
    if name == "arima":
        return sm.AutoARIMA(season_length=m if m <= _MAX_ETS_SEASON else 1, alias=name)
    if name == "snaive":
        return sm.SeasonalNaive(season_length=m, alias=name)
    if name == "naive":
        return sm.Naive(alias=name)
    if name == "mean":
        return sm.HistoricAverage(alias=name)
    if name == "croston_sba":
        return sm.CrostonSBA(alias=name)
    if name == "tsb":
        return sm.TSB(alpha_d=0.2, alpha_p=0.2, alias=name)
    raise ValueError(f"model must be one of {', '.join(STATS_MODELS)}, got {name!r}")


def forecast_stats(
    names: Sequence[str], ys: Sequence[np.ndarray], horizon: int, season_length: int
) -> dict[str, np.ndarray]:
    """Fit each named model to each series and forecast ``horizon`` periods.

    A model that fails on a series falls back to the naive forecast for that series (statsforecast's
    ``fallback_model``), so one awkward series cannot stop the others.

    Parameters
    ----------
    names
        Model names from :data:`STATS_MODELS`.
    ys
        The series, oldest value first.
    horizon
        Periods to forecast.
    season_length
        Periods per seasonal cycle (1: none).

    Returns
    -------
    dict
        Model name -> array of shape ``(len(ys), horizon)``.
    """
    if not ys or not names:
        return {}
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    frames = []
    for idx, y in enumerate(ys):
        frames.append(pd.DataFrame({"unique_id": idx, "ds": np.arange(1, len(y) + 1), "y": y}))
    df = pd.concat(frames, ignore_index=True)
    models = [make_model(n, season_length) for n in names]
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=Naive())
    out = sf.forecast(df=df, h=horizon).sort_values(["unique_id", "ds"])
    result: dict[str, np.ndarray] = {}
    for name in names:
        values = out[name].to_numpy(dtype=np.float64).reshape(len(ys), horizon)
        result[name] = values
    return result
