"""Prometheus metrics of the service: requests, latency, queue length and running solves."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_METRICS: dict[str, Any] = {}


def metrics() -> dict[str, Any]:
    """The service's metrics, created once per process in the default registry."""
    if not _METRICS:
        from prometheus_client import Counter, Gauge, Histogram

        _METRICS.update(
            requests=Counter(
                "planner_rpc_requests", "RPCs handled, by method and status code", ["method", "code"]
            ),
            latency=Histogram(
                "planner_rpc_latency_seconds",
                "RPC latency, by method",
                ["method"],
                buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            ),
            queue=Gauge("planner_solve_queue_length", "SolveSchedule calls waiting for a solver slot"),
            running=Gauge("planner_running_solves", "Solves running on this server (unary and jobs)"),
            running_jobs=Gauge("planner_running_jobs", "Durable jobs running on this server"),
        )
    return _METRICS


def bind_gauges(pool: Any, runner: Any) -> None:
    """Make the gauges read the live values of ``pool`` and ``runner``."""
    m = metrics()
    m["queue"].set_function(lambda: pool.waiting)
    m["running"].set_function(lambda: pool.running)
    m["running_jobs"].set_function(lambda: runner.num_running)


def start_metrics_server(port: int, host: str = "127.0.0.1") -> Any:
    """Serve ``/metrics`` over HTTP on ``port``; returns the HTTP server (``shutdown()`` stops it)."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host)
    logger.info("metrics on http://%s:%d/metrics", host, server.server_port)
    return server
