"""Errors to gRPC status codes, in one table, with rich details (``google.rpc.BadRequest``).

Servicer methods are wrapped with :func:`handle_errors`; whatever they raise becomes a status here and
never a traceback on the wire. Unexpected exceptions are logged with their traceback and answered
INTERNAL without details.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from planner.exceptions import FieldViolation, FormatError, PlannerError, ValidationError
from planner.interchange.errors import DocumentError
from planner.service.runner import DeadlineTooShort, LimitExceeded, ShuttingDown
from planner.store import JobNotFound, PlanConflict, PlanNotFound

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

STATUS_TABLE: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (ValidationError, grpc.StatusCode.INVALID_ARGUMENT),
    (FormatError, grpc.StatusCode.INVALID_ARGUMENT),
    (DocumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (JobNotFound, grpc.StatusCode.NOT_FOUND),
    (PlanNotFound, grpc.StatusCode.NOT_FOUND),
    (PlanConflict, grpc.StatusCode.ABORTED),
    (LimitExceeded, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (DeadlineTooShort, grpc.StatusCode.DEADLINE_EXCEEDED),
    (ShuttingDown, grpc.StatusCode.UNAVAILABLE),
    (PlannerError, grpc.StatusCode.FAILED_PRECONDITION),
)
"""Exception class to status code; the first match wins."""


def status_code(exc: BaseException) -> grpc.StatusCode:
    """The status code of an exception according to :data:`STATUS_TABLE`."""
    for cls, code in STATUS_TABLE:
        if isinstance(exc, cls):
            return code
    return grpc.StatusCode.INTERNAL


def bad_request(violations: list[FieldViolation], max_violations: int) -> any_pb2.Any:
    """A packed ``google.rpc.BadRequest`` with at most ``max_violations`` field violations."""
    shown = violations[:max_violations]
    detail = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in shown
        ]
    )
    if len(violations) > max_violations:
        detail.field_violations.add(
            field="", description=f"and {len(violations) - max_violations} more violations"
        )
    packed = any_pb2.Any()
    packed.Pack(detail)
    return packed


def to_status(exc: BaseException, max_violations: int = 100) -> grpc.Status:
    """The rich gRPC status of an exception."""
    code = status_code(exc)
    if code == grpc.StatusCode.INTERNAL:
        message = "internal error; the server log has the details"
    elif isinstance(exc, ValidationError):
        shown = "; ".join(str(v) for v in exc.violations[:3])
        more = len(exc.violations) - 3
        message = f"invalid request: {shown}" + (f" (and {more} more)" if more > 0 else "")
    else:
        message = str(exc)
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message=message[:2000])
    if isinstance(exc, ValidationError):
        status.details.append(bad_request(exc.violations, max_violations))
    elif isinstance(exc, FormatError):
        where = f"line {exc.line}: " if exc.line is not None else ""
        status.details.append(bad_request([FieldViolation("instance_file.content", where + exc.message)], 1))
    elif isinstance(exc, DocumentError):
        # The request field that held the document (ReportActuals: csv or document), where and what.
        field = "csv" if exc.source.endswith(".csv") else "document"
        text = f"{exc.where}: {exc.message}" if exc.where else exc.message
        status.details.append(bad_request([FieldViolation(field, text)], 1))
    elif isinstance(exc, LimitExceeded):
        detail = error_details_pb2.QuotaFailure(
            violations=[error_details_pb2.QuotaFailure.Violation(subject=exc.limit, description=str(exc))]
        )
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return rpc_status.to_status(status)


def _abort(context: grpc.ServicerContext, exc: BaseException, max_violations: int) -> None:
    if status_code(exc) == grpc.StatusCode.INTERNAL:
        logger.exception("internal error in RPC", exc_info=exc)
    context.abort_with_status(to_status(exc, max_violations))


def handle_errors(method: F) -> F:
    """Turn what a unary servicer method raises into a status (see :data:`STATUS_TABLE`)."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as exc:
            if _is_abort(exc, context):
                raise
            _abort(context, exc, getattr(self, "max_violations", 100))
            raise  # unreachable: abort raises

    return wrapper  # type: ignore[return-value]


def handle_stream_errors(method: F) -> F:
    """Like :func:`handle_errors`, for server-streaming methods."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from method(self, request, context)
        except Exception as exc:
            if _is_abort(exc, context):
                raise
            _abort(context, exc, getattr(self, "max_violations", 100))

    return wrapper  # type: ignore[return-value]


def _is_abort(exc: BaseException, context: grpc.ServicerContext) -> bool:
    """Whether ``exc`` is the exception ``context.abort`` raised (it must pass through)."""
    return type(exc).__name__ == "_AbortError" or (
        not isinstance(exc, PlannerError) and context.code() not in (None, grpc.StatusCode.OK)
    )
