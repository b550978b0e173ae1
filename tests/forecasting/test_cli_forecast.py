"""Tests that `planner forecast` writes the forecast table, scores with --evaluate and fails cleanly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


def test_forecast_and_evaluate(tmp_path: Path) -> None:
    """Tests the forecast CSV header and the metric table of --evaluate on two M3 series."""
    train = tmp_path / "train.csv"
    test = tmp_path / "test.csv"
    keep = ("N2000", "N2500")
    for src, dst in ((DATA / "demand_m3_train.csv", train), (DATA / "demand_m3_test.csv", test)):
        lines = src.read_text().splitlines()
        dst.write_text("\n".join([lines[0], *[ln for ln in lines[1:] if ln.split(",")[0] in keep]]) + "\n")
    out = tmp_path / "fc.csv"
    runner = CliRunner()
    args = ["forecast", "--evaluate", str(train), str(test), "--workers", "1", "--windows", "1"]
    result = runner.invoke(main, [*args, "--out", str(out), "--quantiles", "0.1,0.5,0.9,0.95"])
    assert result.exit_code == 0, result.output
    assert "forecast accuracy on the held-out data" in result.output
    assert "sMAPE" in result.output and "coverage_80" in result.output
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["unique_id", "ds", "yhat", "q10", "q50", "q90", "q95", "model"]
    assert len(rows) == 1 + 2 * 18
    assert {r[0] for r in rows[1:]} == set(keep)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "missing.csv", "--horizon", "3"], "missing.csv: file not found"),
        (["forecast", "--evaluate", "a.csv"], "--evaluate needs two files"),
        (["forecast", "x.csv", "--horizon", "3", "--quantiles", "0.1,2"], "strictly between 0 and 1"),
        (["forecast", "x.csv"], "--horizon is required"),
    ],
)
def test_user_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that bad arguments and files give one error line and exit code 2, no traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,2\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
