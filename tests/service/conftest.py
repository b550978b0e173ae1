"""Fixtures of the service tests: a real server on 127.0.0.1:0 and a real channel to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import scheduling_pb2 as spb
from planner.scheduling import Job, Machine, Mode, Operation, ProblemData
from planner.service import ServiceConfig, create_server
from planner.service.server import PlannerServer

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
FT06 = INSTANCES / "jssp" / "ft06.txt"
FT10 = INSTANCES / "jssp" / "ft10.txt"
PG_URL = os.environ.get("PLANNER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def tiny_problem(name: str = "tiny") -> ProblemData:
    """Two jobs on two machines (optimal makespan 6)."""
    return ProblemData(
        machines=(Machine("M0"), Machine("M1")),
        jobs=(
            Job((Operation((Mode(0, 3),)), Operation((Mode(1, 2),))), name="A"),
            Job((Operation((Mode(1, 4),)), Operation((Mode(0, 2),))), name="B"),
        ),
        name=name,
        time_unit="min",
        time_origin="2026-12-07T06:00:00+00:00",
    )


def file_source(path: Path, fmt: str = "") -> spb.InstanceFile:
    return spb.InstanceFile(format=fmt, content=path.read_bytes(), name=path.stem)


def config(tmp_path: Path, **changes: Any) -> ServiceConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "db_url": f"sqlite:///{tmp_path / 'planner.db'}",
        "slots": 2,
        "poll_interval": 0.1,
        "heartbeat_interval": 0.5,
        "lease_seconds": 2.0,
        "grace_seconds": 0.5,
    }
    values.update(changes)
    return ServiceConfig(**values)


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Any]:
    """Start servers with changed settings; all are stopped after the test."""
    servers: list[PlannerServer] = []

    def make(**changes: Any) -> PlannerServer:
        server = create_server(config(tmp_path, **changes)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop(0)


@pytest.fixture
def server(make_server: Any) -> PlannerServer:
    return make_server()  # type: ignore[no-any-return]


@pytest.fixture
def channel(server: PlannerServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.address) as ch:
        yield ch


@pytest.fixture
def stub(channel: grpc.Channel) -> pb_grpc.PlannerServiceStub:
    return pb_grpc.PlannerServiceStub(channel)


def wait_for(predicate: Any, timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn_process(port: int, db_url: str, *extra: str) -> subprocess.Popen[bytes]:
    """A server in its own process (``python -m planner.service``); see :func:`ready`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planner.service",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db-url",
            db_url,
            "--slots",
            "1",
            "--lease-seconds",
            "3",
            "--poll-interval",
            "0.1",
            "--log-level",
            "warning",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def ready(process: subprocess.Popen[bytes], port: int) -> subprocess.Popen[bytes]:
    """Wait until the server process on ``port`` accepts connections."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        try:
            grpc.channel_ready_future(ch).result(timeout=30)
        except grpc.FutureTimeoutError:
            process.kill()
            raise AssertionError(
                process.stderr.read().decode() if process.stderr else "server did not start"
            ) from None
    return process


def start_process(port: int, db_url: str, *extra: str) -> subprocess.Popen[bytes]:
    """A server in its own process, ready when this returns."""
    return ready(spawn_process(port, db_url, *extra), port)


def pg_available() -> str:
    """Empty when PostgreSQL is reachable, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=2):
            return ""
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}"


def fresh_pg_url() -> str:
    """A URL of a new, empty PostgreSQL database on the test server, so tests never see each other's jobs.

    Each call creates its own database (``planner_test_<random>``) through the server's maintenance database,
    so runs that share the server at the same time (a developer's and CI's, or parallel suites) cannot
    collide; :func:`drop_test_databases` removes them at the end of the session.
    """
    import uuid

    import psycopg

    name = f"planner_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_maintenance_url(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _CREATED_DATABASES.append(name)
    return PG_URL.rsplit("/", 1)[0] + "/" + name


_CREATED_DATABASES: list[str] = []


def _maintenance_url() -> str:
    return PG_URL.rsplit("/", 1)[0] + "/postgres"


def drop_test_databases() -> None:
    """Drop the databases :func:`fresh_pg_url` created in this session (their servers have stopped)."""
    if not _CREATED_DATABASES:
        return
    import psycopg

    try:
        with psycopg.connect(_maintenance_url(), autocommit=True, connect_timeout=5) as conn:
            for name in _CREATED_DATABASES:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # a leftover test database is harmless; never fail the run for it
        pass
    _CREATED_DATABASES.clear()


def terminal(job: pb.JobInfo) -> bool:
    return job.state in (pb.JOB_STATE_SUCCEEDED, pb.JOB_STATE_FAILED, pb.JOB_STATE_CANCELLED)
