"""Tests of `planner lotsize`: the table, the files written with --out (checked by the shared
independent checker), the shortfall statement and clean errors."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

from .conftest import DATA, SHARED

CHECKER = SHARED / "tools" / "check_lotsizing.py"
G30B = SHARED / "instances" / "lotsizing" / "trigeiro_G" / "G30b.DAT"


def run_checker(instance: Path, plan: Path) -> subprocess.CompletedProcess[str]:
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} not present")
    return subprocess.run(
        [sys.executable, str(CHECKER), str(instance), str(plan)], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_trigeiro_out_files_pass_shared_checker(tmp_path: Path, backend: str) -> None:
    """Tests that the plan written for a Trigeiro file passes check_lotsizing.py with the cost we report,
    and that result JSON and plot are written."""
    instance = tmp_path / "tiny.DAT"
    shutil.copy(DATA / "tiny.DAT", instance)
    result = CliRunner().invoke(
        main,
        [
            "lotsize",
            str(instance),
            "-t",
            "10",
            "--threads",
            "1",
            "--backend",
            backend,
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output and "optimal" in result.output
    plan_csv = tmp_path / "tiny.plan.csv"
    with open(plan_csv, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["item", "period", "produce", "setup", "inventory", "backlog", "safety_stock", "lost"]
    assert len(rows) == 1 + 3 * 4 and {r[3] for r in rows[1:]} <= {"0", "1"}
    doc = json.loads((tmp_path / "tiny.result.json").read_text())
    assert doc["status"] == "optimal" and doc["gap"] == 0
    assert doc["costs"]["total"] == doc["objective"] == doc["costs"]["setup"] + doc["costs"]["holding"]
    assert (tmp_path / "tiny.plan.png").read_bytes()[:4] == b"\x89PNG"
    checked = run_checker(instance, plan_csv)
    assert checked.returncode == 0, checked.stdout
    assert float(checked.stdout.strip()) == pytest.approx(doc["objective"])


def test_benchmark_file_with_time_limit(tmp_path: Path) -> None:
    """Tests that a 2-second run on G30b writes a feasible plan the shared checker accepts, and that the
    table shows its best-known value 37721."""
    if not G30B.exists():
        pytest.skip(f"{G30B} not present")
    result = CliRunner().invoke(main, ["lotsize", str(G30B), "-t", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "37721" in result.output
    doc = json.loads((tmp_path / "G30b.result.json").read_text())
    checked = run_checker(G30B, tmp_path / "G30b.plan.csv")
    assert checked.returncode == 0, checked.stdout
    assert float(checked.stdout.strip()) == pytest.approx(doc["objective"])
    assert doc["objective"] >= 37721 - 1e-6


def test_overloaded_json_explains_shortfall(tmp_path: Path) -> None:
    """Tests that an overloaded native instance gets a backlog plan and the unmet demand is stated."""
    result = CliRunner().invoke(main, ["lotsize", str(DATA / "overloaded.json"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "30 units of demand remain unmet" in result.output
    doc = json.loads((tmp_path / "overloaded.result.json").read_text())
    assert doc["shortfall"]["unmet"] == 30 and doc["costs"]["backlog"] > 0
    assert doc["checker"]["ok"]


def test_malformed_file_is_one_error_line(tmp_path: Path) -> None:
    """Tests that a malformed .DAT file gives exit code 2 and one error line naming file and line."""
    bad = tmp_path / "bad.DAT"
    bad.write_text("2 3\n1\n100\n1 1 1 1\n1 1 x 1\n")
    result = CliRunner().invoke(main, ["lotsize", str(bad)])
    assert result.exit_code == 2
    assert "bad.DAT:5" in result.output and "Traceback" not in result.output


def test_invalid_values_are_named(tmp_path: Path) -> None:
    """Tests that rule violations in a JSON file are reported with their fields and exit code 2."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [{"name": "A", "demand": [1, -2]}]}')
    result = CliRunner().invoke(main, ["lotsize", str(bad)])
    assert result.exit_code == 2 and "items[0].demand[1]" in result.output


def test_infeasible_without_backlog_exits_1(tmp_path: Path) -> None:
    """Tests that an instance no plan can meet exits with 1 and says how to relax it."""
    path = tmp_path / "tight.json"
    path.write_text(
        '{"resources": [{"name": "m", "capacity": 10}], "items": [{"name": "A", "demand": [50], "unit_time": 1}]}'
    )
    result = CliRunner().invoke(main, ["lotsize", str(path)])
    assert result.exit_code == 1 and "infeasible" in result.output and "backlog" in result.output
