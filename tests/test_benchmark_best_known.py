"""benchmarks/best_known.py: best-known values of fresh instances from compare runs."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

from planner.formats.bks import load_bounds

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("instance", "solver", "objective", "bound", "best_known", "reference", "lower_bound", "checker")


def _load(name: str):
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))  # compare.py imports taillard_gen from beside it
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def best_known():
    return _load("best_known")


def _run(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def test_best_checked_makespan_and_highest_bound_are_kept(best_known, tmp_path):
    """Tests that the bounds file keeps the best checked makespan and the highest bound over runs."""
    first = _run(tmp_path / "compare_a.csv", [
        ("tai_20x20_1_2", "ours", 1609, 1491, 1491, "lower bound", "", "ok (shared checker)"),
        ("tai_20x20_1_2", "textbook", 1590, 1500.0, 1491, "lower bound", "", "REJECTED: overlap"),
        ("tai_20x20_1_2", "pyjobshop", 1647, 1495.4, 1491, "lower bound", "", "ok (shared checker)"),
        ("ta01", "ours", 1231, 1231, 1231, "best-known", "", "ok (shared checker)"),
    ])  # fmt: skip
    second = _run(tmp_path / "compare_b.csv", [
        ("tai_20x20_1_2", "ours", 1601, 1480, 1620, "best-known (file)", 1497, "ok (shared checker)"),
    ])  # fmt: skip
    out = tmp_path / "bks.csv"
    assert best_known.main([str(first), "--out", str(out)]) == 0
    bound = load_bounds(out)["tai_20x20_1_2"]
    # the rejected 1590 does not count; the pyjobshop bound 1495.4 rounds up
    assert (bound.lower, bound.upper) == (1496, 1609)
    assert "ta01" not in load_bounds(out)
    assert best_known.main([str(second), "--out", str(out)]) == 0
    bound = load_bounds(out)["tai_20x20_1_2"]
    assert (bound.lower, bound.upper, bound.n_jobs, bound.n_machines) == (1497, 1601, 20, 20)
    assert bound.source == "ours in compare run b" and not bound.optimal
    # a worse run later does not undo the better value
    assert best_known.main([str(first), "--out", str(out)]) == 0
    assert load_bounds(out)["tai_20x20_1_2"].upper == 1601


def test_a_bound_above_the_best_makespan_is_refused(best_known, tmp_path):
    """Tests that a lower bound above the best makespan stops the script instead of being written."""
    run = _run(tmp_path / "compare_c.csv", [
        ("tai_15x15_1_2", "ours", 1200, 1300, 1300, "lower bound", "", "ok (shared checker)"),
    ])  # fmt: skip
    with pytest.raises(SystemExit, match="lower bound 1300 above best known 1200"):
        best_known.main([str(run), "--out", str(tmp_path / "bks.csv")])


def test_compare_takes_published_values_first_then_the_file(tmp_path):
    """Tests that compare.py measures a fresh instance against the --best-known file, ta01 against its
    published value, and an instance in neither against nothing."""
    compare = _load("compare")
    file = tmp_path / "bks.csv"
    file.write_text(
        "name,n_jobs,n_machines,lower_bound,upper_bound,optimal,source\n"
        "tai_20x20_7_8,20,20,1500,1600,false,ours in compare run x\n"
        "ta01,15,15,1,2000,false,a wrong value that must not win\n"
    )
    extra = compare._load_extra_bounds([file])
    assert compare._best_known("tai_20x20_7_8", "var/tai_new/tai_20x20_7_8.txt", extra) == (
        1500,
        1600,
        "file",
    )
    assert compare._best_known("ta01", "var/taillard/ta01.txt", extra) == (1231, 1231, "published")
    assert compare._best_known("tai_20x20_9_9", "var/tai_new/tai_20x20_9_9.txt", extra) == (None, None, "")
    with pytest.raises(SystemExit, match="no such file"):
        compare._load_extra_bounds([tmp_path / "missing.csv"])


def test_compare_counts_a_makespan_mismatch_as_unchecked():
    """Tests that a schedule whose checked makespan differs from the reported one is not counted as checked,
    while an agreeing or an unreported one keeps the checker's verdict."""
    compare = _load("compare")
    verdict = compare._verdict("ok (shared checker)", 1250, 1231)
    assert verdict.startswith("MISMATCH") and "1250" in verdict and "1231" in verdict
    assert not compare._checked({"checker": verdict})
    assert compare._verdict("ok (shared checker)", 1231, 1231) == "ok (shared checker)"
    assert compare._checked({"checker": compare._verdict("ok (planner checker)", 1231, None)})
    assert not compare._checked({"checker": "REJECTED: job 0 overlaps"})
