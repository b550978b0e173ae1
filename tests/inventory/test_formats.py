"""Tests that the Trigeiro and native lot-sizing readers parse files exactly, round-trip, and reject
malformed files with a FormatError naming the file and line."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, ValidationError
from planner.formats.lotsizing_native import (
    PLAN_HEADER,
    lotsizing_from_dict,
    lotsizing_to_dict,
    read_lotsizing,
    read_lotsizing_json,
    read_plan_csv,
    write_plan_csv,
)
from planner.formats.trigeiro import parse_trigeiro, read_trigeiro, trigeiro_best_known, write_trigeiro
from planner.inventory import Item, LotSizingData, Plan, Resource

from .conftest import DATA, SHARED

LOTSIZING = SHARED / "instances" / "lotsizing"


def test_read_tiny_trigeiro() -> None:
    """Tests that every number of a small .DAT file lands in the right field."""
    data = read_trigeiro(DATA / "tiny.DAT")
    assert data.name == "tiny" and data.num_items == 3 and data.num_periods == 4
    assert data.resources[0].capacity == (100.0,) * 4
    assert data.items[0].demand == (20, 30, 0, 40)
    assert data.items[2].demand == (5, 10, 10, 0)
    a, _b, c = data.items
    assert (a.unit_time, a.holding_cost, a.setup_time, a.setup_cost) == (1, 1, 10, 100)
    assert (c.unit_time, c.setup_time) == (2, 0)


def _shared_checker_reader():  # type: ignore[no-untyped-def]
    path = SHARED / "tools" / "check_lotsizing.py"
    if not path.exists():
        pytest.skip(f"{path} not present")
    spec = importlib.util.spec_from_file_location("check_lotsizing", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_dat


@pytest.mark.parametrize("name", ["trigeiro_G/G75.DAT", "trigeiro_G/G30.DAT", "trigeiro_F/F70.DAT"])
def test_trigeiro_matches_the_independent_reader(name: str) -> None:
    """Tests that 24-item files (two column blocks) parse as the shared checker reads them."""
    path = LOTSIZING / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    n, num_periods, cap, params, demand = _shared_checker_reader()(str(path))
    data = read_trigeiro(path)
    assert (data.num_items, data.num_periods, data.resources[0].capacity[0]) == (n, num_periods, cap)
    for i, item in enumerate(data.items):
        assert (item.unit_time, item.holding_cost, item.setup_time, item.setup_cost) == params[i]
        assert list(item.demand) == demand[i]


def test_best_known_lookup() -> None:
    """Tests that G30b's best-known value is its literature optimum, and that a file of another size
    with the same name is not compared."""
    path = LOTSIZING / "trigeiro_G" / "G30b.DAT"
    if not path.exists():
        pytest.skip(f"{path} not present")
    assert trigeiro_best_known(path, read_trigeiro(path)) == 37721.0
    other = read_trigeiro(DATA / "tiny.DAT")
    assert trigeiro_best_known(path, other) is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "file ends early"),
        ("2 3\n1\n100\n1 1 1 1\n1 1 x 1\n", 5, "setup time of item 2.*'x'"),
        ("1 2\n1\n100\n1 1 1 1\n5\n", 5, "file ends early: expected the demand of item 1 in period 2"),
        ("1 1\n1\n100\n1 1 1 1\n5\n7\n", 6, "more numbers"),
        ("0 3\n1\n100\n", 1, "at least 1 item"),
        ("1.5 3\n", 1, "must be an integer"),
        ("1 1\n1\n100\n1 -1 1 1\n5\n", 4, "holding cost of item 1 must be a finite number >= 0"),
    ],
)
def test_trigeiro_errors(text: str, line: int | None, message: str) -> None:
    """Tests that malformed .DAT text raises a FormatError with the line and what was expected."""
    with pytest.raises(FormatError, match=message) as exc:
        parse_trigeiro(text, "bad.DAT")
    assert exc.value.line == line and exc.value.path == "bad.DAT"


def test_trigeiro_missing_file(tmp_path: Path) -> None:
    """Tests that a missing file is a FormatError, not an OSError."""
    with pytest.raises(FormatError, match="cannot read"):
        read_trigeiro(tmp_path / "nope.DAT")


numbers = st.integers(min_value=0, max_value=500).map(float)


@st.composite
def trigeiro_data(draw: st.DrawFn) -> LotSizingData:
    n = draw(st.integers(1, 18))
    num_periods = draw(st.integers(1, 5))
    items = tuple(
        Item(
            f"item{i + 1}",
            tuple(draw(numbers) for _ in range(num_periods)),
            unit_time=draw(st.sampled_from([0.5, 1.0, 1.3])),
            holding_cost=draw(numbers),
            setup_time=draw(numbers),
            setup_cost=draw(numbers),
        )
        for i in range(n)
    )
    return LotSizingData(items, (Resource("capacity", (draw(numbers),) * num_periods),), name="x")


@settings(max_examples=30, deadline=None)
@given(trigeiro_data())
def test_trigeiro_round_trip(data: LotSizingData) -> None:
    """Tests that writing and reading a .DAT file gives the same problem (also with > 15 items)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.DAT"
        write_trigeiro(data, path)
        assert read_trigeiro(path) == data


def test_native_json_with_demand_csv() -> None:
    """Tests that a JSON instance takes one item's demand from the CSV it names."""
    data = read_lotsizing(DATA / "overloaded.json")
    assert data.name == "overloaded"
    assert data.items[1].demand == (20, 20, 20)
    assert data.resources[0].capacity == (40, 40, 40)
    assert data.items[0].backlog_penalty == 4


def test_native_json_bom() -> None:
    """Tests that BOM lines refer to items by name."""
    data = read_lotsizing_json(DATA / "bom.json")
    assert data.bom[0].parent == 0 and data.bom[0].component == 1 and data.bom[0].lead_time == 1
    assert data.items[1].resource is None


def test_native_round_trip() -> None:
    """Tests that problem -> dict -> JSON text -> problem is the identity."""
    data = read_lotsizing_json(DATA / "bom.json")
    again = lotsizing_from_dict(json.loads(json.dumps(lotsizing_to_dict(data))), name=data.name)
    assert again == data


def test_native_invalid_json(tmp_path: Path) -> None:
    """Tests that broken JSON is reported with its line."""
    path = tmp_path / "x.json"
    path.write_text('{"items": [\n  {"name": "A",,}\n]}')
    with pytest.raises(FormatError, match="invalid JSON") as exc:
        read_lotsizing_json(path)
    assert exc.value.line == 2


def test_native_unknown_resource() -> None:
    """Tests that an item naming a missing resource is reported."""
    doc = {
        "resources": [{"name": "m", "capacity": 5}],
        "items": [{"name": "A", "demand": [1], "resource": "x"}],
    }
    with pytest.raises(FormatError, match=r"items\[0\]\.resource names unknown resource 'x'"):
        lotsizing_from_dict(doc)


def test_native_rule_violations_name_fields() -> None:
    """Tests that broken rules in a native document are all reported with their field paths."""
    doc = {
        "resources": [{"name": "m", "capacity": [5, -1]}],
        "items": [{"name": "A", "demand": [1, -2], "holding_cost": -1}],
    }
    with pytest.raises(ValidationError) as exc:
        lotsizing_from_dict(doc)
    fields = {v.field for v in exc.value.violations}
    assert "items[0].demand[1]" in fields and "items[0].holding_cost" in fields
    assert any("capacity[1]" in f for f in fields)


def test_native_wrong_type() -> None:
    """Tests that a string where a number belongs is a FormatError."""
    with pytest.raises(FormatError, match="setup_cost must be a number"):
        lotsizing_from_dict({"items": [{"name": "A", "demand": [1], "setup_cost": "ten"}]})


def test_demand_csv_missing_column(tmp_path: Path) -> None:
    """Tests that a demand CSV without the demand column is reported."""
    (tmp_path / "d.csv").write_text("item,period\nA,0\n")
    (tmp_path / "x.json").write_text('{"periods": 1, "items": [{"name": "A"}], "demand_csv": "d.csv"}')
    with pytest.raises(FormatError, match="missing column"):
        read_lotsizing_json(tmp_path / "x.json")


def test_plan_csv_round_trip(tmp_path: Path) -> None:
    """Tests the plan CSV header and that reading it back gives the plan."""
    data = read_lotsizing_json(DATA / "bom.json")
    plan = Plan(((0, 10), (20, 0)), ((0, 1), (1, 0)), ((0, 0), (0, 0)), ((0, 0), (0, 0)))
    path = tmp_path / "p.csv"
    write_plan_csv(data, plan, path)
    assert path.read_text().splitlines()[0] == ",".join((*PLAN_HEADER, "lost"))
    assert read_plan_csv(data, path) == plan


def test_plan_csv_bad_header(tmp_path: Path) -> None:
    """Tests that a plan CSV with another header is rejected."""
    data = read_lotsizing_json(DATA / "bom.json")
    (tmp_path / "p.csv").write_text("a,b\n")
    with pytest.raises(FormatError, match="header"):
        read_plan_csv(data, tmp_path / "p.csv")
