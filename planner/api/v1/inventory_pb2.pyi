from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LotSizingBackend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOT_SIZING_BACKEND_UNSPECIFIED: _ClassVar[LotSizingBackend]
    LOT_SIZING_BACKEND_ORTOOLS: _ClassVar[LotSizingBackend]
    LOT_SIZING_BACKEND_PULP: _ClassVar[LotSizingBackend]

class PlanStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_STATUS_UNSPECIFIED: _ClassVar[PlanStatus]
    PLAN_STATUS_OPTIMAL: _ClassVar[PlanStatus]
    PLAN_STATUS_FEASIBLE: _ClassVar[PlanStatus]
    PLAN_STATUS_INFEASIBLE: _ClassVar[PlanStatus]
    PLAN_STATUS_UNKNOWN: _ClassVar[PlanStatus]
LOT_SIZING_BACKEND_UNSPECIFIED: LotSizingBackend
LOT_SIZING_BACKEND_ORTOOLS: LotSizingBackend
LOT_SIZING_BACKEND_PULP: LotSizingBackend
PLAN_STATUS_UNSPECIFIED: PlanStatus
PLAN_STATUS_OPTIMAL: PlanStatus
PLAN_STATUS_FEASIBLE: PlanStatus
PLAN_STATUS_INFEASIBLE: PlanStatus
PLAN_STATUS_UNKNOWN: PlanStatus

class DemandQuantile(_message.Message):
    __slots__ = ("level", "values")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    level: float
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, level: _Optional[float] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class LotSizingItem(_message.Message):
    __slots__ = ("name", "demand", "holding_cost", "setup_cost", "setup_time", "unit_time", "resource", "initial_inventory", "min_lot", "lot_multiple", "safety_stock", "max_inventory", "backlog_penalty", "safety_stock_penalty", "production_cost", "demand_quantiles", "lost_sales_penalty")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    HOLDING_COST_FIELD_NUMBER: _ClassVar[int]
    SETUP_COST_FIELD_NUMBER: _ClassVar[int]
    SETUP_TIME_FIELD_NUMBER: _ClassVar[int]
    UNIT_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    INITIAL_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    MIN_LOT_FIELD_NUMBER: _ClassVar[int]
    LOT_MULTIPLE_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    MAX_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_PENALTY_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_PENALTY_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_COST_FIELD_NUMBER: _ClassVar[int]
    DEMAND_QUANTILES_FIELD_NUMBER: _ClassVar[int]
    LOST_SALES_PENALTY_FIELD_NUMBER: _ClassVar[int]
    name: str
    demand: _containers.RepeatedScalarFieldContainer[float]
    holding_cost: float
    setup_cost: float
    setup_time: float
    unit_time: float
    resource: str
    initial_inventory: float
    min_lot: float
    lot_multiple: float
    safety_stock: _containers.RepeatedScalarFieldContainer[float]
    max_inventory: float
    backlog_penalty: float
    safety_stock_penalty: float
    production_cost: float
    demand_quantiles: _containers.RepeatedCompositeFieldContainer[DemandQuantile]
    lost_sales_penalty: float
    def __init__(self, name: _Optional[str] = ..., demand: _Optional[_Iterable[float]] = ..., holding_cost: _Optional[float] = ..., setup_cost: _Optional[float] = ..., setup_time: _Optional[float] = ..., unit_time: _Optional[float] = ..., resource: _Optional[str] = ..., initial_inventory: _Optional[float] = ..., min_lot: _Optional[float] = ..., lot_multiple: _Optional[float] = ..., safety_stock: _Optional[_Iterable[float]] = ..., max_inventory: _Optional[float] = ..., backlog_penalty: _Optional[float] = ..., safety_stock_penalty: _Optional[float] = ..., production_cost: _Optional[float] = ..., demand_quantiles: _Optional[_Iterable[_Union[DemandQuantile, _Mapping]]] = ..., lost_sales_penalty: _Optional[float] = ...) -> None: ...

class LotSizingResource(_message.Message):
    __slots__ = ("name", "capacity", "overtime", "overtime_cost")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    OVERTIME_FIELD_NUMBER: _ClassVar[int]
    OVERTIME_COST_FIELD_NUMBER: _ClassVar[int]
    name: str
    capacity: _containers.RepeatedScalarFieldContainer[float]
    overtime: _containers.RepeatedScalarFieldContainer[float]
    overtime_cost: float
    def __init__(self, name: _Optional[str] = ..., capacity: _Optional[_Iterable[float]] = ..., overtime: _Optional[_Iterable[float]] = ..., overtime_cost: _Optional[float] = ...) -> None: ...

class BomLine(_message.Message):
    __slots__ = ("parent", "component", "quantity", "lead_time")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    LEAD_TIME_FIELD_NUMBER: _ClassVar[int]
    parent: str
    component: str
    quantity: float
    lead_time: int
    def __init__(self, parent: _Optional[str] = ..., component: _Optional[str] = ..., quantity: _Optional[float] = ..., lead_time: _Optional[int] = ...) -> None: ...

class LotSizingProblem(_message.Message):
    __slots__ = ("name", "num_periods", "items", "resources", "bom", "max_total_inventory")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUM_PERIODS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    BOM_FIELD_NUMBER: _ClassVar[int]
    MAX_TOTAL_INVENTORY_FIELD_NUMBER: _ClassVar[int]
    name: str
    num_periods: int
    items: _containers.RepeatedCompositeFieldContainer[LotSizingItem]
    resources: _containers.RepeatedCompositeFieldContainer[LotSizingResource]
    bom: _containers.RepeatedCompositeFieldContainer[BomLine]
    max_total_inventory: float
    def __init__(self, name: _Optional[str] = ..., num_periods: _Optional[int] = ..., items: _Optional[_Iterable[_Union[LotSizingItem, _Mapping]]] = ..., resources: _Optional[_Iterable[_Union[LotSizingResource, _Mapping]]] = ..., bom: _Optional[_Iterable[_Union[BomLine, _Mapping]]] = ..., max_total_inventory: _Optional[float] = ...) -> None: ...

class LotSizingFile(_message.Message):
    __slots__ = ("format", "content", "name")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    format: str
    content: bytes
    name: str
    def __init__(self, format: _Optional[str] = ..., content: _Optional[bytes] = ..., name: _Optional[str] = ...) -> None: ...

class ForecastDemand(_message.Message):
    __slots__ = ("forecast_job_id",)
    FORECAST_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    forecast_job_id: str
    def __init__(self, forecast_job_id: _Optional[str] = ...) -> None: ...

class PlanningPolicy(_message.Message):
    __slots__ = ("demand_quantile", "service_level", "backlog_penalty", "safety_stock_penalty")
    DEMAND_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_PENALTY_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_PENALTY_FIELD_NUMBER: _ClassVar[int]
    demand_quantile: float
    service_level: float
    backlog_penalty: float
    safety_stock_penalty: float
    def __init__(self, demand_quantile: _Optional[float] = ..., service_level: _Optional[float] = ..., backlog_penalty: _Optional[float] = ..., safety_stock_penalty: _Optional[float] = ...) -> None: ...

class PlanInventoryOptions(_message.Message):
    __slots__ = ("backend", "time_limit_seconds", "num_threads", "seed", "mip_gap")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NUM_THREADS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MIP_GAP_FIELD_NUMBER: _ClassVar[int]
    backend: LotSizingBackend
    time_limit_seconds: float
    num_threads: int
    seed: int
    mip_gap: float
    def __init__(self, backend: _Optional[_Union[LotSizingBackend, str]] = ..., time_limit_seconds: _Optional[float] = ..., num_threads: _Optional[int] = ..., seed: _Optional[int] = ..., mip_gap: _Optional[float] = ...) -> None: ...

class PlanCosts(_message.Message):
    __slots__ = ("setup", "holding", "backlog", "safety_stock_shortfall", "overtime", "production", "total", "lost_sales")
    SETUP_FIELD_NUMBER: _ClassVar[int]
    HOLDING_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_SHORTFALL_FIELD_NUMBER: _ClassVar[int]
    OVERTIME_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LOST_SALES_FIELD_NUMBER: _ClassVar[int]
    setup: float
    holding: float
    backlog: float
    safety_stock_shortfall: float
    overtime: float
    production: float
    total: float
    lost_sales: float
    def __init__(self, setup: _Optional[float] = ..., holding: _Optional[float] = ..., backlog: _Optional[float] = ..., safety_stock_shortfall: _Optional[float] = ..., overtime: _Optional[float] = ..., production: _Optional[float] = ..., total: _Optional[float] = ..., lost_sales: _Optional[float] = ...) -> None: ...

class ItemPlan(_message.Message):
    __slots__ = ("item", "demand", "produce", "setup", "inventory", "backlog", "safety_stock", "lost")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    PRODUCE_FIELD_NUMBER: _ClassVar[int]
    SETUP_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    LOST_FIELD_NUMBER: _ClassVar[int]
    item: str
    demand: _containers.RepeatedScalarFieldContainer[float]
    produce: _containers.RepeatedScalarFieldContainer[float]
    setup: _containers.RepeatedScalarFieldContainer[bool]
    inventory: _containers.RepeatedScalarFieldContainer[float]
    backlog: _containers.RepeatedScalarFieldContainer[float]
    safety_stock: _containers.RepeatedScalarFieldContainer[float]
    lost: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, item: _Optional[str] = ..., demand: _Optional[_Iterable[float]] = ..., produce: _Optional[_Iterable[float]] = ..., setup: _Optional[_Iterable[bool]] = ..., inventory: _Optional[_Iterable[float]] = ..., backlog: _Optional[_Iterable[float]] = ..., safety_stock: _Optional[_Iterable[float]] = ..., lost: _Optional[_Iterable[float]] = ...) -> None: ...

class ResourceUse(_message.Message):
    __slots__ = ("resource", "load", "capacity", "overtime")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    OVERTIME_FIELD_NUMBER: _ClassVar[int]
    resource: str
    load: _containers.RepeatedScalarFieldContainer[float]
    capacity: _containers.RepeatedScalarFieldContainer[float]
    overtime: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, resource: _Optional[str] = ..., load: _Optional[_Iterable[float]] = ..., capacity: _Optional[_Iterable[float]] = ..., overtime: _Optional[_Iterable[float]] = ...) -> None: ...

class Shortfall(_message.Message):
    __slots__ = ("item", "period", "quantity", "kind")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    item: str
    period: int
    quantity: float
    kind: str
    def __init__(self, item: _Optional[str] = ..., period: _Optional[int] = ..., quantity: _Optional[float] = ..., kind: _Optional[str] = ...) -> None: ...

class PlanCheckResult(_message.Message):
    __slots__ = ("ok", "violations", "total_cost")
    OK_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COST_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    violations: _containers.RepeatedScalarFieldContainer[str]
    total_cost: float
    def __init__(self, ok: _Optional[bool] = ..., violations: _Optional[_Iterable[str]] = ..., total_cost: _Optional[float] = ...) -> None: ...

class PlanInventoryResult(_message.Message):
    __slots__ = ("status", "objective", "bound", "gap", "runtime_seconds", "backend", "solver_status", "costs", "items", "resources", "shortfalls", "explanation", "check", "instance_name", "num_periods", "notes")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    SOLVER_STATUS_FIELD_NUMBER: _ClassVar[int]
    COSTS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    SHORTFALLS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    CHECK_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_NAME_FIELD_NUMBER: _ClassVar[int]
    NUM_PERIODS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    status: PlanStatus
    objective: float
    bound: float
    gap: float
    runtime_seconds: float
    backend: str
    solver_status: str
    costs: PlanCosts
    items: _containers.RepeatedCompositeFieldContainer[ItemPlan]
    resources: _containers.RepeatedCompositeFieldContainer[ResourceUse]
    shortfalls: _containers.RepeatedCompositeFieldContainer[Shortfall]
    explanation: _containers.RepeatedScalarFieldContainer[str]
    check: PlanCheckResult
    instance_name: str
    num_periods: int
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, status: _Optional[_Union[PlanStatus, str]] = ..., objective: _Optional[float] = ..., bound: _Optional[float] = ..., gap: _Optional[float] = ..., runtime_seconds: _Optional[float] = ..., backend: _Optional[str] = ..., solver_status: _Optional[str] = ..., costs: _Optional[_Union[PlanCosts, _Mapping]] = ..., items: _Optional[_Iterable[_Union[ItemPlan, _Mapping]]] = ..., resources: _Optional[_Iterable[_Union[ResourceUse, _Mapping]]] = ..., shortfalls: _Optional[_Iterable[_Union[Shortfall, _Mapping]]] = ..., explanation: _Optional[_Iterable[str]] = ..., check: _Optional[_Union[PlanCheckResult, _Mapping]] = ..., instance_name: _Optional[str] = ..., num_periods: _Optional[int] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...
