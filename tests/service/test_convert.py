"""Tests that problems and results survive the trip domain -> protobuf -> domain unchanged."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.scheduling import (
    Job,
    KPIs,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Result,
    Schedule,
    ScheduledOperation,
    SolveStatus,
)
from planner.service import convert
from planner.service.runner import result_from_dict, result_to_dict


@st.composite
def problems(draw: st.DrawFn) -> ProblemData:
    num_machines = draw(st.integers(1, 3))
    num_families = draw(st.integers(1, 2))
    machines = []
    for m in range(num_machines):
        setups = draw(
            st.none()
            | st.lists(
                st.lists(st.integers(0, 9), min_size=num_families, max_size=num_families),
                min_size=num_families,
                max_size=num_families,
            )
        )
        start = draw(st.integers(0, 50))
        windows = draw(st.lists(st.just((start, start + draw(st.integers(1, 9)))), max_size=1))
        machines.append(
            Machine(
                name=f"M{m}",
                unavailable=tuple(windows),
                setup_times=None if setups is None else tuple(tuple(r) for r in setups),
                initial_family=draw(st.none() | st.integers(0, num_families - 1)),
            )
        )
    jobs = []
    for j in range(draw(st.integers(1, 3))):
        operations = []
        for _ in range(draw(st.integers(1, 3))):
            eligible = draw(
                st.lists(st.integers(0, num_machines - 1), min_size=1, max_size=num_machines, unique=True)
            )
            modes = tuple(
                Mode(m, draw(st.integers(0, 20)), draw(st.sampled_from([0.0, 2.5]))) for m in eligible
            )
            pinned = draw(st.booleans())
            operations.append(
                Operation(
                    modes,
                    name=draw(st.sampled_from(["", "cut"])),
                    pinned_machine=eligible[0] if pinned else None,
                    pinned_start=draw(st.integers(0, 30)) if pinned else None,
                )
            )
        jobs.append(
            Job(
                tuple(operations),
                name=f"J{j}",
                release=draw(st.integers(0, 10)),
                due=draw(st.none() | st.integers(0, 80)),
                weight=draw(st.integers(0, 5)),
                family=draw(st.integers(0, num_families - 1)),
            )
        )
    objective = draw(
        st.sampled_from(
            [
                Objective(),
                Objective(makespan=1, tardiness=10),
                Objective(lexicographic=("tardiness", "makespan")),
            ]
        )
    )
    return ProblemData(
        tuple(machines),
        tuple(jobs),
        num_families=num_families,
        family_names=draw(st.sampled_from([(), tuple(f"F{f}" for f in range(num_families))])),
        objective=objective,
        name=draw(st.sampled_from(["", "plant"])),
        time_unit=draw(st.sampled_from(["", "min"])),
        time_origin=draw(st.sampled_from(["", "2026-12-07T06:00:00+00:00"])),
    )


@settings(max_examples=60, deadline=None)
@given(problems())
def test_problem_round_trip(data: ProblemData) -> None:
    """Tests that problem data -> ProblemInstance -> problem data gives the same problem."""
    assert convert.problem_from_proto(convert.problem_to_proto(data)) == data


def test_result_round_trips() -> None:
    """Tests that a result survives protobuf and the store's JSON form."""
    schedule = Schedule([ScheduledOperation(0, 0, 0, 0, 3), ScheduledOperation(0, 1, 1, 3, 5)])
    kpis = KPIs(5, 0, 0, 0, 0, 0, (0.6, 0.4))
    result = Result(SolveStatus.FEASIBLE, 5.0, 4.0, 1.25, schedule, kpis, "cpsat", 3)
    back = convert.result_from_proto(convert.result_to_proto(result))
    assert (back.status, back.objective, back.lower_bound, back.schedule, back.kpis) == (
        result.status, result.objective, result.lower_bound, result.schedule, result.kpis
    )  # fmt: skip
    data = ProblemData((Machine(), Machine()), (Job((Operation((Mode(0, 3),)), Operation((Mode(1, 2),)))),))
    stored = result_from_dict(result_to_dict(result, data))
    assert stored.schedule == schedule and stored.kpis == kpis and stored.objective == 5.0
    empty = Result(SolveStatus.UNKNOWN, None, -math.inf, 1.0)
    again = convert.result_from_proto(convert.result_to_proto(empty))
    assert again.objective is None and again.schedule is None and again.status == SolveStatus.UNKNOWN


# -- forecasts and lot sizing -----------------------------------------------------------------------------


@st.composite
def lot_sizing_problems(draw: st.DrawFn) -> Any:
    from planner.inventory import BomEntry, Item, LotSizingData, Resource

    num_periods = draw(st.integers(1, 4))
    amounts = st.floats(0, 500, allow_nan=False).map(lambda v: round(v, 3))
    per_period = st.lists(amounts, min_size=num_periods, max_size=num_periods)
    resources = tuple(
        Resource(f"r{k}", draw(per_period), draw(st.just(()) | per_period), draw(amounts))
        for k in range(draw(st.integers(0, 2)))
    )
    items = []
    for i in range(draw(st.integers(1, 3))):
        optional = st.none() | amounts
        items.append(
            Item(
                f"item {i}",
                draw(per_period),
                holding_cost=draw(amounts),
                setup_cost=draw(amounts),
                setup_time=draw(amounts),
                unit_time=draw(amounts),
                resource=draw(st.none() | st.integers(0, len(resources) - 1)) if resources else None,
                initial_inventory=draw(amounts),
                min_lot=draw(amounts),
                lot_multiple=draw(amounts),
                safety_stock=draw(st.just(()) | per_period),
                backlog_penalty=draw(optional),
                safety_stock_penalty=draw(optional),
                production_cost=draw(amounts),
            )
        )
    bom = ()
    if len(items) > 1 and draw(st.booleans()):
        bom = (BomEntry(0, 1, draw(st.floats(0.5, 3)), draw(st.integers(0, 2))),)
    return LotSizingData(tuple(items), resources, bom, draw(st.none() | amounts), name="p")


@settings(max_examples=40, deadline=None)
@given(lot_sizing_problems())
def test_lot_sizing_problem_round_trip(data: Any) -> None:
    """Tests that lot-sizing data -> LotSizingProblem -> native document -> data is the identity."""
    from planner.service.inventory_tasks import data_from_doc

    doc, quantiles = convert.lotsizing_doc_from_proto(convert.lotsizing_to_proto(data))
    assert not quantiles
    again = data_from_doc(doc)
    assert again.items == data.items and again.bom == data.bom
    for mine, theirs in zip(again.resources, data.resources, strict=True):
        # No overtime reads back as zero overtime in every period: the same resource.
        overtime = [theirs.overtime_at(t) for t in range(data.num_periods)]
        assert replace(mine, overtime=()) == replace(theirs, overtime=()) and list(mine.overtime) == overtime
    assert again.max_total_inventory == data.max_total_inventory and again.name == data.name


def test_forecast_result_round_trip() -> None:
    """Tests that a stored forecast result -> ForecastResult -> table keeps every value and the order."""
    values = {
        "name": "h",
        "freq": "M",
        "horizon": 2,
        "quantiles": [0.1, 0.5, 0.9],
        "runtime": 0.5,
        "series": [
            {
                "unique_id": "A",
                "model": "snaive",
                "backtest_smape": None,
                "num_windows": 0,
                "reason": "r",
                "kind": "short",
                "ds": ["2026-01-01", "2026-02-01"],
                "yhat": [1.0, 2.0],
                "quantiles": [[0.5, 1.5], [1.0, 2.0], [1.5, 2.5]],
            }
        ],
        "failures": [{"unique_id": "B", "errors": ["negative demand"]}],
    }
    message = convert.forecast_result_to_proto(values)
    assert not message.series[0].HasField("backtest_smape")
    assert [f.unique_id for f in message.failures] == ["B"]
    frame = convert.forecast_frame(message)
    assert list(frame.columns) == ["unique_id", "ds", "yhat", "q10", "q50", "q90", "model"]
    assert frame["q90"].tolist() == [1.5, 2.5] and frame["ds"].dt.month.tolist() == [1, 2]
    summary = convert.forecast_result_to_proto(values, with_points=False)
    assert not summary.series[0].points and summary.series[0].model == "snaive"
