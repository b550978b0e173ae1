"""Settings of the gRPC service: address, database, solver slots, limits, security and operations."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field

from planner.exceptions import FieldViolation, ValidationError


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; beyond it the service answers RESOURCE_EXHAUSTED naming the limit.

    Parameters
    ----------
    max_operations
        Operations in one instance.
    max_horizon
        The instance's horizon (a safe upper bound on every end time), in its time units.
    max_message_bytes
        Size of one request or response message.
    max_queue
        ``SolveSchedule`` calls waiting for a solver slot.
    max_queued_jobs
        Durable jobs waiting in the database.
    max_time_limit
        Seconds one solve may run (longer requests are clamped, not refused).
    max_workers
        Solver threads one solve may use (more are clamped).
    max_violations
        Field violations returned in one error or validation answer.
    max_forecast_series
        Series in one unary ``Forecast`` call (bigger batches go to ``StartForecast``).
    max_forecast_rows
        History rows in one unary ``Forecast`` call.
    max_plan_cells
        Items times periods of one lot-sizing problem (``PlanInventory`` and its jobs).
    """

    max_operations: int = 20_000
    max_horizon: int = 100_000_000
    max_message_bytes: int = 32 * 1024 * 1024
    max_queue: int = 64
    max_queued_jobs: int = 10_000
    max_time_limit: float = 3600.0
    max_workers: int = 8
    max_violations: int = 100
    max_forecast_series: int = 100
    max_forecast_rows: int = 50_000
    max_plan_cells: int = 1_000_000

    def __post_init__(self) -> None:
        errors = [
            FieldViolation(name, f"must be > 0, got {getattr(self, name)!r}")
            for name in self.__dataclass_fields__
            if not getattr(self, name) > 0
        ]
        if errors:
            raise ValidationError(errors)


def default_server_id() -> str:
    """A name unique to this process: host, process id and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class ServiceConfig:
    """Everything :func:`planner.service.create_server` needs.

    Parameters
    ----------
    host, port
        Address to listen on; port 0 picks a free port.
    db_url
        SQLAlchemy URL of the job store (``sqlite:///var/planner.db``, ``postgresql://user@host/db``).
    slots
        Solves that run at the same time (bounded pool shared by ``SolveSchedule`` and jobs).
    workers_per_solve
        CP-SAT threads a solve uses unless the request asks for fewer (at most ``limits.max_workers``).
    default_time_limit
        Seconds a solve runs when the request gives no time limit.
    rpc_threads
        Threads serving RPCs (streams of ``WatchJob`` hold one each).
    limits
        Request limits.
    server_id
        Name of this server as job owner; unique per process unless set.
    lease_seconds
        How long a claimed job stays this server's without a renewal; another server takes it over after.
    poll_interval
        Seconds between looks at the database for new jobs, cancellations and other servers' events.
    heartbeat_interval
        Seconds of silence after which ``WatchJob`` sends a heartbeat.
    max_attempts
        Times a job is started before a job whose servers keep dying is marked failed.
    tls_cert, tls_key
        PEM files of the server certificate and key; both set enables TLS.
    tls_client_ca
        PEM file of the CA that signs client certificates; set enables mutual TLS.
    token
        Bearer token every RPC except health must carry (``authorization: Bearer <token>``); empty: none.
    metrics_port
        Port of the Prometheus metrics HTTP endpoint; None: no endpoint.
    grace_seconds
        Time running RPCs get to finish on shutdown.
    run_jobs
        Run durable jobs here; False makes an API-only server that stores jobs for other servers to run.
    """

    host: str = "127.0.0.1"
    port: int = 50051
    db_url: str = "sqlite:///var/planner.db"
    slots: int = 2
    workers_per_solve: int = 1
    default_time_limit: float = 10.0
    rpc_threads: int = 32
    limits: Limits = field(default_factory=Limits)
    server_id: str = field(default_factory=default_server_id)
    lease_seconds: float = 15.0
    poll_interval: float = 0.5
    heartbeat_interval: float = 5.0
    max_attempts: int = 3
    tls_cert: str = ""
    tls_key: str = ""
    tls_client_ca: str = ""
    token: str = field(default="", repr=False)
    metrics_port: int | None = None
    grace_seconds: float = 5.0
    run_jobs: bool = True

    def __post_init__(self) -> None:
        errors = []
        if not 0 <= self.port <= 65535:
            errors.append(FieldViolation("port", f"must be in 0..65535, got {self.port}"))
        for name in ("slots", "workers_per_solve", "rpc_threads", "max_attempts"):
            if getattr(self, name) < 1:
                errors.append(FieldViolation(name, f"must be >= 1, got {getattr(self, name)}"))
        for name in ("default_time_limit", "lease_seconds", "poll_interval", "heartbeat_interval"):
            if getattr(self, name) <= 0:
                errors.append(FieldViolation(name, f"must be > 0, got {getattr(self, name)}"))
        if bool(self.tls_cert) != bool(self.tls_key):
            errors.append(FieldViolation("tls_key", "tls_cert and tls_key go together"))
        if self.tls_client_ca and not self.tls_cert:
            errors.append(FieldViolation("tls_client_ca", "mutual TLS needs tls_cert and tls_key too"))
        if errors:
            raise ValidationError(errors)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert)
