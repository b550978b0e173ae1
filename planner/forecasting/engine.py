"""Forecast many series: candidates, rolling-origin backtest, model choice per series, calibration.

Work is split into chunks of series and fanned out through :mod:`planner.compute`; each chunk fits
every candidate model in each backtest window and at the end of the history, and picks a model per
series. The calling process then calibrates the quantiles on the pooled backtest residuals
(:mod:`planner.forecasting.calibration`) and assembles the :class:`ForecastResult`.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.exceptions import ValidationError
from planner.forecasting.baselines import STATS_MODELS, forecast_stats
from planner.forecasting.calibration import Calibration, fit_calibration
from planner.forecasting.history import SEASON_LENGTH, Series, future_dates, validate_history
from planner.forecasting.metrics import mase_scale, quantile_name, smape
from planner.forecasting.prophet_backend import PROPHET_CONFIGS

if TYPE_CHECKING:
    import pandas as pd

    from planner.compute import Executor

logger = logging.getLogger(__name__)

DEFAULT_MODELS = ("ets", "theta", "dotm", "ces", "arima", "snaive", "naive", "prophet")
"""Base candidates for regular series (AutoARIMA is the slowest: about four fifths of the fitting time)."""

DEFAULT_CHOICE = "weighted(ets,theta,dotm,ces,arima,prophet?)"
"""The default for regular series: AutoETS, AutoTheta, DynamicOptimizedTheta, AutoCES and AutoARIMA
weighted by the inverse of their backtest sMAPE, with Prophet joining the blend on the series where its
backtest sMAPE is no worse than the best of the five (it earns its place). Kept unless a single
candidate or another combination wins the backtest by more than the selection margin."""

DEFAULT_COMBINATIONS = (
    DEFAULT_CHOICE,
    "mean(ets,theta,ces,arima)",
    "median(ets,ces,arima,dotm)",
)
"""Combinations of base candidates offered to the backtest for regular series: the default, the plain
mean of four statistical models and the SCUM median (ETS, CES, ARIMA, DOTM)."""

FAST_MODELS = ("ets", "theta", "dotm", "ces", "snaive", "naive", "prophet")
FAST_CHOICE = "weighted(ets,theta,dotm,ces,prophet?)"
FAST_COMBINATIONS = (FAST_CHOICE, "mean(ets,theta,ces)")

PRESETS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "default": (DEFAULT_MODELS, DEFAULT_COMBINATIONS, DEFAULT_CHOICE),
    "fast": (FAST_MODELS, FAST_COMBINATIONS, FAST_CHOICE),
}
"""Candidate sets for regular series by name: models, combinations, default. ``fast`` leaves out
AutoARIMA, which takes about four fifths of the fitting time of ``default`` on M3 monthly."""

SHORT_MODELS = ("naive", "mean", "ets", "theta", "prophet")
SHORT_COMBINATIONS = ("mean(ets,theta,prophet)",)
SHORT_DEFAULT = "mean(ets,theta,prophet)"

INTERMITTENT_MODELS = ("croston_sba", "tsb", "mean", "naive", "prophet")
INTERMITTENT_COMBINATIONS = ("mean(croston_sba,tsb)", "mean(croston_sba,tsb,prophet)")
INTERMITTENT_DEFAULT = "mean(croston_sba,tsb)"

INTERMITTENT_ZERO_SHARE = 0.3
"""A series with at least this share of zero periods is treated as intermittent demand."""

_COMBO = re.compile(r"^(mean|median|weighted)\(([a-z_?,]+)\)$")
_PART = re.compile(r"^[a-z_]+\??$")


def _split_combination(name: str) -> tuple[str, tuple[str, ...]] | None:
    m = _COMBO.match(name.replace(" ", ""))
    if not m:
        return None
    parts = tuple(m.group(2).split(","))
    if not all(_PART.match(p) for p in parts):
        return None
    return m.group(1), parts


def parse_combination(name: str) -> tuple[str, tuple[str, ...]] | None:
    """``"mean(ets,theta)"`` -> ``("mean", ("ets", "theta"))``; None if ``name`` is not a combination.

    ``mean`` and ``median`` combine the parts with equal weight; ``weighted`` weighs each part by the
    inverse of its backtest sMAPE on the series (equal weights without a backtest). A part marked with
    ``?`` (``weighted(ets,theta,prophet?)``) is optional: it joins on a series only when its backtest
    sMAPE is no worse than the best unmarked part's (never without a backtest). The returned parts
    carry no marks; see :func:`optional_parts`.
    """
    split = _split_combination(name)
    if split is None:
        return None
    return split[0], tuple(p.rstrip("?") for p in split[1])


def optional_parts(name: str) -> frozenset[str]:
    """The parts of combination ``name`` marked optional with ``?`` (empty for a plain model name)."""
    split = _split_combination(name)
    if split is None:
        return frozenset()
    return frozenset(p.rstrip("?") for p in split[1] if p.endswith("?"))


def _check_model_name(name: str, field_name: str) -> None:
    combo = parse_combination(name)
    parts = combo[1] if combo else (name,)
    for part in parts:
        if part not in STATS_MODELS and part not in PROPHET_CONFIGS:
            known = ", ".join((*STATS_MODELS, *PROPHET_CONFIGS))
            raise ValidationError(f"unknown model {part!r}; known models: {known}", field_name)


@dataclass(frozen=True)
class ForecastSpec:
    """Everything a chunk needs besides its series (picklable, sent to every worker).

    Parameters
    ----------
    horizon
        Periods to forecast.
    freq
        ``D``, ``W``, ``M`` or ``Q``.
    season_length
        Periods per seasonal cycle.
    models
        Base candidates for regular series (statsforecast names and Prophet configurations).
    combinations
        Combinations of base candidates, e.g. ``"median(ets,theta,ces,prophet)"``.
    default_model
        Chosen for regular series unless another candidate's backtest error is lower by more than
        ``selection_margin`` (relative).
    num_windows
        Rolling-origin backtest windows (each ``horizon`` long, stepping back by ``horizon``).
    selection_margin
        Relative improvement over the default that a candidate needs to be chosen instead.
    country
        Country code for Prophet's holidays (daily and weekly data).
    keep_candidates
        Return every candidate's forecast and backtest residuals (for benchmarks and diagnostics).
    """

    horizon: int
    freq: str
    season_length: int
    models: tuple[str, ...] = DEFAULT_MODELS
    combinations: tuple[str, ...] = DEFAULT_COMBINATIONS
    default_model: str = DEFAULT_CHOICE
    num_windows: int = 2
    selection_margin: float = 0.5
    country: str | None = None
    keep_candidates: bool = False

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValidationError(f"must be >= 1, got {self.horizon}", "horizon")
        if self.season_length < 1:
            raise ValidationError(f"must be >= 1, got {self.season_length}", "season_length")
        if self.num_windows < 0:
            raise ValidationError(f"must be >= 0, got {self.num_windows}", "num_windows")
        if not 0.0 <= self.selection_margin < 1.0:
            raise ValidationError(f"must be in [0, 1), got {self.selection_margin}", "selection_margin")
        if not self.models:
            raise ValidationError("at least one model is needed", "models")
        for name in self.models:
            _check_model_name(name, "models")
            if parse_combination(name):
                raise ValidationError(f"{name!r} is a combination; list it under combinations", "models")
        for name in self.combinations:
            combo = parse_combination(name)
            if combo is None:
                raise ValidationError(
                    f"{name!r} is not of the form mean(a,b,...), median(a,b,...) or weighted(a,b,...)",
                    "combinations",
                )
            missing = [p for p in combo[1] if p not in self.models]
            if missing:
                raise ValidationError(
                    f"combination {name!r} uses {', '.join(missing)}, which is not among the models",
                    "combinations",
                )
            if len(optional_parts(name)) == len(set(combo[1])):
                raise ValidationError(
                    f"combination {name!r} needs at least one part not marked optional with '?'",
                    "combinations",
                )
        if self.default_model not in self.models and self.default_model not in self.combinations:
            raise ValidationError(
                f"{self.default_model!r} must be one of the models or combinations", "default_model"
            )


@dataclass
class SeriesOutcome:
    """What a chunk returns for one series (internal; see :class:`SeriesReport` for the public view)."""

    unique_id: str
    kind: str = ""
    model: str | None = None
    yhat: np.ndarray | None = None
    residuals: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    scale: float = 1.0
    scaled_diffs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scores: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    num_windows: int = 0
    error: str | None = None
    seconds: float = 0.0
    candidates: dict[str, np.ndarray] = field(default_factory=dict)
    candidate_residuals: dict[str, np.ndarray] = field(default_factory=dict)


def series_scale(y: np.ndarray, season_length: int) -> float:
    """A positive scale for a series: MASE denominator, else lag-1, else mean level, else 1."""
    for s in (mase_scale(y, season_length), mase_scale(y, 1)):
        if math.isfinite(s) and s > 0:
            return s
    level = float(np.mean(np.abs(y)))
    return level if level > 0 else 1.0


def _plan(series: Series, spec: ForecastSpec) -> tuple[str, tuple[str, ...], tuple[str, ...], str, int]:
    """Kind, base models, combinations, default and number of backtest windows for one series."""
    n = len(series)
    y = series.y
    m = spec.season_length
    zero_share = float(np.mean(y == 0)) if n else 0.0
    kind: str
    models: tuple[str, ...]
    combos: tuple[str, ...]
    if zero_share >= INTERMITTENT_ZERO_SHARE:
        kind, models, combos, default = (
            "intermittent",
            INTERMITTENT_MODELS,
            INTERMITTENT_COMBINATIONS,
            INTERMITTENT_DEFAULT,
        )
        min_train = max(4, 2 * spec.horizon // 3)
    elif n < 2 * m + spec.horizon:
        kind, models, combos, default = "short", SHORT_MODELS, SHORT_COMBINATIONS, SHORT_DEFAULT
        min_train = max(4, min(m, n // 2))
    else:
        kind, models, combos, default = "regular", spec.models, spec.combinations, spec.default_model
        min_train = 2 * m
    windows = max(0, min(spec.num_windows, (n - min_train) // spec.horizon))
    return kind, models, combos, default, windows


def _combine(func: str, parts: list[np.ndarray]) -> np.ndarray:
    stacked = np.vstack(parts)
    return np.median(stacked, axis=0) if func == "median" else np.mean(stacked, axis=0)


def run_chunk(series_list: list[Series], spec: ForecastSpec) -> list[SeriesOutcome]:
    """Backtest, choose and forecast every series of one chunk (runs in a worker).

    Parameters
    ----------
    series_list
        Validated series.
    spec
        The forecast specification.

    Returns
    -------
    list of SeriesOutcome
        One per series, in order; a series whose every candidate failed carries ``error``.
    """
    from planner.forecasting.prophet_backend import ProphetSettings, forecast_prophet

    h = spec.horizon
    plans = [_plan(s, spec) for s in series_list]
    max_w = max((p[4] for p in plans), default=0)
    # preds[i][model][w] = forecast of series i by model from cutoff w (0 = end of history).
    preds: list[dict[str, dict[int, np.ndarray]]] = [{} for _ in series_list]
    elapsed = [0.0] * len(series_list)

    for w in range(max_w + 1):
        # statsforecast: one call per distinct model list, over every series that has this window.
        by_models: dict[tuple[str, ...], list[int]] = {}
        for i, plan in enumerate(plans):
            if plan[4] >= w:
                stats = tuple(mdl for mdl in plan[1] if mdl in STATS_MODELS)
                by_models.setdefault(stats, []).append(i)
        for stats, idxs in by_models.items():
            t0 = time.perf_counter()
            ys = [series_list[i].y[: len(series_list[i]) - w * h] for i in idxs]
            try:
                out = forecast_stats(stats, ys, h, spec.season_length)
            except Exception as exc:
                logger.warning("statsforecast failed for %d series (window %d): %s", len(idxs), w, exc)
                out = {}
            share = (time.perf_counter() - t0) / max(1, len(idxs))
            for row, i in enumerate(idxs):
                elapsed[i] += share
                for name, values in out.items():
                    preds[i].setdefault(name, {})[w] = values[row]
        for i, plan in enumerate(plans):
            if plan[4] < w:
                continue
            s = series_list[i]
            cut = len(s) - w * h
            for name in plan[1]:
                if name not in PROPHET_CONFIGS:
                    continue
                t0 = time.perf_counter()
                if w == 0:
                    fut_ds = future_dates(s.ds[-1], spec.freq, h)
                    fut_reg = s.future_regressors
                else:
                    fut_ds = s.ds[cut : cut + h]
                    fut_reg = {k: v[cut : cut + h] for k, v in s.regressors.items()}
                try:
                    preds[i].setdefault(name, {})[w] = forecast_prophet(
                        s.ds[:cut],
                        s.y[:cut],
                        fut_ds,
                        ProphetSettings(config=name, freq=spec.freq, country=spec.country),
                        regressors={k: v[:cut] for k, v in s.regressors.items()},
                        future_regressors=fut_reg,
                    )
                except Exception as exc:
                    logger.warning(
                        "Prophet %s failed on series %r (window %d): %s", name, s.unique_id, w, exc
                    )
                elapsed[i] += time.perf_counter() - t0

    outcomes = []
    for i, s in enumerate(series_list):
        outcome = _choose(s, plans[i], preds[i], spec)
        outcome.seconds = elapsed[i]
        outcomes.append(outcome)
    return outcomes


SIMPLEST_FIRST = ("snaive", "naive", "mean")
"""Preferred, in this order, when candidates tie on the backtest (e.g. AutoARIMA reduced to a seasonal
random walk on an exactly repeating pattern): the simpler model wins."""

TIE_TOLERANCE = 1e-6
"""Backtest sMAPE differences up to this (on the 0-200 scale) count as ties."""


def _best_candidate(scores: dict[str, float]) -> str:
    """The lowest backtest score; among ties the simplest baseline, else the first listed."""
    low = min(scores.values())
    tied = [c for c, v in scores.items() if v <= low + TIE_TOLERANCE]
    for name in SIMPLEST_FIRST:
        if name in tied:
            return name
    return tied[0]


def _choose(
    s: Series,
    plan: tuple[str, tuple[str, ...], tuple[str, ...], str, int],
    preds: dict[str, dict[int, np.ndarray]],
    spec: ForecastSpec,
) -> SeriesOutcome:
    """Build combinations, score candidates on the backtest windows and pick one."""
    kind, models, combos, default, windows = plan
    h = spec.horizon
    n = len(s)
    scale = series_scale(s.y, spec.season_length)
    diffs = np.diff(s.y) / scale if n > 1 else np.zeros(0)
    out = SeriesOutcome(
        unique_id=s.unique_id, kind=kind, scale=scale, scaled_diffs=diffs, num_windows=windows
    )
    residuals: dict[str, np.ndarray] = {}

    def score(c: str) -> None:
        """Backtest residuals and mean sMAPE of candidate ``c`` (if it has every window)."""
        rows = []
        for w in range(1, windows + 1):
            if w not in preds[c]:
                return
            actual = s.y[n - w * h : n - (w - 1) * h]
            rows.append(actual - np.maximum(preds[c][w], 0.0))
        residuals[c] = np.vstack(rows) if rows else np.zeros((0, h))
        if windows > 0:
            values = [
                smape(s.y[n - w * h : n - (w - 1) * h], np.maximum(preds[c][w], 0.0))
                for w in range(1, windows + 1)
            ]
            out.scores[c] = float(np.mean(values))

    for name in models:
        if 0 in preds.get(name, {}):
            score(name)
    # Combinations from the base forecasts, window by window; weighted ones use the base backtest errors.
    for name in combos:
        func, parts = parse_combination(name) or ("mean", ())
        optional = optional_parts(name)
        if optional:
            # An optional part joins only where its backtest beats or equals the best required part.
            required = [out.scores.get(p, math.nan) for p in parts if p not in optional]
            best_required = min((e for e in required if math.isfinite(e)), default=math.nan)
            parts = tuple(
                p
                for p in parts
                if p not in optional
                or (math.isfinite(best_required) and out.scores.get(p, math.inf) <= best_required)
            )
        if func == "weighted":
            parts = tuple(p for p in parts if 0 in preds.get(p, {}))
            errs = np.array([out.scores.get(p, math.nan) for p in parts], dtype=np.float64)
            if parts and np.all(np.isfinite(errs)):
                weights = 1.0 / np.maximum(errs, 1e-3)
            else:
                weights = np.ones(len(parts))
            weights = weights / weights.sum() if len(parts) else weights
        for w in range(windows + 1):
            if parts and all(w in preds.get(p, {}) for p in parts):
                stack = [preds[p][w] for p in parts]
                if func == "weighted":
                    preds.setdefault(name, {})[w] = np.tensordot(weights, np.vstack(stack), axes=1)
                else:
                    preds.setdefault(name, {})[w] = _combine(func, stack)
        if 0 in preds.get(name, {}):
            score(name)
    candidates = [c for c in (*models, *combos) if 0 in preds.get(c, {})]
    if not candidates:
        out.error = "every candidate model failed on this series"
        return out
    if not out.scores:
        chosen = default if default in candidates else candidates[0]
        needed = 2 * spec.season_length + spec.horizon if kind == "regular" else spec.horizon + 4
        label = "default" if chosen == default else "fallback"
        if spec.num_windows == 0:
            out.reason = f"backtest disabled (num_windows=0): {label} {chosen}"
        else:
            out.reason = (
                f"no backtest: {n} periods of history leave no window of {h} (about {needed} needed); "
                f"{label} {chosen}"
            )
    else:
        best = _best_candidate(out.scores)
        d_score = out.scores.get(default, math.nan)
        b_score = out.scores[best]
        if not math.isfinite(d_score):
            chosen = best
            out.reason = (
                f"lowest backtest sMAPE {b_score:.2f} over {windows} window(s); default {default} unavailable"
            )
        elif best != default and b_score < d_score * (1.0 - spec.selection_margin):
            chosen = best
            out.reason = (
                f"lowest backtest sMAPE {b_score:.2f} over {windows} window(s), beating the default "
                f"{default} ({d_score:.2f}) by more than {spec.selection_margin:.0%}"
            )
        else:
            chosen = default
            out.reason = f"default {default}: backtest sMAPE {d_score:.2f} over {windows} window(s)" + (
                ""
                if best == default
                else f"; best alternative {best} ({b_score:.2f}) within the "
                f"{spec.selection_margin:.0%} margin"
            )
    out.model = chosen
    out.yhat = np.maximum(preds[chosen][0], 0.0)
    out.residuals = residuals.get(chosen, np.zeros((0, h)))
    if spec.keep_candidates:
        out.candidates = {c: np.maximum(preds[c][0], 0.0) for c in candidates}
        out.candidate_residuals = residuals
    return out


@dataclass(frozen=True)
class SeriesReport:
    """How one series was forecast, or why it was not.

    Parameters
    ----------
    unique_id
        The series.
    model
        The chosen model, or None when the series failed.
    backtest_smape
        Mean sMAPE of the chosen model over the backtest windows (None without a backtest).
    num_windows
        Backtest windows used.
    reason
        Why the model was chosen.
    errors
        Validation or fitting errors; non-empty means the series has no forecast.
    kind
        ``regular``, ``short`` or ``intermittent``.
    """

    unique_id: str
    model: str | None
    backtest_smape: float | None
    num_windows: int
    reason: str
    errors: tuple[str, ...] = ()
    kind: str = ""

    @property
    def ok(self) -> bool:
        """True when the series has a forecast."""
        return not self.errors


@dataclass
class ForecastResult:
    """Result of :func:`forecast`.

    Parameters
    ----------
    forecast
        Long form: ``unique_id, ds, yhat``, one column per quantile (``q10, q50, q90``, ...) and ``model``.
    reports
        One per input series (including rejected ones), in input order.
    freq
        The frequency used.
    quantiles
        The quantile levels, ascending.
    calibration
        The fitted conformal offsets (None when no series could be forecast).
    seconds
        Wall-clock time of the whole call.
    candidates
        With ``keep_candidates``: every candidate's forecast (``unique_id, ds, model, yhat``).
    scores
        Backtest sMAPE of every candidate per series (``unique_id, model, smape``).
    """

    forecast: pd.DataFrame
    reports: list[SeriesReport]
    freq: str
    quantiles: tuple[float, ...]
    calibration: Calibration | None = None
    seconds: float = 0.0
    candidates: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    outcomes: list[SeriesOutcome] = field(default_factory=list, repr=False)

    @property
    def failed(self) -> list[SeriesReport]:
        """Reports of the series without a forecast."""
        return [r for r in self.reports if not r.ok]

    def report_frame(self) -> pd.DataFrame:
        """The reports as a table (``errors`` joined with ``"; "``)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "unique_id": r.unique_id,
                    "kind": r.kind,
                    "model": r.model,
                    "backtest_smape": r.backtest_smape,
                    "num_windows": r.num_windows,
                    "reason": r.reason,
                    "errors": "; ".join(r.errors),
                }
                for r in self.reports
            ]
        )


ProgressCallback = Callable[[int, int], None]


def forecast(
    history: pd.DataFrame,
    horizon: int,
    freq: str | None = None,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    *,
    future: pd.DataFrame | None = None,
    country: str | None = None,
    models: Sequence[str] | None = None,
    combinations: Sequence[str] | None = None,
    default_model: str | None = None,
    num_windows: int = 2,
    selection_margin: float = 0.5,
    interval_inflation: float = 1.1,
    keep_candidates: bool = False,
    chunk_size: int | None = None,
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    preset: str = "default",
) -> ForecastResult:
    """Forecast every series of a demand history with calibrated quantiles.

    Parameters
    ----------
    history
        Long form ``unique_id, ds, y`` plus optional regressor columns.
    horizon
        Periods to forecast.
    freq
        ``D``, ``W``, ``M`` or ``Q``; None detects it from the dates.
    quantiles
        Levels in (0, 1); 0.1, 0.5 and 0.9 are always included.
    future
        Future regressor values (``unique_id, ds`` and the regressor columns) when the history has any.
    country
        Country code for Prophet's holidays on daily and weekly data.
    models, combinations, default_model
        Candidate set for regular series (see :class:`ForecastSpec`); None keeps the defaults (AutoETS,
        AutoTheta, DynamicOptimizedTheta, AutoCES, AutoARIMA, seasonal naive, naive and Prophet; the
        default is their weighted blend :data:`DEFAULT_CHOICE`). AutoARIMA is the slowest model: pass
        ``models`` without ``arima`` (and matching combinations) for a faster run.
    num_windows
        Rolling-origin backtest windows per series.
    selection_margin
        Relative backtest improvement a candidate needs over the default to be chosen (0.5: only with
        strong evidence; choosing per series among similar candidates on a few windows is noisy).
    interval_inflation
        Factor on the calibrated quantile offsets. Backtest residuals of the chosen model are a little
        optimistic (the choice and the combination weights were made on the same windows); 1.1 brought
        the q10-q90 band to its nominal 80% on a subset of M3 monthly (see benchmarks/forecast_m3.py).
    keep_candidates
        Also return every candidate's forecast (for benchmarks).
    chunk_size
        Series per chunk; None picks about four chunks per executor slot, at most 50 series each.
    executor
        Where chunks run; None uses :func:`planner.compute.get_executor` (local processes, or Dask when
        ``PLANNER_DASK_ADDRESS`` is set) and closes it afterwards.
    progress
        Called as ``progress(num_series_done, num_series_total)``.
    preset
        Named candidate set (:data:`PRESETS`): ``default``, or ``fast`` (no AutoARIMA; blend
        :data:`FAST_CHOICE`). ``models``, ``combinations`` and ``default_model`` override it.

    Returns
    -------
    ForecastResult

    Raises
    ------
    ValidationError
        For a bad argument or a table without the required columns. Bad series do not raise: they are
        reported in ``ForecastResult.reports``.
    """
    import pandas as pd

    from planner.compute import get_executor, split_chunks

    t_start = time.perf_counter()
    if not isinstance(horizon, int) or horizon < 1:
        raise ValidationError(f"must be an integer >= 1, got {horizon!r}", "horizon")
    if not interval_inflation > 0:
        raise ValidationError(f"must be > 0, got {interval_inflation}", "interval_inflation")
    levels = set()
    for q in quantiles:
        if not 0.0 < float(q) < 1.0:
            raise ValidationError(f"every quantile must be strictly between 0 and 1, got {q}", "quantiles")
        levels.add(round(float(q), 6))
    levels.update((0.1, 0.5, 0.9))
    levels_t = tuple(sorted(levels))

    if preset not in PRESETS:
        raise ValidationError(f"must be one of {', '.join(PRESETS)}, got {preset!r}", "preset")
    preset_models, preset_combinations, preset_choice = PRESETS[preset]
    validated = validate_history(history, freq=freq, future=future, horizon=horizon)
    spec = ForecastSpec(
        horizon=horizon,
        freq=validated.freq,
        season_length=SEASON_LENGTH[validated.freq],
        models=tuple(models) if models is not None else preset_models,
        combinations=tuple(combinations)
        if combinations is not None
        else (preset_combinations if models is None else ()),
        default_model=default_model or (preset_choice if models is None else (models[0] if models else "")),
        num_windows=num_windows,
        selection_margin=selection_margin,
        country=country,
        keep_candidates=keep_candidates,
    )

    own_executor = executor is None
    ex = get_executor() if executor is None else executor
    try:
        total = len(validated.series)
        if chunk_size is None:
            num_chunks = max(4 * ex.num_slots, math.ceil(total / 50)) if total else 1
        else:
            if chunk_size < 1:
                raise ValidationError(f"must be >= 1, got {chunk_size}", "chunk_size")
            num_chunks = math.ceil(total / chunk_size) if total else 1
        chunks = split_chunks(validated.series, num_chunks)

        def on_chunk(done: int, num_chunks: int) -> None:
            # Chunks are near-equal in size, so series done is proportional to chunks done.
            if progress is not None:
                progress(round(done * total / max(1, num_chunks)), total)

        if progress is not None:
            progress(0, total)
        results = ex.map_chunks(run_chunk, chunks, progress=on_chunk, spec=spec) if chunks else []
    finally:
        if own_executor:
            ex.close()

    by_id: dict[str, SeriesOutcome] = {}
    for chunk, res in zip(chunks, results, strict=True):
        if res.ok and res.value is not None:
            for o in res.value:
                by_id[o.unique_id] = o
        else:
            for s in chunk:
                by_id[s.unique_id] = SeriesOutcome(unique_id=s.unique_id, error=f"chunk failed: {res.error}")

    good = [o for o in by_id.values() if o.error is None and o.yhat is not None]
    calibration = None
    if good:
        calibration = fit_calibration(
            [o.residuals for o in good],
            [o.scale for o in good],
            levels_t,
            horizon,
            fallback_diffs=[o.scaled_diffs for o in good],
            inflation=interval_inflation,
        )

    frames = []
    cand_frames = []
    last_ds = {s.unique_id: s.ds[-1] for s in validated.series}
    for o in good:
        assert calibration is not None and o.yhat is not None
        dates = future_dates(last_ds[o.unique_id], validated.freq, horizon)
        qs = calibration.apply(o.yhat, o.scale)
        frame: dict[str, Any] = {"unique_id": o.unique_id, "ds": dates, "yhat": o.yhat}
        for i, q in enumerate(calibration.quantiles):
            frame[quantile_name(q)] = qs[i]
        frame["model"] = o.model
        frames.append(pd.DataFrame(frame))
        for name, values in o.candidates.items():
            cand_frames.append(
                pd.DataFrame({"unique_id": o.unique_id, "ds": dates, "model": name, "yhat": values})
            )
    columns = ["unique_id", "ds", "yhat", *[quantile_name(q) for q in levels_t], "model"]
    forecast_df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    forecast_df = forecast_df[columns]

    reports = []
    order = list(dict.fromkeys(history["unique_id"].astype(str)))
    for uid in order:
        if uid in validated.errors:
            reports.append(
                SeriesReport(uid, None, None, 0, "rejected by validation", tuple(validated.errors[uid]))
            )
            continue
        o = by_id[uid]
        if o.error is not None or o.model is None:
            reports.append(
                SeriesReport(uid, None, None, o.num_windows, "not forecast", (o.error or "failed",), o.kind)
            )
        else:
            reports.append(
                SeriesReport(uid, o.model, o.scores.get(o.model), o.num_windows, o.reason, (), o.kind)
            )
    score_rows = [
        {"unique_id": o.unique_id, "model": c, "smape": v} for o in good for c, v in o.scores.items()
    ]
    return ForecastResult(
        forecast=forecast_df,
        reports=reports,
        freq=validated.freq,
        quantiles=levels_t,
        calibration=calibration,
        seconds=time.perf_counter() - t_start,
        candidates=pd.concat(cand_frames, ignore_index=True) if cand_frames else None,
        scores=pd.DataFrame(score_rows, columns=["unique_id", "model", "smape"]),
        outcomes=list(by_id.values()) if keep_candidates else [],
    )
