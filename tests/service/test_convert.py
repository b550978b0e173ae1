"""Tests that problems and results survive the trip domain -> protobuf -> domain unchanged."""

from __future__ import annotations

import math

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
