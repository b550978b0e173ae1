"""Output files of a lot-sizing solve: plan CSV, result JSON and a plot of stock and capacity use."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from planner.formats.lotsizing_native import write_plan_csv
from planner.inventory.check import check_plan
from planner.inventory.plan import LotSizingResult
from planner.inventory.problem_data import LotSizingData

__all__ = ["plot_plan", "result_document", "write_plan_csv", "write_result_json"]


def result_document(data: LotSizingData, result: LotSizingResult, **extra: Any) -> dict[str, Any]:
    """The result JSON: status, objective, bound, gap, cost breakdown, shortfall and capacity use."""
    doc: dict[str, Any] = {"instance": data.name, **result.summary(), **extra}
    if result.plan is not None:
        check = check_plan(data, result.plan)
        doc["checker"] = {"ok": check.ok, "violations": [str(v) for v in check.violations[:20]]}
        doc["capacity_use"] = [
            {
                "resource": res.name,
                "load": [round(v, 6) for v in check.load[r]],
                "capacity": list(res.capacity),
            }
            for r, res in enumerate(data.resources)
        ]
    return doc


def write_result_json(
    data: LotSizingData,
    result: LotSizingResult,
    path: str | os.PathLike[str],
    extra: dict[str, Any] | None = None,
) -> None:
    """Write :func:`result_document` (with the ``extra`` fields) to ``path``."""
    Path(path).write_text(json.dumps(result_document(data, result, **(extra or {})), indent=2) + "\n")


def plot_plan(data: LotSizingData, result: LotSizingResult, path: str | os.PathLike[str]) -> None:
    """Save a PNG: stock per item and period (stacked; backlog and lost demand below zero) above capacity
    use per resource and period."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if result.plan is None:
        raise ValueError("the result has no plan to plot")
    plan = result.plan
    check = check_plan(data, plan)
    periods = list(range(data.num_periods))
    fig, (ax_inv, ax_cap) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    bottom = [0.0] * data.num_periods
    for i, item in enumerate(data.items):
        ax_inv.bar(periods, plan.inventory[i], bottom=bottom, label=item.name, width=0.8)
        bottom = [b + v for b, v in zip(bottom, plan.inventory[i], strict=True)]
    backlog = [sum(plan.backlog[i][t] for i in range(data.num_items)) for t in periods]
    if any(backlog):
        ax_inv.bar(periods, [-v for v in backlog], color="red", label="backlog", width=0.8)
    lost = [sum(plan.lost_at(i, t) for i in range(data.num_items)) for t in periods]
    if any(lost):
        below = [-v for v in backlog]
        ax_inv.bar(
            periods,
            [-v for v in lost],
            bottom=below,
            color="white",
            edgecolor="black",
            hatch="//",
            label="lost",
            width=0.8,
        )
    ax_inv.set_ylabel("end-of-period stock (units)")
    ax_inv.set_title(f"{data.name or 'plan'}: {result.status.value}, cost {result.objective:g}")
    if data.num_items <= 12:
        ax_inv.legend(fontsize="small", ncol=2)
    for r, res in enumerate(data.resources):
        ax_cap.plot(periods, check.load[r], marker="o", label=f"{res.name} load")
        ax_cap.step(periods, res.capacity, where="mid", linestyle="--", label=f"{res.name} capacity")
    ax_cap.set_xlabel("period")
    ax_cap.set_ylabel("capacity use (hours)")
    ax_cap.set_ylim(bottom=0)
    ax_cap.set_xticks(periods if data.num_periods <= 40 else periods[:: max(1, data.num_periods // 20)])
    if data.resources:
        ax_cap.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
