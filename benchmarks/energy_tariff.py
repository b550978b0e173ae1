#!/usr/bin/env python3
"""Energy-cost saving of tariff-aware scheduling against tariff-blind scheduling, on generated plants.

Each plant (seeded) has machines closed at night (16:00-06:00), operations with one or two eligible
machines, power draw per mode, idle power, about half of the operations resumable, a maintenance task,
a day/night tariff (hourly periods, night cheap) and optionally a peak-power limit. The tariff-blind solve
minimises ``makespan + tardiness``; the aware one adds ``energy`` with the given weight. Every schedule is
verified by the independent checker; the table gives makespan, energy cost (kWh priced by the tariff,
running and idle), CO2 and the saving.

Example::

    .venv/bin/python benchmarks/energy_tariff.py --jobs 8,40 --seeds 1,2,3 --time-limit 10 --workers 2
"""

from __future__ import annotations

import argparse
import random
import time

from planner.scheduling import Model, Objective, ProblemData, check_solution, solve


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", default="8,40", help="comma-separated numbers of jobs")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--energy-weight", type=int, default=10, help="objective weight per unit of money")
    parser.add_argument("--peak", type=float, default=None, help="plant peak-power limit in kW")
    args = parser.parse_args()

    print(
        "| plant | ops | blind makespan | blind cost | aware makespan | aware cost | saving | makespan change "
        "| blind s | aware s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    savings = []
    for num_jobs in map(int, args.jobs.split(",")):
        for seed in map(int, args.seeds.split(",")):
            base = plant(num_jobs, seed, args.peak)
            blind_data = base.replace(objective=Objective(makespan=1, tardiness=1))
            aware_data = base.replace(objective=Objective(makespan=1, tardiness=1, energy=args.energy_weight))
            row = []
            for data in (blind_data, aware_data):
                started = time.perf_counter()
                result = solve(data, time_limit=args.time_limit, num_workers=args.workers, seed=1)
                seconds = time.perf_counter() - started
                assert result.schedule is not None, f"{data.name}: no schedule ({result.status})"
                report = check_solution(data, result.schedule)
                assert report.ok and report.kpis is not None, report.violations
                row.append((report.kpis, seconds))
            (blind, blind_s), (aware, aware_s) = row
            saving = 1 - aware.energy_cost / blind.energy_cost
            savings.append(saving)
            print(
                f"| {base.name} | {base.num_operations} | {blind.makespan} | {blind.energy_cost:.2f} | "
                f"{aware.makespan} | {aware.energy_cost:.2f} | {saving:.1%} | "
                f"{aware.makespan / blind.makespan - 1:+.1%} | {blind_s:.1f} | {aware_s:.1f} |"
            )
    print(f"\nmean saving {sum(savings) / len(savings):.1%} over {len(savings)} plants")


if __name__ == "__main__":
    main()
