"""M3 monthly benchmark of planner.forecasting (the competition's protocol: 1,428 series, horizon 18).

Scores, on the same series and in the same run:

- our selected forecasts (``planner.forecasting.forecast`` with its defaults: AutoETS, AutoTheta,
  DynamicOptimizedTheta, AutoCES, AutoARIMA, seasonal naive, naive and Prophet, the default blend and
  other combinations, chosen per series by a rolling-origin backtest), with the coverage of the
  calibrated q10-q90 (80%) and q2.5-q97.5 (95%) bands and the pinball loss;
- every base candidate's own forecast from that run (plain Prophet with defaults, seasonal naive,
  naive, AutoETS, AutoTheta, AutoARIMA, AutoCES, DOTM) and two combinations of the same fits: the plain
  mean of AutoETS, AutoTheta, AutoARIMA and AutoCES (the issue's reference) and the SCUM median;
- optionally the 4-model mean as its own timed run (``--reference-combo``);
- the published M3 submissions (THETA, ForecastPro, NAIVE2, ...) recomputed on the same series from
  ../shared/data/demand/m3/m3_monthly_published_forecasts.csv;

and the speed (seconds per series, series per second) with 1 and 2 local worker processes on every k-th
series (``--timing-every``; ``--timing-only`` skips the accuracy run), with the load average.

Usage::

    .venv/bin/python benchmarks/forecast_m3.py --every 10            # every 10th series (143), to iterate
    .venv/bin/python benchmarks/forecast_m3.py --workers 2 --timing-every 0      # all 1,428 series
    .venv/bin/python benchmarks/forecast_m3.py --every 14 --timing-only --timing-every 1  # 102-series timing

Writes ``benchmarks/results/forecast_m3_<tag>.csv`` and ``.md`` (tag: ``all`` or ``every<N>[_from<K>]``,
``_timing`` for timing-only runs) and ``_reports.csv`` (chosen model and reason per series).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from planner.compute import LocalExecutor
from planner.forecasting import evaluate, forecast

ROOT = Path(__file__).resolve().parents[1]
# The data live beside the checkout (../shared); a git worktree sits deeper (wt/<name>).
DATA = next(
    (
        base / "shared" / "data" / "demand"
        for base in ROOT.parents
        if (base / "shared" / "data" / "demand" / "m3").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "demand",
)
HORIZON = 18
SEASON = 12
PUBLISHED = ("THETA", "ForecastPro", "ForcX", "DAMPEN", "B-J auto", "NAIVE2")
CANDIDATES = {
    "prophet": "Prophet (defaults)",
    "snaive": "seasonal naive",
    "naive": "naive",
    "ets": "AutoETS",
    "theta": "AutoTheta",
    "arima": "AutoARIMA",
    "ces": "AutoCES",
    "dotm": "DynamicOptimizedTheta",
    "mean(ets,theta,ces,arima)": "mean of AutoETS, AutoTheta, AutoARIMA, AutoCES",
    "median(ets,ces,arima,dotm)": "SCUM: median of AutoETS, AutoCES, AutoARIMA, DOTM",
}
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)
REFERENCE = ("ets", "theta", "arima", "ces")


def load(every: int, offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """M3 monthly train and test, restricted to every ``every``-th series (sorted by id) from ``offset``."""
    train = pd.read_csv(DATA / "m3" / "m3_monthly_train.csv", parse_dates=["ds"])
    test = pd.read_csv(DATA / "m3" / "m3_monthly_test.csv", parse_dates=["ds"])
    ids = sorted(train["unique_id"].unique())[offset::every]
    keep = set(ids)
    return train[train["unique_id"].isin(keep)], test[test["unique_id"].isin(keep)], ids


def published_scores(ids: list[str], train: pd.DataFrame, test: pd.DataFrame) -> list[dict[str, object]]:
    """sMAPE and MASE of the published M3 submissions on exactly these series."""
    wide = pd.read_csv(DATA / "m3" / "m3_monthly_published_forecasts.csv")
    wide = wide[wide["method"].isin(PUBLISHED) & wide["unique_id"].isin(set(ids))]
    dates = test.sort_values(["unique_id", "ds"]).groupby("unique_id")["ds"].apply(list).to_dict()
    rows = []
    for method, g in wide.groupby("method"):
        long = []
        for _, r in g.iterrows():
            values = r[[f"h{i}" for i in range(1, HORIZON + 1)]].to_numpy(dtype=float)
            long.append(
                pd.DataFrame({"unique_id": r["unique_id"], "ds": dates[r["unique_id"]], "yhat": values})
            )
        ev = evaluate(pd.concat(long), test, train, SEASON)
        rows.append(
            {"method": f"published {method}", "source": "M3 submission (Mcomp)", **_point(ev.overall)}
        )
    return rows


def _point(overall: dict[str, float]) -> dict[str, object]:
    return {
        "n_series": int(overall["num_series"]),
        "smape": overall["smape"],
        "mase": overall["mase"],
        "bias": overall["bias"],
    }


def _load() -> str:
    """The 1-, 5- and 15-minute load averages, for the timing rows (the machine is shared)."""
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def _timed(label: str, n: int, workers: int, secs: float, load: str) -> dict[str, object]:
    return {
        "method": label,
        "source": "this run",
        "n_series": n,
        "workers": workers,
        "seconds": secs,
        "s_per_series": secs / n,
        "series_per_s": n / secs,
        "load": load,
    }


def run(
    args: argparse.Namespace, save: Callable[[list[dict[str, object]], pd.Series], None]
) -> tuple[pd.DataFrame, pd.Series]:
    """Run the benchmark and return its table; ``save`` is called with the rows so far after each step."""
    train, test, ids = load(args.every, args.offset)
    log = logging.getLogger("forecast_m3")
    log.info("%d series, horizon %d", len(ids), HORIZON)
    rows: list[dict[str, object]] = []
    chosen = pd.Series(dtype=int)

    # Warm-up on two series so module imports and model start-up are not charged to the timed runs.
    warm = train[train["unique_id"].isin(ids[:2])]
    with LocalExecutor(1) as ex:
        forecast(warm, HORIZON, freq="M", executor=ex, num_windows=1)

    main_workers = max(args.workers)
    if not args.timing_only:
        load0 = _load()
        t0 = time.perf_counter()
        with LocalExecutor(main_workers) as ex:
            res = forecast(
                train,
                HORIZON,
                freq="M",
                quantiles=QUANTILES,
                keep_candidates=True,
                executor=ex,
                num_windows=args.windows,
                progress=lambda d, n: log.info("selected run: %d/%d series", d, n),
            )
        secs = time.perf_counter() - t0
        ev = evaluate(res.forecast, test, train, SEASON)
        rows.append(
            {
                "method": "planner selected (default blend, backtest choice, Prophet in the loop)",
                "source": "this run",
                **_point(ev.overall),
                "coverage_80": ev.overall.get("coverage_80"),
                "coverage_95": ev.overall.get("coverage_95"),
                "pinball": ev.overall.get("pinball"),
                "workers": main_workers,
                "seconds": secs,
                "s_per_series": secs / len(ids),
                "series_per_s": len(ids) / secs,
                "load": f"{load0} -> {_load()}",
            }
        )
        chosen = ev.per_series["model"].value_counts()
        log.info("chosen models: %s", chosen.to_dict())
        res.report_frame().to_csv(args.out_dir / f"forecast_m3_{args.tag}_reports.csv", index=False)
        assert res.candidates is not None
        for name, label in CANDIDATES.items():
            cand = res.candidates[res.candidates["model"] == name]
            if cand.empty:
                continue
            cev = evaluate(cand, test, train, SEASON)
            rows.append(
                {"method": label, "source": "this run (same fits as the selected run)", **_point(cev.overall)}
            )
        rows.extend(published_scores(ids, train, test))
        save(rows, chosen)
        if args.dump is not None:
            with open(args.dump, "wb") as fh:
                pickle.dump((res, train, test), fh)

    if args.reference_combo:
        # The plain 4-model mean as its own run (no backtest): its accuracy equals the candidate above
        # (same fits), this gives its time.
        load0 = _load()
        t0 = time.perf_counter()
        with LocalExecutor(main_workers) as ex:
            ref = forecast(
                train,
                HORIZON,
                freq="M",
                executor=ex,
                num_windows=0,
                models=REFERENCE,
                combinations=("mean(ets,theta,arima,ces)",),
                default_model="mean(ets,theta,arima,ces)",
            )
        rsecs = time.perf_counter() - t0
        rev = evaluate(ref.forecast, test, train, SEASON)
        rows.append(
            {
                **_timed(
                    "mean of AutoETS, AutoTheta, AutoARIMA, AutoCES (own run, no backtest)",
                    len(ids),
                    main_workers,
                    rsecs,
                    f"{load0} -> {_load()}",
                ),
                **_point(rev.overall),
            }
        )
        save(rows, chosen)

    # Speed with 1 and 2 workers on a timing subset (every k-th of the benchmark series).
    if args.timing_every > 0:
        timing_ids = ids[:: args.timing_every]
        timing = train[train["unique_id"].isin(set(timing_ids))]
        for workers in sorted(args.workers):
            load0 = _load()
            t0 = time.perf_counter()
            with LocalExecutor(workers) as ex:
                forecast(timing, HORIZON, freq="M", executor=ex, num_windows=args.windows)
            tsecs = time.perf_counter() - t0
            rows.append(
                _timed(
                    f"speed: planner selected, {workers} worker(s)",
                    len(timing_ids),
                    workers,
                    tsecs,
                    f"{load0} -> {_load()}",
                )
            )
            save(rows, chosen)
    table = pd.DataFrame(rows)
    save(rows, chosen)
    return table, chosen


def to_markdown(table: pd.DataFrame, chosen: pd.Series, command: str) -> str:
    """The table as Markdown, with the command that produced it."""

    def fmt(v: object, digits: int) -> str:
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            return ""
        return f"{v:.{digits}f}" if isinstance(v, float) else str(v)

    cols = [
        ("method", 0),
        ("n_series", 0),
        ("smape", 2),
        ("mase", 3),
        ("coverage_80", 3),
        ("coverage_95", 3),
        ("pinball", 3),
        ("workers", 0),
        ("seconds", 1),
        ("s_per_series", 3),
        ("series_per_s", 2),
        ("load", 0),
        ("source", 0),
    ]
    lines = [
        f"Command: `{command}`",
        "",
        "| " + " | ".join(c for c, _ in cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for _, r in table.iterrows():
        lines.append("| " + " | ".join(fmt(r.get(c), d) for c, d in cols) + " |")
    if len(chosen):
        lines += ["", "Chosen models (selected run): " + ", ".join(f"{k} {v}" for k, v in chosen.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offset", type=int, default=0, help="Start at this series (a disjoint subset).")
    parser.add_argument("--every", type=int, default=1, help="Use every N-th series (1: all 1,428).")
    parser.add_argument(
        "--workers", default="1,2", help="Worker counts to time (the largest runs the main run)."
    )
    parser.add_argument("--windows", type=int, default=2, help="Backtest windows.")
    parser.add_argument(
        "--timing-every",
        type=int,
        default=10,
        help="Time 1/2 workers on every k-th series (0: no timing runs).",
    )
    parser.add_argument("--timing-only", action="store_true", help="Only the timing runs (no accuracy run).")
    parser.add_argument(
        "--reference-combo",
        action="store_true",
        help="Also run the mean of AutoETS, AutoTheta, AutoARIMA, AutoCES (slow: AutoARIMA).",
    )
    parser.add_argument(
        "--dump", type=Path, default=None, help="Pickle the selected run here (for analysis)."
    )
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",")]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("planner").setLevel(logging.ERROR)
    command = "python benchmarks/forecast_m3.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.tag = (
        "all" if args.every == 1 else f"every{args.every}" + (f"_from{args.offset}" if args.offset else "")
    ) + ("_timing" if args.timing_only else "")
    args.out_dir.mkdir(parents=True, exist_ok=True)

    def save(rows: list[dict[str, object]], chosen: pd.Series) -> None:
        table = pd.DataFrame(rows)
        table.to_csv(args.out_dir / f"forecast_m3_{args.tag}.csv", index=False)
        (args.out_dir / f"forecast_m3_{args.tag}.md").write_text(to_markdown(table, chosen, command.strip()))

    table, chosen = run(args, save)
    print(to_markdown(table, chosen, command.strip()))


if __name__ == "__main__":
    main()
