"""Tests that `planner submit-forecast`, `planner submit-lotsize` and `planner jobs` handle forecast and
lot-sizing jobs on a running server, and write what `planner forecast` / `planner lotsize --out` write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner

from planner.cli import main
from tests.service.test_forecast import M3_TRAIN
from tests.service.test_inventory import TINY_DAT


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_submit_forecast_then_lotsize_from_it(server: Any, tmp_path: Path) -> None:
    """Tests the chain over the CLI: a forecast job (id alone on stdout), its CSV with --wait --out, a
    lot-sizing job whose demand comes from that forecast, and jobs list --kind / jobs wait --out."""
    cheap = ("--models", "snaive,naive", "--windows", "1")
    submitted = run("submit-forecast", str(M3_TRAIN), "--horizon", "6", *cheap, "--server", server.address)
    assert submitted.exit_code == 0, submitted.output
    forecast_id = submitted.stdout.strip()
    assert len(forecast_id) == 32
    out_csv = tmp_path / "forecast.csv"
    waited = run("jobs", "wait", forecast_id, "--server", server.address, "--out", str(tmp_path))
    assert waited.exit_code == 0, waited.output
    assert "forecast 3 series, 0 failed" in waited.stdout
    table = pd.read_csv(tmp_path / "demand_m3_train.forecast.csv")
    assert (
        list(table.columns) == ["unique_id", "ds", "yhat", "q10", "q50", "q90", "model"] and len(table) == 18
    )
    direct = run(
        "submit-forecast",
        str(M3_TRAIN),
        "--horizon",
        "6",
        *cheap,
        "--wait",
        "--out",
        str(out_csv),
        "--server",
        server.address,
    )
    assert direct.exit_code == 0, direct.output
    assert out_csv.read_text() == (tmp_path / "demand_m3_train.forecast.csv").read_text()

    problem = {
        "name": "m3-plant",
        "periods": 6,
        "resources": [{"name": "line", "capacity": 30000}],
        "items": [
            {"name": uid, "holding_cost": 1, "setup_cost": 4000, "unit_time": 1, "backlog_penalty": 50}
            for uid in ("N1500", "N2000", "N2500")
        ],
    }
    problem_path = tmp_path / "plant.json"
    problem_path.write_text(json.dumps(problem))
    plans = tmp_path / "plans"
    planned = run(
        "submit-lotsize",
        str(problem_path),
        "--forecast-job",
        forecast_id,
        "--service-level",
        "0.9",
        "--threads",
        "1",
        "--wait",
        "--out",
        str(plans),
        "--server",
        server.address,
    )
    assert planned.exit_code == 0, planned.output
    doc = json.loads((plans / "m3-plant.result.json").read_text())
    assert doc["status"] == "optimal" and doc["checker"]["ok"] and len(doc["notes"]) == 6
    plan = pd.read_csv(plans / "m3-plant.plan.csv")
    assert list(plan.columns)[:7] == [  # a model with lost sales adds a "lost" column
        "item",
        "period",
        "produce",
        "setup",
        "inventory",
        "backlog",
        "safety_stock",
    ]
    assert len(plan) == 18 and (plan["safety_stock"] > 0).all()
    listed = run("jobs", "list", "--kind", "inventory", "--server", server.address)
    assert listed.exit_code == 0 and "lot sizing optimal" in listed.stdout
    assert forecast_id not in listed.stdout


def test_submit_lotsize_writes_what_lotsize_writes(server: Any, tmp_path: Path) -> None:
    """Tests that submit-lotsize --wait --out writes the plan CSV `planner lotsize --out` writes."""
    remote, local = tmp_path / "remote", tmp_path / "local"
    result = run(
        "submit-lotsize",
        str(TINY_DAT),
        "--threads",
        "1",
        "--time-limit",
        "20",
        "--wait",
        "--out",
        str(remote),
        "--server",
        server.address,
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip()) == 32
    solved = run("lotsize", str(TINY_DAT), "--threads", "1", "--time-limit", "20", "--out", str(local))
    assert solved.exit_code == 0, solved.output
    assert (remote / "tiny.plan.csv").read_text() == (local / "tiny.plan.csv").read_text()
    remote_doc = json.loads((remote / "tiny.result.json").read_text())
    local_doc = json.loads((local / "tiny.result.json").read_text())
    assert remote_doc["objective"] == local_doc["objective"] and remote_doc["status"] == local_doc["status"]


def test_submit_lotsize_bad_file_fails_before_submitting(server: Any, tmp_path: Path) -> None:
    """Tests that a malformed file is a user error (exit 2) and no job is stored."""
    bad = tmp_path / "bad.DAT"
    bad.write_text("3 x\n")
    result = CliRunner().invoke(main, ["submit-lotsize", str(bad), "--server", server.address])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert run("jobs", "list", "--server", server.address).stdout == ""
