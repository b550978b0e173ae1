#!/usr/bin/env python3
"""Best-known values of instances without published ones, from the runs of ``compare.py``.

Freshly generated Taillard-class instances have no published best-known makespan, and a gap to a lower
bound carries the unknown distance from the bound to the optimum in every solver's figure. This script
collects, per instance, the best makespan any solver reached in the given runs and the best lower bound (the
simple job/machine bound or a solver's proven bound), counting only solves whose schedule the checker
accepted, and merges them into a bounds CSV with the columns of ``instances/bks.csv``. Instances with a
published value are left out. The ``source`` column names the run and the solver that found the upper bound.

``compare.py --best-known FILE`` then measures gaps to these values (and still reports the gap to the lower
bound in its CSV).

Example
-------
::

    .venv/bin/python benchmarks/best_known.py benchmarks/results/compare_issue7_fresh10_30s.csv \\
        benchmarks/results/compare_issue7_fresh10_reference_300s.csv --out benchmarks/bks_fresh.csv
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from pathlib import Path

FIELDS = ("name", "n_jobs", "n_machines", "lower_bound", "upper_bound", "optimal", "source")
SIZE = re.compile(r"_(\d+)x(\d+)_")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def collect(csv_paths: list[Path]) -> dict[str, dict[str, object]]:
    """Best upper and lower bound per instance without a published value, over the given compare CSVs."""
    found: dict[str, dict[str, object]] = {}
    for path in csv_paths:
        tag = path.stem.removeprefix("compare_")
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("reference") == "best-known":  # published: nothing to collect
                    continue
                name = row["instance"].lower()
                entry = found.setdefault(name, {"lower": 0, "upper": None, "source": ""})
                if not str(row.get("checker", "")).startswith("ok"):
                    continue  # a solver whose schedule was rejected: neither its makespan nor its bound
                lows = [_number(row.get("lower_bound")), _number(row.get("bound"))]
                if row.get("reference") == "lower bound":
                    lows.append(_number(row.get("best_known")))
                for low in lows:
                    if low is not None:
                        entry["lower"] = max(int(entry["lower"]), math.ceil(low - 1e-6))
                value = _number(row.get("objective"))
                if value is None:
                    continue
                if entry["upper"] is None or value < float(entry["upper"]):
                    entry["upper"] = int(value)
                    entry["source"] = f"{row['solver']} in compare run {tag}"
    return {name: entry for name, entry in found.items() if entry["upper"] is not None}


def merge(existing: Path | None, found: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    """Rows of the bounds file: the existing ones improved by ``found`` (lower upper, higher lower)."""
    rows: dict[str, dict[str, object]] = {}
    if existing is not None and existing.is_file():
        with existing.open(newline="") as handle:
            for row in csv.DictReader(handle):
                rows[row["name"].lower()] = dict(row)
    for name, entry in found.items():
        size = SIZE.search(name)
        row = rows.setdefault(
            name,
            {
                "name": name, "n_jobs": size.group(1) if size else 0, "n_machines": size.group(2) if size else 0,
                "lower_bound": entry["lower"], "upper_bound": entry["upper"], "source": entry["source"],
            },
        )  # fmt: skip
        row["lower_bound"] = max(int(row["lower_bound"]), int(entry["lower"]))
        if int(entry["upper"]) < int(row["upper_bound"]):
            row["upper_bound"], row["source"] = entry["upper"], entry["source"]
    for row in rows.values():
        if int(row["lower_bound"]) > int(row["upper_bound"]):
            raise SystemExit(
                f"{row['name']}: lower bound {row['lower_bound']} above best known {row['upper_bound']}"
            )
        row["optimal"] = int(row["lower_bound"]) == int(row["upper_bound"])
    return [rows[name] for name in sorted(rows)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("runs", nargs="+", type=Path, help="compare_<tag>.csv files")
    parser.add_argument("--out", type=Path, required=True, help="bounds CSV to write (merged when it exists)")
    args = parser.parse_args(argv)
    for run in args.runs:
        if not run.is_file():
            parser.error(f"no such file {run}")
    rows = merge(args.out, collect(args.runs))
    with args.out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({field: row.get(field, "") for field in FIELDS})
    for row in rows:
        print(f"{row['name']}: {row['lower_bound']}..{row['upper_bound']}  ({row['source']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
