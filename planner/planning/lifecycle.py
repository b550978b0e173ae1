"""The lifecycle of orders and operations, and what actuals from the shop floor do to a plan.

States run ``proposed -> approved -> released -> running -> completed -> closed``; ``cancelled`` may follow
any state before ``completed``. Planners approve and release orders (:func:`approve`, :func:`release`);
released and running work is pinned in every re-plan (:data:`~planner.planning.plan.PINNED_STATES`),
completed work is history.

:func:`apply_actuals` records what happened (actual times and machine, quantities done, running or
completed) and pushes the successors of late work later by shifting, keeping every sequence of the plan.
A full re-optimisation of the remaining work from ``now`` is the rescheduler's job: pass it as
``reschedule`` (the seam for :mod:`planner.scheduling.reschedule`).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from planner.exceptions import FieldViolation, PlannerError, ValidationError
from planner.planning.plan import DONE_STATES, STATES, Plan, PlannedOperation, ProductionOrder

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"proposed", "released", "cancelled"}),
    "released": frozenset({"approved", "running", "completed", "cancelled"}),
    "running": frozenset({"completed", "cancelled"}),
    "completed": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
"""Legal state changes: ``TRANSITIONS[old]`` holds the states that may follow ``old``."""

Rescheduler = Callable[[Plan, int], Plan]
"""Re-optimises the remaining work of a plan from time ``now``, keeping pinned and done work (the seam)."""


class LifecycleError(PlannerError, ValueError):
    """An illegal state change (names the order or operation, its state and the state asked for)."""


def can_change(old: str, new: str) -> bool:
    """Whether ``old -> new`` is a legal state change."""
    return new in TRANSITIONS.get(old, frozenset())


def _check_ids(plan: Plan, order_ids: Iterable[str]) -> list[str]:
    ids = list(order_ids)
    if not ids:
        raise LifecycleError("no order ids given")
    known = {o.id for o in plan.orders}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise LifecycleError(
            f"unknown order id(s) {', '.join(map(repr, unknown))} in plan {plan.plan_id!r} v{plan.version}"
        )
    return ids


def transition(plan: Plan, order_ids: Iterable[str], state: str) -> Plan:
    """Move orders (and their operations still behind) to ``state``.

    Parameters
    ----------
    plan
        The plan.
    order_ids
        Ids of the orders.
    state
        The new state (one of :data:`~planner.planning.plan.STATES`).

    Returns
    -------
    Plan
        A copy with the orders in ``state``; each of their operations that can follow moves along
        (operations already further on, e.g. running or completed, keep their state).

    Raises
    ------
    LifecycleError
        For unknown ids or an illegal change, naming the order, its state and the rule; nothing changes.
    """
    if state not in STATES:
        raise LifecycleError(f"unknown state {state!r}; use one of {STATES}")
    ids = set(_check_ids(plan, order_ids))
    orders = []
    for order in plan.orders:
        if order.id not in ids:
            orders.append(order)
            continue
        if not can_change(order.state, state):
            allowed = sorted(TRANSITIONS[order.state]) or ["nothing (final state)"]
            raise LifecycleError(
                f"order {order.id!r} is {order.state}; it cannot become {state} "
                f"(from {order.state} it may become {', '.join(allowed)})"
            )
        ops = tuple(
            replace(op, state=state) if can_change(op.state, state) else op for op in order.operations
        )
        orders.append(replace(order, state=state, operations=ops))
    return plan.replace(orders=tuple(orders))


def approve(plan: Plan, order_ids: Iterable[str]) -> Plan:
    """Approve proposed orders (see :func:`transition`)."""
    return transition(plan, order_ids, "approved")


def release(plan: Plan, order_ids: Iterable[str]) -> Plan:
    """Release approved orders to the shop floor; from now on their work is pinned (see :func:`transition`)."""
    ids = _check_ids(plan, order_ids)
    for order_id in ids:
        order = plan.order(order_id)
        if order.state == "proposed":
            raise LifecycleError(f"order {order_id!r} is proposed; approve it before releasing it")
    return transition(plan, ids, "released")


def cancel(plan: Plan, order_ids: Iterable[str]) -> Plan:
    """Cancel orders that are not completed (see :func:`transition`)."""
    return transition(plan, order_ids, "cancelled")


# -- actuals ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actual:
    """What the shop floor reports about one operation.

    Parameters
    ----------
    order
        Order id.
    operation
        Operation id (as in the plan).
    machine
        The machine it ran on (may differ from the plan's).
    start, end
        Actual start and end in plan time units; ``end`` None while it runs.
    quantity_done, scrap
        Good and scrapped quantity, None when not reported.
    """

    order: str
    operation: str
    machine: str
    start: int
    end: int | None = None
    quantity_done: float | None = None
    scrap: float | None = None

    def __post_init__(self) -> None:
        errors = []
        if not self.operation:
            errors.append(FieldViolation("operation", "an operation id is required"))
        if self.end is not None and self.end < self.start:
            errors.append(FieldViolation("end", f"must be >= start ({self.start}), got {self.end}"))
        for name in ("quantity_done", "scrap"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                errors.append(FieldViolation(name, f"must be a number >= 0, got {value!r}"))
        if errors:
            raise ValidationError(errors)

    @property
    def state(self) -> str:
        return "running" if self.end is None else "completed"


def check_actuals(plan: Plan, actuals: Sequence[Actual]) -> list[FieldViolation]:
    """Every actual that does not fit the plan (unknown order, operation or machine; work that is over)."""
    ops = {op.id: (order, op) for order, op in plan.operations()}
    machines = {m.id for m in plan.machines}
    errors = []
    for idx, actual in enumerate(actuals):
        where = f"actuals[{idx}]"
        if actual.operation not in ops:
            errors.append(FieldViolation(f"{where}.operation", f"unknown operation {actual.operation!r}"))
            continue
        order, op = ops[actual.operation]
        if actual.order and actual.order != order.id:
            errors.append(
                FieldViolation(
                    f"{where}.order",
                    f"operation {op.id!r} belongs to order {order.id!r}, not {actual.order!r}",
                )
            )
        if machines and actual.machine not in machines:
            errors.append(FieldViolation(f"{where}.machine", f"unknown machine {actual.machine!r}"))
        if op.state in ("closed", "cancelled"):
            errors.append(FieldViolation(f"{where}.operation", f"operation {op.id!r} is {op.state}"))
    return errors


def _order_state(order: ProductionOrder, ops: Sequence[PlannedOperation]) -> str:
    live = [op for op in ops if op.state != "cancelled"]
    if live and all(op.state in ("completed", "closed") for op in live):
        return "completed" if order.state != "closed" else "closed"
    if any(op.state in ("running", "completed") for op in live) and order.state not in DONE_STATES:
        return "running"
    return order.state


def apply_actuals(
    plan: Plan, actuals: Sequence[Actual], now: int, *, reschedule: Rescheduler | None = None
) -> Plan:
    """Record actuals in a plan and push the successors of late work.

    Parameters
    ----------
    plan
        The plan.
    actuals
        What was reported; a later actual of the same operation overrides an earlier one.
    now
        The current plan time: a running operation ends no earlier than ``now``.
    reschedule
        Optional re-optimisation of the remaining work from ``now`` (see :data:`Rescheduler`); without it
        the remaining work keeps its machines and sequences and is only shifted.

    Returns
    -------
    Plan
        Reported operations carry their actual machine, times, quantities and state (running or
        completed); orders whose operations all completed are completed, orders with work started are
        running. Every operation that now would start before a routing predecessor ends, or before the
        previous operation on its machine ends plus its setup, is shifted later (and so on downstream);
        nothing else moves, nothing moves earlier.

    Raises
    ------
    ValidationError
        When an actual names an unknown order, operation or machine, or work that is closed or cancelled;
        nothing changes.
    """
    errors = check_actuals(plan, actuals)
    if errors:
        raise ValidationError(errors)
    latest = {a.operation: a for a in actuals}
    fixed: set[str] = set(latest)
    new_ops: dict[str, PlannedOperation] = {}
    for _, op in plan.operations():
        actual = latest.get(op.id)
        if actual is None:
            new_ops[op.id] = op
            continue
        if actual.end is not None:
            end = actual.end
        else:
            end = max(actual.start + (op.end - op.start), now, actual.start)
        new_ops[op.id] = replace(
            op,
            machine=actual.machine,
            start=actual.start,
            end=end,
            duration=min(op.duration or 0, end - actual.start) if actual.end is None else end - actual.start,
            state=actual.state,
            quantity_done=actual.quantity_done if actual.quantity_done is not None else op.quantity_done,
            scrap=actual.scrap if actual.scrap is not None else op.scrap,
        )
    shifted = _push(plan, new_ops, fixed)
    orders = []
    for order in plan.orders:
        ops = tuple(shifted[op.id] for op in order.operations)
        orders.append(replace(order, operations=ops, state=_order_state(order, ops)))
    result = plan.replace(orders=tuple(orders))
    moved = sum(1 for op_id, op in shifted.items() if op_id not in fixed and op.start != new_ops[op_id].start)
    logger.info("%d actuals recorded, %d operations pushed later", len(latest), moved)
    if reschedule is not None:
        result = reschedule(result, now)
    return result


def _push(plan: Plan, ops: dict[str, PlannedOperation], fixed: set[str]) -> dict[str, PlannedOperation]:
    """Shift operations later so that routing and machine sequences hold again (a longest-path pass)."""
    live = {op_id: op for op_id, op in ops.items() if op.state != "cancelled"}
    preds: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # (predecessor, on the same machine)
    succs: dict[str, list[str]] = defaultdict(list)
    for order in plan.orders:
        chain = [op.id for op in order.operations if op.id in live]
        for a, b in itertools.pairwise(chain):
            preds[b].append((a, False))
            succs[a].append(b)
    per_machine: dict[str, list[PlannedOperation]] = defaultdict(list)
    for op in live.values():
        per_machine[op.machine].append(op)
    for machine_ops in per_machine.values():
        machine_ops.sort(key=lambda op: (op.start, op.end, op.id))
        for prev, nxt in itertools.pairwise(machine_ops):
            preds[nxt.id].append((prev.id, True))
            succs[prev.id].append(nxt.id)
    indegree = {op_id: len(preds[op_id]) for op_id in live}
    queue = deque(op_id for op_id, n in indegree.items() if n == 0)
    out = dict(ops)
    done = 0
    while queue:
        op_id = queue.popleft()
        done += 1
        op = out[op_id]
        if op_id not in fixed and op.state not in DONE_STATES:
            earliest = op.start
            for pred_id, same_machine in preds[op_id]:
                pred = out[pred_id]
                earliest = max(earliest, pred.end + (op.setup if same_machine else 0))
            if earliest > op.start:
                shift = earliest - op.start
                out[op_id] = replace(op, start=op.start + shift, end=op.end + shift)
        for succ in succs[op_id]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                queue.append(succ)
    if done < len(live):
        raise ValidationError(
            "the actuals contradict the plan's sequences (an operation reported before its routing "
            "predecessor); re-plan with the rescheduler",
            "actuals",
        )
    return out
