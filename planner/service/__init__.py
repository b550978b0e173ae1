"""The gRPC service: schedules, demand forecasts, lot-sizing plans and whole plans over the wire, with
durable jobs.

:func:`create_server` builds a server with ``planner.api.v1.PlannerService``, standard health checking and
server reflection. Modules: ``convert`` (the only one that sees both protobuf and domain types),
``errors`` (exceptions to status codes), ``interceptors`` (token, access log, metrics), ``servicer``
(thin), ``runner`` (solver slots, unary solves, durable jobs and their task per kind), ``forecast_tasks``
and ``inventory_tasks`` (forecasts and lot-sizing plans: parameters, JSON forms, runs), ``plan_tasks``
(whole plans: the plan job, stored versions, re-plans, exports, actuals, lifecycle), ``server``
(create_server, serve).
gRPC is imported only when these modules are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.service.config import Limits, ServiceConfig

if TYPE_CHECKING:
    from planner.service.server import PlannerServer

__all__ = ["Limits", "PlannerServer", "ServiceConfig", "create_server", "serve"]


def create_server(config: ServiceConfig | None = None) -> PlannerServer:
    """Build the server; see :func:`planner.service.server.create_server`."""
    from planner.service.server import create_server as create

    return create(config)


def serve(config: ServiceConfig) -> None:
    """Run a server until SIGTERM; see :func:`planner.service.server.serve`."""
    from planner.service.server import serve as run

    run(config)


def __getattr__(name: str) -> Any:
    if name == "PlannerServer":
        from planner.service.server import PlannerServer

        return PlannerServer
    raise AttributeError(name)
