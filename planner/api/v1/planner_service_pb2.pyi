import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import forecasting_pb2 as _forecasting_pb2
from . import inventory_pb2 as _inventory_pb2
from . import planning_pb2 as _planning_pb2
from . import scheduling_pb2 as _scheduling_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_KIND_UNSPECIFIED: _ClassVar[JobKind]
    JOB_KIND_SCHEDULE: _ClassVar[JobKind]
    JOB_KIND_FORECAST: _ClassVar[JobKind]
    JOB_KIND_INVENTORY: _ClassVar[JobKind]
    JOB_KIND_PLAN: _ClassVar[JobKind]

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_QUEUED: _ClassVar[JobState]
    JOB_STATE_RUNNING: _ClassVar[JobState]
    JOB_STATE_SUCCEEDED: _ClassVar[JobState]
    JOB_STATE_FAILED: _ClassVar[JobState]
    JOB_STATE_CANCELLED: _ClassVar[JobState]

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPORT_FORMAT_UNSPECIFIED: _ClassVar[ExportFormat]
    EXPORT_FORMAT_B2MML_XML: _ClassVar[ExportFormat]
    EXPORT_FORMAT_B2MML_JSON: _ClassVar[ExportFormat]
    EXPORT_FORMAT_CSV: _ClassVar[ExportFormat]

class OrderAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_ACTION_UNSPECIFIED: _ClassVar[OrderAction]
    ORDER_ACTION_APPROVE: _ClassVar[OrderAction]
    ORDER_ACTION_RELEASE: _ClassVar[OrderAction]
    ORDER_ACTION_CANCEL: _ClassVar[OrderAction]
JOB_KIND_UNSPECIFIED: JobKind
JOB_KIND_SCHEDULE: JobKind
JOB_KIND_FORECAST: JobKind
JOB_KIND_INVENTORY: JobKind
JOB_KIND_PLAN: JobKind
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_QUEUED: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_CANCELLED: JobState
EXPORT_FORMAT_UNSPECIFIED: ExportFormat
EXPORT_FORMAT_B2MML_XML: ExportFormat
EXPORT_FORMAT_B2MML_JSON: ExportFormat
EXPORT_FORMAT_CSV: ExportFormat
ORDER_ACTION_UNSPECIFIED: OrderAction
ORDER_ACTION_APPROVE: OrderAction
ORDER_ACTION_RELEASE: OrderAction
ORDER_ACTION_CANCEL: OrderAction

class SolveScheduleRequest(_message.Message):
    __slots__ = ("instance", "instance_file", "options")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FILE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    instance: _scheduling_pb2.ProblemInstance
    instance_file: _scheduling_pb2.InstanceFile
    options: _scheduling_pb2.SolveOptions
    def __init__(self, instance: _Optional[_Union[_scheduling_pb2.ProblemInstance, _Mapping]] = ..., instance_file: _Optional[_Union[_scheduling_pb2.InstanceFile, _Mapping]] = ..., options: _Optional[_Union[_scheduling_pb2.SolveOptions, _Mapping]] = ...) -> None: ...

class SolveScheduleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _scheduling_pb2.SolveResult
    def __init__(self, result: _Optional[_Union[_scheduling_pb2.SolveResult, _Mapping]] = ...) -> None: ...

class ValidateInstanceRequest(_message.Message):
    __slots__ = ("instance", "instance_file")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FILE_FIELD_NUMBER: _ClassVar[int]
    instance: _scheduling_pb2.ProblemInstance
    instance_file: _scheduling_pb2.InstanceFile
    def __init__(self, instance: _Optional[_Union[_scheduling_pb2.ProblemInstance, _Mapping]] = ..., instance_file: _Optional[_Union[_scheduling_pb2.InstanceFile, _Mapping]] = ...) -> None: ...

class ValidateInstanceResponse(_message.Message):
    __slots__ = ("valid", "violations", "summary")
    VALID_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    violations: _containers.RepeatedCompositeFieldContainer[_scheduling_pb2.FieldViolation]
    summary: _scheduling_pb2.InstanceSummary
    def __init__(self, valid: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[_scheduling_pb2.FieldViolation, _Mapping]]] = ..., summary: _Optional[_Union[_scheduling_pb2.InstanceSummary, _Mapping]] = ...) -> None: ...

class JobProgress(_message.Message):
    __slots__ = ("objective", "bound", "gap", "runtime_seconds", "num_solutions", "series_done", "series_total", "stage")
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NUM_SOLUTIONS_FIELD_NUMBER: _ClassVar[int]
    SERIES_DONE_FIELD_NUMBER: _ClassVar[int]
    SERIES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    objective: float
    bound: float
    gap: float
    runtime_seconds: float
    num_solutions: int
    series_done: int
    series_total: int
    stage: str
    def __init__(self, objective: _Optional[float] = ..., bound: _Optional[float] = ..., gap: _Optional[float] = ..., runtime_seconds: _Optional[float] = ..., num_solutions: _Optional[int] = ..., series_done: _Optional[int] = ..., series_total: _Optional[int] = ..., stage: _Optional[str] = ...) -> None: ...

class JobInfo(_message.Message):
    __slots__ = ("job_id", "kind", "state", "request_id", "name", "create_time", "start_time", "end_time", "progress", "error", "cancel_requested", "attempts", "schedule_result", "forecast_result", "inventory_result", "plan_result", "instance", "lotsizing_problem")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_RESULT_FIELD_NUMBER: _ClassVar[int]
    FORECAST_RESULT_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_RESULT_FIELD_NUMBER: _ClassVar[int]
    PLAN_RESULT_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    LOTSIZING_PROBLEM_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    kind: JobKind
    state: JobState
    request_id: str
    name: str
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    progress: JobProgress
    error: str
    cancel_requested: bool
    attempts: int
    schedule_result: _scheduling_pb2.SolveResult
    forecast_result: _forecasting_pb2.ForecastResult
    inventory_result: _inventory_pb2.PlanInventoryResult
    plan_result: _planning_pb2.PlanSummary
    instance: _scheduling_pb2.ProblemInstance
    lotsizing_problem: _inventory_pb2.LotSizingProblem
    def __init__(self, job_id: _Optional[str] = ..., kind: _Optional[_Union[JobKind, str]] = ..., state: _Optional[_Union[JobState, str]] = ..., request_id: _Optional[str] = ..., name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., error: _Optional[str] = ..., cancel_requested: _Optional[bool] = ..., attempts: _Optional[int] = ..., schedule_result: _Optional[_Union[_scheduling_pb2.SolveResult, _Mapping]] = ..., forecast_result: _Optional[_Union[_forecasting_pb2.ForecastResult, _Mapping]] = ..., inventory_result: _Optional[_Union[_inventory_pb2.PlanInventoryResult, _Mapping]] = ..., plan_result: _Optional[_Union[_planning_pb2.PlanSummary, _Mapping]] = ..., instance: _Optional[_Union[_scheduling_pb2.ProblemInstance, _Mapping]] = ..., lotsizing_problem: _Optional[_Union[_inventory_pb2.LotSizingProblem, _Mapping]] = ...) -> None: ...

class StartSolveRequest(_message.Message):
    __slots__ = ("instance", "instance_file", "options", "request_id")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FILE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    instance: _scheduling_pb2.ProblemInstance
    instance_file: _scheduling_pb2.InstanceFile
    options: _scheduling_pb2.SolveOptions
    request_id: str
    def __init__(self, instance: _Optional[_Union[_scheduling_pb2.ProblemInstance, _Mapping]] = ..., instance_file: _Optional[_Union[_scheduling_pb2.InstanceFile, _Mapping]] = ..., options: _Optional[_Union[_scheduling_pb2.SolveOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartSolveResponse(_message.Message):
    __slots__ = ("job", "existing")
    JOB_FIELD_NUMBER: _ClassVar[int]
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    existing: bool
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ..., existing: _Optional[bool] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("job_id", "include_instance")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    include_instance: bool
    def __init__(self, job_id: _Optional[str] = ..., include_instance: _Optional[bool] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "kind")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: JobState
    kind: JobKind
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., kind: _Optional[_Union[JobKind, str]] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[JobInfo]
    next_page_token: str
    def __init__(self, jobs: _Optional[_Iterable[_Union[JobInfo, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ("job_id", "after_sequence")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    after_sequence: int
    def __init__(self, job_id: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class JobStateChange(_message.Message):
    __slots__ = ("state", "message")
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    state: JobState
    message: str
    def __init__(self, state: _Optional[_Union[JobState, str]] = ..., message: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: JobState
    def __init__(self, state: _Optional[_Union[JobState, str]] = ...) -> None: ...

class WatchJobResponse(_message.Message):
    __slots__ = ("sequence", "time", "state_change", "progress", "heartbeat", "job")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    time: _timestamp_pb2.Timestamp
    state_change: JobStateChange
    progress: JobProgress
    heartbeat: Heartbeat
    job: JobInfo
    def __init__(self, sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state_change: _Optional[_Union[JobStateChange, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., job: _Optional[_Union[JobInfo, _Mapping]] = ...) -> None: ...

class ForecastRequest(_message.Message):
    __slots__ = ("history", "history_file", "future", "future_file", "options", "name")
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FILE_FIELD_NUMBER: _ClassVar[int]
    FUTURE_FIELD_NUMBER: _ClassVar[int]
    FUTURE_FILE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    history: _forecasting_pb2.DemandHistory
    history_file: _forecasting_pb2.TableFile
    future: _forecasting_pb2.FutureRegressors
    future_file: _forecasting_pb2.TableFile
    options: _forecasting_pb2.ForecastOptions
    name: str
    def __init__(self, history: _Optional[_Union[_forecasting_pb2.DemandHistory, _Mapping]] = ..., history_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., future: _Optional[_Union[_forecasting_pb2.FutureRegressors, _Mapping]] = ..., future_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., options: _Optional[_Union[_forecasting_pb2.ForecastOptions, _Mapping]] = ..., name: _Optional[str] = ...) -> None: ...

class ForecastResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _forecasting_pb2.ForecastResult
    def __init__(self, result: _Optional[_Union[_forecasting_pb2.ForecastResult, _Mapping]] = ...) -> None: ...

class StartForecastRequest(_message.Message):
    __slots__ = ("history", "history_file", "future", "future_file", "options", "name", "request_id")
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FILE_FIELD_NUMBER: _ClassVar[int]
    FUTURE_FIELD_NUMBER: _ClassVar[int]
    FUTURE_FILE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    history: _forecasting_pb2.DemandHistory
    history_file: _forecasting_pb2.TableFile
    future: _forecasting_pb2.FutureRegressors
    future_file: _forecasting_pb2.TableFile
    options: _forecasting_pb2.ForecastOptions
    name: str
    request_id: str
    def __init__(self, history: _Optional[_Union[_forecasting_pb2.DemandHistory, _Mapping]] = ..., history_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., future: _Optional[_Union[_forecasting_pb2.FutureRegressors, _Mapping]] = ..., future_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., options: _Optional[_Union[_forecasting_pb2.ForecastOptions, _Mapping]] = ..., name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartForecastResponse(_message.Message):
    __slots__ = ("job", "existing")
    JOB_FIELD_NUMBER: _ClassVar[int]
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    existing: bool
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ..., existing: _Optional[bool] = ...) -> None: ...

class PlanInventoryRequest(_message.Message):
    __slots__ = ("problem", "problem_file", "forecast_demand", "policy", "options")
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FILE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_DEMAND_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    problem: _inventory_pb2.LotSizingProblem
    problem_file: _inventory_pb2.LotSizingFile
    forecast_demand: _inventory_pb2.ForecastDemand
    policy: _inventory_pb2.PlanningPolicy
    options: _inventory_pb2.PlanInventoryOptions
    def __init__(self, problem: _Optional[_Union[_inventory_pb2.LotSizingProblem, _Mapping]] = ..., problem_file: _Optional[_Union[_inventory_pb2.LotSizingFile, _Mapping]] = ..., forecast_demand: _Optional[_Union[_inventory_pb2.ForecastDemand, _Mapping]] = ..., policy: _Optional[_Union[_inventory_pb2.PlanningPolicy, _Mapping]] = ..., options: _Optional[_Union[_inventory_pb2.PlanInventoryOptions, _Mapping]] = ...) -> None: ...

class PlanInventoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _inventory_pb2.PlanInventoryResult
    def __init__(self, result: _Optional[_Union[_inventory_pb2.PlanInventoryResult, _Mapping]] = ...) -> None: ...

class StartPlanInventoryRequest(_message.Message):
    __slots__ = ("problem", "problem_file", "forecast_demand", "policy", "options", "request_id")
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FILE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_DEMAND_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    problem: _inventory_pb2.LotSizingProblem
    problem_file: _inventory_pb2.LotSizingFile
    forecast_demand: _inventory_pb2.ForecastDemand
    policy: _inventory_pb2.PlanningPolicy
    options: _inventory_pb2.PlanInventoryOptions
    request_id: str
    def __init__(self, problem: _Optional[_Union[_inventory_pb2.LotSizingProblem, _Mapping]] = ..., problem_file: _Optional[_Union[_inventory_pb2.LotSizingFile, _Mapping]] = ..., forecast_demand: _Optional[_Union[_inventory_pb2.ForecastDemand, _Mapping]] = ..., policy: _Optional[_Union[_inventory_pb2.PlanningPolicy, _Mapping]] = ..., options: _Optional[_Union[_inventory_pb2.PlanInventoryOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartPlanInventoryResponse(_message.Message):
    __slots__ = ("job", "existing")
    JOB_FIELD_NUMBER: _ClassVar[int]
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    existing: bool
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ..., existing: _Optional[bool] = ...) -> None: ...

class CreatePlanRequest(_message.Message):
    __slots__ = ("plant", "history", "history_file", "orders", "settings", "request_id")
    PLANT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FILE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    plant: bytes
    history: _forecasting_pb2.DemandHistory
    history_file: _forecasting_pb2.TableFile
    orders: _planning_pb2.CustomerOrders
    settings: _planning_pb2.PlanSettings
    request_id: str
    def __init__(self, plant: _Optional[bytes] = ..., history: _Optional[_Union[_forecasting_pb2.DemandHistory, _Mapping]] = ..., history_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., orders: _Optional[_Union[_planning_pb2.CustomerOrders, _Mapping]] = ..., settings: _Optional[_Union[_planning_pb2.PlanSettings, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreatePlanResponse(_message.Message):
    __slots__ = ("job", "existing")
    JOB_FIELD_NUMBER: _ClassVar[int]
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    job: JobInfo
    existing: bool
    def __init__(self, job: _Optional[_Union[JobInfo, _Mapping]] = ..., existing: _Optional[bool] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("plan_id", "version")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    version: int
    def __init__(self, plan_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetPlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: _planning_pb2.PlanView
    def __init__(self, plan: _Optional[_Union[_planning_pb2.PlanView, _Mapping]] = ...) -> None: ...

class RescheduleRequest(_message.Message):
    __slots__ = ("plan_id", "events", "now", "frozen_horizon_seconds", "time_limit_seconds")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    FROZEN_HORIZON_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    events: _containers.RepeatedCompositeFieldContainer[_planning_pb2.PlanEvent]
    now: _timestamp_pb2.Timestamp
    frozen_horizon_seconds: float
    time_limit_seconds: float
    def __init__(self, plan_id: _Optional[str] = ..., events: _Optional[_Iterable[_Union[_planning_pb2.PlanEvent, _Mapping]]] = ..., now: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., frozen_horizon_seconds: _Optional[float] = ..., time_limit_seconds: _Optional[float] = ...) -> None: ...

class RescheduleResponse(_message.Message):
    __slots__ = ("plan", "changes")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    plan: _planning_pb2.PlanSummary
    changes: _planning_pb2.PlanChanges
    def __init__(self, plan: _Optional[_Union[_planning_pb2.PlanSummary, _Mapping]] = ..., changes: _Optional[_Union[_planning_pb2.PlanChanges, _Mapping]] = ...) -> None: ...

class CompareScenariosRequest(_message.Message):
    __slots__ = ("plant", "history", "history_file", "orders", "scenarios", "settings")
    PLANT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FILE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    plant: bytes
    history: _forecasting_pb2.DemandHistory
    history_file: _forecasting_pb2.TableFile
    orders: _planning_pb2.CustomerOrders
    scenarios: bytes
    settings: _planning_pb2.PlanSettings
    def __init__(self, plant: _Optional[bytes] = ..., history: _Optional[_Union[_forecasting_pb2.DemandHistory, _Mapping]] = ..., history_file: _Optional[_Union[_forecasting_pb2.TableFile, _Mapping]] = ..., orders: _Optional[_Union[_planning_pb2.CustomerOrders, _Mapping]] = ..., scenarios: _Optional[bytes] = ..., settings: _Optional[_Union[_planning_pb2.PlanSettings, _Mapping]] = ...) -> None: ...

class CompareScenariosResponse(_message.Message):
    __slots__ = ("scenarios",)
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    scenarios: _containers.RepeatedCompositeFieldContainer[_planning_pb2.ScenarioKpis]
    def __init__(self, scenarios: _Optional[_Iterable[_Union[_planning_pb2.ScenarioKpis, _Mapping]]] = ...) -> None: ...

class ExportPlanRequest(_message.Message):
    __slots__ = ("plan_id", "version", "format", "since_version")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SINCE_VERSION_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    version: int
    format: ExportFormat
    since_version: int
    def __init__(self, plan_id: _Optional[str] = ..., version: _Optional[int] = ..., format: _Optional[_Union[ExportFormat, str]] = ..., since_version: _Optional[int] = ...) -> None: ...

class ExportPlanResponse(_message.Message):
    __slots__ = ("documents",)
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[_planning_pb2.ExportedDocument]
    def __init__(self, documents: _Optional[_Iterable[_Union[_planning_pb2.ExportedDocument, _Mapping]]] = ...) -> None: ...

class ReportActualsRequest(_message.Message):
    __slots__ = ("plan_id", "document", "csv", "now")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    document: bytes
    csv: bytes
    now: _timestamp_pb2.Timestamp
    def __init__(self, plan_id: _Optional[str] = ..., document: _Optional[bytes] = ..., csv: _Optional[bytes] = ..., now: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportActualsResponse(_message.Message):
    __slots__ = ("plan", "num_actuals", "changes")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    NUM_ACTUALS_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    plan: _planning_pb2.PlanSummary
    num_actuals: int
    changes: _planning_pb2.PlanChanges
    def __init__(self, plan: _Optional[_Union[_planning_pb2.PlanSummary, _Mapping]] = ..., num_actuals: _Optional[int] = ..., changes: _Optional[_Union[_planning_pb2.PlanChanges, _Mapping]] = ...) -> None: ...

class ReleaseOrdersRequest(_message.Message):
    __slots__ = ("plan_id", "order_ids", "action")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_IDS_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    order_ids: _containers.RepeatedScalarFieldContainer[str]
    action: OrderAction
    def __init__(self, plan_id: _Optional[str] = ..., order_ids: _Optional[_Iterable[str]] = ..., action: _Optional[_Union[OrderAction, str]] = ...) -> None: ...

class ReleaseOrdersResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: _planning_pb2.PlanSummary
    def __init__(self, plan: _Optional[_Union[_planning_pb2.PlanSummary, _Mapping]] = ...) -> None: ...
