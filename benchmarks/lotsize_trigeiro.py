"""Benchmark the lot-sizing MIP on the Trigeiro F and G sets against best-known values.

Usage::

    .venv/bin/python benchmarks/lotsize_trigeiro.py --sets G,F --backends ortools,pulp \
        --time-limit 30 --threads 2 [--instances G30b,G53] [--data ../shared/instances/lotsizing] \
        [--cpu-time] [--reuse-proven-from 30] [--portfolio] [--tag NAME]

Each run appends one row per instance to
``benchmarks/results/lotsize_trigeiro_<backend>_<limit>s_<clock>.csv`` (rows already there are skipped,
so an interrupted run resumes) and rewrites the summary ``benchmarks/results/lotsize_trigeiro_summary.md``
from every CSV present.

``--reuse-proven-from 30`` (for a longer run): an instance that the 30-s run of the same backend (and
clock, or the one named by ``--reuse-clock``) already proved optimal is not solved again; its 30-s row
is copied with ``reused_from = 30s_<clock>`` (a proven optimum does not change with more time).
Instances the 30-s CSV does not hold yet, or did not prove, are solved with the full limit.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FIELDS = [
    "set",
    "instance",
    "backend",
    "time_limit",
    "threads",
    "clock",
    "status",
    "objective",
    "bound",
    "gap_pct",
    "reference",
    "literature_optimum",
    "gap_to_reference_pct",
    "at_or_below_reference",
    "checker_ok",
    "seconds",
    "reused_from",
    "load1",
    "solver_status",
]
LITERATURE_TARGETS = {"G30b": 37721.0, "G53": 74634.0, "G57": 136509.0, "G62": 61746.0, "G69": 130596.0}


def natural_key(name: str) -> tuple[str, int, str]:
    m = re.match(r"([A-Za-z]+)(\d+)(.*)", name)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (name, 0, "")


def at_or_below(objective: float, reference: float) -> bool:
    """Whether an objective is at or below a reference value, which the reference file rounds to 0.01."""
    return objective <= reference + 0.005 + 1e-9 * abs(reference)


def load_references(data_dir: Path) -> dict[str, tuple[float | None, float | None]]:
    """``{instance: (reference objective, literature optimum)}`` from ``bks_trigeiro_G.csv``."""
    out: dict[str, tuple[float | None, float | None]] = {}
    path = data_dir / "bks_trigeiro_G.csv"
    if path.exists():
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                ref = float(row["best_known_objective_here"]) if row["best_known_objective_here"] else None
                lit = float(row["literature_optimum"]) if row["literature_optimum"] else None
                out[row["instance"]] = (ref, lit)
    return out


def proven_rows(path: Path) -> dict[str, dict[str, str]]:
    """Rows of a results CSV whose instance was proven optimal, by instance."""
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {r["instance"]: r for r in csv.DictReader(f) if r["status"] == "optimal"}


def run(args: argparse.Namespace) -> None:
    from planner.formats.trigeiro import read_trigeiro
    from planner.inventory import Solver, check_plan

    data_dir = Path(args.data)
    refs = load_references(data_dir)
    wanted = set(args.instances.split(",")) if args.instances else None
    RESULTS.mkdir(parents=True, exist_ok=True)
    for backend in args.backends.split(","):
        clock = "cpu" if args.cpu_time and backend == "ortools" else "wall"
        variant = f"_polish{round(100 * args.polish)}" if args.polish and backend == "ortools" else ""
        label = f"{backend}+polish{args.polish:g}" if variant else backend
        tag = args.tag or ("portfolio" if args.portfolio and backend == "ortools" else "")
        if tag:
            variant += f"_{tag}"
            label += f"+{tag}"
        out_csv = RESULTS / f"lotsize_trigeiro_{backend}_{int(args.time_limit)}s{variant}_{clock}.csv"
        done = set()
        if out_csv.exists():
            with open(out_csv, newline="") as f:
                done = {row["instance"] for row in csv.DictReader(f)}
        else:
            with open(out_csv, "w", newline="") as f:
                csv.DictWriter(f, FIELDS).writeheader()
        reuse_csv = (
            RESULTS
            / f"lotsize_trigeiro_{backend}_{int(args.reuse_proven_from)}s_{args.reuse_clock or clock}.csv"
            if args.reuse_proven_from
            else None
        )
        for set_name in args.sets.split(","):
            files = sorted(
                (data_dir / f"trigeiro_{set_name}").glob("*.DAT"), key=lambda p: natural_key(p.stem)
            )
            if not files:
                sys.exit(f"no .DAT files in {data_dir / f'trigeiro_{set_name}'} (set --data)")
            for path in files:
                name = path.stem
                if (wanted and name not in wanted) or name in done:
                    continue
                # Read again for each instance: a shorter run going on beside this one adds rows.
                reusable = proven_rows(reuse_csv).get(name) if reuse_csv is not None else None
                if reusable is not None:
                    row = {k: reusable.get(k, "") for k in FIELDS}
                    row["reused_from"] = f"{int(args.reuse_proven_from)}s_{args.reuse_clock or clock}"
                    row["time_limit"] = args.time_limit
                    row["clock"] = clock  # of this run; reused_from names the run measured
                    with open(out_csv, "a", newline="") as f:
                        csv.DictWriter(f, FIELDS).writerow(row)
                    print(",".join(str(row[k]) for k in FIELDS), flush=True)
                    continue
                data = read_trigeiro(path)
                load1 = os.getloadavg()[0]
                start = time.perf_counter()
                options: dict[str, Any] = {"cpu_time": True} if clock == "cpu" else {}
                if args.polish and backend == "ortools":
                    options["polish"] = args.polish
                if args.portfolio and backend == "ortools":
                    from planner.inventory.backends.ortools import PORTFOLIO

                    options["portfolio"] = PORTFOLIO
                res = Solver(backend, **options).solve(
                    data, time_limit=args.time_limit, num_threads=args.threads, seed=1
                )
                seconds = time.perf_counter() - start
                ok = res.plan is not None and check_plan(data, res.plan).ok
                ref, lit = refs.get(name, (None, None))
                gap_ref = (
                    100.0 * (res.objective - ref) / ref
                    if res.objective is not None and ref is not None
                    else None
                )
                row = {
                    "set": set_name,
                    "instance": name,
                    "backend": label,
                    "time_limit": args.time_limit,
                    "threads": args.threads,
                    "clock": clock,
                    "status": res.status.value,
                    "objective": res.objective,
                    "bound": None if res.bound is None else round(res.bound, 4),
                    "gap_pct": None if res.gap is None else round(100.0 * res.gap, 4),
                    "reference": ref,
                    "literature_optimum": lit,
                    "gap_to_reference_pct": None if gap_ref is None else round(gap_ref, 4),
                    "at_or_below_reference": None
                    if ref is None or res.objective is None
                    else at_or_below(res.objective, ref),
                    "checker_ok": ok,
                    "seconds": round(seconds, 2),
                    "reused_from": "",
                    "load1": round(load1, 2),
                    "solver_status": res.solver_status,
                }
                with open(out_csv, "a", newline="") as f:
                    csv.DictWriter(f, FIELDS).writerow(row)
                print(",".join(str(row[k]) for k in FIELDS), flush=True)
        write_summary()


def _f(v: str) -> float | None:
    return float(v) if v not in ("", "None") else None


def write_summary() -> None:
    """Rewrite the Markdown summary from every results CSV."""
    lines = [
        "# Lot sizing: Trigeiro F and G sets",
        "",
        "Produced by `benchmarks/lotsize_trigeiro.py` (see the header of each CSV for the raw rows).",
        "Gap = (objective - bound) / objective of the run; gap to reference = against",
        "`best_known_objective_here` of `bks_trigeiro_G.csv` (G set only; the F set has no reference values).",
        "",
        "Reused = rows copied from the 30-s run because it had already proven them optimal",
        "(`--reuse-proven-from 30`); load = mean 1-minute load average at the start of the solved instances.",
        "",
        "| set | backend | limit s | clock | threads | runs | reused | proven optimal | mean gap % | max gap % "
        "| at/below reference | mean gap to ref % | max gap to ref % | checker ok | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    target_lines = []
    above_lines = []
    for path in sorted(RESULTS.glob("lotsize_trigeiro_*.csv")):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        file_clock = path.stem.rsplit("_", 1)[-1]
        for r in rows:
            obj, ref = _f(r["objective"]), _f(r["reference"])
            if ref is not None and (obj is None or not at_or_below(obj, ref)):
                above_lines.append(
                    f"| {r['instance']} | {r['backend']} | {r['time_limit']} {file_clock} | {r['objective']} "
                    f"| {ref:g} | {r['gap_to_reference_pct']} | {r['status']} |"
                )
        for set_name in sorted({r["set"] for r in rows}):
            rs = [r for r in rows if r["set"] == set_name]
            gaps = [g for g in (_f(r["gap_pct"]) for r in rs) if g is not None]
            refg = [g for g in (_f(r["gap_to_reference_pct"]) for r in rs) if g is not None]
            with_ref = [r for r in rs if _f(r["reference"]) is not None and _f(r["objective"]) is not None]
            below = [r for r in with_ref if at_or_below(float(r["objective"]), float(r["reference"]))]
            r0 = rs[0]
            loads = [
                v for v in (_f(r.get("load1") or "") for r in rs if not r.get("reused_from")) if v is not None
            ]
            load = f"{sum(loads) / len(loads):.1f}" if loads else ""
            reused = sum(bool(r.get("reused_from")) for r in rs)
            lines.append(
                f"| {set_name} | {r0['backend']} | {r0['time_limit']} | {file_clock} | {r0['threads']} | {len(rs)} "
                f"| {reused} | {sum(r['status'] == 'optimal' for r in rs)} "
                f"| {sum(gaps) / len(gaps) if gaps else float('nan'):.3f} | {max(gaps, default=float('nan')):.3f} "
                f"| {len(below)}/{len(with_ref)} "
                f"| {sum(refg) / len(refg) if refg else float('nan'):.3f} | {max(refg, default=float('nan')):.3f} "
                f"| {sum(r['checker_ok'] == 'True' for r in rs)}/{len(rs)} | {load} |"
            )
        for name, opt in LITERATURE_TARGETS.items():
            for r in rows:
                if r["instance"] == name:
                    obj = _f(r["objective"])
                    hit = "yes" if obj is not None and abs(obj - opt) < 0.5 else "no"
                    target_lines.append(
                        f"| {name} | {r['backend']} | {r['time_limit']} {file_clock} | {opt:g} | {r['objective']} "
                        f"| {r['status']} | {hit} |"
                    )
    if target_lines:
        lines += [
            "",
            "## Literature optima",
            "",
            "| instance | backend | limit s | literature optimum | objective | status | reproduced |",
            "|---|---|---|---|---|---|---|",
            *target_lines,
        ]
    if above_lines:
        lines += [
            "",
            "## Runs above the reference value",
            "",
            "| instance | backend | limit | objective | reference | gap to ref % | status |",
            "|---|---|---|---|---|---|---|",
            *above_lines,
        ]
    (RESULTS / "lotsize_trigeiro_summary.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="G,F")
    parser.add_argument("--backends", default="ortools,pulp")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--instances", default="")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "instances" / "lotsizing"))
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument(
        "--reuse-proven-from",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="Copy the row of an instance that the run at SECONDS (same backend and clock) proved optimal "
        "instead of solving it again.",
    )
    parser.add_argument(
        "--polish",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="OR-Tools only: fix-and-optimise for the last SHARE of the limit (OrToolsBackend polish): after "
        "SCIP with --threads 1, beside a plain SCIP run with --threads 2; results go to a CSV of their own.",
    )
    parser.add_argument(
        "--portfolio",
        action="store_true",
        help="OR-Tools only: one SCIP solve per thread with the settings of ortools.PORTFOLIO (tag portfolio).",
    )
    parser.add_argument(
        "--tag",
        default="",
        help="Name of this configuration (e.g. portfolio): results go to a CSV of their own, "
        "lotsize_trigeiro_<backend>_<limit>s_<tag>_<clock>.csv; --reuse-proven-from reads the untagged run.",
    )
    parser.add_argument(
        "--reuse-clock",
        choices=["cpu", "wall"],
        default=None,
        help="Clock of the run to reuse (default: this run's); a proven optimum holds whatever the clock.",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="Count SCIP's limit in CPU seconds, which keeps results comparable on a shared, loaded "
        "machine. CBC stays wall-clock: with CPU time it was seen to lose its incumbent at the limit.",
    )
    args = parser.parse_args(argv)
    if args.summary_only:
        write_summary()
        return
    run(args)


if __name__ == "__main__":
    main()
    sys.exit(0)
