"""Tests of the plan on odd or malformed input a new plant or an ERP export would give."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.exceptions import ValidationError
from planner.planning.pipeline import make_plan
from tests.planning.conftest import FAST


def _rows(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


def test_demand_with_a_date_that_is_no_date_names_the_row(small_plant):
    """Tests that a demand date like 'yesterday' is a ValidationError on demand.ds naming its row."""
    history = _rows(("FRAME", "2026-12-01", 3), ("FRAME", "yesterday", 4))
    with pytest.raises(ValidationError) as info:
        make_plan(small_plant, history, settings=FAST)
    assert info.value.violations[0].field == "demand.ds"
    assert "row 3 'yesterday'" in str(info.value)


def test_demand_with_irregular_dates_says_so(small_plant):
    """Tests that dates spaced neither daily nor weekly give a message about the spacing, not 'None'."""
    history = _rows(("FRAME", "2026-10-01", 3), ("FRAME", "2026-11-03", 3), ("FRAME", "2026-11-20", 1))
    with pytest.raises(ValidationError, match="irregularly spaced") as info:
        make_plan(small_plant, history, settings=FAST)
    assert "None" not in str(info.value)


def test_demand_past_the_plan_start_is_reported_before_the_spacing(small_plant):
    """Tests that a history running past the plan start says so even when its dates are irregular."""
    history = _rows(("FRAME", "2026-12-05", 3), ("FRAME", "2026-12-09", 3))
    with pytest.raises(ValidationError, match="past the plan start 2026-12-07"):
        make_plan(small_plant, history, settings=FAST)


def test_one_day_of_history_is_taken_as_daily(small_plant):
    """Tests that one date per product is read as a daily history (the forecast then judges its length)."""
    history = _rows(("FRAME", "2026-12-06", 3), ("BRACKET", "2026-12-06", 4))
    with pytest.raises(ValidationError) as info:
        make_plan(small_plant, history, settings=FAST)
    assert "too short" in str(info.value) and "coarser" not in str(info.value)
