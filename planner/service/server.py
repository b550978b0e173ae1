"""create_server(): the gRPC server with the planner service, health checking and reflection."""

from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from pathlib import Path
from types import FrameType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.service.config import ServiceConfig
from planner.service.interceptors import AccessLogInterceptor, TokenInterceptor
from planner.service.runner import JobRunner, SlotPool
from planner.service.servicer import PlannerServicer
from planner.store import JobStore

logger = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["PlannerService"].full_name


class PlannerServer:
    """A running (or ready to run) planner server; made by :func:`create_server`.

    Attributes
    ----------
    port
        The port it listens on (the chosen one when the configuration asked for 0).
    """

    def __init__(self, config: ServiceConfig):
        self.config = config
        self.pool = SlotPool(config.slots, config.limits.max_queue)
        self.store = JobStore(config.db_url)
        self.runner = JobRunner(self.store, self.pool, config)
        self.store.on_change = self.runner.notify
        self.health = health.HealthServicer(experimental_non_blocking=True)
        interceptors: list[grpc.ServerInterceptor] = [AccessLogInterceptor()]
        if config.token:
            interceptors.append(TokenInterceptor(config.token))
        size = config.limits.max_message_bytes
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=config.rpc_threads, thread_name_prefix="rpc"),
            interceptors=interceptors,
            options=[("grpc.max_receive_message_length", size), ("grpc.max_send_message_length", size)],
            maximum_concurrent_rpcs=config.rpc_threads + config.limits.max_queue,
        )
        pb_grpc.add_PlannerServiceServicer_to_server(
            PlannerServicer(config, self.pool, self.runner), self.server
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (
                SERVICE_NAME,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            self.server,
        )
        self.port = self._bind()
        self._metrics_http: Any = None
        self._stopped = threading.Event()

    def _bind(self) -> int:
        config = self.config
        address = config.address
        if not config.tls:
            return self.server.add_insecure_port(address)
        key = Path(config.tls_key).read_bytes()
        cert = Path(config.tls_cert).read_bytes()
        client_ca = Path(config.tls_client_ca).read_bytes() if config.tls_client_ca else None
        credentials = grpc.ssl_server_credentials(
            [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
        )
        return self.server.add_secure_port(address, credentials)

    @property
    def address(self) -> str:
        return f"{self.config.host}:{self.port}"

    def start(self) -> PlannerServer:
        """Start serving and running jobs."""
        from planner.service.metrics import bind_gauges, start_metrics_server

        _warm_up()
        bind_gauges(self.pool, self.runner)
        if self.config.metrics_port is not None:
            self._metrics_http = start_metrics_server(self.config.metrics_port, self.config.host)
        self.server.start()
        if self.config.run_jobs:
            self.runner.start()
        for name in ("", SERVICE_NAME):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        logger.info(
            "planner service on %s (%s, %d slots, server id %s)",
            self.address,
            "TLS" if self.config.tls else "insecure",
            self.config.slots,
            self.config.server_id,
            extra={"address": self.address},
        )
        return self

    def stop(self, grace: float | None = None) -> None:
        """Shut down: health NOT_SERVING, running jobs checkpointed and requeued, RPCs given ``grace`` seconds."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        grace = self.config.grace_seconds if grace is None else grace
        logger.info("shutting down (grace %.1fs)", grace)
        self.health.enter_graceful_shutdown()
        self.runner.stop(timeout=max(grace, 5.0))
        self.server.stop(grace).wait()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
        self.store.close()
        logger.info("stopped")

    def wait(self) -> None:
        """Block until the server stops."""
        self.server.wait_for_termination()

    def __enter__(self) -> PlannerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop(0)


def _warm_up() -> None:
    """Import the solvers and readers and compile the tabu kernels before serving.

    A first import inside a job thread holds the GIL for a second or more (starving lease renewals), and a
    solve stopped while the tabu kernels compile stops only when compilation ends (measured 2.5 s, against
    0.05 s once compiled): paying both at start-up keeps cancellation prompt.
    """
    import planner.formats  # noqa: F401
    from planner.scheduling.solvers import make_backend

    for name in ("cpsat", "dispatch"):
        make_backend(name)
    try:
        from planner.scheduling.solvers.tabu import compile_kernels

        seconds = compile_kernels()
    except ImportError:  # numba missing: CP-SAT alone, nothing to compile
        return
    logger.debug("tabu kernels ready after %.2fs", seconds)


def create_server(config: ServiceConfig | None = None) -> PlannerServer:
    """Build the server: planner service, health checking, reflection, interceptors, job runner.

    Parameters
    ----------
    config
        Settings; the defaults serve insecurely on 127.0.0.1:50051 with ``sqlite:///var/planner.db``.

    Returns
    -------
    PlannerServer
        Bound but not started; call :meth:`PlannerServer.start` (or use it as a context manager).
    """
    return PlannerServer(config or ServiceConfig())


def serve(config: ServiceConfig) -> None:
    """Run a server until SIGTERM or SIGINT, then shut it down gracefully."""
    server = create_server(config).start()
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s", signal.Signals(signum).name)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    done.wait()
    server.stop()
