"""Forecasts in the service: request parameters, JSON forms of histories and results, and the run itself.

Nothing here knows protobuf: :mod:`planner.service.convert` turns requests into a history table and
:class:`ForecastParams`, and the JSON result of :func:`result_to_dict` into the API's ``ForecastResult``.
The unary ``Forecast`` and the durable forecast jobs share :func:`run_forecast`, which runs the engine
in the calling thread, chunk by chunk, and stops between chunks when asked (the engine cannot be
interrupted inside a chunk).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from planner.exceptions import FieldViolation, PlannerError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from planner.compute.executor import ChunkOutcome
    from planner.forecasting import ForecastResult
    from planner.service.config import ServiceConfig

logger = logging.getLogger(__name__)

FORECAST_KIND = "forecast"
CHUNK_SIZE = 5
"""Series per chunk: the engine checks for a stop request between chunks."""

_OPTION_FIELDS = ("horizon", "freq", "quantiles", "models", "combinations", "default_model", "num_windows")


class ForecastStopped(PlannerError):
    """A forecast was stopped (cancellation, deadline or shutdown) before it finished."""


@dataclass(frozen=True)
class ForecastParams:
    """How to forecast, as a request asks it (validated by :func:`check_params`)."""

    horizon: int
    freq: str = ""
    quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)
    country: str = ""
    models: tuple[str, ...] = ()
    combinations: tuple[str, ...] = ()
    default_model: str = ""
    num_windows: int = 2
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "horizon": self.horizon,
            "freq": self.freq,
            "quantiles": list(self.quantiles),
            "country": self.country,
            "models": list(self.models),
            "combinations": list(self.combinations),
            "default_model": self.default_model,
            "num_windows": self.num_windows,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ForecastParams:
        return cls(
            horizon=int(values["horizon"]),
            freq=str(values.get("freq", "")),
            quantiles=tuple(float(q) for q in values.get("quantiles", (0.1, 0.5, 0.9))),
            country=str(values.get("country", "")),
            models=tuple(values.get("models", ())),
            combinations=tuple(values.get("combinations", ())),
            default_model=str(values.get("default_model", "")),
            num_windows=int(values.get("num_windows", 2)),
            name=str(values.get("name", "")),
        )


def check_params(params: ForecastParams, prefix: str = "options") -> None:
    """Check the request-level settings; raise with every violation named by its field below ``prefix``.

    Raises
    ------
    ValidationError
        For a horizon < 1, a quantile outside (0, 1), an unknown frequency, a negative number of backtest
        windows or unknown candidate models.
    """
    from planner.forecasting import FREQUENCIES, SEASON_LENGTH, ForecastSpec

    errors: list[FieldViolation] = []
    if params.horizon < 1:
        errors.append(FieldViolation(f"{prefix}.horizon", f"must be >= 1, got {params.horizon}"))
    if params.freq and params.freq.upper() not in FREQUENCIES:
        errors.append(
            FieldViolation(f"{prefix}.freq", f"must be one of {', '.join(FREQUENCIES)}, got {params.freq!r}")
        )
    for idx, q in enumerate(params.quantiles):
        if not (math.isfinite(q) and 0.0 < q < 1.0):
            errors.append(
                FieldViolation(f"{prefix}.quantiles[{idx}]", f"must be strictly between 0 and 1, got {q}")
            )
    if params.num_windows < 0:
        errors.append(FieldViolation(f"{prefix}.num_windows", f"must be >= 0, got {params.num_windows}"))
    if params.combinations and not params.models:
        errors.append(FieldViolation(f"{prefix}.combinations", "needs models to combine"))
    if params.models and not errors:
        freq = params.freq.upper() or "M"
        try:
            ForecastSpec(
                horizon=params.horizon,
                freq=freq,
                season_length=SEASON_LENGTH[freq],
                models=params.models,
                combinations=params.combinations,
                default_model=params.default_model or params.models[0],
                num_windows=params.num_windows,
            )
        except ValidationError as exc:
            errors.extend(FieldViolation(f"{prefix}.{v.field}", v.description) for v in exc.violations)
    if errors:
        raise ValidationError(errors)


def check_forecast_size(history: pd.DataFrame, config: ServiceConfig) -> None:
    """Raise :class:`~planner.service.runner.LimitExceeded` when a unary batch is over the limits."""
    from planner.service.runner import LimitExceeded

    limits = config.limits
    if len(history) > limits.max_forecast_rows:
        raise LimitExceeded(
            "max_forecast_rows", limits.max_forecast_rows, len(history), "history rows; use StartForecast"
        )
    num_series = history["unique_id"].astype(str).nunique()
    if num_series > limits.max_forecast_series:
        raise LimitExceeded(
            "max_forecast_series", limits.max_forecast_series, num_series, "series; use StartForecast"
        )


# -- tables as JSON -----------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A JSON-safe cell: NaN and missing values become None, dates ISO strings, numpy scalars Python."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp, numpy datetime64 through pandas
        return str(value.isoformat())
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def table_to_dict(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A table as ``{column: [values]}`` that JSON (and PostgreSQL) accepts."""
    return {str(col): [_json_value(v) for v in frame[col].tolist()] for col in frame.columns}


def table_from_dict(values: dict[str, list[Any]]) -> pd.DataFrame:
    """The table :func:`table_to_dict` stored."""
    import pandas as pd

    return pd.DataFrame(values)


def read_table_bytes(content: bytes, fmt: str, path: str, required: Sequence[str]) -> pd.DataFrame:
    """Read a CSV or Parquet table from bytes, as :func:`planner.forecasting.read_history` reads files.

    Raises
    ------
    ValidationError
        For an unknown format, an unreadable table or a missing required column (fields below ``path``).
    """
    import io

    import pandas as pd

    fmt = fmt.strip().lower() or ("parquet" if content[:4] == b"PAR1" else "csv")
    if fmt not in ("csv", "parquet"):
        raise ValidationError(f"unknown format {fmt!r}; use csv or parquet", f"{path}.format")
    if not content:
        raise ValidationError("the file is empty", f"{path}.content")
    try:
        if fmt == "parquet":
            frame = pd.read_parquet(io.BytesIO(content))
        else:
            # Text cells: non-numeric demand is reported per series by the engine, not refused here.
            frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except Exception as exc:
        raise ValidationError(f"cannot read the {fmt} table: {exc}", f"{path}.content") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {', '.join(missing)}; expected a header with {','.join(required)}",
            f"{path}.content",
        )
    return frame


def check_history(
    history: pd.DataFrame,
    future: pd.DataFrame | None,
    params: ForecastParams,
    *,
    history_path: str = "history",
    future_path: str = "future",
) -> None:
    """Check what the engine refuses for the whole request (not per series).

    Raises
    ------
    ValidationError
        For an empty history, a frequency that cannot be detected, regressors without future values.
    """
    from planner.forecasting import validate_history

    if len(history) == 0:
        where = f"{history_path}.rows" if history_path == "history" else f"{history_path}.content"
        raise ValidationError("the history has no rows", where)
    try:
        validate_history(history, freq=params.freq.upper() or None, future=future, horizon=params.horizon)
    except ValidationError as exc:
        raise ValidationError(
            [_engine_violation(v, history_path, future_path) for v in exc.violations]
        ) from None


def _engine_violation(violation: FieldViolation, history_path: str, future_path: str) -> FieldViolation:
    """A violation of the engine, with its field named as in the request."""
    name = violation.field
    if name in _OPTION_FIELDS:
        return FieldViolation(f"options.{name}", violation.description)
    if name == "future":
        return FieldViolation(future_path, violation.description)
    return FieldViolation(f"{history_path}.{name}" if name else history_path, violation.description)


# -- the run ------------------------------------------------------------------------------------------


@dataclass
class StoppableExecutor:
    """Runs chunks one by one in the calling thread and stops between them when ``should_stop()``.

    The service runs a forecast in one solver slot, so there is no fan-out here; a stop request takes
    effect when the running chunk ends.
    """

    should_stop: Callable[[], bool]

    @property
    def num_slots(self) -> int:
        return 1

    @property
    def description(self) -> str:
        return "in-process, one service slot"

    def map_chunks(
        self,
        fn: Callable[..., Any],
        chunks: Sequence[Any],
        *,
        progress: Callable[[int, int], None] | None = None,
        **kwargs: Any,
    ) -> list[ChunkOutcome[Any]]:
        from planner.compute import LocalExecutor
        from planner.compute.executor import ChunkOutcome

        inner = LocalExecutor(1)
        outcomes: list[ChunkOutcome[Any]] = []
        for idx, chunk in enumerate(chunks):
            if self.should_stop():
                raise ForecastStopped(f"stopped after {idx} of {len(chunks)} chunks")
            (one,) = inner.map_chunks(fn, [chunk], **kwargs)
            outcomes.append(ChunkOutcome(index=idx, value=one.value, error=one.error, details=one.details))
            if progress is not None:
                progress(idx + 1, len(chunks))
        return outcomes

    def close(self) -> None:
        pass

    def __enter__(self) -> StoppableExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_forecast(
    history: pd.DataFrame,
    future: pd.DataFrame | None,
    params: ForecastParams,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Forecast ``history`` and return the JSON form of the result (see :func:`result_to_dict`).

    Raises
    ------
    ForecastStopped
        When ``should_stop()`` turned true between two chunks.
    ValidationError
        For request-level bad input the engine refuses (bad series are reported in the result).
    """
    from planner.forecasting import forecast

    kwargs: dict[str, Any] = {}
    if params.models:
        kwargs["models"] = params.models
        kwargs["combinations"] = params.combinations
        kwargs["default_model"] = params.default_model or params.models[0]
    result = forecast(
        history,
        params.horizon,
        freq=params.freq.upper() or None,
        quantiles=params.quantiles or (0.1, 0.5, 0.9),
        future=future,
        country=params.country or None,
        num_windows=params.num_windows,
        chunk_size=CHUNK_SIZE,
        executor=StoppableExecutor(should_stop),
        progress=progress,
        **kwargs,
    )
    return result_to_dict(result, params)


def result_to_dict(result: ForecastResult, params: ForecastParams) -> dict[str, Any]:
    """JSON-ready form of a forecast result: per series its points and report, and the failures."""
    from planner.forecasting import quantile_name

    names = [quantile_name(q) for q in result.quantiles]
    frames = {str(uid): frame for uid, frame in result.forecast.groupby("unique_id", sort=False)}
    series = []
    failures = []
    for report in result.reports:
        frame = frames.get(report.unique_id)
        if not report.ok or frame is None:
            failures.append({"unique_id": report.unique_id, "errors": list(report.errors) or [report.reason]})
            continue
        series.append(
            {
                "unique_id": report.unique_id,
                "model": report.model or "",
                "backtest_smape": _json_value(report.backtest_smape),
                "num_windows": report.num_windows,
                "reason": report.reason,
                "kind": report.kind,
                "ds": [d.date().isoformat() if d == d.normalize() else d.isoformat() for d in frame["ds"]],
                "yhat": [float(v) for v in frame["yhat"]],
                "quantiles": [[float(v) for v in frame[name]] for name in names],
            }
        )
    return {
        "name": params.name,
        "freq": result.freq,
        "horizon": params.horizon,
        "quantiles": list(result.quantiles),
        "runtime": round(result.seconds, 3),
        "series": series,
        "failures": failures,
    }


def series_quantiles(series: dict[str, Any], levels: Sequence[float]) -> dict[float, list[float]]:
    """``{level: values}`` of one series of a stored forecast result."""
    return {float(level): list(values) for level, values in zip(levels, series["quantiles"], strict=True)}
