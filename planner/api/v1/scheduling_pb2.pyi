import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ObjectiveTerm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OBJECTIVE_TERM_UNSPECIFIED: _ClassVar[ObjectiveTerm]
    OBJECTIVE_TERM_MAKESPAN: _ClassVar[ObjectiveTerm]
    OBJECTIVE_TERM_TARDINESS: _ClassVar[ObjectiveTerm]
    OBJECTIVE_TERM_SETUP: _ClassVar[ObjectiveTerm]

class Solver(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOLVER_UNSPECIFIED: _ClassVar[Solver]
    SOLVER_CPSAT: _ClassVar[Solver]
    SOLVER_DISPATCH: _ClassVar[Solver]

class SolveStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOLVE_STATUS_UNSPECIFIED: _ClassVar[SolveStatus]
    SOLVE_STATUS_OPTIMAL: _ClassVar[SolveStatus]
    SOLVE_STATUS_FEASIBLE: _ClassVar[SolveStatus]
    SOLVE_STATUS_INFEASIBLE: _ClassVar[SolveStatus]
    SOLVE_STATUS_UNKNOWN: _ClassVar[SolveStatus]
OBJECTIVE_TERM_UNSPECIFIED: ObjectiveTerm
OBJECTIVE_TERM_MAKESPAN: ObjectiveTerm
OBJECTIVE_TERM_TARDINESS: ObjectiveTerm
OBJECTIVE_TERM_SETUP: ObjectiveTerm
SOLVER_UNSPECIFIED: Solver
SOLVER_CPSAT: Solver
SOLVER_DISPATCH: Solver
SOLVE_STATUS_UNSPECIFIED: SolveStatus
SOLVE_STATUS_OPTIMAL: SolveStatus
SOLVE_STATUS_FEASIBLE: SolveStatus
SOLVE_STATUS_INFEASIBLE: SolveStatus
SOLVE_STATUS_UNKNOWN: SolveStatus

class Mode(_message.Message):
    __slots__ = ("machine", "duration", "power")
    MACHINE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    machine: int
    duration: int
    power: float
    def __init__(self, machine: _Optional[int] = ..., duration: _Optional[int] = ..., power: _Optional[float] = ...) -> None: ...

class Operation(_message.Message):
    __slots__ = ("name", "modes", "pinned_machine", "pinned_start")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODES_FIELD_NUMBER: _ClassVar[int]
    PINNED_MACHINE_FIELD_NUMBER: _ClassVar[int]
    PINNED_START_FIELD_NUMBER: _ClassVar[int]
    name: str
    modes: _containers.RepeatedCompositeFieldContainer[Mode]
    pinned_machine: int
    pinned_start: int
    def __init__(self, name: _Optional[str] = ..., modes: _Optional[_Iterable[_Union[Mode, _Mapping]]] = ..., pinned_machine: _Optional[int] = ..., pinned_start: _Optional[int] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("name", "operations", "release", "due", "weight", "family")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    name: str
    operations: _containers.RepeatedCompositeFieldContainer[Operation]
    release: int
    due: int
    weight: int
    family: int
    def __init__(self, name: _Optional[str] = ..., operations: _Optional[_Iterable[_Union[Operation, _Mapping]]] = ..., release: _Optional[int] = ..., due: _Optional[int] = ..., weight: _Optional[int] = ..., family: _Optional[int] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class SetupRow(_message.Message):
    __slots__ = ("times",)
    TIMES_FIELD_NUMBER: _ClassVar[int]
    times: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, times: _Optional[_Iterable[int]] = ...) -> None: ...

class Machine(_message.Message):
    __slots__ = ("name", "unavailable", "setup_times", "initial_family")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    SETUP_TIMES_FIELD_NUMBER: _ClassVar[int]
    INITIAL_FAMILY_FIELD_NUMBER: _ClassVar[int]
    name: str
    unavailable: _containers.RepeatedCompositeFieldContainer[TimeWindow]
    setup_times: _containers.RepeatedCompositeFieldContainer[SetupRow]
    initial_family: int
    def __init__(self, name: _Optional[str] = ..., unavailable: _Optional[_Iterable[_Union[TimeWindow, _Mapping]]] = ..., setup_times: _Optional[_Iterable[_Union[SetupRow, _Mapping]]] = ..., initial_family: _Optional[int] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ("makespan", "tardiness", "setup", "lexicographic")
    MAKESPAN_FIELD_NUMBER: _ClassVar[int]
    TARDINESS_FIELD_NUMBER: _ClassVar[int]
    SETUP_FIELD_NUMBER: _ClassVar[int]
    LEXICOGRAPHIC_FIELD_NUMBER: _ClassVar[int]
    makespan: int
    tardiness: int
    setup: int
    lexicographic: _containers.RepeatedScalarFieldContainer[ObjectiveTerm]
    def __init__(self, makespan: _Optional[int] = ..., tardiness: _Optional[int] = ..., setup: _Optional[int] = ..., lexicographic: _Optional[_Iterable[_Union[ObjectiveTerm, str]]] = ...) -> None: ...

class ProblemInstance(_message.Message):
    __slots__ = ("name", "machines", "jobs", "num_families", "family_names", "objective", "time_unit", "time_origin")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MACHINES_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NUM_FAMILIES_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAMES_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIT_FIELD_NUMBER: _ClassVar[int]
    TIME_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    name: str
    machines: _containers.RepeatedCompositeFieldContainer[Machine]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    num_families: int
    family_names: _containers.RepeatedScalarFieldContainer[str]
    objective: Objective
    time_unit: str
    time_origin: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., machines: _Optional[_Iterable[_Union[Machine, _Mapping]]] = ..., jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., num_families: _Optional[int] = ..., family_names: _Optional[_Iterable[str]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., time_unit: _Optional[str] = ..., time_origin: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InstanceFile(_message.Message):
    __slots__ = ("format", "content", "name")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    format: str
    content: bytes
    name: str
    def __init__(self, format: _Optional[str] = ..., content: _Optional[bytes] = ..., name: _Optional[str] = ...) -> None: ...

class SolveOptions(_message.Message):
    __slots__ = ("time_limit_seconds", "num_workers", "seed", "solver")
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NUM_WORKERS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    time_limit_seconds: float
    num_workers: int
    seed: int
    solver: Solver
    def __init__(self, time_limit_seconds: _Optional[float] = ..., num_workers: _Optional[int] = ..., seed: _Optional[int] = ..., solver: _Optional[_Union[Solver, str]] = ...) -> None: ...

class ScheduledOperation(_message.Message):
    __slots__ = ("job", "operation", "machine", "start", "end")
    JOB_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    MACHINE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    job: int
    operation: int
    machine: int
    start: int
    end: int
    def __init__(self, job: _Optional[int] = ..., operation: _Optional[int] = ..., machine: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Kpis(_message.Message):
    __slots__ = ("makespan", "total_tardiness", "total_weighted_tardiness", "max_tardiness", "num_late_jobs", "total_setup_time", "utilisation")
    MAKESPAN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TARDINESS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WEIGHTED_TARDINESS_FIELD_NUMBER: _ClassVar[int]
    MAX_TARDINESS_FIELD_NUMBER: _ClassVar[int]
    NUM_LATE_JOBS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SETUP_TIME_FIELD_NUMBER: _ClassVar[int]
    UTILISATION_FIELD_NUMBER: _ClassVar[int]
    makespan: int
    total_tardiness: int
    total_weighted_tardiness: int
    max_tardiness: int
    num_late_jobs: int
    total_setup_time: int
    utilisation: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, makespan: _Optional[int] = ..., total_tardiness: _Optional[int] = ..., total_weighted_tardiness: _Optional[int] = ..., max_tardiness: _Optional[int] = ..., num_late_jobs: _Optional[int] = ..., total_setup_time: _Optional[int] = ..., utilisation: _Optional[_Iterable[float]] = ...) -> None: ...

class SolveResult(_message.Message):
    __slots__ = ("status", "objective", "bound", "gap", "runtime_seconds", "solver", "num_solutions", "kpis", "schedule", "instance_name", "time_unit", "time_origin")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    NUM_SOLUTIONS_FIELD_NUMBER: _ClassVar[int]
    KPIS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_NAME_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIT_FIELD_NUMBER: _ClassVar[int]
    TIME_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    status: SolveStatus
    objective: float
    bound: float
    gap: float
    runtime_seconds: float
    solver: str
    num_solutions: int
    kpis: Kpis
    schedule: _containers.RepeatedCompositeFieldContainer[ScheduledOperation]
    instance_name: str
    time_unit: str
    time_origin: _timestamp_pb2.Timestamp
    def __init__(self, status: _Optional[_Union[SolveStatus, str]] = ..., objective: _Optional[float] = ..., bound: _Optional[float] = ..., gap: _Optional[float] = ..., runtime_seconds: _Optional[float] = ..., solver: _Optional[str] = ..., num_solutions: _Optional[int] = ..., kpis: _Optional[_Union[Kpis, _Mapping]] = ..., schedule: _Optional[_Iterable[_Union[ScheduledOperation, _Mapping]]] = ..., instance_name: _Optional[str] = ..., time_unit: _Optional[str] = ..., time_origin: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class InstanceSummary(_message.Message):
    __slots__ = ("name", "num_jobs", "num_machines", "num_operations", "horizon")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUM_JOBS_FIELD_NUMBER: _ClassVar[int]
    NUM_MACHINES_FIELD_NUMBER: _ClassVar[int]
    NUM_OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    HORIZON_FIELD_NUMBER: _ClassVar[int]
    name: str
    num_jobs: int
    num_machines: int
    num_operations: int
    horizon: int
    def __init__(self, name: _Optional[str] = ..., num_jobs: _Optional[int] = ..., num_machines: _Optional[int] = ..., num_operations: _Optional[int] = ..., horizon: _Optional[int] = ...) -> None: ...
