"""Tests of the Gantt charts: bars derived from data and schedule, plotly traces, HTML and PNG files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.plotting import gantt_bars, gantt_figure, gantt_png_figure, write_gantt_html, write_gantt_png
from planner.scheduling import (
    Job,
    Machine,
    Mode,
    Operation,
    ProblemData,
    Schedule,
    ScheduledOperation,
    check_solution,
)


@pytest.fixture
def plant() -> tuple[ProblemData, Schedule]:
    """Two machines, three jobs in two families; the saw has changeovers and a maintenance window.

    saw:   A 0-5, changeover 0->1 (3), B 8-14, changeover 1->0 (4), window 20-25, C 25-29
    drill: A 5-9, B 14-17
    """
    setup = ((0, 3), (4, 0))
    machines = (
        Machine(name="saw", unavailable=((20, 25),), setup_times=setup, initial_family=0),
        Machine(name="drill"),
    )
    jobs = (
        Job((Operation((Mode(0, 5),)), Operation((Mode(1, 4),))), name="A", family=0, due=8),
        Job((Operation((Mode(0, 6),)), Operation((Mode(1, 3),))), name="B", family=1, due=30),
        Job((Operation((Mode(0, 4),)),), name="C", family=0),
    )
    data = ProblemData(machines, jobs, num_families=2, name="tiny", time_unit="min")
    schedule = Schedule(
        [
            ScheduledOperation(0, 0, 0, 0, 5),
            ScheduledOperation(0, 1, 1, 5, 9),
            ScheduledOperation(1, 0, 0, 8, 14),
            ScheduledOperation(1, 1, 1, 14, 17),
            ScheduledOperation(2, 0, 0, 25, 29),
        ]
    )
    return data, schedule


def test_fixture_schedule_is_feasible(plant: tuple[ProblemData, Schedule]) -> None:
    """Tests that the hand-made schedule passes the checker (so the charts draw a real plan)."""
    data, schedule = plant
    report = check_solution(data, schedule)
    assert report.ok, report.violations
    assert report.kpis is not None and report.kpis.total_setup_time == 7


def test_bars_include_setups_windows_and_operations(plant: tuple[ProblemData, Schedule]) -> None:
    """Tests that setups are derived from the families and drawn where they do not overlap a window."""
    data, schedule = plant
    bars = gantt_bars(data, schedule)
    kinds = [b.kind for b in bars]
    assert kinds.count("operation") == 5
    assert kinds.count("unavailable") == 1
    setups = sorted((b.machine, b.start, b.end, b.job) for b in bars if b.kind == "setup")
    # A->B: 3 units right before B. B->C: 4 units, which right before C would overlap the 20-25 window,
    # so it is drawn right before the window.
    assert setups == [(0, 5, 8, 1), (0, 16, 20, 2)]
    assert sum(b.duration for b in bars if b.kind == "setup") == 7


def test_late_job_last_operation_is_flagged(plant: tuple[ProblemData, Schedule]) -> None:
    """Tests that only the last operation of a job ending after its due date is marked late."""
    data, schedule = plant
    late = [(b.job, b.operation) for b in gantt_bars(data, schedule) if b.late]
    assert late == [(0, 1)]  # A is due at 8 and ends at 9; B ends at 17, due 30; C has no due date


def test_initial_family_changeover_is_drawn() -> None:
    """Tests that a machine set up for another family at time 0 shows a changeover before its first job."""
    machine = Machine(name="oven", setup_times=((0, 2), (2, 0)), initial_family=1)
    data = ProblemData((machine,), (Job((Operation((Mode(0, 3),)),), family=0),), num_families=2)
    schedule = Schedule([ScheduledOperation(0, 0, 0, 2, 5)])
    setups = [(b.start, b.end) for b in gantt_bars(data, schedule) if b.kind == "setup"]
    assert setups == [(0, 2)]


def test_plotly_figure_has_one_trace_per_job_plus_setup_and_window(
    plant: tuple[ProblemData, Schedule],
) -> None:
    """Tests that the figure has a trace per job, one for setups and one for closed windows."""
    data, schedule = plant
    figure = gantt_figure(data, schedule)
    names = [trace.name for trace in figure.data]
    assert names == ["A", "B", "C", "setup", "unavailable"]
    by_name = {trace.name: trace for trace in figure.data}
    assert len(by_name["A"].x) == 2 and len(by_name["C"].x) == 1
    assert list(by_name["setup"].base) == [5, 16] and list(by_name["setup"].x) == [3, 4]
    assert by_name["setup"].marker.pattern.shape == "/"
    assert list(by_name["unavailable"].base) == [20] and list(by_name["unavailable"].x) == [5]
    # one row per machine, in machine order, and due dates in the hover data
    assert list(figure.layout.yaxis.categoryarray) == ["saw", "drill"]
    assert list(by_name["A"].y) == ["saw", "drill"]
    assert by_name["A"].customdata[0][6] == "8" and by_name["C"].customdata[0][6] == "none"
    assert "due" in by_name["A"].hovertemplate
    assert figure.layout.xaxis.title.text == "time (min)"


def test_plotly_figure_without_setups_or_windows_has_only_job_traces() -> None:
    """Tests that no empty setup or window traces are added to a plain job shop chart."""
    data = ProblemData(
        (Machine(), Machine()),
        (Job((Operation((Mode(0, 2),)), Operation((Mode(1, 2),)))), Job((Operation((Mode(1, 1),)),))),
    )
    schedule = Schedule(
        [
            ScheduledOperation(0, 0, 0, 0, 2),
            ScheduledOperation(0, 1, 1, 2, 4),
            ScheduledOperation(1, 0, 1, 0, 1),
        ]
    )
    assert [trace.name for trace in gantt_figure(data, schedule).data] == ["job 0", "job 1"]


def test_png_figure_draws_every_bar(plant: tuple[ProblemData, Schedule]) -> None:
    """Tests that the matplotlib chart has one rectangle per bar, machine labels and a time axis label."""
    data, schedule = plant
    figure = gantt_png_figure(data, schedule)
    ax = figure.axes[0]
    assert len(ax.patches) == len(gantt_bars(data, schedule)) == 8
    assert [t.get_text() for t in ax.get_yticklabels()] == ["saw", "drill"]
    assert ax.get_xlabel() == "time (min)"
    legend_box = ax.get_legend()
    assert legend_box is not None
    legend = [t.get_text() for t in legend_box.get_texts()]
    assert legend == ["A", "B", "C", "setup", "unavailable", "late (end)"]


def test_files_are_written(plant: tuple[ProblemData, Schedule], tmp_path: Path) -> None:
    """Tests that the HTML embeds plotly.js (works offline) and the PNG is a real image."""
    data, schedule = plant
    html = write_gantt_html(data, schedule, tmp_path / "g.html")
    png = write_gantt_png(data, schedule, tmp_path / "g.png", dpi=60)
    text = html.read_text(encoding="utf-8")
    assert not re.findall(r"<script[^>]*\bsrc=", text)  # no external script: plotly.js is embedded
    assert "Plotly.newPlot" in text
    assert len(text) > 1_000_000  # plotly.js itself is inside
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_maintenance_and_paused_work_are_drawn() -> None:
    """Tests that placed maintenance gets its own bars and trace, and a paused operation its running parts."""
    from planner.scheduling import MaintenanceTask, ScheduledMaintenance

    data = ProblemData(
        (Machine("oven", unavailable=((10, 20),)),),
        (Job((Operation((Mode(0, 15),), resumable=True),)),),
        maintenance=(MaintenanceTask(0, 5, earliest=25, name="clean"),),
    )
    schedule = Schedule([ScheduledOperation(0, 0, 0, 0, 25)], [ScheduledMaintenance(0, 0, 25, 30)])
    bars = gantt_bars(data, schedule)
    assert sorted((b.kind, b.start, b.end) for b in bars) == [
        ("maintenance", 25, 30),
        ("operation", 0, 10),
        ("operation", 20, 25),
        ("unavailable", 10, 20),
    ]
    assert [t.name for t in gantt_figure(data, schedule).data] == ["job 0", "unavailable", "maintenance"]
    legend_box = gantt_png_figure(data, schedule).axes[0].get_legend()
    assert legend_box is not None
    assert "maintenance" in [t.get_text() for t in legend_box.get_texts()]
