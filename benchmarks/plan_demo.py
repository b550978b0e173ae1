"""End-to-end wall time of the whole plan by stage, and the energy-cost saving against tariff-blind.

Usage::

    .venv/bin/python benchmarks/plan_demo.py [--time-limit 20] [--workers 2] [--repeat 1] [--seed 1]
    .venv/bin/python benchmarks/plan_demo.py --generated 50x100 --time-limit 60   # a generated plant

The demo plant is ``instances/plants/demo_plant.json`` with its two years of daily demand and five
customer orders. ``--generated MxP`` builds a plant of M machines and P products the same way as the
demo (:func:`generated_plant`) with a year of demand and schedules ``--schedule-days`` days of it.

Each run appends one row to ``benchmarks/results/plan_demo.csv`` (plant, limits, seconds per stage,
number of scheduled orders and operations, status and gap of the schedule, makespan and energy cost of the
energy-aware and the tariff-blind schedule, the saving, the makespan ratio against the tolerance, peak
memory) and prints it as a table. The load average is recorded: the figures depend on it.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
PLANTS = ROOT / "instances" / "plants"

FIELDS = [
    "plant",
    "forecast_models",
    "machines",
    "products",
    "time_limit",
    "workers",
    "seed",
    "forecast_s",
    "lot_sizing_s",
    "jobs_s",
    "schedule_s",
    "plan_s",
    "total_s",
    "orders",
    "operations",
    "lot_status",
    "schedule_status",
    "schedule_gap",
    "otif_pct",
    "makespan",
    "blind_makespan",
    "makespan_ratio",
    "makespan_tolerance",
    "within_tolerance",
    "energy_cost",
    "blind_energy_cost",
    "energy_saving",
    "energy_saving_pct",
    "peak_power_kw",
    "peak_limit_kw",
    "checker_ok",
    "peak_rss_mb",
    "load_avg",
]


def generated_plant(num_machines: int, num_products: int, schedule_days: float, seed: int = 7):
    """A demo-like plant with ``num_machines`` machines in work centres of two to four, ``num_products``
    products of the demo's four lines spread over the centres, and a year of daily demand."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(PLANTS))
    import make_demo  # type: ignore[import-not-found]

    rng = np.random.default_rng(seed)
    doc = make_demo.plant_doc()
    base_machines = {m["id"]: m for m in doc["machines"]}
    # Copies of the demo's machines, round-robin, so every work centre grows alike.
    ids = list(base_machines)
    machines = []
    copies: dict[str, list[str]] = {mid: [] for mid in ids}
    for k in range(num_machines):
        src = base_machines[ids[k % len(ids)]]
        mid = f"{src['id']}-{k // len(ids) + 1}" if k >= len(ids) else src["id"]
        machines.append({**copy.deepcopy(src), "id": mid})
        copies[src["id"]].append(mid)
    doc["machines"] = machines
    made = [p for p in doc["products"] if p.get("routing") and p["id"] != "HUB"]
    num_cells = max(1, num_machines // len(ids))

    def cell_of(machine: str, cell: int) -> str:
        """The copy of ``machine`` in a cell (a cell lacking it borrows cell 0's)."""
        own = copies.get(machine, [machine])
        return own[cell] if cell < len(own) else own[0]

    def reroute(p: dict, cell: int) -> None:
        """Each product runs in one cell of copies, so an operation keeps the demo's few alternatives."""
        for steps in [p.get("routing", [])] + [
            [a["step"] for a in o.get("add", ())] for o in p.get("options", {}).values()
        ]:
            for st in steps:
                st["machines"] = [{**m, "machine": cell_of(m["machine"], cell)} for m in st["machines"]]
        for option in p.get("options", {}).values():
            for change in option.get("change", ()):
                if "machines" in change:
                    change["machines"] = [
                        {**m, "machine": cell_of(m["machine"], cell)} for m in change["machines"]
                    ]

    products = []
    for k in range(num_products):
        p = copy.deepcopy(made[k % len(made)])
        p["id"] = f"{p['id']}-{k + 1:03d}"
        # No opening stock: every product needs lots from the first day on.
        p["stock"]["initial"] = 0.0
        reroute(p, k % num_cells)
        products.append(p)
    shared = [q for q in doc["products"] if q["id"] == "HUB" or q.get("bought")]
    for q in shared:
        reroute(q, 0)
    doc["products"] = products + shared
    doc["changeovers"] = [
        {"machines": copies["PAINT-1"], "default": 15, "times": doc["changeovers"][0]["times"]},
        doc["changeovers"][1],
    ]
    doc["energy"]["peak_kw"] = round(doc["energy"]["peak_kw"] * num_machines / len(ids))
    doc["maintenance"] = [{**t, "machine": c} for t in doc["maintenance"] for c in copies[t["machine"]]]
    doc["name"] = f"generated_{num_machines}m_{num_products}p"
    doc["horizon"]["schedule_days"] = schedule_days
    doc["storage"] = {"max_total_units": 1e9}
    dates = pd.date_range(end="2026-12-06", periods=365, freq="D")
    week = np.array([1.05, 1.1, 1.1, 1.05, 1.15, 0.35, 0.2])
    rows = []
    scale = num_machines / len(ids) * 20 / num_products
    for p in products:
        line = p["id"].split("-")[0]
        level = make_demo.DEMAND_SCALE * make_demo.LINES[line][3] * rng.uniform(0.7, 1.3) * scale
        mean = level * week[dates.dayofweek.to_numpy()]
        y = rng.poisson(mean)
        rows.append(pd.DataFrame({"unique_id": p["id"], "ds": dates, "y": y.astype(float)}))
    return doc, pd.concat(rows, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from planner.planning.pipeline import PlanSettings, make_plan, read_orders
    from planner.planning.plant import plant_from_dict, read_plant
    from planner.scheduling import check_solution

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per scheduling solve")
    parser.add_argument("--lot-time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--generated", default=None, help="MxP: a generated plant of M machines, P products")
    parser.add_argument("--schedule-days", type=float, default=2.0, help="scheduling window of --generated")
    parser.add_argument("--fast-forecast", action="store_true", help="forecast with seasonal naive only")
    parser.add_argument(
        "--makespan-tolerance",
        default="0.10",
        help="bound of the energy-aware solve against the tariff-blind one (relative, or 'none')",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "plan_demo.csv")
    args = parser.parse_args(argv)

    if args.generated:
        m, p = (int(v) for v in args.generated.lower().split("x"))
        doc, history = generated_plant(m, p, args.schedule_days)
        plant = plant_from_dict(json.loads(json.dumps(doc)))
        orders = ()
    else:
        plant = read_plant(PLANTS / "demo_plant.json")
        history = pd.read_csv(PLANTS / "demo_demand.csv")
        orders = read_orders(PLANTS / "demo_orders.csv", plant)
    settings = PlanSettings(
        time_limit=args.time_limit,
        lot_time_limit=args.lot_time_limit,
        num_workers=args.workers,
        seed=args.seed,
        forecast_workers=args.workers,
        makespan_tolerance=None
        if args.makespan_tolerance.lower() == "none"
        else float(args.makespan_tolerance),
        **({"forecast_models": ("snaive",), "forecast_default": "snaive"} if args.fast_forecast else {}),
    )
    rows = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        result = make_plan(plant, history, orders, settings)
        k = result.kpis
        sched = result.schedule_result
        ok = sched.schedule is not None and check_solution(result.problem, sched.schedule).ok
        if result.blind_result is not None and result.blind_result.schedule is not None:
            ok = ok and check_solution(result.problem, result.blind_result.schedule).ok
        s = result.seconds
        rows.append(
            {
                "plant": plant.name,
                "forecast_models": "+".join(settings.forecast_models),
                "machines": len(plant.machines),
                "products": len(plant.products),
                "time_limit": args.time_limit,
                "workers": args.workers,
                "seed": args.seed,
                "forecast_s": round(s["forecast"], 1),
                "lot_sizing_s": round(s["lot_sizing"], 1),
                "jobs_s": round(s["jobs"], 2),
                "schedule_s": round(s["schedule"], 1),
                "plan_s": round(s["plan"], 2),
                "total_s": round(s["total"], 1),
                "orders": result.problem.num_jobs,
                "operations": result.problem.num_operations,
                "lot_status": k.get("lot_sizing_status"),
                "schedule_status": k.get("schedule_status"),
                "schedule_gap": None if sched.schedule is None else round(min(sched.gap, 1.0), 4),
                "otif_pct": k.get("otif_pct"),
                "makespan": k.get("makespan"),
                "blind_makespan": k.get("blind_makespan"),
                "makespan_ratio": k.get("makespan_ratio"),
                "makespan_tolerance": k.get("makespan_tolerance"),
                "within_tolerance": k.get("saving_within_tolerance"),
                "energy_cost": k.get("energy_cost"),
                "blind_energy_cost": k.get("blind_energy_cost"),
                "energy_saving": k.get("energy_saving"),
                "energy_saving_pct": k.get("energy_saving_pct"),
                "peak_power_kw": k.get("peak_power_kw"),
                "peak_limit_kw": plant.energy.peak_kw if plant.energy else None,
                "checker_ok": ok,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
                "load_avg": round(load, 1),
            }
        )
        print(" ".join(f"{f}={rows[-1][f]}" for f in FIELDS), flush=True)
        for name, res in (("schedule", sched), ("blind", result.blind_result)):
            if res is not None:
                gap = round(min(res.gap, 1.0), 4)
                print(
                    f"{name}: solver={res.solver} status={res.status} gap={gap} stats={res.stats}", flush=True
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    with args.out.open("a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    import logging

    # the schedule stage says which path it takes and when CP-SAT finds nothing
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("planner.planning.pipeline").setLevel(logging.INFO)
    t0 = time.perf_counter()
    code = main()
    print(f"done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    sys.exit(code)
