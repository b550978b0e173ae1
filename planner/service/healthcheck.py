"""``python -m planner.service.healthcheck``: exit 0 when the local server's gRPC health says SERVING.

Used by the Docker HEALTHCHECK. Reads ``PLANNER_PORT`` (default 50051); with TLS (``PLANNER_TLS_CERT``
set) it verifies the server against ``PLANNER_CA`` (default: the server's own certificate) and the name
``PLANNER_TLS_NAME`` (default ``localhost``). Health needs no bearer token.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def check(target: str, timeout: float = 3.0) -> bool:
    """Whether the server at ``target`` reports SERVING."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    cert = os.environ.get("PLANNER_TLS_CERT", "")
    if cert:
        root = Path(os.environ.get("PLANNER_CA") or cert).read_bytes()
        name = os.environ.get("PLANNER_TLS_NAME", "localhost")
        channel = grpc.secure_channel(
            target, grpc.ssl_channel_credentials(root), options=[("grpc.ssl_target_name_override", name)]
        )
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=timeout
            )
        except grpc.RpcError:
            return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


if __name__ == "__main__":
    sys.exit(0 if check(f"127.0.0.1:{os.environ.get('PLANNER_PORT', '50051')}") else 1)
