import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanSettings(_message.Message):
    __slots__ = ("time_limit_seconds", "lot_time_limit_seconds", "num_workers", "seed", "service_level", "forecast_models", "forecast_default", "makespan_tolerance")
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LOT_TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NUM_WORKERS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    FORECAST_MODELS_FIELD_NUMBER: _ClassVar[int]
    FORECAST_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    MAKESPAN_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    time_limit_seconds: float
    lot_time_limit_seconds: float
    num_workers: int
    seed: int
    service_level: float
    forecast_models: _containers.RepeatedScalarFieldContainer[str]
    forecast_default: str
    makespan_tolerance: float
    def __init__(self, time_limit_seconds: _Optional[float] = ..., lot_time_limit_seconds: _Optional[float] = ..., num_workers: _Optional[int] = ..., seed: _Optional[int] = ..., service_level: _Optional[float] = ..., forecast_models: _Optional[_Iterable[str]] = ..., forecast_default: _Optional[str] = ..., makespan_tolerance: _Optional[float] = ...) -> None: ...

class CustomerOrder(_message.Message):
    __slots__ = ("order_id", "product", "quantity", "due", "options", "priority")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    product: str
    quantity: float
    due: _timestamp_pb2.Timestamp
    options: _containers.RepeatedScalarFieldContainer[str]
    priority: int
    def __init__(self, order_id: _Optional[str] = ..., product: _Optional[str] = ..., quantity: _Optional[float] = ..., due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., options: _Optional[_Iterable[str]] = ..., priority: _Optional[int] = ...) -> None: ...

class CustomerOrders(_message.Message):
    __slots__ = ("orders", "csv")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[CustomerOrder]
    csv: bytes
    def __init__(self, orders: _Optional[_Iterable[_Union[CustomerOrder, _Mapping]]] = ..., csv: _Optional[bytes] = ...) -> None: ...

class PlanKpis(_message.Message):
    __slots__ = ("otif_pct", "total_tardiness", "makespan", "setup_time", "inventory_value_mean", "backlog_end", "energy_cost", "energy_kwh", "peak_power_kw", "co2_kg", "schedule_status", "all")
    OTIF_PCT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TARDINESS_FIELD_NUMBER: _ClassVar[int]
    MAKESPAN_FIELD_NUMBER: _ClassVar[int]
    SETUP_TIME_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_VALUE_MEAN_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_END_FIELD_NUMBER: _ClassVar[int]
    ENERGY_COST_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    PEAK_POWER_KW_FIELD_NUMBER: _ClassVar[int]
    CO2_KG_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_STATUS_FIELD_NUMBER: _ClassVar[int]
    ALL_FIELD_NUMBER: _ClassVar[int]
    otif_pct: float
    total_tardiness: float
    makespan: float
    setup_time: float
    inventory_value_mean: float
    backlog_end: float
    energy_cost: float
    energy_kwh: float
    peak_power_kw: float
    co2_kg: float
    schedule_status: str
    all: _struct_pb2.Struct
    def __init__(self, otif_pct: _Optional[float] = ..., total_tardiness: _Optional[float] = ..., makespan: _Optional[float] = ..., setup_time: _Optional[float] = ..., inventory_value_mean: _Optional[float] = ..., backlog_end: _Optional[float] = ..., energy_cost: _Optional[float] = ..., energy_kwh: _Optional[float] = ..., peak_power_kw: _Optional[float] = ..., co2_kg: _Optional[float] = ..., schedule_status: _Optional[str] = ..., all: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PlanSummary(_message.Message):
    __slots__ = ("plan_id", "version", "previous_version", "kpis", "num_orders", "num_operations")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_VERSION_FIELD_NUMBER: _ClassVar[int]
    KPIS_FIELD_NUMBER: _ClassVar[int]
    NUM_ORDERS_FIELD_NUMBER: _ClassVar[int]
    NUM_OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    version: int
    previous_version: int
    kpis: PlanKpis
    num_orders: int
    num_operations: int
    def __init__(self, plan_id: _Optional[str] = ..., version: _Optional[int] = ..., previous_version: _Optional[int] = ..., kpis: _Optional[_Union[PlanKpis, _Mapping]] = ..., num_orders: _Optional[int] = ..., num_operations: _Optional[int] = ...) -> None: ...

class DispatchEntry(_message.Message):
    __slots__ = ("order_id", "operation_id", "operation_name", "sequence", "item", "quantity", "start", "end", "start_units", "end_units", "setup", "state")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_NAME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    START_UNITS_FIELD_NUMBER: _ClassVar[int]
    END_UNITS_FIELD_NUMBER: _ClassVar[int]
    SETUP_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    operation_id: str
    operation_name: str
    sequence: int
    item: str
    quantity: float
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    start_units: int
    end_units: int
    setup: int
    state: str
    def __init__(self, order_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., operation_name: _Optional[str] = ..., sequence: _Optional[int] = ..., item: _Optional[str] = ..., quantity: _Optional[float] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_units: _Optional[int] = ..., end_units: _Optional[int] = ..., setup: _Optional[int] = ..., state: _Optional[str] = ...) -> None: ...

class MachineDispatch(_message.Message):
    __slots__ = ("machine_id", "name", "entries")
    MACHINE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    machine_id: str
    name: str
    entries: _containers.RepeatedCompositeFieldContainer[DispatchEntry]
    def __init__(self, machine_id: _Optional[str] = ..., name: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[DispatchEntry, _Mapping]]] = ...) -> None: ...

class PlanOrder(_message.Message):
    __slots__ = ("order_id", "item", "quantity", "kind", "period", "state", "start", "end", "due", "priority", "options", "num_operations")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    NUM_OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    item: str
    quantity: float
    kind: str
    period: int
    state: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    due: _timestamp_pb2.Timestamp
    priority: int
    options: _containers.RepeatedScalarFieldContainer[str]
    num_operations: int
    def __init__(self, order_id: _Optional[str] = ..., item: _Optional[str] = ..., quantity: _Optional[float] = ..., kind: _Optional[str] = ..., period: _Optional[int] = ..., state: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., priority: _Optional[int] = ..., options: _Optional[_Iterable[str]] = ..., num_operations: _Optional[int] = ...) -> None: ...

class InventoryTarget(_message.Message):
    __slots__ = ("item", "period", "period_start", "period_end", "produce", "inventory", "backlog", "safety_stock", "demand")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    PRODUCE_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    BACKLOG_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    item: str
    period: int
    period_start: _timestamp_pb2.Timestamp
    period_end: _timestamp_pb2.Timestamp
    produce: float
    inventory: float
    backlog: float
    safety_stock: float
    demand: float
    def __init__(self, item: _Optional[str] = ..., period: _Optional[int] = ..., period_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., produce: _Optional[float] = ..., inventory: _Optional[float] = ..., backlog: _Optional[float] = ..., safety_stock: _Optional[float] = ..., demand: _Optional[float] = ...) -> None: ...

class PurchaseOrder(_message.Message):
    __slots__ = ("purchase_id", "item", "quantity", "due", "order_by", "period")
    PURCHASE_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    purchase_id: str
    item: str
    quantity: float
    due: _timestamp_pb2.Timestamp
    order_by: _timestamp_pb2.Timestamp
    period: int
    def __init__(self, purchase_id: _Optional[str] = ..., item: _Optional[str] = ..., quantity: _Optional[float] = ..., due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period: _Optional[int] = ...) -> None: ...

class PlannedMaintenance(_message.Message):
    __slots__ = ("maintenance_id", "machine_id", "name", "start", "end", "start_units", "end_units", "state")
    MAINTENANCE_ID_FIELD_NUMBER: _ClassVar[int]
    MACHINE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    START_UNITS_FIELD_NUMBER: _ClassVar[int]
    END_UNITS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    maintenance_id: str
    machine_id: str
    name: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    start_units: int
    end_units: int
    state: str
    def __init__(self, maintenance_id: _Optional[str] = ..., machine_id: _Optional[str] = ..., name: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_units: _Optional[int] = ..., end_units: _Optional[int] = ..., state: _Optional[str] = ...) -> None: ...

class PlanView(_message.Message):
    __slots__ = ("summary", "plant", "time_origin", "time_unit", "timezone", "dispatch", "orders", "inventory", "purchases", "maintenance", "create_time", "plan_json")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PLANT_FIELD_NUMBER: _ClassVar[int]
    TIME_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIT_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    DISPATCH_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    PURCHASES_FIELD_NUMBER: _ClassVar[int]
    MAINTENANCE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PLAN_JSON_FIELD_NUMBER: _ClassVar[int]
    summary: PlanSummary
    plant: str
    time_origin: _timestamp_pb2.Timestamp
    time_unit: str
    timezone: str
    dispatch: _containers.RepeatedCompositeFieldContainer[MachineDispatch]
    orders: _containers.RepeatedCompositeFieldContainer[PlanOrder]
    inventory: _containers.RepeatedCompositeFieldContainer[InventoryTarget]
    purchases: _containers.RepeatedCompositeFieldContainer[PurchaseOrder]
    maintenance: _containers.RepeatedCompositeFieldContainer[PlannedMaintenance]
    create_time: _timestamp_pb2.Timestamp
    plan_json: bytes
    def __init__(self, summary: _Optional[_Union[PlanSummary, _Mapping]] = ..., plant: _Optional[str] = ..., time_origin: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_unit: _Optional[str] = ..., timezone: _Optional[str] = ..., dispatch: _Optional[_Iterable[_Union[MachineDispatch, _Mapping]]] = ..., orders: _Optional[_Iterable[_Union[PlanOrder, _Mapping]]] = ..., inventory: _Optional[_Iterable[_Union[InventoryTarget, _Mapping]]] = ..., purchases: _Optional[_Iterable[_Union[PurchaseOrder, _Mapping]]] = ..., maintenance: _Optional[_Iterable[_Union[PlannedMaintenance, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., plan_json: _Optional[bytes] = ...) -> None: ...

class BreakdownEvent(_message.Message):
    __slots__ = ("machine_id", "start", "end")
    MACHINE_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    machine_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, machine_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RushOrderEvent(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: CustomerOrder
    def __init__(self, order: _Optional[_Union[CustomerOrder, _Mapping]] = ...) -> None: ...

class OperationUpdateEvent(_message.Message):
    __slots__ = ("order_id", "operation_id", "start", "end")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    operation_id: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCancelledEvent(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class PlanEvent(_message.Message):
    __slots__ = ("breakdown", "rush_order", "operation_update", "order_cancelled")
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    RUSH_ORDER_FIELD_NUMBER: _ClassVar[int]
    OPERATION_UPDATE_FIELD_NUMBER: _ClassVar[int]
    ORDER_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    breakdown: BreakdownEvent
    rush_order: RushOrderEvent
    operation_update: OperationUpdateEvent
    order_cancelled: OrderCancelledEvent
    def __init__(self, breakdown: _Optional[_Union[BreakdownEvent, _Mapping]] = ..., rush_order: _Optional[_Union[RushOrderEvent, _Mapping]] = ..., operation_update: _Optional[_Union[OperationUpdateEvent, _Mapping]] = ..., order_cancelled: _Optional[_Union[OrderCancelledEvent, _Mapping]] = ...) -> None: ...

class OperationMove(_message.Message):
    __slots__ = ("order_id", "operation_id", "old_machine", "new_machine", "old_start", "new_start", "old_end", "new_end")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_MACHINE_FIELD_NUMBER: _ClassVar[int]
    NEW_MACHINE_FIELD_NUMBER: _ClassVar[int]
    OLD_START_FIELD_NUMBER: _ClassVar[int]
    NEW_START_FIELD_NUMBER: _ClassVar[int]
    OLD_END_FIELD_NUMBER: _ClassVar[int]
    NEW_END_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    operation_id: str
    old_machine: str
    new_machine: str
    old_start: _timestamp_pb2.Timestamp
    new_start: _timestamp_pb2.Timestamp
    old_end: _timestamp_pb2.Timestamp
    new_end: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., old_machine: _Optional[str] = ..., new_machine: _Optional[str] = ..., old_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., new_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., old_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., new_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlanChanges(_message.Message):
    __slots__ = ("old_version", "new_version", "moved", "added", "cancelled", "restated")
    OLD_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    ADDED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    RESTATED_FIELD_NUMBER: _ClassVar[int]
    old_version: int
    new_version: int
    moved: _containers.RepeatedCompositeFieldContainer[OperationMove]
    added: _containers.RepeatedScalarFieldContainer[str]
    cancelled: _containers.RepeatedScalarFieldContainer[str]
    restated: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, old_version: _Optional[int] = ..., new_version: _Optional[int] = ..., moved: _Optional[_Iterable[_Union[OperationMove, _Mapping]]] = ..., added: _Optional[_Iterable[str]] = ..., cancelled: _Optional[_Iterable[str]] = ..., restated: _Optional[_Iterable[str]] = ...) -> None: ...

class ScenarioKpis(_message.Message):
    __slots__ = ("scenario", "description", "kpis")
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KPIS_FIELD_NUMBER: _ClassVar[int]
    scenario: str
    description: str
    kpis: PlanKpis
    def __init__(self, scenario: _Optional[str] = ..., description: _Optional[str] = ..., kpis: _Optional[_Union[PlanKpis, _Mapping]] = ...) -> None: ...

class ExportedDocument(_message.Message):
    __slots__ = ("name", "media_type", "content")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    media_type: str
    content: bytes
    def __init__(self, name: _Optional[str] = ..., media_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...
