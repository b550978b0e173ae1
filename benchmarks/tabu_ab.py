#!/usr/bin/env python3
"""A/B of job-shop tabu-search variants alone, on a CPU-time budget, interleaved per instance.

Each variant is :class:`planner.scheduling.solvers.tabu.TabuSearch` with keyword arguments of its own,
started from the dispatching rule's schedule and run in this process's main thread until the thread's CPU
time reaches ``--cpu`` seconds (``time.thread_time()``: other processes on the machine do not shorten it).
Variants alternate per instance and seed (the order rotates), every schedule is checked by
``planner.scheduling.check_solution`` and its makespan compared with the search's. Gaps are to the
reference upper bounds below (Taillard instances) or to the job/machine lower bound (fresh instances).

Example::

    .venv/bin/python benchmarks/tabu_ab.py --taillard 21,31,41 var/tai_new/*.txt --cpu 20 \\
        --variants 'base={}' 'pr={"elite_size": 8}' --out benchmarks/results/tabu_ab.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from taillard_gen import UPPER_TA11_TA50 as UPPER  # noqa: E402


def _load(args: argparse.Namespace) -> list[tuple[str, Any, int, str]]:
    """(name, data, reference makespan, kind of reference) per instance."""
    from taillard_gen import published, simple_lower_bound

    from planner.formats import read_instance

    out = []
    tmp = Path(tempfile.mkdtemp())
    for part in filter(None, args.taillard.split(",")):
        inst = published(int(part))
        path = tmp / f"{inst.name}.txt"
        path.write_text(inst.to_jssp())
        ref = UPPER.get(int(part)) or simple_lower_bound(inst.times, inst.machines)
        out.append((inst.name, read_instance(str(path)), ref, "bks" if int(part) in UPPER else "lb"))
    for path in args.paths:
        data = read_instance(path)
        from planner.scheduling.solvers.cpsat.shop import simple_lower_bound as lb

        out.append((Path(path).stem, data, lb(data), "lb"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", help="instance files (JSSP format)")
    parser.add_argument("--taillard", default="", help="published Taillard instances, e.g. 21,31,41")
    parser.add_argument("--cpu", type=float, default=20.0, help="CPU seconds per run")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--variants", nargs="+", default=["base={}"], help="NAME=JSON keyword arguments")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "tabu_ab.csv")
    args = parser.parse_args(argv)

    from planner.scheduling import check_solution
    from planner.scheduling.solvers.dispatch import dispatch
    from planner.scheduling.solvers.tabu import TabuSearch, warm_up

    variants = [(v.split("=", 1)[0], json.loads(v.split("=", 1)[1])) for v in args.variants]
    warm_up()
    rows: list[dict[str, Any]] = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    turn = 0
    for name, data, ref, kind in _load(args):
        start = dispatch(data)
        assert start is not None
        for seed in (int(s) for s in args.seeds.split(",")):
            order = variants[turn % len(variants) :] + variants[: turn % len(variants)]
            turn += 1
            for vname, kwargs in order:
                search = TabuSearch(data, start, seed=seed, **kwargs)
                t0 = time.thread_time()
                last, found_at = search.best, 0.0
                slice_len = 2000
                while time.thread_time() - t0 < args.cpu and not search.proven:
                    best = search.run_slice(slice_len)
                    if best != last:
                        last, found_at = best, time.thread_time() - t0
                spent = time.thread_time() - t0
                schedule = search.schedule()
                report = check_solution(data, schedule)
                checked = report.ok and schedule.makespan == search.best
                row = {
                    "instance": name,
                    "jobs": len(data.jobs),
                    "machines": data.num_machines,
                    "seed": seed,
                    "variant": vname,
                    "makespan": search.best,
                    "reference": ref,
                    "reference_kind": kind,
                    "gap_pct": round(100.0 * (search.best - ref) / ref, 3),
                    "best_at_cpu_s": round(found_at, 2),
                    "iterations_per_s": round(search.iterations / spent),
                    "checker": "ok" if checked else "FAIL",
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    with args.out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print("\n| variant | runs | mean gap % | mean gap % (bks) | mean gap % (lb) | wins | checker |")
    print("|---|---|---|---|---|---|---|")
    for vname, _ in variants:
        mine = [r for r in rows if r["variant"] == vname]
        wins = sum(
            1
            for r in mine
            if all(
                r["makespan"] < o["makespan"]
                for o in rows
                if o["instance"] == r["instance"] and o["seed"] == r["seed"] and o["variant"] != vname
            )
        )

        def mean(rs: list[dict[str, Any]]) -> str:
            return f"{statistics.mean(r['gap_pct'] for r in rs):.2f}" if rs else "-"

        bks = [r for r in mine if r["reference_kind"] == "bks"]
        lbs = [r for r in mine if r["reference_kind"] == "lb"]
        fails = sum(r["checker"] != "ok" for r in mine)
        print(f"| {vname} | {len(mine)} | {mean(mine)} | {mean(bks)} | {mean(lbs)} | {wins} | {fails} fail |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
