"""Forecast accuracy: sMAPE, MASE, bias, interval coverage and pinball loss, per series and overall."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.exceptions import ValidationError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

_QCOL = re.compile(r"^q(\d+(?:\.\d+)?)$")


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric MAPE on the 0-200 scale (M3/M4 definition); 0/0 terms count as 0."""
    y = np.asarray(y, dtype=np.float64)
    f = np.asarray(f, dtype=np.float64)
    denom = np.abs(y) + np.abs(f)
    terms = np.divide(2.0 * np.abs(y - f), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(100.0 * terms.mean())


def mase_scale(train: np.ndarray, season_length: int) -> float:
    """Mean absolute seasonal difference of the training data (the MASE denominator).

    Falls back to the lag-1 difference when the history is not longer than one season, and returns
    NaN when the history is constant.
    """
    train = np.asarray(train, dtype=np.float64)
    m = season_length if len(train) > season_length else 1
    if len(train) <= m:
        return float("nan")
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    return scale if scale > 0 else float("nan")


def mase(y: np.ndarray, f: np.ndarray, train: np.ndarray, season_length: int) -> float:
    """Mean absolute scaled error against the in-sample seasonal naive forecast."""
    scale = mase_scale(train, season_length)
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(f))) / scale)


def pinball(y: np.ndarray, q_pred: np.ndarray, q: float) -> float:
    """Mean pinball (quantile) loss of predictions ``q_pred`` for level ``q``."""
    diff = np.asarray(y, dtype=np.float64) - np.asarray(q_pred, dtype=np.float64)
    return float(np.mean(np.maximum(q * diff, (q - 1.0) * diff)))


def quantile_columns(columns: Any) -> dict[float, str]:
    """Quantile columns of a forecast table: ``{0.1: "q10", 0.9: "q90", ...}``."""
    found: dict[float, str] = {}
    for c in columns:
        m = _QCOL.match(str(c))
        if m:
            found[float(m.group(1)) / 100.0] = str(c)
    return dict(sorted(found.items()))


def quantile_name(q: float) -> str:
    """Column name of quantile ``q``: 0.1 -> ``q10``, 0.975 -> ``q97.5``."""
    pct = round(q * 100.0, 6)
    return f"q{int(pct)}" if pct == int(pct) else f"q{pct:g}"


@dataclass
class Evaluation:
    """Scores of a forecast against held-out actuals.

    Parameters
    ----------
    per_series
        One row per series: ``unique_id, n, smape, mase, bias, coverage_XX..., pinball`` (and ``model``
        when the forecast names one).
    overall
        Means over series (sMAPE, MASE, pinball), the pooled bias and coverages, and the series count.
    """

    per_series: pd.DataFrame
    overall: dict[str, float]


def evaluate(
    forecast_df: pd.DataFrame, test_df: pd.DataFrame, train_df: pd.DataFrame, season_length: int
) -> Evaluation:
    """Score a forecast table against actuals.

    Parameters
    ----------
    forecast_df
        ``unique_id, ds, yhat`` and optional quantile columns ``qNN``.
    test_df
        Actuals ``unique_id, ds, y`` for the forecast periods.
    train_df
        History ``unique_id, ds, y`` (gives the MASE scale).
    season_length
        Periods per season for the MASE scale (12 for monthly data).

    Returns
    -------
    Evaluation
        Per-series and overall metrics. ``bias`` is ``100 * sum(yhat - y) / sum(|y|)`` (positive: over-
        forecast); ``coverage_NN`` is the share of actuals inside the central NN% band built from the
        symmetric quantile pair; ``pinball`` is the mean pinball loss over all quantile columns divided by
        the MASE scale.

    Raises
    ------
    ValidationError
        If a table lacks a required column or no forecast row matches an actual.
    """
    import pandas as pd

    for name, frame, cols in (
        ("forecast", forecast_df, ("unique_id", "ds", "yhat")),
        ("test", test_df, ("unique_id", "ds", "y")),
        ("train", train_df, ("unique_id", "ds", "y")),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValidationError(f"missing column(s) {', '.join(missing)}", name)

    def _norm(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out["unique_id"] = out["unique_id"].astype(str)
        out["ds"] = pd.to_datetime(out["ds"])
        return out

    fc, test, train = _norm(forecast_df), _norm(test_df), _norm(train_df)
    test["y"] = pd.to_numeric(test["y"], errors="coerce")
    train["y"] = pd.to_numeric(train["y"], errors="coerce")
    merged = test.merge(fc, on=["unique_id", "ds"], how="inner", suffixes=("", "_fc"))
    if merged.empty:
        raise ValidationError("no forecast row matches an actual on (unique_id, ds)", "forecast")
    qcols = quantile_columns(fc.columns)
    pairs = [(lo, hi) for lo in qcols for hi in qcols if lo < 0.5 and abs(lo + hi - 1.0) < 1e-9]
    train_groups = {uid: g.sort_values("ds")["y"].to_numpy() for uid, g in train.groupby("unique_id")}
    rows = []
    for uid, g in merged.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(dtype=np.float64)
        f = g["yhat"].to_numpy(dtype=np.float64)
        scale = mase_scale(train_groups.get(str(uid), np.array([])), season_length)
        row: dict[str, Any] = {
            "unique_id": uid,
            "n": len(y),
            "smape": smape(y, f),
            "mase": float(np.mean(np.abs(y - f)) / scale),
            "bias": float(100.0 * (f - y).sum() / max(np.abs(y).sum(), 1e-12)),
        }
        if "model" in g.columns:
            row["model"] = g["model"].iloc[0]
        for lo, hi in pairs:
            inside = (y >= g[qcols[lo]].to_numpy()) & (y <= g[qcols[hi]].to_numpy())
            row[f"coverage_{round((hi - lo) * 100):d}"] = float(inside.mean())
        if qcols:
            losses = [pinball(y, g[col].to_numpy(), q) for q, col in qcols.items()]
            row["pinball"] = float(np.mean(losses) / scale)
        rows.append(row)
    per_series = pd.DataFrame(rows)
    overall: dict[str, float] = {
        "num_series": float(len(per_series)),
        "smape": float(per_series["smape"].mean()),
        "mase": float(np.nanmean(per_series["mase"].to_numpy(dtype=float))),
    }
    y_all = merged["y"].to_numpy(dtype=np.float64)
    overall["bias"] = float(
        100.0 * (merged["yhat"].to_numpy() - y_all).sum() / max(np.abs(y_all).sum(), 1e-12)
    )
    for col in per_series.columns:
        if col.startswith("coverage_"):
            weights = per_series["n"].to_numpy(dtype=float)
            overall[col] = float(np.average(per_series[col].to_numpy(dtype=float), weights=weights))
    if "pinball" in per_series.columns:
        overall["pinball"] = float(np.nanmean(per_series["pinball"].to_numpy(dtype=float)))
    return Evaluation(per_series=per_series, overall=overall)
