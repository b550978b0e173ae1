"""A small, honest OPC UA for ISA-95 Job Control controller for the tests (a real asyncua server).

It loads the Job Control nodeset shipped with planner, offers one ``ISA95JobOrderReceiverObjectType`` per
machine (its ``EquipmentID`` names the machine) and one ``ISA95JobResponseProviderObjectType``, and
implements the receiver methods with the rules of OPC 10031-4: Store/StoreAndStart add a job order (a
duplicate id is refused), Update changes one not started, Cancel removes one not started, Start and Abort
change states, Clear removes ended or aborted ones. ``JobOrderList`` always shows the list in the order
the receiver keeps it. :meth:`FakeController.finish` plays a machine finishing a job order (a job response).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asyncua import Server, ua
from asyncua.common.methods import uamethod

from planner.interchange.opcua import JOBCONTROL_NS, RECEIVER_TYPE, RESPONSE_PROVIDER_TYPE
from planner.interchange.validate import JOBCONTROL_NODESET

OK = 0
REFUSED = 1  # a non-zero ReturnStatus: the request was not done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Held:
    order: Any  # ua.ISA95JobOrderDataType
    state: str


@dataclass
class Receiver:
    machine: str
    node: Any = None
    jobs: list[Held] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def find(self, job_id: str) -> Held | None:
        return next((h for h in self.jobs if h.order.JobOrderID == job_id), None)


class FakeController:
    """The controller; ``async with FakeController(["SAW-01", ...]) as c:`` serves on ``c.endpoint``."""

    def __init__(self, machines: list[str], lines: dict[str, list[str]] | None = None):
        self.machines = machines
        self.port = free_port()
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/planner-test/"
        self.receivers: dict[str, Receiver] = {m: Receiver(m) for m in machines}
        # a receiver per line serves several machines (its EquipmentID lists them)
        self.serves: dict[str, list[str]] = {m: [m] for m in machines}
        for line, members in (lines or {}).items():
            self.receivers[line] = Receiver(line)
            self.serves[line] = list(members)
        self.responses: list[Any] = []
        self.server: Any = None

    async def __aenter__(self) -> FakeController:
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("planner test controller")
        await server.import_xml(str(JOBCONTROL_NODESET))
        await server.load_data_type_definitions()
        self.ns = await server.get_namespace_index(JOBCONTROL_NS)
        own = await server.register_namespace("urn:planner:test-controller")
        for machine, receiver in self.receivers.items():
            node = await server.nodes.objects.add_object(
                own, machine, objecttype=ua.NodeId(RECEIVER_TYPE, self.ns)
            )
            receiver.node = node
            equipment = await node.get_child(f"{self.ns}:EquipmentID")
            await equipment.write_value(ua.Variant(self.serves[machine], ua.VariantType.String))
            for name in ("Store", "StoreAndStart", "Update", "Cancel", "Abort", "Clear", "Start"):
                method = await node.get_child(f"{self.ns}:{name}")
                server.link_method(method, self._handler(receiver, name))
            await self._publish(receiver)
        self.provider = await server.nodes.objects.add_object(
            own, "JobResponses", objecttype=ua.NodeId(RESPONSE_PROVIDER_TYPE, self.ns)
        )
        self.server = server
        await server.start()
        await self._publish_responses()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.server.stop()

    # -- the receiver methods ----------------------------------------------------------------------------

    def _handler(self, receiver: Receiver, name: str) -> Any:
        controller = self

        @uamethod
        async def handler(parent: Any, first: Any, comment: Any = None) -> Any:
            job_id = first if isinstance(first, str) else first.JobOrderID
            receiver.calls.append((name, job_id))
            status = controller._apply(receiver, name, first)
            await controller._publish(receiver)
            return ua.Variant(status, ua.VariantType.UInt64)

        return handler

    def _apply(self, receiver: Receiver, name: str, arg: Any) -> int:
        if name in ("Store", "StoreAndStart"):
            if receiver.find(arg.JobOrderID) is not None:
                return REFUSED
            receiver.jobs.append(Held(arg, "Running" if name == "StoreAndStart" else "AllowedToStart"))
            return OK
        held = receiver.find(arg.JobOrderID if not isinstance(arg, str) else arg)
        if held is None:
            return REFUSED
        if name == "Update":
            if held.state not in ("NotAllowedToStart", "AllowedToStart"):
                return REFUSED
            held.order = arg
        elif name == "Cancel":
            if held.state not in ("NotAllowedToStart", "AllowedToStart"):
                return REFUSED
            receiver.jobs.remove(held)
        elif name == "Start":
            if held.state not in ("NotAllowedToStart", "AllowedToStart"):
                return REFUSED
            held.state = "Running"
        elif name == "Abort":
            if held.state in ("Ended", "Aborted"):
                return REFUSED
            held.state = "Aborted"
        elif name == "Clear":
            if held.state not in ("Ended", "Aborted"):
                return REFUSED
            receiver.jobs.remove(held)
        return OK

    async def _publish(self, receiver: Receiver) -> None:
        items = [
            ua.ISA95JobOrderAndStateDataType(
                JobOrder=h.order,
                State=[ua.ISA95StateDataType(StateText=ua.LocalizedText(h.state), StateNumber=0)],
            )
            for h in receiver.jobs
        ]
        node = await receiver.node.get_child(f"{self.ns}:JobOrderList")
        await node.write_value(ua.Variant(items, ua.VariantType.ExtensionObject))

    async def _publish_responses(self) -> None:
        node = await self.provider.get_child(f"{self.ns}:JobOrderResponseList")
        await node.write_value(ua.Variant(self.responses, ua.VariantType.ExtensionObject))

    # -- what a machine does -----------------------------------------------------------------------------

    async def finish(
        self, machine: str, job_id: str, start: datetime, end: datetime, quantity: float
    ) -> None:
        """The machine ran ``job_id`` from ``start`` to ``end`` and made ``quantity``: a job response."""
        receiver = self.receivers[machine]
        held = receiver.find(job_id)
        assert held is not None, job_id
        held.state = "Ended"
        await self._publish(receiver)
        self.responses.append(
            ua.ISA95JobResponseDataType(
                JobResponseID=f"{job_id}:response",
                JobOrderID=job_id,
                StartTime=start,
                EndTime=end,
                JobState=[ua.ISA95StateDataType(StateText=ua.LocalizedText("Ended"), StateNumber=0)],
                EquipmentActuals=[
                    ua.ISA95EquipmentDataType(ID=machine, EquipmentUse="Production", Quantity="1")
                ],
                MaterialActuals=[ua.ISA95MaterialDataType(MaterialUse="Produced", Quantity=str(quantity))],
            )
        )
        await self._publish_responses()

    def held_ids(self, machine: str) -> list[str]:
        return [h.order.JobOrderID for h in self.receivers[machine].jobs]
