"""Tests that what `planner solve --out` writes passes the independent checker of ../shared/tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "check_schedule.py"


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/tools/check_schedule.py not found")
@pytest.mark.parametrize("solver", ["cpsat", "dispatch"])
def test_zero_length_operations_pass_the_shared_checker(tmp_path, solver):
    """Tests that zero-length operations are never placed inside other work, by either backend."""
    instance = ROOT / "tests" / "data" / "zero_durations.txt"
    result = CliRunner().invoke(
        main,
        [
            "solve",
            str(instance),
            "--solver",
            solver,
            "--time-limit",
            "5",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [sys.executable, str(CHECKER), str(instance), str(tmp_path / "zero_durations.schedule.csv")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
