"""Demand history in long form: reading, frequency detection and per-series validation.

The layout is the Nixtla/Prophet convention: one row per series and period with columns ``unique_id``,
``ds`` (date) and ``y`` (demand), plus optional numeric regressor columns (price, promotion, ...).
Problems are reported per series and the bad series are left out; one bad series never sinks the batch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from planner.exceptions import FieldViolation, FormatError, PlannerError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("unique_id", "ds", "y")

FREQUENCIES = ("D", "W", "M", "Q")
"""Supported frequencies: daily, weekly, monthly, quarterly."""

SEASON_LENGTH = {"D": 7, "W": 52, "M": 12, "Q": 4}
"""Length of the main seasonal cycle per frequency, in periods."""

_PERIOD_ALIAS = {"D": "D", "W": "W", "M": "M", "Q": "Q"}
_MAX_LISTED = 3


@dataclass(frozen=True)
class Series:
    """One validated series, ready for the models.

    Parameters
    ----------
    unique_id
        The series key as given.
    ds
        Dates, strictly increasing, one per period without gaps.
    y
        Demand, finite and non-negative.
    regressors
        Extra regressor values aligned with ``ds`` (name -> values).
    future_regressors
        Regressor values for the forecast horizon (name -> values), when known.
    """

    unique_id: str
    ds: np.ndarray
    y: np.ndarray
    regressors: dict[str, np.ndarray] = field(default_factory=dict)
    future_regressors: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.ds) != len(self.y):
            raise ValueError(f"series {self.unique_id!r}: ds and y must have equal length")
        for name, values in self.regressors.items():
            if len(values) != len(self.y):
                raise ValueError(f"series {self.unique_id!r}: regressor {name!r} must have one value per row")

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class ValidatedHistory:
    """The outcome of :func:`validate_history`.

    Parameters
    ----------
    series
        The series that passed, in input order.
    errors
        For each rejected series, the messages saying why.
    freq
        The frequency used (one of ``D, W, M, Q``).
    regressors
        Names of the regressor columns.
    """

    series: list[Series]
    errors: dict[str, list[str]]
    freq: str
    regressors: tuple[str, ...] = ()


def read_history(path: str | Path, required: tuple[str, ...] = REQUIRED_COLUMNS) -> pd.DataFrame:
    """Read demand history (or future regressor values) from a CSV or Parquet file.

    Parameters
    ----------
    path
        ``.csv`` (any other suffix is read as CSV) or ``.parquet`` / ``.pq``.
    required
        Columns that must be present (``unique_id, ds`` for a table of future regressors).

    Returns
    -------
    pandas.DataFrame
        The raw table; values are checked later by :func:`validate_history`.

    Raises
    ------
    FormatError
        If the file is missing, unreadable, or lacks a required column.
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise FormatError(str(p), None, "file not found")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        else:
            # Read everything as text: non-numeric demand must be reported per series, not crash here.
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise FormatError(str(p), None, f"cannot read the file: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise FormatError(
            str(p), 1, f"missing column(s) {', '.join(missing)}; expected a header with {','.join(required)}"
        )
    return df


def _period_letter(median_days: float) -> str | None:
    if 0.5 <= median_days <= 1.5:
        return "D"
    if 6 <= median_days <= 8:
        return "W"
    if 27 <= median_days <= 32:
        return "M"
    if 88 <= median_days <= 93:
        return "Q"
    return None


def detect_frequency(dates: pd.Series) -> str | None:
    """Guess the frequency of one series from the median spacing of its dates.

    Returns
    -------
    str or None
        ``D``, ``W``, ``M`` or ``Q``; None if there are fewer than two dates or the spacing fits none.
    """
    values = np.sort(dates.dropna().unique())
    if len(values) < 2:
        return None
    diffs = np.diff(values).astype("timedelta64[s]").astype(np.float64) / 86400.0
    return _period_letter(float(np.median(diffs)))


def _fmt_dates(values: list[pd.Timestamp]) -> str:
    shown = ", ".join(str(v.date()) for v in values[:_MAX_LISTED])
    if len(values) > _MAX_LISTED:
        shown += f" and {len(values) - _MAX_LISTED} more"
    return shown


def validate_history(
    df: pd.DataFrame,
    freq: str | None = None,
    future: pd.DataFrame | None = None,
    horizon: int | None = None,
) -> ValidatedHistory:
    """Check demand history series by series.

    Each series is checked for unparseable dates, non-numeric or missing demand, negative demand,
    duplicate periods and gaps (missing periods). A series with any problem is left out and its
    messages are returned; the others go on.

    Parameters
    ----------
    df
        Long-form table with ``unique_id, ds, y`` and optional regressor columns.
    freq
        ``D``, ``W``, ``M`` or ``Q``; None detects it (the most common frequency among the series).
    future
        Regressor values for the horizon (``unique_id, ds`` and the regressor columns); needed when the
        history has regressors.
    horizon
        Number of periods to forecast; used to check that ``future`` covers them.

    Returns
    -------
    ValidatedHistory

    Raises
    ------
    ValidationError
        If the table lacks a required column, ``freq`` is unknown, or the frequency cannot be detected.
    """
    import pandas as pd

    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValidationError([FieldViolation(c, "required column is missing") for c in missing])
    if freq is not None:
        freq = freq.upper()
        if freq not in FREQUENCIES:
            raise ValidationError(f"must be one of {', '.join(FREQUENCIES)}, got {freq!r}", "freq")
    regressors = tuple(c for c in df.columns if c not in REQUIRED_COLUMNS)

    work = pd.DataFrame({"unique_id": df["unique_id"].astype(str)})
    work["ds_raw"] = df["ds"]
    work["ds"] = pd.to_datetime(df["ds"], errors="coerce", format="mixed")
    raw_y = df["y"]
    work["y_raw"] = raw_y
    work["y"] = pd.to_numeric(raw_y, errors="coerce")
    for name in regressors:
        work[name] = pd.to_numeric(df[name], errors="coerce")
        work[name + "\0raw"] = df[name]

    errors: dict[str, list[str]] = {}
    groups = dict(tuple(work.groupby("unique_id", sort=False)))

    if freq is None:
        letters = [detect_frequency(g["ds"]) for g in groups.values()]
        known = [x for x in letters if x is not None]
        if not known:
            raise ValidationError(
                "cannot detect the frequency (daily, weekly, monthly or quarterly) from the dates; "
                "pass it explicitly",
                "freq",
            )
        freq = max(FREQUENCIES, key=known.count)
        logger.info("detected frequency %s", freq)

    future_groups: dict[str, pd.DataFrame] = {}
    if regressors:
        if future is None:
            raise ValidationError(
                f"regressor column(s) {', '.join(regressors)} need their future values: "
                "pass a future table with unique_id, ds and those columns",
                "future",
            )
        lacking = [c for c in ("unique_id", "ds", *regressors) if c not in future.columns]
        if lacking:
            raise ValidationError(f"future table lacks column(s) {', '.join(lacking)}", "future")
        fut = future.copy()
        fut["unique_id"] = fut["unique_id"].astype(str)
        fut["ds"] = pd.to_datetime(fut["ds"], errors="coerce", format="mixed")
        future_groups = dict(tuple(fut.groupby("unique_id", sort=False)))

    series: list[Series] = []
    for uid, g in groups.items():
        msgs: list[str] = []
        bad_ds = g["ds"].isna()
        if bad_ds.any():
            shown = ", ".join(repr(str(v)) for v in g.loc[bad_ds, "ds_raw"].head(_MAX_LISTED))
            msgs.append(f"unparseable date(s) in ds: {shown}")
        blank = g["y_raw"].isna() | (g["y_raw"].astype(str).str.strip() == "")
        non_numeric = g["y"].isna() & ~blank
        if non_numeric.any():
            shown = ", ".join(
                f"{v!r} at {d}"
                for v, d in zip(g.loc[non_numeric, "y_raw"], g.loc[non_numeric, "ds_raw"], strict=True)
            )
            msgs.append(
                f"non-numeric demand y: {shown}"
                if non_numeric.sum() <= _MAX_LISTED
                else f"non-numeric demand y in {int(non_numeric.sum())} rows, e.g. "
                f"{g.loc[non_numeric, 'y_raw'].iloc[0]!r}"
            )
        if blank.any():
            msgs.append(
                f"missing demand y in {int(blank.sum())} row(s), e.g. at {g.loc[blank, 'ds_raw'].iloc[0]}"
            )
        inf = np.isinf(g["y"].to_numpy(dtype=float, na_value=np.nan))
        if inf.any():
            msgs.append(f"demand y must be finite; {int(inf.sum())} infinite value(s)")
        negative = g["y"] < 0
        if negative.any():
            first = g.loc[negative].iloc[0]
            msgs.append(
                f"demand y must be >= 0; {int(negative.sum())} negative value(s), "
                f"e.g. {first['y']:g} at {first['ds_raw']}"
            )
        for name in regressors:
            bad = work.loc[g.index, name].isna()
            if bad.any():
                msgs.append(f"regressor {name!r} must be numeric; {int(bad.sum())} bad or missing value(s)")
        good = g.loc[~bad_ds].sort_values("ds")
        periods = good["ds"].dt.to_period(_PERIOD_ALIAS[freq])
        dup = periods.duplicated(keep=False)
        if dup.any():
            dup_dates = sorted(set(good.loc[dup, "ds"]))
            msgs.append(f"duplicate period(s) for frequency {freq}: {_fmt_dates(dup_dates)}")
        elif len(periods) >= 2:
            ordinals = periods.map(lambda p: p.ordinal).to_numpy()
            steps = np.diff(ordinals)
            if (steps > 1).any():
                num_missing = int((steps - 1).sum())
                gap_starts = [good["ds"].iloc[i] for i in np.flatnonzero(steps > 1)]
                msgs.append(
                    f"gap(s) in the dates: {num_missing} missing {_NAMES[freq]} period(s), "
                    f"first after {_fmt_dates(gap_starts)}"
                )
        if not msgs and len(good) < 2:
            msgs.append(f"too short: {len(good)} observation(s); at least 2 are needed")
        future_values: dict[str, np.ndarray] = {}
        if not msgs and regressors:
            fg = future_groups.get(str(uid))
            if fg is None or (horizon is not None and len(fg) < horizon):
                have = 0 if fg is None else len(fg)
                msgs.append(f"future regressor values cover {have} of the {horizon} forecast periods")
            else:
                fg = fg.sort_values("ds").head(horizon) if horizon is not None else fg.sort_values("ds")
                for name in regressors:
                    vals = pd.to_numeric(fg[name], errors="coerce").to_numpy(dtype=float)
                    if np.isnan(vals).any():
                        msgs.append(f"future values of regressor {name!r} must be numeric")
                    future_values[name] = vals
        if msgs:
            errors[str(uid)] = msgs
            continue
        series.append(
            Series(
                unique_id=str(uid),
                ds=good["ds"].to_numpy(dtype="datetime64[ns]"),
                y=good["y"].to_numpy(dtype=np.float64),
                regressors={name: good[name].to_numpy(dtype=np.float64) for name in regressors},
                future_regressors=future_values,
            )
        )
    if errors:
        logger.warning("%d of %d series rejected by validation", len(errors), len(groups))
    return ValidatedHistory(series=series, errors=errors, freq=freq, regressors=regressors)


_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly"}


def future_dates(last: np.datetime64, freq: str, horizon: int) -> np.ndarray:
    """The ``horizon`` dates after ``last`` at frequency ``freq``, keeping month-end anchoring.

    Raises
    ------
    PlannerError
        If ``freq`` is unknown.
    """
    import pandas as pd

    start = pd.Timestamp(last)
    steps = range(1, horizon + 1)
    if freq == "D":
        out = [start + pd.Timedelta(days=k) for k in steps]
    elif freq == "W":
        out = [start + pd.Timedelta(weeks=k) for k in steps]
    elif freq in ("M", "Q"):
        months = 1 if freq == "M" else 3
        if start.is_month_end and start.day != 1:
            out = [start + pd.offsets.MonthEnd(months * k) for k in steps]
        else:
            out = [start + pd.DateOffset(months=months * k) for k in steps]
    else:
        raise PlannerError(f"unknown frequency {freq!r}")
    return np.array(out, dtype="datetime64[ns]")
