"""Lot sizing and inventory planning: how much to make, when, and how much to keep.

>>> from planner.inventory import LotSizingData, Item, Resource, solve
"""

from __future__ import annotations

from planner.inventory.check import PlanCheck, Violation, check_plan
from planner.inventory.plan import CostBreakdown, LotSizingResult, Plan, PlanStatus, Shortfall
from planner.inventory.policies import (
    Policy,
    eoq,
    order_up_to_policy,
    reorder_point_policy,
    safety_stock_cycle_service,
    safety_stock_fill_rate,
    safety_stock_from_quantiles,
)
from planner.inventory.problem_data import BomEntry, Item, LotSizingData, Resource
from planner.inventory.simulate import SimulationResult, simulate_plan
from planner.inventory.solve import Solver, solve

__all__ = [
    "BomEntry",
    "CostBreakdown",
    "Item",
    "LotSizingData",
    "LotSizingResult",
    "Plan",
    "PlanCheck",
    "PlanStatus",
    "Policy",
    "Resource",
    "Shortfall",
    "SimulationResult",
    "Solver",
    "Violation",
    "check_plan",
    "eoq",
    "order_up_to_policy",
    "reorder_point_policy",
    "safety_stock_cycle_service",
    "safety_stock_fill_rate",
    "safety_stock_from_quantiles",
    "simulate_plan",
    "solve",
]
