#!/usr/bin/env python3
"""A/B runs of flexible job-shop variants of our solver: same instances, seed, workers and time limit.

Each variant is the ``default`` preset with some ``[shop]`` keys changed (``VARIANTS`` below). For every
instance the variants run one after the other, each in its own Python process, in an order that rotates
from one instance to the next so that machine noise hits them alike. Every schedule is verified by the
independent checker ``../shared/tools/check_schedule.py``. Rows go to ``--out`` (CSV, appended one solve
at a time; solves already in it are skipped) and a Markdown table of mean gap per family and variant is
printed, with the PyJobShop 900-s figures of ``reference_results.csv`` next to it.

Examples
--------
Brandimarte at 60 s, CP-SAT alone against the hybrid with the flexible tabu search::

    .venv/bin/python benchmarks/fjsp_ab.py '../shared/instances/fjsp/mk*.fjs' --time-limit 60 \\
        --variants cpsat,tabu --out benchmarks/results/fjsp_tabu_mk_60s.csv
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FJSP = SHARED / "instances" / "fjsp"
CHECKER = SHARED / "tools" / "check_schedule.py"
SET_FOLDERS = ("hurink_edata", "hurink_rdata", "hurink_vdata", "dauzere")

#: variant name -> [shop] keys of the default preset to override
VARIANTS: dict[str, dict[str, Any]] = {
    "cpsat": {"tabu_flexible": False},  # CP-SAT alone: one 2-worker solve hinted by dispatch
    "tabu": {"tabu_flexible": True},  # flexible tabu thread + 1-worker CP-SAT segments
    # the restart period of the flexible tabu search before 2026-12-08 (20 iterations per operation)
    "tabu_stall20": {"tabu_flexible": True, "tabu_flexible_stall": 20},
    # the same, CP-SAT's worker running its full search without LNS
    "tabu_full_search": {"tabu_flexible": True, "interleave_single_worker": False},
    # the same, without the redundant cumulative and energy constraints
    "tabu_lean": {
        "tabu_flexible": True,
        "model": {"makespan_interval": True, "cumulative": False, "energy": False},
    },
}
COLUMNS = (
    "instance",
    "variant",
    "makespan",
    "bound",
    "status",
    "best_known",
    "gap_pct",
    "pyjobshop_900s",
    "checker",
    "seconds",
    "cpu_seconds",
    "load",
    "time_limit",
    "workers",
    "seed",
    "stats",
)


def instance_name(path: Path) -> str:
    parent = path.parent.name.lower()
    return f"{parent}/{path.stem.lower()}" if parent in SET_FOLDERS else path.stem.lower()


def family(name: str) -> str:
    return name.split("/")[0] if "/" in name else "brandimarte"


def read_table(path: Path, solver: str | None = None) -> dict[str, int]:
    """Upper bounds per instance name of bks.csv (or of reference_results.csv for one solver)."""
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if solver is not None and row.get("solver") != solver:
                continue
            out[row["name"]] = int(float(row["upper_bound"]))
    return out


def run_one(variant: str, path: str, time_limit: float, workers: int, seed: int, schedule_csv: str) -> None:
    """Solve one instance with one variant in this process; print a JSON line."""
    from planner.formats import read_instance
    from planner.scheduling.solve import Solver

    data = read_instance(path)
    solver = Solver("cpsat")
    backend: Any = solver._backend
    backend.preset.setdefault("shop", {}).update(VARIANTS[variant])
    cpu0 = time.process_time()
    result = solver.solve(data, time_limit=time_limit, num_workers=workers, seed=seed)
    cpu = time.process_time() - cpu0
    with open(schedule_csv, "w", encoding="utf-8") as handle:
        handle.write("job,operation,machine,start,end\n")
        for sop in result.schedule or ():
            handle.write(f"{sop.job},{sop.operation},{sop.machine},{sop.start},{sop.end}\n")
    stats = {k: v for k, v in (result.stats or {}).items() if isinstance(v, int | float | str)}
    print(
        json.dumps(
            {
                "makespan": result.objective,
                "bound": result.lower_bound,
                "status": str(result.status),
                "seconds": round(result.runtime, 2),
                "cpu_seconds": round(cpu, 2),
                "stats": stats,
            }
        )
    )


def solve(variant: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        schedule = Path(tmp) / "schedule.csv"
        load = os.getloadavg()[0]
        done = subprocess.run(
            [sys.executable, __file__, "--run-one", variant, str(path), "--time-limit", str(args.time_limit),
             "--workers", str(args.workers), "--seed", str(args.seed), "--schedule-csv", str(schedule)],
            capture_output=True, text=True, check=False, timeout=3 * args.time_limit + 180,
        )  # fmt: skip
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            return {"status": "error", "stats": done.stderr[-300:], "load": round(load, 2)}
        row = json.loads(lines[-1])
        check = subprocess.run(
            [sys.executable, str(CHECKER), str(path), str(schedule)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        last = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else ""
        ok = check.returncode == 0 and last.isdigit() and int(last) == int(row["makespan"])
        row["checker"] = "ok" if ok else f"REJECTED {check.stdout[-200:]}"
        row["load"] = round(load, 2)
        row["stats"] = json.dumps(row["stats"], sort_keys=True)
        return row


def summary(rows: list[dict[str, str]], variants: list[str]) -> str:
    """Mean gap to best-known and to PyJobShop's 900-s figure per family and variant (Markdown)."""
    lines = [
        "| family | variant | instances | mean gap to BKS (%) | PyJobShop 900 s: mean gap (%) | at BKS | "
        "<= PyJobShop 900 s | proven | checker ok |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_family: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_family.setdefault(family(row["instance"]), []).append(row)
    for fam, fam_rows in sorted(by_family.items()):
        for variant in variants:
            mine = [r for r in fam_rows if r["variant"] == variant and r["gap_pct"] not in ("", None)]
            if not mine:
                continue
            gaps = [float(r["gap_pct"]) for r in mine]
            at_bks = sum(1 for r in mine if float(r["makespan"]) <= float(r["best_known"]))
            ref = [r for r in mine if r["pyjobshop_900s"]]
            le_ref = sum(1 for r in ref if float(r["makespan"]) <= float(r["pyjobshop_900s"]))
            # PyJobShop's mean gap over the same instances (those it has a figure for)
            ref_gaps = [
                100.0 * (float(r["pyjobshop_900s"]) - float(r["best_known"])) / float(r["best_known"])
                for r in ref
            ]
            ref_mean = f"{statistics.mean(ref_gaps):.2f}" if ref_gaps else "-"
            proven = sum(1 for r in mine if r["status"] == "optimal")
            ok = sum(1 for r in mine if r["checker"] == "ok")
            lines.append(
                f"| {fam} | {variant} | {len(mine)} | {statistics.mean(gaps):.2f} | {ref_mean} | {at_bks} | "
                f"{le_ref}/{len(ref)} | {proven} | {ok}/{len(mine)} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("patterns", nargs="*", help="instance files (glob patterns)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variants", default="cpsat,tabu", help=f"comma-separated, of {sorted(VARIANTS)}")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "fjsp_ab.csv")
    parser.add_argument("--run-one", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--schedule-csv", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        run_one(args.run_one[0], args.run_one[1], args.time_limit, args.workers, args.seed, args.schedule_csv)
        return 0
    variants = args.variants.split(",")
    for variant in variants:
        if variant not in VARIANTS:
            parser.error(f"unknown variant {variant!r}; choose from {sorted(VARIANTS)}")
    paths = sorted({Path(p) for pattern in args.patterns for p in glob.glob(pattern)})
    bks = read_table(FJSP / "bks.csv")
    reference = read_table(FJSP / "reference_results.csv", solver="ortools")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done: set[tuple[str, str]] = set()
    rows: list[dict[str, str]] = []
    if args.out.is_file():
        with args.out.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append(row)
                done.add((row["instance"], row["variant"]))
    new_file = not args.out.is_file()
    with args.out.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        if new_file:
            writer.writeheader()
        for i, path in enumerate(paths):
            name = instance_name(path)
            order = variants[i % len(variants) :] + variants[: i % len(variants)]
            for variant in order:
                if (name, variant) in done:
                    continue
                result = solve(variant, path, args)
                best = bks.get(name)
                makespan = result.get("makespan")
                gap = "" if makespan is None or not best else round(100.0 * (makespan - best) / best, 3)
                row = {
                    "instance": name,
                    "variant": variant,
                    "best_known": best or "",
                    "gap_pct": gap,
                    "pyjobshop_900s": reference.get(name, ""),
                    "time_limit": args.time_limit,
                    "workers": args.workers,
                    "seed": args.seed,
                    **{k: result.get(k, "") for k in ("makespan", "bound", "status", "checker", "seconds",
                                                      "cpu_seconds", "load", "stats")},
                }  # fmt: skip
                writer.writerow(row)
                handle.flush()
                rows.append({k: str(v) for k, v in row.items()})
                print(
                    f"{name:24s} {variant:8s} {makespan} (bks {best}, pyjobshop {reference.get(name, '-')}) "
                    f"{result.get('status')} {result.get('checker')} load {result.get('load')}",
                    flush=True,
                )
    print(summary(rows, variants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
