"""Pictures of forecasts for a person to eyeball: history, forecast and the calibrated band."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)


def safe_file_name(name: str) -> str:
    """A file name made of the series id (anything but letters, digits and ``-_.+`` becomes ``_``)."""
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name) or "series"


def plot_forecasts(
    history: pd.DataFrame,
    forecast_df: pd.DataFrame,
    folder: Path,
    *,
    max_series: int | None = None,
    last_periods: int = 104,
) -> list[Path]:
    """Write one PNG per series: history (last periods), forecast line and the q10-q90 band.

    Parameters
    ----------
    history
        Long form ``unique_id, ds, y``.
    forecast_df
        Output of :func:`planner.forecasting.forecast` (``unique_id, ds, yhat, q.., model``).
    folder
        Where the files go (created if needed).
    max_series
        Stop after this many series (None: all).
    last_periods
        History periods shown before the forecast.

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from planner.forecasting.metrics import quantile_columns

    folder.mkdir(parents=True, exist_ok=True)
    hist = history.copy()
    hist["unique_id"] = hist["unique_id"].astype(str)
    hist["ds"] = pd.to_datetime(hist["ds"], errors="coerce", format="mixed")
    hist["y"] = pd.to_numeric(hist["y"], errors="coerce")
    hist_groups = dict(tuple(hist.groupby("unique_id", sort=False)))
    qcols = quantile_columns(forecast_df.columns)
    lo = qcols.get(0.1)
    hi = qcols.get(0.9)
    written: list[Path] = []
    for uid, fc in forecast_df.groupby("unique_id", sort=False):
        if max_series is not None and len(written) >= max_series:
            break
        fig, ax = plt.subplots(figsize=(9, 4))
        h = hist_groups.get(str(uid))
        if h is not None:
            h = h.sort_values("ds").tail(last_periods)
            ax.plot(h["ds"], h["y"], color="black", lw=1.2, label="history")
        if lo and hi:
            ax.fill_between(fc["ds"], fc[lo], fc[hi], color="tab:blue", alpha=0.2, label="q10-q90")
        ax.plot(fc["ds"], fc["yhat"], color="tab:blue", lw=1.6, label=f"forecast ({fc['model'].iloc[0]})")
        ax.set_title(str(uid))
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
        path = folder / f"{safe_file_name(str(uid))}.png"
        fig.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(fig)
        written.append(path)
    logger.info("wrote %d plots to %s", len(written), folder)
    return written
