"""Charts of a whole plan: the Gantt chart with an energy strip beneath it, and the inventory plan.

- :func:`plan_gantt_figure` (plotly, interactive) and :func:`plan_gantt_png_figure` (matplotlib, static):
  the machines' operations, changeovers, closed windows and placed maintenance, and beneath them the
  plant's power use (kW of running operations, pauses of resumable work excluded) against the peak limit
  and the time-of-use electricity price.
- :func:`inventory_png_figure`: end-of-period stock of each item against its safety stock, with backlog.

Time ticks are local calendar times of the plan (``Mon 06:00``) when the problem has a time origin.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.plotting.gantt import (
    LATE_EDGE,
    MAINTENANCE_COLOUR,
    MAINTENANCE_EDGE,
    SETUP_COLOUR,
    SETUP_EDGE,
    UNAVAILABLE_COLOUR,
    gantt_bars,
    gantt_figure,
    job_colour,
    plot_horizon,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from planner.planning.plan import Plan
    from planner.scheduling import ProblemData, Schedule

logger = logging.getLogger(__name__)

__all__ = [
    "inventory_png_figure",
    "plan_gantt_figure",
    "plan_gantt_png_figure",
    "power_profile",
    "price_profile",
    "write_plan_gantt_html",
]

POWER_COLOUR = "#1f77b4"
PRICE_COLOUR = "#ff7f0e"


def _running_segments(start: int, end: int, windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` minus the closed windows (a resumable operation pauses over them)."""
    out = []
    t = start
    for w_start, w_end in sorted(windows):
        if w_end <= t or w_start >= end:
            continue
        if w_start > t:
            out.append((t, w_start))
        t = max(t, w_end)
    if t < end:
        out.append((t, end))
    return out


def power_profile(data: ProblemData, schedule: Schedule) -> list[tuple[int, float]]:
    """The plant's power use as a step function: ``(time, kW from then on)`` at every change.

    Running operations draw their mode's power; a resumable operation draws nothing while it pauses
    over a closed window of its machine. Idle power is not included (it is not scheduled).
    """
    events: dict[int, float] = {}
    for sop in schedule:
        op = data.jobs[sop.job].operations[sop.operation]
        mode = op.mode_on(sop.machine)
        if mode is None or mode.power <= 0 or sop.end <= sop.start:
            continue
        windows = data.machines[sop.machine].unavailable if getattr(op, "resumable", False) else ()
        for s, e in _running_segments(sop.start, sop.end, windows):
            events[s] = events.get(s, 0.0) + mode.power
            events[e] = events.get(e, 0.0) - mode.power
    out: list[tuple[int, float]] = [] if 0 in events else [(0, 0.0)]
    level = 0.0
    for t in sorted(events):
        level += events[t]
        out.append((t, round(level, 9)))
    return out


def price_profile(data: ProblemData, until: int) -> list[tuple[int, float]]:
    """The electricity price as a step function ``(time, price)`` up to ``until`` (empty without tariff)."""
    energy = getattr(data, "energy", None)
    if energy is None or not energy.price:
        return []
    out = []
    k = 0
    while k * energy.period <= until:
        out.append((k * energy.period, energy.price_at(k)))
        k += 1
    return out


def _time_ticks(data: ProblemData, horizon: int) -> tuple[list[int], list[str]]:
    """Tick positions every 6, 12 or 24 hours, labelled with local calendar time when known."""
    if data.time_unit != "min":
        return [], []
    step = next(
        (
            s
            for s, span in ((60, 720), (120, 1440), (240, 2880), (360, 4320), (720, 10080))
            if horizon <= span
        ),
        1440,
    )
    origin = None
    if data.time_origin:
        try:
            origin = datetime.fromisoformat(data.time_origin)
        except ValueError:
            origin = None
    ticks = list(range(0, horizon + step, step))
    if origin is None:
        return ticks, [f"{t / 60:g} h" for t in ticks]
    return ticks, [(origin + timedelta(minutes=t)).strftime("%a %H:%M") for t in ticks]


def _steps(profile: Sequence[tuple[int, float]], until: int) -> tuple[list[int], list[float]]:
    xs: list[int] = []
    ys: list[float] = []
    for k, (t, v) in enumerate(profile):
        if t > until:
            break
        nxt = profile[k + 1][0] if k + 1 < len(profile) else until
        xs += [t, min(nxt, until)]
        ys += [v, v]
    return xs, ys


def plan_gantt_figure(data: ProblemData, schedule: Schedule, title: str | None = None) -> go.Figure:
    """Interactive Gantt chart with the power use and the electricity price in a strip beneath it."""
    from plotly.subplots import make_subplots

    top = gantt_figure(data, schedule, title)
    horizon = int(plot_horizon(gantt_bars(data, schedule)) * 1.02)
    labels = list(top.layout.yaxis.categoryarray or [])
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.72, 0.28],
        vertical_spacing=0.06,
        specs=[[{}], [{"secondary_y": True}]],
    )
    for trace in top.data:
        figure.add_trace(trace, row=1, col=1)
    import plotly.graph_objects as go

    xs, ys = _steps(power_profile(data, schedule), horizon)
    figure.add_trace(
        go.Scatter(x=xs, y=ys, name="power kW", mode="lines", fill="tozeroy", line={"color": POWER_COLOUR}),
        row=2,
        col=1,
    )
    energy = getattr(data, "energy", None)
    if energy is not None and energy.peak_power is not None:
        figure.add_trace(
            go.Scatter(
                x=[0, horizon],
                y=[energy.peak_power] * 2,
                name="peak limit",
                mode="lines",
                line={"color": LATE_EDGE, "dash": "dash"},
            ),
            row=2,
            col=1,
        )
    px, py = _steps(price_profile(data, horizon), horizon)
    if px:
        figure.add_trace(
            go.Scatter(x=px, y=py, name="price / kWh", mode="lines", line={"color": PRICE_COLOUR}),
            row=2,
            col=1,
            secondary_y=True,
        )
    ticks, texts = _time_ticks(data, horizon)
    figure.update_layout(
        title=top.layout.title,
        barmode="overlay",
        bargap=0.25,
        height=260 + 36 * max(1, data.num_machines),
        template="plotly_white",
        hoverlabel={"align": "left"},
        legend={"traceorder": "normal"},
    )
    figure.update_yaxes(
        type="category", categoryorder="array", categoryarray=labels, autorange="reversed", row=1, col=1
    )
    figure.update_yaxes(title_text="kW", row=2, col=1, secondary_y=False)
    figure.update_yaxes(title_text="price", row=2, col=1, secondary_y=True, showgrid=False)
    figure.update_xaxes(range=[0, horizon], row=2, col=1)
    if ticks:
        figure.update_xaxes(tickvals=ticks, ticktext=texts, row=2, col=1)
        figure.update_xaxes(tickvals=ticks, ticktext=texts, row=1, col=1)
    return figure


def write_plan_gantt_html(
    data: ProblemData, schedule: Schedule, path: str | Path, title: str | None = None
) -> Path:
    """Write :func:`plan_gantt_figure` as one self-contained HTML file (plotly.js embedded)."""
    path = Path(path)
    plan_gantt_figure(data, schedule, title).write_html(str(path), include_plotlyjs=True, full_html=True)
    return path


def plan_gantt_png_figure(data: ProblemData, schedule: Schedule, title: str | None = None) -> Figure:
    """Static Gantt chart with the power-use and price strip beneath it (matplotlib)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bars = gantt_bars(data, schedule)
    horizon = int(plot_horizon(bars) * 1.02)
    rows = max(1, data.num_machines)
    figure = Figure(figsize=(14.0, 2.8 + 0.4 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    ax, strip = figure.subplots(2, 1, sharex=True, height_ratios=[max(3, rows * 0.4), 1.6])
    for bar in bars:
        if bar.kind == "unavailable":
            ax.barh(bar.machine, bar.duration, left=bar.start, height=0.8, color=UNAVAILABLE_COLOUR, zorder=2)
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
        elif bar.kind == "maintenance":
            ax.barh(
                bar.machine,
                bar.duration,
                left=bar.start,
                height=0.6,
                color=MAINTENANCE_COLOUR,
                edgecolor=MAINTENANCE_EDGE,
                hatch="xx",
                zorder=3,
            )
        elif bar.job is not None:
            ax.barh(
                bar.machine,
                bar.duration,
                left=bar.start,
                height=0.6,
                color=job_colour(bar.job),
                edgecolor=LATE_EDGE if bar.late else "white",
                linewidth=2.0 if bar.late else 0.4,
                zorder=3,
            )
    ax.set_yticks(range(data.num_machines), [data.machine_name(m) for m in range(data.num_machines)])
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xlim(0, horizon)
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    ax.set_axisbelow(True)
    ax.set_title(title or f"{data.name or 'plan'}: makespan {schedule.makespan} {data.time_unit}".strip())
    handles = [
        Patch(facecolor=SETUP_COLOUR, edgecolor=SETUP_EDGE, hatch="////", label="changeover"),
        Patch(color=UNAVAILABLE_COLOUR, label="closed"),
        Patch(facecolor=MAINTENANCE_COLOUR, edgecolor=MAINTENANCE_EDGE, hatch="xx", label="maintenance"),
        Patch(facecolor="white", edgecolor=LATE_EDGE, linewidth=2.0, label="late"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)

    xs, ys = _steps(power_profile(data, schedule), horizon)
    strip.fill_between(xs, ys, step=None, color=POWER_COLOUR, alpha=0.35, linewidth=0)
    strip.plot(xs, ys, color=POWER_COLOUR, linewidth=1.0, label="power (kW)")
    energy = getattr(data, "energy", None)
    if energy is not None and energy.peak_power is not None:
        strip.axhline(energy.peak_power, color=LATE_EDGE, linestyle="--", linewidth=1.0, label="peak limit")
    strip.set_ylabel("kW")
    strip.grid(axis="x", color="#e0e0e0")
    px, py = _steps(price_profile(data, horizon), horizon)
    lines, names = strip.get_legend_handles_labels()
    if px:
        twin = strip.twinx()
        twin.plot(px, py, color=PRICE_COLOUR, linewidth=1.2, label="price per kWh")
        twin.set_ylabel("price per kWh")
        more, more_names = twin.get_legend_handles_labels()
        lines, names = lines + more, names + more_names
    strip.legend(lines, names, loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=7, frameon=False)
    ticks, texts = _time_ticks(data, horizon)
    if ticks:
        strip.set_xticks(ticks, texts, fontsize=7, rotation=30)
    strip.set_xlim(0, horizon)
    return figure


def inventory_png_figure(plan: Plan, items: Sequence[str] | None = None, max_items: int = 12) -> Figure:
    """Small multiples: per item, end-of-period stock (bars), safety stock (dashed) and backlog (red).

    Parameters
    ----------
    plan
        A plan with inventory targets.
    items
        The items to draw (default: the first ``max_items`` of the plan, made products before parts).
    max_items
        At most this many panels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    by_item: dict[str, list[Any]] = {}
    for row in plan.inventory:
        by_item.setdefault(row.item, []).append(row)
    chosen = list(items) if items is not None else list(by_item)
    chosen = [i for i in chosen if i in by_item][:max_items]
    cols = min(4, max(1, len(chosen)))
    rows = max(1, -(-len(chosen) // cols))
    figure = Figure(figsize=(3.4 * cols, 2.3 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, cols, squeeze=False)
    for k, item in enumerate(chosen):
        ax = axes[k // cols][k % cols]
        data = sorted(by_item[item], key=lambda r: r.period)
        periods = [r.period + 1 for r in data]
        ax.bar(periods, [r.inventory for r in data], color="#9ecae1", label="stock")
        ax.plot(periods, [r.safety_stock for r in data], "k--", linewidth=1, label="safety stock")
        if any(r.backlog > 0 for r in data):
            ax.bar(periods, [-r.backlog for r in data], color=LATE_EDGE, label="backlog")
        ax.plot(periods, [r.demand for r in data], color=PRICE_COLOUR, linewidth=1, label="demand")
        ax.set_title(item, fontsize=9)
        ax.tick_params(labelsize=7)
        if k == 0:
            ax.legend(fontsize=6, frameon=False)
    for k in range(len(chosen), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    figure.supxlabel("period", fontsize=8)
    return figure
