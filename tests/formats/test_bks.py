"""Tests of the best-known-bounds lookup (planner.formats.bks)."""

import csv
from pathlib import Path

import pytest

from planner.formats import read_instance
from planner.formats.bks import Bound, best_known, bks_files, instance_key, load_bounds

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
SHARED = ROOT.parent / "shared" / "instances"


def test_known_optima():
    """Tests the optima the project relies on: ft06 = 55, la01 = 666, mk01 = 40."""
    for name, value in (("ft06", 55), ("la01", 666), ("mk01", 40), ("ft10", 930)):
        bound = best_known(name)
        assert bound is not None
        assert (bound.lower, bound.upper, bound.optimal) == (value, value, True)


def _upper(name_or_path: str | Path) -> int | None:
    bound = best_known(name_or_path)
    return None if bound is None else bound.upper


def test_paths_tell_the_hurink_sets_apart():
    """Tests that the folder of a Hurink file selects its set: la01 is 666 in JSSP, 570 in vdata."""
    assert _upper(INSTANCES / "jssp" / "la01.txt") == 666
    assert _upper(INSTANCES / "fjsp" / "hurink_vdata" / "la01.fjs") == 570
    assert _upper(INSTANCES / "fjsp" / "hurink_edata" / "mt06.fjs") == 55
    assert _upper(str(INSTANCES / "fjsp" / "hurink_rdata" / "mt06.fjs")) == 47
    assert _upper("hurink_rdata/mt06") == 47


def test_instance_key():
    """Tests how names and paths become bounds-file names."""
    assert instance_key("instances/jssp/ft06.txt") == "ft06"
    assert instance_key("/x/hurink_rdata/la21.fjs") == "hurink_rdata/la21"
    assert instance_key("dauzere/07a") == "dauzere/07a"
    assert instance_key("MK05") == "mk05"
    assert instance_key("C:\\data\\hurink_edata\\mt10.fjs") == "hurink_edata/mt10"


def test_unknown_instances_have_no_bound():
    """Tests that non-benchmark instances give None."""
    assert best_known(INSTANCES / "native" / "bike_plant.json") is None
    assert best_known("no_such_instance") is None


def test_shipped_bks_file_matches_the_shipped_instances():
    """Tests that every row of instances/bks.csv names a shipped file of that size, with lower <= upper."""
    with open(INSTANCES / "bks.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 13
    assert list(rows[0]) == [
        "name",
        "n_jobs",
        "n_machines",
        "lower_bound",
        "upper_bound",
        "optimal",
        "source",
    ]
    for row in rows:
        folder = "fjsp" if row["name"].startswith(("mk", "hurink")) else "jssp"
        suffix = ".fjs" if folder == "fjsp" else ".txt"
        data = read_instance(INSTANCES / folder / (row["name"] + suffix))
        assert (data.num_jobs, data.num_machines) == (int(row["n_jobs"]), int(row["n_machines"]))
        assert int(row["lower_bound"]) <= int(row["upper_bound"])
        assert best_known(row["name"]) == load_bounds(INSTANCES / "bks.csv")[row["name"]]


@pytest.mark.skipif(not (SHARED / "fjsp" / "bks.csv").is_file(), reason="shared benchmark set not present")
def test_shared_files_are_used_when_present():
    """Tests that instances only in ../shared/instances (mk05, dauzere/07a, swv07) are found there."""
    assert SHARED / "jssp" / "bks.csv" in bks_files()
    assert best_known("mk05") is not None
    assert best_known("dauzere/07a") is not None
    open_instance = best_known("swv07")
    assert (
        open_instance is not None and not open_instance.optimal and open_instance.lower < open_instance.upper
    )
    # The project's copy agrees with the shared set.
    shared = {**load_bounds(SHARED / "jssp" / "bks.csv"), **load_bounds(SHARED / "fjsp" / "bks.csv")}
    for key, bound in load_bounds(INSTANCES / "bks.csv").items():
        assert shared[key] == bound


def test_load_bounds_skips_bad_rows(tmp_path, caplog):
    """Tests that unreadable rows are logged and skipped, good rows kept."""
    path = tmp_path / "bks.csv"
    path.write_text(
        "name,n_jobs,n_machines,lower_bound,upper_bound,optimal,source\n"
        "good,2,2,10,12,false,me\n"
        "bad,2,2,ten,12,false,me\n"
        "inverted,2,2,13,12,false,me\n"
    )
    bounds = load_bounds(path)
    assert bounds == {"good": Bound("good", 10, 12, False, 2, 2, "me")}
    assert "skipped" in caplog.text
