"""The end-to-end plan: forecast -> inventory plan -> orders -> schedule, and the plan it produces.

:mod:`planner.planning.plan` holds the plan contract (:class:`Plan` and its parts) shared by the planning
pipeline and the MES/ERP interchange.
"""

from planner.planning.plan import (
    DONE_STATES,
    PINNED_STATES,
    STATES,
    InventoryTarget,
    MaterialFlow,
    Plan,
    PlanMachine,
    PlannedMaintenance,
    PlannedOperation,
    ProductionOrder,
    PurchaseOrder,
    plan_from_schedule,
)

__all__ = [
    "DONE_STATES",
    "PINNED_STATES",
    "STATES",
    "InventoryTarget",
    "MaterialFlow",
    "Plan",
    "PlanMachine",
    "PlannedMaintenance",
    "PlannedOperation",
    "ProductionOrder",
    "PurchaseOrder",
    "plan_from_schedule",
]
