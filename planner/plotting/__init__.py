"""Charts of plans and schedules (plotly for interactive HTML, matplotlib for static images).

plotly and matplotlib are imported only when a chart is drawn, so importing this package stays cheap.
"""

from planner.plotting.gantt import (
    GanttBar,
    gantt_bars,
    gantt_figure,
    gantt_png_figure,
    write_gantt_html,
    write_gantt_png,
)

__all__ = [
    "GanttBar",
    "gantt_bars",
    "gantt_figure",
    "gantt_png_figure",
    "write_gantt_html",
    "write_gantt_png",
]
