from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DemandObservation(_message.Message):
    __slots__ = ("unique_id", "ds", "y", "regressors")
    class RegressorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DS_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    REGRESSORS_FIELD_NUMBER: _ClassVar[int]
    unique_id: str
    ds: str
    y: float
    regressors: _containers.ScalarMap[str, float]
    def __init__(self, unique_id: _Optional[str] = ..., ds: _Optional[str] = ..., y: _Optional[float] = ..., regressors: _Optional[_Mapping[str, float]] = ...) -> None: ...

class DemandHistory(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[DemandObservation]
    def __init__(self, rows: _Optional[_Iterable[_Union[DemandObservation, _Mapping]]] = ...) -> None: ...

class FutureRegressors(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[DemandObservation]
    def __init__(self, rows: _Optional[_Iterable[_Union[DemandObservation, _Mapping]]] = ...) -> None: ...

class TableFile(_message.Message):
    __slots__ = ("format", "content", "name")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    format: str
    content: bytes
    name: str
    def __init__(self, format: _Optional[str] = ..., content: _Optional[bytes] = ..., name: _Optional[str] = ...) -> None: ...

class ForecastOptions(_message.Message):
    __slots__ = ("horizon", "freq", "quantiles", "country", "models", "combinations", "default_model", "num_windows")
    HORIZON_FIELD_NUMBER: _ClassVar[int]
    FREQ_FIELD_NUMBER: _ClassVar[int]
    QUANTILES_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    COMBINATIONS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    NUM_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    horizon: int
    freq: str
    quantiles: _containers.RepeatedScalarFieldContainer[float]
    country: str
    models: _containers.RepeatedScalarFieldContainer[str]
    combinations: _containers.RepeatedScalarFieldContainer[str]
    default_model: str
    num_windows: int
    def __init__(self, horizon: _Optional[int] = ..., freq: _Optional[str] = ..., quantiles: _Optional[_Iterable[float]] = ..., country: _Optional[str] = ..., models: _Optional[_Iterable[str]] = ..., combinations: _Optional[_Iterable[str]] = ..., default_model: _Optional[str] = ..., num_windows: _Optional[int] = ...) -> None: ...

class ForecastPoint(_message.Message):
    __slots__ = ("ds", "yhat", "quantiles")
    DS_FIELD_NUMBER: _ClassVar[int]
    YHAT_FIELD_NUMBER: _ClassVar[int]
    QUANTILES_FIELD_NUMBER: _ClassVar[int]
    ds: str
    yhat: float
    quantiles: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, ds: _Optional[str] = ..., yhat: _Optional[float] = ..., quantiles: _Optional[_Iterable[float]] = ...) -> None: ...

class SeriesForecast(_message.Message):
    __slots__ = ("unique_id", "model", "backtest_smape", "num_windows", "reason", "kind", "points")
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    BACKTEST_SMAPE_FIELD_NUMBER: _ClassVar[int]
    NUM_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    unique_id: str
    model: str
    backtest_smape: float
    num_windows: int
    reason: str
    kind: str
    points: _containers.RepeatedCompositeFieldContainer[ForecastPoint]
    def __init__(self, unique_id: _Optional[str] = ..., model: _Optional[str] = ..., backtest_smape: _Optional[float] = ..., num_windows: _Optional[int] = ..., reason: _Optional[str] = ..., kind: _Optional[str] = ..., points: _Optional[_Iterable[_Union[ForecastPoint, _Mapping]]] = ...) -> None: ...

class SeriesFailure(_message.Message):
    __slots__ = ("unique_id", "errors")
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    unique_id: str
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, unique_id: _Optional[str] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

class ForecastResult(_message.Message):
    __slots__ = ("freq", "quantiles", "series", "failures", "runtime_seconds", "horizon", "name")
    FREQ_FIELD_NUMBER: _ClassVar[int]
    QUANTILES_FIELD_NUMBER: _ClassVar[int]
    SERIES_FIELD_NUMBER: _ClassVar[int]
    FAILURES_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HORIZON_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    freq: str
    quantiles: _containers.RepeatedScalarFieldContainer[float]
    series: _containers.RepeatedCompositeFieldContainer[SeriesForecast]
    failures: _containers.RepeatedCompositeFieldContainer[SeriesFailure]
    runtime_seconds: float
    horizon: int
    name: str
    def __init__(self, freq: _Optional[str] = ..., quantiles: _Optional[_Iterable[float]] = ..., series: _Optional[_Iterable[_Union[SeriesForecast, _Mapping]]] = ..., failures: _Optional[_Iterable[_Union[SeriesFailure, _Mapping]]] = ..., runtime_seconds: _Optional[float] = ..., horizon: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...
