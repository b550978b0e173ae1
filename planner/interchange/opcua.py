"""Dispatch to machines over OPC UA for ISA-95 Job Control (OPC 10031-4 v2), with ``asyncua``.

A controller on the shop floor offers one job-order receiver (``ISA95JobOrderReceiverObjectType``) per
machine or line; its ``EquipmentID`` property names the machines it serves (else its browse name does).
:func:`dispatch` makes every receiver hold exactly the released (and running) job orders of its machine,
in start order:

- job orders the plan no longer releases are withdrawn: ``Cancel`` when not started, ``Abort`` (then
  ``Clear``) when running, ``Clear`` when ended;
- job orders that stay but whose times moved get ``Update``;
- when the held order of not-yet-started job orders differs from the plan's, those after the first
  difference are cancelled and stored again, so the receiver's list is in start order;
- new job orders are sent with ``Store`` (``StoreAndStart`` for a machine's first one with ``start``).

:func:`collect_actuals` reads ``JobOrderResponseList`` of the job-response providers
(``ISA95JobResponseProviderObjectType``) back as :class:`~planner.planning.lifecycle.Actual` records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from planner.exceptions import PlannerError
from planner.planning.lifecycle import Actual
from planner.planning.plan import Plan, PlannedOperation, ProductionOrder

logger = logging.getLogger(__name__)

JOBCONTROL_NS = "http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/"
RECEIVER_TYPE = 1002
"""Node id (in the Job Control namespace) of ``ISA95JobOrderReceiverObjectType``."""
RESPONSE_PROVIDER_TYPE = 1003
"""Node id of ``ISA95JobResponseProviderObjectType``."""

NOT_STARTED = frozenset({"NotAllowedToStart", "AllowedToStart"})
STARTED = frozenset({"Running", "Interrupted"})
ENDED = frozenset({"Ended", "Aborted"})
DISPATCHED_STATES = frozenset({"released", "running"})


class DispatchError(PlannerError):
    """The controller refused a request, or could not be reached (names machine, job order and method)."""


@dataclass
class MachineDispatch:
    """What dispatch did on one machine's receiver."""

    machine: str
    stored: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


@dataclass
class DispatchReport:
    """What dispatch did, per machine."""

    machines: dict[str, MachineDispatch] = field(default_factory=dict)

    def summary(self) -> dict[str, str]:
        out = {}
        for machine, m in self.machines.items():
            parts = [
                f"{len(getattr(m, name))} {name}"
                for name in ("stored", "updated", "kept", "cancelled", "aborted", "cleared")
                if getattr(m, name)
            ]
            out[machine] = ", ".join(parts) or "nothing to do"
        return out


@dataclass(frozen=True)
class HeldJobOrder:
    """A job order a receiver holds: its id, state, times and machine (its first equipment requirement)."""

    id: str
    state: str
    start: datetime | None
    end: datetime | None
    machine: str = ""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _same_time(a: datetime | None, b: datetime) -> bool:
    if a is None:
        return False
    if a.tzinfo is None:
        a = a.replace(tzinfo=UTC)
    return abs((a - b).total_seconds()) < 1e-3


def job_order(ua: Any, plan: Plan, order: ProductionOrder, op: PlannedOperation) -> Any:
    """The ``ISA95JobOrderDataType`` of an operation."""
    last = op is order.operations[-1]
    materials = [
        ua.ISA95MaterialDataType(MaterialDefinitionID=f.item, MaterialUse="Consumed", Quantity=_q(f.quantity))
        for f in op.consumes
    ]
    produced = [(f.item, f.quantity) for f in op.produces] or ([(order.item, order.quantity)] if last else [])
    materials += [
        ua.ISA95MaterialDataType(MaterialDefinitionID=i, MaterialUse="Produced", Quantity=_q(q))
        for i, q in produced
    ]
    return ua.ISA95JobOrderDataType(
        JobOrderID=op.id,
        Description=[ua.LocalizedText(f"{op.name} of {order.id} ({_q(order.quantity)} x {order.item})")],
        WorkMasterID=[ua.ISA95WorkMasterDataType(ID=op.name)],
        StartTime=_utc(plan.datetime_at(op.start)),
        EndTime=_utc(plan.datetime_at(op.end)),
        Priority=min(int(order.priority), 32767),
        JobOrderParameters=[
            ua.ISA95ParameterDataType(ID="OperationsRequestID", Value=ua.Variant(order.id)),
            ua.ISA95ParameterDataType(
                ID="SetupTime", Value=ua.Variant(float(op.setup * plan.seconds_per_unit))
            ),
        ],
        EquipmentRequirements=[
            ua.ISA95EquipmentDataType(ID=op.machine, EquipmentUse="Production", Quantity="1")
        ],
        MaterialRequirements=materials,
    )


def _q(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Session:
    """A connected client with the Job Control namespace and types loaded."""

    def __init__(self, client: Any, ua: Any, ns: int):
        self.client = client
        self.ua = ua
        self.ns = ns

    async def objects_of_type(self, type_id: int) -> list[Any]:
        from asyncua import ua

        wanted = ua.NodeId(type_id, self.ns)  # type: ignore[arg-type]
        found = []
        stack = [(self.client.nodes.objects, 0)]
        while stack:
            node, depth = stack.pop()
            for child in await node.get_children(
                refs=ua.ObjectIds.HierarchicalReferences, nodeclassmask=ua.NodeClass.Object
            ):
                if await child.read_type_definition() == wanted:
                    found.append(child)
                elif depth < 3:
                    stack.append((child, depth + 1))
        return found

    async def receivers(self) -> dict[str, Any]:
        """Receiver node per machine id it serves."""
        out: dict[str, Any] = {}
        for node in await self.objects_of_type(RECEIVER_TYPE):
            machines: list[str] = []
            try:
                prop = await node.get_child(f"{self.ns}:EquipmentID")
                value = await prop.read_value()
                machines = [v for v in (value or []) if v]
            except Exception:  # the property is optional
                machines = []
            if not machines:
                machines = [(await node.read_browse_name()).Name]
            for machine in machines:
                out[machine] = node
        return out

    async def held(self, receiver: Any) -> list[HeldJobOrder]:
        node = await receiver.get_child(f"{self.ns}:JobOrderList")
        out = []
        for item in await node.read_value() or []:
            state = item.State[0].StateText.Text if item.State else ""
            equipment = item.JobOrder.EquipmentRequirements or []
            out.append(
                HeldJobOrder(
                    item.JobOrder.JobOrderID,
                    state,
                    item.JobOrder.StartTime,
                    item.JobOrder.EndTime,
                    equipment[0].ID if equipment else "",
                )
            )
        return out

    async def call(self, receiver: Any, machine: str, method: str, *args: Any) -> None:
        ua = self.ua
        comment = [ua.LocalizedText("planner")]
        try:
            status = await receiver.call_method(f"{self.ns}:{method}", *args, comment)
        except Exception as exc:
            raise DispatchError(f"{machine}: {method} failed: {exc}") from exc
        if status:
            what = args[0] if isinstance(args[0], str) else getattr(args[0], "JobOrderID", "?")
            raise DispatchError(f"{machine}: {method} of job order {what!r} refused (ReturnStatus {status})")


async def _connect(endpoint: str, timeout: float) -> tuple[Any, _Session]:
    from asyncua import Client, ua

    client = Client(endpoint, timeout=timeout)
    try:
        await client.connect()
    except Exception as exc:
        raise DispatchError(f"cannot connect to {endpoint}: {exc or type(exc).__name__}") from None
    try:
        namespaces = await client.get_namespace_array()
        if JOBCONTROL_NS not in namespaces:
            raise DispatchError(f"{endpoint} does not offer ISA-95 Job Control ({JOBCONTROL_NS})")
        await client.load_data_type_definitions()
    except BaseException:
        await client.disconnect()
        raise
    return client, _Session(client, ua, namespaces.index(JOBCONTROL_NS))


def _wanted(plan: Plan, *machines: str) -> list[tuple[ProductionOrder, PlannedOperation]]:
    """The released and running operations of some machines, in start order."""
    lists = plan.by_machine()
    pairs = [(o, op) for m in machines for o, op in lists.get(m, []) if op.state in DISPATCHED_STATES]
    return sorted(pairs, key=lambda pair: (pair[1].start, pair[1].end, pair[1].id))


async def _dispatch_machine(
    session: _Session, plan: Plan, machines: Sequence[str], receiver: Any, start: bool
) -> MachineDispatch:
    machine = "+".join(machines)
    report = MachineDispatch(machine)
    wanted = _wanted(plan, *machines)
    wanted_ids = [op.id for _, op in wanted]
    # a receiver of a line also holds the job orders of machines not dispatched now: leave those alone
    held = [job for job in await session.held(receiver) if not job.machine or job.machine in machines]
    # Withdraw what the plan no longer releases on this machine.
    keep: list[HeldJobOrder] = []
    for job in held:
        if job.id in wanted_ids:
            keep.append(job)
        elif job.state in NOT_STARTED:
            await session.call(receiver, machine, "Cancel", job.id)
            report.cancelled.append(job.id)
        elif job.state in STARTED:
            await session.call(receiver, machine, "Abort", job.id)
            await session.call(receiver, machine, "Clear", job.id)
            report.aborted.append(job.id)
        else:
            await session.call(receiver, machine, "Clear", job.id)
            report.cleared.append(job.id)
    # Keep the longest prefix in plan order (and every started job); re-send the rest in order.
    position = 0
    kept: set[str] = set()
    for job in keep:
        in_order = position < len(wanted_ids) and wanted_ids[position] == job.id
        if in_order or job.state not in NOT_STARTED:
            kept.add(job.id)
            if in_order:
                position += 1
        else:
            await session.call(receiver, machine, "Cancel", job.id)
            report.cancelled.append(job.id)
            position = len(wanted_ids) + 1  # everything after a difference is re-sent
    by_id = {job.id: job for job in keep}
    started = any(by_id[i].state in STARTED for i in kept)
    for order, op in wanted:
        data = job_order(session.ua, plan, order, op)
        if op.id in kept:
            job = by_id[op.id]
            if job.state in NOT_STARTED and not (
                _same_time(job.start, data.StartTime) and _same_time(job.end, data.EndTime)
            ):
                await session.call(receiver, machine, "Update", data)
                report.updated.append(op.id)
            else:
                report.kept.append(op.id)
            continue
        method = "StoreAndStart" if start and not started else "Store"
        await session.call(receiver, machine, method, data)
        started = started or method == "StoreAndStart"
        report.stored.append(op.id)
    if report.cancelled and any(c in report.stored for c in report.cancelled):
        logger.info("%s: re-sent %d job orders to restore the plan's order", machine, len(report.cancelled))
    return report


async def dispatch(
    plan: Plan,
    endpoint: str,
    *,
    machines: Iterable[str] | None = None,
    start: bool = False,
    timeout: float = 10.0,
) -> DispatchReport:
    """Make the receivers at ``endpoint`` hold exactly the released job orders of ``plan``, in order.

    Parameters
    ----------
    plan
        The plan (its released and running operations are dispatched).
    endpoint
        ``opc.tcp://host:port/path`` of the controller.
    machines
        Only these machines (default: every machine of the plan that has a receiver).
    start
        Send the first job order of a machine with nothing running with ``StoreAndStart``.
    timeout
        Seconds per request.

    Raises
    ------
    DispatchError
        When the controller cannot be reached, does not offer Job Control, has no receiver for a machine
        asked for, or refuses a request.
    """
    client, session = await _connect(endpoint, timeout)
    try:
        receivers = await session.receivers()
        if machines is not None:
            names = list(machines)
            known = {m.id for m in plan.machines}
            unknown = [m for m in names if known and m not in known]
            if unknown:
                raise DispatchError(f"unknown machine(s) {', '.join(unknown)} in plan {plan.plan_id!r}")
            missing = [m for m in names if m not in receivers]
            if missing:
                raise DispatchError(f"{endpoint} has no job-order receiver for {', '.join(missing)}")
        else:
            names = [m.id for m in plan.machines if m.id in receivers]
            if not names:
                raise DispatchError(f"{endpoint} has no job-order receiver for any machine of the plan")
        groups: dict[Any, tuple[Any, list[str]]] = {}
        for machine in names:  # the machines of one receiver (a line) are dispatched together
            node = receivers[machine]
            groups.setdefault(node.nodeid, (node, []))[1].append(machine)
        report = DispatchReport()
        for node, group in groups.values():
            done = await _dispatch_machine(session, plan, group, node, start)
            report.machines[done.machine] = done
            logger.info("%s: %s", done.machine, report.summary()[done.machine])
        return report
    finally:
        await client.disconnect()


async def held_job_orders(endpoint: str, *, timeout: float = 10.0) -> dict[str, list[HeldJobOrder]]:
    """The job orders every receiver at ``endpoint`` holds, per machine, in the receiver's order."""
    client, session = await _connect(endpoint, timeout)
    try:
        out = {}
        for machine, node in (await session.receivers()).items():
            out[machine] = [job for job in await session.held(node) if job.machine in ("", machine)]
        return out
    finally:
        await client.disconnect()


def _actual_of(
    plan: Plan, response: Any, ops: dict[str, tuple[ProductionOrder, PlannedOperation]]
) -> Actual | None:
    job_id = response.JobOrderID
    if job_id not in ops:
        logger.warning("job response %s names unknown job order %r; ignored", response.JobResponseID, job_id)
        return None
    order, op = ops[job_id]
    if response.StartTime is None or response.StartTime.year < 1700:
        return None
    machine = response.EquipmentActuals[0].ID if response.EquipmentActuals else op.machine
    start = plan.time_of(_aware(response.StartTime))
    end = None
    state = response.JobState[0].StateText.Text if response.JobState else ""
    if response.EndTime is not None and response.EndTime.year > 1700 and state not in STARTED:
        end = max(start, plan.time_of(_aware(response.EndTime)))
    done: float | None = None
    scrap: float | None = None
    for material in response.MaterialActuals or []:
        try:
            value = float(material.Quantity)
        except (TypeError, ValueError):
            continue
        if material.MaterialUse == "Produced":
            done = (done or 0.0) + value
        elif (material.MaterialUse or "").lower() == "scrap":
            scrap = (scrap or 0.0) + value
    return Actual(order.id, op.id, machine, start, end, done, scrap)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def collect_actuals(plan: Plan, endpoint: str, *, timeout: float = 10.0) -> list[Actual]:
    """The job responses of the providers at ``endpoint`` as actuals of ``plan`` (unknown ids are skipped)."""
    client, session = await _connect(endpoint, timeout)
    ops = {op.id: (o, op) for o, op in plan.operations()}
    try:
        out: list[Actual] = []
        for provider in await session.objects_of_type(RESPONSE_PROVIDER_TYPE):
            node = await provider.get_child(f"{session.ns}:JobOrderResponseList")
            for response in await node.read_value() or []:
                actual = _actual_of(plan, response, ops)
                if actual is not None:
                    out.append(actual)
        return out
    finally:
        await client.disconnect()


def released_order(plan: Plan, machine: str) -> Sequence[str]:
    """Ids of the job orders dispatch sends to ``machine``, in start order."""
    return [op.id for _, op in _wanted(plan, machine)]
