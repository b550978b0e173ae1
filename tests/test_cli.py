"""Tests of the `planner` command line: version, help, solve with its outputs, and clean errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner
from planner.cli import INSTANCE_FORMATS, main
from planner.formats import FORMATS, read_instance, write_instance
from planner.scheduling import Job, Machine, Mode, Operation, ProblemData, check_solution
from planner.scheduling.output import read_schedule_csv

FT06 = """\
6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""
CHECKER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_schedule.py"
FAST = ["--time-limit", "20", "--workers", "1", "--seed", "3"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ft06(tmp_path: Path) -> Path:
    path = tmp_path / "ft06.txt"
    path.write_text(FT06)
    return path


def test_version(runner: CliRunner) -> None:
    """Tests that --version prints the package version."""
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"planner {planner.__version__}"


def test_help_explains_every_option(runner: CliRunner) -> None:
    """Tests that the group and solve help texts list the command and every option."""
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "solve" in result.output and "--version" in result.output
    result = runner.invoke(main, ["solve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--format",
        "--time-limit",
        "--workers",
        "--seed",
        "--objective",
        "--solver",
        "--out",
        "--gantt",
    ):
        assert option in result.output, option
    assert "lex:tardiness,makespan" in result.output


def test_format_choices_match_the_readers() -> None:
    """Tests that the --format choices spelled out in the CLI are exactly the readers' formats."""
    assert tuple(INSTANCE_FORMATS) == tuple(FORMATS)


def test_solve_writes_schedule_and_result(runner: CliRunner, ft06: Path, tmp_path: Path) -> None:
    """Tests that solve --out finds ft06's optimum 55 and writes a checker-clean CSV and a result JSON."""
    out = tmp_path / "out"
    result = runner.invoke(main, ["solve", str(ft06), *FAST, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ft06" in result.stdout and "optimal" in result.stdout and "55" in result.stdout

    csv_path = out / "ft06.schedule.csv"
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "job,operation,machine,start,end"
    rows = [tuple(int(v) for v in line.split(",")) for line in lines[1:]]
    assert len(rows) == 36 and rows == sorted(rows)
    assert [(r[0], r[1]) for r in rows] == [(j, o) for j in range(6) for o in range(6)]

    schedule = read_schedule_csv(csv_path)
    report = check_solution(read_instance(ft06), schedule)
    assert report.ok, report.violations
    assert schedule.makespan == 55

    document = json.loads((out / "ft06.result.json").read_text())
    assert document["instance"] == "ft06" and document["file"] == str(ft06)
    assert document["status"] == "optimal" and document["objective"] == 55 and document["bound"] == 55
    assert document["kpis"]["makespan"] == 55
    assert document["best_known"] == {"lower": 55, "upper": 55, "optimal": True}
    assert document["gap_to_best_known"] == 0.0
    assert document["settings"]["workers"] == 1 and document["settings"]["seed"] == 3


@pytest.mark.skipif(not CHECKER.is_file(), reason="../shared/tools/check_schedule.py not present")
def test_solve_output_passes_the_independent_checker(runner: CliRunner, ft06: Path, tmp_path: Path) -> None:
    """Tests that the shared checker accepts what solve --out writes and agrees on the makespan."""
    result = runner.invoke(main, ["solve", str(ft06), *FAST, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [sys.executable, str(CHECKER), str(ft06), str(tmp_path / "ft06.schedule.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip() == "55"


SHIPPED = Path(__file__).resolve().parents[1] / "instances"
SHIPPED_FILES = sorted(SHIPPED.glob("jssp/*.txt")) + sorted(SHIPPED.glob("fjsp/**/*.fjs"))


@pytest.mark.skipif(not CHECKER.is_file() or not SHIPPED_FILES, reason="checker or shipped instances missing")
@pytest.mark.parametrize("solver", ["dispatch", "cpsat"])
def test_shipped_instances_pass_the_independent_checker(
    runner: CliRunner, tmp_path: Path, solver: str
) -> None:
    """Tests that every schedule solve --out writes for the shipped JSSP and FJSP files passes the shared checker.

    The dispatching rule covers every file; CP-SAT (1 s each) the small ones, whose FJSP machines must come
    out 0-based.
    """
    files = (
        SHIPPED_FILES if solver == "dispatch" else [p for p in SHIPPED_FILES if p.stem in ("ft06", "mk01")]
    )
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "solve",
            *map(str, files),
            "--solver",
            solver,
            "--time-limit",
            "1",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    documents = sorted(out.glob("*.result.json"))
    assert len(documents) == len(files)
    for document_path in documents:
        document = json.loads(document_path.read_text())
        schedule = document_path.with_name(document_path.name.replace(".result.json", ".schedule.csv"))
        check = subprocess.run(
            [sys.executable, str(CHECKER), document["file"], str(schedule)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, (document["file"], check.stdout)
        assert int(check.stdout.strip()) == document["kpis"]["makespan"]


def test_gantt_writes_html_and_png(runner: CliRunner, ft06: Path, tmp_path: Path) -> None:
    """Tests that --gantt writes a self-contained HTML chart and a PNG next to the schedule."""
    result = runner.invoke(
        main, ["solve", str(ft06), "--solver", "dispatch", "--out", str(tmp_path), "--gantt"]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "ft06.gantt.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "<script src=" not in html
    assert (tmp_path / "ft06.gantt.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "ft06.schedule.csv").is_file()


def test_objective_override_reaches_the_solver(runner: CliRunner, tmp_path: Path) -> None:
    """Tests that --objective replaces the file's objective: tardiness instead of makespan."""
    # One machine, two jobs: the short one first has tardiness 0 (a due 3, b due 20); makespan is 12 either way.
    data = ProblemData(
        (Machine(name="press"),),
        (
            Job((Operation((Mode(0, 9),)),), name="b", due=20),
            Job((Operation((Mode(0, 3),)),), name="a", due=3),
        ),
        name="two",
    )
    path = tmp_path / "two.json"
    write_instance(data, path)
    result = runner.invoke(
        main, ["solve", str(path), *FAST, "--objective", "lex:tardiness,makespan", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "two.result.json").read_text())
    assert document["objective"] == 0 and document["kpis"]["total_tardiness"] == 0
    assert document["best_known"] is None
    assert document["settings"]["objective"] == "lex:tardiness,makespan"


def test_malformed_file_gives_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    """Tests that a malformed instance gives exit code 2 and one 'error:' line naming file and line."""
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 3 1 x\n1 2 0 4\n")
    result = runner.invoke(main, ["solve", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"{bad}:2" in lines[0]
    assert result.stdout == ""


def test_bad_objective_is_a_user_error(runner: CliRunner, ft06: Path) -> None:
    """Tests that an unknown objective term is reported in one line with exit code 2 before solving."""
    result = runner.invoke(main, ["solve", str(ft06), "--objective", "speed=3"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: ") and "speed" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_uses_clicks_error(runner: CliRunner, tmp_path: Path) -> None:
    """Tests that a missing file is refused by click with a clear message, before anything runs."""
    result = runner.invoke(main, ["solve", str(tmp_path / "nothere.txt")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_infeasible_instance_exits_with_1(runner: CliRunner, tmp_path: Path) -> None:
    """Tests that an instance without schedule (two pinned operations clash) gives exit code 1 and no CSV."""
    pinned = (Operation((Mode(0, 5),), pinned_machine=0, pinned_start=0),)
    clash = (Operation((Mode(0, 5),), pinned_machine=0, pinned_start=2),)
    data = ProblemData((Machine(name="press"),), (Job(pinned, name="a"), Job(clash, name="b")), name="clash")
    path = tmp_path / "clash.json"
    write_instance(data, path)
    result = runner.invoke(main, ["solve", str(path), *FAST, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "infeasible" in result.stdout
    assert not (tmp_path / "out" / "clash.schedule.csv").exists()
    document = json.loads((tmp_path / "out" / "clash.result.json").read_text())
    assert document["status"] == "infeasible" and document["objective"] is None


def test_same_names_get_distinct_outputs(runner: CliRunner, tmp_path: Path) -> None:
    """Tests that two files with the same stem in different folders do not overwrite each other's output."""
    paths = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        paths.append(tmp_path / folder / "ft06.txt")
        paths[-1].write_text(FT06)
    result = runner.invoke(
        main, ["solve", *map(str, paths), "--solver", "dispatch", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").glob("*.schedule.csv")) == [
        "a_ft06.schedule.csv",
        "b_ft06.schedule.csv",
    ]
    with (tmp_path / "o" / "a_ft06.schedule.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 36


def test_internal_error_is_one_line_unless_debug(
    runner: CliRunner, ft06: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that a bug gives exit code 3 and one line, and --debug lets the traceback through."""
    import planner.scheduling

    def broken(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(planner.scheduling.Solver, "solve", broken)
    result = runner.invoke(main, ["solve", str(ft06)])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: solver exploded" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["--debug", "solve", str(ft06)])
    assert isinstance(result.exception, RuntimeError)


def test_schedule_csv_round_trip(tmp_path: Path) -> None:
    """Tests that read_schedule_csv reads back exactly what write_schedule_csv wrote, sorted by job and operation."""
    from planner.scheduling import Schedule, ScheduledOperation
    from planner.scheduling.output import write_schedule_csv

    schedule = Schedule(
        [
            ScheduledOperation(1, 0, 2, 5, 9),
            ScheduledOperation(0, 1, 1, 3, 5),
            ScheduledOperation(0, 0, 0, 0, 3),
        ]
    )
    path = write_schedule_csv(schedule, tmp_path / "s.csv")
    assert path.read_text().splitlines() == [
        "job,operation,machine,start,end",
        "0,0,0,0,3",
        "0,1,1,3,5",
        "1,0,2,5,9",
    ]
    assert read_schedule_csv(path) == schedule


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("job,operation,machine,start\n0,0,0,0\n", 1, "missing end"),
        ("job,operation,machine,start,end\n0,0,0,0,3\n0,1,0,x,5\n", 3, "'start' must be an integer"),
        ("job,operation,machine,start,end\n0,0,0,4,3\n", 2, "before start"),
        ("job,operation,machine,start,end\n0,0,0,0,3\n0,0,1,3,5\n", 3, "appears twice"),
    ],
)
def test_bad_schedule_csv_names_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    """Tests that a malformed schedule CSV raises FormatError naming the file, the line and the problem."""
    from planner.exceptions import FormatError

    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(FormatError) as info:
        read_schedule_csv(path)
    assert info.value.line == line and words in info.value.message and str(path) in str(info.value)
