"""Tests that option-dependent routings produce the right steps, machines and durations."""

from __future__ import annotations

import pytest

from planner.exceptions import ValidationError
from planner.planning.pipeline import JobInfo, _scheduling_problem, orders_from_rows


def names(steps) -> list[str]:
    return [s.name for s in steps]


def test_options_add_remove_and_change_steps(small_plant):
    """Tests that options insert a step after a named one, remove a step and scale a step's times."""
    frame = small_plant.product("FRAME")
    assert names(frame.routing_for()) == ["cut", "mill", "paint"]
    assert names(frame.routing_for(["engraved"])) == ["cut", "mill", "engrave", "paint"]
    assert names(frame.routing_for(["unpainted"])) == ["cut", "mill"]
    assert names(frame.routing_for(["engraved", "unpainted"])) == ["cut", "mill", "engrave"]
    mill = frame.routing_for(["heavy"])[1]
    assert [(m.machine, m.per_unit, m.fixed) for m in mill.modes] == [
        ("CNC-1", 4.5, 27.5),
        ("CNC-2", 6.0, 27.5),
    ]
    assert mill.resumable


def test_unknown_option_is_rejected_naming_the_options(small_plant):
    """Tests that an option the product lacks is an error listing the options it has."""
    with pytest.raises(ValidationError, match="engraved, heavy, unpainted"):
        small_plant.product("FRAME").routing_for(["gold"])


def test_customer_order_options_become_operations(small_plant):
    """Tests that an order's options give the job the option's operations with fixed + per-unit durations."""
    (order,) = orders_from_rows(
        [
            {
                "order_id": "SO-9",
                "product": "FRAME",
                "quantity": "4",
                "due": "2026-12-08",
                "options": "engraved|heavy",
            }
        ],
        small_plant,
    )
    assert order.due == 2 * 1440 and order.options == ("engraved", "heavy")
    frame = small_plant.product("FRAME")
    info = JobInfo(
        "SO-9", "FRAME", 4, "customer", order.due, 1, order.options, frame.routing_for(order.options)
    )
    data = _scheduling_problem(small_plant, [info])
    (job,) = data.jobs
    assert [op.name for op in job.operations] == ["cut", "mill", "engrave", "paint"]
    ids = [m.id for m in small_plant.machines]
    durations = [{ids[m.machine]: m.duration for m in op.modes} for op in job.operations]
    # cut 10 + 1*4; heavy mill (15*1.5+5) + 3*1.5*4 = 45.5 -> 46 and 27.5 + 6*4 = 51.5 -> 52; engrave 5 + 4.
    assert durations == [{"SAW": 14}, {"CNC-1": 46, "CNC-2": 52}, {"CNC-1": 9}, {"PAINT": 18}]
    assert [op.resumable for op in job.operations] == [False, True, False, False]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (
            {"order_id": "A", "product": "WHEEL", "quantity": "1", "due": "2026-12-08"},
            "orders[row 2].product",
        ),
        (
            {"order_id": "A", "product": "FRAME", "quantity": "-1", "due": "2026-12-08"},
            "orders[row 2].quantity",
        ),
        ({"order_id": "A", "product": "FRAME", "quantity": "1", "due": "tomorrow"}, "orders[row 2].due"),
        (
            {"order_id": "A", "product": "FRAME", "quantity": "1", "due": "2026-12-08", "options": "gold"},
            "orders[row 2].options",
        ),
        ({"order_id": "A", "product": "TUBE", "quantity": "1", "due": "2026-12-08"}, "orders[row 2].product"),
    ],
)
def test_bad_orders_name_row_and_column(small_plant, row, field):
    """Tests that bad customer-order rows are reported with their row and column."""
    with pytest.raises(ValidationError) as info:
        orders_from_rows([row], small_plant)
    assert info.value.violations[0].field == field
