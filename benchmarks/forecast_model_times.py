"""CPU seconds per fit of each forecasting candidate on a few M3 monthly series (horizon 18).

CPU time (own process plus finished children, so Prophet's cmdstan counts) is reported beside the wall
time because the wall time on a shared machine measures mostly the load.

Usage::

    .venv/bin/python benchmarks/forecast_model_times.py --every 70 --offset 3   # 21 series
"""

from __future__ import annotations

import argparse
import resource
import time

import pandas as pd
from forecast_m3 import HORIZON, SEASON, load

from planner.forecasting.baselines import forecast_stats
from planner.forecasting.prophet_backend import ProphetSettings, forecast_prophet

STATS = ("ets", "theta", "dotm", "ces", "arima", "snaive", "naive")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=int, default=70)
    parser.add_argument("--offset", type=int, default=3)
    args = parser.parse_args(argv)
    train, _, ids = load(args.every, args.offset)
    groups = [g.sort_values("ds") for _, g in train.groupby("unique_id")]
    ys = [g["y"].to_numpy(dtype=float) for g in groups]
    forecast_stats(STATS, ys[:2], HORIZON, SEASON)  # compile statsforecast's numba code first
    print(f"{len(ids)} series; per fit: model, CPU s, wall s")
    for name in STATS:
        c0, w0 = _cpu(), time.perf_counter()
        forecast_stats((name,), ys, HORIZON, SEASON)
        print(f"{name}\t{(_cpu() - c0) / len(ys):.3f}\t{(time.perf_counter() - w0) / len(ys):.3f}")
    c0, w0 = _cpu(), time.perf_counter()
    for g in groups:
        ds = g["ds"].to_numpy()
        future = pd.date_range(ds[-1], periods=HORIZON + 1, freq="MS")[1:].to_numpy()
        forecast_prophet(
            ds, g["y"].to_numpy(dtype=float), future, ProphetSettings(config="prophet", freq="M")
        )
    print(f"prophet\t{(_cpu() - c0) / len(groups):.3f}\t{(time.perf_counter() - w0) / len(groups):.3f}")


if __name__ == "__main__":
    main()
