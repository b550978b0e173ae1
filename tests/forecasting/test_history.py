"""Tests that demand history is validated series by series with clear messages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.exceptions import FormatError, ValidationError
from planner.forecasting import detect_frequency, read_history, validate_history


def _monthly(uid: str, values: list[object], start: str = "2020-01-01") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="MS").strftime("%Y-%m-%d")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": [str(v) for v in values]})


def test_each_kind_of_bad_input_gets_its_message() -> None:
    """Tests that gaps, duplicates, negatives, non-numeric, blank and unparseable values are named."""
    good = _monthly("good", list(range(1, 25)))
    gap = _monthly("gap", list(range(1, 25))).drop(index=[5, 6]).reset_index(drop=True)
    extra = pd.DataFrame({"unique_id": ["dup"], "ds": ["2020-03-15"], "y": ["7"]})
    dup = pd.concat([_monthly("dup", list(range(1, 25))), extra])
    neg = _monthly("neg", [3, 4, -5, *range(1, 22)])
    text = _monthly("text", [3, "abc", *range(1, 23)])
    blank = _monthly("blank", [3, "", *range(1, 23)])
    bad_date = _monthly("baddate", list(range(1, 25)))
    bad_date.loc[3, "ds"] = "2020-13-45"
    short = _monthly("short", [5])
    df = pd.concat([good, gap, dup, neg, text, blank, bad_date, short], ignore_index=True)

    result = validate_history(df, freq="M")

    assert [s.unique_id for s in result.series] == ["good"]
    errors = {uid: " | ".join(msgs) for uid, msgs in result.errors.items()}
    assert "gap(s) in the dates: 2 missing monthly period(s), first after 2020-05-01" in errors["gap"]
    assert "duplicate period(s) for frequency M: 2020-03-01, 2020-03-15" in errors["dup"]
    assert "demand y must be >= 0; 1 negative value(s), e.g. -5 at 2020-03-01" in errors["neg"]
    assert "non-numeric demand y: 'abc' at 2020-02-01" in errors["text"]
    assert "missing demand y in 1 row(s), e.g. at 2020-02-01" in errors["blank"]
    assert "unparseable date(s) in ds: '2020-13-45'" in errors["baddate"]
    assert "too short: 1 observation(s)" in errors["short"]


def test_frequency_is_detected() -> None:
    """Tests that daily, weekly, monthly and quarterly dates are recognised and odd spacing is not."""
    for freq, alias in (("D", "D"), ("W", "W-MON"), ("M", "MS"), ("Q", "QS")):
        dates = pd.Series(pd.date_range("2021-01-04", periods=10, freq=alias))
        assert detect_frequency(dates) == freq
    assert detect_frequency(pd.Series(pd.date_range("2021-01-01", periods=5, freq="14D"))) is None
    df = pd.concat([_monthly("a", list(range(12))), _monthly("b", list(range(12)))])
    assert validate_history(df).freq == "M"


def test_bad_arguments_raise_validation_errors() -> None:
    """Tests that a missing column or an unknown frequency is a ValidationError naming the field."""
    with pytest.raises(ValidationError, match="y: required column is missing"):
        validate_history(pd.DataFrame({"unique_id": ["a"], "ds": ["2020-01-01"]}))
    with pytest.raises(ValidationError, match="freq: must be one of D, W, M, Q, got 'H'"):
        validate_history(_monthly("a", [1, 2, 3]), freq="H")


def test_regressors_need_future_values() -> None:
    """Tests that regressor columns without a future table are rejected with a clear message."""
    df = _monthly("a", list(range(1, 25)))
    df["price"] = 1.0
    with pytest.raises(ValidationError, match="regressor column\\(s\\) price need their future values"):
        validate_history(df, freq="M", horizon=3)


def test_read_history_reports_file_problems(tmp_path: Path) -> None:
    """Tests that a missing file or column is a FormatError naming the file."""
    with pytest.raises(FormatError, match="file not found"):
        read_history(tmp_path / "nope.csv")
    path = tmp_path / "bad.csv"
    path.write_text("id,date,qty\na,2020-01-01,3\n")
    with pytest.raises(FormatError, match=r"bad\.csv:1: missing column\(s\) unique_id, ds, y"):
        read_history(path)
    parquet = tmp_path / "h.parquet"
    _monthly("a", [1, 2, 3]).to_parquet(parquet)
    assert list(read_history(parquet).columns) == ["unique_id", "ds", "y"]
