#!/usr/bin/env python3
"""Energy-cost saving of tariff-aware scheduling against tariff-blind scheduling, on generated plants.

Each plant (seeded) has machines closed at night (16:00-06:00), operations with one or two eligible
machines, power draw per mode, idle power, about half of the operations resumable, a maintenance task,
a day/night tariff (hourly periods, night cheap) and optionally a peak-power limit. The tariff-blind solve
minimises ``makespan + tardiness``; the aware one adds ``energy`` with the given weight and, as in the plan
pipeline, is warm-started from the tariff-blind schedule and bounded by each makespan tolerance in turn
(:func:`planner.planning.pipeline.bounded`: makespan and total weighted tardiness at most ``1 + tolerance``
times the tariff-blind ones; ``none``: unbounded). Every schedule is verified by the independent checker
on the bounded problem; the table gives makespan, energy cost (kWh priced by the tariff, running and idle)
and the saving per tolerance.

Example::

    .venv/bin/python benchmarks/energy_tariff.py --jobs 8,40,120 --seeds 1,2,3 --time-limit 10 --workers 2 \
        --makespan-tolerance 0,0.05,0.10,none --csv benchmarks/results/energy_tariff.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from pathlib import Path
from typing import Any

from planner.planning.pipeline import bounded
from planner.scheduling import Model, Objective, ProblemData, Schedule, check_solution, solve


def plant(num_jobs: int, seed: int, peak: float | None) -> ProblemData:
    """A generated plant: 5 machines per 20 jobs (at least 3), a week of night shifts, a day/night tariff."""
    rng = random.Random(seed)
    m = Model(name=f"plant_j{num_jobs}_s{seed}", time_unit="min")
    days = 7
    shifts = [(d * 1440 + 960, d * 1440 + 1440 + 360) for d in range(days)]
    machines = [
        m.add_machine(f"M{i}", unavailable=shifts, idle_power=2.0) for i in range(max(3, num_jobs // 4))
    ]
    for j in range(num_jobs):
        job = m.add_job(f"J{j}", due=rng.randint(600, 3000))
        for _ in range(rng.randint(2, 5)):
            eligible = rng.sample(machines, rng.randint(1, 2))
            modes = [(e, rng.randint(10, 90), float(rng.randint(5, 40))) for e in eligible]
            m.add_operation(job, modes, resumable=rng.random() < 0.5)
    m.add_maintenance(machines[0], 120, earliest=0, latest=2880, name="service")
    # hourly tariff: 0.10 at night (22:00-06:00), 0.32 by day, 0.45 in the 17:00-20:00 peak
    price = []
    for h in range(24 * days):
        hour = h % 24
        price.append(0.10 if hour < 6 or hour >= 22 else 0.45 if 17 <= hour < 20 else 0.32)
    m.set_energy(60, price=price, co2=[0.35], peak_power=peak)
    return m.data()


def _solve(
    data: ProblemData, time_limit: float, workers: int, start: Schedule | None = None
) -> tuple[Any, float, float]:
    """Schedule, checker objective and wall seconds of one solve (the schedule must pass the checker)."""
    started = time.perf_counter()
    result = solve(data, time_limit=time_limit, num_workers=workers, seed=1, initial_solution=start)
    seconds = time.perf_counter() - started
    assert result.schedule is not None, f"{data.name}: no schedule ({result.status})"
    report = check_solution(data, result.schedule)
    assert report.ok and report.kpis is not None and report.objective is not None, report.violations
    return result.schedule, report.objective, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", default="8,40", help="comma-separated numbers of jobs")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", default="10", help="comma-separated seconds per solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--energy-weight", type=int, default=10, help="objective weight per unit of money")
    parser.add_argument("--peak", type=float, default=None, help="plant peak-power limit in kW")
    parser.add_argument(
        "--makespan-tolerance",
        default="none",
        help="comma-separated relative tolerances of the aware solve (e.g. 0,0.05,0.10,none)",
    )
    parser.add_argument("--csv", type=Path, default=None, help="write the rows to this CSV file")
    args = parser.parse_args()
    tolerances = [
        None if t.strip().lower() == "none" else float(t) for t in args.makespan_tolerance.split(",")
    ]

    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(
        "| plant | ops | limit s | tolerance | blind makespan | blind cost | aware makespan | aware cost "
        "| saving | makespan change | blind obj (aware weights) | aware obj | blind s | aware s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows: list[dict[str, Any]] = []
    for time_limit in map(float, args.time_limit.split(",")):
        for num_jobs in map(int, args.jobs.split(",")):
            for seed in map(int, args.seeds.split(",")):
                base = plant(num_jobs, seed, args.peak)
                blind_data = base.replace(objective=Objective(makespan=1, tardiness=1))
                aware_data = base.replace(
                    objective=Objective(makespan=1, tardiness=1, energy=args.energy_weight)
                )
                # the aware solves start from the blind schedule, right after it (as the pipeline does)
                blind_schedule, _, blind_s = _solve(blind_data, time_limit, args.workers)
                blind = check_solution(aware_data, blind_schedule)
                assert blind.kpis is not None and blind.objective is not None
                for tolerance in tolerances:
                    data = bounded(aware_data, blind_schedule, blind_data, tolerance)
                    aware_schedule, aware_obj, aware_s = _solve(
                        data, time_limit, args.workers, blind_schedule
                    )
                    aware = check_solution(data, aware_schedule)
                    assert aware.ok and aware.kpis is not None, aware.violations[:3]
                    saving = 1 - aware.kpis.energy_cost / blind.kpis.energy_cost
                    label = "none" if tolerance is None else f"{tolerance:g}"
                    row = {
                        "plant": base.name,
                        "operations": base.num_operations,
                        "time_limit": time_limit,
                        "makespan_tolerance": label,
                        "makespan_bound": data.max_makespan,
                        "blind_makespan": blind.kpis.makespan,
                        "blind_cost": round(blind.kpis.energy_cost, 4),
                        "aware_makespan": aware.kpis.makespan,
                        "aware_cost": round(aware.kpis.energy_cost, 4),
                        "saving": round(saving, 5),
                        "makespan_change": round(aware.kpis.makespan / blind.kpis.makespan - 1, 5),
                        "blind_tardiness": blind.kpis.total_weighted_tardiness,
                        "aware_tardiness": aware.kpis.total_weighted_tardiness,
                        "blind_objective_aware_weights": round(blind.objective, 4),
                        "aware_objective": round(aware_obj, 4),
                        "blind_seconds": round(blind_s, 2),
                        "aware_seconds": round(aware_s, 2),
                        "load": round(os.getloadavg()[0], 1),
                    }
                    rows.append(row)
                    print(
                        f"| {base.name} | {base.num_operations} | {time_limit:g} | {label} | "
                        f"{blind.kpis.makespan} | {blind.kpis.energy_cost:.2f} | {aware.kpis.makespan} | "
                        f"{aware.kpis.energy_cost:.2f} | {saving:.1%} | {row['makespan_change']:+.1%} | "
                        f"{blind.objective:.1f} | {aware_obj:.1f} | {blind_s:.1f} | {aware_s:.1f} |",
                        flush=True,
                    )
    print()
    print(
        "| plants | limit s | tolerance | mean saving | min saving | mean makespan change | max makespan change |"
    )
    print("|---|---|---|---|---|---|---|")
    for time_limit in sorted({r["time_limit"] for r in rows}):
        for ops_class in sorted({r["plant"].split("_s")[0] for r in rows}, key=lambda c: int(c[7:])):
            for tolerance in dict.fromkeys(r["makespan_tolerance"] for r in rows):
                part = [
                    r
                    for r in rows
                    if r["time_limit"] == time_limit
                    and r["plant"].startswith(ops_class + "_")
                    and r["makespan_tolerance"] == tolerance
                ]
                if part:
                    savings = [r["saving"] for r in part]
                    changes = [r["makespan_change"] for r in part]
                    print(
                        f"| {ops_class} x{len(part)} | {time_limit:g} | {tolerance} | "
                        f"{sum(savings) / len(part):.1%} | {min(savings):.1%} | "
                        f"{sum(changes) / len(part):+.1%} | {max(changes):+.1%} |"
                    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if args.csv is not None:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
