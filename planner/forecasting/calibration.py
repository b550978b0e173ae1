"""Conformal calibration of forecast quantiles on rolling-backtest residuals.

Residuals ``e = y - yhat`` of the chosen model in the backtest windows are made scale-free by dividing
by the series' MASE scale and by a horizon growth factor ``f_h``, pooled over all series of the batch,
and their empirical quantiles become the offsets of each quantile forecast:
``q_level(h) = yhat(h) + scale * f_h * Q_level(z)``. Pooling over series makes the quantiles stable
even for short series (a single series has only a few dozen residuals), and the horizon factor lets
the band widen with the lead time. Calibration runs once in the calling process on the residuals
returned by every chunk, so the result does not depend on how series were chunked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

MIN_SERIES_FOR_HORIZON_SHAPE = 20
"""Below this many series with residuals, the horizon factor is sqrt(h) instead of estimated."""


@dataclass(frozen=True)
class Calibration:
    """Scale-free quantile offsets per horizon step.

    Parameters
    ----------
    quantiles
        The levels, ascending.
    z
        Array ``(len(quantiles), horizon)``: offset of each level in units of the series scale.
    num_residuals
        How many residuals the offsets came from.
    source
        ``"backtest"`` or ``"in-sample"`` (fallback when no series had a backtest window).
    """

    quantiles: tuple[float, ...]
    z: np.ndarray
    num_residuals: int
    source: str

    def __post_init__(self) -> None:
        if self.z.shape[0] != len(self.quantiles):
            raise ValueError("z must have one row per quantile")

    def apply(self, yhat: np.ndarray, scale: float) -> np.ndarray:
        """Quantile forecasts ``(len(quantiles), horizon)``: ordered and never below zero."""
        q = yhat[None, :] + scale * self.z[:, : len(yhat)]
        return np.sort(np.maximum(q, 0.0), axis=0)


def _horizon_factor(abs_scaled: list[np.ndarray], horizon: int) -> np.ndarray:
    """Growth of the typical error with the lead time, normalised to 1 at the first step."""
    if len(abs_scaled) >= MIN_SERIES_FOR_HORIZON_SHAPE:
        stacked = np.vstack([a for a in abs_scaled])
        med = np.nanmedian(stacked, axis=0)
        if np.all(np.isfinite(med)) and med[0] > 0:
            f = np.maximum.accumulate(med / med[0])
            return np.maximum(f, 1.0)
    return np.sqrt(np.arange(1, horizon + 1, dtype=np.float64))


def fit_calibration(
    residuals: Sequence[np.ndarray],
    scales: Sequence[float],
    quantiles: Sequence[float],
    horizon: int,
    fallback_diffs: Sequence[np.ndarray] = (),
    inflation: float = 1.0,
) -> Calibration:
    """Fit scale-free conformal offsets.

    Parameters
    ----------
    residuals
        Per series, an array ``(num_windows, horizon)`` of backtest residuals ``y - yhat`` (may have zero
        rows for series without a backtest).
    scales
        Per series, its scale (MASE denominator), > 0.
    quantiles
        Levels in (0, 1).
    horizon
        Forecast length.
    fallback_diffs
        Per series, scaled one-step differences of the history; used as a random-walk error model when
        no series has a backtest window.
    inflation
        Factor applied to every offset (1: plain conformal quantiles).

    Returns
    -------
    Calibration
    """
    levels = tuple(sorted(quantiles))
    per_series_abs: list[np.ndarray] = []
    pooled: list[np.ndarray] = []
    for res, scale in zip(residuals, scales, strict=True):
        if res.size == 0:
            continue
        scaled = res / scale
        per_series_abs.append(np.nanmean(np.abs(scaled), axis=0))
        pooled.append(scaled)
    if pooled:
        f = _horizon_factor(per_series_abs, horizon)
        z_all = np.concatenate([(p / f[None, :]).ravel() for p in pooled])
        source = "backtest"
    else:
        f = np.sqrt(np.arange(1, horizon + 1, dtype=np.float64))
        z_all = np.concatenate(
            [np.asarray(d, dtype=np.float64).ravel() for d in fallback_diffs] or [np.zeros(1)]
        )
        source = "in-sample"
    z_all = z_all[np.isfinite(z_all)]
    if z_all.size == 0:
        z_all = np.zeros(1)
    n = z_all.size
    z = np.empty((len(levels), horizon))
    for i, q in enumerate(levels):
        # Finite-sample conformal correction: widen the level slightly away from the median.
        adj = q + (q - 0.5) / (n + 1) * 2.0
        adj = float(np.clip(adj, 0.0, 1.0))
        z[i] = np.quantile(z_all, adj) * f * inflation
    logger.debug("calibration from %d %s residuals", n, source)
    return Calibration(quantiles=levels, z=z, num_residuals=int(n), source=source)
