"""Gantt charts of a schedule: interactive HTML (plotly) and a static PNG (matplotlib).

Both charts draw the same bars, computed once by :func:`gantt_bars`: one row per machine, operations
coloured by job, changeovers (setups) as hatched grey bars just before the operation that needs them,
closed windows (fixed maintenance, closed shifts) as dark grey bars, and the maintenance tasks the solver
placed as amber bars. A resumable operation that pauses over closed windows is drawn as its running parts. The last operation of a late job gets a red
outline; the HTML hover text gives job, operation, machine, start, end, release and due date.

plotly and matplotlib are imported only when a chart is drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

BarKind = Literal["operation", "setup", "unavailable", "maintenance"]

# Twenty distinguishable colours (matplotlib's tab20, dark shades first); cycled when there are more jobs.
JOB_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
    "#dbdb8d", "#9edae5",
)  # fmt: skip
SETUP_COLOUR = "#d0d0d0"
SETUP_EDGE = "#606060"
UNAVAILABLE_COLOUR = "#404040"
MAINTENANCE_COLOUR = "#f2b134"
MAINTENANCE_EDGE = "#7a5200"
LATE_EDGE = "#d00000"


@dataclass(frozen=True)
class GanttBar:
    """One bar of the chart.

    Parameters
    ----------
    kind
        ``"operation"`` (or one running part of a paused resumable one), ``"setup"`` (a changeover before
        operation ``operation`` of job ``job``), ``"unavailable"`` (a closed window of the machine) or
        ``"maintenance"`` (a placed maintenance task; ``operation`` holds the task index).
    machine
        Row (machine index).
    start, end
        Extent in the instance's time unit.
    job, operation
        The operation the bar belongs to (None for closed windows).
    late
        True on the last operation of a job that ends after its due date.
    """

    kind: BarKind
    machine: int
    start: int
    end: int
    job: int | None = None
    operation: int | None = None
    late: bool = False

    @property
    def duration(self) -> int:
        return self.end - self.start


def job_colour(job_idx: int) -> str:
    """The colour of job ``job_idx`` (the same in HTML and PNG)."""
    return JOB_COLOURS[job_idx % len(JOB_COLOURS)]


def _overlaps_window(start: int, end: int, windows: Sequence[tuple[int, int]]) -> bool:
    return any(start < w_end and w_start < end for w_start, w_end in windows)


def _place_setup(
    setup: int, earliest: int, latest_end: int, windows: Sequence[tuple[int, int]]
) -> tuple[int, int]:
    """Where to draw a changeover of length ``setup`` between ``earliest`` and ``latest_end``.

    The latest position that overlaps no closed window (right before the operation, right before a
    window, or right after one); when none fits, the ``setup`` units before the operation, clipped at
    ``earliest`` (the model allows changeovers during closed windows).
    """
    candidates = [latest_end - setup, earliest]
    candidates += [w_start - setup for w_start, _ in windows] + [w_end for _, w_end in windows]
    fitting = [
        c
        for c in candidates
        if earliest <= c and c + setup <= latest_end and not _overlaps_window(c, c + setup, windows)
    ]
    if fitting:
        start = max(fitting)
        return start, start + setup
    return max(earliest, latest_end - setup), latest_end


def gantt_bars(data: ProblemData, schedule: Schedule) -> list[GanttBar]:
    """Every bar of the chart: closed windows, then per machine the setups and operations in time order.

    A setup is derived from the data: when operation ``b`` follows ``a`` on a machine (or is the machine's
    first operation and the machine has an initial family), the changeover
    ``machine.setup(family(a), family(b))`` is drawn in the gap between them: as late as possible without
    overlapping a closed window, ideally ending where ``b`` starts. Zero-length operations take no time and
    need no changeover (the checker's rule).

    Parameters
    ----------
    data
        The problem.
    schedule
        A schedule of it (operations on unknown machines or jobs are skipped).

    Returns
    -------
    list[GanttBar]
        The bars.
    """
    bars: list[GanttBar] = []
    for m_idx, machine in enumerate(data.machines):
        for w_start, w_end in machine.unavailable:
            bars.append(GanttBar("unavailable", m_idx, w_start, w_end))
    for task in schedule.maintenance:
        if 0 <= task.machine < data.num_machines:
            bars.append(GanttBar("maintenance", task.machine, task.start, task.end, None, task.task))

    last_op_end: dict[int, tuple[int, int]] = {}
    for sop in schedule:
        if 0 <= sop.job < data.num_jobs and sop.operation == len(data.jobs[sop.job].operations) - 1:
            last_op_end[sop.job] = (sop.operation, sop.end)
    late_jobs = {
        j_idx
        for j_idx, (_, end) in last_op_end.items()
        if data.jobs[j_idx].due is not None and end > (data.jobs[j_idx].due or 0)
    }

    for m_idx, ops in sorted(schedule.by_machine().items()):
        if not 0 <= m_idx < data.num_machines:
            logger.warning("schedule uses unknown machine %d; not drawn", m_idx)
            continue
        machine = data.machines[m_idx]
        prev_family = machine.initial_family
        prev_end = 0
        for sop in ops:
            if not 0 <= sop.job < data.num_jobs:
                logger.warning("schedule uses unknown job %d; not drawn", sop.job)
                continue
            family = data.jobs[sop.job].family
            if sop.end > sop.start:
                setup = machine.setup(prev_family, family)
                if setup > 0:
                    start, end = _place_setup(setup, prev_end, sop.start, machine.unavailable)
                    if end > start:
                        bars.append(GanttBar("setup", m_idx, start, end, sop.job, sop.operation))
                prev_family = family
                prev_end = sop.end
            late = sop.job in late_jobs and last_op_end[sop.job][0] == sop.operation
            parts = [(sop.start, sop.end)]
            operations = data.jobs[sop.job].operations
            if (
                0 <= sop.operation < len(operations)
                and operations[sop.operation].resumable
                and sop.end > sop.start
            ):
                parts = _running_parts(sop.start, sop.end, machine.closed_windows()) or parts
            for idx, (start, end) in enumerate(parts):
                flag = late and idx == len(parts) - 1
                bars.append(GanttBar("operation", m_idx, start, end, sop.job, sop.operation, flag))
    return bars


def _running_parts(start: int, end: int, windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` outside the sorted, disjoint closed ``windows``."""
    out = []
    t = start
    for w_start, w_end in windows:
        if w_end <= t or w_start >= end:
            continue
        if w_start > t:
            out.append((t, w_start))
        t = max(t, w_end)
    if t < end:
        out.append((t, end))
    return out


def plot_horizon(bars: Sequence[GanttBar]) -> int:
    """End of the time axis: the last operation or setup (closed windows far in the future would squeeze
    the plan into a corner), or the last window when nothing is scheduled."""
    planned = [b.end for b in bars if b.kind != "unavailable"]
    return max(planned or [b.end for b in bars] or [1]) or 1


def _machine_labels(data: ProblemData) -> list[str]:
    names = [data.machine_name(m) for m in range(data.num_machines)]
    if len(set(names)) < len(names):
        names = [f"{m}: {name}" for m, name in enumerate(names)]
    return names


def _time_label(data: ProblemData) -> str:
    return f"time ({data.time_unit})" if data.time_unit else "time"


def _title(data: ProblemData, schedule: Schedule, title: str | None) -> str:
    if title is not None:
        return title
    name = data.name or "schedule"
    unit = f" {data.time_unit}" if data.time_unit else ""
    return f"{name}: makespan {schedule.makespan}{unit}"


def gantt_figure(data: ProblemData, schedule: Schedule, title: str | None = None) -> go.Figure:
    """An interactive plotly Gantt chart of ``schedule``.

    The figure has one bar trace per job that has scheduled operations (in job order), then one trace
    ``"setup"`` when there are changeovers, one trace ``"unavailable"`` when a machine has closed
    windows and one trace ``"maintenance"`` when the schedule places maintenance tasks.

    Parameters
    ----------
    data
        The problem.
    schedule
        A schedule of it.
    title
        Chart title; by default the instance name and makespan.

    Returns
    -------
    plotly.graph_objects.Figure
        The figure.
    """
    import plotly.graph_objects as go

    labels = _machine_labels(data)
    bars = gantt_bars(data, schedule)
    figure = go.Figure()

    by_job: dict[int, list[GanttBar]] = {}
    for bar in bars:
        if bar.kind == "operation" and bar.job is not None:
            by_job.setdefault(bar.job, []).append(bar)
    for j_idx in sorted(by_job):
        job = data.jobs[j_idx]
        job_bars = by_job[j_idx]
        due = "none" if job.due is None else str(job.due)
        figure.add_trace(
            go.Bar(
                name=data.job_name(j_idx),
                legendgroup=f"job{j_idx}",
                orientation="h",
                y=[labels[b.machine] for b in job_bars],
                x=[b.duration for b in job_bars],
                base=[b.start for b in job_bars],
                text=[data.job_name(j_idx)] * len(job_bars),
                textposition="inside",
                insidetextanchor="middle",
                marker={
                    "color": job_colour(j_idx),
                    "line": {
                        "color": [LATE_EDGE if b.late else "white" for b in job_bars],
                        "width": [2.5 if b.late else 0.5 for b in job_bars],
                    },
                },
                customdata=[
                    (
                        b.operation,
                        labels[b.machine],
                        b.start,
                        b.end,
                        b.duration,
                        job.release,
                        due,
                        data.family_name(job.family),
                        "LATE" if b.late else "",
                    )
                    for b in job_bars
                ],
                hovertemplate=(
                    f"<b>{data.job_name(j_idx)}</b> operation %{{customdata[0]}}<br>"
                    "machine %{customdata[1]}<br>"
                    "start %{customdata[2]}, end %{customdata[3]} (duration %{customdata[4]})<br>"
                    "release %{customdata[5]}, due %{customdata[6]} %{customdata[8]}<br>"
                    "family %{customdata[7]}<extra></extra>"
                ),
            )
        )

    setups = [b for b in bars if b.kind == "setup"]
    if setups:
        figure.add_trace(
            go.Bar(
                name="setup",
                orientation="h",
                y=[labels[b.machine] for b in setups],
                x=[b.duration for b in setups],
                base=[b.start for b in setups],
                marker={
                    "color": SETUP_COLOUR,
                    "line": {"color": SETUP_EDGE, "width": 0.5},
                    "pattern": {"shape": "/", "fgcolor": SETUP_EDGE, "size": 6},
                },
                customdata=[
                    (
                        data.job_name(b.job) if b.job is not None else "",
                        b.operation,
                        labels[b.machine],
                        b.start,
                        b.end,
                        b.duration,
                    )
                    for b in setups
                ],
                hovertemplate=(
                    "<b>changeover</b> before %{customdata[0]} operation %{customdata[1]}<br>"
                    "machine %{customdata[2]}<br>"
                    "%{customdata[3]} to %{customdata[4]} (%{customdata[5]})<extra></extra>"
                ),
            )
        )

    windows = [b for b in bars if b.kind == "unavailable"]
    if windows:
        figure.add_trace(
            go.Bar(
                name="unavailable",
                orientation="h",
                y=[labels[b.machine] for b in windows],
                x=[b.duration for b in windows],
                base=[b.start for b in windows],
                marker={"color": UNAVAILABLE_COLOUR, "line": {"color": UNAVAILABLE_COLOUR, "width": 0.5}},
                customdata=[(labels[b.machine], b.start, b.end) for b in windows],
                hovertemplate=(
                    "<b>unavailable</b> (maintenance / closed)<br>machine %{customdata[0]}<br>"
                    "%{customdata[1]} to %{customdata[2]}<extra></extra>"
                ),
            )
        )

    placed = [b for b in bars if b.kind == "maintenance"]
    if placed:
        names = [
            data.maintenance[b.operation].name
            if b.operation is not None and b.operation < len(data.maintenance)
            else ""
            for b in placed
        ]
        figure.add_trace(
            go.Bar(
                name="maintenance",
                orientation="h",
                y=[labels[b.machine] for b in placed],
                x=[b.duration for b in placed],
                base=[b.start for b in placed],
                marker={"color": MAINTENANCE_COLOUR, "line": {"color": MAINTENANCE_EDGE, "width": 1.0}},
                customdata=[
                    (b.operation, name, labels[b.machine], b.start, b.end)
                    for b, name in zip(placed, names, strict=True)
                ],
                hovertemplate=(
                    "<b>maintenance</b> task %{customdata[0]} %{customdata[1]}<br>machine %{customdata[2]}<br>"
                    "%{customdata[3]} to %{customdata[4]}<extra></extra>"
                ),
            )
        )

    figure.update_layout(
        title=_title(data, schedule, title),
        barmode="overlay",
        bargap=0.25,
        height=160 + 36 * max(1, data.num_machines),
        xaxis={
            "title": {"text": _time_label(data)},
            "range": [0, plot_horizon(bars) * 1.02],
            "showgrid": True,
        },
        yaxis={
            "title": {"text": "machine"},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "autorange": "reversed",
        },
        uniformtext={"minsize": 8, "mode": "hide"},
        legend={"title": {"text": "job"}, "traceorder": "normal"},
        hoverlabel={"align": "left"},
        template="plotly_white",
    )
    return figure


def write_gantt_html(
    data: ProblemData, schedule: Schedule, path: str | Path, title: str | None = None
) -> Path:
    """Write the interactive chart as one self-contained HTML file (plotly.js embedded, works offline).

    Parameters
    ----------
    data
        The problem.
    schedule
        A schedule of it.
    path
        Target file.
    title
        Chart title; by default the instance name and makespan.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    figure = gantt_figure(data, schedule, title)
    # Embedded, never "cdn": plant networks often have no internet access.
    figure.write_html(str(path), include_plotlyjs=True, full_html=True)
    logger.debug("wrote Gantt chart to %s", path)
    return path


def gantt_png_figure(data: ProblemData, schedule: Schedule, title: str | None = None) -> Figure:
    """A static matplotlib Gantt chart with the same bars as :func:`gantt_figure`.

    Job names are written inside bars wide enough to hold them; the legend lists the jobs (up to 30),
    setups and closed windows.

    Parameters
    ----------
    data
        The problem.
    schedule
        A schedule of it.
    title
        Chart title; by default the instance name and makespan.

    Returns
    -------
    matplotlib.figure.Figure
        A figure bound to an Agg canvas (no display needed).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    labels = _machine_labels(data)
    bars = gantt_bars(data, schedule)
    horizon = plot_horizon(bars)
    num_rows = max(1, data.num_machines)
    width = 14.0
    figure = Figure(figsize=(width, 1.6 + 0.45 * num_rows), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()

    for bar in bars:
        if bar.kind == "unavailable":
            ax.barh(bar.machine, bar.duration, left=bar.start, height=0.8, color=UNAVAILABLE_COLOUR, zorder=2)
        elif bar.kind == "maintenance":
            ax.barh(
                bar.machine,
                bar.duration,
                left=bar.start,
                height=0.8,
                color=MAINTENANCE_COLOUR,
                edgecolor=MAINTENANCE_EDGE,
                linewidth=1.0,
                zorder=2,
            )
        elif bar.kind == "setup":
            ax.barh(
                bar.machine,
                bar.duration,
                left=bar.start,
                height=0.6,
                color=SETUP_COLOUR,
                edgecolor=SETUP_EDGE,
                hatch="////",
                linewidth=0.5,
                zorder=2.5,
            )
    # Characters that fit per time unit: about 100 characters across the axis at this width.
    chars_per_unit = 100.0 / horizon
    for bar in bars:
        if bar.kind != "operation" or bar.job is None:
            continue
        ax.barh(
            bar.machine,
            bar.duration,
            left=bar.start,
            height=0.6,
            color=job_colour(bar.job),
            edgecolor=LATE_EDGE if bar.late else "white",
            linewidth=2.0 if bar.late else 0.5,
            zorder=3,
        )
        name = data.job_name(bar.job)
        if bar.duration * chars_per_unit >= len(name) + 1:
            ax.text(
                bar.start + bar.duration / 2,
                bar.machine,
                name,
                ha="center",
                va="center",
                fontsize=7,
                color="black",
                zorder=4,
                clip_on=True,
            )

    ax.set_yticks(range(data.num_machines), labels)
    ax.set_ylim(num_rows - 0.5, -0.5)
    ax.set_xlim(0, horizon * 1.01)
    ax.set_xlabel(_time_label(data))
    ax.set_ylabel("machine")
    ax.set_title(_title(data, schedule, title))
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    ax.set_axisbelow(True)

    handles: list[Patch] = []
    jobs = sorted({b.job for b in bars if b.kind == "operation" and b.job is not None})
    if len(jobs) <= 30:
        handles += [Patch(color=job_colour(j), label=data.job_name(j)) for j in jobs]
    if any(b.kind == "setup" for b in bars):
        handles.append(Patch(facecolor=SETUP_COLOUR, edgecolor=SETUP_EDGE, hatch="////", label="setup"))
    if any(b.kind == "unavailable" for b in bars):
        handles.append(Patch(color=UNAVAILABLE_COLOUR, label="unavailable"))
    if any(b.kind == "maintenance" for b in bars):
        handles.append(Patch(facecolor=MAINTENANCE_COLOUR, edgecolor=MAINTENANCE_EDGE, label="maintenance"))
    if any(b.late for b in bars):
        handles.append(Patch(facecolor="white", edgecolor=LATE_EDGE, linewidth=2.0, label="late (end)"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return figure


def write_gantt_png(
    data: ProblemData, schedule: Schedule, path: str | Path, title: str | None = None, dpi: int = 150
) -> Path:
    """Write the static chart of :func:`gantt_png_figure` as PNG.

    Parameters
    ----------
    data
        The problem.
    schedule
        A schedule of it.
    path
        Target file.
    title
        Chart title; by default the instance name and makespan.
    dpi
        Resolution.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    figure = gantt_png_figure(data, schedule, title)
    figure.savefig(str(path), dpi=dpi)
    logger.debug("wrote Gantt chart to %s", path)
    return path
