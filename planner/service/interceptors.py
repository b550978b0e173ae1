"""Server interceptors: bearer-token check, and structured access logs with metrics."""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc

logger = logging.getLogger("planner.service.access")

OPEN_METHODS = ("/grpc.health.v1.Health/",)
"""Method prefixes that need no token (health checks, for load balancers and Docker)."""


def _wrap(
    handler: grpc.RpcMethodHandler, around: Callable[[Callable[..., Any], bool], Callable[..., Any]]
) -> Any:
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            around(handler.unary_unary, False),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            around(handler.unary_stream, True),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler  # client- and bidi-streaming: none in this API


class TokenInterceptor(grpc.ServerInterceptor):
    """Rejects RPCs without ``authorization: Bearer <token>`` (UNAUTHENTICATED), except health checks."""

    def __init__(self, token: str):
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation: Callable[..., Any], details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or details.method.startswith(OPEN_METHODS):
            return handler
        given = dict(details.invocation_metadata or ()).get("authorization", "")
        if isinstance(given, str) and hmac.compare_digest(given.encode(), self._expected):
            return handler

        def deny(fn: Callable[..., Any], streaming: bool) -> Callable[..., Any]:
            def denied(request: Any, context: grpc.ServicerContext) -> Any:
                context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")

            return denied

        return _wrap(handler, deny)


class AccessLogInterceptor(grpc.ServerInterceptor):
    """Logs every RPC (request id, method, status, latency) and counts it in the Prometheus metrics.

    The request id is the caller's ``x-request-id`` metadata, or a new one; it goes back as initial
    metadata. Request bodies and metadata values (tokens) are never logged.
    """

    def __init__(self) -> None:
        from planner.service.metrics import metrics

        self._metrics = metrics()

    def intercept_service(self, continuation: Callable[..., Any], details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        method = details.method
        metadata = dict(details.invocation_metadata or ())
        request_id = str(metadata.get("x-request-id") or uuid.uuid4().hex[:16])

        def around(fn: Callable[..., Any], streaming: bool) -> Callable[..., Any]:
            def finish(context: grpc.ServicerContext, start: float, error: BaseException | None) -> None:
                code = context.code()
                if code is None:
                    if isinstance(error, GeneratorExit):
                        code = grpc.StatusCode.CANCELLED  # the client went away
                    else:
                        code = grpc.StatusCode.UNKNOWN if error else grpc.StatusCode.OK
                name = code.name if isinstance(code, grpc.StatusCode) else str(code)
                latency = time.perf_counter() - start
                self._metrics["requests"].labels(method, name).inc()
                self._metrics["latency"].labels(method).observe(latency)
                logger.info(
                    "%s %s %.1fms",
                    method,
                    name,
                    latency * 1000,
                    extra={
                        "request_id": request_id,
                        "method": method,
                        "status": name,
                        "latency_ms": round(latency * 1000, 2),
                    },
                )

            if streaming:

                def stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                    start = time.perf_counter()
                    context.send_initial_metadata((("x-request-id", request_id),))
                    error = None
                    try:
                        yield from fn(request, context)
                    except BaseException as exc:
                        error = exc
                        raise
                    finally:
                        finish(context, start, error)

                return stream

            def unary(request: Any, context: grpc.ServicerContext) -> Any:
                start = time.perf_counter()
                context.send_initial_metadata((("x-request-id", request_id),))
                error = None
                try:
                    return fn(request, context)
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    finish(context, start, error)

            return unary

        return _wrap(handler, around)
