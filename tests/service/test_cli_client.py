"""Tests that `planner submit` and `planner jobs` talk to a running server, print only job ids without
--wait, and with --wait --out write exactly the files `planner solve --out` writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.client import PlannerClient
from planner.formats import write_native
from tests.service.conftest import tiny_problem


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    """A native instance file that solves to optimality (makespan 6) at once."""
    path = tmp_path / "tiny.json"
    write_native(tiny_problem(), path)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_submit_prints_only_job_ids(server: Any, tiny_file: Path) -> None:
    """Tests that submit without --wait prints one job id per file and nothing else on stdout."""
    result = run(
        "submit",
        str(tiny_file),
        str(tiny_file),
        "--server",
        server.address,
        "--time-limit",
        "2",
        "--workers",
        "1",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(len(line) == 32 for line in lines)
    with PlannerClient(server.address) as client:
        assert {job.job_id for job in client.list_jobs()} == set(lines)


def test_submit_wait_out_writes_what_solve_writes(server: Any, tmp_path: Path, tiny_file: Path) -> None:
    """Tests that submit --wait --out writes <name>.schedule.csv and <name>.result.json like solve --out."""
    remote, local = tmp_path / "remote", tmp_path / "local"
    result = run(
        "submit",
        str(tiny_file),
        "--server",
        server.address,
        "--time-limit",
        "20",
        "--wait",
        "--out",
        str(remote),
    )
    assert result.exit_code == 0, result.output
    solved = run("solve", str(tiny_file), "--time-limit", "20", "--out", str(local))
    assert solved.exit_code == 0, solved.output
    assert sorted(p.name for p in remote.iterdir()) == sorted(p.name for p in local.iterdir())
    assert (remote / "tiny.schedule.csv").read_text() == (local / "tiny.schedule.csv").read_text()
    remote_doc = json.loads((remote / "tiny.result.json").read_text())
    local_doc = json.loads((local / "tiny.result.json").read_text())
    assert set(local_doc) <= set(remote_doc)
    assert remote_doc["objective"] == local_doc["objective"] == 6
    assert remote_doc["status"] == "optimal" and remote_doc["instance"] == "tiny"
    assert remote_doc["kpis"] == local_doc["kpis"]


def test_jobs_list_get_cancel_wait(server: Any, tmp_path: Path, tiny_file: Path) -> None:
    """Tests the jobs subcommands against a live server, including wait --out from the stored instance."""
    job_id = run("submit", str(tiny_file), "--server", server.address, "--time-limit", "20").stdout.strip()
    waited = run("jobs", "wait", job_id, "--server", server.address, "--out", str(tmp_path))
    assert waited.exit_code == 0, waited.output
    assert "succeeded" in waited.stdout
    assert (tmp_path / "tiny.schedule.csv").exists() and (tmp_path / "tiny.result.json").exists()
    listed = run("jobs", "list", "--server", server.address)
    assert job_id in listed.stdout and "optimal" in listed.stdout
    got = json.loads(run("jobs", "get", job_id, "--server", server.address).stdout)
    assert got["jobId"] == job_id and got["state"] == "JOB_STATE_SUCCEEDED"
    cancelled = run("jobs", "cancel", job_id, "--server", server.address)
    assert cancelled.exit_code == 0 and "succeeded" in cancelled.stdout  # too late to cancel: unchanged
    missing = run("jobs", "get", "nope", "--server", server.address)
    assert missing.exit_code == 2 and "NOT_FOUND" in missing.stderr


def test_client_commands_report_unreachable_server() -> None:
    """Tests that an unreachable server is one error line, not a traceback."""
    result = CliRunner().invoke(main, ["jobs", "list", "--server", "127.0.0.1:1"])
    assert result.exit_code == 2
    assert "cannot reach" in result.stderr and "Traceback" not in result.output
