"""The Prophet backend: the only module that imports ``prophet``.

Prophet is run for point forecasts only (``uncertainty_samples=0``, MAP fit): its own intervals are far
too narrow on real demand, so quantiles come from the conformal calibration in
:mod:`planner.forecasting.calibration`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

PROPHET_CONFIGS = ("prophet", "prophet_mult")
"""Prophet configurations: defaults (additive seasonality) and multiplicative seasonality."""


@dataclass(frozen=True)
class ProphetSettings:
    """How Prophet is configured for one frequency.

    Parameters
    ----------
    config
        One of :data:`PROPHET_CONFIGS`.
    freq
        ``D``, ``W``, ``M`` or ``Q``.
    country
        Country code for Prophet's built-in holidays (daily and weekly data only), e.g. ``"DE"``.
    """

    config: str
    freq: str
    country: str | None = None

    def __post_init__(self) -> None:
        if self.config not in PROPHET_CONFIGS:
            raise ValueError(f"config must be one of {', '.join(PROPHET_CONFIGS)}, got {self.config!r}")
        if self.freq not in ("D", "W", "M", "Q"):
            raise ValueError(f"freq must be one of D, W, M, Q, got {self.freq!r}")


def _quiet() -> None:
    try:
        from cmdstanpy.utils import get_logger

        get_logger()  # installs cmdstanpy's own handler once; silence it afterwards, not before
    except ImportError:  # pragma: no cover - cmdstanpy is a dependency of prophet
        pass
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        lg = logging.getLogger(name)
        lg.setLevel(logging.ERROR)
        lg.propagate = False


def _build(settings: ProphetSettings, regressors: list[str]) -> Any:
    from prophet import Prophet

    _quiet()  # after the import: cmdstanpy configures its logger when first imported

    kwargs: dict[str, Any] = {"uncertainty_samples": 0, "mcmc_samples": 0}
    if settings.config == "prophet_mult":
        kwargs["seasonality_mode"] = "multiplicative"
    # Sub-daily and weekly seasonalities make no sense for weekly or coarser data; "auto" already turns
    # them off from the spacing of the dates, so the defaults hold for every frequency.
    if settings.freq in ("M", "Q"):
        kwargs["weekly_seasonality"] = False
        kwargs["daily_seasonality"] = False
    model = Prophet(**kwargs)
    if settings.country and settings.freq in ("D", "W"):
        model.add_country_holidays(country_name=settings.country)
    for name in regressors:
        model.add_regressor(name)
    return model


def forecast_prophet(
    ds: np.ndarray,
    y: np.ndarray,
    future_ds: np.ndarray,
    settings: ProphetSettings,
    regressors: dict[str, np.ndarray] | None = None,
    future_regressors: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Fit Prophet to one series and return the point forecast for ``future_ds``.

    Parameters
    ----------
    ds, y
        History dates and values.
    future_ds
        Dates to forecast.
    settings
        The configuration.
    regressors, future_regressors
        Extra regressor values for the history and for ``future_ds`` (same names).

    Returns
    -------
    numpy.ndarray
        One value per future date (not yet clipped at zero).
    """
    import pandas as pd

    regressors = regressors or {}
    future_regressors = future_regressors or {}
    names = sorted(regressors)
    history = pd.DataFrame({"ds": pd.to_datetime(ds), "y": np.asarray(y, dtype=np.float64)})
    future = pd.DataFrame({"ds": pd.to_datetime(future_ds)})
    for name in names:
        history[name] = regressors[name]
        future[name] = future_regressors[name][: len(future)]
    model = _build(settings, names)
    if np.ptp(history["y"].to_numpy()) == 0:
        # Prophet scales by the maximum and divides by zero on an all-zero series; the answer is flat.
        return np.full(len(future), float(history["y"].iloc[-1]))
    model.fit(history)
    return model.predict(future)["yhat"].to_numpy(dtype=np.float64)
