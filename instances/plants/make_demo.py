"""Generate the demo plant, two years of daily demand and a few customer orders (seeded, reproducible).

    python instances/plants/make_demo.py            # writes demo_plant.json, demo_demand.csv, demo_orders.csv
    python instances/plants/make_demo.py --check    # regenerates in memory and fails if the files differ

The plant makes metal products in four lines (frames, racks, brackets, gates) in five colours (the paint
families): 20 products with options, a machined hub sub-assembly and two bought parts, on ten machines in
six work centres with shifts, a closed window, a maintenance task to place, changeovers, and a
time-of-use tariff with a plant peak-power limit. Demand: weekly and yearly seasonality, a trend, promotions
and negative-binomial noise, 2024-12-07 .. 2026-12-06 (the plan starts Monday 2026-12-07).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20261207
START = "2026-12-07T00:00:00+01:00"
HISTORY_DAYS = 730
COLOURS = ("white", "silver", "red", "black", "blue")

WEEKDAY_SHIFTS = [["06:00", "14:00"], ["14:00", "22:00"]]
TWO_SHIFTS = {d: WEEKDAY_SHIFTS for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["06:00", "14:00"]]}
ONE_SHIFT = {d: [["07:00", "15:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
ROUND_THE_CLOCK_WEEKDAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


TIME_SCALE = 1.3
DEMAND_SCALE = 3.0


def mode(machine: str, per_unit: float, fixed: float, power: float) -> dict:
    return {"machine": machine, "per_unit": round(per_unit * TIME_SCALE, 2), "fixed": fixed, "power": power}


def step(name: str, modes: list[dict], resumable: bool = False) -> dict:
    out: dict = {"name": name, "machines": modes}
    if resumable:
        out["resumable"] = True
    return out


def saw(pu: float) -> dict:
    return step("cut", [mode("SAW-1", pu, 10, 7.5), mode("SAW-2", round(pu * 1.2, 2), 10, 5.5)])


def mill(pu: float) -> dict:
    return step(
        "mill",
        [mode("CNC-1", pu, 20, 22), mode("CNC-2", pu, 20, 22), mode("CNC-3", round(pu * 1.5, 2), 15, 14)],
        resumable=True,
    )


def weld(pu: float) -> dict:
    return step(
        "weld", [mode("WELD-1", pu, 15, 18), mode("WELD-2", round(pu * 1.15, 2), 15, 16)], resumable=True
    )


def oven(pu: float) -> dict:
    return step("heat_treat", [mode("OVEN-1", pu, 45, 60)])


def paint(pu: float) -> dict:
    return step("paint", [mode("PAINT-1", pu, 10, 35)])


def assemble(pu: float) -> dict:
    return step("assemble", [mode("ASSY-1", pu, 10, 3), mode("ASSY-2", pu, 10, 3)], resumable=True)


LINES = {
    # line: (routing builder, options, bom, base demand per day, unit value)
    "FRAME": (
        lambda: [saw(1.2), mill(2.2), weld(2.4), oven(0.5), paint(1.0), assemble(3.0)],
        {
            "engraved": {
                "description": "engraved logo",
                "add": [
                    {
                        "step": step("engrave", [mode("CNC-1", 1.5, 10, 12), mode("CNC-2", 1.5, 10, 12)]),
                        "after": "mill",
                    }
                ],
            },
            "reinforced": {"description": "thicker welds", "change": [{"step": "weld", "time_factor": 1.4}]},
            "raw": {"description": "unpainted", "remove": ["paint"]},
        },
        [
            {"item": "TUBE", "quantity": 3, "lead_time": 0},
            {"item": "HUB", "quantity": 1, "lead_time": 1},
            {"item": "BOLT-KIT", "quantity": 1},
        ],
        4.0,
        140.0,
    ),
    "RACK": (
        lambda: [saw(0.8), weld(1.5), paint(0.7)],
        {
            "galvanised": {
                "description": "hot-dip look: extra oven cycle",
                "add": [{"step": oven(0.4), "after": "weld"}],
            },
            "long": {
                "description": "long version",
                "change": [{"step": "cut", "time_factor": 1.3}, {"step": "weld", "time_factor": 1.25}],
            },
        },
        [{"item": "TUBE", "quantity": 2, "lead_time": 0}, {"item": "BOLT-KIT", "quantity": 1}],
        6.0,
        45.0,
    ),
    "BRACKET": (
        lambda: [saw(0.3), mill(0.9), paint(0.4)],
        {
            "precision": {
                "description": "tight tolerance",
                "change": [
                    {"step": "mill", "machines": [mode("CNC-1", 1.3, 25, 22), mode("CNC-2", 1.3, 25, 22)]}
                ],
            }
        },
        [{"item": "TUBE", "quantity": 1, "lead_time": 0}],
        9.0,
        12.0,
    ),
    "GATE": (
        lambda: [saw(1.5), weld(3.0), oven(0.6), paint(1.5), assemble(2.0)],
        {
            "motorised": {
                "description": "with drive",
                "change": [{"step": "assemble", "extra_per_unit": 4.0}],
            },
            "raw": {"description": "unpainted", "remove": ["paint"]},
        },
        [{"item": "TUBE", "quantity": 6, "lead_time": 0}, {"item": "BOLT-KIT", "quantity": 2}],
        1.5,
        320.0,
    ),
}


def plant_doc() -> dict:
    machines = [
        {
            "id": "SAW-1",
            "name": "band saw",
            "group": "saw",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 1.0,
        },
        {
            "id": "SAW-2",
            "name": "circular saw",
            "group": "saw",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 0.8,
        },
        {
            "id": "CNC-1",
            "name": "5-axis machining centre",
            "group": "cnc",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 3.0,
        },
        {
            "id": "CNC-2",
            "name": "5-axis machining centre",
            "group": "cnc",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 3.0,
        },
        {
            "id": "CNC-3",
            "name": "3-axis mill (slower)",
            "group": "cnc",
            "calendar": {"shifts": "one_shift"},
            "idle_power": 2.0,
        },
        {
            "id": "WELD-1",
            "name": "robot welding cell",
            "group": "weld",
            "calendar": {
                "shifts": "two_shifts",
                "closed": [{"start": "2026-12-08T10:00", "end": "2026-12-08T12:00", "reason": "calibration"}],
            },
            "idle_power": 1.5,
        },
        {
            "id": "WELD-2",
            "name": "manual welding",
            "group": "weld",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 0.5,
        },
        {
            "id": "OVEN-1",
            "name": "heat-treatment furnace",
            "group": "oven",
            "calendar": {"shifts": "weekdays_24h"},
            "idle_power": 8.0,
        },
        {
            "id": "PAINT-1",
            "name": "powder coating booth",
            "group": "paint",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 4.0,
            "initial_family": "white",
        },
        {
            "id": "ASSY-1",
            "name": "assembly line 1",
            "group": "assembly",
            "calendar": {"shifts": "two_shifts"},
            "idle_power": 0.5,
        },
        {
            "id": "ASSY-2",
            "name": "assembly line 2",
            "group": "assembly",
            "calendar": {"shifts": "one_shift", "closed_days": ["2026-12-11"]},
            "idle_power": 0.5,
        },
    ]
    products = []
    for line, (routing, options, bom, level, value) in LINES.items():
        for c_idx, colour in enumerate(COLOURS):
            products.append(
                {
                    "id": f"{line}-{colour.upper()[:3]}",
                    "name": f"{line.lower()} {colour}",
                    "family": colour,
                    "routing": routing(),
                    "options": options,
                    "bom": bom,
                    "stock": {
                        "initial": round(DEMAND_SCALE * level * (2.0 + 0.4 * c_idx), 0),
                        "holding_cost": round(value * 0.002, 4),
                        "unit_value": value,
                        "setup_cost": 15.0,
                        "service_level": 0.95,
                        "backlog_penalty": round(value * 0.05, 3),
                        "max_storage": round(DEMAND_SCALE * level * 12),
                    },
                }
            )
    products.append(
        {
            "id": "HUB",
            "name": "machined hub (sub-assembly)",
            "family": "white",
            "routing": [saw(0.4), step("turn", [mode("CNC-3", 1.8, 15, 14), mode("CNC-2", 1.4, 20, 22)])],
            "stock": {
                "initial": 60,
                "holding_cost": 0.05,
                "unit_value": 25,
                "setup_cost": 20,
                "safety_stock": 10,
                "backlog_penalty": 5,
            },
        }
    )
    products.append(
        {
            "id": "TUBE",
            "name": "steel tube 6 m",
            "bought": True,
            "lead_time": 2,
            "stock": {
                "initial": 1500,
                "holding_cost": 0.01,
                "unit_value": 6,
                "setup_cost": 30,
                "safety_stock": 200,
                "backlog_penalty": 2,
            },
        }
    )
    products.append(
        {
            "id": "BOLT-KIT",
            "name": "bolt kit",
            "bought": True,
            "lead_time": 3,
            "stock": {
                "initial": 400,
                "holding_cost": 0.002,
                "unit_value": 1.5,
                "setup_cost": 15,
                "safety_stock": 50,
                "backlog_penalty": 1,
            },
        }
    )
    families = list(COLOURS)
    paint_times = {}
    for a_idx, a in enumerate(COLOURS):
        row = {}
        for b_idx, b in enumerate(COLOURS):
            if a != b:
                # Dark to light is slow (booth cleaning), light to dark fast.
                row[b] = 15 + 10 * max(0, a_idx - b_idx)
        paint_times[a] = row
    weekday = [
        0.09,
        0.08,
        0.08,
        0.08,
        0.09,
        0.12,
        0.21,
        0.31,
        0.34,
        0.30,
        0.25,
        0.21,
        0.18,
        0.18,
        0.21,
        0.25,
        0.31,
        0.38,
        0.40,
        0.34,
        0.25,
        0.17,
        0.12,
        0.10,
    ]
    weekend = [round(v * 0.75, 4) for v in weekday]
    co2_day = [
        0.42,
        0.41,
        0.40,
        0.40,
        0.41,
        0.43,
        0.45,
        0.42,
        0.36,
        0.30,
        0.25,
        0.22,
        0.21,
        0.22,
        0.26,
        0.31,
        0.38,
        0.45,
        0.47,
        0.46,
        0.44,
        0.43,
        0.43,
        0.42,
    ]
    return {
        "format": "planner-plant",
        "version": 1,
        "name": "demo_plant",
        "description": (
            "Metal products plant (generated by instances/plants/make_demo.py): frames, racks, brackets and "
            "gates in five colours, a machined hub and two bought parts; ten machines in six work centres."
        ),
        "horizon": {
            "start": START,
            "timezone": "Europe/Berlin",
            "period": "1d",
            "num_periods": 10,
            "schedule_days": 2,
            "time_unit": "min",
        },
        "shift_patterns": {
            "two_shifts": TWO_SHIFTS,
            "one_shift": ONE_SHIFT,
            "weekdays_24h": ROUND_THE_CLOCK_WEEKDAYS,
        },
        "machines": machines,
        "families": families,
        "changeovers": [
            {"machines": ["PAINT-1"], "default": 15, "times": paint_times},
            {"group": "cnc", "default": 10},
        ],
        "products": products,
        "maintenance": [
            {
                "name": "spindle service",
                "machine": "CNC-1",
                "duration": 240,
                "earliest": "2026-12-07T06:00",
                "latest": "2026-12-08T22:00",
            },
            {
                "name": "burner check",
                "machine": "OVEN-1",
                "duration": 120,
                "earliest": "2026-12-07T00:00",
                "latest": "2026-12-08T23:59",
            },
        ],
        "energy": {
            "currency": "EUR",
            "price": {"pattern": "weekly", "values": weekday * 5 + weekend * 2},
            "co2": {"pattern": "daily", "values": co2_day},
            "peak_kw": 160,
        },
        "storage": {"max_total_units": 12000},
        "objective": {"makespan": 1, "tardiness": 20, "setup": 1, "energy": 20},
    }


def demand_rows(plant: dict, rng: np.random.Generator) -> list[tuple[str, str, float]]:
    import pandas as pd

    dates = pd.date_range(end="2026-12-06", periods=HISTORY_DAYS, freq="D")
    t = np.arange(HISTORY_DAYS)
    dow = dates.dayofweek.to_numpy()
    week = np.array([1.05, 1.1, 1.1, 1.05, 1.15, 0.35, 0.2])
    rows = []
    for p in plant["products"]:
        line = p["id"].split("-")[0]
        if line not in LINES:
            continue
        level = DEMAND_SCALE * LINES[line][3] * rng.uniform(0.7, 1.3)
        trend = 1.0 + rng.uniform(-0.1, 0.25) * t / HISTORY_DAYS
        phase = rng.uniform(0, 2 * np.pi)
        season = 1.0 + 0.25 * np.sin(2 * np.pi * t / 365.25 + phase)
        promo = np.ones(HISTORY_DAYS)
        for start in rng.choice(HISTORY_DAYS - 10, size=4, replace=False):
            promo[start : start + 7] = 1.6
        mean = level * trend * season * week[dow] * promo
        dispersion = 4.0
        y = rng.negative_binomial(dispersion, dispersion / (dispersion + mean))
        for d, v in zip(dates, y, strict=True):
            rows.append((p["id"], d.strftime("%Y-%m-%d"), float(v)))
    return rows


def orders_rows() -> list[dict[str, str]]:
    return [
        {
            "order_id": "SO-5001",
            "product": "FRAME-RED",
            "quantity": "6",
            "due": "2026-12-08T14:00",
            "options": "engraved;reinforced",
            "priority": "5",
        },
        {
            "order_id": "SO-5002",
            "product": "GATE-BLA",
            "quantity": "2",
            "due": "2026-12-08T20:00",
            "options": "motorised",
            "priority": "3",
        },
        {
            "order_id": "SO-5003",
            "product": "RACK-SIL",
            "quantity": "15",
            "due": "2026-12-08T12:00",
            "options": "galvanised;long",
            "priority": "3",
        },
        {
            "order_id": "SO-5004",
            "product": "BRACKET-BLU",
            "quantity": "40",
            "due": "2026-12-07T20:00",
            "options": "precision",
            "priority": "4",
        },
        {
            "order_id": "SO-5005",
            "product": "FRAME-WHI",
            "quantity": "4",
            "due": "2026-12-08T22:00",
            "options": "raw",
            "priority": "2",
        },
    ]


def render() -> dict[str, str]:
    rng = np.random.default_rng(SEED)
    plant = plant_doc()
    demand = io.StringIO()
    writer = csv.writer(demand, lineterminator="\n")
    writer.writerow(["unique_id", "ds", "y"])
    for uid, ds, y in demand_rows(plant, rng):
        writer.writerow([uid, ds, f"{y:g}"])
    orders = io.StringIO()
    owriter = csv.DictWriter(
        orders, ["order_id", "product", "quantity", "due", "options", "priority"], lineterminator="\n"
    )
    owriter.writeheader()
    owriter.writerows(orders_rows())
    return {
        "demo_plant.json": json.dumps(plant, indent=1) + "\n",
        "demo_demand.csv": demand.getvalue(),
        "demo_orders.csv": orders.getvalue(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped files differ")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        stale = [n for n, text in files.items() if (args.out / n).read_text() != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for name, text in files.items():
        (args.out / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
