"""Tests that TLS, mutual TLS and the bearer token protect the service, that health stays open, and that
Prometheus metrics count requests."""

from __future__ import annotations

import datetime
import urllib.request
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.client import PlannerClient
from tests.service.conftest import free_port, tiny_problem


def _certificate(name: str, key: Any, issuer_name: Any, issuer_key: Any, *, ca: bool) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        import ipaddress

        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "planner test CA")])
    ca_cert = _certificate("planner test CA", ca_key, ca_name, ca_key, ca=True)
    files = {"ca": folder / "ca.pem"}
    files["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    for who in ("server", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(who, key, ca_name, ca_key, ca=False)
        files[f"{who}_cert"] = folder / f"{who}.pem"
        files[f"{who}_key"] = folder / f"{who}.key"
        files[f"{who}_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[f"{who}_key"].write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return files


def test_tls_accepts_trusting_client_and_rejects_plaintext(make_server: Any, pki: dict[str, Path]) -> None:
    """Tests that a TLS server answers a client that trusts its CA and refuses a plaintext channel."""
    server = make_server(tls_cert=str(pki["server_cert"]), tls_key=str(pki["server_key"]))
    with PlannerClient(server.address, root_certificates=pki["ca"].read_bytes()) as client:
        assert client.validate(tiny_problem()).valid
    with grpc.insecure_channel(server.address) as ch, pytest.raises(grpc.RpcError) as info:
        pb_grpc.PlannerServiceStub(ch).ListJobs(pb.ListJobsRequest(), timeout=3)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]


def test_mutual_tls_requires_client_certificate(make_server: Any, pki: dict[str, Path]) -> None:
    """Tests that with mutual TLS a client with a certificate gets in and one without does not."""
    server = make_server(
        tls_cert=str(pki["server_cert"]), tls_key=str(pki["server_key"]), tls_client_ca=str(pki["ca"])
    )
    with PlannerClient(
        server.address,
        root_certificates=pki["ca"].read_bytes(),
        certificate_chain=pki["client_cert"].read_bytes(),
        private_key=pki["client_key"].read_bytes(),
    ) as client:
        assert client.validate(tiny_problem()).valid
    with PlannerClient(server.address, root_certificates=pki["ca"].read_bytes(), timeout=3) as client:
        with pytest.raises(grpc.RpcError) as info:
            client.validate(tiny_problem())
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]


def test_token_is_required_except_for_health(make_server: Any) -> None:
    """Tests that calls without or with a wrong token get UNAUTHENTICATED, the right token works, health is open."""
    server = make_server(token="s3cret")
    for token in (None, "wrong"):
        with PlannerClient(server.address, token=token) as client, pytest.raises(grpc.RpcError) as info:
            client.validate(tiny_problem())
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
        with PlannerClient(server.address, token=token) as client, pytest.raises(grpc.RpcError) as info:
            list(client.watch_job("x"))
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    with PlannerClient(server.address, token="s3cret") as client:
        assert client.validate(tiny_problem()).valid
    with grpc.insecure_channel(server.address) as ch:
        answer = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_metrics_count_requests(make_server: Any) -> None:
    """Tests that the Prometheus endpoint counts RPCs by method and code and shows the queue gauges."""
    port = free_port()
    server = make_server(metrics_port=port)
    with PlannerClient(server.address) as client:
        client.validate(tiny_problem())
        with pytest.raises(grpc.RpcError):
            client.get_job("missing")
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert (
        'planner_rpc_requests_total{code="OK",method="/planner.api.v1.PlannerService/ValidateInstance"}'
        in text
    )
    assert (
        'planner_rpc_requests_total{code="NOT_FOUND",method="/planner.api.v1.PlannerService/GetJob"}' in text
    )
    assert "planner_solve_queue_length" in text and "planner_running_solves" in text
    assert "planner_rpc_latency_seconds_bucket" in text
