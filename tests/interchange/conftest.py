"""Plans of the bike plant for the interchange tests: a first plan, and a re-plan after a breakdown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.formats import read_instance
from planner.planning import DONE_STATES, PINNED_STATES, MaterialFlow, Plan, plan_from_schedule
from planner.planning.lifecycle import Actual, apply_actuals, approve, release
from planner.scheduling import ProblemData, check_solution, solve

BIKE_PLANT = Path(__file__).parents[2] / "instances" / "native" / "bike_plant.json"
CREATED = "2026-12-07T05:30:00+00:00"


def _solve(data: ProblemData) -> Plan:
    result = solve(data, solver="dispatch", time_limit=5, num_workers=1, seed=1)
    assert result.schedule is not None
    report = check_solution(data, result.schedule)
    assert report.ok, report.violations
    return plan_from_schedule(data, result.schedule, plan_id="bike-wk50")


def with_materials(plan: Plan) -> Plan:
    """The plan with the materials the routing uses: tubes cut on the saw, a motor mounted on e-bikes."""
    orders = []
    for order in plan.orders:
        ops = []
        for op in order.operations:
            if op.name == "cut":
                op = replace(op, consumes=(MaterialFlow("TUBE-SET", order.quantity),))
            elif op.name == "test_pack":
                op = replace(
                    op,
                    consumes=(MaterialFlow("CARTON", order.quantity),),
                    produces=(MaterialFlow(f"BIKE-{order.item}", order.quantity),),
                )
            ops.append(op)
        orders.append(replace(order, operations=tuple(ops)))
    return plan.replace(orders=tuple(orders), created=CREATED)


@pytest.fixture(scope="session")
def bike_data() -> ProblemData:
    return read_instance(BIKE_PLANT)


@pytest.fixture(scope="session")
def bike_plan(bike_data: ProblemData) -> Plan:
    """Version 1 of the bike plant's plan, all proposed."""
    return with_materials(_solve(bike_data))


def early_orders(plan: Plan, before: int) -> list[str]:
    return [o.id for o in plan.orders if o.start is not None and o.start < before]


@pytest.fixture(scope="session")
def released_plan(bike_plan: Plan) -> Plan:
    """Version 1 with the orders starting in the first two hours released and the first cut running."""
    ids = early_orders(bike_plan, 120)
    plan = release(approve(bike_plan, ids), ids)
    first = min((op for o, op in plan.operations() if o.id in ids), key=lambda op: op.start)
    order = next(o for o, op in plan.operations() if op.id == first.id)
    return apply_actuals(plan, [Actual(order.id, first.id, first.machine, first.start)], now=first.start + 1)


def replan_after_breakdown(data: ProblemData, plan: Plan, machine: str, window: tuple[int, int]) -> Plan:
    """Version 2: the machine breaks down in ``window``; released, running and done work stays pinned."""
    index = {data.machine_name(m): m for m in range(data.num_machines)}
    jobs = []
    for j_idx, job in enumerate(data.jobs):
        order = plan.order(data.job_name(j_idx))
        ops = []
        for op, planned in zip(job.operations, order.operations, strict=True):
            if planned.state in PINNED_STATES | DONE_STATES:
                op = replace(op, pinned_machine=index[planned.machine], pinned_start=planned.start)
            ops.append(op)
        jobs.append(replace(job, operations=tuple(ops)))
    machines = list(data.machines)
    m_idx = index[machine]
    machines[m_idx] = replace(
        machines[m_idx], unavailable=tuple(sorted((*machines[m_idx].unavailable, window)))
    )
    new = with_materials(_solve(replace(data, machines=tuple(machines), jobs=tuple(jobs))))
    states = {op.id: op.state for _, op in plan.operations()}
    orders = []
    for order in new.orders:
        old = plan.order(order.id)
        ops = tuple(replace(op, state=states[op.id]) for op in order.operations)
        orders.append(replace(order, state=old.state, operations=ops))
    return new.replace(orders=tuple(orders), version=plan.version + 1, previous_version=plan.version)


@pytest.fixture(scope="session")
def replanned(bike_data: ProblemData, released_plan: Plan) -> Plan:
    """Version 2: WELD-01 down for four hours right after the released work on it."""
    pinned_end = max(
        (
            op.end
            for _, op in released_plan.operations()
            if op.machine == "WELD-01" and op.state in PINNED_STATES
        ),
        default=0,
    )
    return replan_after_breakdown(bike_data, released_plan, "WELD-01", (pinned_end, pinned_end + 240))
