"""Tests that odd plan input is INVALID_ARGUMENT on CreatePlan itself, not a job that fails later."""

from __future__ import annotations

import json

import grpc
import pytest

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from tests.planning.conftest import SMALL_PLANT
from tests.service.test_plans import create_request, violations


def _history(text: str) -> fpb.TableFile:
    return fpb.TableFile(format="csv", content=text.encode(), name="history")


@pytest.mark.parametrize(
    ("csv", "field", "words"),
    [
        ("unique_id,ds,y\nWIDGET,2026-12-01,4\nWIDGET,2026-12-02,4\n", "demand.unique_id", "WIDGET"),
        ("unique_id,ds,y\nFRAME,2026-12-05,3\nFRAME,2026-12-09,3\n", "demand.ds", "past the plan start"),
        (
            "unique_id,ds,y\nFRAME,2026-10-01,3\nFRAME,2026-11-03,3\nFRAME,2026-11-20,1\n",
            "demand.ds",
            "irregular",
        ),
    ],
)
def test_bad_demand_is_invalid_argument_on_submission(
    stub: pb_grpc.PlannerServiceStub, csv: str, field: str, words: str
) -> None:
    """Tests that demand of an unknown product, past the plan start or irregularly spaced is refused."""
    with pytest.raises(grpc.RpcError) as info:
        stub.CreatePlan(create_request(history_file=_history(csv)), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    found = violations(info.value)
    assert found and found[0][0] == field and words in found[0][1], found


def test_power_limit_below_a_step_is_invalid_argument(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that energy.peak_kw below every machine of a step is a violation under ``plant``."""
    doc = json.loads(SMALL_PLANT.read_text())
    doc["energy"]["peak_kw"] = 15
    with pytest.raises(grpc.RpcError) as info:
        stub.CreatePlan(create_request(plant=json.dumps(doc).encode()), timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in violations(info.value)] == [
        "plant.products[0].routing[2].machines",
        "plant.products[1].routing[1].machines",
    ]
